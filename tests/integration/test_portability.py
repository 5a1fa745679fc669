"""The same module bytes under wasmtime-py and Node's WASI: same hash, same output."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from kernel_helpers._errors import HostUnavailable
from kernel_helpers.wasm.node import node_program, run_in_node
from kernel_helpers.wasm.portability import module_sha256, run_everywhere
from tests.conftest import need
from tests.wasi_guests import exit_with, print_args

pytestmark = pytest.mark.integration


def write_module(tmp_path: Path, wat: str) -> Path:
    path = tmp_path / "guest.wasm"
    path.write_bytes(wasmtime.wat2wasm(wat))
    return path


def test_same_bytes_same_output_under_wasmtime_and_node(tmp_path: Path) -> None:
    need(node_program() is not None, "node (Node.js 20+) is not installed")
    module = write_module(tmp_path, print_args())
    report = run_everywhere(module, ["one", "two"])
    assert [r.sha256 for r in report.runs] == [module_sha256(module)] * 2
    assert "one" in report.runs[1].stdout and "two" in report.runs[1].stdout
    assert report.portable, report.text()
    assert "Same bytes, same output" in report.text()


def test_node_passes_the_guest_exit_code_through(tmp_path: Path) -> None:
    need(node_program() is not None, "node (Node.js 20+) is not installed")
    run = run_in_node(write_module(tmp_path, exit_with(7)))
    assert run.exit_code == 7


def test_bad_bytes_are_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    need(node_program() is not None, "node (Node.js 20+) is not installed")
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"not wasm at all")
    with pytest.raises(HostUnavailable, match="Node could not run the module"):
        run_in_node(bad)
