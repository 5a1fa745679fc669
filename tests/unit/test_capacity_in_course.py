"""Notebook 07's "Where the seconds are" and "How many fit" (issue 27): the prediction
exercise's grader, the sentences computed from a result, the two renderers (recorded rows
marked), the commands shown to the learner, and prose that states no measured number."""

from __future__ import annotations

import itertools
import json
import math
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import matplotlib.colors
import pytest

import kernel_helpers as kh
from kernel_helpers.bench.density import (
    DensityResult,
    DensityRow,
    format_per_gib,
    format_times_as_many,
    instances_per_gib,
    recorded_density,
)
from kernel_helpers.bench.pull import PullResult, PullRow, recorded_pull
from kernel_helpers.containers.shaped_link import LinkNames, LinkSettings, shape_command
from kernel_helpers.course.nb07_capacity import (
    PullParts,
    density_story,
    link_commands,
    pull_story,
)
from kernel_helpers.report.capacity import density_figure, pull_figure
from kernel_helpers.report.plots import MOST_HEIGHT_IN

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "07-size-and-portability.ipynb"


def pull_result(median_s: float, size: int = 360_000, *, recorded: bool = False) -> PullResult:
    """A pull result of one scratch row whose samples centre on ``median_s``."""
    row = PullRow("docker-scratch", size, 11, (median_s * 0.9, median_s, median_s * 1.1),
                  median_s * 0.7, median_s * 1.1)  # fmt: skip
    machine = {"machine": "a test machine", "date": "2026-01-02"} if recorded else None
    return PullResult(LinkSettings(50, 20), {"docker-scratch": row}, {}, machine)


# --- the exercise ---------------------------------------------------------------------------


def test_a_prediction_within_a_factor_of_two_is_right_and_says_where_the_time_went() -> None:
    verdict = kh.check_pull_prediction(0.8, pull_result(1.0))
    assert verdict.ok is True
    assert "round trips" in verdict.text() and "measured" in verdict.text()


def test_the_bytes_alone_are_too_short_and_the_hint_names_round_trips() -> None:
    pull = pull_result(1.0)
    bytes_alone = 360_000 * 8 / 50e6
    verdict = kh.check_pull_prediction(bytes_alone, pull)
    assert verdict.ok is False and verdict.hint is not None
    assert "round trip" in verdict.hint


def test_too_long_a_prediction_is_told_where_the_time_went() -> None:
    verdict = kh.check_pull_prediction(30, pull_result(1.0))
    assert verdict.ok is False and verdict.hint and "Where it went" in verdict.hint


def test_a_prediction_that_is_no_number_gets_a_clear_message() -> None:
    verdict = kh.check_pull_prediction("soon", pull_result(1.0))
    assert verdict.ok is False and "number of seconds" in verdict.text()


def test_the_placeholder_is_not_yet_an_answer() -> None:
    assert kh.check_pull_prediction(..., pull_result(1.0)).ok is None


def test_against_recorded_data_the_grader_says_so() -> None:
    verdict = kh.check_pull_prediction(1.0, pull_result(1.0, recorded=True))
    assert verdict.ok is True and "recorded (not measured here)" in verdict.text()


def test_the_solution_is_right_against_the_recorded_run() -> None:
    code = kh.solution("07", 2).code
    prediction = eval(re.search(r"^prediction = (.*?)  #", code, re.M)[1])  # type: ignore[index]
    assert kh.check_pull_prediction(prediction, recorded_pull()).ok is True


# --- sentences computed from the result -----------------------------------------------------


def test_the_pull_story_changes_with_the_data_and_quotes_it() -> None:
    slow, fast = str(pull_story(pull_result(2.0))), str(pull_story(pull_result(0.5)))
    assert slow != fast
    assert "2 s" in slow and "500 ms" in fast  # the medians, formatted as the table does
    assert "360 KB" in slow  # the bytes that crossed


def test_the_pull_story_judges_the_download_guess_per_image_from_the_run() -> None:
    """Walk 7, S19: whether "mostly the download" held is computed per variant: the link's
    part (bytes at the rate, round trips at the RTT) against half of the estimate."""
    small = str(pull_story(pull_result(1.0)))  # 57.6 ms of bytes + 220 ms of round trips
    assert 'The guess "mostly the download" does not hold for docker-scratch' in small
    assert "278 ms, 28% of the estimate (not more than half)" in small
    big = str(pull_story(pull_result(1.0, size=5_000_000)))  # 800 ms of bytes
    assert 'The guess "mostly the download" holds for docker-scratch' in big


def walk13_pull() -> PullResult:
    """Walk 13's docker-scratch: 57.6 ms of bytes, 240 ms of round trips, 315 ms of work
    with no link, an estimate of 613 ms and a median of 515 ms below it."""
    row = PullRow("docker-scratch", 360_000, 12, (0.49, 0.515, 0.53), 0.315, 0.6126)
    return PullResult(LinkSettings(50, 20), {"docker-scratch": row}, {}, None)


