"""Does the kit's harness agree with hyperfine? Times the same commands both ways.

    python benchmarks/hyperfine_agreement.py [--runs 30] [--warmup 3] [--json FILE]

For ``native`` (the static hello binary) and ``docker-scratch`` (hardened ``docker run``
of a FROM scratch image holding it), it measures with ``kernel_helpers.measure_command``
and with ``hyperfine -N --warmup W --runs R --export-json``, alternating the two tools
three times so that drifting machine load hits both, and prints both medians and their ratio.
The issue's target: within 20%. Exit status 1 if any pair is further apart.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kernel_helpers._system import find_program  # noqa: E402
from kernel_helpers.bench.harness import measure_command  # noqa: E402
from kernel_helpers.containers.images import hardened_run_command, scratch_image  # noqa: E402
from kernel_helpers.toolchains.pairs import example_builds  # noqa: E402

TOLERANCE = 0.20


def hyperfine_median(command: list[str], runs: int, warmup: int) -> float:
    hyperfine = find_program("hyperfine")
    if hyperfine is None:
        sys.exit("hyperfine is not installed (apt-get install hyperfine)")
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(
            [
                hyperfine,
                "-N",
                "--style",
                "none",
                "--warmup",
                str(warmup),
                "--runs",
                str(runs),
                "--export-json",
                export.name,
                shlex.join(command),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        data = json.loads(Path(export.name).read_text())
    return float(data["results"][0]["median"])


def compare(name: str, command: list[str], runs: int, warmup: int) -> dict[str, object]:
    ours, theirs = [], []
    for _ in range(3):  # alternate, so load drifting during the run hits both tools
        ours.append(measure_command(command, name=name, warmup=warmup, repeat=runs).stats.median_s)
        theirs.append(hyperfine_median(command, runs, warmup))
    kit, hyper = statistics.median(ours), statistics.median(theirs)
    return {
        "variant": name,
        "command": command,
        "kit_median_s": kit,
        "hyperfine_median_s": hyper,
        "ratio": kit / hyper,
        "within_tolerance": abs(kit / hyper - 1) <= TOLERANCE,
        "kit_medians_s": ours,
        "hyperfine_medians_s": theirs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", help="also write the comparison to this file")
    args = parser.parse_args()
    builds = example_builds("hello", "c")
    scratch_image(builds.require_native(), "kit-hello-scratch:agreement")
    commands = {
        "native": [str(builds.require_native())],
        "docker-scratch": hardened_run_command("kit-hello-scratch:agreement"),
    }
    rows = [compare(name, command, args.runs, args.warmup) for name, command in commands.items()]
    print(f"{'variant':<16} {'kit median':>12} {'hyperfine median':>17} {'kit/hyperfine':>14}")
    for row in rows:
        print(
            f"{row['variant']:<16} {row['kit_median_s'] * 1000:>9.3f} ms"  # type: ignore[operator]
            f" {row['hyperfine_median_s'] * 1000:>14.3f} ms {row['ratio']:>13.2f}x"  # type: ignore[operator]
            f"  {'ok' if row['within_tolerance'] else 'OUTSIDE 20%'}"
        )
    for row in rows:
        print(f"  {row['variant']}: {shlex.join(row['command'])}")  # type: ignore[arg-type]
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(row["within_tolerance"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
