"""``python -m kernel_helpers COMMAND ...``: the kit's command line.

Each command lives in its own module and exposes ``main(argv) -> int``; this file only
dispatches, so a broken optional dependency of one command cannot break the others.
"""

from __future__ import annotations

import importlib
import sys

#: command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "doctor": ("kernel_helpers.cli.doctor", "report what this machine can do for the course"),
    "build": ("kernel_helpers.cli.build", "compile the examples to wasm32-wasi and native"),
    "aggregate": (
        "kernel_helpers.cli.aggregate",
        "merge learners' notebook-10 exports into one plot",
    ),
    "run-wasm": ("kernel_helpers.cli.run_wasm", "run a WASI module like `wasmtime run`, sandboxed"),
    "component": (
        "kernel_helpers.cli.component",
        "turn a preview-1 module into a WASI 0.2 component",
    ),
    "bench": (
        "kernel_helpers.cli.bench",
        "benchmarks: startup, sizes, compute, pull, density (and cleanup)",
    ),
    "notebook-filter": (
        "kernel_helpers.cli.notebook_filter",
        "keep run notebooks' outputs out of git status (a learner's ./kit setup runs it)",
    ),
    "containerd": (
        "kernel_helpers.cli.containerd",
        "run a module or image through containerd and a real shim",
    ),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: python -m kernel_helpers COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "Run 'python -m kernel_helpers COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    code: int = module.main(rest)
    return code


if __name__ == "__main__":
    sys.exit(main())
