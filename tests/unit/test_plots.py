"""The live start-up plot redraws while samples arrive, and Stop ends a run cleanly."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from kernel_helpers.report.compute_plots import beside_javascript_figure, throughput_figure
from kernel_helpers.report.plots import (
    LiveStartupPlot,
    figure_png,
    size_figure,
    startup_figure,
)
from tests.unit.harness_json_results import (
    FAST_CONTAINERS,
    SIZES_SCRATCH,
    compute_result,
    startup_result,
)

# How long a thread may take to answer before the test calls it stuck. Only a hang waits
# this long; the matrix's legs run at nice 19 beside CI's suite, where 5 s was too short.
PATIENCE_S = 60
PNG_MAGIC = b"\x89PNG"


class FakeClock:
    """Advances by ``step`` seconds each time it is read: a run of known length."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def small_benchmark(on_sample: Any, stop: threading.Event) -> dict[str, Any]:
    """Twelve samples over three variants, then a result with recorded containers."""
    for index in range(4):
        for name, seconds in (("native", 0.001), ("wasm-cached", 0.0009), ("wasmtime-cli", 0.012)):
            if stop.is_set():
                break
            on_sample(name, index, seconds * (1 + index / 10))
    return startup_result(FAST_CONTAINERS, recorded=("docker-scratch", "docker-debian"))


def until_stopped(started: threading.Event) -> Any:
    """A benchmark that samples until Stop; ``started`` is set after its first sample."""

    def endless(on_sample: Any, stop: threading.Event) -> str:
        index = 0
        while not stop.is_set():
            on_sample("native", index, 0.001)
            index += 1
            started.set()
            stop.wait(0.005)
        return "stopped cleanly"

    return endless


def test_live_plot_redraws_during_a_run_and_draws_the_result() -> None:
    live: LiveStartupPlot[dict[str, Any]] = LiveStartupPlot(
        expected_samples=12, min_interval_s=1.0, clock=FakeClock(0.3)
    )
    result = live.run(small_benchmark, blocking=True)
    assert result is not None and live.error is None
    # every 4th sample is due (0.3 s per clock read, at most one redraw a second), plus the final one
    assert 3 <= live.redraws <= 6, live.redraws
    assert live.count == 12
    assert live.last_png.startswith(PNG_MAGIC)
    assert live.summaries["docker-scratch"].recorded
    assert live.recorded_text == "recorded on ci-box, 2026-11-20"
    # Says why a row has no dots, and how long the run took on the plot's own clock.
    assert re.fullmatch(r"12 samples in \d+ s, 2 rows recorded", live.progress_text())


def test_throttling_limits_redraws_when_samples_come_fast() -> None:
    live: LiveStartupPlot[dict[str, Any]] = LiveStartupPlot(
        min_interval_s=10.0, clock=FakeClock(0.001)
    )
    live.run(small_benchmark)
    assert live.redraws == 2  # the first sample and the end: drawing never eats the run


def test_stop_ends_a_background_run_and_keeps_its_samples() -> None:
    started = threading.Event()
    endless = until_stopped(started)
    live: LiveStartupPlot[str] = LiveStartupPlot(min_interval_s=0.05)
    assert live.run(endless, blocking=False) is None  # returns at once: the kernel stays free
    assert started.wait(PATIENCE_S)
    live.stop()
    assert live.wait(PATIENCE_S), "the run did not end after Stop"
    assert live.result == "stopped cleanly" and live.error is None
    assert live.count >= 1
    assert live.samples["native"]


def test_a_failing_benchmark_does_not_raise_into_the_notebook() -> None:
    def broken(on_sample: Any, stop: threading.Event) -> None:
        on_sample("native", 0, 0.001)
        raise RuntimeError("docker went away")

    live: LiveStartupPlot[None] = LiveStartupPlot()
    assert live.run(broken) is None
    assert isinstance(live.error, RuntimeError)
    assert live.samples == {"native": [0.001]}
    assert live.done.is_set()


