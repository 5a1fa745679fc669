"""The package's shape holds: layers run downward, and no module reaches into another
subpackage's private names. ARCHITECTURE.md describes the layers these tests enforce."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "kernel_helpers"
SUBPACKAGES = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def _subpackage(module: Path) -> str:
    """The first folder under kernel_helpers/ ('' for the floor and the package root)."""
    parts = module.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def _imported_module(module: Path, node: ast.ImportFrom) -> str:
    """The absolute dotted name an ``ImportFrom`` refers to."""
    if node.level == 0:
        return node.module or ""
    package = list(module.relative_to(PACKAGE.parent).with_suffix("").parts)[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def test_every_subpackage_says_what_it_owns_and_may_import() -> None:
    assert {"wasm", "toolchains", "containers", "bench", "report", "course", "cli"} <= set(SUBPACKAGES)
    for name in SUBPACKAGES:
        if name in ("data",):
            continue
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text())) or ""
        assert "May import" in doc, f"kernel_helpers/{name}/__init__.py must say what it may import"


def test_no_module_imports_a_private_name_of_another_subpackage() -> None:
    offenders = []
    for module in PACKAGE.rglob("*.py"):
        own = _subpackage(module)
        for node in ast.walk(ast.parse(module.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = _imported_module(module, node).split(".")
            other = target[1] if len(target) > 2 else ""
            if not other or other == own:
                continue
            offenders += [
                f"{module.relative_to(REPO)}:{node.lineno} imports {alias.name} from {'.'.join(target)}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    assert not offenders, "\n".join(offenders)


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    program = Path(sys.executable).parent / "lint-imports"
    if not program.exists():
        pytest.skip("import-linter is not installed (it comes with requirements-dev.txt)")
    return subprocess.run(
        [str(program), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_layer_contract_is_kept() -> None:
    run = _lint_imports(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path) -> None:
    # A copy of the package where the lowest layer (wasm) imports the top one (course).
    shutil.copytree(PACKAGE, tmp_path / "kernel_helpers", ignore=shutil.ignore_patterns("data", "static"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    reader = tmp_path / "kernel_helpers" / "wasm" / "reader.py"
    reader.write_text(reader.read_text() + "\nfrom ..course import doctor  # wrong way\n")
    run = _lint_imports(tmp_path)
    assert run.returncode != 0
    assert "kernel_helpers.wasm.reader -> kernel_helpers.course.doctor" in run.stdout
