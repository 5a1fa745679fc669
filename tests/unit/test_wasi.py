"""The WASI runner on inline WAT guests: no toolchain needed, real wasmtime."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers._errors import root_cause
from kernel_helpers.wasm import host
from kernel_helpers.wasm import runner as _wasi
from tests import wasi_guests as guests


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own module cache so 'compiled' vs 'cache' is predictable."""
    folder = tmp_path / "kit-cache"
    monkeypatch.setenv("KIT_CACHE_DIR", str(folder))
    return folder


# --- arguments, environment, exit codes, stdio ------------------------------------------

AWKWARD_ARGS = [
    "plain",
    "with space",
    "'single'",
    '"double"',
    "new\nline",
    "ünïcødé ✓",
    "",
    "--flag",
]


def test_args_reach_the_guest_exactly_after_the_module_name() -> None:
    result = kh.run_wasm(guests.print_args(), AWKWARD_ARGS)
    expected = b"".join(arg.encode() + b"\0" for arg in ["module.wasm", *AWKWARD_ARGS])
    assert result.stdout == expected
    assert result.exit_code == 0


def test_argv0_is_the_module_file_name(tmp_path: Path) -> None:
    path = tmp_path / "echo-args.wat"
    path.write_text(guests.print_args())
    assert kh.run_wasm(path, ["x"]).stdout == b"echo-args.wat\0x\0"


def test_argv0_can_be_named_like_wasmtime_run_argv0() -> None:
    assert kh.run_wasm(guests.print_args(), ["x"], argv0="7sum.wasm").stdout == b"7sum.wasm\0x\0"


def test_environment_is_exactly_what_was_given() -> None:
    env = {"PLAIN": "1", "SPACES": "a b", "NEWLINE": "x\ny", "UTF8": "é✓", "EMPTY": ""}
    result = kh.run_wasm(guests.print_environ(), env=env)
    assert result.stdout == b"".join(f"{k}={v}".encode() + b"\0" for k, v in env.items())


def test_host_environment_is_not_inherited() -> None:
    assert "PATH" in os.environ
    assert kh.run_wasm(guests.print_environ()).stdout == b""


@pytest.mark.parametrize("code", [0, 1, 3, 42, 125])
def test_proc_exit_code_is_a_result_not_an_exception(code: int) -> None:
    assert kh.run_wasm(guests.exit_with(code)).exit_code == code


def test_check_turns_a_non_zero_exit_into_guest_exit() -> None:
    with pytest.raises(kh.GuestExit) as caught:
        kh.run_wasm(guests.exit_with(3), check=True)
    assert caught.value.code == 3


def test_stdin_to_stdout_and_stderr_as_raw_bytes() -> None:
    data = bytes(range(256)) * 300  # every byte value, more than one read buffer
    assert kh.run_wasm(guests.cat(1), stdin=data).stdout == data
    echoed = kh.run_wasm(guests.cat(2), stdin="to stderr ✓")
    assert (echoed.stdout, echoed.stderr) == (b"", "to stderr ✓".encode())


def test_no_stdin_reads_as_empty() -> None:
    assert kh.run_wasm(guests.cat(1)).stdout == b""


# --- preopened directories and the capability sandbox ------------------------------------


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, Path]:
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "sub").mkdir()
    (inside / "hello.txt").write_text("hello from the host\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret\n")
    (inside / "link-out").symlink_to(secret)
    return {"inside": inside, "secret": secret}


@pytest.mark.parametrize("guest_path", ["/data", "/", "."])
def test_preopen_appears_at_its_guest_path(sandbox: dict[str, Path], guest_path: str) -> None:
    result = kh.run_wasm(guests.prestat_name(), dirs=[kh.Preopen(sandbox["inside"], guest_path)])
    assert result.stdout == guest_path.encode()


def test_read_a_file_from_a_read_only_preopen(sandbox: dict[str, Path]) -> None:
    result = kh.run_wasm(guests.open_file("hello.txt"), dirs={str(sandbox["inside"]): "/data"})
    assert (result.exit_code, result.stdout) == (0, b"hello from the host\n")


def test_create_a_file_only_in_a_writable_preopen(sandbox: dict[str, Path]) -> None:
    inside = sandbox["inside"]
    writer = guests.open_file("new.txt", write=b"written by the guest")
    denied = kh.run_wasm(writer, dirs=[kh.Preopen(inside, "/data", writable=False)])
    assert denied.exit_code != 0
    assert not (inside / "new.txt").exists()
    allowed = kh.run_wasm(writer, dirs=[kh.Preopen(inside, "/data", writable=True)])
    assert allowed.exit_code == 0
    assert (inside / "new.txt").read_bytes() == b"written by the guest"


