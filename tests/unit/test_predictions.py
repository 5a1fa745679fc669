"""Walk S1: a predict-then-measure check graded a far guess wrong and stated the measured
value, so the second try was a copy of it, graded right. Now the first prediction graded
against the measurement is the answer: the reply says how far it landed and the lesson
that explains the gap, and a prediction changed after that reply is not graded afresh."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers.bench.results import as_result
from kernel_helpers.course.checks import grade_prediction
from tests.conftest import need
from tests.unit.harness_json_results import FAST_CONTAINERS, SIZES_SCRATCH, startup_result
from tests.unit.test_exercises_00_05 import Sizes  # stripped sizes, as language_sizes() gives

ADD_AND_SUB = """(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "sub") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub))"""
#: A ``docker run`` measured at tens of milliseconds (the synthetic fast set).
FAST = as_result(startup_result(FAST_CONTAINERS))


def _median_s() -> float:
    return float(FAST.variants["docker-scratch"].stats.median_s)


def test_a_far_first_prediction_gets_its_distance_and_the_lesson() -> None:
    far = kh.check_startup_prediction(_median_s() * 30, FAST)  # the seconds people remember
    assert far.ok is False, far.text()
    assert "30 times too high" in far.message, far.text()
    assert "median of" in far.message  # the measurement, stated: the grade is already given
    assert "far from the claim's several seconds" in far.message  # the lesson's key fact
    assert far.hint and "pulled" in far.hint, far.text()  # what the guess likely counted


def test_a_close_first_prediction_is_a_good_instinct() -> None:
    close = kh.check_startup_prediction(_median_s() * 1.5, FAST)
    assert close.ok is True and "within 50% of the measurement (a good instinct)" in close.message


def test_the_measured_value_copied_after_the_reveal_is_not_a_fresh_right_answer() -> None:
    far = kh.check_startup_prediction(_median_s() * 30, FAST)
    assert far.ok is False
    copied = kh.check_startup_prediction(_median_s(), FAST)  # read off the reply above
    assert copied.ok is False, copied.text()
    assert "first prediction" in copied.message and "stands" in copied.message, copied.text()
    assert "30 times too high" in copied.message  # still the first one's distance
    again = kh.check_startup_prediction(_median_s() * 30, FAST)  # the same cell, run again
    assert again.ok is False and "stands" not in again.message


def test_a_copied_exit_code_does_not_pass_either() -> None:
    """The exact-answer predictions (00, 11) follow the same rule."""
    measured = kh.run_wasm(kh.BROWSER_CHECK_WAT, ["same bytes"]).exit_code
    first = kh.check_argc_prediction(measured + 1, measured)
    assert first.ok is False and "1 too high" in first.message
    assert "still one argument" in first.message  # the lesson, said with the distance
    copied = kh.check_argc_prediction(measured, measured)
    assert copied.ok is False and "stands" in copied.message, copied.text()
    assert kh.check_exit_prediction(5, 1).ok is False
    assert kh.check_exit_prediction(1, 1).ok is False


def test_a_reply_that_could_not_grade_fixes_no_prediction() -> None:
    """A guess the check could not use, or no measurement yet, reveals nothing: the next
    prediction is still the first."""
    unusable = kh.check_startup_prediction("soon", FAST)
    assert unusable.ok is False and "stands" not in unusable.message
    no_sub = kh.check_what_grows({"type"}, '(module (func (export "add")))')
    assert no_sub.ok is False and "grew" not in no_sub.message, no_sub.text()
    assert kh.check_what_grows({"code"}, ADD_AND_SUB).ok is False  # still graded: the first
    graded = kh.check_startup_prediction(_median_s(), FAST)
    assert graded.ok is True and "stands" not in graded.message, graded.text()


def test_a_changed_prediction_of_each_exercise_is_kept_apart() -> None:
    """One exercise's first prediction does not stand for another's."""
    measured = kh.run_wasm(kh.BROWSER_CHECK_WAT, ["same bytes"]).exit_code
    assert kh.check_argc_prediction(measured, measured).ok is True
    assert kh.check_startup_prediction(_median_s(), FAST).ok is True


@pytest.mark.parametrize(
    ("given", "words"),
    [
        (10.0, "10 times too high"),
        (0.1, "10 times too low"),
        (2.0, "2.0 times too high"),
        (1.5, "about 50% too high"),
        (0.8, "about 20% too low"),
        # Walk 13, 03 ex. 2: "you predicted 1.2×, 1.2 times too high" read as a typo.
        (1.3, "about 30% too high"),
    ],
)
def test_the_distance_is_said_in_times_or_under_2_times_in_percent(
    given: float, words: str
) -> None:
    reply = grade_prediction(
        given,
        1.0,
        said=lambda x: f"{x:g}",
        measurement="Measured 1",
        lesson="The lesson.",
        missed=("too high: what you missed", "too low: what you missed"),
        factor=1.2,
    )
    assert reply.ok is False and words in reply.message and "The lesson." in reply.message
    assert reply.hint and reply.hint.startswith("too " + words.split()[-1])


def test_a_close_prediction_says_how_close_in_percent_not_times() -> None:
    """Walk 20, S5: "you predicted 1.1×, within 1.1× of the measurement" used one sign for
    the size ratio and for the closeness, and read like a typo. A close guess now says how
    close in percent, as a miss under 2 times does, for every prediction exercise."""
    hello, sha256 = Sizes(c=3_254, go=2_549_708), Sizes(c=29_674, go=2_588_077)  # walk 20's
    reply = kh.check_go_growth_prediction(1.1, sha256, hello)  # measured 1.02×
    assert reply.ok is True, reply.text()
    assert "you predicted 1.1×, within 9% of the measurement (a good instinct)" in reply.message
    assert "× of the measurement" not in reply.message
    below = grade_prediction(
        0.6, 1.0, said=str, measurement="Measured 1", lesson="L.", missed=("h", "l")
    )
    assert below.ok is True and "within 40% of the measurement" in below.message


# --- 02, 05 and 09: predictions of what a run does, not how long it takes ---------------


def test_a_status_written_after_the_reveal_is_not_graded_as_new() -> None:
    """Notebook 02's reply states what the host did with 300: copied, it was a right answer."""
    need(kh.find_toolchain("c") is not None, "no C compiler for wasm32-wasi")
    returns_300 = kh.source_path("hello", "c").read_text().replace("return 0;", "return 300;")
    first = kh.check_status_prediction(44, returns_300)  # what a Linux process reports
    assert first.ok is False and "0-125" in first.message, first.text()  # the lesson, said
    copied = kh.check_status_prediction("error", returns_300)
    assert copied.ok is False and "stands" in copied.message, copied.text()
    assert "you predicted 44" in copied.message  # the first one, graded again


