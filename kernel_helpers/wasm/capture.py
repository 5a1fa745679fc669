"""Guest output captured through files that wasmtime writes to by itself.

A Python callback per write (``WasiConfig.stdout_custom``) about doubles the cost of a short
run; a file handed to ``WasiConfig.stdout_file`` costs wasmtime a ``write`` and the runner a
``fstat`` and a ``pread``. So :func:`run_wasm <kernel_helpers.wasm.runner.run_wasm>` captures
through files unless the caller asks to stream output live (that keeps the callback).

Where the files live: an anonymous memory file (``memfd``, which wasmtime opens through
``/proc/<pid>/fd/N``) on Linux; elsewhere, or if wasmtime refuses that path, a temp file on
tmpfs (``/dev/shm``) or in the temp folder, unlinked as soon as wasmtime has opened it. Either
way nothing can be left on disk, whatever stops the run. Memory files are reused by later
runs (wasmtime opens them with ``O_TRUNC``), which keeps creating them out of the timings.

The output cap is kept exactly: the first ``limit`` bytes are read back, and the bytes past
it are counted from the file's size. A guest writing in an endless loop cannot fill memory or
disk: while a capture is active, one watcher thread looks at every capture file each
:data:`WATCH_INTERVAL_S` and, once one holds more than ``limit + TRIM_SLACK`` bytes, frees
everything past the cap (bytes a result drops anyway). It punches a hole
(``fallocate(PUNCH_HOLE | KEEP_SIZE)``), so the file keeps its size, and the guest's next
writes land at its own offset past a sparse hole: the count of dropped bytes stays exact.
Where holes cannot be punched it truncates to the cap instead and remembers the largest size
it saw (then a count can miss the bytes written in the instant of the trim).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import itertools
import os
import tempfile
import threading
import time
from typing import Any

import wasmtime

#: How often the watcher looks at active capture files. At ~1 GB/s of guest output this
#: bounds a file to about ``limit + TRIM_SLACK + 10 MB``.
WATCH_INTERVAL_S = 0.005
#: How long the watcher keeps looking after the last capture ended before it sleeps.
WATCH_LINGER_S = 2.0
#: Bytes a capture file may hold past its cap before the watcher frees them.
TRIM_SLACK = 8 << 20
#: Bytes read back at once; output shorter than this costs a single ``pread``.
FIRST_READ = 1 << 16
#: Free memory files kept for later runs (two per concurrent run).
POOL_SIZE = 8
#: A pooled memory file holding more than this after a run is emptied before it is kept.
POOL_KEEP_BYTES = 1 << 16

_FALLOC_FL_KEEP_SIZE = 0x01
_FALLOC_FL_PUNCH_HOLE = 0x02


def _tmpfs_dir() -> str:
    """/dev/shm when it is a writable folder (memory, no disk), else the temp folder."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return tempfile.gettempdir()