def test_the_parts_are_shares_of_the_estimate_and_add_up_to_all_of_it() -> None:
    """Walk 13: the link's part was given as 58% of the median and the work with no link
    as its largest part: as shares of the median the parts added up to 119%."""
    pull = walk13_pull()
    parts = PullParts.of(pull.rows["docker-scratch"], pull.link)
    shares = [parts.share(p) for p in (parts.rate_s, parts.trips_s, parts.floor_s)]
    assert sum(shares) == pytest.approx(1.0)
    assert sum(parts.percents) == 100 and parts.percents == (9, 39, 52)
    assert not parts.mostly_the_download  # 298 ms of 613 ms: under half
    story = str(pull_story(pull))
    assert (
        "its estimate, 613 ms, is 57.6 ms for the link's rate (360 KB at 50 Mbit/s, 9%), "
        "240 ms for the link's 12 round trips at 20 ms (39%) and 315 ms for the pull + run "
        "with no link (52%); the measured median of 3 samples, 515 ms, is 97.6 ms (16%) "
        "below it." in story
    )
    assert "58%" not in story and "of its 515 ms" not in story


def test_the_check_and_the_story_say_the_same_of_the_guess_with_the_same_numbers() -> None:
    """Walk 13: the story said the guess held, the check that the link's rate hardly
    mattered; both now grade the guess on the estimate and keep the rate and the round
    trips apart."""
    pull = walk13_pull()
    guess = (
        'The guess "mostly the download" does not hold for docker-scratch (measured): the '
        "link's part, its rate and its round trips, is 298 ms, 48% of the estimate (not more "
        "than half); of it the round trips weigh most (39% against the rate's 9%): a nearer "
        "registry would save more than a faster link."
    )
    assert guess in str(pull_story(pull))
    checked = kh.check_pull_prediction(0.8, pull).text()
    assert guess in checked and "its estimate, 613 ms" in checked
    assert "hardly matters" not in checked
    assert "97.6 ms (16%) below it" in checked
    above = replace(pull.rows["docker-scratch"], samples_s=(0.7, 0.72, 0.75))
    said = str(pull_story(replace(pull, rows={"docker-scratch": above})))
    assert "720 ms, is 107 ms (18%) above it" in said


def test_the_pull_check_reports_the_samples_it_judged_and_the_machine_s_load() -> None:
    """Walk 7, S18: the check names the stored samples it judged against and how busy the
    machine was while they were taken; a pull saved without the load still checks."""
    pull = pull_result(1.0)
    quiet = replace(pull, machine={"cores": 2, "load_average": [0.5, 0.4, 0.3]})
    busy = replace(
        pull, machine={"cores": 2, "load_average": [1.0, 1, 1], "load_average_end": [5.0, 2, 1]}
    )
    # Plain text drops Markdown's backticks (walk 8, S3); the HTML view shows `pull` as code.
    assert "median of the 3 samples in pull" in kh.check_pull_prediction(1.0, pull).text()
    assert "<code>pull</code>" in kh.check_pull_prediction(1.0, pull).html()
    assert "not busy" in kh.check_pull_prediction(1.0, quiet).text()
    said = kh.check_pull_prediction(0.2, busy).text()
    assert "busy machine: load average up to 5.0 on 2 cores" in said
    assert "load average" not in kh.check_pull_prediction(1.0, pull).text()
    assert PullResult.from_json(busy.to_json()).machine == busy.machine


def test_the_pull_story_says_recorded_for_recorded_rows() -> None:
    assert "recorded median" in str(pull_story(pull_result(1.0, recorded=True)))


def density_result(wasm_bytes: int, container_bytes: int) -> DensityResult:
    return DensityResult({
        "wasm-instance": DensityRow("wasm-instance", 200, wasm_bytes, "PSS growth"),
        "container": DensityRow("container", 8, container_bytes, "cgroup + shim", "recorded"),
    })  # fmt: skip


#: Walk 11, S8: 14.3 KB against 4.67 MB. A floored per-GiB column showed 75,008 and 229,
#: so a reader got 327.5 where the sentence said 326.
WALK_11_SIZES = (14_315, 4_670_000)
#: A container of 10.9 MB: 99 per GiB as printed, 98.51 unrounded, so 75,000 / 99 is 757.6
#: where the unrounded ratio is 761.4.
PRINTED_ROUNDING_SIZES = (14_315, 10_900_000)
#: Walk 24, S2: 14.3 KB against 4.75 MB, 75,000 and 230 per GiB: "326 times" from the
#: rounded counts where the sizes each give 332.
WALK_24_SIZES = (14_300, 4_750_000)
PER_GIB_CELL = re.compile(r"^(wasm-instance|container)\s+\d+\s+(\S+ \S+)\s+([\d,.]+)", re.M)
EACH_AND_PER_GIB = re.compile(r"^(\S+ \S+) each, ([\d,.]+) per GiB")
TIMES_AS_MANY = re.compile(r"about ([\d,.]+)(?:×| times) as many")
BYTES_PER = {"KB": 1e3, "MB": 1e6, "GB": 1e9}


