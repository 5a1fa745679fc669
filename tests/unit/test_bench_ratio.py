"""Ratios carry a bootstrap interval that covers the truth, and say so in words."""

from __future__ import annotations

import numpy as np
import pytest

from kernel_helpers._errors import BenchmarkError
from kernel_helpers.bench.ratio import (
    HELD_UP_BY_MACHINE,
    MACHINE_STALL,
    FarSamples,
    Ratio,
    Side,
    far_sample_note,
    ratio_of_medians,
)
from kernel_helpers.bench.slowdowns import Slowdown


def _lognormal(median: float, n: int, seed: int) -> list[float]:
    return list(median * np.random.default_rng(seed).lognormal(0.0, 0.15, n))


def test_the_interval_covers_a_known_ratio_in_most_synthetic_runs() -> None:
    # 40 independent sample sets with a true ratio of 500: a 95% interval should cover it
    # nearly always (allow a few misses; a broken bootstrap misses most of the time).
    covered = 0
    for seed in range(40):
        ratio = ratio_of_medians(
            _lognormal(0.5, 30, seed), _lognormal(0.001, 30, 1000 + seed), seed=seed
        )
        covered += ratio.low <= 500 <= ratio.high
        assert ratio.low < ratio.value < ratio.high
    assert covered >= 34


def test_more_samples_give_a_narrower_interval() -> None:
    few = ratio_of_medians(_lognormal(2.0, 10, 1), _lognormal(1.0, 10, 2))
    many = ratio_of_medians(_lognormal(2.0, 400, 1), _lognormal(1.0, 400, 2))
    assert many.relative_half_width < few.relative_half_width


def test_an_interval_containing_one_reads_no_measurable_difference() -> None:
    same = ratio_of_medians(_lognormal(1.0, 20, 3), _lognormal(1.0, 20, 4))
    assert not same.measurable
    assert same.text().startswith("no measurable difference (")
    assert "about" not in same.text()


def test_a_finding_reads_about_n_times_with_its_interval() -> None:
    # The ends are rounded outward: the printed interval holds the measured one (walk 13).
    assert Ratio(523.4, 470.2, 590.9).text() == "about 520× (470×-600×)"
    assert Ratio(2837.0, 2500.0, 3100.0).text() == "about 2,800× (2,500×-3,100×)"
    # A wide interval keeps one significant digit: no false precision.
    assert Ratio(5.3, 2.0, 9.0).text() == "about 5× (2×-9×)"
    # A point that would print as an end it does not equal takes one digit more, and so do
    # the ends (walk 10, S12): not "about 1.4× (1.4×-1.5×)".
    assert Ratio(1.43, 1.40, 1.46).text() == "about 1.43× (1.4×-1.46×)"
    assert Ratio(1.431, 1.426, 1.437).text() == "about 1.43× (1.426×-1.437×)"
    # Rounded outward, the ends keep the digits that stop it widening the interval much:
    # 1.46-1.54 is not "1.4×-1.6×".
    assert Ratio(1.5, 1.46, 1.54).text() == "about 1.5× (1.46×-1.54×)"


def test_the_point_never_reads_outside_its_own_interval() -> None:
    # A wide interval keeps one digit for the point, unless that digit falls outside the
    # interval as printed (08's sha256: "about 1× (1.2×-2.6×)" read as a contradiction).
    assert Ratio(1.34, 1.21, 2.60).text() == "about 1.3× (1.2×-2.6×)"
    assert Ratio(2.4, 1.6, 5.0).text() == "about 2× (1.6×-5×)"
    # Near 1 too, where the point keeps the digits that tell its side of 1, as an
    # interval's end does (seen while fixing walk 8: "about 1× (1.02×-1.1×)").
    cases = [(1.34, 1.15, 2.6), (1.84, 1.02, 3.6), (7.4, 3.3, 15.0), (1.0437, 1.02, 1.07)]
    for value, low, high in cases:
        text = Ratio(value, low, high).text()
        point, span = text.removeprefix("about ").split(" (")
        first, last = (float(x.rstrip("×").replace(",", "")) for x in span.rstrip(")").split("-"))
        assert first <= float(point.rstrip("×")) <= last, text


def _number(printed: str) -> float:
    return float(printed.rstrip("×").replace(",", ""))


def _decimals(printed: str) -> int:
    number = printed.rstrip("×")
    return len(number.split(".")[1]) if "." in number else 0


