"""Running a WebAssembly component (WASI 0.2) the way :func:`run_wasm` runs a module.

Introduced in notebook 11. A component made from a preview-1 command module (see
``toolchains.component``) exports ``wasi:cli/run``; we instantiate it with wasmtime-py's
component ``Linker`` (``add_wasip2()``) and call ``run``. Arguments, environment, preopened
directories, stdin, captured output and the limits (``timeout``, ``fuel``, ``max_memory``)
are set on the same ``WasiConfig`` and ``Store`` as for a module, and the same errors come
back. Where a component differs from its module, by design of WASI 0.2:

- **Exit codes are success or failure.** ``wasi:cli/exit`` takes a ``result``: the
  preview-1 adapter turns ``proc_exit(5)`` into "failed", which every host reports as 1
  (``wasmtime run`` too). Only 0 and 1 survive.
- **Traps arrive as text.** wasmtime-py raises a plain ``WasmtimeError`` from a component
  call; we read the trap and its backtrace back from the message.
- **``max_memory`` is enforced alike** (a refused ``memory.grow`` returns -1), but a
  component's memories are not exported, so we cannot look at where the guest ended as
  :func:`runner._memory_at_limit` does: a ``unreachable`` trap (what C's, Rust's and the
  WAT guests' "allocation failed" ends in) under ``max_memory`` counts as the limit, and
  ``memory_limit_reached`` stays False for a guest that exits by itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time

import wasmtime
import wasmtime.component as wc

from .._errors import Frame as TrapFrame
from .._errors import (
    FuelExhausted,
    InvalidModule,
    MemoryLimitExceeded,
    MissingImports,
    TimeoutExceeded,
    Trap,
    WasmError,
    root_cause,
)
from .runner import (
    _ENGINE_KEYS,
    _TICKER,
    ModuleSource,
    Timings,
    WasiResult,
    _cache_path_for_digest,
    _Capture,
    _configure_wasi,
    _new_store,
    _release,
    _result,
    _RunRequest,
    _sink_for,
    _store_in_cache,
    engine_for,
    read_module_source,
)

#: The export every WASI 0.2 command component has; ``run`` inside it is its ``main``.
RUN_INTERFACE = "wasi:cli/run"

_COMPONENT_LINKERS: dict[int, wc.Linker] = {}


def is_component_bytes(data: bytes) -> bool:
    """True for the header of a component (``\\0asm``, version 0x0d, layer 1)."""
    return len(data) >= 8 and data[:4] == b"\0asm" and data[6:8] == b"\x01\x00"


def is_component(module: ModuleSource) -> bool:
    """True if ``module`` (a path or bytes) is a component rather than a core module."""
    if isinstance(module, bytes | bytearray):
        return is_component_bytes(bytes(module))
    if isinstance(module, str) and module.lstrip().startswith("("):
        return False
    try:
        with open(os.fspath(module), "rb") as handle:
            return is_component_bytes(handle.read(8))
    except OSError:
        return False


def component_linker(engine: wasmtime.Engine) -> wc.Linker:
    """The kit's component linker for ``engine``: WASI 0.2 (``add_wasip2``), reused."""
    linker = _COMPONENT_LINKERS.get(id(engine))
    if linker is None:
        linker = wc.Linker(engine)
        linker.add_wasip2()
        _COMPONENT_LINKERS[id(engine)] = linker
    return linker


def load_component(
    module: ModuleSource, engine: wasmtime.Engine, cache: bool = True
) -> tuple[wc.Component, str, str]:
    """Compile a component (or load it from the module cache): component, how, argv[0]."""
    data, name = read_module_source(module)
    if not is_component_bytes(data):
        raise InvalidModule(
            "this is not a WebAssembly component",
            fix="make one with kh.componentize(module), or run the module itself",
        )
    engine_key = _ENGINE_KEYS.get(id(engine))
    path = None
    if cache and engine_key is not None:
        digest = hashlib.sha256(data).hexdigest()
        path = _cache_path_for_digest(digest, engine_key).replace(".cwasm", ".component.cwasm")
        with contextlib.suppress(wasmtime.WasmtimeError):
            return wc.Component.deserialize_file(engine, path), "cache", name
    try:
        component = wc.Component(engine, data)
    except wasmtime.WasmtimeError as err:
        raise InvalidModule(f"the component is malformed: {root_cause(err)}") from None
    if path is not None:
        _store_in_cache(path, bytes(component.serialize()))
    return component, "compiled", name


def run_export(
    component: wc.Component, engine: wasmtime.Engine
) -> tuple[wc.ExportIndex, wc.ExportIndex]:
    """The index of ``wasi:cli/run`` (any 0.2.x version) and of ``run`` inside it."""
    names = [n for n in component.type.exports(engine) if n.startswith(RUN_INTERFACE + "@")]
    interface = component.get_export_index(names[0]) if names else None
    func = component.get_export_index("run", interface) if interface is not None else None
    if interface is None or func is None:
        raise InvalidModule(
            "this component exports no wasi:cli/run, so it is a library, not a command",
            fix="componentize a command module (one with _start), with the command adapter",
        )
    return interface, func


