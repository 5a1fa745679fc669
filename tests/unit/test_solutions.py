"""Every instructor solution passes its own check, so solutions cannot drift from checks."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers.course import checks
from kernel_helpers.course.checks import Solution
from kernel_helpers.course.solutions import all_solutions

COURSE = Path(checks.__file__).parent
SOLUTIONS = all_solutions()


def run_solution(solution: Solution, **notebook_names: object) -> kh.CheckResult:
    """Run a solution's code as its cell would; ``notebook_names`` stand for what the
    notebook's earlier cells defined, where the solution reads them."""
    *body, last = solution.code.splitlines()
    namespace: dict[str, object] = {"kh": kh, **notebook_names}
    exec("\n".join(body), namespace)
    result = eval(last, namespace)
    assert isinstance(result, kh.CheckResult)
    return result


RUNS_ANYWHERE = [s for s in SOLUTIONS.values() if not s.needs]


@pytest.mark.parametrize("solution", RUNS_ANYWHERE, ids=lambda s: f"{s.notebook}-{s.exercise}")
def test_solution_passes_its_check(solution: Solution) -> None:
    result = run_solution(solution)
    assert result.ok is True, result.text()


def test_every_notebook_has_at_least_two_exercises_with_solutions() -> None:
    for notebook in ("00", "01", "02", "03", "04", "05"):
        assert len([k for k in SOLUTIONS if k[0] == notebook]) >= 2, notebook


def test_solution_accepts_numbers_and_strings_and_renders() -> None:
    assert kh.solution(1, 2) is kh.solution("01", 2)
    assert "i32.sub" in kh.solution("01", 2)._repr_html_()
    assert "<details" in kh.solution("01", 2)._repr_html_()


def test_unknown_solution_lists_the_known_ones() -> None:
    with pytest.raises(kh.KitError) as caught:
        kh.solution("01", 9)
    assert caught.value.fix and "01/1" in caught.value.fix


@pytest.mark.parametrize("module", sorted(p.stem for p in COURSE.glob("nb[0-9][0-9].py")))
def test_each_notebook_module_holds_its_own_solutions_and_all_are_collected(module: str) -> None:
    own = importlib.import_module(f"kernel_helpers.course.{module}").SOLUTIONS
    assert own, f"{module} has no SOLUTIONS"
    for item in own:
        assert item.notebook == module[2:], (module, item.notebook, item.exercise)
        assert SOLUTIONS[(item.notebook, item.exercise)] is item


def test_solutions_are_collected_not_registered_at_import() -> None:
    """checks.py imports no notebook module at its top level, and no module fills another's table."""
    tree = ast.parse((COURSE / "checks.py").read_text())
    top_level = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert not [
        n
        for n in top_level
        if (n.module or "").startswith("nb") or any(a.name.startswith("nb") for a in n.names)
    ]
    total = sum(
        len(importlib.import_module(f"kernel_helpers.course.{p.stem}").SOLUTIONS)
        for p in COURSE.glob("nb[0-9][0-9].py")
    )
    assert total == len(SOLUTIONS)


def test_solution_code_is_shown_flush_left() -> None:
    for item in SOLUTIONS.values():
        assert not item.code[0].isspace() and item.code.splitlines()[-1].startswith("kh.check_"), (
            item
        )


def test_every_kind_of_need_has_a_test_that_runs_its_solutions() -> None:
    """A solution skipped here runs elsewhere: toolchains and wasi in test_notebooks_00_05_live,
    the notebook's own measurements in test_solutions_in_notebook and test_exercises_06_11,
    docker and registry in test_exercises_live, containerd in test_containerd_shim. A new
    kind of need must get a home too."""
    from kernel_helpers.course.checks import IN_NOTEBOOK

    assert {s.needs for s in SOLUTIONS.values()} <= {
        "",
        "toolchains",
        "wasi",
        IN_NOTEBOOK,
        "docker",
        "registry",
        "containerd",
    }
