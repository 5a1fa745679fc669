"""The learner's own results: saved as they go, exported, and merged across a class.

Notebooks 06-09 each save what they measured under a topic ("startup", "sizes", "pull",
"density", "portability", "compute", "compute-browser", "oci") in ``<cache>/results/``;
notebook 10 reads them all back for the verdict page and exports one JSON + one PNG an
instructor can collect. ``aggregate_exports`` merges several learners' exports into one comparison across
machines. Introduced in notebook 06;
the export and the aggregator in notebook 10.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import unicodedata
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._display import describe_machine, format_seconds
from .._errors import ResultsError
from .._system import cache_dir
from ..bench.results import as_dict, as_result, sizes_of, variant_summaries
from ..bench.variants import in_order, label_of
from .handin import hand_in

if TYPE_CHECKING:  # only named in annotations: the hub's class view loads matplotlib when it draws
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

EXPORT_SCHEMA = "wasm-course-results/1"
TOPICS = ("startup", "sizes", "pull", "density", "portability", "compute", "compute-browser", "oci")
#: The environment variable that names the learner in exports (notebook 10's box starts with it).
LEARNER_ENV = "LEARNER"
#: What a file name cannot hold on Linux, macOS or Windows; every other character is kept.
_PATH_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def results_dir(folder: str | Path | None = None) -> Path:
    """Where results are saved: ``folder`` if given, else ``<kit cache>/results``."""
    path = Path(folder) if folder is not None else cache_dir() / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_result(topic: str, result: Any, *, folder: str | Path | None = None) -> Path:
    """Save one topic's result (a dict, or anything with ``to_json()``) as JSON. Notebook 06."""
    if topic not in TOPICS:
        raise ResultsError(f"unknown topic {topic!r}", fix=f"use one of: {', '.join(TOPICS)}")
    path = results_dir(folder) / f"{topic}.json"
    data = as_dict(result)
    data.setdefault("saved_utc", _now())
    text = json.dumps(data, indent=1, sort_keys=True, default=str)
    path.write_text(text)
    hand_in(f"{topic}.json", text.encode())  # on a hub, the instructor sees it now
    return path


