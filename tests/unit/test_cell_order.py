"""Walk 11 S3, walk 12 S1: a learner who does Run All first sees the measurement printed,
then writes the prediction and runs it and the check: it was graded as a prediction. In a
real IPython shell, the check reads the order the cells ran from the input history: a
prediction set after its measuring cell ran is graded with a note, and neither stands as
the first prediction nor counts as solved. Cell by cell, the reply is as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kernel_helpers as kh
from kernel_helpers.course import checks
from tests.synthetic_results import compute, sizes, startup

NOTE = "this prediction was written after the measurement had printed"


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real IPython shell, its history in memory, with the course imported as ``kh``."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    InteractiveShell.clear_instance()
    ip = InteractiveShell.instance(config=config)
    ip.push({"kh": kh})
    yield ip
    InteractiveShell.clear_instance()


def _run(shell: Any, source: str) -> Any:
    """Run one cell as the notebook kernel does (kept in ``In``); its last value."""
    result = shell.run_cell(source, store_history=True)
    assert result.success, result.error_in_exec or result.error_before_exec
    return result.result


#: Each exercise as its notebook lays it out: the prediction cell (a format with the
#: prediction), the measuring cell (prints what it measured), and the check cell.
EXERCISES = {
    "06 startup": (
        "startup_prediction = {}  # seconds one docker run of hello takes here",
        "result = measured_startup\nprint(result.variants['docker-scratch'].stats)",
        "kh.check_startup_prediction(startup_prediction, result)  # result: the live run above",
        "0.4",  # near the synthetic median: a right answer
    ),
    "08 slowdown": (
        "prediction = {}  # wasm time / native time for fib(35)",
        "compute = measured_compute\nfor name, m in compute.variants.items():\n    print(name, m.stats)",
        'kh.check_slowdown(prediction, compute, "fib")  # exercise 1: against the run above',
        "2.5",
    ),
}


#: 07's sizes cell: it measures, prints the table, and checks exercise 1.
SIZES_CELL = (
    "sizes = measured_sizes\nfor name, size in sorted(sizes.sizes.items()):\n"
    "    print(name, size)\nkh.check_smallest_artifact(lightest_prediction, sizes.sizes)"
)


def _setup(shell: Any) -> None:
    shell.push(
        {"measured_startup": startup("fast-containers"), "measured_compute": compute("wasm-slower")}
    )


@pytest.mark.parametrize("name", EXERCISES)
def test_cell_by_cell_the_prediction_is_graded_without_a_note(shell: Any, name: str) -> None:
    predict, measure, check, answer = EXERCISES[name]
    _setup(shell)
    _run(shell, predict.format(answer))
    _run(shell, measure)
    honest = _run(shell, check)
    assert honest.ok is True and NOTE not in honest.message, honest.text()
    assert checks.FIRST_PREDICTIONS and checks.SOLVED  # it stands, and is solved, as before


@pytest.mark.parametrize("name", EXERCISES)
def test_a_prediction_written_after_run_all_is_graded_with_a_note(shell: Any, name: str) -> None:
    predict, measure, check, answer = EXERCISES[name]
    _setup(shell)
    _run(shell, predict.format("..."))  # Run All: the placeholder,
    _run(shell, measure)  # the measurement, printed,
    assert _run(shell, check).ok is None  # and "not yet"
    _run(shell, predict.format(answer))  # then the prediction, written with it on screen
    late = _run(shell, check)
    assert late.ok is True and late.message.startswith(f"a note first: {NOTE}"), late.text()
    assert "run its cell before the measuring cell" in late.message  # how to predict next time
    assert "you predicted" in late.message  # graded all the same: the lesson is said
    # Not a first prediction that would then stand, nor an exercise done.
    assert not checks.FIRST_PREDICTIONS and not checks.SOLVED
    again = _run(shell, check)  # each later try says it too
    assert again.message.startswith("a note first") and "stands" not in again.message


def test_measuring_again_after_the_late_prediction_does_not_hide_it(shell: Any) -> None:
    """The learner saw the first measurement: running the measuring cell again after
    writing the prediction does not make it a prediction."""
    predict, measure, check, answer = EXERCISES["06 startup"]
    _setup(shell)
    _run(shell, predict.format("..."))
    _run(shell, measure)
    _run(shell, predict.format(answer))
    _run(shell, measure)
    assert _run(shell, check).message.startswith("a note first"), "measured first, then predicted"


def test_a_check_that_measures_in_its_own_cell_notes_the_earlier_run(shell: Any) -> None:
    """07 exercise 1: the sizes cell prints the table and holds the check; with Run All it
    printed the table before the prediction was written."""
    shell.push({"measured_sizes": sizes("fast-containers")})
    check = SIZES_CELL
    _run(shell, "lightest_prediction = ...")
    assert _run(shell, check).ok is None
    _run(shell, 'lightest_prediction = "wasm module"')
    assert _run(shell, check).message.startswith("a note first")


def test_a_check_that_measures_in_its_own_cell_cell_by_cell(shell: Any) -> None:
    shell.push({"measured_sizes": sizes("fast-containers")})
    _run(shell, 'lightest_prediction = "wasm module"')
    honest = _run(shell, SIZES_CELL)
    assert honest.ok is True and NOTE not in honest.message, honest.text()


def test_no_judgement_where_the_history_cannot_tell(shell: Any) -> None:
    """A literal prediction, a magic and a cell that does not parse in the history, a check
    whose measurement is taken in its own cell with nothing printed before the prediction
    (00's exit code), and a direct call with a shell in the process: replies as before."""
    _setup(shell)
    shell.run_cell("result = measured_startup\nthis is not python", store_history=True)
    _run(shell, "result = measured_startup\n%time x = 1")
    literal = _run(shell, "kh.check_startup_prediction(0.05, result)")
    assert NOTE not in literal.message
    checks.FIRST_PREDICTIONS.clear()
    shell.push({"compute": compute("wasm-slower")})  # set by no cell in the history
    _run(shell, "prediction = 2.5")
    assert NOTE not in _run(shell, 'kh.check_slowdown(prediction, compute, "fib")').message
    checks.FIRST_PREDICTIONS.clear()
    argc = (
        'run = kh.run_wasm(kh.BROWSER_CHECK_WAT, ["same bytes"])\n'
        "kh.check_argc_prediction(prediction, run.exit_code)"
    )
    _run(shell, "prediction = ...")
    _run(shell, argc)
    _run(shell, "prediction = 1")
    assert NOTE not in _run(shell, argc).message
    checks.FIRST_PREDICTIONS.clear()
    direct = kh.check_startup_prediction(0.05, startup("fast-containers"))
    assert NOTE not in direct.message
