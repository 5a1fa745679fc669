"""The wasm reader: inline WAT (no toolchain) read back section by section."""

from __future__ import annotations

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers.wasm.reader import SECTION_NAMES

WAT = """
(module
  (import "env" "log" (func $log (param i32)))
  (memory (export "memory") 1 4)
  (global $counter (mut i32) (i32.const 0))
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (local $tmp i64)
    local.get $a
    local.get $b
    i32.add)
  (func $start (call $log (i32.const 42)))
  (start $start)
  (data (i32.const 16) "hello"))
"""


@pytest.fixture(scope="module")
def wasm() -> bytes:
    return bytes(wasmtime.wat2wasm(WAT))


def test_sections_come_in_file_order_with_their_ids(wasm: bytes) -> None:
    info = kh.read_module(wasm)
    labels = [s.label for s in info.sections]
    assert labels[:8] == [
        "type",
        "import",
        "function",
        "memory",
        "global",
        "export",
        "start",
        "code",
    ]
    assert all(SECTION_NAMES[s.id] == s.name for s in info.sections)
    assert info.sections[0].offset == 8
    for before, after in zip(info.sections, info.sections[1:], strict=False):
        assert before.offset + before.total_size == after.offset


def test_imports_exports_types_memory_and_start_are_decoded(wasm: bytes) -> None:
    info = kh.read_module(wasm)
    assert [(i.module, i.name, i.kind) for i in info.imports] == [("env", "log", "func")]
    assert "(i32) -> nothing" in info.imports[0].detail
    assert {(e.name, e.kind) for e in info.exports} == {("memory", "memory"), ("add", "func")}
    assert info.memories[0].minimum == 1 and info.memories[0].maximum == 4
    assert info.globals_count == 1
    assert info.data_segments == 1
    assert info.start == 2  # imports are numbered first: log=0, add=1, start=2
    assert info.import_modules() == ["env"]


def test_function_bodies_have_sizes_names_and_locals(wasm: bytes) -> None:
    info = kh.read_module(wasm)
    add = next(b for b in info.bodies if b.name == "add")
    assert add.index == 1
    assert str(add.type) == "(i32, i32) -> i32"
    assert add.locals == 1
    assert add.size == len(wasm[add.offset : add.offset + add.size])
    assert wasm[add.offset + add.size - 1] == 0x0B  # every body ends with `end`
    assert info.largest_functions(1)[0].size == max(b.size for b in info.bodies)


def test_section_sizes_add_up_to_the_file(wasm: bytes) -> None:
    sizes = kh.section_sizes(wasm)
    assert sizes["header"] == 8
    assert sum(sizes.values()) == len(wasm)
    assert "custom:name" in sizes  # wat2wasm keeps the $names


def test_reads_paths_and_wat_text_too(wasm: bytes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.wasm"
    path.write_bytes(wasm)
    assert kh.read_module(path).size == len(wasm)
    assert kh.read_module(str(path)).size == len(wasm)
    assert kh.read_module(WAT).size == len(wasm)


def test_annotated_bytes_start_with_magic_and_cover_the_small_module(wasm: bytes) -> None:
    table = kh.annotated_bytes(wasm)
    rows = table.rows()
    assert rows[0][:2] == (0, "00 61 73 6d") and "magic" in rows[0][3]
    assert rows[1][1] == "01 00 00 00"
    assert any('export "add"' in meaning for *_, meaning in rows)
    html = table._repr_html_()
    assert html.startswith("<table") and "magic number" in html
    assert "magic number" in str(table)


def test_annotated_bytes_cut_long_modules_at_the_limit(wasm: bytes) -> None:
    table = kh.annotated_bytes(wasm, limit=20)
    assert all(offset < 20 for offset, *_ in table.rows())
    assert f"{len(wasm) - 20:,} more bytes" in table.text()


def test_module_info_renders_as_text_and_html(wasm: bytes) -> None:
    info = kh.read_module(wasm)
    assert "env.log" in info.text()
    assert "<table>" in info._repr_html_() and "Imports" in info._repr_html_()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x7fELF\x02\x01\x01" + bytes(40), "native ELF"),
        (b"(module)", "WAT text"),
        (b"\0asm\x0d\x00\x01\x00", "component"),
        (b"hello world", "magic bytes"),
        (b"", "magic bytes"),
    ],
)
def test_not_a_module_gets_a_plain_reason(data: bytes, words: str) -> None:
    with pytest.raises(kh.InvalidModule) as caught:
        kh.read_module(data)
    assert words in str(caught.value)


def test_a_truncated_module_says_so(wasm: bytes) -> None:
    with pytest.raises(kh.InvalidModule, match="truncated"):
        kh.read_module(wasm[:-3])


def test_bad_wat_is_an_invalid_module_with_a_fix() -> None:
    with pytest.raises(kh.InvalidModule) as caught:
        kh.read_module("(module (func (result i32) i32.const))")
    assert caught.value.fix


def test_a_missing_file_is_an_invalid_module(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(kh.InvalidModule, match="no file"):
        kh.read_module(tmp_path / "nope.wasm")


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("runtime.mallocgc", "runtime"),
        ("fmt.__pp_.printValue", "fmt"),
        ("internal_fmtsort.compare", "internal_fmtsort"),
        ("_ZN3std9panicking20rust_panic_with_hook17h6ac9107cE", "std"),
        ("_ZN4core3fmt5write17h0123456789abcdefE", "core"),
        ("_ZN76_$LT$$RF$mut$u20$W$u20$as$u20$core..fmt..Write$GT$9write_str17hE", "trait impls"),
        ("dlmalloc", "C / libc"),
        (None, "(no name)"),
    ],
)
def test_package_of_reads_go_and_rust_names(name: str | None, package: str) -> None:
    from kernel_helpers.wasm.reader import package_of

    assert package_of(name) == package


def test_code_by_package_and_stripped_size(wasm: bytes) -> None:
    by_package = kh.code_by_package(wasm)
    assert by_package == {"C / libc": sum(b.size for b in kh.read_module(wasm).bodies)}
    custom = sum(s.total_size for s in kh.read_module(wasm).sections if s.id == 0)
    assert kh.stripped_size(wasm) == len(wasm) - custom


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x7fELF\x02\x01\x01", "native ELF"),
        (b"#!/bin/sh\n", "script"),
        (b"  (module)", "WAT text"),
        (b"", "empty"),
        (b"hello", "68 65 6c 6c"),
    ],
)
def test_one_header_check_names_what_the_bytes_are(data: bytes, words: str) -> None:
    from kernel_helpers.wasm.reader import describe_not_wasm, is_wasm

    assert not is_wasm(data)
    why = describe_not_wasm(data)
    assert why is not None and words in why


def test_a_component_is_wasm_but_not_a_core_module() -> None:
    from kernel_helpers.wasm.reader import check_core_module, describe_not_wasm, is_wasm

    component = b"\0asm\x0d\x00\x01\x00"
    assert is_wasm(component) and describe_not_wasm(component) is None
    with pytest.raises(kh.InvalidModule, match="component"):
        check_core_module(component)
