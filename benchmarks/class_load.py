"""A class on one machine: how start-up medians move when several learners measure at once.

    python benchmarks/class_load.py [--learners 5] [--repeat 10] [--json FILE]

First one learner measures alone (the baseline), then ``--learners`` learners start the
same benchmark at the same moment, each with their own kit cache (so their own owner id,
image tags and registry, as on a workshop hub), sharing this machine's CPU and Docker
daemon. It prints, per variant, the solo median and each concurrent learner's, the ratio
of the class's median to the solo one, whether every learner got a result, and the
sentence the start-up verdict adds about a busy machine. Needs Docker and the kit's
toolchains (``./kit setup``); on a machine without Docker the container rows are recorded
data and say so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kernel_helpers._display import format_seconds  # noqa: E402
from kernel_helpers.report.verdicts import startup_verdict  # noqa: E402

VARIANTS = (
    "native",
    "wasm-instantiate",
    "component-instantiate",
    "wasmtime-cli",
    "docker-scratch",
    "docker-debian",
)

#: One learner's benchmark, in a process of its own, as a learner's kernel would run it.
LEARNER = """
import json, sys
from kernel_helpers.bench.startup import run_startup
result = run_startup("hello", variants=sys.argv[1].split(","), repeat=int(sys.argv[2]), warmup=2, progress=False)
print(json.dumps(result.to_json()))
"""


def _learner(cache: Path, repeat: int) -> subprocess.Popen[str]:
    env = {**os.environ, "KIT_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", LEARNER, ",".join(VARIANTS), str(repeat)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _collect(run: subprocess.Popen[str]) -> dict[str, Any] | str:
    out, err = run.communicate(timeout=1800)
    if run.returncode != 0:
        return f"failed: {err.strip().splitlines()[-1] if err.strip() else run.returncode}"
    return dict(json.loads(out.strip().splitlines()[-1]))


def _medians(result: dict[str, Any]) -> dict[str, float]:
    return {name: float(v["median_s"]) for name, v in result["variants"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write every result here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kit-class-") as folder:
        shared_builds = Path(folder) / "solo"
        solo = _collect(_learner(shared_builds, args.repeat))
        if isinstance(solo, str):
            print(f"the solo run {solo}")
            return 1
        started = time.monotonic()
        runs = [_learner(Path(folder) / f"learner-{i}", args.repeat) for i in range(args.learners)]
        results = [_collect(run) for run in runs]
        took = time.monotonic() - started
    ok = [r for r in results if not isinstance(r, str)]
    print(f"{args.learners} learners at once on {os.cpu_count()} cores, {args.repeat} runs per variant; "
          f"all done in {took:.0f} s; {len(ok)} of {args.learners} got a result")  # fmt: skip
    for number, result in enumerate(results):
        if isinstance(result, str):
            print(f"  learner {number}: {result}")
    solo_medians = _medians(solo)
    header = f"{'variant':<24}{'solo':>10}" + "".join(f"{'L' + str(i):>10}" for i in range(len(ok)))
    print(header + f"{'class/solo':>12}")
    for name in VARIANTS:
        if name not in solo_medians:
            continue
        row = [_medians(r).get(name) for r in ok]
        present = [m for m in row if m is not None]
        ratio = statistics.median(present) / solo_medians[name] if present else float("nan")
        cells = "".join(f"{format_seconds(m) if m is not None else '-':>10}" for m in row)
        recorded = " (recorded)" if solo["variants"][name].get("source") == "recorded" else ""
        print(f"{name:<24}{format_seconds(solo_medians[name]):>10}{cells}{ratio:>11.2f}x{recorded}")
    print("\nwhat the verdict says under load:")
    for number, result in enumerate(ok):
        busy = [s for s in startup_verdict(result).sentences if "busy machine" in s]
        print(f"  L{number}: {busy[0] if busy else 'nothing about a busy machine'}")
    if args.json:
        args.json.write_text(json.dumps({"solo": solo, "class": results}, indent=1))
    return 0 if len(ok) == args.learners else 1


if __name__ == "__main__":
    raise SystemExit(main())
