"""A learner's own copy of the course, refreshed from the kit's checkout at every spawn.

The rule, per file of ``notebooks/`` and ``wasm_examples/``:

- missing in the learner's home (never copied, or deleted to get a fresh one): copied;
- unchanged since the kit last copied it, and the checkout has a newer version: updated,
  so the instructor's fixes reach every learner at their next start;
- edited by the learner (it differs from what the kit last copied), or a file the kit never
  copied: left alone, always. The report names it, so the hub's log says who kept what.

What the kit last copied is recorded as hashes in ``~/.kit-course.json``. The hub runs
this as the learner (``python -m course_hub.course_copy SOURCE HOME``, with the
learner's uid), never as root, so a symlink a learner plants in their home cannot make the
copy write anywhere they could not write themselves.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kernel_helpers._system import write_atomically

COURSE_FOLDERS = ("notebooks", "wasm_examples")
MANIFEST = ".kit-course.json"
_SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", "target", "build"}


@dataclass
class CopyReport:
    """What one refresh did, path by path (relative to the learner's home)."""

    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.copied)} copied, {len(self.updated)} updated, {len(self.kept)} kept as the learner left them"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def course_files(source_root: Path) -> list[Path]:
    """The course's files, relative to the checkout, in a stable order."""
    found: list[Path] = []
    for folder in COURSE_FOLDERS:
        base = source_root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            relative = path.relative_to(source_root)
            if path.is_file() and not _SKIPPED_PARTS.intersection(relative.parts):
                found.append(relative)
    return sorted(found)


def _load_manifest(home: Path) -> dict[str, str]:
    try:
        data = json.loads((home / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def refresh(source_root: Path, home: Path) -> CopyReport:
    """Bring ``home``'s copy of the course up to date with ``source_root`` (see the module)."""
    report = CopyReport()
    manifest = _load_manifest(home)
    for relative in course_files(source_root):
        key = relative.as_posix()
        source = source_root / relative
        target = home / relative
        wanted = _digest(source)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            report.kept.append(key)
            continue
        if not target.exists():
            write_atomically(target, source.read_bytes())
            report.copied.append(key)
        else:
            have = _digest(target)
            if have == wanted:
                pass
            elif manifest.get(key) == have:
                write_atomically(target, source.read_bytes())
                report.updated.append(key)
            else:
                report.kept.append(key)
                continue
        manifest[key] = wanted
    write_atomically(home / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return report


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m course_hub.course_copy SOURCE_CHECKOUT HOME", file=sys.stderr)
        return 2
    report = refresh(Path(args[0]), Path(args[1]))
    print(json.dumps({"summary": report.summary(), **asdict(report)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
