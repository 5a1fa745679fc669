"""The %%wasm and %%wat cell magics (issue 14): the line's options, compiler messages at the
cell's own lines, one line for a missing compiler, and %%wat end to end in a real IPython
shell. Hermetic: no compiler runs here (tests/integration/test_magics_live.py compiles)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kernel_helpers._display import format_seconds
from kernel_helpers._errors import Diagnostic
from kernel_helpers.course import magics
from kernel_helpers.course.magics import (
    DEFAULT_TIMEOUT_S,
    CellRun,
    MagicUsage,
    Outcome,
    cell_diagnostics,
    parse_options,
    run_cell,
)
from kernel_helpers.toolchains.build import shell_command
from kernel_helpers.toolchains.diagnostics import parse_diagnostics
from kernel_helpers.wasm.host import Timings

HELLO_WAT = """\
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi from WAT\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""

TRAPPING_WAT = '(module (func (export "_start") unreachable))'


# --- the line after %%wasm ------------------------------------------------------------------


def test_a_bare_line_names_the_language_and_keeps_the_defaults() -> None:
    options = parse_options("wasm", "rust")
    assert options.lang == "rust"
    assert (options.name, options.args, options.env, options.dirs) == (None, [], {}, [])
    assert options.stdin is None and options.timeout == DEFAULT_TIMEOUT_S
    assert not options.native and not options.show_command
    assert options.file_stem == "cell"


@pytest.mark.parametrize(
    ("word", "lang"), [("c", "c"), ("C++", "cpp"), ("cpp", "cpp"), ("rs", "rust"), ("go", "go")]
)
def test_language_spellings(word: str, lang: str) -> None:
    assert parse_options("wasm", word).lang == lang


def test_every_option_is_read(tmp_path: Path) -> None:
    line = (
        f"c --name greet --env A=1 --env B=two --dir {tmp_path}::/data --dir-ro {tmp_path}"
        " --stdin 'one\\ntwo' --timeout 2.5 --fuel 1000 --max-memory 64M --native --show-command"
        " --args 1 'two words' --not-an-option"
    )
    options = parse_options("wasm", line)
    assert options.name == "greet" and options.file_stem == "greet"
    assert options.env == {"A": "1", "B": "two"}
    assert [(Path(p.host), p.guest, p.writable) for p in options.dirs] == [
        (tmp_path, "/data", True),
        (tmp_path, str(tmp_path), False),
    ]
    assert options.stdin == "one\ntwo"
    assert (options.timeout, options.fuel, options.max_memory) == (2.5, 1000, 64 << 20)
    assert options.native and options.show_command
    # --args comes last: everything after it is the program's, options look-alikes too.
    assert options.args == ["1", "two words", "--not-an-option"]


def test_a_relative_dir_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    [preopen] = parse_options("wat", "--dir in::/in").dirs
    assert Path(preopen.host) == tmp_path / "in"


@pytest.mark.parametrize(
    ("magic", "line", "said"),
    [
        ("wasm", "fortran", "unknown language 'fortran'"),
        ("wasm", "", "the following arguments are required"),
        ("wasm", "c --name 2fast", "not a Python variable name"),
        ("wasm", "c --name class", "not a Python variable name"),
        ("wasm", "c --bogus", "unrecognized arguments: --bogus"),
        ("wasm", "c --stdin 'unclosed", "No closing quotation"),
        ("wasm", "c --timeout 0", "must be more than 0"),
        ("wasm", "c --env =x", "expected KEY=VALUE"),
        ("wasm", "c --max-memory lots", "not a size in bytes"),
        ("wat", "--native", "unrecognized arguments: --native"),
    ],
)
def test_a_wrong_line_says_what_and_shows_the_usage(magic: str, line: str, said: str) -> None:
    with pytest.raises(MagicUsage) as caught:
        parse_options(magic, line)
    assert said in caught.value.message
    assert caught.value.message.startswith(f"%%{magic}")
    assert caught.value.fix  # the usage, or what a right value looks like


# --- compiler messages at the cell's lines --------------------------------------------------

C_CELL = '#include <stdio.h>\n\nint main(void) {\n    printf("%d\\n", x);\n}\n'


