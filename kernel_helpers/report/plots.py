"""Figures for notebooks 06-10: the live start-up plot and the static charts.

Figures are plain ``matplotlib.figure.Figure`` objects rendered with Agg (no pyplot, so
nothing shows up twice and nothing depends on the notebook's backend), shown as PNG
through an IPython display handle that is updated in place. That works the same in
JupyterLab, in VS Code and in a headless nbclient run, which is what the course's CI uses.

Recorded data (measured elsewhere, used when Docker is absent) is always drawn grey and
hatched and labelled "recorded on <machine>, <date>". Introduced in notebook 06.
"""

from __future__ import annotations

import math
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation

from .._display import format_bytes, format_seconds
from .._figures import (
    TITLE_PAD_OVER_LABELS_PT,
    figure_png,
    label_above,
    label_log_axis,
    new_figure,
)
from ..bench.harness import Phase
from ..bench.results import (
    BenchResult,
    Measurement,
    ResultLike,
    SizeTable,
    Stats,
    artifact_kind,
    as_result,
    recorded_label,
    sizes_of,
    variant_summaries,
)
from ..bench.variants import BY_NAME, NAMES, in_order, label_of
from .claims import SEVERAL_SECONDS_FROM_S

RECORDED_STYLE: dict[str, Any] = {"facecolor": "#dddddd", "edgecolor": "#777777", "hatch": "///"}
KIND_COLOURS = {
    "native": "#4c72b0",
    "wasm": "#2ca02c",
    "component": "#98df8a",
    "oci-wasm": "#17becf",
    "image": "#d62728",
    "other": "#7f7f7f",
}
R = TypeVar("R")
#: How far (points) the start-up legend hangs under the axes: tick labels, the axis
#: label and a gap.
LEGEND_DROP_PT = 40.0


def _variant_colour(name: str) -> str:
    known = BY_NAME.get(name)
    return KIND_COLOURS[known.artifact if known is not None else artifact_kind(name)]


def _box(stats: Stats) -> dict[str, Any]:
    """A box for ``Axes.bxp``: quartiles, whiskers at the extremes (outliers are counted,
    never hidden as fliers)."""
    return {
        "med": stats.median_s,
        "q1": stats.q1_s,
        "q3": stats.q3_s,
        "whislo": stats.min_s,
        "whishi": stats.max_s,
        "fliers": [],
    }


def _shade_claims(ax: Axes) -> None:
    """The claims we test as shaded bands, so the learner sees where the points fall,
    each named above the axes where its band starts (moved left when the axes are too
    narrow for it): over the rows, a name covered a row's box (walk 11, S4)."""
    ax.axvspan(1e-3, 1e-1, color="#2ca02c", alpha=0.07, zorder=0)
    ax.axvspan(SEVERAL_SECONDS_FROM_S, 10, color="#d62728", alpha=0.07, zorder=0)
    style: dict[str, Any] = {"fontsize": 8}
    label_above(ax, 1.1e-3, "claim: wasm\nin milliseconds", color="#2ca02c", **style)
    label_above(
        ax,
        SEVERAL_SECONDS_FROM_S * 1.05,
        "claim:\ncontainers in\nseveral seconds",
        color="#d62728",
        **style,
    )


def _median_label(ax: Axes, row: float, text: str, **style: Any) -> None:
    """A row's median in a column right of the axes, level with its row: at the whisker's
    end it read as a time on the axis (walk 7, S40: "404 µs" sat at the 6 ms grid line)."""
    style = {"va": "center", "fontsize": 8, **style}
    ax.text(1.01, row, text, transform=ax.get_yaxis_transform(), ha="left", **style)