def _triples() -> list[tuple[float, float, float]]:
    """(point, low, high) with low <= point <= high: near 1 on either side, and across
    magnitudes from 0.001 to 100,000, from ends a hair apart to ends 30 times apart."""
    rng = np.random.default_rng(13)
    triples = []
    for _ in range(3000):
        centre = (
            float(10 ** rng.uniform(-3, 5)) if rng.random() < 0.6 else float(rng.uniform(0.9, 1.1))
        )
        below, above = (float(10 ** rng.uniform(-4, 1.5)) for _ in range(2))
        low, high = centre / (1 + below), centre * (1 + above)
        point = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        triples.append((point, low, high))
    triples += [(1.0712, 1.0581, 1.2693), (1.51, 1.5, 1.54), (1.074, 1.073, 1.09), (1.0, 0.8, 1.1)]
    return triples


def _check_reads_right(
    point: float, low: float, high: float, printed: tuple[str, str, str]
) -> None:
    shown_point, shown_low, shown_high = (_number(x) for x in printed)
    where = f"{printed} for {(point, low, high)}"
    assert shown_low <= shown_point <= shown_high, where  # the point inside its interval
    assert shown_low <= low and shown_high >= high, where  # rounded outward
    assert point == low or shown_low != shown_point, where  # an end is not the point...
    assert point == high or shown_high != shown_point, where  # ... unless it equals it


def test_a_printed_point_always_lies_inside_its_printed_interval() -> None:
    """Walk 13: 08's verdict printed "1.07× (95% interval 1.1×-1.3×)", the point outside
    its own interval. One rule prints every ratio beside its interval: the ends get at
    least the point's digits and are rounded outward, the point never prints as an end it
    does not equal. Both ways it is printed: by :meth:`Ratio.text` and beside a table's
    two decimals (:meth:`Slowdown.spread_text`)."""
    for point, low, high in _triples():
        ratio = Ratio(point, low, high)
        if ratio.measurable:
            about, _, span = ratio.text().removeprefix("about ").partition(" (")
            ends = span.rstrip(")").split("-")
            _check_reads_right(point, low, high, (about, ends[0], ends[1]))
        row = Slowdown("sha256", 1, "sha256 1 MiB", point, low, high, 1.0, point, bootstrap=True)
        table, ends = row.point_text(), row.spread_text().removeprefix("95% interval ").split("-")
        _check_reads_right(point, low, high, (table, ends[0], ends[1]))
        assert _decimals(table) >= 2 and abs(_number(table) - point) <= 0.005 + 1e-9, table
        assert min(_decimals(end) for end in ends) >= _decimals(table), (table, ends)


def test_the_compute_verdict_prints_its_interval_to_the_points_digits() -> None:
    row = Slowdown("sha256", 1, "sha256 1 MiB", 1.0712, 1.0581, 1.2693, 1.0, 1.07, bootstrap=True)
    assert row.spread_text() == "95% interval 1.05×-1.27×"


def test_an_end_near_one_never_prints_as_one_unless_the_interval_touches_one() -> None:
    # Walk 7, S17: "about 30× (1×-65×)" read as an interval reaching 1 while the ratio was
    # reported as a difference. The end keeps the digits that tell its side of 1.
    assert Ratio(30.0, 1.04, 65.0).text() == "about 30× (1.04×-65×)"
    assert Ratio(0.95, 0.9, 0.996).text() == "about 0.95× (0.9×-0.996×)"
    assert Ratio(1.3, 1.0004, 1.9).span() == "1.0004×-1.9×"
    assert Ratio(1.2, 0.83, 20.0).text() == "no measurable difference (0.83×-20×)"
    for value, low, high in [(30.0, 1.04, 65.0), (1.5, 1.004, 2.2), (0.7, 0.4, 0.97)]:
        ratio = Ratio(value, low, high)
        ends = ratio.span().split("-")
        assert ratio.measurable and "1×" not in ends, ratio.text()


def test_the_interval_is_repeatable_for_the_same_samples() -> None:
    a, b = _lognormal(3.0, 25, 5), _lognormal(1.0, 25, 6)
    assert ratio_of_medians(a, b) == ratio_of_medians(a, b)


def test_empty_or_zero_samples_are_refused() -> None:
    with pytest.raises(BenchmarkError):
        ratio_of_medians([], [1.0])
    with pytest.raises(BenchmarkError):
        ratio_of_medians([1.0], [0.0])


