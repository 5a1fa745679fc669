"""The host core both runners build on: engines, the epoch ticker, the module cache, the
WASI set-up, output capture, store limits and the result of a run.

A core module (:mod:`.runner`, notebook 04) and a component (:mod:`.component`, notebook
11) run the same way up to the moment they are instantiated: the same shared engine for
their limits, the same ``WasiConfig`` (arguments, environment, folders, stdin, output),
the same ``Store`` limits, the same ticker for timeouts, the same result or error. That
part lives here; each runner adds only how its kind of binary is compiled, instantiated
and started. :class:`RunOptions` carries what the caller asked for, built by keyword.

:func:`read_source` reads what the caller gave once and says whether it is a module or a
component (the header's layer byte, see :mod:`.reader`), so ``run_wasm`` branches on the
bytes it already has.
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
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

from .._display import ShownAsHtml
from .._errors import GuestExit, InvalidModule, WasmError
from .._system import cache_dir, write_atomically
from . import capture
from .capture import CaptureFile
from .reader import is_component_bytes, wat_to_wasm

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
            return (
                f"<div style='margin-top:0.4em'><b>{title}</b></div><pre>{html.escape(text)}</pre>"
            )

        return (
            f"<div><div><code>{html.escape(self._summary())}</code></div>"
            + block("stdout", self.stdout_text)
            + block("stderr", self.stderr_text)
            + "</div>"
        )


# --- engines and the epoch ticker ---------------------------------------------------------


@dataclass(frozen=True)
class EngineSettings:
    """What an engine checks: fuel, epochs (for a timeout), or neither."""

    fuel: bool
    epoch: bool

    @property
    def key(self) -> str:
        return f"fuel={int(self.fuel)},epoch={int(self.epoch)}"


_ENGINES: dict[EngineSettings, wasmtime.Engine] = {}
#: The settings of each engine made by :func:`engine_for`, by ``id(engine)``.
_SETTINGS: dict[int, EngineSettings] = {}
_ENGINE_LOCK = threading.Lock()


def engine_for(*, fuel: bool = False, epoch: bool = False) -> wasmtime.Engine:
    """The kit's shared engine for these settings (one per combination, reused)."""
    settings = EngineSettings(fuel, epoch)
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
            # The settings first: a reader that finds the engine without the lock needs them.
            _SETTINGS[id(engine)] = settings
            _ENGINES[settings] = engine
        return engine


def settings_of(engine: wasmtime.Engine) -> EngineSettings | None:
    """The settings of an engine :func:`engine_for` made; None for any other engine (whose
    settings are unknown, so it is never cached)."""
    return _SETTINGS.get(id(engine))


def shared_per_engine(make: Callable[[wasmtime.Engine], Any]) -> Callable[[wasmtime.Engine], Any]:
    """``make(engine)`` once per engine, then the same object (a linker holds no store state
    once only WASI is defined, so one per engine serves every run and keeps linker set-up
    out of the timings)."""
    made: dict[int, Any] = {}

    def shared(engine: wasmtime.Engine) -> Any:
        found = made.get(id(engine))
        if found is not None:
            return found
        with _ENGINE_LOCK:
            found = made.get(id(engine))
            if found is None:
                found = made[id(engine)] = make(engine)
            return found

    return shared


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


TICKER = _EpochTicker()


def ticking(engine: wasmtime.Engine, options: RunOptions) -> AbstractContextManager[None]:
    """The ticker running for ``engine`` while a run with a timeout lasts; nothing otherwise."""
    return TICKER.running(engine) if options.timeout is not None else contextlib.nullcontext()


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


# --- the module cache -----------------------------------------------------------------------

_MODULE_DIRS: dict[str | None, str] = {}
#: The file name ending of each kind of compiled binary in the cache.
CACHE_SUFFIXES = {"module": ".cwasm", "component": ".component.cwasm"}


def _module_cache_folder() -> str:
    # Memoized per KIT_CACHE_DIR: finding and creating the folder on every run cost more
    # than deserializing a small module.
    configured = os.environ.get("KIT_CACHE_DIR")
    folder = _MODULE_DIRS.get(configured)
    if folder is None:
        folder = _MODULE_DIRS[configured] = str(module_cache_dir())
    return folder


