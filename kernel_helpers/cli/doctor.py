"""``python -m kernel_helpers doctor [--json]``."""

from __future__ import annotations

import argparse
import json
import sys

from ..course.doctor import DoctorReport, collect
from ._output import chatter_to_stderr


class _TerminalReport(DoctorReport):
    """The report as ``./kit doctor`` prints it. Its last line is the one an instructor
    asks every learner to send, so it names what is missing, not only how many."""

    def summary(self) -> str:
        names = [row.what for row in self.missing]
        if not names:
            return super().summary()
        count = f"{len(names)} {'item' if len(names) == 1 else 'items'} missing"
        return f"{count} ({', '.join(names)}); the course still runs, with the fallbacks above."


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers doctor",
        description="Report which toolchains, runtimes and services this machine offers the course.",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument(
        "--missing", action="store_true", help="list only what is missing, each with its fix"
    )
    args = parser.parse_args(argv)
    with chatter_to_stderr():
        data = collect()
    if args.missing:
        for row in DoctorReport(data).missing:
            print(f"  missing: {row.what:<18} {row.fix or '(no fix needed: ' + row.means + ')'}")
        return 0
    if args.json:
        json.dump(data, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print(_TerminalReport(data).text())
    return 0
