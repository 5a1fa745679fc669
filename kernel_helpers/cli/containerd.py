"""``python -m kernel_helpers containerd``: a module or image run through containerd.

``containerd run [--runtime wasmtime|runc] MODULE_OR_IMAGE [ARGS...]`` imports a
``.wasm`` (packaged as notebook 09's image) or one of the kit's Docker images into the
kit's containerd namespace and runs it with the kit's wasm shim or runc (issue 26). The
guest's stdout and stderr are ours and its exit code is ours; a trap, a timeout or a
runtime that cannot run the image ends with one clear line (never a traceback), and
nothing is left in the namespace. ``containerd status`` prints what the doctor reports;
``containerd cleanup`` removes what the kit left (a run cut off by a kill).
"""

from __future__ import annotations

import argparse
import json
import sys

from .._errors import KitError, LimitExceeded, Trap
from ..containers.containerd import (
    RUN_TIMEOUT_S,
    RUNTIMES,
    cleanup_containerd,
    containerd_status,
    run_in_containerd,
)

#: As run-wasm (and wasmtime): a trap or timeout ends like an abort, 128 + SIGABRT.
TRAP_STATUS = 134
FAILED_STATUS = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers containerd",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a .wasm or a kit Docker image through containerd")
    run.add_argument(
        "--runtime",
        choices=sorted(RUNTIMES),
        default="wasmtime",
        help="the kit's wasm shim (default) or runc",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=RUN_TIMEOUT_S,
        metavar="SECONDS",
        help="kill the task after this long",
    )
    run.add_argument(
        "source", metavar="MODULE_OR_IMAGE", help="a .wasm file or a Docker image name"
    )
    run.add_argument(
        "args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments for the guest"
    )
    commands.add_parser("status", help="socket, namespace and runtimes, as JSON")
    commands.add_parser("cleanup", help="remove what the kit left in its namespace")
    return parser


def _run(options: argparse.Namespace) -> int:
    stdin = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin.buffer.read()
    result = run_in_containerd(
        options.source, options.args, runtime=options.runtime, stdin=stdin, timeout=options.timeout
    )
    sys.stdout.buffer.write(result.stdout)
    sys.stderr.buffer.write(result.stderr)
    return result.exit_code


def main(argv: list[str]) -> int:
    options = build_parser().parse_args(argv)
    try:
        if options.command == "status":
            print(json.dumps(containerd_status(), indent=2))
            return 0
        if options.command == "cleanup":
            print(json.dumps(cleanup_containerd()))
            return 0
        return _run(options)
    except KitError as err:
        line = err.message.strip().splitlines()[0] if err.message.strip() else type(err).__name__
        print(
            f"containerd: error: {line}" + (f"; fix: {err.fix}" if err.fix else ""), file=sys.stderr
        )
        return TRAP_STATUS if isinstance(err, Trap | LimitExceeded) else FAILED_STATUS