def test_endings_written_after_the_reveal_are_not_graded_as_new() -> None:
    """Notebook 05's reply states what ended each guest: copied, it was a right answer."""
    first = kh.check_limit_prediction(
        {"loop": "timeout", "bomb": "max_memory", "trap": "trap", "flood": "output_limit"}
    )
    assert first.ok is False and "2 of 4" in first.message, first.text()
    assert "Each limit caps one resource" in first.message  # the lesson, said with the miss
    measured = dict(re.findall(r"(\w+): (\w+), (?:you predicted|as you)", first.message))
    assert set(measured) == {"loop", "bomb", "trap", "flood"}, first.text()
    copied = kh.check_limit_prediction(measured)
    assert copied.ok is False and "stands" in copied.message, copied.text()
    assert "2 of 4" in copied.message  # the first one, graded again


def test_layer_runs_written_after_the_reveal_are_not_graded_as_new(tmp_path: Path) -> None:
    """Notebook 09's reply states which layer ran: copied, it was a right answer. The tidy-up
    cell then counts the exercise done: its first prediction stands, nothing is left to try."""
    layout = kh.write_oci_layout(kh.wasm_module("hello", "c").path, tmp_path)
    assert kh.exercises_still_open(kh.check_layer_prediction)
    first = kh.check_layer_prediction({"image": True, "artifact": True}, layout)
    assert first.ok is False and "the image's layer does not run" in first.message, first.text()
    assert "a shim unpacks it first" in first.message  # the lesson, said with the miss
    copied = kh.check_layer_prediction({"image": False, "artifact": True}, layout)
    assert copied.ok is False and "stands" in copied.message, copied.text()
    assert kh.exercises_still_open(kh.check_layer_prediction) == []


def test_a_reply_that_ran_nothing_fixes_no_layer_prediction(tmp_path: Path) -> None:
    """With the layout's folder gone (the tidy-up ran), nothing was measured: the next
    prediction is still the first, and the exercise is still open."""
    gone = kh.check_layer_prediction({"image": True, "artifact": True}, tmp_path / "gone")
    assert gone.ok is None and kh.exercises_still_open(kh.check_layer_prediction)
    layout = kh.write_oci_layout(kh.wasm_module("hello", "c").path, tmp_path / "layout")
    graded = kh.check_layer_prediction({"image": False, "artifact": True}, layout)
    assert graded.ok is True and "stands" not in graded.message, graded.text()


def test_a_lightest_kind_written_after_the_reveal_is_not_graded_as_new() -> None:
    """Notebook 07's first exercise: its reply names the lightest artifact measured."""
    first = kh.check_smallest_artifact("native binary", SIZES_SCRATCH)
    assert first.ok is False and "lightest" in first.message, first.text()
    assert "The lightest, a wasm module, carries" in first.message  # the lesson, said
    copied = kh.check_smallest_artifact("wasm module", SIZES_SCRATCH)
    assert copied.ok is False and "stands" in copied.message, copied.text()
    unusable = kh.check_smallest_artifact("hello.c.wasm", SIZES_SCRATCH)  # a name, not a kind
    assert unusable.ok is False and "stands" in unusable.message  # the first one still stands


def test_go_growth_written_after_the_reveal_is_not_a_good_instinct() -> None:
    """Walk 18, S1: 1.2× graded against a measured 1.02×, then 1.05× (read off that reply)
    in the same kernel: the first stands, and the second is not praised as an instinct."""
    hello = Sizes(c=3_254, go=2_549_708)
    sha256 = Sizes(c=29_674, go=2_588_077)
    first = kh.check_go_growth_prediction(1.2, sha256, hello)
    assert first.ok is False and "about 18% too high" in first.message, first.text()
    changed = kh.check_go_growth_prediction(1.05, sha256, hello)
    assert changed.ok is False, changed.text()
    assert "your first prediction, 1.2, stands" in changed.message, changed.text()
    assert "good instinct" not in changed.message
