"""Ratios carry a bootstrap interval that covers the truth, and say so in words."""

from __future__ import annotations

import numpy as np
import pytest

from kernel_helpers._errors import BenchmarkError
from kernel_helpers.bench.ratio import Ratio, ratio_of_medians


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
    assert Ratio(523.4, 470.2, 590.9).text() == "about 520× (470×-590×)"
    assert Ratio(2837.0, 2500.0, 3100.0).text() == "about 2,800× (2,500×-3,100×)"
    # A wide interval keeps one significant digit: no false precision.
    assert Ratio(5.3, 2.0, 9.0).text() == "about 5× (2×-9×)"
    assert Ratio(1.43, 1.40, 1.46).text() == "about 1.4× (1.4×-1.5×)"
    assert Ratio(1.431, 1.426, 1.437).text() == "about 1.43× (1.43×-1.44×)"


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
    assert note.startswith("one sample stretched this interval: 20 ms for wasm-cached (median")
    without = ratio_of_medians(
        [2.0e-3, 2.1e-3, 2.2e-3, 1.9e-3], result.variants["wasm-instantiate"].samples_s
    )
    assert note.endswith(f"Without it: {without.text()}")
