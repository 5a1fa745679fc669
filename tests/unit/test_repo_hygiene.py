"""Promises the repository makes: two commands, pins in step, no committed outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^\s#]+)")


def pins(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = PIN.match(line)
        if match:
            found[match[1].lower().replace("_", "-")] = match[2]
    return found


def environment_pip_section() -> list[str]:
    text = (REPO / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(text) if line.strip() == "- pip:")
    section = []
    for line in text[start + 1 :]:
        if line.strip() and not line.startswith("      "):
            break
        section.append(line)
    return section


def test_environment_yml_pins_exactly_what_requirements_txt_pins() -> None:
    # Binder keeps zig (environment.yml cannot probe for a working clang the way ./kit
    # setup does), so its pins are the course's plus requirements-zig.txt's.
    requirements = pins((REPO / "requirements.txt").read_text().splitlines())
    zig = pins((REPO / "requirements-zig.txt").read_text().splitlines())
    environment = pins(environment_pip_section())
    assert requirements, "requirements.txt pins nothing"
    assert set(zig) == {"ziglang"}
    assert environment == {**requirements, **zig}


def test_a_learner_install_has_no_developer_tools() -> None:
    learner = pins((REPO / "requirements.txt").read_text().splitlines())
    dev_only = {"pytest", "pytest-timeout", "mypy", "ruff", "playwright", "import-linter",
                "pre-commit", "nbstripout", "ziglang"}
    assert not dev_only & set(learner), "developer tools (or zig) crept into the learner's pins"
    dev = (REPO / "requirements-dev.txt").read_text()
    assert "-r requirements-test.txt" in dev
    test = (REPO / "requirements-test.txt").read_text()
    assert "-r requirements.txt" in test and "-r requirements-zig.txt" in test


def test_environment_yml_uses_conda_forge_and_pins_python() -> None:
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*conda-forge\s*$", text, re.M)
    assert re.search(r"^\s*-\s*python=3\.\d+", text, re.M)


def test_wasmtime_has_an_upper_bound_everywhere() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert re.search(r'"wasmtime>=\d+,<\d+"', pyproject)
    assert pins((REPO / "requirements.txt").read_text().splitlines())["wasmtime"]


def test_binder_files_are_sane() -> None:
    post_build = (REPO / "postBuild").read_text().splitlines()
    body = [line for line in post_build if line.strip() and not line.startswith("#")]
    assert body[0] == "set -e"
    assert not (REPO / "Dockerfile").exists(), "a root Dockerfile would take over the Binder build"
    assert not (REPO / "binder").exists(), "a binder/ folder would hide the root files from Binder"
    apt = (REPO / "apt.txt").read_text().split()
    assert {"clang", "lld", "wasi-libc", "rustc", "libstd-rust-dev-wasm32"} <= set(apt)


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (REPO / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1]
    block = quick.split("```", 2)[1]
    commands = [line.strip() for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    ci = (REPO / ".ci" / "run").read_text()
    assert commands[1] in ci and commands[0] not in ci


def notebooks() -> list[Path]:
    return sorted(p for p in (REPO / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in str(p))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path: Path) -> None:
    cells = json.loads(path.read_text())["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} cell {index} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {index} has a count"


def test_there_are_notebooks_to_check() -> None:
    assert notebooks(), "no notebooks found"
