"""``python -m kernel_helpers bench pull|density``: where the seconds of a cold pull are
(a shaped link) and how many instances fit in a GiB. Issue 27."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._errors import KitError
from ._output import chatter_to_stderr


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kernel_helpers bench")
    sub = parser.add_subparsers(dest="what", required=True)
    pull = sub.add_parser("pull", help="cold pull + run over a shaped link, beside its estimate")
    pull.add_argument("--rate-mbit", type=float, default=50.0, help="link rate (default 50)")
    pull.add_argument("--rtt-ms", type=float, default=20.0, help="round trip (default 20)")
    pull.add_argument("--repeat", type=int, default=5, help="timed pulls per variant")
    pull.add_argument("--variants", help="comma-separated subset, e.g. docker-scratch")
    density = sub.add_parser("density", help="instances alive at once: bytes each, per GiB")
    density.add_argument("--instances", type=int, default=1000, help="wasm instances (max 5000)")
    density.add_argument("--processes", type=int, default=50, help="processes and containers")
    density.add_argument("--variants", help="comma-separated subset, e.g. wasm-instance")
    for command in (pull, density):
        command.add_argument(
            "--json", metavar="FILE", help="write the result as JSON ('-': to stdout alone)"
        )
    return parser


def _run(args: argparse.Namespace) -> Any:
    variants = args.variants.split(",") if args.variants else None
    if args.what == "pull":
        from ..bench.pull import run_pull
        from ..containers.shaped_link import LinkSettings

        link = LinkSettings(args.rate_mbit, args.rtt_ms)
        return run_pull(link, variants=variants, repeat=args.repeat)
    from ..bench.density import run_density

    return run_density(instances=args.instances, processes=args.processes, variants=variants)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        with chatter_to_stderr() if args.json is not None else _no_redirect():
            result = _run(args)
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    out = sys.stderr if args.json is not None else sys.stdout
    out.write(result.text())
    if args.json == "-":
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.json:
        with open(args.json, "w") as handle:
            json.dump(result.to_json(), handle, indent=2)
        print(f"wrote {args.json}", file=out)
    return 0


def _no_redirect() -> Any:
    import contextlib

    return contextlib.nullcontext()
