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

import atexit
import codecs
import contextlib
import functools
import gc
import hashlib
import html
import importlib.metadata
import math
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

from .._display import ShownAsHtml
from .._errors import Frame as TrapFrame
from .._errors import (
    FuelExhausted,
    GuestExit,
    InvalidModule,
    MemoryLimitExceeded,
    MissingImports,
    TimeoutExceeded,
    Trap,
    WasmError,
    root_cause,
)
from .._system import cache_dir, write_atomically
from . import capture
from .capture import CaptureFile
from .reader import check_core_module, wat_to_wasm

ModuleSource = str | Path | bytes | bytearray
StreamSink = Callable[[str, bytes], None]

#: How often the shared ticker advances the epoch of engines that enforce a timeout.
EPOCH_TICK_S = 0.01
#: Fuel given to a fuel-metering engine when the caller set no budget (effectively none).
UNLIMITED_FUEL = (1 << 63) - 1
#: Epoch deadline used when the engine checks epochs but the caller set no timeout.
NO_DEADLINE_TICKS = 1 << 62


# --- what a run returns ----------------------------------------------------------------


@dataclass
class Preopen:
    """A host directory the guest may use, seen inside the guest at ``guest``."""

    host: Path | str
    guest: str
    writable: bool = False


@dataclass
class Timings:
    """Seconds spent loading (compiling or reading the cache), instantiating and running.

    ``load_kind`` says how the module was loaded: ``"compiled"``, ``"cache"`` (deserialized
    from the on-disk cache) or ``"prepared"`` (already loaded by :func:`prepare`).
    """

    load_s: float
    instantiate_s: float
    run_s: float
    load_kind: str

    @property
    def total_s(self) -> float:
        return self.load_s + self.instantiate_s + self.run_s


def _truncation_note(dropped: int) -> str:
    return f"\n[... output truncated: {dropped:,} more bytes were dropped]" if dropped else ""


@dataclass
class WasiResult(ShownAsHtml):
    """What a guest printed and how it ended; like ``subprocess.CompletedProcess``.

    A non-zero exit is a result, not an exception: call :meth:`check` to turn it into
    :class:`GuestExit`. Notebook 04 introduces it.
    """

    stdout: bytes
    stderr: bytes
    exit_code: int
    timings: Timings
    stdout_dropped: int = 0
    stderr_dropped: int = 0
    #: The guest ran into ``max_memory`` (a ``memory.grow`` was refused and returned -1 to
    #: it) and then exited by itself: ``exit_code`` is its own, as under ``wasmtime run``.
    memory_limit_reached: bool = False

    @property
    def stdout_text(self) -> str:
        return self.stdout.decode("utf-8", "replace") + _truncation_note(self.stdout_dropped)

    @property
    def stderr_text(self) -> str:
        return self.stderr.decode("utf-8", "replace") + _truncation_note(self.stderr_dropped)

    @property
    def truncated(self) -> bool:
        return bool(self.stdout_dropped or self.stderr_dropped)

    def check(self) -> WasiResult:
        """Return ``self`` if the guest exited with 0, else raise :class:`GuestExit`."""
        if self.exit_code != 0:
            raise GuestExit(self.exit_code, self.stderr)
        return self

    def _summary(self) -> str:
        t = self.timings
        return (
            f"exit code {self.exit_code} · load {t.load_s * 1e3:.2f} ms ({t.load_kind}) · "
            f"instantiate {t.instantiate_s * 1e3:.2f} ms · run {t.run_s * 1e3:.2f} ms"
        )

    def __str__(self) -> str:
        parts = [self._summary()]
        if self.stdout or self.stdout_dropped:
            parts.append("stdout:\n" + self.stdout_text)
        if self.stderr or self.stderr_dropped:
            parts.append("stderr:\n" + self.stderr_text)
        return "\n".join(parts)

    def html(self) -> str:
        def block(title: str, text: str) -> str:
            if not text:
                return ""
            return f"<div style='margin-top:0.4em'><b>{title}</b></div><pre>{html.escape(text)}</pre>"

        return (
            f"<div><div><code>{html.escape(self._summary())}</code></div>"
            + block("stdout", self.stdout_text)
            + block("stderr", self.stderr_text)
            + "</div>"
        )