def test_a_clang_error_is_placed_at_the_cell_line_with_its_code() -> None:
    output = (
        "cell.c:4:20: error: use of undeclared identifier 'x'\n"
        '    4 |     printf("%d\\n", x);\n'
        "/usr/include/wasm32-wasi/stdio.h:100:5: note: declared here\n"
        "1 error generated.\n"
    )
    placed = cell_diagnostics(parse_diagnostics("c", output), "cell.c", C_CELL)
    # Line 4 of the program is line 5 of the cell: the %%wasm line is line 1.
    assert (placed[0].line, placed[0].column, placed[0].severity) == (5, 20, "error")
    assert placed[0].code == 'printf("%d\\n", x);'
    assert str(placed[0]).startswith(
        "cell line 5, column 20: error: use of undeclared identifier 'x'"
    )
    # A message about another file keeps its own name and line.
    assert str(placed[1]) == "/usr/include/wasm32-wasi/stdio.h:100:5: note: declared here"


def test_rustc_and_go_errors_are_placed_too() -> None:
    rust_cell = 'fn main() {\n    let x: i32 = "a";\n}\n'
    rust_output = (
        "error[E0308]: mismatched types\n --> cell.rs:2:18\n  |\n"
        '2 |     let x: i32 = "a";\n\nerror: aborting due to previous error\n'
    )
    [rust] = cell_diagnostics(parse_diagnostics("rust", rust_output), "cell.rs", rust_cell)
    assert (rust.line, rust.column, rust.message, rust.code) == (
        3,
        18,
        "mismatched types",
        'let x: i32 = "a";',
    )

    go_cell = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(y)\n}\n'
    go_output = "# command-line-arguments\n./greet.go:6:14: undefined: y\n"
    [go] = cell_diagnostics(parse_diagnostics("go", go_output), "greet.go", go_cell)
    assert (go.line, go.column, go.message, go.code) == (7, 14, "undefined: y", "fmt.Println(y)")


def test_a_message_without_a_line_is_kept_as_said() -> None:
    [placed] = cell_diagnostics(
        [Diagnostic("", None, None, "error", "linking failed")], "cell.c", ""
    )
    assert str(placed) == "error: linking failed"


def test_the_shown_command_carries_gos_environment() -> None:
    command = ["/usr/bin/go", "build", "-trimpath", "-o", "cell-go.wasm", "cell.go"]
    assert shell_command("go", "wasm32-wasi", command) == (
        "GOOS=wasip1 GOARCH=wasm /usr/bin/go build -trimpath -o cell-go.wasm cell.go"
    )
    assert shell_command("c", "native", ["clang", "-o", "a b", "x.c"]) == "clang -o 'a b' x.c"