def _band(printed: str, digits: int) -> tuple[float, float]:
    """The values a number printed to ``digits`` significant digits can stand for:
    "230" (two) is 225-235, "4.75" (three) is 4.745-4.755."""
    value = float(printed.replace(",", ""))
    half = 0.5 * 10 ** (math.floor(math.log10(value)) - digits + 1)
    return value - half, value + half


def _quotient(top: tuple[float, float], bottom: tuple[float, float]) -> tuple[float, float]:
    return top[0] / bottom[1], top[1] / bottom[0]


def _in_bytes(size: str) -> tuple[float, float]:
    """A size as format_bytes prints it ("14.3 KB": three digits), as a band of bytes."""
    number, unit = size.split()
    low, high = _band(number, 3)
    return low * BYTES_PER[unit], high * BYTES_PER[unit]


def _agrees(said: str, shown: dict[str, tuple[str, str]]) -> bool:
    """Whether the "times as many" figure said, to its two digits, agrees within rounding
    with both printed columns: the per-GiB counts (two digits) divided, and the sizes each
    (three digits) divided the other way. ``shown``: each row's (size each, per GiB)."""
    ratio = _band(said, 2)
    wasm, container = shown["wasm-instance"], shown["container"]
    per_gib = _quotient(_band(wasm[1], 2), _band(container[1], 2))
    each = _quotient(_in_bytes(container[0]), _in_bytes(wasm[0]))
    return all(ratio[0] <= col[1] and col[0] <= ratio[1] for col in (per_gib, each))


SIZES = [
    WALK_11_SIZES,
    PRINTED_ROUNDING_SIZES,
    WALK_24_SIZES,
    (10_000, 3_000_000),
    (9_871, 2_345_678),
]


@pytest.mark.parametrize("sizes", SIZES)
def test_07_s_times_as_many_sentence_agrees_with_both_printed_columns(
    sizes: tuple[int, int],
) -> None:
    result = density_result(*sizes)
    shown = {name: (each, per_gib) for name, each, per_gib in PER_GIB_CELL.findall(result.text())}
    said = TIMES_AS_MANY.search(str(density_story(result)))
    assert said is not None and _agrees(said[1], shown), (said, shown)


@pytest.mark.parametrize("sizes", SIZES)
def test_10_s_times_as_many_sentence_agrees_with_both_printed_columns(
    sizes: tuple[int, int],
) -> None:
    from kernel_helpers.report.page import add_density
    from kernel_helpers.report.verdicts import Verdict

    verdict = Verdict("Size", "claim")
    add_density(verdict, density_result(*sizes).to_json())
    shown = {
        what.rsplit(", ", 1)[1]: EACH_AND_PER_GIB.search(measured).groups()  # type: ignore[union-attr]
        for what, _, measured in verdict.rows
    }
    said = TIMES_AS_MANY.search(" ".join(verdict.sentences))
    assert said is not None and _agrees(said[1], shown), (said, shown)


def test_the_times_as_many_ratio_comes_from_the_unrounded_sizes() -> None:
    """Walk 24, S2: 75,000 / 230 = 326 beside 4.75 MB / 14.3 KB = 332. From the unrounded
    sizes, to the counts' two digits, it is 330 in 07's story and 10's Size verdict."""
    from kernel_helpers.report.page import add_density
    from kernel_helpers.report.verdicts import Verdict

    result = density_result(*WALK_24_SIZES)
    assert "about 330 times as many wasm instances" in str(density_story(result))
    verdict = Verdict("Size", "claim")
    add_density(verdict, result.to_json())
    assert "about 330× as many instances fit in a GiB" in " ".join(verdict.sentences)
    assert format_times_as_many(4.58) == "4.6" and format_times_as_many(761.4) == "760"


#: Walk 15, S4: 07 and 10 printed "131.6", "234.2", "97.38" per GiB, the figure 132, 234, 97.
WALK_15_BYTES = {"wasm-instance": 14_315, "wasmtime-process": 4_584_722,
                 "containerd-wasmtime": 8_159_132, "container": 11_026_308}  # fmt: skip