def module_cache_dir() -> Path:
    """Where serialized (pre-compiled) modules and components are kept."""
    path = cache_dir() / "modules"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clear_module_cache() -> int:
    """Delete every cached compiled module (and component); returns how many files were removed."""
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


def cache_path(digest: str, settings: EngineSettings, kind: str = "module") -> str:
    """Where the compiled form of the binary with sha256 ``digest`` is kept for engines with
    these settings; ``kind`` is ``"module"`` or ``"component"``."""
    return _cache_path_in(_module_cache_folder(), digest, settings.key, kind)


@functools.lru_cache(maxsize=256)
def _cache_path_in(folder: str, digest: str, engine_key: str, kind: str) -> str:
    # Remembered: joining and hashing the engine tag on every run cost a few µs each.
    return os.path.join(folder, f"{digest}-{_engine_tag(engine_key)}{CACHE_SUFFIXES[kind]}")


def store_in_cache(path: str, serialized: bytes) -> None:
    """Keep a compiled binary for next time; a cache that cannot be written costs only speed."""
    # Whole or not at all (a concurrent reader never sees half a file); the folder may have
    # been deleted since we memoized it, and write_atomically makes it again.
    with contextlib.suppress(OSError):  # a read-only cache only costs speed, never a run
        write_atomically(Path(path), serialized)


# --- what the caller gave, read once ----------------------------------------------------------


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


@dataclass(frozen=True)
class Source:
    """What the caller gave, read once: its argv[0] name, whether it is a component, its
    bytes (None for an unchanged file whose compiled form the cache holds: it was not read
    again) and their sha256 (when the cache is used)."""

    module: ModuleSource
    name: str
    component: bool
    data: bytes | None
    digest: str | None

    def wasm(self) -> bytes:
        """The bytes, read now if they were not (the cache did not hold the compiled form)."""
        return self.data if self.data is not None else read_module_source(self.module)[0]


#: What is known of a file already seen, by (path, inode, size, mtime): its sha256 and
#: whether it is a component. An unchanged file is neither re-read nor re-hashed, so a
#: cached run costs a stat and a deserialize.
_FILE_DIGESTS: dict[tuple[str, int, int, int], tuple[str, bool]] = {}


def read_source(module: ModuleSource, *, cached: bool) -> Source:
    """Read ``module`` (a path, wasm bytes or WAT text) once; with ``cached``, hash it for
    the cache, or skip reading a file seen unchanged before."""
    fingerprint = _file_fingerprint(module) if cached else None
    known = _FILE_DIGESTS.get(fingerprint) if fingerprint is not None else None
    if known is not None:
        name = os.path.basename(os.fspath(module))  # type: ignore[arg-type]
        return Source(module, name, known[1], None, known[0])
    data, name = read_module_source(module)
    component = is_component_bytes(data)
    digest = hashlib.sha256(data).hexdigest() if cached else None
    if (
        fingerprint is not None
        and digest is not None
        and time.time_ns() - fingerprint[3] > RACY_WINDOW_NS
    ):
        _FILE_DIGESTS[fingerprint] = (digest, component)
    return Source(module, name, component, data, digest)


# --- output capture ---------------------------------------------------------------------


class Capture:
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
Output = Capture | CaptureFile


class ConsoleSink:
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


def sink_for(stream: bool | StreamSink) -> StreamSink | None:
    if stream is True:
        return ConsoleSink()
    if callable(stream):
        return stream
    return None


@contextlib.contextmanager
def guest_outputs(options: RunOptions) -> Iterator[tuple[Output, Output]]:
    """Where a run's stdout and stderr go, modules and components alike: files wasmtime
    writes itself (no Python call per write), or the callback when output is streamed
    live. Read them before the block ends: the files go back to the pool."""
    out: Output
    err: Output
    sink = sink_for(options.stream)
    if sink is None and not options.inherit_stdio:
        out, err = capture.acquire(options.output_limit)
    else:
        out = Capture("stdout", options.output_limit, sink)
        err = Capture("stderr", options.output_limit, sink)
    try:
        yield out, err
    finally:
        if isinstance(out, CaptureFile) and isinstance(err, CaptureFile):
            capture.release(out, err)


