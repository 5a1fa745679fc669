"""Notebook 08's figures: the steady-state slowdown per example and size beside the
published range, and the same kernels natively, under wasmtime and in the browser beside
JavaScript. Split from :mod:`plots` (one module per notebook's pictures past 700 lines)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._display import format_seconds
from .._figures import keep_labels_inside, label_log_axis_around, new_figure
from ..bench.results import ResultLike, as_result
from ..bench.slowdowns import Slowdown, slowdowns
from .claims import PUBLISHED_SLOWDOWN
from .plots import KIND_COLOURS

#: One meaning per colour across the course (notebook 06's palette): blue native, green
#: wasm. A slowdown is wasm's time, so every point is green and each program has its own
#: marker; the published band is wasm's too, paler. JavaScript, in no other figure, is gold.
SIDE_COLOURS = {
    "native": KIND_COLOURS["native"],
    "wasmtime": KIND_COLOURS["wasm"],
    "browser-wasm": "#1b5e20",  # wasm again, darker: the browser's engine
    "browser-js": "#e6ab02",
}
EXAMPLE_MARKERS = ("o", "s", "^", "D")


def throughput_figure(
    compute: ResultLike, *, title: str = "Steady-state speed: wasm time / native time"
) -> Figure:
    """Slowdown ratio per example and N, with its 95% interval, beside the published range. Notebook 08."""
    figure = new_figure(9, 4)
    ax = figure.add_subplot()
    draw_throughput(ax, compute)
    ax.set_title(title)
    # Right of the panel, clear of the points and their ratio labels, as 10's summary does.
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    keep_labels_inside(ax, list(ax.texts))  # the last point's "1.08×" label, once laid out
    return figure


def draw_throughput(ax: Axes, compute: ResultLike) -> None:
    """The slowdown points of :func:`throughput_figure` on ``ax`` (also used by the export page)."""
    rows: list[Slowdown] = slowdowns(compute)
    top = max([2.2, *(r.high * 1.2 for r in rows)])  # the y axis' top, known before labels
    low_pub, high_pub = PUBLISHED_SLOWDOWN
    # The band and the line are named in the legend, not written on the plot, where a
    # point's error bar could cross the words (walk 7, S34).
    ax.axhspan(low_pub, high_pub, color=KIND_COLOURS["wasm"], alpha=0.12,
               label="Jangda et al. 2019: SPEC in browsers")  # fmt: skip
    ax.axhline(1.0, color="black", linewidth=0.8, label="native speed (1)")
    examples = list(dict.fromkeys(r.example for r in rows))
    for index, example in enumerate(examples):
        mine = sorted((r for r in rows if r.example == example), key=lambda r: r.n)
        xs = [r.label.replace(" ", "\n", 1) for r in mine]
        ratios = np.array([r.ratio for r in mine])
        errors = np.array([[r.ratio - r.low for r in mine], [r.high - r.ratio for r in mine]])
        recorded = any(r.recorded for r in mine)
        ax.errorbar(
            xs,
            ratios,
            yerr=np.clip(errors, 0, None),
            fmt=EXAMPLE_MARKERS[index % len(EXAMPLE_MARKERS)],
            capsize=4,
            color=KIND_COLOURS["wasm"],
            label=f"{example}" + (" (recorded)" if recorded else ""),
        )
        for x, r in zip(xs, mine, strict=True):
            ax.annotate(
                r.point_text(),  # the point the verdict and the table print
                (x, r.ratio),
                textcoords="offset points",
                fontsize=8,
                **_clear_of_native_line(r.ratio, top),
            )
    ax.set_ylabel("wasm time / native time (1 = same speed)")
    ax.margins(x=0.12)
    ax.set_ylim(0, top)
    # Its caller fits the ratio labels (keep_labels_inside) once the figure is laid out,
    # and places the legend: inside the panel, "best" weighs points but not these labels.


#: How near the native-speed line, as a share of the y axis, a ratio label centred on its
#: point would touch it: half a label's height on the shortest panel drawn (10's summary).
NEAR_NATIVE_LINE = 0.06


def _clear_of_native_line(ratio: float, top: float) -> dict[str, Any]:
    """Where a ratio's label goes: beside its point, or, near 1, just above or below it,
    away from the native-speed line ("0.98×" was written over it, walk 20)."""
    if abs(ratio - 1) >= NEAR_NATIVE_LINE * top:
        return {"xytext": (8, 0), "va": "center"}
    if ratio >= 1:
        return {"xytext": (8, 3), "va": "bottom"}
    return {"xytext": (8, -3), "va": "top"}


def beside_javascript_figure(result: ResultLike) -> Figure:
    """Notebook 08: per case, the median time of each side (native, wasmtime, wasm and
    JavaScript in the browser) with its quartiles; a side not measured is absent, and the
    title says which. Log scale: the cases span three orders of magnitude."""
    from ..bench.compute import SIDE_LABELS, SIDES, browser_cases

    model = as_result(result)
    figure = new_figure(9, 4.5)
    ax = figure.add_subplot()
    cases = [case.label for case in browser_cases()]
    width = 0.8 / len(SIDES)
    plotted: list[float] = []  # every median and quartile drawn, for the axis' labels
    for index, side in enumerate(SIDES):
        found = [(i, model.variants[f"{side} {c}"].stats) for i, c in enumerate(cases)
                 if f"{side} {c}" in model.variants]  # fmt: skip
        if not found:
            continue
        xs = [i + (index - (len(SIDES) - 1) / 2) * width for i, _ in found]
        medians = np.array([s.median_s for _, s in found])
        spread = np.array([[s.median_s - s.q1_s for _, s in found],
                           [s.q3_s - s.median_s for _, s in found]])  # fmt: skip
        ax.errorbar(xs, medians, yerr=np.clip(spread, 0, None), fmt="o", capsize=3,
                    color=SIDE_COLOURS[side], label=SIDE_LABELS[side])  # fmt: skip
        plotted += [value for _, s in found for value in (s.q1_s, s.median_s, s.q3_s)]
    ax.set_xticks(range(len(cases)), cases)
    ax.set_yscale("log")
    positive = [value for value in plotted if value > 0]
    if positive:  # "2 ms", "5 ms", "10 ms": a labelled time under and over every point
        label_log_axis_around(ax, format_seconds, min(positive), max(positive), which="y")
    ax.set_ylabel("time per run (median, bar: quartiles)")
    missing = [
        SIDE_LABELS[s] for s in SIDES if not any(k.startswith(f"{s} ") for k in model.variants)
    ]
    title = "The same kernels: native, wasmtime, and wasm beside JavaScript in the browser"
    ax.set_title(
        title + (f"\nnot measured in this run: {'; '.join(missing)}" if missing else ""),
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper left")
    return figure