def world_names(component: ModuleSource) -> tuple[list[str], list[str]]:
    """The names a component imports and exports (interfaces such as ``wasi:cli/run@0.2.x``),
    read by wasmtime alone; :func:`toolchains.component.read_world` adds the WIT text."""
    engine = engine_for()
    compiled, _, _ = load_component(component, engine)
    kind = compiled.type
    return list(kind.imports(engine)), list(kind.exports(engine))


# --- traps: wasmtime-py reports a component's trap as text --------------------------------

_TRAP_NAMES = {
    "wasm `unreachable` instruction executed": "unreachable",
    "integer divide by zero": "int divide by zero",
    "integer overflow": "int overflow",
    "out of bounds memory access": "memory out of bounds",
    "call stack exhausted": "stack overflow",
    "invalid conversion to integer": "bad conversion to integer",
    "indirect call type mismatch": "bad signature",
    "undefined element: out of bounds table access": "table out of bounds",
    "uninitialized element": "indirect call to null",
    "all fuel consumed by WebAssembly": "out of fuel",
    "interrupt": "interrupt",
}
_FRAME = re.compile(r"^\s*\d+:\s+0x([0-9a-f]+) - (.*?)!(.*)$")


def _trap_of(err: wasmtime.WasmtimeError) -> tuple[str, str, list[TrapFrame]] | None:
    """(name, message, frames) of a trap in a component call's error text, else None."""
    text = str(err)
    found = re.search(r"wasm trap: (.+)", text)
    if found is None:
        return None
    message = found.group(1).strip()
    frames = []
    for line in text.splitlines():
        match = _FRAME.match(line)
        if match:
            module = None if match.group(2) == "<unknown>" else match.group(2)
            frames.append(TrapFrame(module=module, function=match.group(3), offset=int(match.group(1), 16)))
    return _TRAP_NAMES.get(message, message), message, frames


def _failure(err: wasmtime.WasmtimeError, request: _RunRequest) -> WasmError:
    trap = _trap_of(err)
    if trap is None:
        return WasmError(f"the guest failed: {root_cause(err)}")
    name, message, frames = trap
    if name == "out of fuel" and request.fuel is not None:
        return FuelExhausted(request.fuel)
    if name == "interrupt" and request.timeout is not None:
        return TimeoutExceeded(request.timeout)
    if name == "unreachable" and request.max_memory is not None:
        return MemoryLimitExceeded(request.max_memory)
    return Trap(name, message, frames)


def _instantiation_error(err: wasmtime.WasmtimeError, request: _RunRequest) -> WasmError:
    message = str(err)
    if "exceeds memory limits" in message and request.max_memory is not None:
        return MemoryLimitExceeded(request.max_memory)
    if "matching implementation was not found" in message or "import" in message:
        return MissingImports(
            [line.strip() for line in message.splitlines()[:1]],
            fix="a WASI 0.2 command may only import wasi:* interfaces wasmtime provides",
        )
    return WasmError(f"the component could not be instantiated: {root_cause(err)}")


# --- running ----------------------------------------------------------------------------


def run_component(
    module: ModuleSource, request: _RunRequest, cache: bool = True
) -> WasiResult:
    """Run a command component; arguments and errors as for :func:`runner.run_wasm`."""
    engine = engine_for(fuel=request.fuel is not None, epoch=request.timeout is not None)
    began = time.perf_counter()
    component, load_kind, argv0 = load_component(module, engine, cache)
    load_s = time.perf_counter() - began
    _, run_index = run_export(component, engine)
    linker = component_linker(engine)
    sink = _sink_for(request.stream)
    out = _Capture("stdout", request.output_limit, sink)
    err = _Capture("stderr", request.output_limit, sink)
    store = None
    failure: WasmError | None = None
    exit_code = 0
    instantiated = began = time.perf_counter()
    try:
        store = _new_store(engine, request, _configure_wasi(request, argv0, out, err))
        ticking = _TICKER.running(engine) if request.timeout is not None else contextlib.nullcontext()
        with ticking:
            began = time.perf_counter()
            try:
                instance = linker.instantiate(store, component)
            except wasmtime.WasmtimeError as error:
                raise _instantiation_error(error, request) from None
            instantiated = time.perf_counter()
            run = instance.get_func(store, run_index)
            if run is None:
                raise InvalidModule("wasi:cli/run has no run function")
            try:
                outcome = run(store)
                exit_code = 0 if getattr(outcome, "tag", "ok") == "ok" else 1
            except wasmtime.ExitTrap as exit_trap:
                exit_code = exit_trap.code
            except wasmtime.WasmtimeError as error:
                exit_code, failure = 134, _failure(error, request)
            finished = time.perf_counter()
    finally:
        _release(request, store)
    timings = Timings(load_s, instantiated - began, finished - instantiated, load_kind)
    return _result(request, out, err, exit_code, timings, failure)
