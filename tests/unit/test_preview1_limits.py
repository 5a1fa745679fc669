"""Notebook 04's "what preview 1 cannot do": socket.c and threads.c built for wasm32-wasi
with the course's real C toolchain, the compiler's or runtime's own words kept, and the
recorded attempts (clang and zig) on a machine with no compiler, marked as recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kernel_helpers._errors import ToolchainMissing
from kernel_helpers.course import nb04
from kernel_helpers.toolchains import build as tc
from tests.conftest import need

#: The explanations that mean "what happened was not recognised".
FALLBACK_WHY = "read what was said above"


@pytest.fixture
def toolchains(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("KIT_TOOLCHAINS", request.param)
    tc.forget_toolchains()
    yield request.param
    tc.forget_toolchains()


def _live_c_toolchain() -> None:
    try:
        tc.toolchain_for("c")
    except ToolchainMissing as err:
        need(False, err.message)


@pytest.mark.parametrize("toolchains", ["", "zig-only"], indirect=True)
def test_each_program_is_refused_in_the_toolchains_own_words(toolchains: str) -> None:
    _live_c_toolchain()
    limits = nb04.preview1_limits()
    by_program = {a.program: a for a in limits.attempts}
    assert set(by_program) == set(nb04.PREVIEW1_PROGRAMS) and not limits.note
    socket = by_program["socket"]
    # Neither clang's nor zig's wasi-libc declares socket(): the compiler says so.
    assert socket.stage == "compile" and "undeclared function 'socket'" in socket.said
    threads = by_program["threads"]
    if threads.stage == "compile":  # an older wasi-libc: no pthread.h for wasm32-wasi
        assert "pthread.h" in threads.said
    else:  # a newer one: stubs that link, and a pthread_create that refuses at run time
        assert "pthread_create failed" in threads.said and threads.exit_code == 1
    for attempt in limits.attempts:
        assert attempt.recorded is None and FALLBACK_WHY not in attempt.why
        assert "RECORDED" not in attempt.text() and attempt.command in attempt.text()


@pytest.mark.parametrize("toolchains", ["off"], indirect=True)
def test_without_a_compiler_the_recorded_attempts_are_marked(toolchains: str) -> None:
    limits = nb04.preview1_limits()
    assert "no C compiler for wasm32-wasi here" in limits.note
    kinds = {a.toolchain.split()[0] for a in limits.attempts}
    assert kinds == {"clang", "zig"}, "both toolchains' answers are recorded"
    for attempt in limits.attempts:
        assert attempt.recorded and "RECORDED" in attempt.text()
        assert FALLBACK_WHY not in attempt.why, attempt  # each answer has its explanation
    zig_threads = next(
        a for a in limits.attempts if a.program == "threads" and a.toolchain.startswith("zig")
    )
    assert zig_threads.stage == "run" and "pthread_create failed" in zig_threads.said


def test_the_explanation_follows_what_was_said_not_what_was_expected() -> None:
    header = "/usr/include/pthread.h:25:10: fatal error: 'bits/endian.h' file not found"
    assert (
        "no pthread.h for wasm32-wasi"
        in nb04.Preview1Attempt("threads", "clang", "cc", "compile", header, None).why
    )
    refused = nb04.Preview1Attempt(
        "threads", "zig", "cc", "run", "pthread_create failed: Resource busy (error 6)", 1
    )
    assert "refuse with an error code" in refused.why
    assert FALLBACK_WHY in nb04.Preview1Attempt("threads", "x", "cc", "run", "", 0).why


def test_an_unknown_program_is_a_one_line_error() -> None:
    with pytest.raises(nb04.KitError, match="no preview-1 program named 'sockets'"):
        nb04.preview1_source("sockets")
