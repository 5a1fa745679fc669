"""How a command line names a WASI run's inputs, the way ``wasmtime run`` spells them:
directories (``HOST::GUEST``), environment (``KEY=VALUE``) and sizes (``64M``).

Shared by ``python -m kernel_helpers run-wasm`` and the notebooks' ``%%wasm`` magics, so
the two read the same words the same way. Each parser is an argparse ``type``: bad text
raises ``argparse.ArgumentTypeError`` with a message a learner can act on.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from .runner import Preopen

_SIZE_SUFFIXES = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(text: str) -> int:
    """Bytes from ``67108864``, ``64M``, ``64MiB`` or ``512k``."""
    cleaned = text.strip().lower().removesuffix("ib").removesuffix("b")
    multiplier = _SIZE_SUFFIXES.get(cleaned[-1:], 1)
    digits = cleaned[:-1] if cleaned[-1:] in _SIZE_SUFFIXES else cleaned
    try:
        value = int(digits) * multiplier
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size in bytes: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a size must be positive: {text!r}")
    return value


def preopen_parser(writable: bool) -> Callable[[str], Preopen]:
    """A parser of ``HOST::GUEST`` (``HOST`` alone maps to the same path in the guest)."""

    def parse(text: str) -> Preopen:
        host, _, guest = text.partition("::")
        if not host:
            raise argparse.ArgumentTypeError(f"expected HOST::GUEST, got {text!r}")
        return Preopen(host, guest or host, writable=writable)

    return parse


def add_dir_options(parser: argparse.ArgumentParser) -> None:
    """``--dir`` (read-write) and ``--dir-ro`` (read-only), like ``wasmtime run``'s, both into
    ``dirs``: the run-wasm command and the cell magics take the same directories."""
    parser.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        type=preopen_parser(True),
        default=[],
        metavar="HOST::GUEST",
        help="read-write directory",
    )
    parser.add_argument(
        "--dir-ro",
        dest="dirs",
        action="append",
        type=preopen_parser(False),
        metavar="HOST::GUEST",
        help="read-only directory",
    )


def parse_env_pair(text: str) -> tuple[str, str]:
    """Like wasmtime: ``KEY=VALUE`` sets it, a bare ``KEY`` passes this process's value on."""
    key, has_value, value = text.partition("=")
    if not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    if not has_value:
        value = os.environ.get(key, "")
    return key, value
