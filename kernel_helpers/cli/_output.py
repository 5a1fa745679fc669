"""Machine-readable output: with ``--json``, stdout carries the JSON and nothing else."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def chatter_to_stderr() -> Iterator[None]:
    """Send everything printed inside the block to stderr: Python's ``print`` and, where
    stdout is the process's file descriptor 1, child processes too (a compiler, docker).
    A ``--json`` command does its work inside the block and prints its JSON after it."""
    sys.stdout.flush()
    saved = None
    with contextlib.suppress(AttributeError, OSError, io.UnsupportedOperation):
        if sys.stdout.fileno() == 1:
            saved = os.dup(1)
            os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