def draw_startup(
    ax: Axes,
    samples: Mapping[str, Sequence[float]],
    summaries: Mapping[str, Measurement] | None = None,
    *,
    order: Sequence[str] | None = None,
    recorded_text: str | None = None,
    kinds: bool = True,
) -> None:
    """One row per variant on a log time axis: live samples as dots (a box from three on),
    summaries of recorded variants as grey hatched boxes; ``kinds``: a legend saying what
    each colour is (a panel of the export page leaves it out)."""
    summaries = summaries or {}
    names = list(order or in_order([*samples, *summaries]))
    names += [v for v in list(samples) + list(summaries) if v not in names]
    rng = np.random.default_rng(0)  # fixed jitter: the same data draws the same picture
    for row, name in enumerate(names):
        summary = summaries.get(name)
        points = list(samples.get(name) or ())
        if summary is not None and summary.recorded:
            ax.bxp(
                [_box(summary.stats)],
                positions=[row],
                orientation="horizontal",
                widths=0.5,
                patch_artist=True,
                boxprops=RECORDED_STYLE,
                manage_ticks=False,
                medianprops={"color": "#555555"},
                whiskerprops={"color": "#777777"},
                capprops={"color": "#777777"},
            )
            ax.scatter(
                [summary.median_s],
                [row],
                marker="D",
                s=40,
                facecolor="white",
                edgecolor="#555555",
                hatch="///",
                zorder=3,
            )
            # Grey italic, as the hatched box, the legend saying what grey is: a narrow
            # column leaves notebook 10's two panels their width.
            _median_label(
                ax, row, format_seconds(summary.median_s), color="#555555", style="italic"
            )
            continue
        if not points and summary is not None:
            points = list(summary.samples_s)
            if not points:
                ax.bxp(
                    [_box(summary.stats)],
                    positions=[row],
                    orientation="horizontal",
                    widths=0.5,
                    manage_ticks=False,
                )
                continue
        if not points:
            continue
        colour = _variant_colour(name)
        jitter = rng.uniform(-0.15, 0.15, len(points))
        ax.scatter(points, row + jitter, s=12, color=colour, alpha=0.6, zorder=3)
        stats = Stats.from_samples(points)
        if len(points) >= 3:
            ax.bxp(
                [_box(stats)],
                positions=[row],
                orientation="horizontal",
                widths=0.5,
                manage_ticks=False,
                medianprops={"color": "black"},
                boxprops={"color": colour},
            )
        _median_label(ax, row, format_seconds(stats.median_s))
    if names:
        _median_label(ax, -0.5, "median", va="bottom")
    ax.set_xscale("log")
    ax.set_yticks(range(len(names)), [label_of(n) for n in names])
    ax.set_ylim(len(names) - 0.5, -0.5)  # first variant on top
    ax.set_xlim(1e-5, 60)
    label_log_axis(ax, format_seconds)
    ax.set_xlabel("start-up time (log scale: each grid line is 10× the one before)")
    ax.grid(axis="x", which="major", alpha=0.3)
    _shade_claims(ax)
    # What each colour is (a component is paler than a module, and says why), and grey.
    coloured = [n for n in names if n in samples or (n in summaries and not summaries[n].recorded)]
    drawn = {BY_NAME[n].artifact for n in coloured if n in BY_NAME} if kinds else set()
    handles = [_legend_patch(KIND_COLOURS[k], label) for k, label in STARTUP_KINDS if k in drawn]
    if any(s.recorded for s in summaries.values()):
        label = textwrap.fill(
            f"grey, hatched: {recorded_text or 'recorded'}, not measured here", 70
        )
        handles.append(_legend_patch(None, label, recorded=True))
    if handles:
        # Right-aligned under the axes, growing left over the labels' side: centred, it
        # ran off the figure's right edge. Its offset is in points, under the tick labels
        # and the axis label: a fraction of the axes' height, it sat on the axis label of
        # the one row a live run starts with.
        drop = ScaledTranslation(0, -LEGEND_DROP_PT / 72, ax.figure.dpi_scale_trans)
        under_axis_label = ax.transAxes + drop
        ax.legend(
            handles=handles,
            loc="upper right",
            bbox_to_anchor=(1.0, 0.0),
            bbox_transform=under_axis_label,
            fontsize=8,
            frameon=False,
            ncols=3 if kinds else 1,
        )


#: The start-up plot's colours, by what a variant starts (``Variant.artifact``).
STARTUP_KINDS = (
    ("native", "native binary"),
    ("wasm", "wasm module"),
    ("component", "wasm component (WASI 0.2)"),
    ("oci-wasm", "module image or OCI artifact"),
    ("image", "Linux container image"),
)


