"""``python -m kernel_helpers build [--lang ...] [--example ...] [--target ...] [--json]
[--shrink] [--refresh-prebuilt]``: compile the examples (notebook 02 shows the same from
Python with ``kh.build_all``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from .._errors import ToolchainMissing
from ..toolchains.build import TARGETS, WASM, Artifact, build_all
from ..toolchains.detect import LANGUAGES
from ..toolchains.prebuilt import refresh_prebuilt
from ..toolchains.shrink import shrink
from ._output import chatter_to_stderr


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers build",
        description="Compile the example programs to wasm32-wasi and to static native binaries.",
    )
    parser.add_argument(
        "--lang",
        action="append",
        choices=LANGUAGES,
        help="a language to build (repeat for more; default: all)",
    )
    parser.add_argument(
        "--example", action="append", help="an example to build (repeat for more; default: all)"
    )
    parser.add_argument(
        "--target",
        choices=[*TARGETS, "all"],
        default="all",
        help="wasm32-wasi, native, or all (default)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of artifact records")
    parser.add_argument(
        "--shrink",
        action="store_true",
        help="also report stripped and wasm-opt -Oz variants of wasm builds",
    )
    parser.add_argument(
        "--refresh-prebuilt",
        action="store_true",
        help="rebuild the prebuilt modules shipped in kernel_helpers/data/prebuilt",
    )
    return parser.parse_args(argv)


def _row(a: Artifact) -> str:
    note = " (cached)" if a.cached else f" ({a.compile_s:.2f} s)"
    return f"{a.example:<10} {a.lang:<5} {a.target:<12} {a.variant:<12} {a.bytes:>10,} B  {a.path}{note}"


def _build_selected(args: argparse.Namespace, progress: bool) -> tuple[list[Artifact], list[str]]:
    targets = TARGETS if args.target == "all" else (args.target,)
    missing: list[ToolchainMissing] = []
    built = build_all(args.example, args.lang, targets, progress=progress, missing=missing)
    if args.shrink:
        built += [step for a in built if a.target == WASM for step in shrink(a)]
    problems = [f"{err.language} {err.target}: {err}" for err in missing]
    return built, problems


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    progress = sys.stderr.isatty()
    if args.refresh_prebuilt:
        shipped = refresh_prebuilt(progress=progress)
        for artifact in shipped:
            print(_row(artifact))
        return 0
    # With --json, stdout is the JSON alone; anything a compiler prints goes to stderr.
    with chatter_to_stderr() if args.json else contextlib.nullcontext():
        built, problems = _build_selected(args, progress)
    if args.json:
        json.dump([a.to_json() for a in built], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for artifact in built:
            print(_row(artifact))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
