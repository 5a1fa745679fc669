"""How many times slower one variant is than another, with the spread the samples allow.

A ratio of two medians from a noisy 2-core machine is not one number: ``Ratio`` carries a
95% bootstrap interval (both sample sets resampled with replacement, the ratio of their
medians taken each time, the 2.5th and 97.5th percentiles kept). A ratio whose interval
contains 1 is "no measurable difference", never a finding. Verdicts (notebooks 06-10)
print ratios only through :meth:`Ratio.text`, so they never claim more precision than the
interval allows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._display import format_seconds
from .._errors import BenchmarkError

#: Bootstrap resamples: enough for stable 2.5/97.5 percentiles, quick for 1,000 samples.
RESAMPLES = 4000
CONFIDENCE = 0.95
NO_DIFFERENCE = "no measurable difference"
#: Digits an interval's end may grow to while it would otherwise print as "1×".
MAX_DIGITS = 6
#: How :meth:`Ratio.why_rounded` names the significant digits :func:`_digits` keeps.
KEPT = {1: "one significant digit", 2: "two significant digits", 3: "three significant digits"}


@dataclass(frozen=True)
class Ratio:
    """``value`` = median(slow) / median(fast); ``low``-``high`` its bootstrap interval."""

    value: float
    low: float
    high: float
    confidence: float = CONFIDENCE
    #: False when a side had a single figure (an export or summary keeping medians only).
    spread_known: bool = True

    @property
    def measurable(self) -> bool:
        """False when the interval contains 1: the samples cannot tell the two apart."""
        return self.spread_known and not (self.low <= 1.0 <= self.high)

    @property
    def relative_half_width(self) -> float:
        """Half the interval's width on a log scale, as a fraction (0.25 = within ±25%)."""
        return math.sqrt(self.high / self.low) - 1 if self.low > 0 else math.inf

    def text(self) -> str:
        """ "about 520× (470×-590×)", or "no measurable difference (0.8×-1.1×)"."""
        if not self.spread_known:
            return f"about {_times(self.value)} (medians only: the spread is unknown)"
        if not self.measurable:
            return f"{NO_DIFFERENCE} ({self.span()})"
        point, span = self._digits_printed()
        # Printed as an interval's end is: a measurable ratio near 1 never reads "1×", which
        # would sit outside its own interval, "about 1× (1.02×-1.1×)".
        return f"about {_bound(self.value, point)} ({self.span(span)})"

    def divided(self) -> str:
        """``value`` as dividing the two medians gives it, not rounded to the interval:
        "1,264×", "392×", "1.00×" (three digits below 100). A learner who divides the
        medians gets this figure, and beside it :meth:`text` shows how much of it the
        samples support (walk 8, S4)."""
        return f"{self.value:,.0f}×" if self.value >= 100 else f"{self.value:#.3g}×"

    def why_rounded(self) -> str:
        """Why :meth:`text` reads as it does, in this ratio's own figures: "rounded to one
        significant digit, because its interval puts the ratio within ±62% only"."""
        if not self.spread_known:
            return "one figure per side, so no interval says how sure it is"
        if not self.measurable:
            return "its interval includes 1, so the samples cannot tell the two apart"
        width, digits = self.relative_half_width, _digits(self)
        within = f"±{width:.0%}" if width >= 0.01 else f"±{width:.1%}"
        only = " only" if digits == 1 else ""
        return (
            f"rounded to {KEPT[digits]}, because its interval puts the ratio within {within}{only}"
        )

    def span(self, digits: int | None = None) -> str:
        """The interval as :meth:`text` prints it: "470×-590×", "1.04×-65×"."""
        digits = max(2, _digits(self)) if digits is None else digits
        return f"{_bound(self.low, digits)}-{_bound(self.high, digits)}"

    def _digits_printed(self) -> tuple[int, int]:
        """(the point's digits, the interval's): the interval's own (:func:`_digits`, at
        least 2) and the point's (:meth:`_point_digits`), or more while the point would
        print as an end it does not equal. "about 60× (25×-60×)" for 57 in 25-59.7 read as
        a typo (walk 10, S12): the point first takes the ends' digits ("57×"), then, were
        it still on an end, all three take one more (1.431 in 1.426-1.437: "1.431×
        (1.426×-1.437×)", never "1.43× (1.43×-1.44×)")."""
        span = max(2, _digits(self))
        point = self._point_digits(span)
        while self._on_an_end(point, span) and point < MAX_DIGITS:
            point, span = (span, span) if point < span else (point + 1, span + 1)
        return point, span

    def _on_an_end(self, point: int, span: int) -> bool:
        printed = _bound(self.value, point)
        return any(
            end != self.value and _bound(end, span) == printed for end in (self.low, self.high)
        )

    def _point_digits(self, span_digits: int) -> int:
        """The interval's digits, or more while the point, so rounded, would fall outside
        the interval as printed (1.34 in 1.2-2.8 is "1.3", never "1")."""
        low, high = (_rounded(x, span_digits) for x in (self.low, self.high))
        digits = _digits(self)
        while digits < span_digits and not low <= _rounded(self.value, digits) <= high:
            digits += 1
        return digits

    def __str__(self) -> str:
        return self.text()

    def to_json(self) -> dict[str, float | bool]:
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "spread_known": self.spread_known,
        }