# --- engines, the epoch ticker and the module cache -------------------------------------


@dataclass(frozen=True)
class _EngineSettings:
    fuel: bool
    epoch: bool

    @property
    def key(self) -> str:
        return f"fuel={int(self.fuel)},epoch={int(self.epoch)}"


_ENGINES: dict[_EngineSettings, wasmtime.Engine] = {}
_ENGINE_KEYS: dict[int, str] = {}
_LINKERS: dict[int, wasmtime.Linker] = {}
_ENGINE_LOCK = threading.Lock()


def engine_for(*, fuel: bool = False, epoch: bool = False) -> wasmtime.Engine:
    """The kit's shared engine for these settings (one per combination, reused)."""
    settings = _EngineSettings(fuel, epoch)
    engine = _ENGINES.get(settings)  # every run asks: skip the lock once the engine exists
    if engine is not None:
        return engine
    with _ENGINE_LOCK:
        engine = _ENGINES.get(settings)
        if engine is None:
            config = wasmtime.Config()
            config.consume_fuel = fuel
            config.epoch_interruption = epoch
            engine = wasmtime.Engine(config)
            # The key first: a reader that finds the engine without the lock needs it.
            _ENGINE_KEYS[id(engine)] = settings.key
            _ENGINES[settings] = engine
        return engine


def _linker_for(engine: wasmtime.Engine) -> wasmtime.Linker:
    # A linker holds no store state once only WASI is defined, so one per engine serves
    # every run (and keeps linker set-up out of the timings).
    linker = _LINKERS.get(id(engine))
    if linker is not None:
        return linker
    with _ENGINE_LOCK:
        linker = _LINKERS.get(id(engine))
        if linker is None:
            linker = wasmtime.Linker(engine)
            linker.define_wasi()
            _LINKERS[id(engine)] = linker
        return linker


class _EpochTicker:
    """One daemon thread advancing the epoch of every engine that has a run with a timeout.

    It sleeps on a condition while no run needs it, so an idle kernel pays nothing.
    """

    def __init__(self) -> None:
        self._users: dict[int, tuple[wasmtime.Engine, int]] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def running(self, engine: wasmtime.Engine) -> Iterator[None]:
        with self._wake:
            _, count = self._users.get(id(engine), (engine, 0))
            self._users[id(engine)] = (engine, count + 1)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="kit-epoch-ticker", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        try:
            yield
        finally:
            with self._wake:
                _, count = self._users[id(engine)]
                if count <= 1:
                    del self._users[id(engine)]
                else:
                    self._users[id(engine)] = (engine, count - 1)

    def _loop(self) -> None:
        counted_until = time.monotonic()
        while True:
            with self._wake:
                if not self._users:
                    while not self._users:
                        self._wake.wait()
                    counted_until = time.monotonic()
                engines = [engine for engine, _ in self._users.values()]
            # On a busy machine a sleep can last much longer than asked; advance by the
            # ticks that really elapsed so a timeout tracks the wall clock, not our naps.
            due = int((time.monotonic() - counted_until) / EPOCH_TICK_S)
            for _ in range(due):
                for engine in engines:
                    engine.increment_epoch()
            counted_until += due * EPOCH_TICK_S
            time.sleep(EPOCH_TICK_S)


_TICKER = _EpochTicker()