# --- no compiler ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["c", "cpp", "rust", "go"])
def test_no_compiler_is_one_line_saying_how_to_get_one(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    run = run_cell("int main(void) { return 0; }\n", parse_options("wasm", f"{lang} --native"))
    for outcome in run.outcomes:
        assert outcome.artifact is None and outcome.exit_code is None
        assert outcome.problem is not None and "\n" not in outcome.problem
        assert outcome.problem.startswith("No ") and "To get one: " in outcome.problem
        assert "KIT_TOOLCHAINS=off" in outcome.problem
    assert [o.target for o in run.outcomes] == ["wasm32-wasi", "native"]
    assert "Traceback" not in run.text()


# --- how it looks ---------------------------------------------------------------------------


def test_wasm_and_native_are_shown_side_by_side() -> None:
    run = CellRun(
        "c",
        [
            Outcome("wasm32-wasi", "c", stdout="<same>\n", exit_code=0, run_s=0.001),
            Outcome("native", "c", stdout="<same>\n", exit_code=0, run_s=0.002),
        ],
    )
    page = run.html()
    assert page.count("<td") == 2 and "&lt;same&gt;" in page
    assert run.text().index("wasm32-wasi") < run.text().index("native")
    assert "exit code 0, ran in 1 ms" in run.text()


def test_each_time_says_what_it_includes() -> None:
    """Walk 7, S5: side by side, wasm "ran in 432 µs" and native "ran in 20.4 ms" read as
    native being slower; walk 10, S4: wasm's ``_start`` at 111 ms against native's 12 ms
    read as wasm ten times slower. Both times run from the file to the exit; the wasm one
    adds up its parts, each named with its figure, and the native one is a whole process."""
    timings = Timings(load_s=0.004, instantiate_s=0.0002, run_s=0.000432, load_kind="cache")
    run = CellRun(
        "c",
        [
            Outcome("wasm32-wasi", "c", exit_code=2, run_s=0.000432, timings=timings),
            Outcome("native", "c", exit_code=2, run_s=0.0204, command="cc -o greeter-c greeter.c"),
        ],
    )
    wasm_line, native_line = (o.run_line() or "" for o in run.outcomes)
    assert wasm_line.startswith(f"exit code 2, ran in {format_seconds(timings.total_s)} from file")
    for part, seconds in (("load", 0.004), ("instantiate", 0.0002), ("_start", 0.000432)):
        assert f"{part} {format_seconds(seconds)}" in wasm_line
    assert "in this process" in wasm_line and "wasmtime's cache" in wasm_line
    assert "from file to exit, as a new process" in native_line
    assert "as a new process" in run.html() and "in this process" in run.html()
    # Walk 7, S6: the command wraps at spaces, never inside "greeter.c".
    assert "word-break:normal" in run.html() and "break-all" not in run.html()


def test_a_first_run_says_wasmtime_compiled_the_module_and_a_second_reads_its_cache() -> None:
    """Walk 10, S4: the first run of a new module pays for wasmtime compiling it; the line
    says so, and the same cell run again loads the machine code from the cache instead."""
    unique = f"run {time.time_ns()}"  # a module no earlier run has compiled
    wat = HELLO_WAT.replace('"hi from WAT\\n"', f'"{unique}\\n"').replace(
        "12)", f"{len(unique) + 1})"
    )
    options = parse_options("wat", "")
    first, second = (run_cell(wat, options).wasm for _ in range(2))
    assert first.stdout == second.stdout == f"{unique}\n"
    assert first.timings is not None and first.timings.load_kind == "compiled"
    assert second.timings is not None and second.timings.load_kind == "cache"
    assert "wasmtime compiled it" in (first.run_line() or "")
    assert "read from wasmtime's cache" in (second.run_line() or "")
    assert f"load {format_seconds(first.timings.load_s)}" in (first.run_line() or "")


# --- %%wat in a real IPython shell ----------------------------------------------------------


@pytest.fixture(scope="module")
def shell():  # type: ignore[no-untyped-def]
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    result = ip.run_cell("%load_ext kernel_helpers")
    assert result.success, result.error_in_exec
    return ip


def test_wat_cell_runs_and_keeps_its_module(shell) -> None:  # type: ignore[no-untyped-def]
    result = shell.run_cell(f"%%wat --name hi_module\n{HELLO_WAT}")
    assert result.success, result.error_in_exec
    run = result.result
    assert isinstance(run, CellRun)
    assert run.wasm.stdout == "hi from WAT\n" and run.wasm.exit_code == 0
    module = shell.user_ns["hi_module"]
    assert module.bytes == module.path.stat().st_size == run.wasm.artifact.bytes
    text = run.text()
    assert f"module {module.bytes:,} bytes" in text and "compiled in" in text
    # Walk 8, S3: neither view shows Markdown's backticks, the HTML one shows code.
    assert "kept as hi_module (hi_module.path is the module)" in text and "`" not in text
    assert "kept as <code>hi_module</code>" in run.html() and "`" not in run.html()
    assert "<pre>hi from WAT</pre>" in run.html()


def test_wat_args_env_and_stdin_reach_the_runner(shell) -> None:  # type: ignore[no-untyped-def]
    # A guest that exits with its argument count: argv[0] plus the three given.
    wat = """(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (call $exit (i32.load (i32.const 0)))))"""
    result = shell.run_cell(f"%%wat --env K=V --stdin x --args a b c\n{wat}")
    assert result.success and result.result.wasm.exit_code == 4


def test_a_trap_is_one_line_and_the_cell_still_succeeds(shell) -> None:  # type: ignore[no-untyped-def]
    result = shell.run_cell(f"%%wat\n{TRAPPING_WAT}")
    assert result.success
    assert result.result.wasm.problem == "the guest trapped: unreachable"


def test_a_limit_is_one_line(shell) -> None:  # type: ignore[no-untyped-def]
    endless = '(module (func (export "_start") (loop br 0)))'
    result = shell.run_cell(f"%%wat --fuel 5000\n{endless}")
    assert result.success
    assert (
        result.result.wasm.problem == "stopped by fuel: the guest used up its budget of 5,000 units"
    )


def test_a_wat_syntax_error_names_the_cell_line(shell) -> None:  # type: ignore[no-untyped-def]
    result = shell.run_cell(
        '%%wat\n(module\n  (func (export "_start")\n    (i32.const 1) drop\n  )\n)\n)\n'
    )
    assert result.success
    outcome = result.result.wasm
    assert outcome.artifact is None and "at cell line 7" in outcome.problem


def test_a_wrong_option_is_a_usage_error_without_traceback(shell) -> None:  # type: ignore[no-untyped-def]
    from IPython.core.error import UsageError

    result = shell.run_cell("%%wasm cobol\nIDENTIFICATION DIVISION.\n")
    assert isinstance(result.error_in_exec, UsageError)
    empty = shell.run_cell("%%wat\n\n")
    assert isinstance(empty.error_in_exec, UsageError)
    assert "cell is empty" in str(empty.error_in_exec)


def test_a_missing_compiler_does_not_fail_the_cell(shell, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    result = shell.run_cell("%%wasm go --name nothing\npackage main\n\nfunc main() {}\n")
    assert result.success
    assert "To get one: " in result.result.text()
    assert "nothing" not in shell.user_ns


def test_a_module_another_kernel_is_rebuilding_is_never_seen_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two kernels (or two matrix legs) sharing one cache build the same cell into the same
    # file. Rewritten in place, the other's run could read it empty: "the module is empty".
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path))
    options = parse_options("wat", "")
    first = run_cell(HELLO_WAT, options).outcomes[0].artifact
    assert first is not None
    whole = first.path.read_bytes()
    stop = threading.Event()

    def rebuild() -> None:
        while not stop.is_set():
            magics._build_wat(HELLO_WAT, options)

    other_kernel = threading.Thread(target=rebuild)
    other_kernel.start()
    try:
        seen = {len(first.path.read_bytes()) for _ in range(20_000)}
    finally:
        stop.set()
        other_kernel.join()
    assert seen == {len(whole)}


