"""Shared fixtures: skip with a reason where a component is missing (never in CI)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI") or os.environ.get("KIT_REQUIRE_ALL"))


def need(condition: bool, reason: str) -> None:
    """Skip locally when ``condition`` is false; in CI nothing may skip, so fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def python() -> str:
    return sys.executable


def compile_c_to_wasm(source: str, name: str) -> Path:
    """A C program built to wasm32-wasi with the compiler the kit itself picks (so tests
    follow the toolchain detection instead of assuming a particular clang works)."""
    import kernel_helpers as kh

    try:
        return kh.compile_source(source, "c", name=name).path
    except kh.ToolchainMissing as err:
        need(False, f"no C to wasm compiler: {err.fix}")
        raise  # unreachable: need() skips or fails
