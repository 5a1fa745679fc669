"""The WASI runner: run a wasm32-wasi module with captured output, a sandbox and limits.

Introduced in notebook 04 (running modules under WASI) and used by notebook 05 (breaking
them on purpose: endless loops, memory bombs, files they were not given) and by every
start-up measurement. Built on wasmtime-py; ``run_wasm`` is the one call a notebook needs,
``prepare`` is the pre-instantiated fast path the benchmarks use.

Where the runner differs from ``wasmtime run`` (tests/integration/test_wasi_conformance.py
checks the rest byte for byte):

- ``proc_exit`` codes of 126 and above are refused by wasmtime itself ("invalid exit
  status"); both report an error rather than a status.
- Read-only preopens: wasmtime-py exposes one switch (``fs_mutable``), so a read-only
  directory is read-only for the directory and its files alike.
- ``stdin`` given as bytes reaches the guest through a temporary file (wasmtime-py has no
  public in-memory stdin); reads are the same, ``fd_fdstat_get`` may report a file.
- ``max_memory``: see :func:`_memory_at_limit` for how a refused ``memory.grow`` is told
  apart from the guest's own failure.
- A run without ``timeout`` cannot be interrupted from a notebook (Python only handles
  the interrupt once wasm returns); notebooks pass a timeout. The CLI restores Ctrl-C.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import wasmtime

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
from .component import run_component
from .host import (
    EPOCH_TICK_S,
    EngineSettings,
    ModuleSource,
    Output,
    Preopen,
    RunOptions,
    Source,
    StreamSink,
    Timings,
    WasiResult,
    cache_path,
    clear_module_cache,
    configure_wasi,
    engine_for,
    finish,
    guest_outputs,
    module_cache_dir,
    new_store,
    read_module_source,
    read_source,
    release,
    settings_of,
    shared_per_engine,
    store_in_cache,
    ticking,
    wasmtime_version,
)
from .reader import check_core_module

#: The runner's public names since notebook 04, those from ``host`` kept importable here.
__all__ = [
    "EPOCH_TICK_S", "ModuleSource", "Preopen", "PreparedModule", "StreamSink", "Timings",
    "WasiResult", "clear_module_cache", "compile_module", "engine_for", "load_module",
    "module_cache_dir", "prepare", "read_module_source", "run_wasm", "wasmtime_version",
]  # fmt: skip


def _new_linker(engine: wasmtime.Engine) -> wasmtime.Linker:
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    return linker


#: The kit's core-module linker for an engine: WASI preview 1 only, one per engine.
_linker_for: Callable[[wasmtime.Engine], wasmtime.Linker] = shared_per_engine(_new_linker)


# --- loading a core module ----------------------------------------------------------------


def compile_module(wasm: bytes, engine: wasmtime.Engine) -> wasmtime.Module:
    """Compile checked wasm bytes, turning wasmtime's refusal into :class:`InvalidModule`."""
    check_core_module(wasm)
    try:
        return wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as err:
        cause = root_cause(err)
        kind = "truncated" if "end-of-file" in cause else "malformed"
        raise InvalidModule(f"it is {kind}: {cause}") from None


def load_module(
    module: ModuleSource, engine: wasmtime.Engine, cache: bool = True
) -> tuple[wasmtime.Module, str]:
    """Load a module for ``engine``, from the on-disk cache when it holds it.

    Returns the module and how it was loaded: ``"cache"`` (deserialized, no compilation)
    or ``"compiled"`` (and then stored for next time). Engines not made by
    :func:`engine_for` are never cached, since their settings are unknown.
    """
    settings = settings_of(engine) if cache else None
    return _load(read_source(module, cached=settings is not None), engine, settings)


def _load(
    source: Source, engine: wasmtime.Engine, settings: EngineSettings | None
) -> tuple[wasmtime.Module, str]:
    """The module compiled, or deserialized from the cache (``settings``: None for no cache)."""
    if settings is None or source.digest is None:
        return compile_module(source.wasm(), engine), "compiled"
    path = cache_path(source.digest, settings, "module")
    # A missing or stale entry fails to deserialize (wasmtime checks its header and
    # version), and then we compile. Deserializing trusts the bytes: the cache lives in
    # the learner's own folder.
    with contextlib.suppress(wasmtime.WasmtimeError):
        return wasmtime.Module.deserialize_file(engine, path), "cache"
    compiled = compile_module(source.wasm(), engine)
    store_in_cache(path, bytes(compiled.serialize()))
    return compiled, "compiled"