def draw_startup_result(ax: Axes, result: BenchResult, *, kinds: bool = False) -> None:
    """A finished start-up result on ``ax``: every variant's box, recorded ones grey;
    ``kinds``: with the legend of colours."""
    draw_startup(
        ax, {}, variant_summaries(result), recorded_text=recorded_label(result), kinds=kinds
    )


def startup_figure(result: ResultLike, *, title: str | None = None) -> Figure:
    """The start-up result as one static figure (notebooks 06 and 10)."""
    model = as_result(result)
    figure = new_figure(9, 0.45 * max(len(model.variants), 3) + 1.6)
    ax = figure.add_subplot()
    draw_startup_result(ax, model, kinds=True)
    # Lifted above the claims' names and the "median" column's header on the top edge.
    ax.set_title(
        title or "Start-up: native, wasm and containers, same program",
        pad=TITLE_PAD_OVER_LABELS_PT,
    )
    return figure


def _png_display(png: bytes) -> Any:
    from IPython.display import Image

    return Image(data=png, format="png")  # type: ignore[no-untyped-call]


# --- the live plot ----------------------------------------------------------------------


def run_length(seconds: float) -> str:
    """How long a run took, as a watch says it: "45 s", "2 min 06 s"."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"


class LiveStartupPlot(Generic[R]):
    """A start-up plot that fills in while the benchmark runs (notebook 06).

    ``run(runner)`` calls ``runner(on_sample=..., stop=...)``; the harness calls
    ``on_sample(name, index, seconds)`` between samples, and the plot redraws at most
    every ``min_interval_s`` (so drawing never eats the run). Drawing happens *between*
    samples, in the benchmark's thread, never beside a measurement: a second drawing
    thread would compete for the CPU (and the GIL) with the thing being timed.

    With ``blocking=True`` the cell runs the benchmark and the plot updates during it
    (what a headless run needs for a deterministic figure). With ``blocking=False`` it
    runs in a background thread: the kernel stays free, the Stop button works, and
    ``result`` holds the outcome when ``done`` is set.
    """

    def __init__(
        self,
        variants: Sequence[str] = NAMES,
        *,
        expected_samples: int | None = None,
        min_interval_s: float = 0.4,
        clock: Callable[[], float] = time.monotonic,
        title: str = "Start-up, live",
    ) -> None:
        self.variants = list(variants)
        self.expected_samples = expected_samples
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.title = title
        self.phase: Phase | None = None  # what the run said it does now (run_startup's on_phase)
        self._phase_count = 0
        self._phase_started = 0.0
        self._run_started: float | None = None  # when the current or last run began
        self.last_run_s: float | None = None  # how long the last finished run took, start to end
        self.samples: dict[str, list[float]] = {}
        self.summaries: dict[str, Measurement] = {}
        self.recorded_text: str | None = None
        self.stop_event = threading.Event()
        self.done = threading.Event()
        self.result: R | None = None
        self.error: BaseException | None = None
        self.redraws = 0
        self.state = "ready"  # then running, and done, stopped or failed
        self.last_png: bytes = b""
        self._last_draw = float("-inf")
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._handle: Any = None
        self._widgets: dict[str, Any] = {}
        self._runner: Callable[..., R] | None = None

    # -- what the harness calls --

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.samples.values())

    def on_sample(self, name: str, index: int, seconds: float) -> None:
        """Record one sample; redraw if the last redraw is old enough."""
        with self._lock:
            self.samples.setdefault(name, []).append(seconds)
            due = self.clock() - self._last_draw >= self.min_interval_s
        self._update_progress(name)
        if due:
            self.redraw()

    # -- drawing --

    def figure(self) -> Figure:
        with self._lock:
            samples = {k: list(v) for k, v in self.samples.items()}
        figure = new_figure(9, 0.45 * max(len(self.variants), 3) + 1.6)
        ax = figure.add_subplot()
        order = [v for v in self.variants if v in samples or v in self.summaries] or self.variants
        draw_startup(ax, samples, self.summaries, order=order, recorded_text=self.recorded_text)
        # On the figure's left edge, not centred over the axes, which long variant labels
        # push right: there a long progress line ran off the picture.
        figure.suptitle(
            textwrap.fill(f"{self.title}: {self.progress_text()} ({self.state})", 95),
            x=0.01, ha="left", fontsize=11,
        )  # fmt: skip
        return figure

    def on_phase(self, phase: Phase) -> None:
        """The run starts a phase (``run_startup``'s ``on_phase``): progress now counts
        this phase's work, samples or seconds, from here."""
        with self._lock:
            self.phase, self._phase_count, self._phase_started = phase, self.count, self.clock()
        if self._widgets:
            self._widgets["bar"].max = max(phase.samples or math.ceil(phase.seconds or 1), 1)
        self._update_progress(phase.what)

    def _phase_done(self) -> int:
        """How far the current phase is, in its own unit (samples, or whole seconds)."""
        if self.phase is None:
            return self.count
        if self.phase.samples:
            return self.count - self._phase_count
        return int(self.clock() - self._phase_started)

    def progress_text(self) -> str:
        """While running, this phase's progress: "every variant: 12 of 50 samples", then
        "tightening a/b: 14 s of at most 48 s" (without phases, "12 samples of about 50");
        once done, how many rows are recorded rather than measured, so "35 of about 50"
        never reads as a run cut short."""
        running = self.state in ("ready", "running")
        phase = self.phase
        if running and phase is not None and phase.samples:
            done = f"{phase.what}: {self._phase_done()} of {phase.samples} samples"
            return done + self._time_so_far()
        if running and phase is not None:
            done = f"{phase.what}: {self._phase_done()} s of at most {phase.seconds or 0:.0f} s"
            return done + self._time_so_far()
        progress = f"{self.count} samples"
        if self.expected_samples and running:
            progress += f" of about {self.expected_samples}"
        if not running and self.last_run_s is not None:
            progress += f" in {run_length(self.last_run_s)}"
        recorded_rows = sum(1 for summary in self.summaries.values() if summary.recorded)
        if recorded_rows:
            progress += f", {recorded_rows} row{'' if recorded_rows == 1 else 's'} recorded"
        return progress

    def _time_so_far(self) -> str:
        """ " · 40 s so far (the last run took 31 s)": how long a run takes, from this
        run's clock and the last one's, never a figure measured elsewhere (walk 18: a Start
        run on a busy machine took four times the first, and nothing said how long to wait)."""
        if self._run_started is None:
            return ""
        text = f" · {run_length(self.clock() - self._run_started)} so far"
        if self.last_run_s is not None:
            text += f" (the last run took {run_length(self.last_run_s)})"
        return text

    def redraw(self) -> None:
        """Render the figure and replace the displayed picture in place."""
        png = figure_png(self.figure())
        with self._lock:
            self._last_draw = self.clock()
            self.redraws += 1
            self.last_png = png
        if self._handle is not None:
            self._handle.update(_png_display(png))

    # -- showing and controlling --

    def show(self) -> None:
        """Display the controls (Start, Stop, progress) and the picture that will fill in."""
        from IPython.display import display

        controls = self._controls()
        if controls is not None:
            display(controls)  # type: ignore[no-untyped-call]
        self._handle = display(_png_display(figure_png(self.figure())), display_id=True)  # type: ignore[no-untyped-call]

    def _controls(self) -> Any:
        try:
            import ipywidgets as widgets
        except ImportError:  # the plot still works; only the buttons are missing
            return None
        start = widgets.Button(description="Start", icon="play", button_style="success")
        stop = widgets.Button(description="Stop", icon="stop", button_style="danger", disabled=True)
        bar = widgets.IntProgress(value=0, min=0, max=max(self.expected_samples or 1, 1))
        label = widgets.Label("ready")
        start.on_click(lambda _: self.start())
        stop.on_click(lambda _: self.stop())
        self._widgets = {"start": start, "stop": stop, "bar": bar, "label": label}
        return widgets.HBox([start, stop, bar, label])

    def _update_progress(self, name: str) -> None:
        if not self._widgets:
            return
        self._widgets["bar"].value = min(self._phase_done(), self._widgets["bar"].max)
        self._widgets["label"].value = f"{self.count} samples · {name}{self._time_so_far()}"

    def _buttons(self, *, running: bool, blocking: bool = False) -> None:
        """Start while idle, Stop while a background run goes. During a run inside the cell
        the kernel cannot hear a click, so both are off and the label says how to stop."""
        if not self._widgets:
            return
        self._widgets["start"].disabled = running
        self._widgets["stop"].disabled = not running or blocking
        if running:
            self._widgets["label"].value = (
                "running in this cell (to stop: the kernel's interrupt button ■)"
                if blocking
                else "starting: building and preparing every variant..."
            )

    @property
    def running(self) -> bool:
        return self.state == "running"

    def set_runner(self, runner: Callable[..., R]) -> None:
        """What Start will run, without running it now."""
        self._runner = runner

    def run(self, runner: Callable[..., R] | None = None, *, blocking: bool = True) -> R | None:
        """Run ``runner(on_sample=..., stop=...)``; blocking returns its result (or None if
        it failed, with the error in ``error``), non-blocking returns None at once."""
        if runner is not None:
            self._runner = runner
        if self._runner is None:
            raise ValueError("give run() the benchmark to run, e.g. a call to run_startup")
        if self.running:
            return None  # a run is already going; Stop it first
        self.stop_event.clear()
        self.done.clear()
        self.state = "running"
        self._run_started = self.clock()
        self._buttons(running=True, blocking=blocking)
        if blocking:
            self._run_once(self._runner)
            return self.result
        self._thread = threading.Thread(target=self._run_once, args=(self._runner,), daemon=True)
        self._thread.start()
        return None

    def start(self) -> None:
        """What the Start button does: a fresh background run (the kernel stays free).
        While a run is going it only says so: one run at a time, one counter."""
        if self.running:
            if self._widgets:
                self._widgets["label"].value = "already running: press Stop first"
            return
        with self._lock:
            self.samples.clear()
            self.summaries.clear()
            self.phase = None
        self.run(blocking=False)

    def stop(self) -> None:
        """What the Stop button does: the harness stops after the current sample. With no
        run going there is nothing to stop, and nothing changes."""
        if not self.running:
            return
        self.stop_event.set()
        if self._widgets:
            self._widgets["label"].value = "stopping after this sample..."

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a background run; True when it has finished."""
        return self.done.wait(timeout)

    def _run_once(self, runner: Callable[..., R]) -> None:
        self.error = None
        try:
            self.result = runner(on_sample=self.on_sample, stop=self.stop_event)
            if isinstance(self.result, BenchResult | Mapping):
                self.show_result(self.result)  # a benchmark result: draw its recorded rows too
        except Exception as err:  # the kernel must survive anything the run throws
            self.error = err
            if self._widgets:
                self._widgets["label"].value = f"failed: {err}"
        finally:
            if self.error is not None:
                self.state = "failed"
            else:
                self.state = "stopped" if self.stop_event.is_set() else "done"
            if self._run_started is not None:
                self.last_run_s = self.clock() - self._run_started
            self.redraw()
            self._buttons(running=False)
            if self._widgets and self.error is None:
                self._widgets["label"].value = f"{self.state}: {self.progress_text()}"
                if self.state == "done":  # variants that were skipped or recorded send no samples
                    self._widgets["bar"].value = self._widgets["bar"].max
            self.done.set()  # last, so whoever waits sees the final picture and labels

    def show_result(self, result: ResultLike) -> None:
        """Draw a finished result: its recorded variants too (grey, hatched)."""
        model = as_result(result)
        self.summaries = variant_summaries(model)
        self.recorded_text = recorded_label(model)
        for name in self.summaries:
            if name not in self.variants:
                self.variants.append(name)


# --- sizes (notebook 07) ----------------------------------------------------------------


#: The size chart's height per bar and for its title, axis and legend, in inches (100 dpi),
#: and the most it may take: what fits a 1400x1000 window under JupyterLab's bars.
ROW_HEIGHT_IN, FRAME_HEIGHT_IN, MOST_HEIGHT_IN = 0.32, 1.8, 7.5


def size_figure(
    result: ResultLike,
    *,
    recorded: Iterable[str] = (),
    recorded_text: str | None = None,
    title: str = "Sizes of every artifact, same programs",
) -> Figure:
    """Every artifact's size on one log axis, coloured by kind, the claimed ranges shaded. Notebook 07.

    ``result`` is ``run_sizes()``'s result (recorded images are found in it) or a plain
    ``{artifact: bytes}`` mapping with ``recorded`` naming what was not measured here."""
    table = sizes_of(result)
    rows = max(len(table.sizes), 4)
    # A 1400x1000 browser window leaves JupyterLab about 800 px under its bars: past that,
    # the bars get thinner instead of the figure taller (26 artifacts were 1,010 px).
    height = min(ROW_HEIGHT_IN * rows + FRAME_HEIGHT_IN, MOST_HEIGHT_IN)
    figure = new_figure(9, height)
    ax = figure.add_subplot()
    crowded = ROW_HEIGHT_IN * rows + FRAME_HEIGHT_IN > MOST_HEIGHT_IN
    draw_sizes(
        ax, table, recorded=recorded, recorded_text=recorded_text, fontsize=7 if crowded else 8
    )
    ax.set_title(title, pad=TITLE_PAD_OVER_LABELS_PT)  # above the claims' names
    return figure


def draw_sizes(
    ax: Axes,
    table: SizeTable,
    *,
    recorded: Iterable[str] = (),
    recorded_text: str | None = None,
    fontsize: float = 8,
    compact: bool = False,
) -> None:
    """The size bars of :func:`size_figure` on ``ax`` (``table``: :func:`sizes_of` a result);
    ``compact`` (the export page) leaves out the legend and the claims' labels, keeping their
    shaded bands."""
    sizes, found_recorded, found_text, _, kind_of = table
    recorded_names = {*recorded, *found_recorded}
    recorded_text = recorded_text or found_text
    kind_rank = {"wasm": 0, "component": 1, "oci-wasm": 2, "native": 3, "image": 4, "other": 5}
    names = sorted(sizes, key=lambda n: (kind_rank.get(kind_of[n], 9), sizes[n]))
    for row, name in enumerate(names):
        size = sizes[name]
        style: dict[str, Any] = {"color": KIND_COLOURS[kind_of[name]]}
        if name in recorded_names:
            style = dict(RECORDED_STYLE)
        ax.barh(row, size, height=0.6, **style)
        note = f" {format_bytes(size)}" + (" (recorded)" if name in recorded_names else "")
        ax.text(size * 1.1, row, note, va="center", fontsize=fontsize)
    ax.set_xscale("log")
    ax.set_yticks(range(len(names)), names, fontsize=fontsize)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(1e3, 2e10)
    ax.axvspan(1e6, 1e7, color="#2ca02c", alpha=0.08, zorder=0)
    ax.axvspan(1e7, 1e9, color="#d62728", alpha=0.06, zorder=0)
    label_log_axis(ax, format_bytes)
    ax.set_xlabel("size (log scale: each grid line is 10× the one before; 1 KB = 1000 bytes)")
    if compact:
        return
    label_above(ax, 1.1e6, "claim: wasm\n'several MBs'", fontsize=8, color="#2ca02c")
    label_above(ax, 1.1e7, "claim: images 'tens or\nhundreds of MBs'", fontsize=8, color="#d62728")
    handles = [
        _legend_patch(KIND_COLOURS[k], label)
        for k, label in (
            ("wasm", ".wasm module"),
            ("component", "wasm component"),
            # One colour for two bars: the same module, packed two ways for a registry.
            ("oci-wasm", "OCI wasm image or artifact\n(one module, two packings)"),
            ("native", "native binary"),
            ("image", "container image"),
        )
        if k != "component" or any(kind_of[n] == k for n in names)
    ]
    if recorded_names:
        handles.append(
            _legend_patch(None, f"{recorded_text or 'recorded'}, not measured here", recorded=True)
        )
    ax.legend(handles=handles, loc="upper right", fontsize=fontsize)


def _legend_patch(colour: str | None, label: str, *, recorded: bool = False) -> Any:
    from matplotlib.patches import Patch

    if recorded:
        return Patch(label=label, **RECORDED_STYLE)
    return Patch(color=colour, label=label)