def test_divided_gives_the_medians_ratio_a_learner_computes_unrounded_to_the_interval() -> None:
    """Walk 8, S4: notebook 06 prints this beside the reading, so a learner's division can
    be found on the page; three digits below 100, and 1.0004 is "1.00×", not "1×"."""
    assert Ratio(1263.7, 910, 2400).divided() == "1,264×"
    assert Ratio(24.71, 22, 42).divided() == "24.7×"
    assert Ratio(1.0004, 0.75, 1.3).divided() == "1.00×"
    assert Ratio(0.7591, 0.59, 1.4).divided() == "0.759×"


def test_a_result_names_the_far_sample_that_stretches_one_of_its_ratios() -> None:
    """Walk 10, S7: notebook 06's table read "0.026×-1.5×" for five starts with one 20 ms
    sample among 2 ms ones, unexplained. The result gives, for that ratio only, the note
    notebook 08's table prints (:func:`far_sample_note`, one wording for both)."""
    from kernel_helpers.bench.results import BenchResult, Measurement

    result = BenchResult(machine={}, example="hello")
    for name, samples in (
        ("wasm-cached", [2.0e-3, 2.1e-3, 20e-3, 2.2e-3, 1.9e-3]),
        ("wasm-instantiate", [1.0e-3, 1.1e-3, 0.9e-3, 1.05e-3, 0.95e-3]),
        ("wasm-compile", [30e-3, 31e-3, 29e-3, 30.5e-3, 29.5e-3]),
    ):
        result.variants[name] = Measurement.from_samples(name, "in-process", samples)
    notes = result.far_sample_notes()
    assert set(notes) == {"wasm-cached/wasm-instantiate", "wasm-compile/wasm-cached"}
    note = notes["wasm-cached/wasm-instantiate"]
    assert note.startswith(
        "one sample stretched this interval: 20 ms for wasm-cached (9.5× its median, 2.1 ms)"
    )
    without = ratio_of_medians(
        [2.0e-3, 2.1e-3, 2.2e-3, 1.9e-3], result.variants["wasm-instantiate"].samples_s
    )
    assert note.endswith(f"Without it: {without.text()}")


def test_the_point_never_prints_as_an_end_it_does_not_equal() -> None:
    """Walk 10, S12: 06's verdict read "about 60× (25×-60×)" for medians dividing to 57×:
    one digit for the point, two for the ends, and the point landed on the upper end."""
    assert Ratio(57.2, 25.1, 59.7).text() == "about 57× (25×-60×)"
    assert Ratio(59.8, 25.0, 59.9).text() == "about 59.8× (25×-59.9×)"
    assert Ratio(60.0, 25.0, 60.0).text() == "about 60× (25×-60×)"  # truly on its end
    rng = np.random.default_rng(1)
    for _ in range(2000):
        low = float(rng.uniform(0.05, 500))
        high = low * float(rng.uniform(1.01, 20))
        value = float(rng.uniform(low, high))
        point, span = Ratio(value, low, high).text().split(" (", 1)
        ends = span.rstrip(")").split("-")
        assert point.removeprefix("about ") not in ends, (value, low, high)


#: Notebook 08's fib(30) in walk 10 (S10): one 31.7 ms sample among ~7 ms ones, 4.2× its
#: median (under the 5× rule), stretched "1.09× (0.49×-4.6×)" beside tight quartiles.
FIB_WASM = [3.43e-3, 7.53e-3, 7.58e-3, 6.42e-3, 31.68e-3]
FIB_NATIVE = [6.62e-3, 6.9e-3, 7.04e-3, 6.8e-3, 6.71e-3]


def test_a_sample_under_five_times_off_is_named_when_it_alone_stretches_the_interval() -> None:
    whole = ratio_of_medians(FIB_WASM, FIB_NATIVE)
    note = far_sample_note(Side("wasm", FIB_WASM), Side("native", FIB_NATIVE), whole)
    assert note is not None
    assert note.startswith("one sample stretched this interval: 31.7 ms for wasm (4.2× its median")
    without = ratio_of_medians([s for s in FIB_WASM if s != 31.68e-3], FIB_NATIVE)
    assert note.endswith(f"Without it: {without.text()}")
    assert without.text() != whole.text()


