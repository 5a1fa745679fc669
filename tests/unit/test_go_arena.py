"""The block of static memory the kit lends the component adapter in a Go program
(notebook 11, ``toolchains/go_arena``), on small modules written inline: a data segment
holding the marker and the block's address stands in for what Go's linker writes."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

from kernel_helpers import InvalidModule
from kernel_helpers.toolchains.component.go_arena import (
    ARENA_BYTES,
    ARENA_FILE,
    ARENA_SOURCE,
    MAGIC,
    arena_bounds,
    built_by_go,
    lend_arena,
)

ARENA_AT = 0x20000


def go_like_module(
    *, marker: bool = True, globals_: bool = True, imported_global: bool = False
) -> bytes:
    """A command module shaped like Go's: memory exported, a _start, data segments where
    the marker is followed by the block's address, 8 bytes, little-endian."""
    pointer = struct.pack("<Q", ARENA_AT)
    marker_data = "".join(f"\\{b:02x}" for b in MAGIC + pointer[:4])  # Go leaves the zero half out
    segment = f'(data (i32.const 4096) "{marker_data}")' if marker else ""
    global_ = "(global $sp (mut i32) (i32.const 65536))" if globals_ else ""
    return wasmtime.wat2wasm(f"""
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          {'(import "env" "g" (global $g i32))' if imported_global else ""}
          (memory (export "memory") 8)
          {global_}
          (func (export "_start"))
          (data (i32.const 1024) "go:buildid")
          {segment})
    """)


def instance(module: bytes) -> tuple[wasmtime.Store, wasmtime.Instance]:
    store = wasmtime.Store()
    linker = wasmtime.Linker(store.engine)
    linker.define_func(
        "wasi_snapshot_preview1",
        "proc_exit",
        wasmtime.FuncType([wasmtime.ValType.i32()], []),
        lambda code: None,
    )
    linker.define(
        store,
        "env",
        "g",
        wasmtime.Global(store, wasmtime.GlobalType(wasmtime.ValType.i32(), False), 7),
    )
    return store, linker.instantiate(store, wasmtime.Module(store.engine, module))


def test_the_block_is_found_from_the_marker_even_when_go_leaves_zero_bytes_out() -> None:
    assert arena_bounds(go_like_module()) == (ARENA_AT, ARENA_AT + ARENA_BYTES)
    assert arena_bounds(go_like_module(marker=False)) is None


@pytest.mark.parametrize("imported_global", [False, True])
def test_cabi_realloc_hands_out_aligned_blocks_of_the_arena_and_nothing_beyond(
    imported_global: bool,
) -> None:
    store, inst = instance(lend_arena(go_like_module(imported_global=imported_global)))
    realloc = inst.exports(store)["cabi_realloc"]
    assert isinstance(realloc, wasmtime.Func)
    first = realloc(store, 0, 0, 8, 3)
    second = realloc(store, 0, 0, 16, 100)
    third = realloc(store, 0, 0, 1, 1)
    assert first == ARENA_AT
    assert second == ARENA_AT + 16 and second % 16 == 0
    assert third == second + 100
    with pytest.raises(wasmtime.Trap):
        realloc(store, 0, 0, 8, ARENA_BYTES)  # more than is left: a trap, never Go's heap


def test_a_realloc_keeps_the_old_bytes() -> None:
    store, inst = instance(lend_arena(go_like_module()))
    realloc, memory = inst.exports(store)["cabi_realloc"], inst.exports(store)["memory"]
    assert isinstance(realloc, wasmtime.Func) and isinstance(memory, wasmtime.Memory)
    old = realloc(store, 0, 0, 4, 4)
    memory.write(store, b"kept", old)
    new = realloc(store, old, 4, 4, 64)
    assert new != old and memory.read(store, new, new + 4) == b"kept"


def test_lending_adds_only_an_export_and_keeps_the_module_valid() -> None:
    for module in (go_like_module(), go_like_module(globals_=False)):
        lent = lend_arena(module)
        wasmtime.Module.validate(wasmtime.Engine(), lent)
        before = {e.name for e in wasmtime.Module(wasmtime.Engine(), module).exports}
        after = {e.name for e in wasmtime.Module(wasmtime.Engine(), lent).exports}
        assert after - before == {"cabi_realloc"}


def test_a_module_without_the_marker_is_refused_with_the_file_to_add() -> None:
    with pytest.raises(InvalidModule) as caught:
        lend_arena(go_like_module(marker=False))
    assert ARENA_FILE in str(caught.value)


def test_the_go_file_declares_the_block_and_the_marker_the_reader_looks_for() -> None:
    assert f"[{ARENA_BYTES}]byte" in ARENA_SOURCE
    assert "[16]byte{" + ", ".join(f"'{chr(byte)}'" for byte in MAGIC) + "}" in ARENA_SOURCE


def test_the_step_runs_by_hand(tmp_path: Path) -> None:
    module = tmp_path / "hello-go.wasm"
    module.write_bytes(go_like_module())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kernel_helpers.toolchains.component.go_arena",
            str(module),
            "-o",
            str(module),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{ARENA_BYTES:,} bytes at {ARENA_AT:#x}" in done.stdout
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "kernel_helpers.toolchains.component.go_arena",
            str(tmp_path / "none.wasm"),
            "-o",
            "x",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "go_arena:" in refused.stderr


def test_a_go_module_is_told_from_others_by_its_producers_section() -> None:
    go = go_like_module() + b"\x00\x21\x09producers\x01\x08language\x01\x02Go\x08go1.27.3"
    assert built_by_go(go) and not built_by_go(go_like_module())
