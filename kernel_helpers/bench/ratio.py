"""How many times slower one variant is than another, with the spread the samples allow.

A ratio of two medians from a noisy 2-core machine is not one number: ``Ratio`` carries a
95% bootstrap interval (both sample sets resampled with replacement, the ratio of their
medians taken each time, the 2.5th and 97.5th percentiles kept). A ratio whose interval
contains 1 is "no measurable difference", never a finding. Verdicts (notebooks 06-10)
print ratios only through :meth:`Ratio.text`, so they never claim more precision than the
interval allows, or, where a table prints a slowdown to two decimals (notebooks 08 and 10),
through :meth:`Ratio.with_interval`, the interval beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

import numpy as np

from .._display import format_seconds
from .._errors import BenchmarkError

#: Bootstrap resamples: enough for stable 2.5/97.5 percentiles, quick for 1,000 samples.
RESAMPLES = 4000
CONFIDENCE = 0.95
NO_DIFFERENCE = "no measurable difference"
#: How :meth:`Ratio.why_rounded` names the significant digits :func:`_digits` keeps.
KEPT = {1: "one significant digit", 2: "two significant digits", 3: "three significant digits"}
#: Where a ratio's point stops in tables and verdicts: hundredths, "1.07×".
TABLE_PLACE = -2
#: What :meth:`Ratio.with_interval` calls a bootstrap interval.
BOOTSTRAP_INTERVAL = "95% interval"
#: How :meth:`Ratio.why_rounded` and notebook 06's "Measuring the ±" say what the ± of
#: :attr:`Ratio.relative_half_width` measures: the factor from the interval's middle to an end.
ON_A_LOG_SCALE, EITHER_WAY = "on a log scale", "either way"


def plus_minus_and_factor(width: float) -> tuple[str, str]:
    """A relative half width on a log scale read both ways: ("±45%", "×1.45"); below 1%,
    one more digit ("±0.5%", "×1.005"), so a tight interval never reads as ±0%."""
    if width >= 0.01:
        return f"±{width:.0%}", f"×{1 + width:.2f}"
    return f"±{width:.1%}", f"×{1 + width:.3f}"


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
        shown = printed_interval(self.value, self.low, self.high, place(self.value, _digits(self)))
        return f"about {shown.point} ({shown.low}-{shown.high})"

    def with_interval(self, kind: str = BOOTSTRAP_INTERVAL, far: FarSamples | None = None) -> str:
        """The one way a table prints a ratio beside its interval: "1.29× (95% interval
        1.007×-1.43×)", "1.05× (95% interval 0.96×-1.15×: no measurable difference)".
        08's verdict, its table beside JavaScript and 10's page print the same pair of
        sample sets through it, so they print it alike (walk 15, S1: "1.29× (95% interval
        1.007×-1.43×)" in one and "about 1.3× (1.007×-1.5×)" in the other). ``kind``
        names the spread: a summary keeping quartiles only has a "quartile spread".
        ``far``: the far samples a note printed below it names (:func:`far_samples_in`),
        so the line says when they alone make it reach 1×."""
        shown = self.printed()
        if not self.spread_known:
            return f"{shown.point} (medians only: the spread is unknown)"
        reaches_one = "" if self.measurable else f": {NO_DIFFERENCE}{_only_because(self, far)}"
        return f"{shown.point} ({kind} {shown.low}-{shown.high}{reaches_one})"

    def printed(self) -> PrintedInterval:
        """The point to two decimals ("1.07×", more where two would put it on or outside
        its interval) and the ends to at least its digits (:func:`printed_interval`): the
        figures :meth:`with_interval` prints (walk 13: "1.07× (1.1×-1.3×)"). Two decimals
        however large, as the headline and 08's figure print the point too."""
        return printed_interval(self.value, self.low, self.high, TABLE_PLACE, zeros=True)

    def divided(self) -> str:
        """``value`` as dividing the two medians gives it, not rounded to the interval:
        "1,264×", "392×", "1.00×" (three digits below 100). A learner who divides the
        medians gets this figure, and beside it :meth:`text` shows how much of it the
        samples support (walk 8, S4)."""
        return f"{self.value:,.0f}×" if self.value >= 100 else f"{self.value:#.3g}×"

    def why_rounded(self) -> str:
        """Why :meth:`text` reads as it does, in this ratio's own figures, with the sum a
        learner can redo by hand (walk 19, S4: "within ±45%" of 41×-89× read as +55%/-29%):
        "rounded to two significant digits, because its interval puts the ratio within ±45%
        on a log scale (×1.45 either way of its middle: √(88.10 ÷ 41.90), its ends before
        the outward rounding)"."""
        if not self.spread_known:
            return "one figure per side, so no interval says how sure it is"
        if not self.measurable:
            return "its interval includes 1, so the samples cannot tell the two apart"
        width, digits = self.relative_half_width, _digits(self)
        within, factor = plus_minus_and_factor(width)
        only = " only" if digits == 1 else ""
        return (
            f"rounded to {KEPT[digits]}, because its interval puts the ratio within {within} "
            f"{ON_A_LOG_SCALE}{only} ({factor} {EITHER_WAY} of its middle: "
            f"√({before_rounding(self.high)} ÷ {before_rounding(self.low)}), its ends before "
            "the outward rounding)"
        )

    def span(self, point_place: int | None = None, *, zeros: bool = False) -> str:
        """The interval as :meth:`text` prints it: "470×-590×", "1.04×-65×"; beside a
        point printed to ``point_place`` (:func:`printed_interval`), to at least its digits."""
        shown = printed_interval(self.value, self.low, self.high, point_place, zeros=zeros)
        return f"{shown.low}-{shown.high}"

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


