"""Run the same ``.wasm`` bytes in the learner's browser, next to wasmtime on the server.

JupyterLab is a web page, so the bytes wasmtime ran on the server can also run in the
browser's own WebAssembly engine: the seed's Photoshop/Figma point, made concrete. The
widget sends the module to the front end, where a small WASI preview1 shim written for
the kit (``static/wasi_shim.js``) compiles, instantiates and runs it, then syncs back
stdout, stderr, the exit code and the browser's own timings.

A kernel processes widget messages only between cells, so Python cannot wait for the
browser inside a cell. The comparison is therefore drawn by the widget itself, live, as
soon as the browser has run the module; headless (nbclient, no front end) the widget
simply says that no browser is attached, and nothing fails or waits.

Introduced in notebook 00 (setup check); used again in notebooks 01 and 07.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ._errors import InvalidModule, KitError

STATIC = Path(__file__).parent / "static"
WASM_MAGIC = b"\0asm"

#: The smallest WASI command worth comparing: prints a greeting and its argument count
#: (one digit), then exits with that count, so output and exit code both cross the shim.
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

ModuleSource = bytes | bytearray | memoryview | str | os.PathLike[str]


@dataclass(frozen=True)
class ServerRun:
    """One run of a WASI command under wasmtime-py, timed in the phases the browser reports."""

    stdout: str
    stderr: str
    exit_code: int | None
    compile_ms: float
    instantiate_ms: float
    run_ms: float
    error: str = ""
    engine: str = field(default_factory=lambda: f"wasmtime-py {version('wasmtime')}")


def module_bytes(source: ModuleSource) -> bytes:
    """The bytes of a module given as bytes, a path, or WAT text (compiled by wasmtime)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str) and source.lstrip().startswith("("):
        data = _wat_to_wasm(source)
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise KitError(
                f"cannot read the module {path}: {err.strerror or err}",
                fix="pass the path of a .wasm file, its bytes, or WAT text",
            ) from err
    if not data.startswith(WASM_MAGIC):
        raise InvalidModule(
            "it does not start with the wasm magic bytes \\0asm",
            fix="compile the program to wasm32-wasi first, or pass WAT text",
        )
    return data


