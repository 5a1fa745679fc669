"""Run the same ``.wasm`` bytes in the learner's browser, next to wasmtime on the server.

JupyterLab is a web page, so the bytes wasmtime ran on the server can also run in the
browser's own WebAssembly engine: the seed's Photoshop/Figma point, made concrete. The
widget sends the module to the front end, where a small WASI preview1 shim written for
the kit (``static/wasi_shim.js``) compiles, instantiates and runs it, then syncs back
stdout, stderr, the exit code and the browser's own timings.

A kernel processes widget messages only between cells, so Python cannot wait for the
browser inside a cell. The comparison is therefore drawn by the widget itself, live, as
soon as the browser has run the module; headless (nbclient, no front end) the widget's
text form says where the box would run, and nothing fails or waits.

A component (notebook 11) runs the same way, as the JavaScript ``jco transpile`` makes of
it on preview2-shim's browser WASI 0.2 (``wasm.browser_component`` builds what the
widget loads; ``static/component_host.js`` runs it).

Introduced in notebook 00 (setup check); used again in notebooks 01, 07 and 11.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .._errors import KitError
from .reader import check_core_module
from .runner import ModuleSource, read_module_source, run_wasm

STATIC = Path(__file__).parent / "static"

#: The smallest WASI command worth comparing: prints a greeting and its argument count
#: (one digit), then exits with the number of arguments: output and exit code both
#: cross the shim.
HELLO_WAT = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from WebAssembly! argc = ?\n")
  (func (export "_start")
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    ;; overwrite the '?' with the digit of argc
    (i32.store8 (i32.const 47) (i32.add (i32.const 48) (i32.load (i32.const 0))))
    ;; one iovec at 8: base 16, length 33
    (i32.store (i32.const 8) (i32.const 16))
    (i32.store (i32.const 12) (i32.const 33))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 4)))
    (call $proc_exit (i32.sub (i32.load (i32.const 0)) (i32.const 1)))))
"""
#: Notebook 00's name for it: exercise 1 predicts its exit code for other arguments.
BROWSER_CHECK_WAT = HELLO_WAT


#: What a widget's text form says before any browser has answered. It is made when the
#: cell runs, so it cannot know whether a browser will run the bytes: it says what is true
#: either way.
TEXT_ONLY_VIEW = (
    "the same bytes run in the browser showing this notebook, in a box drawn there; "
    "a text-only view (a headless run such as nbclient, or the saved file read as text) "
    "shows this line instead"
)


def module_for_browser(source: ModuleSource) -> tuple[bytes, str]:
    """The module's bytes and its argv[0] name, exactly as :func:`run_wasm` sees them, so
    both sides run the same bytes with the same argv."""
    data, argv0 = read_module_source(source)
    check_core_module(data)
    return data, argv0


class BrowserRunner(anywidget.AnyWidget):
    """A widget that runs a WASI command (a core module, or a component: ``kind``) in the
    browser's WebAssembly engine.

    The front end sets ``browser_attached`` when it renders, runs the module once, and
    fills in the result traits. With a server run attached (``compare_with_server``) it
    shows both outputs and both timings side by side and says whether they match.
    Notebooks 00, 01, 07 and 11.
    """

    _esm = (STATIC / "wasi_shim.js").read_text(encoding="utf-8")

    module = traitlets.Bytes(b"").tag(sync=True)
    module_sha256 = traitlets.Unicode("").tag(sync=True)
    name = traitlets.Unicode("module.wasm").tag(sync=True)
    argv = traitlets.List(traitlets.Unicode()).tag(sync=True)
    env = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)

    # A component (notebook 11) runs as jco's JavaScript on preview2-shim, on ``module``'s
    # bytes: ``modules`` are the ES modules the page links ([name, source], each after its
    # imports), ``core_modules`` maps jco's core module files to [offset, length] in
    # ``module``, ``host`` names the tools. See wasm/browser_component.py.
    kind = traitlets.Unicode("module").tag(sync=True)
    stdin = traitlets.Bytes(b"").tag(sync=True)
    modules = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)
    core_modules = traitlets.Dict(value_trait=traitlets.List(traitlets.Int())).tag(sync=True)
    host = traitlets.Unicode("").tag(sync=True)

    # Set by the front end.
    browser_attached = traitlets.Bool(False).tag(sync=True)
    browser = traitlets.Unicode("").tag(sync=True)
    browser_sha256 = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("waiting").tag(sync=True)
    stdout = traitlets.Unicode("").tag(sync=True)
    stderr = traitlets.Unicode("").tag(sync=True)
    exit_code = traitlets.Int(None, allow_none=True).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    unsupported_calls = traitlets.List(traitlets.Unicode()).tag(sync=True)
    compile_ms = traitlets.Float(None, allow_none=True).tag(sync=True)
    instantiate_ms = traitlets.Float(None, allow_none=True).tag(sync=True)
    run_ms = traitlets.Float(None, allow_none=True).tag(sync=True)
    core_modules_compiled = traitlets.Int(0).tag(sync=True)

    # Set from Python by compare_with_server.
    has_server = traitlets.Bool(False).tag(sync=True)
    server_engine = traitlets.Unicode("").tag(sync=True)
    server_stdout = traitlets.Unicode("").tag(sync=True)
    server_stderr = traitlets.Unicode("").tag(sync=True)
    server_exit_code = traitlets.Int(None, allow_none=True).tag(sync=True)
    server_load_kind = traitlets.Unicode("").tag(sync=True)
    server_compile_ms = traitlets.Float(None, allow_none=True).tag(sync=True)
    server_instantiate_ms = traitlets.Float(None, allow_none=True).tag(sync=True)
    server_run_ms = traitlets.Float(None, allow_none=True).tag(sync=True)

    @property
    def finished(self) -> bool:
        """True once the browser has run the module (never, headless)."""
        return self.status == "done"

    @property
    def matches(self) -> bool | None:
        """Whether the browser printed exactly what the server printed, with the same exit
        code, from the same bytes (sha256, where the browser can hash); ``None`` while there
        is nothing to compare (no browser, or no server run)."""
        if not (self.finished and self.has_server):
            return None
        same_bytes = not self.browser_sha256 or self.browser_sha256 == self.module_sha256
        same_run = self.stdout == self.server_stdout and self.exit_code == self.server_exit_code
        return same_bytes and same_run

    def summary(self) -> str:
        """One line saying where the run stands, for text-only front ends and logs.

        Before a browser answers, this line is also the widget's text/plain, which a saved
        .ipynb keeps whatever the browser does next: so it says only what stays true, that
        the box runs in a browser and a text-only view shows this line instead."""
        if not self.browser_attached:
            return f"{self.name}: {TEXT_ONLY_VIEW}"
        if not self.finished:
            return f"{self.name}: running in {self.browser or 'the browser'}"
        tail = ""
        if self.matches is not None:
            tail = "same output as the server" if self.matches else "output differs from the server"
        return f"{self.name}: ran in {self.browser}, exit code {self.exit_code}" + (
            f"; {tail}" if tail else ""
        )

    def __repr__(self) -> str:
        return f"<BrowserRunner {self.summary()}>"