def load_results(folder: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Every topic saved so far; a damaged file is skipped, never fatal. Notebook 10."""
    found = {}
    for topic in TOPICS:
        path = results_dir(folder) / f"{topic}.json"
        if path.is_file():
            try:
                found[topic] = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
    return found


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _machine(results: Mapping[str, Any]) -> dict[str, Any]:
    for topic in TOPICS:
        machine = (results.get(topic) or {}).get("machine")
        if machine:
            return dict(machine)
    return {
        "hostname": platform.node(),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


@dataclass(frozen=True)
class Export:
    """Where an export was written."""

    json_path: Path
    png_path: Path

    def __str__(self) -> str:
        return f"results: {self.json_path}\nfigure:  {self.png_path}"


def machine_id() -> str:
    """A short, stable identity of this machine: a hash of ``/etc/machine-id`` (or of the
    host name and MAC address), so the raw id never leaves the machine. ``aggregate``
    counts machines by it."""
    raw = ""
    for source in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            raw = Path(source).read_text().strip()
        except OSError:
            continue
        if raw:
            break
    if not raw:
        raw = f"{platform.node()}|{uuid.getnode():x}"
    return hashlib.sha256(f"wasm-course|{raw}".encode()).hexdigest()[:12]


def learner_name(name: str | None = None) -> str:
    """The name an export carries: ``name`` if given, else ``$LEARNER``, else
    ``learner-<machine>`` (different on every machine, so exports never collide by default)."""
    for candidate in (name, os.environ.get(LEARNER_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    return f"learner-{machine_id()[:6]}"


def learner_name_box() -> Any:
    """Notebook 10's text box for the learner's name, filled in from ``$LEARNER`` if set."""
    import ipywidgets

    # A Text's default width cut its placeholder to "a name or nickname for your" (walk 15).
    return ipywidgets.Text(
        value=os.environ.get(LEARNER_ENV, ""),
        description="Your name:",
        placeholder="a name or nickname for your export",
        layout=ipywidgets.Layout(width=NAME_BOX_WIDTH),
        style={"description_width": "initial"},
    )


#: Wide enough for the description and the whole placeholder (about 0.55 em a character).
NAME_BOX_WIDTH = "32em"


def safe_file_stem(name: str) -> str:
    """``name`` as a file name: letters of every script kept (``Zoë_O'Brien``, ``李明``),
    spaces made ``_`` (a name a shell or a mail client does not split), and what a path
    cannot hold replaced (``/ \\ : * ? " < > |``, control characters)."""
    stem = _PATH_UNSAFE.sub("-", unicodedata.normalize("NFC", name)).strip(" .-")
    stem = re.sub(r"\s+", "_", stem[:100].rstrip(" .-"))
    return stem or "learner"


def _free_stem(folder: Path, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3`` ... : the first with neither file there yet."""
    candidate, number = stem, 1
    while any((folder / f"{candidate}-results{ext}").exists() for ext in (".json", ".png")):
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def export_results(
    learner: str | None = None,
    *,
    folder: str | Path | None = None,
    out_dir: str | Path | None = None,
    figure: Figure | None = None,
    results: Mapping[str, Any] | None = None,
) -> Export:
    """Write ``<learner>-results.json`` and ``<learner>-results.png`` (notebook 10):
    the results saved in ``folder``, or ``results`` when given. The name comes from
    :func:`learner_name`; an existing export is never overwritten (``<learner>-2-...``)."""
    from .._figures import figure_png

    results = (
        {k: as_dict(v) for k, v in results.items()} if results is not None else load_results(folder)
    )
    if not results:
        raise ResultsError(
            "nothing to export yet: no saved results",
            fix="run notebooks 06-09 first (each saves what it measures)",
        )
    target = Path(out_dir) if out_dir is not None else results_dir(folder)
    target.mkdir(parents=True, exist_ok=True)
    learner = learner_name(learner)
    stem = _free_stem(target, safe_file_stem(learner))
    payload = {
        "schema": EXPORT_SCHEMA,
        "learner": learner,
        "exported_utc": _now(),
        "machine": _machine(results),
        "machine_id": machine_id(),
        "results": results,
    }
    json_path = target / f"{stem}-results.json"
    json_path.write_text(
        json.dumps(payload, indent=1, sort_keys=True, default=str, ensure_ascii=False),
        encoding="utf-8",
    )
    png_path = target / f"{stem}-results.png"
    png_path.write_bytes(figure_png(figure if figure is not None else summary_figure(results)))
    hand_in("export.json", json_path.read_bytes())
    hand_in("export.png", png_path.read_bytes())
    return Export(json_path, png_path)


def read_export(path: str | Path) -> dict[str, Any]:
    """One learner's export, checked for the schema."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ResultsError(f"cannot read {path}: {err}") from err
    if not isinstance(data, dict) or data.get("schema") != EXPORT_SCHEMA:
        raise ResultsError(
            f"{path} is not a course export (schema {EXPORT_SCHEMA})",
            fix="collect the *-results.json files notebook 10 writes",
        )
    return data


#: The summary's labels: readable at the size JupyterLab shows the figure (9 pt = 12.5 px).
SUMMARY_FONT_PT = 9
#: The summary's figures: as wide as the kit's other figures (900 px at 100 dpi, which
#: JupyterLab shows unshrunk in a 1400 px window) and at most as tall as the room under
#: JupyterLab's bars in a 1000 px window (about 800 px), so each is seen whole.
SUMMARY_WIDTH_IN, SUMMARY_MOST_HEIGHT_IN = 9.0, 7.6
SIZE_ROW_IN = 0.24  # inches per size bar: 24 px, room for a 9 pt label
STARTUP_ROW_IN = 0.28  # inches per start-up row: 28 px, a 9 pt label and its box
SPEED_PANEL_IN = 2.6  # the speed panel: a handful of points, no labels to stack
NOT_MEASURED_IN = 0.5  # a part not run yet: one line of text
SUPTITLE_IN = 0.4  # the line that names the machine
#: The room the summary leaves between its texts and the image's edges, in points (12 px
#: at 100 dpi): with constrained layout's own 3 pt pad alone, the longest row label began
#: 4 px from the PNG's left edge (walk 19, S7).
SUMMARY_MARGIN_PT = 9
#: What constrained layout leaves round the panels inside its rectangle, in points.
LAYOUT_PAD_PT = 3


def _summary_figure(height_in: float, title: str | None = None) -> Figure:
    """A summary figure framed by :data:`SUMMARY_MARGIN_PT`: its title stands that far
    below the top, and the layout's rectangle is inset so the panels' texts keep it from
    every other edge, and start under the title's measured height. (A larger layout pad
    would widen the gaps between the panels too; a title the layout placed itself would
    stay 3 pt from the top.)"""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from .._figures import new_figure

    figure = new_figure(SUMMARY_WIDTH_IN, height_in)
    margin_in = (SUMMARY_MARGIN_PT - LAYOUT_PAD_PT) / 72
    top_in = margin_in
    if title is not None:
        text = figure.suptitle(title, y=1 - SUMMARY_MARGIN_PT / 72 / height_in, va="top")
        title_px = text.get_window_extent().height  # measured by the figure's own renderer
        top_in = SUMMARY_MARGIN_PT / 72 + title_px / figure.dpi
    across, down = margin_in / SUMMARY_WIDTH_IN, margin_in / height_in
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):  # new_figure's layout="constrained"
        engine.set(rect=(across, down, 1 - 2 * across, 1 - down - top_in / height_in))
    return figure


def _not_measured(ax: Axes, what: str, notebook: str) -> None:
    """One line where a panel would be: the part the learner has not run yet."""
    ax.text(0.5, 0.5, f"{what}: not measured yet (notebook {notebook})", ha="center",
            va="center", transform=ax.transAxes)  # fmt: skip
    ax.set_axis_off()


def _time_height(results: Mapping[str, Any]) -> list[float]:
    """Inches for the start-up panel (a row per variant) and the speed panel below it; a
    part not measured yet takes one line."""
    startup, compute = NOT_MEASURED_IN, NOT_MEASURED_IN
    if "startup" in results:
        rows = max(len(as_result(results["startup"]).variants), 3)
        most = SUMMARY_MOST_HEIGHT_IN - SPEED_PANEL_IN - SUPTITLE_IN
        startup = min(STARTUP_ROW_IN * rows + 1.2, most)
    if "compute" in results:
        compute = SPEED_PANEL_IN
    return [startup, compute]


def draw_time_panels(figure: Figure | SubFigure, results: Mapping[str, Any]) -> None:
    """Start-up (06) on top and steady-state speed (08) below: the two answers in time."""
    from .._figures import TITLE_PAD_OVER_LABELS_PT, keep_labels_inside
    from .compute_plots import draw_throughput
    from .plots import draw_startup_result

    grid = figure.add_gridspec(2, 1, height_ratios=_time_height(results))
    startup, compute = (figure.add_subplot(grid[row, 0]) for row in range(2))
    if "startup" in results:
        draw_startup_result(startup, as_result(results["startup"]))
        startup.set_title("Start-up", pad=TITLE_PAD_OVER_LABELS_PT)  # over the claims' names
    else:
        _not_measured(startup, "Start-up", "06")
    if "compute" in results:
        draw_throughput(compute, results["compute"])
        compute.set_title("Steady-state speed: wasm time / native time")
        compute.set_ylabel("ratio (1 = same speed)")  # the title says what is divided
    else:
        _not_measured(compute, "Steady-state speed", "08")
    for ax in (startup, compute):
        ax.tick_params(labelsize=SUMMARY_FONT_PT)
    if "compute" in results:  # after the larger ticks, which narrow the panel
        _legend_under(compute)
        keep_labels_inside(compute, list(compute.texts))


def _legend_under(ax: Axes) -> None:
    """The speed panel's legend just under its own x labels, its right edge on the panel's:
    inside the panel, "best" weighs points and bands but not the ratio labels, and covered
    one (walk 19, S7); left of it, in the room the start-up labels leave, it stood far from
    the plot it explains (walk 23, S6). The x labels' depth is measured, in points, so the
    legend keeps clear of them wherever the layout puts the panel."""
    from matplotlib.transforms import ScaledTranslation

    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = ax.xaxis.get_tightbbox(renderer)
    depth_pt = (ax.get_window_extent(renderer).y0 - labels.y0) * 72 / ax.figure.dpi if labels else 0
    down = ScaledTranslation(0, -(depth_pt + LAYOUT_PAD_PT) / 72, ax.figure.dpi_scale_trans)
    under = ax.transAxes + down  # points under the panel's bottom, wherever it is laid out
    ax.legend(fontsize=8, loc="upper right", bbox_to_anchor=(1, 0), bbox_transform=under, ncols=2)


def _size_height(results: Mapping[str, Any]) -> float:
    if "sizes" not in results:
        return NOT_MEASURED_IN
    bars = len(sizes_of(results["sizes"]).sizes)
    return min(max(3.0, SIZE_ROW_IN * bars + 1.4), SUMMARY_MOST_HEIGHT_IN)


def draw_size_panel(figure: Figure | SubFigure, results: Mapping[str, Any]) -> None:
    """Every artifact's size (07), its labels at :data:`SUMMARY_FONT_PT` however many."""
    from .plots import draw_sizes

    ax = figure.add_subplot()
    if "sizes" not in results:
        _not_measured(ax, "Sizes", "07")
        return
    draw_sizes(ax, sizes_of(results["sizes"]), fontsize=SUMMARY_FONT_PT, compact=True)
    ax.set_title("Sizes: green .wasm, cyan OCI, blue native, red images, grey recorded")
    ax.tick_params(axis="x", labelsize=SUMMARY_FONT_PT)


def summary_figures(results: Mapping[str, Any]) -> tuple[Figure, Figure]:
    """Notebook 10's summary as two figures that each fit a 1400x1000 browser window
    unshrunk: start-up and speed, then sizes (as far as the learner measured them)."""
    machine = describe_machine(_machine(results))
    time_title = f"Start-up and speed, measured on {machine}"
    time = _summary_figure(sum(_time_height(results)) + SUPTITLE_IN, time_title)
    draw_time_panels(time, results)
    sizes = _summary_figure(_size_height(results))
    draw_size_panel(sizes, results)
    return time, sizes


def summary_figure(results: Mapping[str, Any]) -> Figure:
    """The export's one page: :func:`summary_figures`' two figures one under the other, as
    large as in the notebook (the PNG an instructor opens). Notebook 10."""
    heights = [sum(_time_height(results)), _size_height(results)]
    title = f"Results measured on {describe_machine(_machine(results))}"
    figure = _summary_figure(sum(heights) + SUPTITLE_IN, title)
    parts = figure.subfigures(2, 1, height_ratios=heights, squeeze=False)[:, 0]
    draw_time_panels(parts[0], results)
    draw_size_panel(parts[1], results)
    return figure


def _who(export: Mapping[str, Any]) -> str:
    machine = export.get("machine") or {}
    cpu = machine.get("cpu") or machine.get("cpu_model") or machine.get("hostname") or "?"
    return f"{export.get('learner', '?')} ({str(cpu)[:28]})"


def comparison_table(exports: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per learner and start-up variant: median seconds and whether it was recorded."""
    rows = []
    seen: dict[str, int] = {}
    for export in exports:
        startup = (export.get("results") or {}).get("startup")
        if not startup:
            continue
        # Two learners who both kept the default name on the same CPU must stay two rows
        # of bars, not one learner whose numbers silently overwrite the other's.
        who = _who(export)
        seen[who] = seen.get(who, 0) + 1
        if seen[who] > 1:
            who = f"{who} #{seen[who]}"
        for name, summary in variant_summaries(as_result(startup)).items():
            rows.append(
                {
                    "learner": who,
                    "variant": name,
                    "median_s": summary.median_s,
                    "recorded": summary.recorded,
                }
            )
    return rows


def machine_key(export: Mapping[str, Any]) -> str:
    """Which machine an export came from: its ``machine_id``, or for an export without one
    the machine description it carries (CPU, cores, OS, kernel, host name)."""
    if export.get("machine_id"):
        return str(export["machine_id"])
    machine = export.get("machine") or {}
    return "|".join(str(machine.get(k)) for k in ("cpu", "cores", "os", "kernel", "hostname"))


def read_exports(
    paths: Iterable[str | Path], on_skip: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """The course exports among ``paths``; every other file is skipped with a warning
    (``on_skip``, else :func:`warnings.warn`). Raises :class:`ResultsError` when none is left."""
    skip = on_skip or (lambda text: warnings.warn(text, stacklevel=3))
    exports, given = [], 0
    for path in paths:
        given += 1
        try:
            exports.append(read_export(path))
        except ResultsError as err:
            skip(f"skipped {path}: {err.message}")
    if not exports:
        raise ResultsError(
            f"nothing to aggregate: {given} file(s) given, none of them a course export"
            if given
            else "nothing to aggregate: no export files given",
            fix="collect the *-results.json files notebook 10 writes into one folder",
        )
    return exports


def aggregate_exports(
    paths: Iterable[str | Path], *, on_skip: Callable[[str], None] | None = None
) -> tuple[Figure, list[dict[str, Any]]]:
    """Merge several learners' exports into one comparison plot across machines. Files that
    are not exports are skipped with a warning; recorded bars are grey and hatched, as in
    the notebooks. Notebook 10."""
    return comparison_figure(read_exports(paths, on_skip))


#: A recorded bar: the learner's colour, pale and hatched (the legend draws the same patch).
RECORDED_ALPHA = 0.3
RECORDED_HATCH = "///"


def _bar_style(index: int, recorded: bool) -> dict[str, Any]:
    """One style for a bar and its legend patch, so the legend shows what the plot draws."""
    from matplotlib.colors import to_rgba

    colour = f"C{index}"
    if recorded:
        return {
            "facecolor": to_rgba(colour, RECORDED_ALPHA),
            "edgecolor": colour,
            "hatch": RECORDED_HATCH,
        }
    return {"facecolor": colour, "edgecolor": colour}


def _title(learners: list[str], reference: list[str], machines: int) -> str:
    """Who measured: a learner is someone with a measured row; an export with recorded rows
    only (the course's reference run) is named apart, never counted as a learner."""
    people = f"{len(learners)} {'learner' if len(learners) == 1 else 'learners'}"
    title = f"Start-up: {people} on {machines} {'machine' if machines == 1 else 'machines'}"
    if reference:
        runs = "run" if len(reference) == 1 else "runs"
        title += f",\nbeside {len(reference)} recorded {runs}"  # a second line: the title fits
    return title


def comparison_figure(exports: list[dict[str, Any]]) -> tuple[Figure, list[dict[str, Any]]]:
    """The class comparison of :func:`aggregate_exports`, from exports already read (the
    hub's class view builds them from what learners handed in)."""
    import textwrap

    from matplotlib.patches import Patch

    from .._figures import keep_labels_inside, label_log_axis, new_figure, wrap_xlabel_inside

    rows = comparison_table(exports)
    if not rows:
        raise ResultsError(
            f"none of the {len(exports)} export(s) has start-up results to compare",
            fix="ask learners to run notebook 06 (or 10, which adds the recorded run) before exporting",
        )
    everyone = list(dict.fromkeys(r["learner"] for r in rows))
    measured = {r["learner"] for r in rows if not r["recorded"]}
    machines = len({machine_key(e) for e in exports if _measured_startup(e)})
    variants = in_order({r["variant"] for r in rows})
    # Up to a few exports (notebook 10 merges two), the chart fits the window as the summary
    # does: its bars get thinner, not the figure taller. A class's legend still gets its room.
    legend = 0.25 * len(everyone)
    chart = min(0.45 * max(len(variants), 3) + 2.4, max(SUMMARY_MOST_HEIGHT_IN - legend, 4.0))
    figure = new_figure(SUMMARY_WIDTH_IN, chart + legend)
    ax = figure.add_subplot()
    height = 0.8 / max(len(everyone), 1)
    for index, learner in enumerate(everyone):
        mine = {r["variant"]: r for r in rows if r["learner"] == learner}
        for v in (v for v in variants if v in mine):
            position = variants.index(v) - 0.4 + height * (index + 0.5)
            median, recorded = mine[v]["median_s"], mine[v]["recorded"]
            ax.barh(position, median, height=height * 0.9, **_bar_style(index, recorded))
            label = format_seconds(median) + (" (recorded)" if recorded else "")
            ax.text(median * 1.1, position, label, va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(right=max(r["median_s"] for r in rows) * 8)  # widened below if a label needs it
    label_log_axis(ax, format_seconds)
    ax.set_yticks(range(len(variants)), [label_of(v) for v in variants])
    ax.set_ylim(len(variants) - 0.5, -0.5)
    ax.set_xlabel("median start-up (log scale: each grid line is 10× the one before)")
    reference = [learner for learner in everyone if learner not in measured]
    ax.set_title(_title([p for p in everyone if p in measured], reference, machines))
    handles = [
        Patch(label=learner + ("" if learner in measured else ": recorded run"),
              **_bar_style(i, learner not in measured))
        for i, learner in enumerate(everyone)
    ]  # fmt: skip
    mixed = [
        i
        for i, p in enumerate(everyone)
        if p in measured and any(r["recorded"] for r in rows if r["learner"] == p)
    ]
    if mixed:
        handles.append(
            Patch(
                label="pale, hatched: recorded, not measured by that learner",
                **_bar_style(mixed[0], True),
            )
        )
    for handle in handles:
        handle.set_label(textwrap.fill(str(handle.get_label()), 70))
    # Below the axes, inside the figure: constrained layout makes room, nothing is clipped.
    figure.legend(handles=handles, fontsize=8, loc="outside lower center", ncols=1, frameon=False)
    keep_labels_inside(ax, list(ax.texts))  # "1.12 s (recorded)" reached the edge (walk 7)
    wrap_xlabel_inside(ax)  # its ")" ran past the picture's edge (walk 8, S15)
    return figure, rows


def _measured_startup(export: Mapping[str, Any]) -> bool:
    """True when the export's start-up result holds a row its learner measured."""
    startup = (export.get("results") or {}).get("startup")
    if not startup:
        return False
    return any(not s.recorded for s in variant_summaries(as_result(startup)).values())