def test_static_figures_render() -> None:
    for figure in (
        startup_figure(startup_result(FAST_CONTAINERS, recorded=("docker-scratch",))),
        size_figure(SIZES_SCRATCH, recorded=["image docker-debian"], recorded_text="recorded on x"),
        throughput_figure(compute_result(1.4)),
    ):
        assert figure_png(figure).startswith(PNG_MAGIC)


def test_start_up_medians_stand_in_a_column_not_at_the_whisker_end() -> None:
    # Walk 7, S40: "404 µs" was printed at the whisker's end, about the 6 ms grid line, and
    # read as 6 ms. Each median now stands right of the axes, level with its row.
    from kernel_helpers._display import format_seconds

    medians = {**FAST_CONTAINERS, "wasm-cached": 0.000404}
    result = startup_result(medians, recorded=("docker-scratch",))
    ax = startup_figure(result).axes[0]
    labels = {t.get_text(): t for t in ax.texts if t.get_transform() == ax.get_yaxis_transform()}
    assert "median" in labels
    for median in medians.values():
        label = labels[format_seconds(median)]
        assert label.get_position()[0] > 1.0  # past the axes' right edge, in axes units
    assert not any(
        t.get_text() == format_seconds(0.000404) for t in ax.texts if t not in labels.values()
    )


def tick_words(figure: Any) -> list[str]:
    ax = figure.axes[0]
    low, high = ax.get_xlim()
    return [
        ax.xaxis.get_major_formatter()(tick, 0)
        for tick in ax.get_xticks()
        if low * 0.999 <= tick <= high * 1.001
    ]


def test_log_axes_speak_in_units_not_powers_of_ten() -> None:
    startup = tick_words(startup_figure(startup_result(FAST_CONTAINERS)))
    sizes = tick_words(size_figure(SIZES_SCRATCH))
    assert startup[:7] == ["10 µs", "100 µs", "1 ms", "10 ms", "100 ms", "1 s", "10 s"]
    assert sizes[:7] == ["1 KB", "10 KB", "100 KB", "1 MB", "10 MB", "100 MB", "1 GB"]


def test_the_buttons_drive_the_run_and_the_progress_bar_follows() -> None:
    started = threading.Event()
    endless = until_stopped(started)
    live: LiveStartupPlot[str] = LiveStartupPlot(expected_samples=10_000, min_interval_s=0.05)
    controls = live._controls()
    live.set_runner(endless)
    buttons = {child.description: child for child in controls.children if hasattr(child, "click")}
    buttons["Start"].click()  # what a learner's click does: a background run
    assert started.wait(PATIENCE_S)
    buttons["Stop"].click()
    assert live.wait(PATIENCE_S) and live.result == "stopped cleanly"
    assert live._widgets["label"].value.startswith("stopped:")
    assert 0 < live._widgets["bar"].value <= live.count


def test_start_gives_feedback_at_once_and_a_second_start_says_it_is_running() -> None:
    started = threading.Event()
    live: LiveStartupPlot[str] = LiveStartupPlot(min_interval_s=0.05)
    controls = live._controls()
    buttons = {child.description: child for child in controls.children if hasattr(child, "click")}
    assert buttons["Stop"].disabled and not buttons["Start"].disabled  # nothing to stop yet
    go = threading.Event()
    endless = until_stopped(started)

    def prepares_first(on_sample: Any, stop: threading.Event) -> str:
        go.wait(PATIENCE_S)  # like building images before the first sample
        return endless(on_sample, stop)

    live.set_runner(prepares_first)
    buttons["Start"].click()
    assert buttons["Start"].disabled and not buttons["Stop"].disabled
    assert live._widgets["label"].value == "starting: building and preparing every variant..."
    go.set()
    assert started.wait(PATIENCE_S)
    live.start()  # a second Start while running: refused, and said
    assert live._widgets["label"].value == "already running: press Stop first"
    buttons["Stop"].click()
    assert live.wait(PATIENCE_S)
    assert not buttons["Start"].disabled and buttons["Stop"].disabled
    assert live._widgets["label"].value.startswith("stopped:")
    live.stop()  # Stop after the end changes nothing (no "stopping..." left behind)
    assert live._widgets["label"].value.startswith("stopped:")