class CaptureFile:
    """One stream's capture file: hand :attr:`path` to wasmtime, then :meth:`read` it back.

    ``memory`` files are memfds; others are named temp files, unlinked once wasmtime holds
    them open (:meth:`hand_to`).
    """

    __slots__ = ("_named", "fd", "limit", "memory", "path", "seen_size", "size", "trims")

    def __init__(self, fd: int, path: str, memory: bool) -> None:
        self.fd = fd
        self.path = path
        self.memory = memory
        self.limit = 0
        #: Bytes written in all (the file's size) once :meth:`read` has run, else -1.
        self.size = -1
        #: Largest size the watcher saw (only needed where it truncates instead of punching).
        self.seen_size = 0
        #: How many times the watcher freed this file's bytes past the cap during this run.
        self.trims = 0
        self._named = not memory

    def hand_to(self, wasi: wasmtime.WasiConfig, attribute: str) -> None:
        """Make this file the guest's ``attribute`` (``stdout_file``/``stderr_file``).

        wasmtime opens (and truncates) the file right here, so a named file is unlinked at
        once. :func:`hand_over` does this for both streams and starts bounding them.
        """
        try:
            setattr(wasi, attribute, self.path)
        except wasmtime.WasmtimeError:
            if not self.memory:
                raise
            # This wasmtime or this system does not open /proc/<pid>/fd paths: use temp
            # files from now on.
            _FILES.memfd_usable = False
            os.close(self.fd)
            self.fd, self.path = _FILES.named_file()
            self.memory, self._named = False, True
            setattr(wasi, attribute, self.path)
        if self._named:
            self.unlink()

    def unlink(self) -> None:
        if self._named:
            self._named = False
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                return
            except OSError:
                self._named = True  # an open file cannot be unlinked on Windows: try at release

    def read(self) -> tuple[bytes, int]:
        """The first ``limit`` bytes written, and how many more were written (dropped)."""
        if not self.seen_size:
            # Most output is short: a read that comes back short has met the end, so it
            # tells the size without a fstat. (A hole the watcher punched reads as zeros,
            # never as a short read.)
            first = min(self.limit, FIRST_READ)
            data = os.pread(self.fd, first, 0)
            if len(data) < first:
                self.size = len(data)
                return data, 0
        self.size = size = max(os.fstat(self.fd).st_size, self.seen_size)
        wanted = min(size, self.limit)
        chunks = []
        got = 0
        while got < wanted:
            chunk = os.pread(self.fd, wanted - got, got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return data, max(0, size - self.limit)


class _FilePool:
    """Where capture files come from and go back to: memory files are kept for reuse."""

    def __init__(self) -> None:
        self.memfd_usable = hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd")
        self.free: list[CaptureFile] = []
        self.folder: str | None = None
        self._counter = itertools.count()

    def named_file(self) -> tuple[int, str]:
        """A new temp file (on tmpfs when there is one), open for reading and writing."""
        if self.folder is None:
            self.folder = _tmpfs_dir()
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        while True:
            name = f"kit-capture-{os.getpid()}-{next(self._counter)}-{os.urandom(3).hex()}"
            path = os.path.join(self.folder, name)
            with contextlib.suppress(FileExistsError):
                return os.open(path, flags, 0o600), path

    def get(self) -> CaptureFile:
        try:
            return self.free.pop()
        except IndexError:
            return self._new()

    def _new(self) -> CaptureFile:
        if self.memfd_usable:
            try:
                fd = os.memfd_create("kit-capture", os.MFD_CLOEXEC)
            except OSError:
                self.memfd_usable = False
            else:
                # /proc/<pid> rather than /proc/self: one symlink less for every open
                # (a few µs of a 100 µs run). A forked child empties the pool.
                return CaptureFile(fd, f"/proc/{os.getpid()}/fd/{fd}", memory=True)
        fd, path = self.named_file()
        return CaptureFile(fd, path, memory=False)

    def put(self, file: CaptureFile) -> None:
        if file.memory and len(self.free) < POOL_SIZE:
            try:
                size = file.size if file.size >= 0 else os.fstat(file.fd).st_size
                if size > POOL_KEEP_BYTES:
                    os.ftruncate(file.fd, 0)  # do not sit on a flood's bytes between runs
            except OSError:
                pass
            else:
                file.size, file.seen_size, file.trims = -1, 0, 0
                self.free.append(file)
                return
        os.close(file.fd)
        file.unlink()

    def forget_after_fork(self) -> None:
        # A forked child shares our memory files: it must not write into the parent's.
        for file in self.free:
            with contextlib.suppress(OSError):
                os.close(file.fd)
        self.free = []


_FILES = _FilePool()


def acquire(limit: int) -> tuple[CaptureFile, CaptureFile]:
    """Capture files for one run's stdout and stderr, each keeping ``limit`` bytes.

    Give them back with :func:`release` (in a ``finally``), after the store is closed.
    """
    out = _FILES.get()
    try:
        err = _FILES.get()
    except BaseException:
        _FILES.put(out)
        raise
    out.limit = err.limit = max(0, limit)
    return out, err


def hand_over(wasi: wasmtime.WasiConfig, out: CaptureFile, err: CaptureFile) -> None:
    """Make ``out`` and ``err`` the guest's stdout and stderr, bounded while they are used."""
    out.hand_to(wasi, "stdout_file")
    err.hand_to(wasi, "stderr_file")
    _WATCHER.watch(out, err)


def release(out: CaptureFile, err: CaptureFile) -> None:
    """Stop watching the files and keep them for the next run (or close them)."""
    _WATCHER.unwatch(out, err)
    _FILES.put(out)
    _FILES.put(err)


# --- bounding a runaway writer --------------------------------------------------------


_libc: Any = None


def _punch_hole(fd: int, offset: int, length: int) -> bool:
    """Free ``length`` bytes at ``offset`` without changing the file's size (Linux)."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            _libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
            _libc.fallocate.restype = ctypes.c_int
        except (OSError, AttributeError):
            _libc = False
    if not _libc:
        return False
    mode = _FALLOC_FL_PUNCH_HOLE | _FALLOC_FL_KEEP_SIZE
    return bool(_libc.fallocate(fd, mode, offset, length) == 0)


class _Watcher:
    """One daemon thread that keeps active capture files from growing without bound.

    It looks every :data:`WATCH_INTERVAL_S` while captures come and go, and sleeps on a
    condition once none has been active for :data:`WATCH_LINGER_S`, so an idle kernel pays
    nothing and a loop of short runs does not wake it run after run (each wake-up would cost
    a run a hand-over of the GIL). A file is checked and trimmed under the lock that
    :meth:`unwatch` takes, so a file given back (and its descriptor reused) is never touched.
    """

    def __init__(self) -> None:
        self._files: dict[int, CaptureFile] = {}
        self._wake = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._asleep = False

    def watch(self, out: CaptureFile, err: CaptureFile) -> None:
        with self._wake:
            self._files[id(out)] = out
            self._files[id(err)] = err
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="kit-capture-watcher", daemon=True
                )
                self._thread.start()
            elif self._asleep:
                self._wake.notify()

    def unwatch(self, out: CaptureFile, err: CaptureFile) -> None:
        with self._wake:
            self._files.pop(id(out), None)
            self._files.pop(id(err), None)

    def _loop(self) -> None:
        last_busy = time.monotonic()
        while True:
            with self._wake:
                if self._files:
                    last_busy = time.monotonic()
                elif time.monotonic() - last_busy > WATCH_LINGER_S:
                    self._asleep = True
                    while not self._files:
                        self._wake.wait()
                    self._asleep = False
                for file in self._files.values():
                    self._bound(file)
            time.sleep(WATCH_INTERVAL_S)

    @staticmethod
    def _bound(file: CaptureFile) -> None:
        try:
            info = os.fstat(file.fd)
        except OSError:
            return
        allocated = getattr(info, "st_blocks", info.st_size // 512) * 512
        if allocated <= file.limit + TRIM_SLACK:
            return
        file.trims += 1
        if _punch_hole(file.fd, file.limit, info.st_size - file.limit):
            return
        file.seen_size = max(file.seen_size, info.st_size)
        with contextlib.suppress(OSError):
            os.ftruncate(file.fd, file.limit)

    def forget_after_fork(self) -> None:
        # Only the forking thread lives on in a child: no watcher thread, and the lock may
        # have been held by one that is gone.
        self._files = {}
        self._wake = threading.Condition(threading.Lock())
        self._thread = None
        self._asleep = False


_WATCHER = _Watcher()


def _after_fork_in_child() -> None:
    _FILES.forget_after_fork()
    _WATCHER.forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