#: A sample this many times its side's median is a stall of the machine or the page, not of
#: the program, and one as many times under it a sign the others were held up: one such
#: sample among five can stretch a bootstrap interval tenfold (walk 8, S11: 501 ms among
#: 35-42 ms gave "2× (2×-29×)").
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


#: What a far sample above its median is, unless the caller knows better (08: "the page or
#: the machine"): a stall only adds time.
MACHINE_STALL = "a stall of the machine rather than of what was timed"
#: What a far sample below its median says instead: a stall cannot make a run faster, so the
#: others were held up and the fast one may be nearer the true cost (walk 20, S1: "4.28 ms
#: for wasmtime-cli (1/6.1 of its median, 25.9 ms), a stall of the machine").
HELD_UP_BY_MACHINE = "the other samples were likely held up by other work on the machine"
#: How a sample below its median is introduced before :data:`HELD_UP_BY_MACHINE`.
FAR_BELOW = "far below the rest"


class FarSamples(NamedTuple):
    """The samples that stretch a ratio's interval (:func:`far_samples_in`): how many, the
    ratio without them, and the note that names each."""

    how_many: int
    without: Ratio
    note: str


def _only_because(whole: Ratio, far: FarSamples | None) -> str:
    """ ", only because of one far sample (see the note below)" when ``whole`` reaches 1×
    and the ratio without ``far`` does not: the line said "no measurable difference" beside
    quartiles far apart, and only the note below said why (walk 23, S2)."""
    if far is None or whole.measurable or not far.without.measurable:
        return ""
    samples = "one far sample" if far.how_many == 1 else f"{far.how_many} far samples"
    return f", only because of {samples} (see the note below)"


def far_sample_note(
    slow: Side,
    fast: Side,
    whole: Ratio,
    *,
    stall: str = MACHINE_STALL,
    held_up: str = HELD_UP_BY_MACHINE,
) -> str | None:
    """:func:`far_samples_in`'s note alone, or None."""
    far = far_samples_in(slow, fast, whole, stall=stall, held_up=held_up)
    return far.note if far is not None else None


def far_samples_in(
    slow: Side,
    fast: Side,
    whole: Ratio,
    *,
    stall: str = MACHINE_STALL,
    held_up: str = HELD_UP_BY_MACHINE,
) -> FarSamples | None:
    """What the samples that stretch ``whole``, the ratio of ``slow`` to ``fast``, did to
    it: each sample, how far off its side's median (past :data:`LISTED_AT_MOST`, how many
    per side and the furthest), why (``stall`` for those above their median, ``held_up``
    for those below it), and the ratio without them. They are
    every sample over :data:`OUTLIER_FACTOR` times off its median or, failing those, the
    one sample farthest off when leaving it out narrows the interval materially. None when
    the ratio without them reads as ``whole`` does (:func:`_narrower`: walk 10, S9, and
    walk 13), or nothing stretches it.
    One wording for notebooks 06, 08, 10 and 11 (walk 10, S7: "0.026×-1.5×" from one 20 ms
    sample among 2 ms ones, unexplained)."""
    far = (far_samples(slow.samples), far_samples(fast.samples))
    robust = _without(slow.samples, fast.samples, *far)
    if robust is None:
        far, robust = _stray(slow, fast, whole)
    if robust is None or not _narrower(robust, whole):
        return None
    sides = list(zip((slow, fast), far, strict=True))
    count = sum(len(some) for _, some in sides)
    one = count == 1
    describe = _named_each if count <= LISTED_AT_MOST else _counted
    why = {True: stall, False: f"{FAR_BELOW}: {held_up}"}
    which = "; ".join(
        f"{describe(group)}, {why[above]}"
        for above in (True, False)
        if (group := _on_side_of_median(sides, above=above))
    )
    note = (
        f"{'one sample' if one else f'{count} samples'} {_what_they_did(robust, whole)}: "
        f"{which}. Without {'it' if one else 'them'}: {robust.text()}"
    )
    return FarSamples(count, robust, note)