def test_during_a_run_in_the_cell_both_buttons_are_off_and_the_label_says_how_to_stop() -> None:
    seen: dict[str, Any] = {}
    live: LiveStartupPlot[None] = LiveStartupPlot()
    live._controls()

    def look(on_sample: Any, stop: threading.Event) -> None:
        seen.update(
            start=live._widgets["start"].disabled,
            stop=live._widgets["stop"].disabled,
            label=live._widgets["label"].value,
        )

    live.run(look, blocking=True)
    assert seen == {
        "start": True,
        "stop": True,
        "label": "running in this cell (to stop: the kernel's interrupt button ■)",
    }
    assert not live._widgets["start"].disabled


def test_the_size_chart_of_many_artifacts_fits_a_1400_by_1000_window() -> None:
    """Issue 28, stumble 13: 26 bars made 07's chart taller than the window. Past what fits
    under JupyterLab's bars, the bars get thinner, not the figure taller; every bar and
    its label are still drawn."""
    import io

    from PIL import Image

    many = {f"artifact {n:02d}": 1000 * 3**n % 10**9 + 2000 for n in range(26)}
    figure = size_figure(many)
    width, height = Image.open(io.BytesIO(figure_png(figure))).size
    assert width <= 1400 - 300 and height <= 800, (width, height)
    ax = figure.axes[0]
    assert len(ax.patches) >= 26 and len(ax.get_yticklabels()) == 26
    few = Image.open(io.BytesIO(figure_png(size_figure(dict(list(many.items())[:6]))))).size
    assert few[1] < height  # a short list keeps its short chart


#: What JupyterLab gives a cell's output in a 1400x1000 window: about 970 px across (wider
#: pictures are shrunk to it) and about 800 px of height under its bars.
LAB_OUTPUT_PX = (950, 800)


def _drawn_px(figure: Any) -> tuple[int, int]:
    """The figure as the notebook shows it: its PNG's pixels, at the kit's 100 dpi."""
    import io

    from PIL import Image

    assert figure.dpi == 100
    return Image.open(io.BytesIO(figure_png(figure))).size


def _fonts(figure: Any) -> tuple[list[float], list[float]]:
    """The point sizes of every tick label, and of every other text drawn."""
    from matplotlib.text import Text

    ticks = [
        label.get_fontsize()
        for ax in figure.axes
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]
        if label.get_text()
    ]
    every = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]
    return ticks, every


def test_10s_summary_is_two_figures_that_fit_a_1400_by_1000_window_with_readable_labels() -> None:
    """Issue 28, stumble 13: 10's summary was one 1300x1950 px figure, which JupyterLab
    shrank to ~970 px (its 9 pt labels to ~7 px) and which no window showed whole. Now two
    figures, each shown at its own size and whole: ticks at 9 pt, no text under 8 pt, with
    the most any run draws (the recorded start-up's 13 rows and its legend, 26 sizes)."""
    from kernel_helpers.bench.reference import recorded_result
    from kernel_helpers.bench.results import as_dict, sizes_of
    from kernel_helpers.report.exports import SUMMARY_FONT_PT, summary_figure, summary_figures
    from tests.synthetic_results import all_results

    results = {t: as_dict(r) for t, r in all_results("fast-containers").items()}
    startup = recorded_result("startup", "hello").to_json()
    for variant in startup["variants"].values():
        variant["source"] = "recorded"  # notebook 10's fallback: grey rows and a legend
    many_sizes = {f"artifact {n:02d}": 1000 * 3**n % 10**9 + 2000 for n in range(26)}
    for case in (results, {**results, "startup": startup, "sizes": many_sizes}):
        time, sizes = summary_figures(case)
        assert len(time.axes) == 2 and len(sizes.axes) == 1
        assert len(sizes.axes[0].get_yticklabels()) == len(sizes_of(case["sizes"]).sizes)
        for figure in (time, sizes):
            width, height = _drawn_px(figure)
            assert width <= LAB_OUTPUT_PX[0] and height <= LAB_OUTPUT_PX[1], (width, height)
            ticks, every = _fonts(figure)
            assert min(ticks) >= SUMMARY_FONT_PT >= 9 and min(every) >= 8, (ticks, every)
        page = summary_figure(case)  # the export's PNG: both, one under the other, same size
        assert _drawn_px(page)[0] == _drawn_px(time)[0] and len(page.axes) == 3