def _wat_to_wasm(text: str) -> bytes:
    import wasmtime

    try:
        return bytes(wasmtime.wat2wasm(text))
    except wasmtime.WasmtimeError as err:
        raise InvalidModule(f"the WAT text does not parse: {err}") from err


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def run_on_server(
    source: ModuleSource, args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> ServerRun:
    """Run a WASI command under wasmtime-py, timing compile, instantiate and ``_start``
    separately, the same three phases the browser reports. Never raises for a guest that
    traps or exits non-zero: the result says so. Notebook 00.
    """
    import wasmtime

    data = module_bytes(source)
    with tempfile.TemporaryDirectory(prefix="kit-server-run-") as folder:
        stdout, stderr = Path(folder) / "stdout", Path(folder) / "stderr"
        config = wasmtime.WasiConfig()
        config.argv = _argv("module.wasm", args)
        config.env = list((env or {}).items())
        # Files, not stdout_custom: wasmtime-py finalizes custom callbacks on a worker
        # thread, which panics if the interpreter exits right after a run.
        config.stdout_file = str(stdout)
        config.stderr_file = str(stderr)
        timings = _timed_run(data, config)
        out, err = (path.read_text("utf-8", "replace") for path in (stdout, stderr))
    return ServerRun(out, err, *timings)


def _timed_run(data: bytes, config: Any) -> tuple[int | None, float, float, float, str]:
    """Compile, instantiate and run ``_start``; exit code, the three timings, error text."""
    import wasmtime

    engine = wasmtime.Engine()
    started = time.perf_counter()
    try:
        module = wasmtime.Module(engine, data)
    except wasmtime.WasmtimeError as err:
        raise InvalidModule(str(err).splitlines()[0]) from err
    compile_ms = _elapsed_ms(started)

    store = wasmtime.Store(engine)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    started = time.perf_counter()
    try:
        instance = linker.instantiate(store, module)
    except wasmtime.WasmtimeError as err:
        raise InvalidModule(f"it cannot be instantiated: {str(err).splitlines()[0]}") from err
    instantiate_ms = _elapsed_ms(started)

    start = instance.exports(store).get("_start")
    if not isinstance(start, wasmtime.Func):
        raise InvalidModule("it exports no _start function: it is not a WASI command")
    exit_code: int | None = 0
    error = ""
    started = time.perf_counter()
    try:
        start(store)
    except wasmtime.ExitTrap as err:
        exit_code = err.code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as err:
        exit_code, error = None, f"run failed: {_last_line(str(err))}"
    run_ms = _elapsed_ms(started)
    return exit_code, compile_ms, instantiate_ms, run_ms, error


def _last_line(message: str) -> str:
    """wasmtime puts the backtrace first and the cause (``wasm trap: ...``) last."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[-1] if lines else message


def _argv(name: str, args: Sequence[str]) -> list[str]:
    """WASI's argv, program name first, the same on both sides so output can match."""
    return [name, *(str(a) for a in args)]


class BrowserRunner(anywidget.AnyWidget):
    """A widget that runs a WASI command in the browser's WebAssembly engine.

    The front end sets ``browser_attached`` when it renders, runs the module once, and
    fills in the result traits. With a server run attached (``compare_with_server``) it
    shows both outputs and both timings side by side and says whether they match.
    Notebooks 00, 01 and 07.
    """

    _esm = (STATIC / "wasi_shim.js").read_text(encoding="utf-8")

    module = traitlets.Bytes(b"").tag(sync=True)
    name = traitlets.Unicode("module.wasm").tag(sync=True)
    argv = traitlets.List(traitlets.Unicode()).tag(sync=True)
    env = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)

    # Set by the front end.
    browser_attached = traitlets.Bool(False).tag(sync=True)
    browser = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("waiting").tag(sync=True)
    stdout = traitlets.Unicode("").tag(sync=True)
    stderr = traitlets.Unicode("").tag(sync=True)
    exit_code = traitlets.Int(None, allow_none=True).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    unsupported_calls = traitlets.List(traitlets.Unicode()).tag(sync=True)
    compile_ms = traitlets.Float(None, allow_none=True).tag(sync=True)
    instantiate_ms = traitlets.Float(None, allow_none=True).tag(sync=True)
    run_ms = traitlets.Float(None, allow_none=True).tag(sync=True)

    # Set from Python by compare_with_server.
    has_server = traitlets.Bool(False).tag(sync=True)
    server_engine = traitlets.Unicode("").tag(sync=True)
    server_stdout = traitlets.Unicode("").tag(sync=True)
    server_stderr = traitlets.Unicode("").tag(sync=True)
    server_exit_code = traitlets.Int(None, allow_none=True).tag(sync=True)
    server_error = traitlets.Unicode("").tag(sync=True)
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
        code; ``None`` while there is nothing to compare (no browser, or no server run)."""
        if not (self.finished and self.has_server):
            return None
        return bool(self.stdout == self.server_stdout and self.exit_code == self.server_exit_code)

    def summary(self) -> str:
        """One line saying where the run stands, for text-only front ends and logs."""
        if not self.browser_attached:
            return (
                f"{self.name}: no browser attached (a headless run such as nbclient); "
                "open this notebook in JupyterLab to run the same bytes in your browser"
            )
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
    """A widget that runs ``source`` (bytes, a ``.wasm`` path, or WAT text) in the browser
    with ``args`` and ``env``; display it to run it. Pass ``server`` (a :class:`ServerRun`
    or any result with ``stdout``/``exit_code``) to compare on the spot. Notebook 00.
    """
    if name is None:
        is_path = isinstance(source, os.PathLike) or (
            isinstance(source, str) and not source.lstrip().startswith("(")
        )
        name = Path(source).name if is_path else "module.wasm"  # type: ignore[arg-type]
    widget = BrowserRunner(
        module=module_bytes(source),
        name=name,
        argv=_argv("module.wasm", args),
        env={str(k): str(v) for k, v in (env or {}).items()},
    )
    if server is not None:
        compare_with_server(widget, server)
    return widget


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _first(result: Any, *names: str) -> Any:
    for attribute in names:
        value = getattr(result, attribute, None)
        if value is not None:
            return value
    return None


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def compare_with_server(widget: BrowserRunner, server_result: Any) -> BrowserRunner:
    """Attach the server's run to ``widget``: it then shows both outputs and both timings
    side by side and says whether they match (``widget.matches`` once the browser ran).

    ``server_result`` is a :class:`ServerRun` or any object with ``stdout`` and
    ``exit_code`` (or ``returncode``/``code``), str or bytes; timings are shown when it
    has ``compile_ms``, ``instantiate_ms`` and ``run_ms``. Notebooks 00, 01 and 07.
    """
    if not hasattr(server_result, "stdout"):
        raise KitError(
            f"cannot compare with {type(server_result).__name__}: it has no stdout",
            fix="pass the result of kh.run_on_server(...) or of the course's WASI runner",
        )
    exit_code = _first(server_result, "exit_code", "returncode", "code")
    engine = _first(server_result, "engine") or "wasmtime (server)"
    with widget.hold_sync():
        widget.server_engine = str(engine)
        widget.server_stdout = _text(server_result.stdout)
        widget.server_stderr = _text(getattr(server_result, "stderr", ""))
        widget.server_exit_code = None if exit_code is None else int(exit_code)
        widget.server_error = _text(getattr(server_result, "error", ""))
        for phase in ("compile_ms", "instantiate_ms", "run_ms"):
            setattr(widget, f"server_{phase}", _float_or_none(getattr(server_result, phase, None)))
        widget.has_server = True
    return widget


def browser_check(args: Sequence[str] = ("same", "bytes")) -> BrowserRunner:
    """Notebook 00: a hand-written module run by wasmtime here and by your browser there,
    shown side by side. Proves the browser path works before notebooks 01 and 07 use it."""
    server = run_on_server(HELLO_WAT, args)
    return run_in_browser(HELLO_WAT, args, name="hello.wat", server=server)
