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
        digits = max(2, _digits(self))
        if not self.measurable:
            return f"{NO_DIFFERENCE} ({self.span()})"
        # Printed as an interval's end is: a measurable ratio near 1 never reads "1×", which
        # would sit outside its own interval, "about 1× (1.02×-1.1×)".
        return f"about {_bound(self.value, self._point_digits(digits))} ({self.span()})"

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

    def span(self) -> str:
        """The interval as :meth:`text` prints it: "470×-590×", "1.04×-65×"."""
        digits = max(2, _digits(self))
        return f"{_bound(self.low, digits)}-{_bound(self.high, digits)}"

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


def far_samples(samples: Sequence[float]) -> list[float]:
    """The samples more than :data:`OUTLIER_FACTOR` times away from their median, either way."""
    if len(samples) < 3:  # with two samples, neither is "the odd one out"
        return []
    middle = float(np.median(np.asarray(samples, dtype=float)))
    if middle <= 0:
        return []
    return [s for s in samples if s > middle * OUTLIER_FACTOR or s < middle / OUTLIER_FACTOR]


def without_far_samples(slow: Sequence[float], fast: Sequence[float]) -> Ratio | None:
    """The same ratio with :func:`far_samples` left out of both sides, or None when neither
    side has one (or leaving them out would leave a side with fewer than two samples)."""
    far_slow, far_fast = far_samples(slow), far_samples(fast)
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
    """What a far sample (:func:`far_samples`) did to ``whole``, the ratio of ``slow`` to
    ``fast``: the sample, its side's median, and the ratio without it. None when no far
    sample narrows the interval by leaving it out. One wording for notebooks 06, 08 and 11
    (walk 10, S7: "0.026×-1.5×" from one 20 ms sample among 2 ms ones, unexplained)."""
    robust = without_far_samples(slow.samples, fast.samples)
    if robust is None or robust.relative_half_width >= whole.relative_half_width:
        return None
    far = [
        f"{format_seconds(sample)} for {side.name} (median "
        f"{format_seconds(float(np.median(np.asarray(side.samples, dtype=float))))})"
        for side in (slow, fast)
        for sample in far_samples(side.samples)
    ]
    one = len(far) == 1
    return (
        f"{'one sample' if one else f'{len(far)} samples'} stretched this interval: "
        f"{', '.join(far)}, over {OUTLIER_FACTOR:g}× away from {'its' if one else 'their'} "
        f"side's median, {stall}. Without {'it' if one else 'them'}: {robust.text()}"
    )


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
