"""The browser's WASI shim, run by Node's WebAssembly engine against real module bytes.

A cheap check of static/wasi_shim.js without a browser: every module must print exactly
what wasmtime-py prints on the server, with the same exit code. The course's own hello
and fib examples run in all four languages (built here, or the shipped prebuilt modules);
one small C program, compiled with Debian's clang, probes what the shim does not give.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers.wasm.browser import HELLO_WAT, STATIC, BrowserRunner
from tests.conftest import compile_c_to_wasm, need

pytestmark = pytest.mark.integration

RUNNER = """
import { runWasi } from "./wasi_shim.mjs";
import { readFileSync } from "node:fs";
const [file, spec] = process.argv.slice(2);
const { argv, env } = JSON.parse(spec);
process.stdout.write(JSON.stringify(await runWasi(readFileSync(file), { args: argv, env })));
"""

#: Touches what the shim does not give (files: no preopens) and what it does (environ).
DENIED_C = """#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    const char *who = getenv("WHO");
    printf("WHO=%s\\n", who ? who : "(unset)");
    FILE *f = fopen("/etc/passwd", "r");
    fprintf(stderr, "fopen: %s\\n", f ? "opened" : strerror(errno));
    return f ? 0 : 7;
}
"""


@pytest.fixture(scope="module")
def node_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node = shutil.which("node")
    need(node is not None, "node is not installed (apt-get install nodejs)")
    folder = tmp_path_factory.mktemp("shim")
    shutil.copy(STATIC / "wasi_shim.js", folder / "wasi_shim.mjs")
    (folder / "run.mjs").write_text(RUNNER)
    return folder


def run_in_node(folder: Path, wasm: bytes, argv: list[str], env: dict[str, str]) -> dict:
    (folder / "module.wasm").write_bytes(wasm)
    spec = json.dumps({"argv": argv, "env": env})
    done = subprocess.run(
        ["node", "run.mjs", "module.wasm", spec],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def compile_c(folder: Path, name: str, program: str) -> bytes:
    return compile_c_to_wasm(program, name).read_bytes()


def module_bytes(wat: str) -> bytes:
    return bytes(wasmtime.wat2wasm(wat))


def assert_same_as_server(browser: dict, wasm: bytes, args: list[str], env: dict[str, str]) -> None:
    server = kh.run_wasm(wasm, args, env=env)
    assert browser["error"] == "", browser["error"]
    assert (browser["stdout"], browser["stderr"], browser["exit_code"]) == (
        server.stdout_text,
        server.stderr_text,
        server.exit_code,
    )
    for phase in ("compile_ms", "instantiate_ms", "run_ms"):
        assert browser[phase] >= 0


def test_hand_written_module_matches_wasmtime(node_dir: Path) -> None:
    wasm = module_bytes(HELLO_WAT)
    browser = run_in_node(node_dir, wasm, ["module.wasm", "a", "b"], {})
    assert browser["stdout"] == "Hello from WebAssembly! argc = 3\n"
    assert_same_as_server(browser, wasm, ["a", "b"], {})


@pytest.mark.parametrize("lang", ["c", "cpp", "rust", "go"])
@pytest.mark.parametrize(("example", "args"), [("hello", []), ("fib", ["20"])])
def test_course_examples_print_what_wasmtime_prints(
    node_dir: Path, example: str, args: list[str], lang: str
) -> None:
    wasm = Path(kh.wasm_module(example, lang).path).read_bytes()
    browser = run_in_node(node_dir, wasm, ["module.wasm", *args], {})
    assert browser["stdout"].strip(), "the program printed nothing"
    assert_same_as_server(browser, wasm, args, {})


def test_environment_reaches_the_guest_and_files_are_denied_alike(node_dir: Path) -> None:
    wasm = compile_c(node_dir, "denied", DENIED_C)
    env = {"WHO": "learner"}
    browser = run_in_node(node_dir, wasm, ["module.wasm"], env)
    assert browser["stdout"] == "WHO=learner\n"
    assert browser["exit_code"] == 7
    assert_same_as_server(browser, wasm, [], env)


def test_calls_the_shim_lacks_answer_enosys_and_are_listed(node_dir: Path) -> None:
    wat = """(module
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (call $yield))))"""
    browser = run_in_node(node_dir, module_bytes(wat), ["module.wasm"], {})
    assert browser["exit_code"] == 52  # ENOSYS, honestly
    assert browser["unsupported_calls"] == ["sched_yield"]


def test_a_trap_is_reported_with_no_exit_code(node_dir: Path) -> None:
    wat = '(module (memory (export "memory") 1) (func (export "_start") unreachable))'
    browser = run_in_node(node_dir, module_bytes(wat), ["module.wasm"], {})
    assert browser["exit_code"] is None
    assert "unreachable" in browser["error"]


def test_every_result_the_shim_sends_is_a_widget_trait(node_dir: Path) -> None:
    browser = run_in_node(node_dir, module_bytes(HELLO_WAT), ["module.wasm"], {})
    traits = BrowserRunner.class_trait_names(sync=True)
    assert set(browser) <= set(traits)