def test_10s_summary_of_nothing_measured_yet_says_so_in_one_line_per_part() -> None:
    from kernel_helpers.report.exports import summary_figures

    time, sizes = summary_figures({})
    texts = [t.get_text() for f in (time, sizes) for ax in f.axes for t in ax.texts]
    assert texts == [
        "Start-up: not measured yet (notebook 06)",
        "Steady-state speed: not measured yet (notebook 08)",
        "Sizes: not measured yet (notebook 07)",
    ]
    assert _drawn_px(sizes)[1] <= 60  # one line, not an empty panel's height


def test_10s_class_chart_of_two_exports_fits_the_window_too(tmp_path: Any) -> None:
    """Notebook 10 merges the learner's export with the recorded reference run: 13 rows of
    two bars each were 875 px tall; the bars get thinner, not the figure taller."""
    from kernel_helpers.bench.reference import recorded_result
    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.exports import aggregate_exports, export_results
    from tests.synthetic_results import all_results

    reference = export_results(
        "reference", out_dir=tmp_path, results={"startup": recorded_result("startup", "hello")}
    )
    mine = export_results(
        "me",
        out_dir=tmp_path,
        results={"startup": as_dict(all_results("fast-containers")["startup"])},
    )
    figure, rows = aggregate_exports([reference.json_path, mine.json_path])
    assert len({r["variant"] for r in rows}) >= 13
    width, height = _drawn_px(figure)
    assert width <= LAB_OUTPUT_PX[0] and height <= LAB_OUTPUT_PX[1], (width, height)
    # Walk 8, S15: the x label, centred under axes that the long row labels push right,
    # lost its closing ")" at the picture's edge. It wraps before its parenthesis now.
    assert _past_the_picture(figure) == []
    assert figure.axes[0].get_xlabel().startswith("median start-up\n(log scale")


def _past_the_picture(figure: Any) -> list[str]:
    """The texts placed in ``figure`` that run past its left or right edge (cut off there).
    A text placed outside it, such as the label of a tick beyond the axis' end, is never
    drawn, so it is left out."""
    from matplotlib.text import Text

    figure.draw_without_rendering()
    width = figure.bbox.width
    cut = []
    for text in figure.findobj(Text):
        if not (text.get_visible() and text.get_text().strip()):
            continue
        anchor = text.get_transform().transform(text.get_position())[0]
        box = text.get_window_extent()
        if 0 <= anchor <= width and (box.x0 < 0 or box.x1 > width):
            cut.append(text.get_text())
    return cut


def test_notebook_08s_figures_keep_the_course_colours() -> None:
    """Walk 3, S23: blue meant fib in one figure of 08 and native in the next; orange meant
    sha256, then wasm. Now blue is native and green wasm in both, as in notebook 06."""
    from matplotlib.colors import to_hex

    from kernel_helpers.bench.compute import SIDE_LABELS, browser_cases
    from kernel_helpers.report.compute_plots import SIDE_COLOURS, beside_javascript_figure
    from kernel_helpers.report.plots import KIND_COLOURS

    slowdown = throughput_figure(compute_result(1.4)).axes[0]
    points = [line for line in slowdown.get_lines() if line.get_marker() in ("o", "s")]
    assert {to_hex(line.get_color()) for line in points} == {KIND_COLOURS["wasm"]}
    assert {line.get_marker() for line in points} == {"o", "s"}  # fib, sha256: one marker each
    assert SIDE_COLOURS["native"] == KIND_COLOURS["native"]
    assert SIDE_COLOURS["wasmtime"] == KIND_COLOURS["wasm"]
    case = browser_cases()[0].label
    timed = {f"{side} {case}": {"samples_s": [0.010, 0.011, 0.012]} for side in SIDE_LABELS}
    sides = beside_javascript_figure({"variants": timed}).axes[0]
    drawn = {text.get_text(): to_hex(handle.get_color())
             for text, handle in zip(sides.get_legend().get_texts(),
                                     sides.get_legend().legend_handles, strict=True)}  # fmt: skip
    assert drawn == {SIDE_LABELS[side]: colour for side, colour in SIDE_COLOURS.items()}