def ratio_of_medians(
    slow: Sequence[float],
    fast: Sequence[float],
    *,
    resamples: int = RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Ratio:
    """median(slow) / median(fast) with a percentile bootstrap interval. ``seed`` makes the
    interval repeatable for the same samples (a re-run of a notebook cell prints the same)."""
    if not slow or not fast:
        raise BenchmarkError("a ratio needs samples on both sides", fix="measure both variants")
    a, b = np.asarray(slow, dtype=float), np.asarray(fast, dtype=float)
    if np.any(b <= 0) or np.any(a < 0):
        raise BenchmarkError("timings must be positive to form a ratio")
    value = float(np.median(a) / np.median(b))
    if a.size < 2 or b.size < 2:
        return Ratio(value, value, value, confidence, spread_known=False)
    rng = np.random.default_rng(seed)
    a_medians = np.median(rng.choice(a, size=(resamples, a.size)), axis=1)
    b_medians = np.median(rng.choice(b, size=(resamples, b.size)), axis=1)
    ratios = a_medians / b_medians
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return Ratio(value, float(low), float(high), confidence)


#: A sample this many times its side's median, or as many times under it, is a stall of the
#: machine or the page, not of the program: one such sample among five can stretch a
#: bootstrap interval tenfold (walk 8, S11: 501 ms among 35-42 ms gave "2× (2×-29×)").
OUTLIER_FACTOR = 5.0
#: Closer than :data:`OUTLIER_FACTOR`, a sample is still named when it alone stretches an
#: interval (walk 10, S10: 31.7 ms among 7 ms ones, 4.2× its median, gave "0.49×-4.6×"
#: beside tight quartiles), provided it is at least this many times off its median...
STRAY_FACTOR = 2.0
#: ... and leaving it out narrows the interval to at most this share of its half-width.
MATERIAL_SHARE = 0.5


def far_samples(samples: Sequence[float]) -> list[float]:
    """The samples more than :data:`OUTLIER_FACTOR` times away from their median, either way."""
    return _away(samples, OUTLIER_FACTOR)


def _away(samples: Sequence[float], factor: float) -> list[float]:
    """The samples more than ``factor`` times away from their median, either way."""
    if len(samples) < 3:  # with two samples, neither is "the odd one out"
        return []
    middle = _median(samples)
    if middle <= 0:
        return []
    return [s for s in samples if s > middle * factor or s < middle / factor]


def _median(samples: Sequence[float]) -> float:
    return float(np.median(np.asarray(samples, dtype=float)))


def _off(sample: float, middle: float) -> float:
    """How many times away from ``middle`` ``sample`` is, either way (2 for half or double)."""
    return max(sample / middle, middle / sample) if sample > 0 and middle > 0 else math.inf


def without_far_samples(slow: Sequence[float], fast: Sequence[float]) -> Ratio | None:
    """The same ratio with :func:`far_samples` left out of both sides, or None when neither
    side has one (or leaving them out would leave a side with fewer than two samples)."""
    return _without(slow, fast, far_samples(slow), far_samples(fast))


def _without(
    slow: Sequence[float], fast: Sequence[float], far_slow: list[float], far_fast: list[float]
) -> Ratio | None:
    if not far_slow and not far_fast:
        return None
    kept_slow = [s for s in slow if s not in far_slow]
    kept_fast = [s for s in fast if s not in far_fast]
    if len(kept_slow) < 2 or len(kept_fast) < 2:
        return None
    return ratio_of_medians(kept_slow, kept_fast)


class Side(NamedTuple):
    """One side of a ratio as a note names it: what the learner calls it, and its samples."""

    name: str
    samples: Sequence[float]


#: What a far sample is, unless the caller knows better (08: "the page or the machine").
MACHINE_STALL = "a stall of the machine rather than of what was timed"


def far_sample_note(
    slow: Side, fast: Side, whole: Ratio, *, stall: str = MACHINE_STALL
) -> str | None:
    """What the samples that stretch ``whole``, the ratio of ``slow`` to ``fast``, did to
    it: each sample, how far off its side's median, and the ratio without them. They are
    every sample over :data:`OUTLIER_FACTOR` times off its median or, failing those, the
    one sample farthest off when leaving it out narrows the interval materially. None when
    the ratio without them prints as ``whole`` does (walk 10, S9), or nothing stretches it.
    One wording for notebooks 06, 08, 10 and 11 (walk 10, S7: "0.026×-1.5×" from one 20 ms
    sample among 2 ms ones, unexplained)."""
    far = (far_samples(slow.samples), far_samples(fast.samples))
    robust = _without(slow.samples, fast.samples, *far)
    if robust is None:
        far, robust = _stray(slow, fast, whole)
    if robust is None or not _narrower(robust, whole):
        return None
    sides = zip((slow, fast), far, strict=True)
    named = [_named(sample, side) for side, some in sides for sample in some]
    one = len(named) == 1
    return (
        f"{'one sample' if one else f'{len(named)} samples'} stretched this interval: "
        f"{', '.join(named)}, {stall}. Without {'it' if one else 'them'}: {robust.text()}"
    )


def _stray(
    slow: Side, fast: Side, whole: Ratio
) -> tuple[tuple[list[float], list[float]], Ratio | None]:
    """The one sample farthest off its side's median (at least :data:`STRAY_FACTOR` times),
    and the ratio without it when that narrows ``whole`` to :data:`MATERIAL_SHARE` or less."""
    candidates = [
        (_off(sample, _median(side.samples)), index, sample)
        for index, side in enumerate((slow, fast))
        for sample in _away(side.samples, STRAY_FACTOR)
    ]
    if not candidates:
        return ([], []), None
    _, index, sample = max(candidates)
    far: tuple[list[float], list[float]] = ([sample], []) if index == 0 else ([], [sample])
    robust = _without(slow.samples, fast.samples, *far)
    if robust is None or robust.relative_half_width > whole.relative_half_width * MATERIAL_SHARE:
        return ([], []), None
    return far, robust


def _narrower(robust: Ratio, whole: Ratio) -> bool:
    """True when the ratio without the far samples is tighter and prints otherwise."""
    return robust.relative_half_width < whole.relative_half_width and robust.text() != whole.text()


def _named(sample: float, side: Side) -> str:
    """ "31.7 ms for wasm (4.2× its median, 7.53 ms)"; under it: "(1/6.0 of its median, ...)"."""
    middle = _median(side.samples)
    off = _off(sample, middle)
    how = f"{off:.1f}× its median" if sample >= middle else f"1/{off:.1f} of its median"
    return f"{format_seconds(sample)} for {side.name} ({how}, {format_seconds(middle)})"


def _digits(ratio: Ratio) -> int:
    """Significant digits the interval supports: 1 when it spans more than 2×, else 2,
    3 only when it is within ±2%."""
    width = ratio.relative_half_width
    if width > 0.5:
        return 1
    return 2 if width > 0.02 else 3


def _rounded(value: float, digits: int) -> float:
    """``value`` to ``digits`` significant digits, as :func:`_times` prints it."""
    return float(f"{value:.{digits}g}") if value < 10**digits else value


def _bound(value: float, digits: int) -> str:
    """An interval's end that is not 1 never prints as "1×": an interval printed "1×-65×"
    reads as touching 1 while it is a finding (walk 7, S17). Near 1 it keeps the digits
    that tell which side of 1 it lies on: 1.04×, 0.996×."""
    while value != 1.0 and _rounded(value, digits) == 1.0 and digits < MAX_DIGITS:
        digits += 1
    return _times(value, digits)


def _times(value: float, digits: int = 2) -> str:
    if value >= 10**digits:
        # Round big ratios to the digits kept: 2,837 with 2 digits is "2,800×".
        scale = 10 ** (math.floor(math.log10(value)) - digits + 1)
        return f"{round(value / scale) * scale:,.0f}×"
    return f"{value:.{digits}g}×"
