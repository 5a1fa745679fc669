"""Notebook 08's JavaScript kernels (wasm/static/compute_kernels.js) print what the
compiled modules print, on the same argv and stdin: run for real, the JavaScript under
Node and the module under wasmtime."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers.bench.compute import browser_cases
from kernel_helpers.wasm.browser_compute import KERNELS_JS
from tests.conftest import need

RUN_JS = """
import { runKernel } from "./kernels.mjs";
import { readFileSync } from "node:fs";
const [example, stdinPath, ...args] = process.argv.slice(2);
const stdin = stdinPath === "none" ? new Uint8Array(0) : new Uint8Array(readFileSync(stdinPath));
process.stdout.write(JSON.stringify(runKernel(example, args, stdin)));
"""


@pytest.fixture(scope="module")
def node_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need(shutil.which("node") is not None, "node is not installed (apt-get install nodejs)")
    folder = tmp_path_factory.mktemp("js-kernels")
    shutil.copy(KERNELS_JS, folder / "kernels.mjs")
    (folder / "run.mjs").write_text(RUN_JS)
    return folder


def in_node(folder: Path, example: str, args: list[str], stdin: bytes | None) -> str:
    stdin_arg = "none"
    if stdin is not None:
        (folder / "stdin.bin").write_bytes(stdin)
        stdin_arg = str(folder / "stdin.bin")
    done = subprocess.run(
        ["node", "run.mjs", example, stdin_arg, *args],
        cwd=folder, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    printed: str = json.loads(done.stdout)
    return printed


@pytest.mark.parametrize("case", browser_cases(), ids=lambda c: c.label)
def test_each_case_prints_what_the_module_prints(node_folder: Path, case: object) -> None:
    assert hasattr(case, "example")
    stdin = os.urandom(case.stdin_bytes) if case.stdin_bytes else None
    module = kh.wasm_module(case.example, "c").path
    wasm = kh.run_wasm(module, list(case.args), stdin=stdin).check()
    js = in_node(node_folder, case.example, list(case.args), stdin)
    assert js == wasm.stdout_text
    if stdin is not None:  # and both are SHA-256, not merely the same as each other
        assert js.strip() == hashlib.sha256(stdin).hexdigest()


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 119, 120, 1000])
def test_sha256_pads_every_tail_length_as_the_module_does(node_folder: Path, size: int) -> None:
    data = bytes(range(256)) * 4
    js = in_node(node_folder, "sha256", ["-"], data[:size])
    assert js.strip() == hashlib.sha256(data[:size]).hexdigest()


def test_the_built_in_message_and_default_n_match(node_folder: Path) -> None:
    for example in ("fib", "sha256"):
        wasm = kh.run_wasm(kh.wasm_module(example, "c").path).check()
        assert in_node(node_folder, example, [], None) == wasm.stdout_text