def test_a_per_gib_count_prints_the_same_in_table_sentences_and_figure() -> None:
    """Whole instances to two significant digits, and one text per row wherever the row's
    count is printed: 07's table, its story, its figure, 10's rows."""
    from kernel_helpers.report.page import add_density
    from kernel_helpers.report.verdicts import Verdict

    result = DensityResult(
        {n: DensityRow(n, 20, size, "a method") for n, size in WALK_15_BYTES.items()}
    )
    expected = {"wasm-instance": "75,000", "wasmtime-process": "230",
                "containerd-wasmtime": "130", "container": "97"}  # fmt: skip
    table = {
        m[1]: m[2]
        for m in re.finditer(r"^([\w-]+)\s+\d+\s+\S+ \S+\s+([\d,.]+)", result.text(), re.M)
    }
    story = {n: re.search(rf"{n}: .*?about ([\d,.]+) in one GiB", str(density_story(result)))[1]  # type: ignore[index]
             for n in result.rows}  # fmt: skip
    right = density_figure(result).axes[1]
    figure = dict(zip(result.rows, (t.get_text().strip() for t in right.texts), strict=True))
    verdict = Verdict("Size", "claim")
    add_density(verdict, result.to_json())
    rows = {what.rsplit(", ", 1)[1]: re.search(r"each, ([\d,.]+) per GiB", measured)[1]  # type: ignore[index]
            for what, _, measured in verdict.rows}  # fmt: skip
    assert table == story == figure == rows == expected


#: Walk 23, S5: "about 97.6 in one GiB" was still a fraction of a container, and "about
#: 75,139" gave five digits from one run of a thousand instances.
@pytest.mark.parametrize(
    ("size", "shown"),
    [(14_291, "75,000"), (11_000_000, "98"), (4_584_722, "230"), (234_567_890, "5")],
)
def test_a_per_gib_count_is_whole_and_two_digits_deep(size: int, shown: str) -> None:
    result = DensityResult({"container": DensityRow("container", 8, size, "a method")})
    assert f"about {shown} in one GiB" in str(density_story(result))
    assert format_per_gib(instances_per_gib(size)) == shown


def test_the_density_story_computes_the_ratio_and_marks_recorded_rows() -> None:
    story = str(density_story(density_result(10_000, 3_000_000)))
    # 3,000,000 / 10,000 bytes: 300 (the counts as printed, 110,000 / 360, give 306).
    assert "about 300 times as many wasm instances" in story
    assert "(recorded)" in story and "(measured here)" in story
    assert story != str(density_story(density_result(20_000, 3_000_000)))


def test_the_density_story_says_why_an_instance_weighs_less_than_its_memory() -> None:
    """Walk 8, S8: "14.3 KB each" beside notebook 02's 131,072 bytes of memory at start,
    with nothing said about pages that are reserved but never touched."""
    from kernel_helpers.bench.density import _instances_row

    hello = kh.wasm_module("hello", "c").path
    row = _instances_row("wasm-instance", hello, 20)  # real instances, a real PSS
    pages = kh.read_module(hello).memories[0].minimum
    assert row.declared_memory_bytes == pages * 65536
    assert DensityRow.from_json(row.name, row.to_json(), "measured") == row
    light = replace(row, bytes_per_instance=14_300, declared_memory_bytes=131_072)
    story = str(density_story(DensityResult({row.name: light})))
    assert (
        f"the module declares {kh.format_bytes(131_072)} of linear memory at start (2 pages of "
        f"64 KiB), yet an instance weighs {kh.format_bytes(14_300)}" in story
    )
    assert "a page RAM only when the program first touches it" in story and "PSS" in story
    heavy = replace(light, bytes_per_instance=200_000)  # nothing to explain
    assert "declares" not in str(density_story(DensityResult({row.name: heavy})))
    unknown = replace(light, declared_memory_bytes=None)  # a result saved before it was kept
    assert "declares" not in str(density_story(DensityResult({row.name: unknown})))


def test_skipped_variants_take_the_recorded_row_marked() -> None:
    live = DensityResult(
        {"wasm-instance": DensityRow("wasm-instance", 200, 14_000, "PSS growth")},
        skipped={"container": "no Docker here"},
    )
    filled = live.with_recorded(recorded_density())
    assert filled.rows["container"].recorded and not filled.rows["wasm-instance"].recorded
    assert filled.recorded is not None and "no Docker here" in filled.recorded["why"]
    assert "(recorded)" in filled.text() and "not measured here" in filled.text()
    assert not filled.skipped
    # Why, in the table itself: the reason went into the result and never printed, so a
    # recorded row in a live run (07 under load) said nothing of what went wrong.
    assert "not measured here: container: no Docker here" in " ".join(filled.text().split())


#: Walk 19, S2: what 07 printed when Docker answered but one container did not start.
STOPPED_PROCESS = (
    "Docker could not start a density container: cannot start a stopped process: unknown"
)


def _with_recorded_container(why: str, *, failed_here: bool) -> DensityResult:
    live = DensityResult(
        {"wasm-instance": DensityRow("wasm-instance", 200, 14_000, "PSS growth")},
        skipped={"container": why},
        failed_here={"container"} if failed_here else set(),
    )
    return live.with_recorded(recorded_density())