# --- one run: its options, WASI set-up, store and result ------------------------------------


@dataclass(kw_only=True)
class RunOptions:
    """What the caller asked of one run (the keywords of :func:`runner.run_wasm`)."""

    args: Sequence[str] = ()
    env: Mapping[str, str] | None = None
    dirs: Sequence[Preopen] | Mapping[str, str] | None = None
    stdin: bytes | str | None = None
    timeout: float | None = None
    fuel: int | None = None
    max_memory: int | None = None
    check: bool = False
    output_limit: int = 1 << 20
    stream: bool | StreamSink = False
    inherit_stdio: bool = False
    #: The guest's own name, argv[0]; None for the module's file name.
    argv0: str | None = None
    #: Files made for this run (stdin), removed by :func:`release`.
    temp_files: list[str] = field(default_factory=list)

    def engine(self) -> wasmtime.Engine:
        """The shared engine that can enforce these limits."""
        return engine_for(fuel=self.fuel is not None, epoch=self.timeout is not None)


def _normalize_dirs(dirs: Sequence[Preopen] | Mapping[str, str] | None) -> list[Preopen]:
    if dirs is None:
        return []
    if isinstance(dirs, Mapping):
        return [Preopen(host, guest) for host, guest in dirs.items()]
    return list(dirs)


def configure_wasi(
    options: RunOptions, argv0: str, out: Output, err: Output
) -> wasmtime.WasiConfig:
    """The guest's WASI context: argv, environment, folders, stdin, and where output goes."""
    wasi = wasmtime.WasiConfig()
    wasi.argv = [options.argv0 or argv0, *options.args]
    if options.env:
        wasi.env = list(options.env.items())
    for preopen in _normalize_dirs(options.dirs):
        host = Path(preopen.host)
        if not host.is_dir():
            raise WasmError(
                f"cannot give the guest {host}: it is not a directory on this machine",
                fix="create the folder first or fix the host path",
            )
        wasi.preopen_dir(str(host), preopen.guest, preopen.writable)
    if options.inherit_stdio:
        wasi.inherit_stdin()
        wasi.inherit_stdout()
        wasi.inherit_stderr()
        return wasi
    if options.stdin is not None:
        data = options.stdin.encode() if isinstance(options.stdin, str) else options.stdin
        # wasmtime-py takes stdin only from a file; a temporary one is removed after the run.
        fd, path = tempfile.mkstemp(prefix="kit-stdin-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        options.temp_files.append(path)
        wasi.stdin_file = path
    if isinstance(out, CaptureFile) and isinstance(err, CaptureFile):
        capture.hand_over(wasi, out, err)
    else:
        wasi.stdout_custom = out
        wasi.stderr_custom = err
    return wasi


def new_store(engine: wasmtime.Engine, options: RunOptions, wasi: wasmtime.WasiConfig) -> Any:
    """A store for one run with ``wasi``, its fuel, its epoch deadline and its memory limit."""
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    settings = _SETTINGS.get(id(engine))
    if settings is not None and settings.fuel:
        store.set_fuel(UNLIMITED_FUEL if options.fuel is None else options.fuel)
    if settings is not None and settings.epoch:
        ticks = (
            NO_DEADLINE_TICKS
            if options.timeout is None
            else max(1, math.ceil(options.timeout / EPOCH_TICK_S))
        )
        store.set_epoch_deadline(ticks)
    if options.max_memory is not None:
        store.set_limits(memory_size=options.max_memory)
    return store


def release(options: RunOptions, store: Any) -> None:
    """After a run, whatever happened: remove the stdin files and drop the store."""
    for path in options.temp_files:
        with contextlib.suppress(OSError):
            os.unlink(path)
    if store is not None:
        # Drop the store (and with it the WASI context holding our output callbacks)
        # now, while the interpreter is alive. Left to interpreter exit, wasmtime drops
        # it on a tokio worker thread that must take the GIL, CPython kills that thread
        # with pthread_exit during finalization, and the process aborts.
        store.close()


def finish(
    options: RunOptions,
    out: Output,
    err: Output,
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
    return result.check() if options.check else result
