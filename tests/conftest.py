"""Shared fixtures: skip with a reason where a component is missing (never in CI)."""

from __future__ import annotations

import os
import socket
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


@pytest.fixture(autouse=True)
def _fresh_predictions() -> None:
    """Each test a fresh kernel for the checks: a prediction graded in one test must not
    stand for the next test's (the checks keep the first one per exercise), nor an exercise
    answered right in one be done in the next (notebook 09's tidy-up asks which are open)."""
    from kernel_helpers.course.checks import FIRST_PREDICTIONS, SOLVED

    FIRST_PREDICTIONS.clear()
    SOLVED.clear()


class _NothingStands(dict[str, object]):
    """A record of first predictions that keeps none: every call is a first prediction."""

    def __setitem__(self, title: str, prediction: object) -> None:
        pass


@pytest.fixture
def each_prediction_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests of the replies to many predictions in a row: each graded as the first one
    written in a fresh kernel (tests/unit/test_predictions.py tests that the first stands)."""
    from kernel_helpers.course import checks

    monkeypatch.setattr(checks, "FIRST_PREDICTIONS", _NothingStands())


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


# --- servers the tests start -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for UDP connect
            address = str(sock.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address
