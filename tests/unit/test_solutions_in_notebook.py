"""The solutions that read a notebook's own variables (07/1, 07/2, 08/1, 10/2) run here
too, against synthetic results with the names the notebook gives them, so they cannot
drift from their checks either (issue 13, item 25)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kernel_helpers as kh
from kernel_helpers.course.checks import IN_NOTEBOOK
from kernel_helpers.course.nb07 import ImagePlatform
from kernel_helpers.course.solutions import all_solutions
from kernel_helpers.report.exports import export_results
from tests.synthetic_results import SETS, all_results, compute, sizes


def run(notebook: str, exercise: int, **names: Any) -> kh.CheckResult:
    solution = kh.solution(notebook, exercise)
    *body, last = solution.code.splitlines()
    namespace: dict[str, Any] = {"kh": kh, **names}
    exec("\n".join(body), namespace)
    result = eval(last, namespace)
    assert isinstance(result, kh.CheckResult)
    return result


@pytest.mark.parametrize("which", SETS)
def test_07_1_predicts_the_lightest_kind(which: str) -> None:
    assert run("07", 1, sizes=sizes(which)).ok is True


def test_07_2_predicts_the_recorded_pull_within_the_factor() -> None:
    from kernel_helpers.bench.pull import recorded_pull

    assert run("07", 2, pull=recorded_pull()).ok is True


@pytest.mark.parametrize("platform", ["linux/amd64", "linux/arm64", "linux/riscv64"])
def test_07_3_counts_the_images_and_artifacts_for_the_machines(platform: str) -> None:
    os_name, arch = platform.split("/")
    found = ImagePlatform("kit-hello-scratch:latest", os_name, arch, "measured")
    assert run("07", 3, platform=found).ok is True


@pytest.mark.parametrize("which", SETS)
def test_08_1_predicts_the_slowdown_within_the_factor(which: str) -> None:
    """A prediction is fixed before the run: right where fib(35) ran near native, as it
    does on the machines measured so far; where the synthetic set makes it 2.6x, the
    same prediction is wrong, and the check says why."""
    verdict = run("08", 1, compute=compute(which))
    if which == "wasm-slower":
        assert verdict.ok is False and verdict.hint
    else:
        assert verdict.ok is True, verdict.text()


def test_10_2_names_the_export(tmp_path: Path) -> None:
    export = export_results("ada", out_dir=tmp_path, results=all_results("slow-containers"))
    assert run("10", 2, export=export).ok is True


def test_09_3_predicts_what_each_layer_blob_does(tmp_path: Path) -> None:
    layout = kh.write_oci_layout(kh.wasm_module("hello", "c").path, tmp_path)
    assert run("09", 3, layout=layout).ok is True


def test_every_in_notebook_solution_is_run_by_a_test() -> None:
    here = {("07", 1), ("07", 2), ("07", 3), ("08", 1), ("09", 3), ("10", 2)}
    elsewhere = {("06", 1), ("06", 2)}  # test_exercises_06_11 runs them on the recorded run
    needing = {key for key, s in all_solutions().items() if s.needs == IN_NOTEBOOK}
    assert needing == here | elsewhere