def _drain_output_callbacks(wait_s: float = 1.0) -> None:
    """Let wasmtime release our stdout/stderr callbacks before the interpreter goes away.

    wasmtime drops a WASI output stream on a tokio worker thread, a few milliseconds after
    its store is closed, and that drop calls back into Python. If it happens during
    interpreter finalization, CPython ends the thread with ``pthread_exit``, which cannot
    unwind through Rust frames: the process prints a panic and aborts (exit 134), even
    though every run succeeded. So at exit we collect dead stores and wait, briefly,
    until wasmtime has handed back every callback.
    """
    outputs = getattr(getattr(wasmtime, "_wasi", None), "CUSTOM_OUTPUTS", None)
    handles = getattr(outputs, "handles", None)
    if handles is None:
        return
    gc.collect()
    deadline = time.monotonic() + wait_s
    while handles and time.monotonic() < deadline:
        time.sleep(0.002)


atexit.register(_drain_output_callbacks)


def wasmtime_version() -> str:
    """The installed wasmtime-py version (part of the module cache key)."""
    try:
        return importlib.metadata.version("wasmtime")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


_WASMTIME_VERSION = wasmtime_version()


_MODULE_DIRS: dict[str | None, str] = {}


def _module_cache_folder() -> str:
    # Memoized per KIT_CACHE_DIR: finding and creating the folder on every run cost more
    # than deserializing a small module.
    configured = os.environ.get("KIT_CACHE_DIR")
    folder = _MODULE_DIRS.get(configured)
    if folder is None:
        folder = _MODULE_DIRS[configured] = str(module_cache_dir())
    return folder


def module_cache_dir() -> Path:
    """Where serialized (pre-compiled) modules are kept."""
    path = cache_dir() / "modules"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clear_module_cache() -> int:
    """Delete every cached compiled module; returns how many files were removed."""
    removed = 0
    for entry in module_cache_dir().glob("*.cwasm"):
        entry.unlink(missing_ok=True)
        removed += 1
    return removed


@functools.cache
def _engine_tag(engine_key: str) -> str:
    # Serialized code is only valid for the same wasmtime build, engine settings and
    # machine, so all three are part of the key next to the module's own hash.
    text = f"{_WASMTIME_VERSION}|{engine_key}|{platform.machine()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cache_path(wasm: bytes, engine_key: str) -> str:
    return _cache_path_for_digest(hashlib.sha256(wasm).hexdigest(), engine_key)


def _cache_path_for_digest(digest: str, engine_key: str) -> str:
    return _cache_path_in(_module_cache_folder(), digest, engine_key)


@functools.lru_cache(maxsize=256)
def _cache_path_in(folder: str, digest: str, engine_key: str) -> str:
    # Remembered: joining and hashing the engine tag on every run cost a few µs each.
    return os.path.join(folder, f"{digest}-{_engine_tag(engine_key)}.cwasm")


# --- turning what the caller gave into checked wasm bytes ---------------------------------


