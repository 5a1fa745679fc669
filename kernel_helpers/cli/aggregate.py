"""``python -m kernel_helpers aggregate EXPORT.json... [--png FILE] [--json]``.

For an instructor: merge the ``*-results.json`` files learners export in notebook 10
into one table of start-up medians and one comparison plot across machines.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .._display import format_seconds
from .._errors import KitError
from .._figures import figure_png
from ..report.exports import aggregate_exports


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers aggregate",
        description="Merge learners' notebook-10 exports into one comparison across machines.",
    )
    parser.add_argument("exports", nargs="+", type=Path, help="*-results.json files (or folders holding them)")
    parser.add_argument("--png", type=Path, default=Path("class-startup.png"), help="where to write the plot")
    parser.add_argument("--json", action="store_true", help="print the merged table as JSON")
    args = parser.parse_args(argv)
    paths = [p for path in args.exports for p in (sorted(path.glob("*-results.json")) if path.is_dir() else [path])]
    try:
        figure, rows = aggregate_exports(paths)
    except KitError as err:
        print(err, file=sys.stderr)
        return 1
    args.png.write_bytes(figure_png(figure))
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for row in rows:
            mark = "  (recorded)" if row["recorded"] else ""
            print(f"{row['learner']:40} {row['variant']:20} {format_seconds(row['median_s']):>10}{mark}")
        print(f"\nplot: {args.png}")
    return 0