def test_no_preopen_means_no_files() -> None:
    assert kh.run_wasm(guests.open_file("hello.txt")).exit_code != 0


ESCAPES = {
    "dot-dot": "../secret.txt",
    "deep dot-dot": "sub/../../secret.txt",
    "absolute": "/etc/hostname",
    "symlink pointing outside": "link-out",
}


@pytest.mark.parametrize("path", ESCAPES.values(), ids=list(ESCAPES))
@pytest.mark.parametrize("writable", [False, True])
def test_escapes_from_a_preopen_are_denied(
    sandbox: dict[str, Path], path: str, writable: bool
) -> None:
    result = kh.run_wasm(
        guests.open_file(path), dirs=[kh.Preopen(sandbox["inside"], "/", writable=writable)]
    )
    assert result.exit_code != 0, f"the guest read {path}: {result.stdout!r}"
    assert b"secret" not in result.stdout


def test_escape_by_writing_outside_is_denied(sandbox: dict[str, Path]) -> None:
    outside = sandbox["inside"].parent / "planted.txt"
    result = kh.run_wasm(
        guests.open_file("../planted.txt", write=b"x"),
        dirs=[kh.Preopen(sandbox["inside"], "/", writable=True)],
    )
    assert result.exit_code != 0
    assert not outside.exists()


@pytest.mark.parametrize("target", ["../secret.txt", "/etc/hostname"])
def test_a_symlink_the_guest_makes_cannot_lead_outside(
    sandbox: dict[str, Path], target: str
) -> None:
    result = kh.run_wasm(
        guests.symlink_then_open(target, "evil"),
        dirs=[kh.Preopen(sandbox["inside"], "/", writable=True)],
    )
    assert result.exit_code != 0
    assert b"secret" not in result.stdout


def test_a_missing_host_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(kh.WasmError, match="not a directory"):
        kh.run_wasm(guests.exit_with(0), dirs={str(tmp_path / "nope"): "/data"})


# --- output cap and streaming -------------------------------------------------------------


def test_output_is_capped_with_an_exact_count_of_dropped_bytes() -> None:
    result = kh.run_wasm(guests.flood(chunks=20), output_limit=100_000)
    assert len(result.stdout) == 100_000
    assert result.stdout_dropped == 20 * 65536 - 100_000
    assert result.truncated
    assert "truncated: 1,210,720 more bytes were dropped" in result.stdout_text


def test_small_output_is_not_truncated() -> None:
    result = kh.run_wasm(guests.flood(chunks=2, chunk_size=10))
    assert (result.stdout, result.truncated) == (b"x" * 20, False)


def test_stream_callback_gets_every_chunk_even_past_the_cap() -> None:
    seen: list[tuple[str, int]] = []
    result = kh.run_wasm(
        guests.flood(chunks=3, chunk_size=1000),
        output_limit=10,
        stream=lambda name, chunk: seen.append((name, len(chunk))),
    )
    assert seen == [("stdout", 1000)] * 3
    assert len(result.stdout) == 10


def test_stream_true_writes_live_to_sys_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    kh.run_wasm(guests.cat(1), stdin="live ✓", stream=True)
    assert capsys.readouterr().out == "live ✓"


def test_result_renders_for_a_notebook() -> None:
    result = kh.run_wasm(guests.cat(1), stdin="<b>not bold</b>")
    assert "&lt;b&gt;not bold" in result._repr_html_()
    assert "exit code 0" in str(result) and "<b>not bold</b>" in str(result)


# --- limits -------------------------------------------------------------------------------


def test_an_endless_loop_ends_soon_after_its_timeout() -> None:
    began = time.perf_counter()
    with pytest.raises(kh.TimeoutExceeded) as caught:
        kh.run_wasm(guests.endless_loop(), timeout=0.5)
    elapsed = time.perf_counter() - began
    # Never before its timeout; the upper bound only tells an unenforced timeout (forever)
    # from a starved process (the matrix's legs run at nice 19 beside CI's suite).
    assert 0.45 <= elapsed < 10
    assert caught.value.limit == "timeout"
    assert "0.5 s" in str(caught.value)


def test_a_quick_guest_is_not_stopped_by_a_timeout() -> None:
    assert kh.run_wasm(guests.exit_with(0), timeout=5).exit_code == 0