def test_a_row_this_run_tried_and_failed_says_so_before_the_recording_and_to_retry() -> None:
    """Walk 19, S2: "recorded rows: AMD EPYC, ..., not measured here: container: Docker could
    not start ..." read as if the recording had met the error, and said nothing of a rerun."""
    filled = _with_recorded_container(STOPPED_PROCESS, failed_here=True)
    recorded = filled.recorded or {}
    text = " ".join(filled.text().split())
    tried = text.index(f"container: this run tried to measure it and failed: {STOPPED_PROCESS}.")
    shown = text.index(
        f"The container row shown is the one recorded on {recorded['machine']}, "
        f"{recorded['date']}, not measured here."
    )
    retry = text.index("run this cell again to retry.")
    assert tried < shown < retry
    assert "recorded rows:" not in text  # the failure is this run's, not the recording's
    again = DensityResult.from_json(filled.to_json())  # as notebook 10 reads it back
    assert again.failed_here == {"container"} and again.why_recorded == filled.why_recorded


def test_a_row_recorded_for_want_of_docker_keeps_its_wording_and_asks_no_rerun() -> None:
    filled = _with_recorded_container("no daemon answered here", failed_here=False)
    text = " ".join(filled.text().split())
    assert (
        "recorded rows: " in text
        and "not measured here: container: no daemon answered here" in text
    )
    assert "tried" not in text and "again" not in text


def test_a_failure_with_docker_answering_is_told_apart_from_docker_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What decides the two wordings above: the error's type, carried into the result."""
    from kernel_helpers._errors import AttemptFailed
    from kernel_helpers.bench import density

    monkeypatch.setenv("KIT_DOCKER", "off")  # the real path of a machine without Docker
    missing = density.run_density(variants=["container"])
    assert "container" in missing.skipped and not missing.failed_here

    def refused(_native: Path, _count: int) -> DensityRow:
        raise AttemptFailed(STOPPED_PROCESS)  # what _start raises for the daemon's refusal

    monkeypatch.setattr(density, "_containers_row", refused)
    failed = density.run_density(variants=["container"])
    assert failed.skipped == {"container": STOPPED_PROCESS} and failed.failed_here == {"container"}
    assert "measure again to retry" in failed.text()


def test_a_start_retried_once_says_so_under_the_table() -> None:
    row = DensityRow("container", 50, 3_000_000, "cgroup + shim", retried=STOPPED_PROCESS)
    text = " ".join(DensityResult({"container": row}).text().split())
    assert (
        f"container: one container did not start at first ({STOPPED_PROCESS}); the kit "
        "retried it once, it started, and the row is measured here." in text
    )
    assert DensityRow.from_json("container", row.to_json(), "measured") == row
    assert "retried" not in DensityResult({"container": replace(row, retried=None)}).text()


def test_every_density_sentence_on_a_recorded_figure_says_so_in_that_sentence() -> None:
    """Walk 19, S2: "One GiB holds about 212 times as many ..." stood on a recorded container
    row; only a later sentence said "(recorded rows among them)"."""
    result = density_result(10_000, 3_000_000)  # the container row recorded
    result.rows["containerd-wasmtime"] = DensityRow("containerd-wasmtime", 8, 7_000_000, "shim")
    wasm = result.rows["wasm-instance"]
    result.rows["wasm-instance"] = replace(wasm, declared_memory_bytes=131_072)
    sentences = density_story(result).sentences
    container_said = " (the container figure is recorded, not measured here)"
    for sentence in sentences:
        if "3.00 MB" in sentence or "times as many" in sentence:
            assert container_said in sentence or "(recorded)" in sentence, sentence
    declared = next(s for s in sentences if "declares" in s)
    assert "recorded" not in declared  # measured here: no mark
    both = replace(
        result,
        rows={
            **result.rows,
            "wasm-instance": replace(result.rows["wasm-instance"], source="recorded"),
        },
    )
    said = density_story(both).sentences
    ratio = next(s for s in said if "times as many" in s)
    assert "(the wasm-instance and container figures are recorded, not measured here)" in ratio
    declared = next(s for s in said if "declares" in s)
    assert "(the wasm-instance figure is recorded, not measured here)" in declared


def test_the_recorded_density_has_every_variant_and_its_method() -> None:
    recorded = recorded_density()
    assert set(recorded.rows) == set(kh.DENSITY_VARIANTS)
    assert all(row.recorded and row.method and row.per_gib > 0 for row in recorded.rows.values())
    assert recorded.recorded and recorded.recorded["machine"] and recorded.recorded["date"]


# --- the renderers --------------------------------------------------------------------------


def hatched(figure: Any) -> int:
    return sum(
        1
        for ax in figure.axes
        for artist in [*ax.patches, *ax.collections]
        if getattr(artist, "get_hatch", lambda: None)()
    )