def _note_for_a_and_b(slow: list[float], fast: list[float]) -> str | None:
    """The far-sample note of the ratio of ``slow`` ("a") over ``fast`` ("b")."""
    return far_sample_note(Side("a", slow), Side("b", fast), ratio_of_medians(slow, fast))


@pytest.mark.parametrize(
    ("slow", "fast", "starts"),
    [
        (  # up to three far samples are named one by one
            [2.0e-3, 2.1e-3, 20e-3, 2.2e-3, 1.9e-3, 2.05e-3, 30e-3],
            [1.0e-3, 1.1e-3, 0.9e-3, 1.05e-3, 12e-3, 0.95e-3, 1.02e-3],
            "3 samples stretched this interval: 20 ms for a (9.5× its median, 2.1 ms), "
            "30 ms for a (14.3× its median, 2.1 ms), 12 ms for b (11.8× its median, 1.02 ms), ",
        ),
        (  # far samples on both sides of their median are told apart (walk 20, S1)
            [2.0e-3, 2.1e-3, 20e-3, 2.2e-3, 1.9e-3, 2.05e-3, 0.3e-3],
            [1.0e-3, 1.1e-3, 0.9e-3, 1.05e-3, 1.0e-3, 0.95e-3, 1.02e-3],
            "2 samples stretched this interval: 20 ms for a (9.8× its median, 2.05 ms), "
            f"{MACHINE_STALL}; 300 µs for a (1/6.8 of its median, 2.05 ms), far below the "
            f"rest: {HELD_UP_BY_MACHINE}. Without them: ",
        ),
    ],
    ids=["named-one-by-one", "both-sides"],
)
def test_far_samples_are_named_with_their_side_of_the_median(
    slow: list[float], fast: list[float], starts: str
) -> None:
    note = _note_for_a_and_b(slow, fast)
    assert note is not None and note.startswith(starts), note


def test_more_far_samples_are_counted_per_side_with_the_furthest() -> None:
    """Walk 15, S3: 11 listed 19 stalls one by one, "1.27 ms for component (31.0× its
    median, 41.1 µs), ..., 10.8 ms for component (263.6× ...)", a wall of text to read
    before "Without them", which said little had changed. Past three, a count per side."""
    rng = np.random.default_rng(15)
    fast = list(41.1e-6 * rng.lognormal(0.0, 0.1, 400))
    slow = list(62e-6 * rng.lognormal(0.0, 0.1, 400))
    slow[:17] = list(np.geomspace(0.8e-3, 10.8e-3, 17))  # stalls of the machine
    fast[:2] = [1.0e-3, 2.0e-3]
    whole = ratio_of_medians(slow, fast)
    note = far_sample_note(Side("component", slow), Side("module", fast), whole)
    assert note is not None
    furthest = 10.8e-3 / float(np.median(slow))
    assert f"{furthest:.0f}" == "174"
    assert note.startswith(
        "19 samples moved this interval up: 17 of 400 for component and 2 of 400 for module "
        "were over 5× their side's median (up to 174×), a stall of the machine"
    )
    assert "its median" not in note
    without = ratio_of_medians(slow[17:], fast[2:])
    assert note.endswith(f"Without them: {without.text()}")


#: Like notebook 06's wasmtime-cli in walk 20 (S1): a fast start, the others held up by a
#: busy machine; the precompiled CLI's median was 4.28 ms, so the fast one was nearer the
#: true cost.
CLI_HELD_UP = [4.28e-3, 25.89e-3, 27.0e-3, 29.3e-3, 30.65e-3]
NATIVE_STARTS = [1.0e-3, 1.02e-3, 0.98e-3, 1.01e-3, 0.99e-3]


def test_a_sample_far_below_its_median_is_not_called_a_stall() -> None:
    """Walk 20, S1: "4.28 ms for wasmtime-cli (1/6.1 of its median, 25.9 ms), a stall of
    the machine". A stall only adds time: below its median, the others were held up."""
    whole = ratio_of_medians(CLI_HELD_UP, NATIVE_STARTS)
    note = far_sample_note(Side("wasmtime-cli", CLI_HELD_UP), Side("native", NATIVE_STARTS), whole)
    assert note is not None
    assert note.startswith(
        "one sample stretched this interval: 4.28 ms for wasmtime-cli (1/6.3 of its median, "
        f"27 ms), far below the rest: {HELD_UP_BY_MACHINE}. Without it: "
    )
    assert "stall" not in note