def _ends_inside(ax: Any) -> list[str]:
    """The texts written in ``ax`` that end past its right edge (a figure's edge cuts them)."""
    from kernel_helpers._figures import LABEL_ROOM_PX

    root = ax.figure
    while not hasattr(root, "draw_without_rendering"):
        root = root.figure
    root.draw_without_rendering()
    right = ax.get_window_extent().x1
    return [t.get_text() for t in ax.texts if t.get_window_extent().x1 > right - LABEL_ROOM_PX / 2]


@pytest.mark.parametrize("which", ["fast-containers", "wasm-slower"])
def test_labels_beside_points_and_bars_end_inside_their_axes(which: str, tmp_path: Any) -> None:
    """Walk 7, S34: in 10's speed panel "1.42×" ended at the picture's edge and "native
    speed" was written over fib(30)'s error bar; in the class chart "1.12 s (recorded)"
    reached the edge. Labels now end inside their axes, and the line and the band are
    named in the legend."""
    from kernel_helpers.bench.reference import recorded_result
    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.exports import aggregate_exports, export_results, summary_figures
    from tests.synthetic_results import all_results

    results = {t: as_dict(r) for t, r in all_results(which).items()}
    speed = summary_figures(results)[0].axes[1]
    alone = throughput_figure(results["compute"]).axes[0]
    for ax in (speed, alone):
        assert len(ax.texts) == 4 and _ends_inside(ax) == [], [t.get_text() for t in ax.texts]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "native speed (1)" in legend and any("Jangda" in t for t in legend)
    reference = export_results(
        "reference", out_dir=tmp_path, results={"startup": recorded_result("startup", "hello")}
    )
    mine = export_results("me", out_dir=tmp_path, results={"startup": results["startup"]})
    chart = aggregate_exports([reference.json_path, mine.json_path])[0].axes[0]
    assert any("(recorded)" in t.get_text() for t in chart.texts)
    assert _ends_inside(chart) == []


@pytest.mark.parametrize("ratio", [0.98, 1.0, 1.03])
def test_a_ratio_label_near_1_stays_off_the_native_speed_line(ratio: float) -> None:
    """Walk 20: in 08's speed figure "0.98×" was written over the native-speed line at 1.
    A label near it now sits just above or below, in 08's figure and in 10's summary; and
    08's legend stands right of the panel, where it can cover no ratio label."""
    from kernel_helpers.report.exports import summary_figures

    alone = throughput_figure(compute_result(ratio)).axes[0]
    summary = summary_figures({"compute": compute_result(ratio)})[0].axes[1]
    for ax in (alone, summary):
        ax.figure.draw_without_rendering()
        line = ax.transData.transform((0, 1.0))[1]
        crossed = [t.get_text() for t in ax.texts
                   if t.get_window_extent().y0 <= line <= t.get_window_extent().y1]  # fmt: skip
        assert len(ax.texts) == 6 and crossed == [], crossed
    legend = alone.get_legend().get_window_extent()
    assert legend.x0 >= alone.get_window_extent().x1  # outside the panel, to its right


