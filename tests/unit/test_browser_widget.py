"""The Python side of the in-browser runner: traits, the headless path, the comparison.

The front end is stood in for by ``set_state``, the very call ipywidgets makes when a
browser syncs traits back; the JavaScript itself runs in tests/integration (Node) and
tests/browser (Chromium).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import kernel_helpers as kh
from kernel_helpers.wasm.browser import HELLO_WAT, BrowserRunner, module_for_browser

BROWSER_RESULT = {
    "browser_attached": True,
    "browser": "Chrome 150",
    "status": "done",
    "stdout": "Hello from WebAssembly! argc = 3\n",
    "stderr": "",
    "exit_code": 2,
    "compile_ms": 0.4,
    "instantiate_ms": 0.1,
    "run_ms": 0.05,
}


def test_wat_text_becomes_module_bytes() -> None:
    data, argv0 = module_for_browser(HELLO_WAT)
    assert data.startswith(b"\0asm")
    assert argv0 == "module.wasm"


def test_a_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "hello.wasm"
    path.write_bytes(module_for_browser(HELLO_WAT)[0])
    widget = kh.run_in_browser(path)
    assert widget.name == "hello.wasm"
    assert widget.argv == ["hello.wasm"]
    assert widget.module == path.read_bytes()


def test_bytes_that_are_not_wasm_are_refused_with_a_fix() -> None:
    with pytest.raises(kh.InvalidModule) as caught:
        kh.run_in_browser(b"#!/bin/sh\necho hi\n")
    assert caught.value.fix


def test_a_missing_file_is_a_kit_error(tmp_path: Path) -> None:
    with pytest.raises(kh.KitError, match="no module file"):
        kh.run_in_browser(tmp_path / "nope.wasm")


def test_args_and_env_are_synced_with_the_program_name_first() -> None:
    widget = kh.run_in_browser(HELLO_WAT, ["a", "b"], {"WHO": "learner"})
    state = widget.get_state()
    assert state["argv"] == ["module.wasm", "a", "b"]
    assert state["env"] == {"WHO": "learner"}
    assert state["status"] == "waiting"


def test_the_saved_text_form_stays_true_whether_or_not_a_browser_runs_the_bytes() -> None:
    # The text/plain is made when the cell runs, before any browser can answer, and a saved
    # .ipynb keeps it even after the lab's browser ran the bytes: it must not say "no browser".
    widget = kh.run_in_browser(HELLO_WAT)
    assert not widget.browser_attached
    assert widget.matches is None
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    text = data["text/plain"]
    assert "no browser" not in text
    assert "run in the browser showing this notebook" in text
    assert "a text-only view" in text and "shows this line instead" in text
    assert "application/vnd.jupyter.widget-view+json" in data


def test_the_server_side_of_the_check_is_a_real_wasmtime_run() -> None:
    widget = kh.browser_check()
    assert widget.server_stdout == "Hello from WebAssembly! argc = 3\n"
    assert widget.server_exit_code == 2
    assert widget.server_load_kind == "compiled"
    assert widget.server_compile_ms and widget.server_compile_ms > 0
    assert widget.server_engine.startswith("wasmtime-py ")


def test_the_browser_result_arriving_decides_the_match() -> None:
    widget = kh.browser_check()
    assert widget.has_server and widget.matches is None
    widget.set_state(BROWSER_RESULT)
    assert widget.matches is True
    assert "same output as the server" in widget.summary()


def test_a_different_browser_output_does_not_match() -> None:
    widget = kh.browser_check()
    widget.set_state({**BROWSER_RESULT, "stdout": "something else\n"})
    assert widget.matches is False
    assert "differs" in widget.summary()


def test_different_bytes_in_the_browser_do_not_match() -> None:
    widget = kh.browser_check()
    widget.set_state({**BROWSER_RESULT, "browser_sha256": "0" * 64})
    assert widget.matches is False
    widget.set_state({"browser_sha256": widget.module_sha256})
    assert widget.matches is True


def test_a_different_exit_code_does_not_match() -> None:
    widget = kh.browser_check()
    widget.set_state({**BROWSER_RESULT, "exit_code": 0})
    assert widget.matches is False


def test_compare_accepts_a_result_without_timings() -> None:
    other = SimpleNamespace(stdout=b"hi\n", stderr=b"", exit_code=0)
    widget = kh.compare_with_server(kh.run_in_browser(HELLO_WAT), other)
    assert widget.server_stdout == "hi\n"
    assert widget.server_exit_code == 0
    assert widget.server_compile_ms is None


def test_a_cached_server_load_is_labelled_as_such() -> None:
    kh.run_wasm(HELLO_WAT)  # fills the module cache
    widget = kh.run_in_browser(HELLO_WAT, server=kh.run_wasm(HELLO_WAT))
    assert widget.server_load_kind == "cache"


def test_compare_refuses_a_result_without_stdout() -> None:
    with pytest.raises(kh.KitError, match="no stdout"):
        kh.compare_with_server(kh.run_in_browser(HELLO_WAT), 42)


def test_the_widget_ships_the_shim_as_its_front_end() -> None:
    assert "export default { render }" in BrowserRunner._esm
    assert "wasi_snapshot_preview1" in BrowserRunner._esm
