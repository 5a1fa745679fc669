"""Figures for notebook 07's "Where the seconds are" and "How many fit" (issue 27).

One renderer per result: :func:`draw_pull` draws a pull result (live or recorded) and the
estimate beside each measurement; :func:`density_figure` draws a density result. Recorded
rows are grey and hatched, labelled with the machine and date they came from, as in
``plots.py``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._display import format_bytes, format_seconds
from .._figures import label_log_axis, new_figure
from ..bench.density import DensityResult, format_per_gib
from ..bench.pull import PullResult, PullRow
from ..containers.shaped_link import LinkSettings
from .plots import KIND_COLOURS, RECORDED_STYLE, STARTUP_KINDS, _legend_patch

#: Each variant coloured by the kind of thing it runs, in notebook 06's key
#: (``STARTUP_KINDS``): a colour means the same in 06's start-up plot and in 07's two
#: figures, and every measured point is drawn as strongly as the others (walk 7, S21-S22:
#: a pale measured point read as recorded, a colour of 06's meant something else here).
PULL_KINDS = {
    "docker-debian": "image",
    "docker-scratch": "image",
    "oci-wasm-image": "oci-wasm",
    "oci-wasm-artifact": "oci-wasm",
}
DENSITY_KINDS = {
    "wasm-instance": "wasm",
    "wasm-instance-wordcount": "wasm",
    "wasmtime-process": "wasm",
    "container": "image",
    "containerd-wasmtime": "oci-wasm",
}
PULL_COLOURS = {name: KIND_COLOURS[kind] for name, kind in PULL_KINDS.items()}
DENSITY_COLOURS = {name: KIND_COLOURS[kind] for name, kind in DENSITY_KINDS.items()}
#: The bytes axis of the pull plot: from a small module to a big distribution image.
BYTES_RANGE = (5e3, 3e8)
RECORDED_GREY = "#777777"


def recorded_words(recorded: Mapping[str, Any] | None) -> str:
    """ "recorded on MACHINE, DATE, not measured here" (the label every recorded row gets)."""
    if recorded is None:
        return ""
    return f"recorded on {recorded.get('machine', '?')}, {recorded.get('date', '?')}, not measured here"


# --- where the seconds are ----------------------------------------------------------------


def link_line_s(size: np.ndarray[Any, Any] | float, link: LinkSettings) -> Any:
    """What the bytes alone take on ``link``: size * 8 / rate (no round trip, no run)."""
    return np.asarray(size) / link.bytes_per_s


def draw_pull(ax: Axes, result: PullResult, link: LinkSettings | None = None) -> None:
    """Pull time against bytes, both log: each variant's median with its interval (a
    filled dot; grey and hatched if recorded), its estimate at the same bytes (an open diamond),
    and the line the bytes alone take at ``link`` (the run's link unless a slider moved)."""
    link = link or result.link
    sizes = np.geomspace(*BYTES_RANGE, 50)
    ax.plot(sizes, link_line_s(sizes, link), "--", color="#444444", linewidth=1,
            label=f"the bytes alone at {link.rate_mbit:g} Mbit/s: bytes × 8 / rate")  # fmt: skip
    recorded = result.recorded is not None
    for name, row in result.rows.items():
        _draw_pull_row(ax, name, row, recorded)
    drawn = set() if recorded else {PULL_KINDS.get(name, "other") for name in result.rows}
    for kind, label in STARTUP_KINDS:  # 06's key, for the kinds drawn in colour
        if kind in drawn:
            ax.scatter([], [], s=50, color=KIND_COLOURS[kind], label=label)
    ax.scatter([], [], s=80, marker="D", facecolor="none", edgecolor="black",
               label="estimate: unshaped run + bytes / rate + round trips × RTT")  # fmt: skip
    if recorded:
        ax.scatter([], [], s=60, label=textwrap.fill(recorded_words(result.recorded), 60),
                   **RECORDED_STYLE)  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*BYTES_RANGE)
    ax.set_ylim(1e-3, 100)
    label_log_axis(ax, format_bytes)
    label_log_axis(ax, format_seconds, which="y")  # "10 ms", "1 s": not 10^-2, 10^0
    ax.set_xlabel("bytes that crossed the link (log scale)")
    ax.set_ylabel("cold pull + run (log scale)")
    ax.grid(which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")


def _draw_pull_row(ax: Axes, name: str, row: PullRow, recorded: bool) -> None:
    low, high = row.interval_s
    colour = RECORDED_GREY if recorded else PULL_COLOURS.get(name, KIND_COLOURS["other"])
    errors = [[row.median_s - low], [high - row.median_s]]
    ax.errorbar([row.bytes], [row.median_s], yerr=errors, fmt="none", capsize=4, color=colour)
    if recorded:
        ax.scatter([row.bytes], [row.median_s], s=60, zorder=3, **RECORDED_STYLE)
    else:
        ax.scatter([row.bytes], [row.median_s], s=50, zorder=3, color=colour)
    # At the same bytes as the measurement (the x axis is bytes: anywhere else reads as
    # another size), hollow and larger, so the dot shows through it when they agree.
    ax.scatter([row.bytes], [row.estimate_s], s=80, marker="D", facecolor="none",
               edgecolor=colour, linewidths=1.5, zorder=4)  # fmt: skip
    note = f"{name}\n{format_seconds(row.median_s)}" + (" (recorded)" if recorded else "")
    ax.annotate(note, (row.bytes, row.median_s), textcoords="offset points", xytext=(14, -4),
                fontsize=8, va="top", color=colour)  # fmt: skip


def pull_figure(
    result: PullResult, link: LinkSettings | None = None, *, title: str | None = None
) -> Figure:
    """The pull result as one figure (notebook 07's live plot redraws this)."""
    figure = new_figure(9, 5)
    ax = figure.add_subplot()
    draw_pull(ax, result, link)
    shown = result.link
    ax.set_title(
        title
        or f"Where the seconds are: cold pull + run over {shown.rate_mbit:g} Mbit/s, "
        f"{shown.rtt_ms:g} ms round trip"
    )
    return figure


# --- how many fit -------------------------------------------------------------------------


def density_figure(result: DensityResult, *, title: str | None = None) -> Figure:
    """Bytes per instance and instances per GiB per variant, side by side, log scales."""
    figure = new_figure(9, 0.45 * max(len(result.rows), 3) + 1.9)
    left, right = figure.subplots(1, 2, sharey=True)
    names = list(result.rows)
    Panel = tuple[Axes, dict[str, float], Callable[[float], str], Callable[[float], str], str]
    panels: list[Panel] = [
        (left, {n: r.bytes_per_instance for n, r in result.rows.items()}, format_bytes,
         format_bytes, "memory per instance"),
        (right, {n: r.per_gib for n, r in result.rows.items()}, format_per_gib, _compact,
         "instances per GiB"),
    ]  # fmt: skip
    for axis, values, unit, tick, label in panels:
        value = values.__getitem__
        for index, name in enumerate(names):
            row = result.rows[name]
            style = (
                dict(RECORDED_STYLE)
                if row.recorded
                else {"color": DENSITY_COLOURS.get(name, KIND_COLOURS["other"])}
            )
            axis.barh(index, value(name), height=0.6, **style)
            mark = " (recorded)" if row.recorded else ""
            axis.text(value(name) * 1.1, index, f" {unit(value(name))}{mark}", va="center",
                      fontsize=8)  # fmt: skip
        axis.set_xscale("log")
        smallest = min(value(n) for n in names) if names else 1
        axis.set_xlim(smallest / 3, axis.get_xlim()[1] * 30)  # every bar seen, room for labels
        label_log_axis(axis, tick)
        axis.set_xlabel(f"{label} (log scale)")
        axis.grid(axis="x", alpha=0.3)
    left.set_yticks(range(len(names)), [f"{n} ×{result.rows[n].count}" for n in names])
    _density_key(figure, result)
    left.set_ylim(len(names) - 0.5, -0.5)
    heading = title or "How many fit: instances alive at once, each having run its program"
    if result.recorded is not None:  # under the title: the layout keeps it off the axes
        heading += "\ngrey, hatched: " + recorded_words(result.recorded)
    figure.suptitle(heading, fontsize=10)
    return figure


def _density_key(figure: Figure, result: DensityResult) -> None:
    """06's key under both panels: what each colour runs, and grey for recorded rows."""
    drawn = {DENSITY_KINDS.get(n, "other") for n, row in result.rows.items() if not row.recorded}
    handles = [_legend_patch(KIND_COLOURS[k], label) for k, label in STARTUP_KINDS if k in drawn]
    if any(row.recorded for row in result.rows.values()):
        handles.append(_legend_patch(None, "grey, hatched: recorded", recorded=True))
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)


def _compact(value: float) -> str:
    """A tick's count in few characters ("100k", "1M"): whole numbers on ticks a decade
    apart ran into each other at the panel's width."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"
