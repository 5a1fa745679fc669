"""The learner's own results: saved as they go, exported, and merged across a class.

Notebooks 06-09 each save what they measured under a topic ("startup", "sizes", "pull",
"density", "compute", "compute-browser", "oci") in ``<cache>/results/``; notebook 10 reads
them all back for the verdict page and exports one JSON + one PNG an instructor can
collect. ``aggregate_exports`` merges several learners' exports into one comparison across
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
    from matplotlib.figure import Figure

EXPORT_SCHEMA = "wasm-course-results/1"
TOPICS = ("startup", "sizes", "pull", "density", "compute", "compute-browser", "oci")
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

    return ipywidgets.Text(
        value=os.environ.get(LEARNER_ENV, ""),
        description="Your name:",
        placeholder="a name or nickname for your export",
    )


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


#: The summary page's size labels: readable in the PNG an instructor opens, not ~6 px.
SUMMARY_FONT_PT = 9
SIZE_ROW_IN = 0.3  # inches per size bar


def summary_figure(results: Mapping[str, Any]) -> Figure:
    """One page: start-up on top, sizes and compute below, as far as the learner measured
    them (what the export's PNG shows). Notebook 10."""
    from .._figures import new_figure
    from .compute_plots import draw_throughput
    from .plots import draw_sizes, draw_startup_result

    # One panel per row, the sizes panel as tall as its bars need: with every language's
    # steps it has two dozen labels, which must stay readable (9 pt) in the exported PNG.
    size_table = sizes_of(results["sizes"]) if "sizes" in results else None
    bars = len(size_table.sizes) if size_table is not None else 0
    heights = [5.0, max(3.0, SIZE_ROW_IN * bars + 1.2), 4.0]
    figure = new_figure(13, sum(heights) + 1.5)
    # Constrained layout spaces the panels by what their labels need; a gridspec hspace on
    # top of it left ~2 inches of blank page between panels.
    grid = figure.add_gridspec(3, 1, height_ratios=heights)
    startup, sizes, compute = (figure.add_subplot(grid[row, 0]) for row in range(3))
    panels = (
        (startup, "startup", "Start-up", "06", lambda ax, r: draw_startup_result(ax, as_result(r))),
        (
            sizes,
            "sizes",
            "Sizes: green .wasm, cyan OCI, blue native, red images, grey recorded",
            "07",
            lambda ax, r: draw_sizes(
                ax, size_table or sizes_of(r), fontsize=SUMMARY_FONT_PT, compact=True
            ),
        ),
        (compute, "compute", "Steady-state speed: wasm time / native time", "08", draw_throughput),
    )
    for ax, topic, title, notebook, draw in panels:
        if topic in results:
            draw(ax, results[topic])
            ax.set_title(title)
        else:
            ax.text(
                0.5,
                0.5,
                f"not measured yet (notebook {notebook})",
                ha="center",
                transform=ax.transAxes,
            )
            ax.set_axis_off()
    machine = _machine(results)
    figure.suptitle(f"Results measured on {describe_machine(machine)}")
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

    from .._figures import label_log_axis, new_figure

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
    figure = new_figure(9, 0.45 * max(len(variants), 3) + 2.4 + 0.25 * len(everyone))
    ax = figure.add_subplot()
    height = 0.8 / max(len(everyone), 1)
    for index, learner in enumerate(everyone):
        mine = {r["variant"]: r for r in rows if r["learner"] == learner}
        for v in (v for v in variants if v in mine):
            position = variants.index(v) - 0.4 + height * (index + 0.5)
            median, recorded = mine[v]["median_s"], mine[v]["recorded"]
            ax.barh(position, median, height=height * 0.9, **_bar_style(index, recorded))
            label = format_seconds(median) + (" (recorded)" if recorded else "")
            ax.text(median * 1.1, position, label, va="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(right=max(r["median_s"] for r in rows) * 8)  # room for the longest label
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
    return figure, rows


def _measured_startup(export: Mapping[str, Any]) -> bool:
    """True when the export's start-up result holds a row its learner measured."""
    startup = (export.get("results") or {}).get("startup")
    if not startup:
        return False
    return any(not s.recorded for s in variant_summaries(as_result(startup)).values())
