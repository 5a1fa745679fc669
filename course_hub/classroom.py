"""The instructor's view of a workshop: what every learner handed in, gathered live.

The class root (``KIT_HUB_CLASS``, by default ``<hub state>-class``; root's, mode 0751 in
the instructors' group: a learner may pass through to their own folder, only instructors
list the class) holds one folder per learner, theirs, in the instructors' group
``kit-instructors``, mode 2750: the learner writes, the instructors' group reads, other
learners see nothing. The hub's spawner makes the folder and sets ``KIT_CLASS_DIR`` for the
learner's server (``report.handin`` writes there as the kit saves results); the instructor's
own account joins the group, gets ``KIT_CLASS_ROOT`` and a copy of
``deploy/class-view.ipynb``, which shows :func:`class_view`: who has run the setup check and
what it found missing (who is stuck), how far each learner got, and the class's start-up
comparison, redrawn as results arrive.
"""

from __future__ import annotations

import contextlib
import grp
import html
import json
import os
import pwd
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_helpers._display import ShownAsHtml, ShownAsText
from kernel_helpers._errors import HandInRefused, ResultsError
from kernel_helpers.report.exports import EXPORT_SCHEMA, TOPICS, comparison_figure
from kernel_helpers.report.handin import read_handed_in

from .accounts import user_prefix
from .errors import HubError

CLASS_GROUP = "kit-instructors"
CLASS_ROOT_ENV = "KIT_CLASS_ROOT"
ROOT_MODE = 0o751  # the instructors' group lists the class; learners only pass through
FOLDER_MODE = 0o2750  # setgid: what the learner writes stays in the instructors' group
CLASS_VIEW_NOTEBOOK = "class-view.ipynb"


# --- the hub's side (runs as root, in the spawner) --------------------------------------