#: Up to this many far samples are named one by one; more are counted per side (walk 15,
#: S3: 11 listed 19 stalls one by one, a wall of text that said the ratio did not change).
LISTED_AT_MOST = 3


def _on_side_of_median(
    sides: list[tuple[Side, list[float]]], *, above: bool
) -> list[tuple[Side, list[float]]]:
    """Each side with only its far samples above (or below) its median; sides left with none
    are dropped, so a note says "2 of 400 for module" only where there are two."""
    grouped = []
    for side, some in sides:
        middle = _median(side.samples)
        kept = [s for s in some if (s > middle) == above]
        if kept:
            grouped.append((side, kept))
    return grouped


def _named_each(sides: list[tuple[Side, list[float]]]) -> str:
    """Each far sample, its side and how far off its median: "31.7 ms for wasm (4.2× ...)"."""
    return ", ".join(_named(sample, side) for side, some in sides for sample in some)


def _counted(sides: list[tuple[Side, list[float]]]) -> str:
    """How many of each side's samples were far off on one side of their median, and the
    furthest: "17 of 400 for component and 2 of 400 for module were over 5× their side's
    median (up to 174×)", or below it "3 of 400 for module were under 1/5 of their side's
    median (down to 1/30)". Only the :data:`OUTLIER_FACTOR` rule gives more than one far
    sample, so it is the threshold named."""
    per_side = " and ".join(
        f"{len(some)} of {len(side.samples)} for {side.name}" for side, some in sides
    )
    furthest = max(_off(float(s), _median(side.samples)) for side, some in sides for s in some)
    side, some = sides[0]
    if some[0] > _median(side.samples):
        return (
            f"{per_side} were over {OUTLIER_FACTOR:g}× their side's median "
            f"(up to {_times(furthest, 3)})"
        )
    return (
        f"{per_side} were under 1/{OUTLIER_FACTOR:g} of their side's median "
        f"(down to 1/{_times(furthest, 3).removesuffix('×')})"
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


#: Leaving far samples out must narrow an interval to this share of its width or less for
#: the note to be worth reading on that ground alone (walk 13).
NARROWER_SHARE = 0.75


def _narrower(robust: Ratio, whole: Ratio) -> bool:
    """True when the ratio without the far samples is tighter and reads differently in a
    way that matters: whether it reaches 1× changes, or its point prints otherwise, or its
    interval is over a quarter narrower. Walk 13, 11's "about 1.51× (1.5×-1.54×)" beside
    "Without them: about 1.51× (1.49×-1.53×)" changed nothing a learner reads."""
    if robust.relative_half_width >= whole.relative_half_width:
        return False
    return (
        robust.measurable != whole.measurable
        or _point_printed(robust) != _point_printed(whole)
        or robust.relative_half_width <= whole.relative_half_width * NARROWER_SHARE
    )


def _what_they_did(robust: Ratio, whole: Ratio) -> str:
    """What the far samples did to ``whole``: "stretched this interval" where leaving them
    out narrows it clearly (:data:`NARROWER_SHARE`), else "moved this interval up" (or
    down) as their presence shifted its middle. Walk 24, S3: spans of ×1.67 and ×1.62 read as
    "stretched" sent a learner looking for a width that hardly changed; it had shifted."""
    if robust.relative_half_width <= whole.relative_half_width * NARROWER_SHARE:
        return "stretched this interval"
    with_them, without_them = math.sqrt(whole.low * whole.high), math.sqrt(robust.low * robust.high)
    return f"moved this interval {'up' if with_them > without_them else 'down'}"


def _point_printed(ratio: Ratio) -> str:
    """The point as :meth:`Ratio.text` prints it ("about 1.51×"), or the verdict alone."""
    return ratio.text().split(" (")[0]


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


def before_rounding(value: float) -> str:
    """An interval's end to four significant digits (all of its whole part from 1,000 up),
    enough to redo its ± by hand: :meth:`Ratio.why_rounded` and notebook 06's precision
    line print an interval's exact ends through it."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:#.4g}"


def _times(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant digits, as a ratio: "2,800×", "1.3×"."""
    return _written(_to_place(value, place(value, digits), ROUND_HALF_EVEN), strip=True)


# --- one rule for printing a ratio beside its interval (walk 13) ------------------------
# 08's verdict printed "1.07× (95% interval 1.1×-1.3×)": the point outside its own interval,
# because the ends had fewer digits than the point and were rounded to nearest.

#: The most significant digits any printed figure grows to.
MAX_DIGITS = 6


class PrintedInterval(NamedTuple):
    """A ratio and its interval as printed: "1.07×", "1.06×", "1.27×"."""

    point: str
    low: str
    high: str


def place(value: float, digits: int) -> int:
    """The power of ten of the last of ``digits`` significant digits of ``value``: 1.07 with
    3 digits is -2 (hundredths), 2,837 with 2 digits is 2 (hundreds)."""
    if value <= 0 or not math.isfinite(value):
        return 1 - digits
    return math.floor(math.log10(value)) - digits + 1


def printed_interval(
    value: float, low: float, high: float, point_place: int | None = None, *, zeros: bool = False
) -> PrintedInterval:
    """The one rule every ratio beside its interval is printed by. The point is rounded to
    ``point_place`` (a power of ten, :func:`place`); the ends get at least the point's
    digits, at least the two significant digits an interval needs, and the digits that keep
    the rounding from widening it much (:func:`_width_place`), and are rounded outward
    (the low end down, the high end up), so an interval as printed holds the interval as
    measured. Then, while the printed point falls outside its printed interval,
    or an end prints as the point without being equal to it, or an end that is not 1
    prints as "1×" (an interval "1×-65×" reads as reaching 1, walk 7, S17), all take one
    digit more. ``point_place`` None: no point is printed, the ends have their own digits.
    ``zeros`` keeps trailing zeros ("1.10×"), as a table printing two decimals does."""
    span_digits = max(2, _interval_digits(low, high))
    point = point_place if point_place is not None else place(value, span_digits)
    finest = place(max(value, low, high), MAX_DIGITS)
    while True:
        shown = _round_all(value, low, high, point, span_digits)
        if point <= finest or _reads_right(value, low, high, shown, point_place is not None):
            break
        point -= 1
    point_value, low_value, high_value = shown
    return PrintedInterval(
        *(_written(x, strip=not zeros) for x in (point_value, low_value, high_value))
    )


def _interval_digits(low: float, high: float) -> int:
    """:func:`_digits` of an interval alone."""
    return _digits(Ratio(high, low, high)) if low > 0 else 1


def _round_all(
    value: float, low: float, high: float, point: int, span_digits: int
) -> tuple[Decimal, Decimal, Decimal]:
    """The point to ``point``, each end outward to the finer of ``point`` and its own digits,
    and finer still while an end that is not 1 would print as 1."""
    ends, fine = [], _width_place(low, high)
    for end, rounding in ((low, ROUND_FLOOR), (high, ROUND_CEILING)):
        at = min(point, place(end, span_digits), fine)
        while _to_place(end, at, rounding) == 1 != end and at > place(end, MAX_DIGITS):
            at -= 1
        ends.append(_to_place(end, at, rounding))
    return _to_place(value, point, ROUND_HALF_EVEN), ends[0], ends[1]


#: Rounding an end outward may widen its interval by at most this share of its width.
WIDEN_SHARE = 0.25


def _width_place(low: float, high: float) -> int:
    """The power of ten fine enough that rounding the ends outward to it widens the interval
    by at most :data:`WIDEN_SHARE` of its width each way: 1.46-1.54 prints as such, never
    "1.4×-1.6×"."""
    width = high - low
    if width <= 0 or not math.isfinite(width):
        return place(max(high, 1e-300), MAX_DIGITS)
    return math.floor(math.log10(width * WIDEN_SHARE))


def _reads_right(
    value: float, low: float, high: float, shown: tuple[Decimal, Decimal, Decimal], with_point: bool
) -> bool:
    """True when the printed point lies inside its printed interval and on neither end
    unless it equals that end (always true when no point is printed)."""
    point, low_shown, high_shown = shown
    if not with_point or not low <= value <= high:
        return True  # an interval not holding its point cannot be printed to hold it
    on_low = point == low_shown and low != value
    on_high = point == high_shown and high != value
    return low_shown <= point <= high_shown and not on_low and not on_high


def _to_place(value: float, at: int, rounding: str) -> Decimal:
    """``value`` rounded to the power of ten ``at`` the way ``rounding`` says; from its
    shortest decimal form, so 1.27 rounded up to hundredths stays 1.27."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(at), rounding=rounding)


def _written(value: Decimal, *, strip: bool) -> str:
    """ "2,800×", "1.07×"; ``strip``: "1.2×" for 1.20, "2×" for 2.0."""
    if int(value.as_tuple().exponent) >= 0:
        return f"{int(value):,}×"
    text = f"{value:,f}"
    return f"{text.rstrip('0').rstrip('.') if strip else text}×"
