"""02 section 3: the producers section may name another clang than the one that compiled
the program (the linker keeps one version per tool; wasi-libc's start files bring the
distribution's). The output says so when the two differ, from what the run read."""

from __future__ import annotations

from pathlib import Path

import wasmtime

import kernel_helpers as kh
from kernel_helpers.toolchains.build import Artifact

CLANG_19 = "Debian clang version 19.1.7 (3~deb12u1)"


def _module_processed_by(tmp_path: Path, tool: str, version: str) -> Path:
    """A real module whose producers section says ``processed-by tool version``."""
    path = tmp_path / "hello.wasm"
    wat = f'(module (@producers (processed-by "{tool}" "{version}")) (func (export "_start")))'
    path.write_bytes(wasmtime.wat2wasm(wat))
    return path


def _built_with(path: Path, toolchain: str, version: str) -> Artifact:
    return Artifact(
        example="hello",
        lang="c",
        target="wasm32-wasi",
        path=path,
        bytes=path.stat().st_size,
        command=[toolchain, "hello.c"],
        toolchain=toolchain,
        version=version,
        compile_s=0.0,
    )


def test_another_clang_in_producers_is_said_with_both_versions(tmp_path: Path) -> None:
    module = _module_processed_by(tmp_path, "Debian clang", "14.0.6")
    producers = kh.read_module(module).producers
    note = kh.producers_note(_built_with(module, "clang", CLANG_19), producers)
    assert note is not None and "\n" not in note
    assert "Debian clang 14.0.6" in note and "clang 19.1.7 compiled hello.wasm" in note


def test_the_same_clang_says_nothing(tmp_path: Path) -> None:
    module = _module_processed_by(tmp_path, "Debian clang", "19.1.7")
    producers = kh.read_module(module).producers
    assert kh.producers_note(_built_with(module, "clang", CLANG_19), producers) is None


def test_a_compiler_that_is_not_the_producers_tool_is_not_compared(tmp_path: Path) -> None:
    # zig cc reports zig's version, not the clang inside it: nothing to compare.
    module = _module_processed_by(tmp_path, "clang", "18.1.6")
    producers = kh.read_module(module).producers
    assert kh.producers_note(_built_with(module, "zig", "0.13.0"), producers) is None


def test_a_module_without_producers_says_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bare.wasm"
    path.write_bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    assert kh.producers_note(_built_with(path, "clang", CLANG_19), {}) is None
