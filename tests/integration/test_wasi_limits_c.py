"""Limits against real C programs (wasi-libc's allocator, clang's loops), not only WAT."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import kernel_helpers as kh
from tests.conftest import compile_c_to_wasm

pytestmark = pytest.mark.integration

MEMORY_BOMB = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
char *volatile keep;  /* so clang cannot drop the allocations */
int main(int argc, char **argv) {
    size_t step = (size_t)atol(argv[1]), total = 0;
    for (;;) {
        char *p = malloc(step);
        if (!p) { fprintf(stderr, "out of memory after %zu bytes\n", total); return 1; }
        memset(p, 1, step);
        keep = p;
        total += step;
    }
}
"""

SPIN = r"""
#include <stdio.h>
volatile unsigned long counter;
int main(void) { puts("spinning"); for (;;) counter++; }
"""


def build(tmp_path: Path, name: str, source: str) -> Path:
    return compile_c_to_wasm(source, name)


@pytest.mark.parametrize("step", ["100", "65536", "1048576"])
def test_a_c_memory_bomb_stops_at_max_memory(tmp_path: Path, step: str) -> None:
    # malloc returns NULL at the limit and the program exits 1 by itself: its own code.
    bomb = build(tmp_path, "bomb", MEMORY_BOMB)
    result = kh.run_wasm(bomb, [step], max_memory=32 << 20, timeout=30)
    assert (result.exit_code, result.memory_limit_reached) == (1, True)
    assert b"out of memory" in result.stderr


def test_a_c_endless_loop_ends_within_a_second_of_its_timeout(tmp_path: Path) -> None:
    spin = build(tmp_path, "spin", SPIN)
    began = time.perf_counter()
    with pytest.raises(kh.TimeoutExceeded) as caught:
        kh.run_wasm(spin, timeout=1.0)
    assert time.perf_counter() - began < 2.0
    assert isinstance(caught.value.result, kh.WasiResult)
    assert caught.value.result.stdout == b"spinning\n"
