"""Every instructor solution passes its own check, so solutions cannot drift from checks."""

from __future__ import annotations

import pytest

import kernel_helpers as kh
from kernel_helpers.course.solutions import SOLUTIONS, Solution


def run_solution(solution: Solution) -> kh.CheckResult:
    *body, last = solution.code.splitlines()
    namespace: dict[str, object] = {"kh": kh}
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
    assert "answer = 7" in kh.solution("01", 2)._repr_html_()
    assert "<details" in kh.solution("01", 2)._repr_html_()


def test_unknown_solution_lists_the_known_ones() -> None:
    with pytest.raises(kh.KitError) as caught:
        kh.solution("01", 9)
    assert caught.value.fix and "01/1" in caught.value.fix