def test_fuel_runs_out_deterministically() -> None:
    printed = []
    for _ in range(2):
        with pytest.raises(kh.FuelExhausted) as caught:
            kh.run_wasm(guests.dots_forever(), fuel=5_000)
        assert isinstance(caught.value.result, kh.WasiResult)
        printed.append(caught.value.result.stdout)
    assert printed[0] == printed[1]
    assert 0 < len(printed[0]) < 5_000
    with pytest.raises(kh.FuelExhausted) as bigger:
        kh.run_wasm(guests.dots_forever(), fuel=10_000)
    assert isinstance(bigger.value.result, kh.WasiResult)
    assert len(bigger.value.result.stdout) > len(printed[0])


def test_a_memory_bomb_that_traps_stops_at_max_memory() -> None:
    with pytest.raises(kh.MemoryLimitExceeded) as caught:
        kh.run_wasm(guests.memory_bomb(on_failure="trap"), max_memory=4 << 20)
    assert caught.value.limit == "max_memory"
    assert "4,194,304 bytes" in str(caught.value)


def test_a_guest_that_handles_a_refused_grow_keeps_its_own_exit_code() -> None:
    # memory.grow returns -1 at the limit; this guest then exits 1 by itself, as it would
    # under `wasmtime run -W max-memory-size=...`: a result, flagged, not an error.
    result = kh.run_wasm(guests.memory_bomb(on_failure="exit"), max_memory=4 << 20)
    assert result.exit_code == 1
    assert result.memory_limit_reached


def test_memory_under_the_limit_is_not_reported() -> None:
    assert kh.run_wasm(guests.grow_then_exit(16, 0), max_memory=64 << 20).exit_code == 0
    under = kh.run_wasm(guests.grow_then_exit(16, 5), max_memory=64 << 20)
    assert (under.exit_code, under.memory_limit_reached) == (5, False)


def test_initial_memory_above_the_limit_is_a_memory_limit_error() -> None:
    with pytest.raises(kh.MemoryLimitExceeded):
        kh.run_wasm(guests.exit_with(0), max_memory=65536)


# --- traps, malformed modules, missing imports ---------------------------------------------


def test_a_trap_names_its_code_and_a_readable_backtrace() -> None:
    with pytest.raises(kh.Trap) as caught:
        kh.run_wasm(guests.trap_in_named_function())
    assert caught.value.code == "unreachable"
    names = [frame.function for frame in caught.value.frames]
    assert names[:2] == ["explode", "middle"]
    assert "0: explode" in str(caught.value)


def test_divide_by_zero_trap_code() -> None:
    with pytest.raises(kh.Trap, match="integer division by zero"):
        kh.run_wasm(guests.divide_by_zero())


MALFORMED = {
    "empty": (b"", "empty"),
    "truncated header": (b"\0asm\x01", "truncated"),
    "truncated body": (b"\0asm\x01\0\0\0\x01\x05", "truncated"),
    "text": (b"hello world", "magic bytes"),
    "native ELF": (b"\x7fELF\x02\x01\x01" + bytes(64), "native ELF"),
    "component": (b"\0asm\x0d\0\x01\0", "component"),
}