def test_the_claims_names_end_inside_their_axes_however_narrow_the_plot() -> None:
    """Walk 8, S6: "claim: containers in several seconds", written where its band starts
    near the right edge, ran past the frame of 06's plot and of 10's summary, whose long
    row labels leave the axes narrow. The names move left as far as they would overflow;
    the live plot and the size chart write theirs the same way."""
    from kernel_helpers.bench.reference import recorded_result
    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.exports import summary_figures
    from tests.synthetic_results import all_results

    recorded = recorded_result("startup", "hello")  # 13 rows: the narrowest axes
    live = LiveStartupPlot(list(recorded.variants))
    for name, measured in recorded.variants.items():
        live.samples[name] = list(measured.samples_s)
    results = {t: as_dict(r) for t, r in all_results("fast-containers").items()}
    panels = {
        "06's figure": startup_figure(recorded).axes[0],
        "06's live plot": live.figure().axes[0],
        "10's summary": summary_figures({**results, "startup": recorded.to_json()})[0].axes[0],
        "07's sizes": size_figure(SIZES_SCRATCH).axes[0],
    }
    for where, ax in panels.items():
        claims = [t for t in ax.texts if t.get_text().startswith("claim")]
        assert len(claims) == 2, (where, [t.get_text() for t in ax.texts])
        cut = [c for c in _ends_inside(ax) if c.startswith("claim")]
        assert cut == [], (where, cut)
    # Moved only as far as needed: the container claim still starts inside its band's
    # decade, right of the 1 s grid line, rather than being pushed to the left edge.
    ax = panels["06's figure"]
    several = next(t for t in ax.texts if "several seconds" in t.get_text())
    assert several.get_position()[0] > 1.0


def test_the_start_up_title_stays_clear_of_the_median_columns_header() -> None:
    # Seen while fixing walk 8: the title ran into "median" at the figure's top right.
    from kernel_helpers.bench.reference import recorded_result

    figure = startup_figure(recorded_result("startup", "hello"))
    figure.draw_without_rendering()
    ax = figure.axes[0]
    header = next(t for t in ax.texts if t.get_text() == "median").get_window_extent()
    assert not ax.title.get_window_extent().overlaps(header)


def _covered(figure: Any, label: Any) -> list[str]:
    """What ``label`` is drawn over, or how it is cut: every other text (tick labels, bar
    and median labels, titles, legend), every box, whisker, dot and bar of the figure
    (the claims' own pale bands aside), and the figure's or its clip box's edge."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.spines import Spine
    from matplotlib.text import Text

    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    box = label.get_window_extent(renderer)
    found = (
        []
        if figure.bbox.contains(box.x0, box.y0) and figure.bbox.contains(box.x1, box.y1)
        else ["the figure's edge"]
    )
    clip = label.get_clip_box() if label.get_clip_on() else None
    if clip is not None and not (clip.contains(box.x0, box.y0) and clip.contains(box.x1, box.y1)):
        found.append("clipped by its axes")
    for other in figure.findobj(lambda a: isinstance(a, Text | Line2D | Collection | Patch)):
        if other is label or not other.get_visible() or other.figure is None:
            continue
        if isinstance(other, Text) and not other.get_text().strip():
            continue
        if isinstance(other, Patch) and (other.get_alpha() or 1) < 0.2:
            continue  # a claim's shaded band, which its name is meant to be on
        if isinstance(other, Spine) or other in (figure.patch, *[a.patch for a in figure.axes]):
            continue  # the frame, which a name above the axes stands on
        if isinstance(other, Patch) and other.axes is None:
            continue  # a legend's frame and swatches: its texts are checked
        if isinstance(other, Line2D) and other.axes is None:
            continue
        if _drawn_box(other, renderer).overlaps(box):
            found.append(f"{type(other).__name__} {getattr(other, 'get_text', lambda: '')()!r}")
    return found


def _drawn_box(artist: Any, renderer: Any) -> Any:
    """Where ``artist`` is drawn, in pixels; for dots, the box round their centres plus a
    dot's size (matplotlib gives a scatter no window extent of its own)."""
    from matplotlib.collections import PathCollection
    from matplotlib.transforms import Bbox

    if not isinstance(artist, PathCollection) or not len(artist.get_offsets()):
        return artist.get_window_extent(renderer)
    centres = artist.get_offset_transform().transform(artist.get_offsets())
    radius = max(artist.get_sizes(), default=36) ** 0.5 / 2 * artist.figure.dpi / 72
    return Bbox([centres.min(axis=0) - radius, centres.max(axis=0) + radius])