def class_group() -> int:
    """The instructors' group id, made on first use."""
    with contextlib.suppress(KeyError):
        return grp.getgrnam(CLASS_GROUP).gr_gid
    done = subprocess.run(
        ["groupadd", "--system", CLASS_GROUP], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 and "already exists" not in done.stderr:
        raise HubError(f"could not create the group {CLASS_GROUP}: {done.stderr.strip()}",
                       fix="./kit hub must run as root")  # fmt: skip
    return grp.getgrnam(CLASS_GROUP).gr_gid


def prepare_class_root(root: Path) -> Path:
    """The class root, root's and not listable by learners, in a folder they can reach."""
    group = class_group()
    root.mkdir(parents=True, exist_ok=True)
    os.chown(root, 0, group)
    root.chmod(ROOT_MODE)
    closed = [p for p in root.resolve().parents if not p.stat().st_mode & 0o001]
    if closed:
        raise HubError(
            f"learners cannot reach the class folder {root}: {closed[0]} is closed to them",
            fix=f"chmod o+x {closed[0]}, or put the class elsewhere with KIT_HUB_CLASS=/srv/kit-class",
        )
    return root


def hand_in_folder(root: Path, entry: pwd.struct_passwd) -> Path:
    """The learner's hand-in folder: theirs, readable by the instructors' group alone."""
    folder = prepare_class_root(root) / entry.pw_name
    _disown_others(root, entry)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise HubError(f"{folder} is not a plain folder", fix="remove it; the hub makes it again")
    folder.mkdir(exist_ok=True)
    os.chown(folder, entry.pw_uid, class_group())
    folder.chmod(FOLDER_MODE)
    return folder


def _disown_others(root: Path, entry: pwd.struct_passwd) -> None:
    """A removed learner's hand-ins stay for the instructor, owned by their old uid; if this
    account got that uid, they become root's (still the instructors' group's to read), so a
    newcomer never owns a predecessor's hand-ins."""
    for other in root.iterdir():
        with contextlib.suppress(OSError):
            if other.name != entry.pw_name and other.lstat().st_uid == entry.pw_uid:
                for path in [other, *other.rglob("*")]:
                    os.lchown(path, 0, -1)


def make_instructor(entry: pwd.struct_passwd, checkout: Path) -> None:
    """The instructor's account joins the instructors' group and gets the class view
    notebook in their home (their own copy, never overwritten once there)."""
    if entry.pw_name not in grp.getgrnam(CLASS_GROUP).gr_mem:
        done = subprocess.run(["usermod", "--append", "--groups", CLASS_GROUP, entry.pw_name],
                              capture_output=True, text=True, check=False)  # fmt: skip
        if done.returncode != 0:
            raise HubError(f"could not add {entry.pw_name} to {CLASS_GROUP}: {done.stderr.strip()}")
    target = Path(entry.pw_dir) / CLASS_VIEW_NOTEBOOK
    if not target.exists():
        shutil.copyfile(checkout / "deploy" / CLASS_VIEW_NOTEBOOK, target)
        os.chown(target, entry.pw_uid, entry.pw_gid)
        target.chmod(0o600)


# --- the instructor's side (runs in the instructor's kernel) ----------------------------


def class_root(root: str | Path | None = None) -> Path:
    """``root``, else ``$KIT_CLASS_ROOT`` (set for the instructor's server on the hub)."""
    value = str(root) if root is not None else os.environ.get(CLASS_ROOT_ENV, "")
    if not value:
        raise HubError(
            "no class to show: this is not the instructor's server on a workshop hub",
            fix="open this notebook as the hub's admin, or give the class folder: kh.class_view('/path')",
        )
    path = Path(value)
    if not path.is_dir():
        raise HubError(f"the class folder {path} is not there", fix="start the hub with ./kit hub")
    return path


def _read_json(path: Path, problems: list[str]) -> dict[str, Any] | None:
    """A hand-in's JSON, or None; a file that is not a plain, small JSON file is added to
    ``problems`` (the learner wrote it: it is never followed, waited on or read whole)."""
    try:
        data = json.loads(read_handed_in(path).decode("utf-8"))
    except FileNotFoundError:
        return None  # not handed in yet
    except HandInRefused as err:
        problems.append(err.message)
        return None
    except (OSError, ValueError):
        problems.append(f"{path.name} in {path.parent.name}'s hand-ins is not readable JSON")
        return None
    return data if isinstance(data, dict) else None


@dataclass
class LearnerStatus:
    """What one learner has handed in so far."""

    name: str
    folder: Path
    doctor: dict[str, Any] | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    export: dict[str, Any] | None = None
    last_seen: float | None = None
    problems: list[str] = field(default_factory=list)  # hand-ins not read, and why

    @property
    def setup(self) -> str:
        """Who is stuck: no setup check yet, or what it found missing."""
        if self.doctor is None:
            return "has not run the setup check (notebook 00) yet"
        missing = self.doctor.get("missing") or []
        if not missing:
            return "ok: nothing missing"
        return f"{len(missing)} missing: " + "; ".join(str(m.get("what")) for m in missing[:3])

    @property
    def stuck(self) -> bool:
        return self.doctor is None

    @property
    def progress(self) -> str:
        done = [t for t in TOPICS if t in self.results]
        return ", ".join(done + (["exported"] if self.export else [])) or "nothing measured yet"

    def as_export(self) -> dict[str, Any] | None:
        """Their results in the shape of an export (notebook 10's, or made from the topics)."""
        if self.export is not None and self.export.get("schema") == EXPORT_SCHEMA:
            return self.export
        if "startup" not in self.results:
            return None
        machine: dict[str, Any] = next(
            (r["machine"] for r in self.results.values() if r.get("machine")), {}
        )
        return {
            "schema": EXPORT_SCHEMA,
            "learner": self.name,
            "machine": machine,
            "results": self.results,
        }


def read_learner(folder: Path) -> LearnerStatus:
    prefix = user_prefix()
    name = folder.name[len(prefix) :] if folder.name.startswith(prefix) else folder.name
    status = LearnerStatus(name, folder)
    status.doctor = _read_json(folder / "doctor.json", status.problems)
    status.export = _read_json(folder / "export.json", status.problems)
    for topic in TOPICS:
        data = _read_json(folder / f"{topic}.json", status.problems)
        if data is not None:
            status.results[topic] = data
    times = []
    for path in folder.glob("*.json"):  # lstat: a link's target is none of our business
        with contextlib.suppress(OSError):
            times.append(path.lstat().st_mtime)
    status.last_seen = max(times) if times else None
    return status


@dataclass(repr=False)
class ClassStatus(ShownAsText, ShownAsHtml):
    """Every learner's hand-in, one row each, those without a setup check first."""

    root: Path
    learners: list[LearnerStatus]

    def _rows(self) -> list[tuple[str, str, str, str]]:
        now = time.time()
        rows = []
        for learner in self.learners:
            seen = (
                "never"
                if learner.last_seen is None
                else f"{int((now - learner.last_seen) // 60)} min ago"
            )
            rows.append((learner.name, learner.setup, learner.progress, seen))
        return rows

    def text(self) -> str:
        if not self.learners:
            return f"No learner has started yet ({self.root})."
        count = len(self.learners)
        lines = [f"{count} {'learner' if count == 1 else 'learners'}, "
                 f"{sum(x.stuck for x in self.learners)} without a setup check"]  # fmt: skip
        lines += [f"  {n}: {s} | {p} | last hand-in {t}" for n, s, p, t in self._rows()]
        lines += [f"  not read: {problem}" for problem in self.problems()]
        return "\n".join(lines)

    def problems(self) -> list[str]:
        """Hand-ins the view would not read (a FIFO, a link, a huge file), each named."""
        return [problem for learner in self.learners for problem in learner.problems]

    def html(self) -> str:
        if not self.learners:
            return (
                f"<p>No learner has started yet (<code>{html.escape(str(self.root))}</code>).</p>"
            )
        th = "<th style='text-align:left'>"
        head = (
            f"<tr>{th}learner</th>{th}setup check</th>{th}measured</th>{th}last hand-in</th></tr>"
        )
        body = "".join(
            f"<tr style='background:{'#fff4e0' if 'missing' in s or 'not run' in s else 'none'}'>"
            + "".join(f"<td style='text-align:left'>{html.escape(v)}</td>" for v in (n, s, p, t))
            + "</tr>"
            for n, s, p, t in self._rows()
        )
        bad = "".join(f"<li>{html.escape(problem)}</li>" for problem in self.problems())
        return f"<table>{head}{body}</table>" + (f"<p>Not read:</p><ul>{bad}</ul>" if bad else "")

    def exports(self) -> list[dict[str, Any]]:
        return [e for e in (x.as_export() for x in self.learners) if e is not None]

    def figure_png(self) -> bytes | None:
        """The class's start-up comparison (notebook 10's aggregate), or None before any."""
        from kernel_helpers._figures import figure_png

        exports = self.exports()
        if not exports:
            return None
        try:
            figure, _ = comparison_figure(exports)
        except ResultsError:
            return None
        return figure_png(figure)


def class_status(root: str | Path | None = None) -> ClassStatus:
    """What every learner has handed in, read now."""
    folder = class_root(root)
    learners = [
        read_learner(p) for p in sorted(folder.iterdir()) if p.is_dir() and not p.is_symlink()
    ]
    learners.sort(key=lambda x: (not x.stuck, x.name))
    return ClassStatus(folder, learners)


def _signature(root: Path) -> tuple[tuple[str, float], ...]:
    """Changes when anything is handed in: every file's name and modification time."""
    found = []
    for path in root.glob("*/*.json"):
        with contextlib.suppress(OSError):
            found.append((str(path), path.lstat().st_mtime))
    return tuple(sorted(found))


class ClassView:
    """The live class view: the table and the comparison, redrawn when something new is
    handed in (checked every ``every_s`` seconds, in a background thread), until
    :meth:`stop` or the kernel ends."""

    def __init__(self, root: Path, every_s: float) -> None:
        import ipywidgets

        self.root, self.every_s = root, every_s
        self.table = ipywidgets.HTML()
        self.picture = ipywidgets.Image(format="png")
        self.label = ipywidgets.Label()
        self.widget = ipywidgets.VBox([self.label, self.table, self.picture])
        self._stop = threading.Event()
        self._seen: tuple[tuple[str, float], ...] | None = None
        self.refresh()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="class-view")
        self._thread.start()

    def refresh(self) -> ClassStatus:
        status = class_status(self.root)
        self.table.value = status.html()
        png = status.figure_png()
        self.picture.value = png or b""
        self.picture.layout.display = None if png else "none"
        self._seen = _signature(self.root)
        count = len(status.learners)
        self.label.value = f"{count} {'learner' if count == 1 else 'learners'} · updated {time.strftime('%H:%M:%S')}"
        return status

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            with contextlib.suppress(OSError, HubError):
                if _signature(self.root) != self._seen:
                    self.refresh()

    def stop(self) -> None:
        self._stop.set()
        self.label.value += " · stopped"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


def class_view(root: str | Path | None = None, *, every_s: float = 5.0) -> ClassView:
    """The instructor's live view of the class (``deploy/class-view.ipynb``)."""
    return ClassView(class_root(root), every_s)