@pytest.mark.parametrize("data, says", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_modules_say_what_is_wrong(data: bytes, says: str) -> None:
    with pytest.raises(kh.InvalidModule, match=says):
        kh.run_wasm(data)


def test_a_missing_file_and_bad_wat_are_invalid_modules(tmp_path: Path) -> None:
    with pytest.raises(kh.InvalidModule, match="no module file"):
        kh.run_wasm(tmp_path / "missing.wasm")
    with pytest.raises(kh.InvalidModule, match="WAT text does not parse"):
        kh.run_wasm('(module (func (export "_start") (i32.bogus)))')


def test_a_library_without_start_is_explained() -> None:
    with pytest.raises(kh.InvalidModule, match="no _start"):
        kh.run_wasm('(module (func (export "add")))')


def test_missing_imports_are_all_named() -> None:
    wat = """(module
      (import "env" "draw" (func))
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "env" "beep" (func)))"""
    with pytest.raises(kh.MissingImports) as caught:
        kh.run_wasm(wat)
    assert caught.value.imports == ["env::draw", "env::beep"]
    with pytest.raises(kh.MissingImports):
        kh.prepare(wat)


# --- the compiled-module cache and the prepared fast path ----------------------------------


def test_second_run_loads_from_the_disk_cache(private_cache: Path) -> None:
    wat = guests.exit_with(0)
    first = kh.run_wasm(wat)
    second = kh.run_wasm(wat)
    assert (first.timings.load_kind, second.timings.load_kind) == ("compiled", "cache")
    assert list((private_cache / "modules").glob("*.cwasm"))
    assert kh.run_wasm(wat, cache=False).timings.load_kind == "compiled"


def test_a_module_file_rewritten_in_place_runs_its_new_code(tmp_path: Path) -> None:
    path = tmp_path / "prog.wat"
    for code in (3, 4, 5):  # same size every time, rewritten within milliseconds
        path.write_text(guests.exit_with(code))
        assert kh.run_wasm(path).exit_code == code


def test_an_old_unchanged_module_file_is_not_reread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prog.wat"
    path.write_text(guests.exit_with(6))
    os.utime(path, (time.time() - 60, time.time() - 60))
    kh.run_wasm(path)

    def no_reading(module: object) -> tuple[bytes, str]:
        raise AssertionError("the unchanged module file was read again")

    monkeypatch.setattr(host, "read_module_source", no_reading)
    second = kh.run_wasm(path)
    assert (second.exit_code, second.timings.load_kind) == (6, "cache")


def test_cache_is_keyed_by_engine_settings() -> None:
    wat = guests.exit_with(0)
    kh.run_wasm(wat)
    assert kh.run_wasm(wat, fuel=10_000).timings.load_kind == "compiled"
    assert kh.run_wasm(wat, fuel=10_000).timings.load_kind == "cache"


def test_clear_module_cache_forces_a_compile() -> None:
    wat = guests.exit_with(0)
    kh.run_wasm(wat)
    assert kh.clear_module_cache() >= 1
    assert kh.run_wasm(wat).timings.load_kind == "compiled"


def test_a_corrupt_cache_entry_is_recompiled(private_cache: Path) -> None:
    wat = guests.exit_with(0)
    kh.run_wasm(wat)
    for entry in (private_cache / "modules").glob("*.cwasm"):
        entry.write_bytes(b"garbage")
    assert kh.run_wasm(wat).timings.load_kind == "compiled"
    assert kh.run_wasm(wat).timings.load_kind == "cache"


def test_load_module_returns_module_and_kind() -> None:
    engine = _wasi.engine_for()
    module, kind = kh.load_module(guests.exit_with(0), engine)
    assert isinstance(module, wasmtime.Module) and kind == "compiled"
    assert kh.load_module(guests.exit_with(0), engine)[1] == "cache"


def test_prepared_module_runs_repeatedly_without_loading() -> None:
    prepared = kh.prepare(guests.print_args())
    for word in ["one", "two"]:
        result = prepared.run([word])
        assert result.stdout == f"module.wasm\0{word}\0".encode()
        assert result.timings.load_kind == "prepared"
        assert result.timings.load_s == 0.0
    assert prepared.run(["x"], argv0="7sum.wasm").stdout == b"7sum.wasm\0x\0"


def test_prepared_module_enforces_limits_it_was_prepared_for() -> None:
    with pytest.raises(kh.WasmError, match="epoch_enabled=True"):
        kh.prepare(guests.endless_loop()).run(timeout=0.1)
    looping = kh.prepare(guests.endless_loop(), epoch_enabled=True, fuel_enabled=True)
    with pytest.raises(kh.TimeoutExceeded):
        looping.run(timeout=0.2)
    with pytest.raises(kh.FuelExhausted):
        looping.run(fuel=1_000)


@pytest.mark.parametrize(
    "message,shown",
    [
        (
            "failed to compile: wasm[0]::function[0]\n\nCaused by:\n    0: WebAssembly translation error\n"
            "    1: Invalid input WebAssembly code at offset 31: type mismatch: expected i32 but nothing on stack\n",
            "Invalid input WebAssembly code at offset 31: type mismatch: expected i32 but nothing on stack",
        ),
        (
            "error while executing at wasm backtrace:\n    0:     0x27 - <unknown>!<wasm function 0>\n\n"
            "Caused by:\n    wasm trap: integer divide by zero\n",
            "wasm trap: integer divide by zero",
        ),
        (
            "expected `)`\n     --> <anon>:1:54\n      |\n    1 | (module (func\n      |              ^",
            "expected `)` at line 1, column 54",
        ),
        ("nope\nsecond line", "nope"),
        ("", "ValueError"),
    ],
)
def test_root_cause_shows_the_one_line_that_explains(message: str, shown: str) -> None:
    assert root_cause(ValueError(message)) == shown
    if message:
        assert root_cause(message) == shown


def test_wat_that_does_not_parse_names_the_place() -> None:
    with pytest.raises(kh.InvalidModule, match=r"does not parse: expected .* at line 1, column"):
        kh.run_wasm("(module (func")
