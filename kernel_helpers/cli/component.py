"""``python -m kernel_helpers component MODULE -o OUT``: a WASI 0.2 component from a
preview-1 command module (notebook 11), by ``wasm-tools component new`` with jco's adapter.

``--wit`` prints the component's world afterwards; ``--refresh-prebuilt`` remakes the
components shipped in ``data/prebuilt/components/``, with the wasi:http guest's WIT and
the guest itself (maintainers only: needs wasm-tools, jco, a C compiler and componentize-py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .._errors import KitError
from ..toolchains.component.making import componentize
from ..toolchains.component.prebuilt import refresh_prebuilt_components
from ..toolchains.component.worlds import read_world


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers component",
        description="Turn a WASI preview-1 command module into a WASI 0.2 component.",
    )
    parser.add_argument("module", nargs="?", help="a .wasm core module (wasm32-wasi, with _start)")
    parser.add_argument(
        "-o", "--output", help="where to write the component (default: MODULE.component.wasm)"
    )
    parser.add_argument("--wit", action="store_true", help="print the component's WIT world")
    parser.add_argument(
        "--no-prebuilt", action="store_true", help="fail instead of using a shipped component"
    )
    parser.add_argument("--refresh-prebuilt", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.refresh_prebuilt:
            for made in refresh_prebuilt_components():
                print(made.summary())
            return 0
        if not args.module:
            parser.error("a MODULE is required")
        source = Path(args.module)
        artifact = componentize(source, prebuilt=not args.no_prebuilt)
        output = Path(args.output) if args.output else source.with_suffix(".component.wasm")
        shutil.copyfile(artifact.path, output)
        for note in (artifact.fallback_note(), artifact.caveat):
            if note:
                print(note, file=sys.stderr)
        print(
            f"{output}: {artifact.bytes:,} bytes ({artifact.module_bytes:,} module + "
            f"{artifact.adapter_bytes:,} adapter)",
            file=sys.stderr,
        )
        if args.wit:
            world = read_world(artifact)
            print(world.wit if world.wit is not None else str(world))
    except KitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0
