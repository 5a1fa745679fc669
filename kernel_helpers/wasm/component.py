"""Running a WebAssembly component (WASI 0.2) the way :func:`run_wasm` runs a module.

Introduced in notebook 11. A component made from a preview-1 command module (see
``toolchains.component.making``) exports ``wasi:cli/run``; we instantiate it with wasmtime-py's
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
  the runner's ``_memory_at_limit`` does: a ``unreachable`` trap (what C's, Rust's and the
  WAT guests' "allocation failed" ends in) under ``max_memory`` counts as the limit, and
  ``memory_limit_reached`` stays False for a guest that exits by itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

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
    WrongArgument,
    root_cause,
)
from .host import (
    ModuleSource,
    RunOptions,
    Source,
    Timings,
    WasiResult,
    cache_path,
    configure_wasi,
    engine_for,
    finish,
    guest_outputs,
    new_store,
    read_source,
    release,
    settings_of,
    shared_per_engine,
    store_in_cache,
    ticking,
)
from .reader import (  # read here by toolchains/ and containers/
    core_module_spans as core_module_spans,
)
from .reader import (
    is_component_bytes as is_component_bytes,
)

#: The export every WASI 0.2 command component has; ``run`` inside it is its ``main``.
RUN_INTERFACE = "wasi:cli/run"


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


def _new_linker(engine: wasmtime.Engine) -> wc.Linker:
    linker = wc.Linker(engine)
    linker.add_wasip2()
    return linker


#: The kit's component linker for an engine: WASI 0.2 (``add_wasip2``), one per engine.
_linkers = shared_per_engine(_new_linker)


def component_linker(engine: wasmtime.Engine) -> wc.Linker:
    """The kit's component linker for ``engine``: WASI 0.2 (``add_wasip2``), reused."""
    linker: wc.Linker = _linkers(engine)
    return linker


def load_component(
    module: ModuleSource | Source, engine: wasmtime.Engine, cache: bool = True
) -> tuple[wc.Component, str, str]:
    """Compile a component (or load it from the module cache): component, how, argv[0].
    ``module`` may be a :class:`host.Source` already read (``run_wasm`` passes its own)."""
    settings = settings_of(engine) if cache else None
    source = (
        module if isinstance(module, Source) else read_source(module, cached=settings is not None)
    )
    if not source.component:
        raise InvalidModule(
            "this is not a WebAssembly component",
            fix="make one with kh.componentize(module), or run the module itself",
        )
    path = None
    if settings is not None and source.digest is not None:
        path = cache_path(source.digest, settings, "component")
        with contextlib.suppress(wasmtime.WasmtimeError):
            return wc.Component.deserialize_file(engine, path), "cache", source.name
    try:
        component = wc.Component(engine, source.wasm())
    except wasmtime.WasmtimeError as err:
        raise InvalidModule(f"the component is malformed: {root_cause(err)}") from None
    if path is not None:
        store_in_cache(path, bytes(component.serialize()))
    return component, "compiled", source.name


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
    """The names a component imports and exports, read by wasmtime alone: interfaces such as
    ``wasi:cli/run@0.2.x`` by name, a function with its type as WIT writes it
    (``sha256: func(data: list<u8>) -> string``); :func:`toolchains.component.worlds.read_world`
    adds the WIT text."""
    engine = engine_for()
    compiled, _, _ = load_component(component, engine)
    kind = compiled.type
    return _described(kind.imports(engine)), _described(kind.exports(engine))


def _described(items: dict[str, Any]) -> list[str]:
    # items: name -> wasmtime-py's ComponentExtern (a type wasmtime.component does not export)
    described: list[str] = []
    for name, item in items.items():
        kind = item.ty
        described.append(signature(name, kind) if isinstance(kind, wc.FuncType) else name)
    return described


# --- typed values: WIT's types as wasmtime-py gives them to Python ----------------------

#: WIT's name of each of wasmtime-py's value types; lists are spelled out by :func:`wit_type`.
_WIT_NAMES = {
    "Bool": "bool",
    "S8": "s8",
    "S16": "s16",
    "S32": "s32",
    "S64": "s64",
    "U8": "u8",
    "U16": "u16",
    "U32": "u32",
    "U64": "u64",
    "F32": "f32",
    "F64": "f64",
    "Char": "char",
    "String": "string",
}


def wit_type(valtype: wc.ValType) -> str:
    """A wasmtime-py value type as WIT writes it: ``list<u8>``, ``string``, ``u32`` ..."""
    if isinstance(valtype, wc.ListType):
        return f"list<{wit_type(valtype.element)}>"
    name = type(valtype).__name__
    return _WIT_NAMES.get(name, name.removesuffix("Type").lower())


def _python_classes(valtype: wc.ValType) -> set[type]:
    classes: set[type] = set()
    with contextlib.suppress(NotImplementedError):
        valtype.add_classes(classes)
    return classes


def python_type(valtype: wc.ValType) -> str:
    """The Python type wasmtime-py takes and gives for a WIT type (``bytes`` for list<u8>)."""
    return " or ".join(sorted(c.__name__ for c in _python_classes(valtype))) or "no Python value"


def signature(name: str, kind: wc.FuncType) -> str:
    """A function's type as a WIT world declares it: ``sha256: func(data: list<u8>) -> string``."""
    params = ", ".join(f"{param}: {wit_type(valtype)}" for param, valtype in kind.params)
    result = f" -> {wit_type(kind.result)}" if kind.result is not None else ""
    return f"{name}: func({params}){result}"


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
            frames.append(
                TrapFrame(module=module, function=match.group(3), offset=int(match.group(1), 16))
            )
    return _TRAP_NAMES.get(message, message), message, frames


