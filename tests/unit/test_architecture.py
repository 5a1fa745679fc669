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
    assert {"wasm", "toolchains", "containers", "bench", "report", "course", "cli"} <= set(
        SUBPACKAGES
    )
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
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_layer_contract_is_kept() -> None:
    run = _lint_imports(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path) -> None:
    # A copy of the package where the lowest layer (wasm) imports the top one (course).
    _copy_for_lint(tmp_path)
    reader = tmp_path / "kernel_helpers" / "wasm" / "reader.py"
    reader.write_text(reader.read_text() + "\nfrom ..course import doctor  # wrong way\n")
    run = _lint_imports(tmp_path)
    assert run.returncode != 0
    assert "kernel_helpers.wasm.reader -> kernel_helpers.course.doctor" in run.stdout


def _copy_for_lint(tmp_path: Path) -> None:
    shutil.copytree(
        PACKAGE, tmp_path / "kernel_helpers", ignore=shutil.ignore_patterns("data", "static")
    )
    shutil.copytree(REPO / "course_hub", tmp_path / "course_hub")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")


def test_the_learners_package_importing_the_workshop_breaks_the_contract(tmp_path: Path) -> None:
    _copy_for_lint(tmp_path)
    handin = tmp_path / "kernel_helpers" / "report" / "handin.py"
    handin.write_text(handin.read_text() + "\nfrom course_hub import accounts  # wrong way\n")
    run = _lint_imports(tmp_path)
    assert run.returncode != 0
    assert "kernel_helpers.report.handin -> course_hub.accounts" in run.stdout


def test_touching_every_public_name_loads_no_workshop_code() -> None:
    """A learner's ``import kernel_helpers`` and every ``kh.*`` name they may reach load
    nothing of the workshop: no accounts, cgroups, daemons or course image."""
    probe = (
        "import sys, kernel_helpers as kh\n"
        "for name in kh._PUBLIC: getattr(kh, name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'course_hub'))\n"
        "print(len(kh._PUBLIC))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert run.returncode == 0, run.stderr[-2000:]
    loaded, touched = run.stdout.splitlines()[-2:]
    assert loaded == "[]"
    assert int(touched) > 100  # every name was really reached


# --- no circles: the module graph of kernel_helpers, read from the source ------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import a module runs: at the top and inside functions, but not the ones under
    ``if TYPE_CHECKING:`` (those never run, so they make no circle)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            found += [n for child in node.orelse for n in _imports(ast.Module([child], []))]
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        found += _imports(node)
    return found


def _edges(name: str, path: Path) -> set[str]:
    """The kernel_helpers modules ``name`` imports (a package's ``__init__`` only when it is
    the target itself, not as the parent of a module)."""
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            base = _imported_module(path, node)
            candidates = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        targets |= {c for c in candidates if c in MODULES and c != name}
    return targets


def module_graph() -> dict[str, set[str]]:
    return {name: _edges(name, path) for name, path in MODULES.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other round a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_sees_relative_and_function_level_imports() -> None:
    graph = module_graph()
    assert (
        "kernel_helpers.wasm.reader" in graph["kernel_helpers.wasm.runner"]
    )  # from .reader import
    assert (
        "kernel_helpers.wasm.runner" in graph["kernel_helpers.bench.startup"]
    )  # inside a function
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"], ["c"]]


def test_no_modules_import_each_other_round_a_circle() -> None:
    circles = [group for group in strongly_connected(module_graph()) if len(group) > 1]
    assert not circles, "import circles:\n" + "\n".join(" <-> ".join(g) for g in circles)


#: The one module allowed to be long: the binary reader walks every section of the format
#: in one place, which reads better than split across files (notebook 01 follows it).
LONG_MODULES = {"wasm/reader.py"}
MAX_LINES = 700


def test_no_module_is_a_grab_bag_of_more_than_700_lines() -> None:
    """A module that grows past this holds more than one idea: give each its own module."""
    long = {
        module.relative_to(PACKAGE).as_posix(): count
        for module in PACKAGE.rglob("*.py")
        if (count := len(module.read_text().splitlines())) > MAX_LINES
    }
    over = {name: count for name, count in long.items() if name not in LONG_MODULES}
    assert not over, f"modules over {MAX_LINES} lines (split them): {over}"


# --- what the notebooks see: kh.* only --------------------------------------------------------


def test_notebooks_reach_the_kit_through_kh_only() -> None:
    import json

    offenders = []
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        for number, cell in enumerate(json.loads(notebook.read_text())["cells"]):
            if cell["cell_type"] != "code":
                continue
            for line in "".join(cell["source"]).splitlines():
                words = line.split()
                if line.strip() == "import kernel_helpers as kh":
                    continue
                if (
                    words[:1] in (["from"], ["import"])
                    and len(words) > 1
                    and words[1].startswith("kernel_helpers")
                ):
                    offenders.append(f"{notebook.name} cell {number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def _lazy_table() -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``_names(module, *names)`` in kernel_helpers/__init__.py."""
    table = []
    for node in ast.walk(ast.parse((PACKAGE / "__init__.py").read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_names"
        ):
            module, *names = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            table += [(str(module), str(name), node.lineno) for name in names]
    return table


def test_every_name_of_the_lazy_table_is_where_it_says() -> None:
    import importlib

    import kernel_helpers as kh

    table = _lazy_table()
    assert len(table) == len(kh._PUBLIC) > 100
    wrong = [
        f"__init__.py:{line}: {name} is not defined in kernel_helpers.{module}"
        for module, name, line in table
        if name not in vars(importlib.import_module(f"kernel_helpers.{module}"))
    ]
    assert not wrong, "\n".join(wrong)
    for name in kh._PUBLIC:
        assert getattr(kh, name) is not None, name