def test_the_pull_figure_marks_recorded_rows_and_fits_the_lab() -> None:
    live, recorded = pull_figure(pull_result(1.0)), pull_figure(recorded_pull())
    assert hatched(live) == 0 and hatched(recorded) >= len(recorded_pull().rows)
    legend = " ".join(t.get_text() for t in recorded.axes[0].get_legend().get_texts())
    assert "recorded on" in legend and "not measured here" in legend
    assert max(f.get_size_inches()[1] for f in (live, recorded)) <= MOST_HEIGHT_IN


def test_the_pull_figure_reads_its_axes_in_seconds_and_bytes_not_powers_of_ten() -> None:
    figure = pull_figure(pull_result(1.0))
    figure.canvas.draw()  # tick labels exist once drawn
    ax = figure.axes[0]
    seconds = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    sizes = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"1 ms", "10 ms", "100 ms", "1 s", "10 s"} <= set(seconds), seconds
    assert "10 KB" in sizes and "1 MB" in sizes, sizes
    assert not any("10^" in t or "mathdefault" in t for t in seconds + sizes)


def test_each_estimate_sits_at_its_measurement_bytes() -> None:
    """The x axis is bytes: an estimate drawn anywhere else reads as another image size."""
    ax = pull_figure(pull_result(1.0, size=360_000)).axes[0]
    points = [tuple(xy) for c in ax.collections for xy in c.get_offsets() if xy[0] > 0]
    assert (360_000, pytest.approx(1.1)) in points  # the estimate, at the measured bytes
    assert all(x == 360_000 for x, _ in points), points


def test_a_slider_moves_the_bytes_alone_line() -> None:
    result = pull_result(1.0)
    lines = [
        pull_figure(result, LinkSettings(rate, 20)).axes[0].lines[0].get_ydata()[0]
        for rate in (10, 100)
    ]
    assert lines[0] == pytest.approx(lines[1] * 10)


def test_the_density_figure_marks_recorded_rows_and_fits_the_lab() -> None:
    figure = density_figure(recorded_density())
    assert hatched(figure) == 2 * len(kh.DENSITY_VARIANTS)  # both panels
    assert figure.get_size_inches()[1] <= MOST_HEIGHT_IN
    live = density_figure(density_result(10_000, 3_000_000))
    assert hatched(live) == 2  # the container row, in both panels