def _failure(err: wasmtime.WasmtimeError, request: RunOptions) -> WasmError:
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


def _instantiation_error(err: wasmtime.WasmtimeError, request: RunOptions) -> WasmError:
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
    module: ModuleSource | Source, options: RunOptions | None = None, cache: bool = True
) -> WasiResult:
    """Run a command component; options and errors as for :func:`runner.run_wasm`."""
    request = options if options is not None else RunOptions()
    engine = request.engine()
    began = time.perf_counter()
    component, load_kind, argv0 = load_component(module, engine, cache)
    load_s = time.perf_counter() - began
    _, run_index = run_export(component, engine)
    linker = component_linker(engine)
    with guest_outputs(request) as (out, err):
        store = None
        failure: WasmError | None = None
        exit_code = 0
        instantiated = began = time.perf_counter()
        try:
            store = new_store(engine, request, configure_wasi(request, argv0, out, err))
            with ticking(engine, request):
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
            release(request, store)
        timings = Timings(load_s, instantiated - began, finished - instantiated, load_kind)
        return finish(request, out, err, exit_code, timings, failure)


# --- calling a typed export -------------------------------------------------------------


@dataclass(frozen=True)
class ExportCall:
    """One call :func:`call_export` made, with what it returned: notebook 12's check reads
    them, so a digest no call of the component returned is told apart from one that did."""

    export: str
    args: tuple[Any, ...]
    result: Any


#: The last calls this process made through :func:`call_export`, oldest first.
_RECENT_CALLS: deque[ExportCall] = deque(maxlen=16)


def recent_export_calls() -> tuple[ExportCall, ...]:
    """The calls :func:`call_export` made lately in this process, oldest first."""
    return tuple(_RECENT_CALLS)


def call_export(
    component: ModuleSource,
    name: str,
    *args: Any,
    timeout: float | None = None,
    fuel: int | None = None,
    max_memory: int | None = None,
) -> Any:
    """Call the function ``name`` a component exports, with Python values for its WIT
    types, and get a Python value back (notebook 12): ``bytes`` for ``list<u8>``, ``str``
    for ``string``, ``int`` for ``u32`` ... wasmtime copies each argument into the guest's
    memory by the canonical ABI and the result out of it: no stdin, no stdout, no parsing.
    (wasmtime-py converts a list one element at a time, in Python: quick for kilobytes,
    slow for megabytes.) Each call gets a new instance, as each run does.

    A value of another type is refused before the guest runs (:class:`WrongArgument`, with
    the export's WIT signature); a trap or a limit (``timeout``, ``fuel``, ``max_memory``,
    as for :func:`runner.run_wasm`) raises what it raises for a run.
    """
    request = RunOptions(timeout=timeout, fuel=fuel, max_memory=max_memory, output_limit=0)
    engine = request.engine()
    compiled, _, _ = load_component(component, engine)
    # An empty WASI context (no arguments, environment or folders) for a component that
    # imports some of WASI; the course's sha256 component imports nothing at all.
    store = new_store(engine, request, wasmtime.WasiConfig())
    try:
        with ticking(engine, request):
            func = _exported_func(engine, store, compiled, name, request)
            try:
                result = func(store, *args)
            except TypeError as err:  # wasmtime-py checks each value against the WIT type
                raise _refused(name, func.type(store), args, err) from None
            except wasmtime.WasmtimeError as err:
                raise _failure(err, request) from None
    finally:
        release(request, store)
    _RECENT_CALLS.append(ExportCall(name, args, result))
    return result


def _exported_func(
    engine: wasmtime.Engine, store: Any, compiled: wc.Component, name: str, request: RunOptions
) -> wc.Func:
    try:
        instance = component_linker(engine).instantiate(store, compiled)
    except wasmtime.WasmtimeError as err:
        raise _instantiation_error(err, request) from None
    func = instance.get_func(store, name)
    if func is None:
        exports = "; ".join(_described(compiled.type.exports(engine))) or "nothing"
        raise InvalidModule(
            f"the component exports no function {name!r}", fix=f"it exports: {exports}"
        )
    return func


def _refused(name: str, kind: wc.FuncType, args: tuple[Any, ...], err: TypeError) -> WrongArgument:
    """The refusal said in WIT's terms and Python's: which argument, which type was declared."""
    declared = signature(name, kind)
    if len(args) != len(kind.params):
        return WrongArgument(
            f"{name} takes {len(kind.params)} argument(s), it was given {len(args)}",
            declared,
            fix=f"call it as the world declares it: {declared}",
        )
    for (param, valtype), value in zip(kind.params, args, strict=True):
        if not isinstance(value, tuple(_python_classes(valtype))):
            given, wit, expected = type(value).__name__, wit_type(valtype), python_type(valtype)
            return WrongArgument(
                f"{name} refused a {given} for {param}: the world declares {param}: {wit}, "
                f"which Python passes as {expected}",
                declared,
                fix=_fix_for(param, wit, expected, value),
            )
    return WrongArgument(
        f"{name} refused its arguments: {err}", declared, fix=f"the world declares {declared}"
    )


def _fix_for(param: str, wit: str, expected: str, value: object) -> str:
    if expected == "bytes" and isinstance(value, str):
        return f"pass bytes for {param}: bytes you have go in as they are; text.encode() gives a str's UTF-8 bytes"
    if expected == "bytes" and isinstance(value, bytearray | memoryview | list):
        return f"bytes({param}) makes bytes of it"
    return f"pass {param} as {expected} (WIT {wit})"
