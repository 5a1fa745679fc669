"""``python -m kernel_helpers bench startup|sizes|compute|cleanup``: the benchmarks of
notebooks 06-08 from a terminal, with a progress bar and JSON/CSV export. ``bench pull``
and ``bench density`` are in ``bench_capacity``."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from .._errors import KitError
from ..bench.results import BenchResult
from ..report.text import result_text
from ._output import chatter_to_stderr


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers bench",
        description="Measure wasm against native and containers on this machine.",
    )
    sub = parser.add_subparsers(dest="what", required=True)
    startup = sub.add_parser("startup", help="start-up time of every variant, side by side")
    startup.add_argument("--example", default="hello")
    startup.add_argument("--lang", default="c")
    startup.add_argument("--repeat", type=int, default=20, help="timed runs per variant")
    startup.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    startup.add_argument("--variants", help="comma-separated subset, e.g. native,wasm-cached")
    sizes = sub.add_parser("sizes", help="bytes of each .wasm, binary, image and OCI artifact")
    sizes.add_argument("--example", default="hello")
    compute = sub.add_parser("compute", help="native vs wasm throughput on fib and sha256")
    compute.add_argument("--repeat", type=int, default=10)
    compute.add_argument("--warmup", type=int, default=2)
    sub.add_parser(
        "cleanup",
        help="remove the containers, images and volumes the kit made for you",
        description="Remove the containers, images and volumes the kit made for you: those "
        "with the kit's label and your owner id (this unix user in this checkout). Another "
        "learner's objects on the same Docker daemon are left alone, as are your own "
        "non-kit images and the cached base rootfs in .kit-cache/images/. Your containers and "
        "images in the kit's containerd namespace (the wasm shim's runs) go too, where "
        "containerd is reachable.",
    )
    for command in (startup, sizes, compute):
        command.add_argument(
            "--json",
            metavar="FILE",
            help="write the result as JSON ('-': to stdout, and nothing else there)",
        )
        command.add_argument("--csv", metavar="FILE", help="write one row per variant as CSV")
    startup.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _run(args: argparse.Namespace) -> BenchResult | None:
    if args.what == "startup":
        from ..bench.startup import run_startup

        variants = args.variants.split(",") if args.variants else None
        return run_startup(
            args.example,
            lang=args.lang,
            repeat=args.repeat,
            warmup=args.warmup,
            variants=variants,
            progress=not args.no_progress and sys.stderr.isatty(),
        )
    if args.what == "sizes":
        from ..bench.sizes import run_sizes

        return run_sizes((args.example,))
    if args.what == "compute":
        from ..bench.compute import run_compute

        return run_compute(repeat=args.repeat, warmup=args.warmup)
    from ..containers.images import cleanup

    print(json.dumps({**cleanup(), "containerd": _containerd_cleanup()}))
    return None


def _containerd_cleanup() -> dict[str, int] | str:
    """What the kit left in its containerd namespace, removed (owner-scoped, as Docker's
    are); where containerd cannot be reached, why not."""
    from .._errors import ContainerdError
    from ..containers.containerd import cleanup_containerd

    try:
        return cleanup_containerd()
    except ContainerdError as err:
        return f"not reached: {err.message}"


def main(argv: list[str]) -> int:
    if argv[:1] in (["pull"], ["density"]):  # results of their own shape: their own module
        from .bench_capacity import main as capacity_main

        return capacity_main(argv)
    args = _parser().parse_args(argv)
    # With --json, stdout carries the JSON alone (or nothing, when it goes to a file): the
    # table and every note go to stderr.
    as_json = getattr(args, "json", None) is not None
    try:
        with chatter_to_stderr() if as_json else contextlib.nullcontext():
            result = _run(args)
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if result is None:
        return 0
    out = sys.stderr if as_json else sys.stdout
    out.write(result_text(result))
    if args.json == "-":
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.json:
        print(f"wrote {result.save(args.json)}", file=out)
    if args.csv:
        print(f"wrote {result.save(args.csv)}", file=out)
    return 0
