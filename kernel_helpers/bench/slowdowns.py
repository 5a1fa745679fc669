"""How many times longer wasm took than native, per workload (notebook 08's compute
benchmark): :class:`Slowdown` and the functions that read it from a result. Split from
:mod:`.results`, which holds the result model they read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._display import format_seconds
from .ratio import (
    BOOTSTRAP_INTERVAL,
    FarSamples,
    PrintedInterval,
    Ratio,
    Side,
    far_samples_in,
    ratio_of_medians,
)
from .results import RECORDED, ResultLike, Stats, as_dict, as_result


@dataclass(frozen=True)
class Slowdown:
    """How many times longer wasm took than native for one workload, with its interval.

    Where both sides kept their samples, ``low``-``high`` is the 95% bootstrap interval of
    :func:`ratio_of_medians`, the one notebook 08's table beside JavaScript prints for the
    same pair (walk 7, S25: the verdict and that table gave one ratio two spreads). A
    summary keeping quartiles only (an export's ``rows``) falls back to the conservative
    quartile band: wasm's first quartile over native's third, its third over native's first;
    ``bootstrap`` says which of the two it is.
    """

    example: str
    n: int
    label: str
    ratio: float
    low: float
    high: float
    native_s: float
    wasm_s: float
    recorded: bool = False
    bootstrap: bool = False
    #: The sample that stretches the interval and the ratio without it, or None
    #: (:func:`~.ratio.far_samples_in`'s note; walk 10, S10).
    stretched: str | None = None
    #: Those samples, so :meth:`text` can say when they alone make it reach 1× (walk 23, S2).
    far: FarSamples | None = None

    @classmethod
    def between(
        cls,
        example: str,
        n: int,
        label: str,
        native: Stats,
        wasm: Stats,
        recorded: bool,
        samples: tuple[list[float], list[float]] = ([], []),
    ) -> Slowdown:
        """``samples``: (native's, wasm's), when kept: the interval is then bootstrapped."""
        native_samples, wasm_samples = samples
        bootstrap = len(native_samples) > 1 and len(wasm_samples) > 1
        low, high = wasm.q1_s / native.q3_s, wasm.q3_s / native.q1_s
        stretched, far = None, None
        if bootstrap:
            interval = ratio_of_medians(wasm_samples, native_samples)
            low, high = interval.low, interval.high
            far = far_samples_in(
                Side("wasm", wasm_samples), Side("native", native_samples), interval
            )
            stretched = (
                far.note if far else _few_samples_note(native, wasm, interval, len(wasm_samples))
            )
        return cls(
            example=example,
            n=n,
            label=label,
            ratio=wasm.median_s / native.median_s,
            low=low,
            high=high,
            native_s=native.median_s,
            wasm_s=wasm.median_s,
            recorded=recorded,
            bootstrap=bootstrap,
            stretched=stretched,
            far=far,
        )

    @property
    def interval(self) -> Ratio:
        """The ratio with its interval, to print as every other ratio prints."""
        return Ratio(self.ratio, self.low, self.high)

    @property
    def measurable(self) -> bool:
        """False when the interval reaches 1×: these runs cannot tell wasm from native."""
        return self.interval.measurable

    @property
    def spread_kind(self) -> str:
        """What ``low``-``high`` is: "95% interval" or "quartile spread"."""
        return BOOTSTRAP_INTERVAL if self.bootstrap else "quartile spread"

    def text(self) -> str:
        """ "1.29× (95% interval 1.007×-1.43×)": :meth:`~.ratio.Ratio.with_interval`, as
        the table beside JavaScript and notebook 10's page print the same samples."""
        return self.interval.with_interval(self.spread_kind, self.far)

    def point_text(self) -> str:
        """The slowdown as tables print it, two decimals ("1.07×"), or more where two would
        put it on or outside its interval (:meth:`~.ratio.Ratio.printed`)."""
        return self._printed().point

    def spread_text(self) -> str:
        """ "95% interval 0.61×-1.10×" or "quartile spread 0.62×-0.86×": which, and where;
        to at least the digits of :meth:`point_text`, which it is printed beside."""
        shown = self._printed()
        return f"{self.spread_kind} {shown.low}-{shown.high}"

    def _printed(self) -> PrintedInterval:
        # Walk 13: "1.07× (95% interval 1.1×-1.3×)" read as a point outside its interval.
        return self.interval.printed()


def _few_samples_note(native: Stats, wasm: Stats, interval: Ratio, count: int) -> str | None:
    """Why an interval reaching 1× stands beside middle halves that do not overlap (walk 11,
    S5: quartiles 2.72-2.76 ms and 3.27-3.4 ms, "0.78×-1.7×: no measurable difference"): a
    few samples a side, each slow one drawn again and again by the bootstrap. None when the
    interval tells the two apart or the middle halves overlap."""
    apart = wasm.q1_s > native.q3_s or wasm.q3_s < native.q1_s
    if interval.measurable or not apart:
        return None
    return (
        f"the middle halves do not overlap (wasm {format_seconds(wasm.q1_s)}-"
        f"{format_seconds(wasm.q3_s)}, native {format_seconds(native.q1_s)}-"
        f"{format_seconds(native.q3_s)}), but with {count} samples a side one slow sample, "
        "drawn again and again by the bootstrap, reaches 1×: more repetitions would tell"
    )


def slowdowns(compute: ResultLike) -> list[Slowdown]:
    """Slowdown ratios from a compute result: the harness's (``run_compute``: it pairs
    ``wasm <case>`` with ``native <case>``, a case like ``fib(35)`` or ``sha256 8 MiB``), or
    ``{"rows": [{"example", "n", "native", "wasm"}]}`` where ``native`` and ``wasm`` hold
    ``median_s``/``q1_s``/``q3_s``."""
    data = as_dict(compute)
    if "rows" in data:
        return [
            Slowdown.between(
                str(row["example"]),
                int(row["n"]),
                str(row.get("label") or f"{row['example']}, N={row['n']}"),
                Stats.from_json(row["native"]),
                Stats.from_json(row["wasm"]),
                row.get("source") == RECORDED or bool(data.get("recorded")),
            )
            for row in data["rows"]
        ]
    model = as_result(data)
    rows = []
    for name, wasm in model.variants.items():
        native = model.variants.get("native " + name[5:])
        if not name.startswith("wasm ") or native is None:
            continue
        case = name[5:]
        example = re.split(r"[\s(]", case, maxsplit=1)[0]
        size = re.search(r"\d+", case[len(example) :])  # "sha256 8 MiB" -> 8, not 256
        rows.append(
            Slowdown.between(
                example,
                int(size.group()) if size else 0,
                case,
                native.stats,
                wasm.stats,
                wasm.recorded or bool(model.recorded),
                (native.samples_s, wasm.samples_s),
            )
        )
    return rows


def native_missing(compute: ResultLike, example: str = "") -> str | None:
    """Why a compute result has wasm timings but no native ones (a machine with no
    compiler, notebook 08), or None. ``example`` narrows it to ``fib`` or ``sha256``."""
    model = as_result(compute)
    reasons = [why for name, why in model.skipped.items() if name.startswith(f"native {example}")]
    timed_wasm = any(name.startswith(f"wasm {example}") for name in model.variants)
    return reasons[0] if reasons and timed_wasm else None