def _claims_of(figure: Any) -> list[Any]:
    return [t for ax in figure.axes for t in ax.texts if t.get_text().startswith("claim")]


def _live_plot(rows: int) -> LiveStartupPlot[Any]:
    from kernel_helpers.bench.reference import recorded_result

    recorded = recorded_result("startup", "hello")
    names = list(recorded.variants)[:rows]
    live: LiveStartupPlot[Any] = LiveStartupPlot(names)
    for name in names:
        live.samples[name] = list(recorded.variants[name].samples_s)
    return live


@pytest.mark.parametrize("rows", [1, 2, 5, 13])
def test_the_start_up_claims_names_cover_no_row_at_any_row_count(rows: int) -> None:
    """Walk 11, S4: "claim: wasm in milliseconds", written on the bottom row, covered
    the box of "OCI wasm: pull + run as a shim would". The names now stand above the
    axes, clear of every row's box, dots and label, and of the titles, at every row
    count a live run passes through (it starts with one row)."""
    from kernel_helpers.bench.reference import recorded_result

    recorded = recorded_result("startup", "hello")
    figures = [_live_plot(rows).figure()]
    if rows == 13:  # 06's static figure too, whose title sits over the axes
        figures.append(startup_figure(recorded))
    for figure in figures:
        claims = _claims_of(figure)
        assert len(claims) == 2
        for claim in claims:
            assert _covered(figure, claim) == [], claim.get_text()
    # Seen while fixing it: with one row, the legend hung on the axis label.
    live = figures[0]
    ax = live.axes[0]
    legend = ax.get_legend().get_window_extent(live.canvas.get_renderer())
    assert not legend.overlaps(ax.xaxis.label.get_window_extent())


def test_the_size_figures_claims_are_named_visibly_and_cover_no_bar() -> None:
    """Walk 12, S6: 07's green and pink bands showed no name: the names were written
    above the axes but clipped to them. They show now, clear of every bar, bar label,
    the title and the legend, with few bars and with 26."""
    many = {f"artifact {n:02d}": 1000 * 3**n % 10**9 + 2000 for n in range(26)}
    for sizes in (SIZES_SCRATCH, many):
        figure = size_figure(sizes)
        claims = _claims_of(figure)
        assert [c.get_text().split()[1] for c in claims] == ["wasm", "images"]
        for claim in claims:
            assert _covered(figure, claim) == [], claim.get_text()


def test_the_size_legend_says_why_oci_image_and_artifact_share_a_colour() -> None:
    """Walk 11, S7: the legend's "OCI wasm artifact" colour marked the "oci-wasm image"
    bar too. One entry names both and says why they share it."""
    sizes = {"oci-wasm artifact": 36_842, "oci-wasm image": 12_353, "hello.c.wasm": 36_000}
    legend = [t.get_text() for t in size_figure(sizes).axes[0].get_legend().get_texts()]
    oci = [t for t in legend if "OCI" in t]
    assert len(oci) == 1 and "image" in oci[0] and "artifact" in oci[0], legend
    assert "one module" in oci[0]