def read_module_source(module: ModuleSource) -> tuple[bytes, str]:
    """Wasm bytes and an argv[0]-style name for a path, wasm bytes or WAT text."""
    if isinstance(module, bytes | bytearray):
        return bytes(module), "module.wasm"
    if isinstance(module, str) and module.lstrip().startswith("("):
        return wat_to_wasm(module), "module.wasm"
    path = Path(module)
    if not path.is_file():
        raise InvalidModule(
            f"no module file at {path}", fix="check the path (it is relative to the notebook)"
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InvalidModule(f"cannot read {path}: {err.strerror}") from None
    if path.suffix == ".wat":
        return wat_to_wasm(data.decode("utf-8", "replace")), path.name
    return data, path.name


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
    compiled, kind, _ = _load_source(module, engine, cache)
    return compiled, kind


#: sha256 of module files already seen, by (path, inode, size, mtime): an unchanged file
#: is neither re-read nor re-hashed, so a cached run costs a stat and a deserialize.
_FILE_DIGESTS: dict[tuple[str, int, int, int], str] = {}
#: File systems stamp mtimes coarsely (ext4: a few ms), so a file rewritten in place with
#: the same size right after we hashed it could look unchanged. Like git's "racily clean"
#: rule, a file modified less than this long ago is always re-read and re-hashed.
RACY_WINDOW_NS = 2_000_000_000


def _file_fingerprint(module: ModuleSource) -> tuple[str, int, int, int] | None:
    if isinstance(module, bytes | bytearray) or (
        isinstance(module, str) and module.lstrip().startswith("(")
    ):
        return None
    path = os.fspath(module)
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (os.path.abspath(path), info.st_ino, info.st_size, info.st_mtime_ns)


def _load_source(
    module: ModuleSource, engine: wasmtime.Engine, cache: bool
) -> tuple[wasmtime.Module, str, str]:
    """The loaded module, how it was loaded, and its argv[0] name."""
    engine_key = _ENGINE_KEYS.get(id(engine))
    fingerprint = _file_fingerprint(module) if cache and engine_key else None
    known_digest = _FILE_DIGESTS.get(fingerprint) if fingerprint else None
    if known_digest is not None and engine_key is not None:
        with contextlib.suppress(wasmtime.WasmtimeError):
            path = _cache_path_for_digest(known_digest, engine_key)
            name = os.path.basename(os.fspath(module))  # type: ignore[arg-type]
            return wasmtime.Module.deserialize_file(engine, path), "cache", name
    wasm, name = read_module_source(module)
    if fingerprint is not None and time.time_ns() - fingerprint[3] > RACY_WINDOW_NS:
        _FILE_DIGESTS[fingerprint] = hashlib.sha256(wasm).hexdigest()
    compiled, kind = _load_wasm(wasm, engine, cache)
    return compiled, kind, name


def _load_wasm(wasm: bytes, engine: wasmtime.Engine, cache: bool) -> tuple[wasmtime.Module, str]:
    engine_key = _ENGINE_KEYS.get(id(engine))
    if not cache or engine_key is None:
        return compile_module(wasm, engine), "compiled"
    path = _cache_path(wasm, engine_key)
    # A missing or stale entry fails to deserialize (wasmtime checks its header and
    # version), and then we compile. Deserializing trusts the bytes: the cache lives in
    # the learner's own folder.
    with contextlib.suppress(wasmtime.WasmtimeError):
        return wasmtime.Module.deserialize_file(engine, path), "cache"
    compiled = compile_module(wasm, engine)
    _store_in_cache(path, bytes(compiled.serialize()))
    return compiled, "compiled"


def _store_in_cache(path: str, serialized: bytes) -> None:
    # Whole or not at all (a concurrent reader never sees half a file); the folder may have
    # been deleted since we memoized it, and write_atomically makes it again.
    with contextlib.suppress(OSError):  # a read-only cache only costs speed, never a run
        write_atomically(Path(path), serialized)


# --- output capture ---------------------------------------------------------------------


class _Capture:
    """Keeps the first ``limit`` bytes of a stream, counts the rest, forwards to a sink.

    The callback path (``WasiConfig.stdout_custom``), one Python call per guest write: used
    only when output is streamed live. Otherwise output goes to a :class:`CaptureFile`.
    """

    def __init__(self, name: str, limit: int, sink: StreamSink | None) -> None:
        self.name = name
        self.limit = limit
        self.sink = sink
        self.chunks: list[bytes] = []
        self.kept = 0
        self.dropped = 0

    def __call__(self, data: bytes) -> None:
        # Exceptions raised here are swallowed by wasmtime-py, so the sink must not raise.
        if self.sink is not None:
            with contextlib.suppress(Exception):
                self.sink(self.name, data)
        room = self.limit - self.kept
        if room >= len(data):
            self.chunks.append(data)
            self.kept += len(data)
        else:
            if room > 0:
                self.chunks.append(data[:room])
                self.kept += room
            self.dropped += len(data) - max(room, 0)

    def read(self) -> tuple[bytes, int]:
        """What was kept and how many bytes were dropped (as :meth:`CaptureFile.read`)."""
        return b"".join(self.chunks), self.dropped


#: Where one stream's output goes: a file wasmtime writes (the default) or a callback
#: (streaming, and the idle pair of an ``inherit_stdio`` run).
_Output = _Capture | CaptureFile


class _ConsoleSink:
    """Writes guest output to ``sys.stdout``/``sys.stderr`` as text as it arrives.

    An incremental decoder per stream keeps a UTF-8 character split across two writes
    intact. Used for ``stream=True`` (live output in a notebook).
    """

    def __init__(self) -> None:
        self._decoders = {
            "stdout": codecs.getincrementaldecoder("utf-8")("replace"),
            "stderr": codecs.getincrementaldecoder("utf-8")("replace"),
        }

    def __call__(self, name: str, chunk: bytes) -> None:
        target = sys.stdout if name == "stdout" else sys.stderr
        target.write(self._decoders[name].decode(chunk))
        target.flush()


def _sink_for(stream: bool | StreamSink) -> StreamSink | None:
    if stream is True:
        return _ConsoleSink()
    if callable(stream):
        return stream
    return None


# --- running ----------------------------------------------------------------------------


@dataclass
class _RunRequest:
    args: Sequence[str]
    env: Mapping[str, str] | None
    dirs: Sequence[Preopen] | Mapping[str, str] | None
    stdin: bytes | str | None
    timeout: float | None
    fuel: int | None
    max_memory: int | None
    check: bool
    output_limit: int
    stream: bool | StreamSink
    inherit_stdio: bool
    #: The guest's own name, argv[0]; None for the module's file name.
    argv0: str | None = None
    temp_files: list[str] = field(default_factory=list)


def _normalize_dirs(dirs: Sequence[Preopen] | Mapping[str, str] | None) -> list[Preopen]:
    if dirs is None:
        return []
    if isinstance(dirs, Mapping):
        return [Preopen(host, guest) for host, guest in dirs.items()]
    return list(dirs)


def _configure_wasi(
    request: _RunRequest, argv0: str, out: _Output, err: _Output
) -> wasmtime.WasiConfig:
    wasi = wasmtime.WasiConfig()
    wasi.argv = [request.argv0 or argv0, *request.args]
    if request.env:
        wasi.env = list(request.env.items())
    for preopen in _normalize_dirs(request.dirs):
        host = Path(preopen.host)
        if not host.is_dir():
            raise WasmError(
                f"cannot give the guest {host}: it is not a directory on this machine",
                fix="create the folder first or fix the host path",
            )
        wasi.preopen_dir(str(host), preopen.guest, preopen.writable)
    if request.inherit_stdio:
        wasi.inherit_stdin()
        wasi.inherit_stdout()
        wasi.inherit_stderr()
        return wasi
    if request.stdin is not None:
        data = request.stdin.encode() if isinstance(request.stdin, str) else request.stdin
        # wasmtime-py takes stdin only from a file; a temporary one is removed after the run.
        fd, path = tempfile.mkstemp(prefix="kit-stdin-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        request.temp_files.append(path)
        wasi.stdin_file = path
    if isinstance(out, CaptureFile) and isinstance(err, CaptureFile):
        capture.hand_over(wasi, out, err)
    else:
        wasi.stdout_custom = out
        wasi.stderr_custom = err
    return wasi


def _new_store(engine: wasmtime.Engine, request: _RunRequest, wasi: wasmtime.WasiConfig) -> Any:
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    settings_key = _ENGINE_KEYS.get(id(engine), "")
    if "fuel=1" in settings_key:
        store.set_fuel(UNLIMITED_FUEL if request.fuel is None else request.fuel)
    if "epoch=1" in settings_key:
        ticks = (
            NO_DEADLINE_TICKS
            if request.timeout is None
            else max(1, math.ceil(request.timeout / EPOCH_TICK_S))
        )
        store.set_epoch_deadline(ticks)
    if request.max_memory is not None:
        store.set_limits(memory_size=request.max_memory)
    return store


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
    trap: wasmtime.Trap, request: _RunRequest, store: Any, instance: wasmtime.Instance | None
) -> WasmError | None:
    code = trap.trap_code
    if code == wasmtime.TrapCode.OUT_OF_FUEL and request.fuel is not None:
        return FuelExhausted(request.fuel)
    if code == wasmtime.TrapCode.INTERRUPT and request.timeout is not None:
        return TimeoutExceeded(request.timeout)
    if request.max_memory is not None and _memory_at_limit(store, instance, request.max_memory):
        return MemoryLimitExceeded(request.max_memory)
    return None


def _trap_error(trap: wasmtime.Trap) -> Trap:
    code = trap.trap_code
    name = code.name.lower().replace("_", " ") if code is not None else "trap"
    return Trap(name, root_cause(trap), _frames(trap))


def _instantiate(
    store: Any,
    request: _RunRequest,
    make_instance: Callable[[], wasmtime.Instance],
    module: wasmtime.Module,
    engine: wasmtime.Engine,
) -> wasmtime.Instance:
    try:
        return make_instance()
    except wasmtime.Trap as trap:
        raise _limit_error(trap, request, store, None) or _trap_error(trap) from None
    except wasmtime.WasmtimeError as err:
        raise _instantiation_error(err, request, module, engine) from None


def _instantiation_error(
    err: wasmtime.WasmtimeError,
    request: _RunRequest,
    module: wasmtime.Module,
    engine: wasmtime.Engine,
) -> WasmError:
    message = str(err)
    if "unknown import" in message:
        return MissingImports(
            _missing_imports(module, _linker_for(engine), engine),
            fix="a WASI program may only import wasi_snapshot_preview1; rebuild it for wasm32-wasi",
        )
    if "exceeds memory limits" in message and request.max_memory is not None:
        return MemoryLimitExceeded(request.max_memory)
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
    store: Any, instance: wasmtime.Instance, request: _RunRequest
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
        return 134, _limit_error(trap, request, store, instance) or _trap_error(trap)
    except wasmtime.WasmtimeError as err:
        return 134, WasmError(f"the guest failed: {root_cause(err)}")
    return 0, None


def _execute(
    engine: wasmtime.Engine,
    module: wasmtime.Module,
    argv0: str,
    request: _RunRequest,
    make_instance: Callable[[Any], wasmtime.Instance],
    load_s: float,
    load_kind: str,
) -> WasiResult:
    with guest_outputs(request) as (out, err):
        return _execute_with(engine, module, argv0, request, make_instance, load_s, load_kind, out, err)


@contextlib.contextmanager
def guest_outputs(request: _RunRequest) -> Iterator[tuple[_Output, _Output]]:
    """Where a run's stdout and stderr go, modules and components alike: files wasmtime
    writes itself (no Python call per write), or the callback when output is streamed
    live. Read them before the block ends: the files go back to the pool."""
    out: _Output
    err: _Output
    sink = _sink_for(request.stream)
    if sink is None and not request.inherit_stdio:
        out, err = capture.acquire(request.output_limit)
    else:
        out = _Capture("stdout", request.output_limit, sink)
        err = _Capture("stderr", request.output_limit, sink)
    try:
        yield out, err
    finally:
        if isinstance(out, CaptureFile) and isinstance(err, CaptureFile):
            capture.release(out, err)


def _execute_with(
    engine: wasmtime.Engine,
    module: wasmtime.Module,
    argv0: str,
    request: _RunRequest,
    make_instance: Callable[[Any], wasmtime.Instance],
    load_s: float,
    load_kind: str,
    out: _Output,
    err: _Output,
) -> WasiResult:
    store = None
    try:
        store = _new_store(engine, request, _configure_wasi(request, argv0, out, err))
        ticking = (
            _TICKER.running(engine) if request.timeout is not None else contextlib.nullcontext()
        )
        with ticking:
            began = time.perf_counter()
            instance = _instantiate(
                store, request, lambda: make_instance(store), module, engine
            )
            instantiated = time.perf_counter()
            exit_code, failure = _call_start(store, instance, request)
            finished = time.perf_counter()
        # A guest that met a refused memory.grow and exited by itself keeps its own exit
        # code (WebAssembly's meaning of the limit); only a trap there is a limit error.
        memory_limit_reached = (
            failure is None
            and exit_code != 0
            and request.max_memory is not None
            and _memory_at_limit(store, instance, request.max_memory)
        )
    finally:
        _release(request, store)
    timings = Timings(load_s, instantiated - began, finished - instantiated, load_kind)
    return _result(request, out, err, exit_code, timings, failure, memory_limit_reached)


def _release(request: _RunRequest, store: Any) -> None:
    """After a run, whatever happened: remove the stdin files and drop the store."""
    for path in request.temp_files:
        with contextlib.suppress(OSError):
            os.unlink(path)
    if store is not None:
        # Drop the store (and with it the WASI context holding our output callbacks)
        # now, while the interpreter is alive. Left to interpreter exit, wasmtime drops
        # it on a tokio worker thread that must take the GIL, CPython kills that thread
        # with pthread_exit during finalization, and the process aborts.
        store.close()


def _result(
    request: _RunRequest,
    out: _Output,
    err: _Output,
    exit_code: int,
    timings: Timings,
    failure: WasmError | None,
    memory_limit_reached: bool = False,
) -> WasiResult:
    """The run's result, or its failure raised with the result attached (modules and
    components alike)."""
    stdout, stdout_dropped = out.read()
    stderr, stderr_dropped = err.read()
    result = WasiResult(
        stdout=stdout,
        stderr=stderr,
        exit_code=exit_code,
        timings=timings,
        stdout_dropped=stdout_dropped,
        stderr_dropped=stderr_dropped,
        memory_limit_reached=memory_limit_reached,
    )
    if failure is not None:
        failure.result = result
        raise failure
    return result.check() if request.check else result


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
    request = _RunRequest(
        args, env, dirs, stdin, timeout, fuel, max_memory, check, output_limit, stream,
        inherit_stdio, argv0,
    )
    engine = engine_for(fuel=fuel is not None, epoch=timeout is not None)
    began = time.perf_counter()
    try:
        compiled, load_kind, argv0 = _load_source(module, engine, cache)
    except InvalidModule:
        from .component import is_component, run_component  # notebook 11: WASI 0.2

        if is_component(module):
            return run_component(module, request, cache)
        raise
    load_s = time.perf_counter() - began
    linker = _linker_for(engine)
    return _execute(
        engine,
        compiled,
        argv0,
        request,
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
        settings: _EngineSettings,
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
        request = _RunRequest(
            args, env, dirs, stdin, timeout, fuel, max_memory, check, output_limit, stream,
            inherit_stdio, argv0,
        )
        return _execute(
            self.engine, self.module, self.name, request, self._pre.instantiate, 0.0, "prepared"
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
    settings = _EngineSettings(fuel_enabled, epoch_enabled)
    engine = engine_for(fuel=fuel_enabled, epoch=epoch_enabled)
    began = time.perf_counter()
    compiled, load_kind, name = _load_source(module, engine, cache)
    load_s = time.perf_counter() - began
    linker = _linker_for(engine)
    try:
        pre = linker.instantiate_pre(compiled)
    except wasmtime.WasmtimeError as err:
        request = _RunRequest((), None, None, None, None, None, None, False, 0, False, False)
        raise _instantiation_error(err, request, compiled, engine) from None
    return PreparedModule(engine, compiled, pre, name, (load_s, load_kind), settings)