# --- what a module's size includes (walk 3, S7) -------------------------------------------------

RUST_LIKE_SECTIONS = {
    "header": 8,
    "code": 60_000,
    "data": 15_000,
    "custom:.debug_info": 4_000_000,
    "custom:.debug_str": 1_000_000,
    "custom:name": 700_000,
    "custom:producers": 100,
}


def test_a_module_with_debug_info_says_so_and_gives_its_stripped_size() -> None:
    outcome = Outcome(
        "wasm32-wasi",
        "rust",
        artifact=_artifact(sum(RUST_LIKE_SECTIONS.values())),
        sections=RUST_LIKE_SECTIONS,
    )
    first, second = outcome.text().splitlines()[:2]
    assert "5,775,108 bytes (5.78 MB) as built, with debug info, names and other" in first
    assert second == (
        "stripped of its custom sections: 75,008 bytes (75 KB), "
        "the size notebooks 02 and 03 compare"
    )
    assert f"<div>{second}</div>" in outcome.html_cell()


def test_a_module_with_nothing_to_strip_says_that_and_gives_one_size() -> None:
    sections = {"header": 8, "type": 4, "function": 2, "export": 10, "code": 12}
    outcome = Outcome("wasm32-wasi", "wat", artifact=_artifact(36), sections=sections)
    assert "36 bytes (36 B) with no debug info or names (nothing to strip)" in outcome.text()
    assert "stripped" not in outcome.text().replace("nothing to strip", "")


def test_names_alone_are_named() -> None:
    kept, stripped = magics.custom_sections_said({"header": 8, "code": 92, "custom:name": 50})
    assert kept == "as built, with names"
    assert stripped is not None and stripped.startswith(
        "stripped of its custom sections: 100 bytes"
    )


def test_a_real_wat_cell_reads_its_own_sections() -> None:
    run = run_cell(TRAPPING_WAT, parse_options("wat", ""))
    assert run.wasm.sections is not None
    assert sum(run.wasm.sections.values()) == run.wasm.artifact.bytes  # type: ignore[union-attr]
    assert "nothing to strip" in run.text()


def _artifact(size: int):  # type: ignore[no-untyped-def]
    from kernel_helpers.toolchains.build import Artifact

    return Artifact(
        "cell", "rust", "wasm32-wasi", Path("/x/cell.wasm"), size, ["rustc"], "rustc", "1", 0.5
    )