@pytest.mark.parametrize("browser", [True, False], ids=["with-page", "headless"])
def test_the_figure_beside_javascript_labels_a_time_under_and_over_every_point(
    browser: bool,
) -> None:
    """Walk 15, S5: 08's log time axis labelled only 10 ms and 100 ms, and fib(30)'s points
    (3-9 ms) sat under the lowest label with nothing to read them against."""
    from kernel_helpers.bench.compute import SIDES, browser_cases

    medians = {"fib(30)": (0.0031, 0.0039, 0.0062, 0.0089), "fib(35)": (0.026, 0.0335, 0.045, 0.07),
               "sha256 1 MiB": (0.0112, 0.0122, 0.0105, 0.021),
               "sha256 8 MiB": (0.0818, 0.0883, 0.080, 0.138)}  # fmt: skip
    timed = {
        f"{side} {case.label}": {"samples_s": [m * 0.95, m, m * 1.05]}
        for case in browser_cases()
        for side, m in zip(SIDES, medians[case.label], strict=True)
        if browser or not side.startswith("browser")
    }
    ax = beside_javascript_figure({"variants": timed}).axes[0]
    ax.figure.draw_without_rendering()
    bottom, top = ax.get_ylim()
    labelled = [
        label.get_position()[1]
        for label in ax.yaxis.get_ticklabels()  # the major ticks': minor ones are unlabelled
        if label.get_text() and bottom <= label.get_position()[1] <= top
    ]
    plotted = [s for run in timed.values() for s in run["samples_s"]]
    assert len(labelled) >= 3
    for value in plotted:
        assert min(labelled) <= value <= max(labelled), (value, labelled)
    assert any(label <= min(plotted) * 2 for label in labelled)  # not only far below it


def test_10s_summary_keeps_every_text_clear_of_the_png_edges() -> None:
    """Walk 19, S7: the longest row label, "wasm component (WASI 0.2), linked +
    instantiated (in process)", began 4 px from the PNG's left edge. In the saved PNGs
    (the export's page and both figures) nothing is drawn within 8 px of an edge, with the
    most any run draws (the recorded start-up's rows and legend)."""
    import io

    import numpy as np
    from matplotlib.image import imread

    from kernel_helpers._figures import figure_png
    from kernel_helpers.bench.reference import recorded_result
    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.exports import summary_figure, summary_figures
    from tests.synthetic_results import all_results

    results = {t: as_dict(r) for t, r in all_results("fast-containers").items()}
    results["startup"] = recorded_result("startup", "hello").to_json()
    margin = 8
    page, time, sizes = summary_figure(results), *summary_figures(results)
    for figure in (page, time, sizes):
        pixels = imread(io.BytesIO(figure_png(figure)))[..., :3]
        labels = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]
        longest = any("linked + instantiated" in label for label in labels)
        assert longest or figure is sizes  # the start-up panel's longest label is there
        background = pixels[0, 0]
        strips = {
            "left": pixels[:, :margin],
            "right": pixels[:, -margin:],
            "top": pixels[:margin],
            "bottom": pixels[-margin:],
        }
        drawn = [side for side, strip in strips.items() if not np.all(strip == background)]
        assert drawn == [], f"something is drawn within {margin} px of the {drawn} edge"
    # Seen while fixing it: the narrower speed panel moved its "best" legend onto "0.93×".
    renderer = page.canvas.get_renderer()
    speed = next(ax for ax in page.axes if ax.get_title().startswith("Steady-state"))
    legend = speed.get_legend().get_window_extent(renderer)
    assert not [t.get_text() for t in speed.texts if t.get_window_extent(renderer).overlaps(legend)]


def test_10s_speed_legend_stands_under_its_own_panel() -> None:
    """Walk 23, S6: the speed panel's legend stood far left of the panel, under the start-up
    labels. It stands just under the panel's x labels now, within the panel's width."""
    from kernel_helpers.bench.reference import recorded_result
    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.exports import summary_figure, summary_figures
    from tests.synthetic_results import all_results

    results = {t: as_dict(r) for t, r in all_results("fast-containers").items()}
    results["startup"] = recorded_result("startup", "hello").to_json()
    for figure in (summary_figures(results)[0], summary_figure(results)):
        figure.draw_without_rendering()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        speed = next(ax for ax in figure.axes if ax.get_title().startswith("Steady-state"))
        panel = speed.get_window_extent(renderer)
        legend = speed.get_legend().get_window_extent(renderer)
        labels = speed.xaxis.get_tightbbox(renderer)
        assert labels is not None
        assert panel.x0 - 1 <= legend.x0 and legend.x1 <= panel.x1 + 1  # under the panel
        assert legend.y1 <= labels.y0  # below its x labels, not over them
        assert labels.y0 - legend.y1 < 20  # and next to them (pixels at 100 dpi)