def test_far_samples_counted_below_their_median_are_counted_as_below() -> None:
    """Past three, the count says which side of the median (walk 20, S1): "over 5×" would
    be wrong of samples a tenth of it, and a stall cannot make them."""
    rng = np.random.default_rng(20)
    fast = list(1.0e-3 * rng.lognormal(0.0, 0.1, 12))
    slow = list(2.0e-3 * rng.lognormal(0.0, 0.1, 12))
    slow[:4] = [0.1e-3, 0.15e-3, 0.2e-3, 0.25e-3]  # the rest held up
    slow[4:6] = [40e-3, 60e-3]  # stalls
    whole = ratio_of_medians(slow, fast)
    note = far_sample_note(Side("a", slow), Side("b", fast), whole)
    assert note is not None
    furthest_up = 60e-3 / float(np.median(slow))
    furthest_down = float(np.median(slow)) / 0.1e-3
    assert note.startswith(
        f"6 samples stretched this interval: 2 of 12 for a were over 5× their side's median "
        f"(up to {furthest_up:.3g}×), {MACHINE_STALL}; 4 of 12 for a were under 1/5 of their "
        f"side's median (down to 1/{furthest_down:.3g}), far below the rest: "
        f"{HELD_UP_BY_MACHINE}. Without them: "
    )


def test_ordinary_spread_names_no_sample() -> None:
    """No sample twice its median or more, or none whose leaving out halves the interval:
    nothing to name, however the bootstrap moves."""
    slow, fast = _lognormal(2.0, 5, 3), _lognormal(1.0, 5, 4)
    whole = ratio_of_medians(slow, fast)
    assert far_sample_note(Side("a", slow), Side("b", fast), whole) is None


def test_the_slowdown_verdict_names_the_sample_that_stretches_its_interval() -> None:
    from kernel_helpers.bench.results import BenchResult, Measurement
    from kernel_helpers.report.verdicts import throughput_verdict

    compute = BenchResult(machine={}, example="compute")
    for name, samples in (("wasm fib(30)", FIB_WASM), ("native fib(30)", FIB_NATIVE)):
        compute.variants[name] = Measurement.from_samples(name, "process", samples)
    sentences = " ".join(throughput_verdict(compute).sentences)
    assert "fib(30): one sample stretched this interval: 31.7 ms for wasm (4.2×" in sentences


def test_no_note_when_the_ratio_without_the_far_samples_reads_the_same() -> None:
    """Walk 10, S9: notebook 11 printed "4 samples stretched this interval ... Without them:
    about 1.52× (1.51×-1.53×)", the very text printed with them. The same point and a
    width much the same read the same, even where an end's last digit moves."""
    rng = np.random.default_rng(7)
    fast = list(100e-6 * rng.lognormal(0.0, 0.02, 400))
    slow = [*(152e-6 * rng.lognormal(0.0, 0.02, 400)), 1.2e-3, 1.3e-3]
    whole = ratio_of_medians(slow, fast)
    without = ratio_of_medians(slow[:-2], fast)
    assert without.relative_half_width < whole.relative_half_width  # narrower, unrounded
    assert without.text().split(" (")[0] == whole.text().split(" (")[0]
    assert far_sample_note(Side("slow", slow), Side("fast", fast), whole) is None


@pytest.mark.parametrize(
    ("without", "matters"),
    [
        # Walk 13, 11 cell 19: 1.5-1.54 against 1.49-1.53, the point unchanged.
        (Ratio(1.51, 1.495, 1.53), False),
        (Ratio(1.51, 1.505, 1.515), True),  # the interval over a quarter narrower
        (Ratio(1.62, 1.6, 1.64), True),  # the point prints otherwise
    ],
)
def test_the_note_is_for_a_difference_a_learner_reads(without: Ratio, matters: bool) -> None:
    """The ratio without the far samples earns a note when it reads differently in a way
    that matters: its printed point, its width by more than a quarter, or reaching 1×."""
    from kernel_helpers.bench.ratio import _narrower

    assert _narrower(without, Ratio(1.51, 1.50, 1.54)) is matters
    assert _narrower(Ratio(1.1, 1.001, 1.155), Ratio(1.1, 0.999, 1.16)) is True  # apart from 1