def run_in_browser(
    source: ModuleSource,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
    server: Any = None,
) -> BrowserRunner:
    """A widget that runs ``source`` (a ``.wasm`` path, its bytes, or WAT text) in the
    browser with ``args`` and ``env``, the way :func:`run_wasm` runs it on the server;
    display it to run it. Pass ``server`` (the :class:`WasiResult` of the same run) to
    compare on the spot. Notebooks 00, 01 and 07.
    """
    data, argv0 = module_for_browser(source)
    widget = BrowserRunner(
        module=data,
        module_sha256=hashlib.sha256(data).hexdigest(),
        name=name or argv0,
        argv=[argv0, *(str(a) for a in args)],
        env={str(k): str(v) for k, v in (env or {}).items()},
    )
    if server is not None:
        compare_with_server(widget, server)
    return widget


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _milliseconds(timings: Any, attribute: str) -> float | None:
    seconds = getattr(timings, attribute, None)
    return None if seconds is None else float(seconds) * 1000


def compare_with_server(widget: BrowserRunner, server_result: Any) -> BrowserRunner:
    """Attach the server's run to ``widget``: it then shows both outputs and both timings
    side by side and says whether they match (``widget.matches`` once the browser ran).

    ``server_result`` is a :class:`WasiResult` (from :func:`run_wasm`), or anything with
    ``stdout``, ``stderr`` (str or bytes) and ``exit_code``; its ``timings`` are shown when
    it has them. Notebooks 00, 01 and 07.
    """
    if not hasattr(server_result, "stdout") or not hasattr(server_result, "exit_code"):
        raise KitError(
            f"cannot compare with {type(server_result).__name__}: it has no stdout/exit_code",
            fix="pass the result of kh.run_wasm(...) for the same module and arguments",
        )
    timings = getattr(server_result, "timings", None)
    with widget.hold_sync():
        widget.server_engine = f"wasmtime-py {version('wasmtime')}"
        widget.server_stdout = _text(server_result.stdout)
        widget.server_stderr = _text(getattr(server_result, "stderr", ""))
        widget.server_exit_code = server_result.exit_code
        widget.server_load_kind = str(getattr(timings, "load_kind", "") or "")
        widget.server_compile_ms = _milliseconds(timings, "load_s")
        widget.server_instantiate_ms = _milliseconds(timings, "instantiate_s")
        widget.server_run_ms = _milliseconds(timings, "run_s")
        widget.has_server = True
    return widget


def compare_in_browser(
    source: ModuleSource,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
) -> BrowserRunner:
    """Run ``source`` with wasmtime here, then in the browser, side by side: the one-cell
    form of :func:`run_wasm` + :func:`run_in_browser` + :func:`compare_with_server`.
    Notebooks 01 and 07 (``kh.compare_in_browser(kh.wasm_module("fib").path, ["25"])``).
    """
    # cache=False: both sides compile from bytes, so the two compile times compare.
    server = run_wasm(source, args, env=env, cache=False)
    return run_in_browser(source, args, env, name=name, server=server)


def browser_check(args: Sequence[str] = ("same", "bytes")) -> BrowserRunner:
    """Notebook 00: a hand-written module run by wasmtime here and by your browser there,
    shown side by side. Proves the browser path works before notebooks 01 and 07 use it."""
    return compare_in_browser(HELLO_WAT, args, name="hello.wat")