def test_the_pull_figure_draws_every_measured_point_in_06_s_strong_colours() -> None:
    """Walk 7, S21: the measured docker-scratch point was pale pink, read as greyed out or
    recorded. Each variant now takes its kind's colour from 06's key, and the key says so."""
    from kernel_helpers.report.plots import KIND_COLOURS

    ax = pull_figure(pull_result(1.0)).axes[0]
    dots = [c for c in ax.collections if len(c.get_offsets()) and c.get_facecolor().size]
    assert dots and all(
        tuple(dot.get_facecolor()[0]) == matplotlib.colors.to_rgba(KIND_COLOURS["image"])
        for dot in dots
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Linux container image" in legend


def test_the_density_figure_has_06_s_key_and_colours() -> None:
    """Walk 7, S22: no legend, "wasmtime-process" in 06's colour for OCI artifacts and
    "containerd-wasmtime" in a colour used nowhere else. Now: 06's palette, with its key."""
    from kernel_helpers.report.capacity import DENSITY_COLOURS
    from kernel_helpers.report.plots import KIND_COLOURS

    assert DENSITY_COLOURS["wasmtime-process"] == KIND_COLOURS["wasm"]
    assert DENSITY_COLOURS["containerd-wasmtime"] == KIND_COLOURS["oci-wasm"]
    assert set(DENSITY_COLOURS.values()) <= set(KIND_COLOURS.values())
    live = density_figure(density_result(10_000, 3_000_000))
    key = [t.get_text() for legend in live.legends for t in legend.get_texts()]
    assert "wasm module" in key and "grey, hatched: recorded" in key
    assert live.get_size_inches()[1] <= MOST_HEIGHT_IN


def test_the_density_tick_labels_do_not_run_into_each_other() -> None:
    figure = density_figure(recorded_density())
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for axis in figure.axes:
        boxes = [
            t.get_window_extent(renderer)
            for t in axis.get_xticklabels()
            if t.get_text() and t.get_visible()
        ]
        boxes = [b for b in boxes if axis.bbox.x0 - 1 <= b.x0 and b.x1 <= axis.bbox.x1 + 40]
        for one, two in itertools.pairwise(sorted(boxes, key=lambda b: b.x0)):
            assert one.x1 <= two.x0, [t.get_text() for t in axis.get_xticklabels()]


# --- what the learner is shown --------------------------------------------------------------


def test_the_commands_shown_are_the_ones_the_link_runs() -> None:
    import os

    shown = str(link_commands(LinkSettings(25, 40)))
    names = LinkNames.for_process(os.getuid(), os.getpid())
    assert " ".join(shape_command(names, LinkSettings(25, 40))) in shown
    assert f"ip netns add {names.namespace}" in shown and "tbf rate 25mbit" in shown
    assert f"ip netns del {names.namespace}" in shown


def capacity_markdown() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    start, end = text.index("## Where the seconds are"), text.index("## Portability, shown")
    return text[start:end]


def test_the_prose_states_no_measured_number() -> None:
    """Only the link's settings (50 Mbit/s, 20 ms), bits per byte and a factor of two are
    numbers in the prose: every measured one is computed by a cell."""
    prose = re.sub(r"`[^`]*`", "", capacity_markdown())  # code spans: commands, not claims
    prose = re.sub(r"(Exercise|[Nn]otebook) \d+", "", prose)  # names, not quantities
    numbers = set(re.findall(r"\d[\d,.]*", prose))
    assert numbers <= {"50", "20", "1", "8"}, numbers  # 8: bits in a byte


def test_the_notebook_measures_before_it_checks_the_prediction_in_a_cell_of_its_own() -> None:
    """Walk 7, S18: the check sat in the measuring cell, so each re-check pulled again and
    the target moved (1.23 s, 1.89 s, 3.45 s). It now has its own cell, judging `pull`."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    predicted = next(i for i, c in enumerate(cells) if c.startswith("prediction = ..."))
    measured = next(i for i, c in enumerate(cells) if "kh.live_pull()" in c)
    checked = next(i for i, c in enumerate(cells) if c.startswith("kh.check_pull_prediction("))
    assert predicted < measured < checked
    assert "check_pull_prediction" not in cells[measured]
    assert "live_pull" not in cells[checked] and "(prediction, pull)" in cells[checked]


def test_the_section_states_mostly_the_pull_as_a_guess_the_story_judges() -> None:
    """Walk 7, S19: "is mostly the pull" stood as fact beside a story that said the bytes
    were 5 % of the time. The prose now calls it a guess; the story judges it per image."""
    prose = " ".join(capacity_markdown().split())
    assert "is mostly the **pull**" not in prose
    assert "A guess to test" in prose and "kh.pull_story" in prose


def test_the_notebook_saves_the_pull_and_the_density_it_measured_for_notebook_10() -> None:
    """Walk 3, S27: 07 measured both live, saved neither, and 10 quoted recorded figures."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    pull = next(c for c in cells if "kh.live_pull()" in c)
    density = next(c for c in cells if "kh.density_or_recorded()" in c)
    assert 'kh.save_result("pull", pull)' in pull
    assert 'kh.save_result("density", density)' in density


def test_the_pull_story_names_the_largest_part_the_run_measured() -> None:
    """Walk 3, S18: the story said "the bytes weigh most" where the bytes were 8 % of the
    time; it now says which part was largest, computed from the run."""
    small = str(pull_story(pull_result(0.719)))  # 360 KB: 58 ms of bytes, 220 ms of trips
    assert "The bytes weigh most" not in small
    assert (
        "The bytes are 7% of docker-scratch's estimate, 781 ms; its largest part is the work "
        "with no link at all (503 ms)" in small
    )
    assert "would save at most 57.6 ms of it" in small
    big = str(pull_story(pull_result(6.0, size=30_000_000)))  # 4.8 s of bytes
    assert "its largest part: a faster link shortens it most" in big


def test_the_density_story_gives_the_platform_users_ratio_too() -> None:
    """Walk 5, S10: the story gave only the embedder's ratio (instances in one process),
    while the table showed a wasm container heavier than a runc one."""
    result = density_result(14_000, 4_740_000)
    shim = DensityRow("containerd-wasmtime", 8, 10_800_000, "cgroup + shim")
    story = str(density_story(replace(result, rows={**result.rows, shim.name: shim})))
    assert (
        "each wasm container held 10.8 MB against a runc container's 4.74 MB, 2.3× as much" in story
    )
    # density_result's container row is recorded: the sentence names it (walk 19, S2)
    assert "ratio (the container figure is recorded, not measured here)" in story
    assert "Docker or Kubernetes user" not in str(density_story(result))


def test_the_pull_story_compares_the_variants_before_the_parts_of_one() -> None:
    """Walk 5, S9: "The bytes take the largest share in docker-scratch's time, yet only 4%"
    read as a contradiction (the bytes were the smallest of its three parts)."""
    one = pull_result(1.39, size=700_000)
    row = replace(one.rows["docker-scratch"], name="oci-wasm-artifact", bytes=36_000)
    two = replace(one, rows={**one.rows, "oci-wasm-artifact": row})
    story = str(pull_story(two))
    assert (
        "Of the variants, the bytes weigh most in docker-scratch's estimate: 9% of its 1.3 s;"
        in story
    )
    assert "largest share" not in story and "yet only" not in story


def test_measure_saves_each_new_run_so_notebook_10_quotes_the_latest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walk 3: the first run was saved, a run the Measure button started after moving the
    sliders was not, so notebook 10 kept quoting the first link's figures."""
    from kernel_helpers.course import nb07_capacity
    from kernel_helpers.report.exports import load_results

    medians = iter([1.0, 2.5])

    def pulled(settings: LinkSettings, **_: Any) -> PullResult:  # the pull is not under test
        row = pull_result(next(medians)).rows["docker-scratch"]
        return PullResult(settings, {"docker-scratch": row}, {})

    monkeypatch.setattr(nb07_capacity, "pull_or_recorded", pulled)
    explorer = nb07_capacity.PullExplorer(("docker-scratch",), 1, results_folder=str(tmp_path))
    explorer.measure()
    explorer.measure(LinkSettings(10, 100))  # what the button does after the sliders moved
    saved = load_results(tmp_path)["pull"]
    assert saved["link"]["rate_mbit"] == 10
    assert saved["variants"]["docker-scratch"]["median_s"] == 2.5


def test_after_measure_the_explorer_prints_that_run_and_says_which_run_each_reader_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walk 8, S7: after Measure at 25.1 Mbit/s the plot showed the new run, the table, the
    check and the story the 50 Mbit/s one, and notebook 10 silently the new one. The
    explorer prints the new run's table under its plot and says where each run goes; the
    check and the story name the link of the run they were given."""
    from kernel_helpers.course import nb07_capacity

    def pulled(settings: LinkSettings, **_: Any) -> PullResult:  # the pull is not under test
        return PullResult(settings, {"docker-scratch": pull_result(1.0).rows["docker-scratch"]}, {})

    monkeypatch.setattr(nb07_capacity, "pull_or_recorded", pulled)
    shown: list[str] = []

    class Handle:  # what IPython's display handle receives
        def update(self, obj: Any) -> None:
            shown.append(obj.data)

    explorer = nb07_capacity.PullExplorer(("docker-scratch",), 1, results_folder=str(tmp_path))
    explorer._table = Handle()
    first = explorer.measure(LinkSettings(50, 20))
    assert shown == []  # the cell prints the first run itself
    explorer.measure(LinkSettings(25.1, 20))
    assert explorer.first is first and explorer.result is not first
    said = shown[-1]
    assert said.startswith("This Measure, over 25.1 Mbit/s and 20 ms round trip")
    assert "notebook 10, which quotes the last Measure" in said
    assert "keep this cell's first run, over 50 Mbit/s and 20 ms round trip" in said
    assert explorer.result.text() in said
    story = pull_story(first).sentences[0]
    assert (
        story == "Every figure here is from the run over 50 Mbit/s and 20 ms round trip (measured)."
    )
    checked = kh.check_pull_prediction(1.0, first).message
    assert "over 50 Mbit/s and 20 ms round trip" in checked
    prose = " ".join(capacity_markdown().split())
    assert "Measure** pulls over the new link, prints that run's table under the plot" in prose
    assert "which quotes the last Measure" in prose and "keep the cell's first run" in prose


def test_measure_reads_the_sliders_once_their_last_move_has_arrived() -> None:
    """Walk 9, S8: three quick moves of the rate slider, then Measure at once, measured and
    saved the first move's 39.8 Mbit/s: the page sends a slider's next value only after the
    kernel has handled the last, but a click at once. Here the last move reaches the kernel
    after the click, as it did there; Measure waits for the sliders to be still."""
    import threading

    from kernel_helpers.course.nb07_capacity import SLIDERS_SETTLE_S, PullExplorer

    explorer = PullExplorer((), 1)
    explorer._controls()
    rate = explorer._widgets["rate"]
    rate.value = 39.8  # the first move, handled before the click
    read: list[Any] = []
    waiting = threading.Thread(target=lambda: read.append(explorer.wait_for_sliders()))
    waiting.start()  # the click
    time.sleep(SLIDERS_SETTLE_S / 2)
    rate.value = 25.1  # the last move, arriving after the click
    waiting.join(timeout=30)
    assert read and read[0].rate_mbit == 25.1, read


def test_a_guess_that_holds_on_round_trips_says_the_link_is_mostly_waiting() -> None:
    """Walk 16, S5: "The guess 'mostly the download' holds ... 87% ... the round trips weigh
    most (83% against the rate's 4%)" read as a contradiction. When the guess holds on
    round trips, the sentence says the link's part is mostly its waiting, not its bytes."""
    row = PullRow("oci-wasm-artifact", 40_000, 12, (0.27, 0.28, 0.29), 0.04, 0.29)
    said = str(pull_story(PullResult(LinkSettings(50, 20), {row.name: row}, {}, None)))
    assert 'The guess "mostly the download" holds for oci-wasm-artifact' in said
    assert "so mostly the link, its round trips more than its bytes: of it the round" in said