def test_middle_halves_apart_beside_an_interval_reaching_one_are_explained() -> None:
    """Walk 11, S5: 08's fib(30) printed quartiles 2.72-2.76 ms (native) and 3.27-3.4 ms
    (wasm), then "1.22× (95% interval 0.78×-1.7×: no measurable difference)" with nothing
    said; no sample was far enough off to be named. The row says why, from its samples."""
    from kernel_helpers.bench.results import Stats
    from kernel_helpers.bench.slowdowns import Slowdown

    native = [0.00270, 0.00424, 0.00276, 0.00272, 0.00272]
    wasm = [0.00340, 0.00324, 0.00465, 0.00327, 0.00332]
    row = Slowdown.between(
        "fib", 30, "fib(30)", Stats.from_samples(native), Stats.from_samples(wasm), False,
        (native, wasm),
    )  # fmt: skip
    assert not row.measurable
    assert row.stretched is not None and "the middle halves do not overlap" in row.stretched
    assert "with 5 samples a side" in row.stretched and "more repetitions" in row.stretched
    # Middle halves that overlap need no such word.
    overlapping = [0.00270, 0.00290, 0.00274, 0.00280, 0.00272]
    plain = Slowdown.between(
        "fib", 30, "fib(30)", Stats.from_samples(native), Stats.from_samples(overlapping),
        False, (native, overlapping),
    )  # fmt: skip
    assert plain.stretched is None or "middle halves" not in plain.stretched


def test_a_line_says_when_far_samples_alone_make_its_interval_reach_one() -> None:
    """Walk 23, S2: "no measurable difference" beside quartiles far apart; the far samples
    that did it were named only in a note below. The line says so when, and only when,
    the ratio without them tells the two apart."""
    whole = Ratio(2.16, 0.52, 2.35)
    apart = FarSamples(2, Ratio(2.2, 2.0, 2.39), "the note")
    still_close = FarSamples(1, Ratio(1.01, 0.95, 1.1), "the note")
    assert whole.with_interval(far=apart).endswith(
        ": no measurable difference, only because of 2 far samples (see the note below))"
    )
    assert whole.with_interval(far=still_close).endswith(": no measurable difference)")
    assert whole.with_interval().endswith(": no measurable difference)")
    assert "only because" not in Ratio(2.2, 2.0, 2.39).with_interval(far=apart)


@pytest.mark.parametrize(
    ("whole", "without", "did"),
    [
        # Walk 24, S3: notebook 06's ratio, spans ×1.67 with the stalled sample and ×1.62
        # without it: hardly narrower, but higher; the sample held the interval down.
        (Ratio(1500, 1200, 2000), Ratio(1700, 1300, 2100), "moved this interval down"),
        (Ratio(1.51, 1.48, 1.56), Ratio(1.49, 1.47, 1.53), "moved this interval up"),
        # Notebook 08's fib(30) (walk 10, S10): one stall widened 0.49×-4.6× from ~1×.
        (Ratio(1.09, 0.49, 4.6), Ratio(1.0, 0.93, 1.08), "stretched this interval"),
    ],
    ids=["shifted-down", "shifted-up", "clearly-narrower"],
)
def test_the_note_says_stretched_only_where_the_interval_narrows_clearly(
    whole: Ratio, without: Ratio, did: str
) -> None:
    from kernel_helpers.bench.ratio import _what_they_did

    assert _what_they_did(without, whole) == did


def test_a_far_sample_that_only_shifts_the_interval_is_said_to_move_it() -> None:
    """End to end: 19 stalls among 400 samples barely widen 11's ratio, yet shift it up."""
    rng = np.random.default_rng(15)
    fast = list(41.1e-6 * rng.lognormal(0.0, 0.1, 400))
    slow = list(62e-6 * rng.lognormal(0.0, 0.1, 400))
    slow[:17] = list(np.geomspace(0.8e-3, 10.8e-3, 17))
    fast[:2] = [1.0e-3, 2.0e-3]
    note = far_sample_note(Side("a", slow), Side("b", fast), ratio_of_medians(slow, fast))
    assert note is not None and note.startswith("19 samples moved this interval up: ")
    fib = far_sample_note(
        Side("wasm", FIB_WASM), Side("native", FIB_NATIVE), ratio_of_medians(FIB_WASM, FIB_NATIVE)
    )
    assert fib is not None and fib.startswith("one sample stretched this interval: ")
