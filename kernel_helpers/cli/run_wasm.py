"""``python -m kernel_helpers run-wasm``: the WASI runner from a shell, like ``wasmtime run``.

Instructors script notebook 04's runs with it. The guest gets this process's own
stdin/stdout/stderr as raw byte streams and its exit code becomes ours; a trap, a limit or
bad input ends with one clear line on stderr (never a traceback).
"""

from __future__ import annotations

import argparse
import signal
import sys

from .._errors import KitError, LimitExceeded, Trap, WasmError
from ..wasm.options import add_dir_options, parse_env_pair, parse_size
from ..wasm.runner import run_wasm, wasmtime_version

#: Exit statuses as the wasmtime CLI uses them: a trap ends like an abort (128 + SIGABRT).
TRAP_STATUS = 134
BAD_INPUT_STATUS = 1

DESCRIPTION = """\
Run a WASI module (preview 1) or command component (WASI 0.2) like `wasmtime run`,
with the kit's sandbox and limits.
The guest sees only the directories, environment and arguments given here.

directories:
  --dir HOST::GUEST     read-write, as wasmtime's --dir (HOST alone maps to the same path)
  --dir-ro HOST::GUEST  read-only (the guest can read but not create, change or delete)

exit status: the guest's exit code (also when it exits after a refused memory.grow);
134 after a trap, a timeout or running out of fuel (like wasmtime);
1 for a module that cannot run (not wasm, missing imports, missing file).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers run-wasm",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print versions and exit")
    add_dir_options(parser)
    parser.add_argument(
        "--env",
        action="append",
        type=parse_env_pair,
        default=[],
        metavar="KEY=VALUE",
        help="environment variable for the guest",
    )
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="wall-clock limit (epoch interruption)"
    )
    parser.add_argument(
        "--argv0",
        metavar="NAME",
        help="the guest's argv[0] (default: the module's file name), as wasmtime run --argv0",
    )
    parser.add_argument("--fuel", type=int, metavar="N", help="instruction budget")
    parser.add_argument(
        "--max-memory", type=parse_size, metavar="BYTES", help="linear memory limit, e.g. 64M"
    )
    parser.add_argument("module", nargs="?", metavar="MODULE", help=".wasm or .wat file")
    parser.add_argument(
        "args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments for the guest"
    )
    return parser


def _one_line(err: KitError) -> str:
    line = err.message.strip().splitlines()[0] if err.message.strip() else type(err).__name__
    if isinstance(err, Trap) and err.frames:
        line += f" (in {err.frames[0]})"
    if err.fix:
        line += f"; fix: {err.fix}"
    return f"run-wasm: error: {line}"


def _status_for(err: KitError) -> int:
    if isinstance(err, Trap | LimitExceeded):
        return TRAP_STATUS
    if isinstance(err, WasmError) and err.result is not None:
        return TRAP_STATUS
    return BAD_INPUT_STATUS


def main(argv: list[str]) -> int:
    options = build_parser().parse_args(argv)
    if options.version:
        print(f"kernel_helpers run-wasm on wasmtime-py {wasmtime_version()}")
        return 0
    if options.module is None:
        build_parser().print_usage(sys.stderr)
        print("run-wasm: error: MODULE is required", file=sys.stderr)
        return 2
    sys.stdout.flush()
    # Python would only see Ctrl-C after the guest returns, which an endless loop never
    # does; the default action ends the process at once, as it ends `wasmtime run`.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        result = run_wasm(
            options.module,
            options.args,
            env=dict(options.env),
            dirs=options.dirs,
            timeout=options.timeout,
            fuel=options.fuel,
            max_memory=options.max_memory,
            inherit_stdio=True,
            argv0=options.argv0,
        )
    except KitError as err:
        print(_one_line(err), file=sys.stderr)
        return _status_for(err)
    if result.memory_limit_reached:
        print(
            f"run-wasm: note: the guest reached --max-memory ({options.max_memory:,} bytes): a "
            f"memory.grow returned -1 and the guest chose exit status {result.exit_code}",
            file=sys.stderr,
        )
    return result.exit_code & 0xFF
