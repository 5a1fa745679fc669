"""``python -m kernel_helpers aggregate EXPORT.json|FOLDER... [--png FILE] [--json]``.

For an instructor: merge the ``*-results.json`` files learners export in notebook 10
into one table of start-up medians and one comparison plot across machines. Files that
are not exports are skipped with a warning; an empty folder is an error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from .._display import format_seconds
from .._errors import KitError
from .._figures import figure_png
from ..report.exports import aggregate_exports
from ._output import chatter_to_stderr


def _warn(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def _files(given: list[Path]) -> list[Path]:
    """The files to read: each file given, and every file in each folder given (an
    export's PNG beside its JSON is part of it, not a stray file)."""
    found: list[Path] = []
    for path in given:
        if not path.is_dir():
            found.append(path)
            continue
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            if not file.name.endswith("-results.png"):
                found.append(file)
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers aggregate",
        description="Merge learners' notebook-10 exports into one comparison across machines.",
    )
    parser.add_argument(
        "exports", nargs="+", type=Path, help="*-results.json files (or folders holding them)"
    )
    parser.add_argument(
        "--png", type=Path, default=Path("class-startup.png"), help="where to write the plot"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the merged table as JSON (and only that)"
    )
    args = parser.parse_args(argv)
    try:
        with chatter_to_stderr() if args.json else contextlib.nullcontext():
            figure, rows = aggregate_exports(_files(args.exports), on_skip=_warn)
            args.png.write_bytes(figure_png(figure))
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for row in rows:
            mark = "  (recorded)" if row["recorded"] else ""
            print(
                f"{row['learner']:40} {row['variant']:20} {format_seconds(row['median_s']):>10}{mark}"
            )
        print(f"\n{figure.axes[0].get_title()}; plot: {args.png}")
    return 0