# --- errors: traps, limits, missing imports -------------------------------------------------


def _frames(trap: wasmtime.Trap) -> list[TrapFrame]:
    return [
        TrapFrame(
            module=frame.module_name,
            function=frame.func_name or f"<wasm function {frame.func_index}>",
            offset=frame.module_offset,
        )
        for frame in trap.frames
    ]


def _memory_at_limit(store: Any, instance: wasmtime.Instance | None, limit: int) -> bool:
    """Did the guest run into ``max_memory``?

    wasmtime's store limiter makes a refused ``memory.grow`` return -1 instead of trapping,
    and the C API offers no hook to see the refusal. So we look at where the guest ended:
    a run that ended abnormally (trap or non-zero exit) with its memory within one
    allocation step of the limit (1/16 of it, at least 1 MiB: what wasi-libc's and Rust's
    allocators ask for at once) was stopped by the limit. A guest far below the limit
    asking for one huge block in one go is reported as its own failure instead.
    """
    if instance is None:
        return False
    slack = max(1 << 20, limit // 16)
    exports = instance.exports(store)
    memories = [exports[name] for name in exports]
    return any(
        isinstance(memory, wasmtime.Memory) and memory.data_len(store) + slack > limit
        for memory in memories
    )


def _limit_error(
    trap: wasmtime.Trap, options: RunOptions, store: Any, instance: wasmtime.Instance | None
) -> WasmError | None:
    code = trap.trap_code
    if code == wasmtime.TrapCode.OUT_OF_FUEL and options.fuel is not None:
        return FuelExhausted(options.fuel)
    if code == wasmtime.TrapCode.INTERRUPT and options.timeout is not None:
        return TimeoutExceeded(options.timeout)
    if options.max_memory is not None and _memory_at_limit(store, instance, options.max_memory):
        return MemoryLimitExceeded(options.max_memory)
    return None


def _trap_error(trap: wasmtime.Trap) -> Trap:
    code = trap.trap_code
    name = code.name.lower().replace("_", " ") if code is not None else "trap"
    return Trap(name, root_cause(trap), _frames(trap))


def _instantiate(
    store: Any,
    options: RunOptions,
    make_instance: Callable[[], wasmtime.Instance],
    module: wasmtime.Module,
    engine: wasmtime.Engine,
) -> wasmtime.Instance:
    try:
        return make_instance()
    except wasmtime.Trap as trap:
        raise _limit_error(trap, options, store, None) or _trap_error(trap) from None
    except wasmtime.WasmtimeError as err:
        raise _instantiation_error(err, options, module, engine) from None


def _instantiation_error(
    err: wasmtime.WasmtimeError,
    options: RunOptions,
    module: wasmtime.Module,
    engine: wasmtime.Engine,
) -> WasmError:
    message = str(err)
    if "unknown import" in message:
        return MissingImports(
            _missing_imports(module, _linker_for(engine), engine),
            fix="a WASI program may only import wasi_snapshot_preview1; rebuild it for wasm32-wasi",
        )
    if "exceeds memory limits" in message and options.max_memory is not None:
        return MemoryLimitExceeded(options.max_memory)
    return WasmError(f"the module could not be instantiated: {root_cause(err)}")


def _missing_imports(
    module: wasmtime.Module, linker: wasmtime.Linker, engine: wasmtime.Engine
) -> list[str]:
    # wasmtime names only the first unknown import; ask the linker about each of them.
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    missing = []
    for item in module.imports:
        try:
            linker.get(store, item.module, item.name or "")
        except wasmtime.WasmtimeError:
            missing.append(f"{item.module}::{item.name}")
    return missing


def _entry_point(store: Any, instance: wasmtime.Instance) -> wasmtime.Func | None:
    exports = instance.exports(store)
    for name in ("_start", ""):
        func = exports.get(name)
        if isinstance(func, wasmtime.Func):
            return func
    return None


def _call_start(
    store: Any, instance: wasmtime.Instance, options: RunOptions
) -> tuple[int, WasmError | None]:
    """Run ``_start``; returns the exit code, or the error that stopped the guest."""
    start = _entry_point(store, instance)
    if start is None:
        return 0, InvalidModule(
            "it exports no _start function, so it is a library, not a WASI program",
            fix="build an executable (with a main function), not a reactor or library",
        )
    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code, None
    except wasmtime.Trap as trap:
        return 134, _limit_error(trap, options, store, instance) or _trap_error(trap)
    except wasmtime.WasmtimeError as err:
        return 134, WasmError(f"the guest failed: {root_cause(err)}")
    return 0, None


def _execute(
    engine: wasmtime.Engine,
    module: wasmtime.Module,
    argv0: str,
    options: RunOptions,
    make_instance: Callable[[Any], wasmtime.Instance],
    load_s: float,
    load_kind: str,
) -> WasiResult:
    with guest_outputs(options) as (out, err):
        return _execute_with(
            engine, module, argv0, options, make_instance, load_s, load_kind, out, err
        )


def _execute_with(
    engine: wasmtime.Engine,
    module: wasmtime.Module,
    argv0: str,
    options: RunOptions,
    make_instance: Callable[[Any], wasmtime.Instance],
    load_s: float,
    load_kind: str,
    out: Output,
    err: Output,
) -> WasiResult:
    store = None
    try:
        store = new_store(engine, options, configure_wasi(options, argv0, out, err))
        with ticking(engine, options):
            began = time.perf_counter()
            instance = _instantiate(store, options, lambda: make_instance(store), module, engine)
            instantiated = time.perf_counter()
            exit_code, failure = _call_start(store, instance, options)
            finished = time.perf_counter()
        # A guest that met a refused memory.grow and exited by itself keeps its own exit
        # code (WebAssembly's meaning of the limit); only a trap there is a limit error.
        memory_limit_reached = (
            failure is None
            and exit_code != 0
            and options.max_memory is not None
            and _memory_at_limit(store, instance, options.max_memory)
        )
    finally:
        release(options, store)
    timings = Timings(load_s, instantiated - began, finished - instantiated, load_kind)
    return finish(options, out, err, exit_code, timings, failure, memory_limit_reached)


def run_wasm(
    module: ModuleSource,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    dirs: Sequence[Preopen] | Mapping[str, str] | None = None,
    stdin: bytes | str | None = None,
    timeout: float | None = None,
    fuel: int | None = None,
    max_memory: int | None = None,
    check: bool = False,
    output_limit: int = 1 << 20,
    stream: bool | StreamSink = False,
    cache: bool = True,
    inherit_stdio: bool = False,
    argv0: str | None = None,
) -> WasiResult:
    """Run a WASI program (a path, wasm bytes or WAT text) and return what it did.

    A component (WASI 0.2, notebook 11) runs through :mod:`.component` the same way.

    Notebook 04 introduces it; notebook 05 uses ``timeout``, ``fuel`` and ``max_memory``.
    The guest sees only ``args`` (after argv[0], the module's file name unless ``argv0``
    names it otherwise, as ``wasmtime run --argv0`` does), ``env`` and the ``dirs`` it is
    given (a mapping is ``{host: guest}``, read-only). Output is kept up to
    ``output_limit`` bytes per stream; ``stream=True`` also shows it live, a callable gets
    ``(stream_name, chunk)``. ``inherit_stdio`` hands the guest this process's own
    stdin/stdout/stderr (the CLI's mode); nothing is captured then.

    Raises :class:`InvalidModule`, :class:`MissingImports`, :class:`Trap`,
    :class:`TimeoutExceeded`, :class:`FuelExhausted`, :class:`MemoryLimitExceeded` (the
    guest trapped at ``max_memory``), and :class:`GuestExit` only with ``check=True``.
    Limit errors carry ``.result`` with the output produced before the stop. A refused
    ``memory.grow`` returns -1 to the guest; if it then exits by itself, its exit code is
    kept and ``result.memory_limit_reached`` is True, as with ``wasmtime run``.
    """
    options = RunOptions(
        args=args, env=env, dirs=dirs, stdin=stdin, timeout=timeout, fuel=fuel,
        max_memory=max_memory, check=check, output_limit=output_limit, stream=stream,
        inherit_stdio=inherit_stdio, argv0=argv0,
    )  # fmt: skip
    engine = options.engine()
    settings = settings_of(engine) if cache else None
    began = time.perf_counter()
    source = read_source(module, cached=settings is not None)
    if source.component:  # notebook 11: WASI 0.2, told apart by the header's layer byte
        return run_component(source, options, cache)
    compiled, load_kind = _load(source, engine, settings)
    load_s = time.perf_counter() - began
    linker = _linker_for(engine)
    return _execute(
        engine,
        compiled,
        source.name,
        options,
        lambda store: linker.instantiate(store, compiled),
        load_s,
        load_kind,
    )


class PreparedModule:
    """A module compiled (or loaded from cache) and linked once, instantiated per run.

    The fast path for repeated runs (notebook 05's "instantiate only" measurement): each
    :meth:`run` pays for a fresh store and instance, never for compiling or linking.
    """

    def __init__(
        self,
        engine: wasmtime.Engine,
        module: wasmtime.Module,
        pre: wasmtime.InstancePre,
        name: str,
        load_timings: tuple[float, str],
        settings: EngineSettings,
    ) -> None:
        self.engine = engine
        self.module = module
        self.name = name
        self.load_s, self.load_kind = load_timings
        self._pre = pre
        self._settings = settings

    def run(
        self,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        dirs: Sequence[Preopen] | Mapping[str, str] | None = None,
        stdin: bytes | str | None = None,
        timeout: float | None = None,
        fuel: int | None = None,
        max_memory: int | None = None,
        check: bool = False,
        output_limit: int = 1 << 20,
        stream: bool | StreamSink = False,
        inherit_stdio: bool = False,
        argv0: str | None = None,
    ) -> WasiResult:
        """Run the prepared module once; arguments as for :func:`run_wasm`."""
        if timeout is not None and not self._settings.epoch:
            raise WasmError(
                "this prepared module cannot enforce a timeout",
                fix="prepare it with prepare(module, epoch_enabled=True)",
            )
        if fuel is not None and not self._settings.fuel:
            raise WasmError(
                "this prepared module cannot meter fuel",
                fix="prepare it with prepare(module, fuel_enabled=True)",
            )
        options = RunOptions(
            args=args, env=env, dirs=dirs, stdin=stdin, timeout=timeout, fuel=fuel,
            max_memory=max_memory, check=check, output_limit=output_limit, stream=stream,
            inherit_stdio=inherit_stdio, argv0=argv0,
        )  # fmt: skip
        return _execute(
            self.engine, self.module, self.name, options, self._pre.instantiate, 0.0, "prepared"
        )


def prepare(
    module: ModuleSource,
    *,
    cache: bool = True,
    fuel_enabled: bool = False,
    epoch_enabled: bool = False,
) -> PreparedModule:
    """Load and link a module once for many fast runs (``Linker.instantiate_pre``).

    Notebook 05 and the start-up benchmarks use it. Enable ``fuel_enabled`` or
    ``epoch_enabled`` to be able to pass ``fuel`` or ``timeout`` to :meth:`PreparedModule.run`.
    """
    settings = EngineSettings(fuel_enabled, epoch_enabled)
    engine = engine_for(fuel=fuel_enabled, epoch=epoch_enabled)
    began = time.perf_counter()
    source = read_source(module, cached=cache)
    compiled, load_kind = _load(source, engine, settings if cache else None)
    name = source.name
    load_s = time.perf_counter() - began
    linker = _linker_for(engine)
    try:
        pre = linker.instantiate_pre(compiled)
    except wasmtime.WasmtimeError as err:
        raise _instantiation_error(err, RunOptions(), compiled, engine) from None
    return PreparedModule(engine, compiled, pre, name, (load_s, load_kind), settings)
