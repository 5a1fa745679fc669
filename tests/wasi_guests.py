"""Tiny WASI guests in WAT that call wasi_snapshot_preview1 directly.

Shared by the unit tests (run under the kit) and the conformance test (run under both the
kit and the wasmtime CLI). Memory layout of every guest: bytes 0-31 scratch (iovecs,
counts), 1024 the guest's constant path, 2048 constant data, 4096 a 64 KiB I/O buffer,
a separate pointer array at 16384 and string buffer at 32768 for args/environ.
"""

from __future__ import annotations

# WASI preview 1 constants (witx): open flags, rights, lookup flags, errno values.
O_CREAT = 1
O_DIRECTORY = 2
RIGHT_FD_READ = 1 << 1
RIGHT_FD_WRITE = 1 << 6
LOOKUP_SYMLINK_FOLLOW = 1
ENOENT = 44

_IMPORTS = """
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func $read (param $fd i32) (result i32)
    (i32.store (i32.const 8) (i32.const 0))
    (i32.store (i32.const 0) (i32.const 4096))
    (i32.store (i32.const 4) (i32.const 65536))
    (drop (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.load (i32.const 8)))
  (func $copy (param $from i32) (param $to i32) (local $n i32)
    (block $done (loop $more
      (local.set $n (call $read (local.get $from)))
      (br_if $done (i32.eqz (local.get $n)))
      (drop (call $write (local.get $to) (i32.const 4096) (local.get $n)))
      (br $more))))
"""


def _module(body: str, data: str = "") -> str:
    return f"(module {_IMPORTS} {data} {body})"


def _wat_string(value: bytes) -> str:
    return '"' + "".join(f"\\{byte:02x}" for byte in value) + '"'


def _print_string_list(kind: str) -> str:
    # args_* and environ_* share one shape: sizes, then the pointers and the NUL-ended
    # strings; we print the string buffer as is.
    return _module(f"""
  (func (export "_start")
    (drop (call ${kind}_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call ${kind}_get (i32.const 16384) (i32.const 32768)))
    (drop (call $write (i32.const 1) (i32.const 32768) (i32.load (i32.const 20)))))""")


def print_args() -> str:
    """Writes the raw args buffer (each argument NUL-terminated) to stdout."""
    return _print_string_list("args")


def print_environ() -> str:
    """Writes the raw environ buffer (each KEY=VALUE NUL-terminated) to stdout."""
    return _print_string_list("environ")


def exit_with(code: int) -> str:
    return _module(f'(func (export "_start") (call $proc_exit (i32.const {code})))')


def cat(to_fd: int = 1) -> str:
    """Copies stdin to ``to_fd`` (1 stdout, 2 stderr) byte for byte."""
    return _module(f'(func (export "_start") (call $copy (i32.const 0) (i32.const {to_fd})))')


def prestat_name(fd: int = 3) -> str:
    """Prints the guest path of preopen ``fd``."""
    return _module(f"""
  (func (export "_start")
    (if (call $fd_prestat_get (i32.const {fd}) (i32.const 16)) (then (call $proc_exit (i32.const 9))))
    (drop (call $fd_prestat_dir_name (i32.const {fd}) (i32.const 4096) (i32.load (i32.const 20))))
    (drop (call $write (i32.const 1) (i32.const 4096) (i32.load (i32.const 20)))))""")


def open_file(path: str, *, write: bytes | None = None, dirfd: int = 3, follow: bool = True) -> str:
    """Opens ``path`` under preopen ``dirfd``; exits with path_open's errno if it fails.

    Reading: copies the file to stdout. Writing (``write`` given): creates the file and
    writes the bytes into it.
    """
    encoded = path.encode()
    oflags = O_CREAT if write is not None else 0
    rights = RIGHT_FD_WRITE if write is not None else RIGHT_FD_READ
    action = (
        f"(drop (call $write (i32.load (i32.const 24)) (i32.const 2048) (i32.const {len(write)})))"
        if write is not None
        else "(call $copy (i32.load (i32.const 24)) (i32.const 1))"
    )
    data = f"(data (i32.const 1024) {_wat_string(encoded)})"
    if write is not None:
        data += f" (data (i32.const 2048) {_wat_string(write)})"
    return _module(
        f"""
  (func (export "_start") (local $errno i32)
    (local.set $errno (call $path_open (i32.const {dirfd}) (i32.const {int(follow)})
      (i32.const 1024) (i32.const {len(encoded)}) (i32.const {oflags})
      (i64.const {rights}) (i64.const {rights}) (i32.const 0) (i32.const 24)))
    (if (local.get $errno) (then (call $proc_exit (local.get $errno))))
    {action})""",
        data,
    )


def symlink_then_open(target: str, link: str) -> str:
    """Creates ``link -> target`` inside preopen 3, then opens ``link`` and prints it.

    Exits with path_open's errno, or 120 if path_symlink already refused (exit codes must
    stay below 126 under WASI preview 1).
    """
    target_bytes, link_bytes = target.encode(), link.encode()
    data = (
        f"(data (i32.const 1024) {_wat_string(link_bytes)})"
        f" (data (i32.const 2048) {_wat_string(target_bytes)})"
    )
    return _module(
        f"""
  (func (export "_start") (local $errno i32)
    (local.set $errno (call $path_symlink (i32.const 2048) (i32.const {len(target_bytes)})
      (i32.const 3) (i32.const 1024) (i32.const {len(link_bytes)})))
    (if (local.get $errno) (then (call $proc_exit (i32.const 120))))
    (local.set $errno (call $path_open (i32.const 3) (i32.const 1)
      (i32.const 1024) (i32.const {len(link_bytes)}) (i32.const 0)
      (i64.const {RIGHT_FD_READ}) (i64.const {RIGHT_FD_READ}) (i32.const 0) (i32.const 24)))
    (if (local.get $errno) (then (call $proc_exit (local.get $errno))))
    (call $copy (i32.load (i32.const 24)) (i32.const 1)))""",
        data,
    )


def flood(chunks: int, chunk_size: int = 65536) -> str:
    """Writes ``chunks`` chunks of ``chunk_size`` bytes of 'x' to stdout."""
    return _module(f"""
  (func (export "_start") (local $i i32)
    (memory.fill (i32.const 4096) (i32.const 120) (i32.const {chunk_size}))
    (block $done (loop $more
      (br_if $done (i32.ge_u (local.get $i) (i32.const {chunks})))
      (drop (call $write (i32.const 1) (i32.const 4096) (i32.const {chunk_size})))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more))))""")


def endless_loop() -> str:
    return _module('(func (export "_start") (loop $forever (br $forever)))')


def ready_then_loop() -> str:
    """Prints 'ready' and a newline, then loops forever (for signal tests)."""
    return _module("""
  (data (i32.const 2048) "ready\\n")
  (func (export "_start")
    (drop (call $write (i32.const 1) (i32.const 2048) (i32.const 6)))
    (loop $forever (br $forever)))""")


def dots_forever() -> str:
    """Prints one '.' per loop turn, forever: fuel decides exactly how many appear."""
    return _module("""
  (data (i32.const 2048) ".")
  (func (export "_start")
    (loop $forever
      (drop (call $write (i32.const 1) (i32.const 2048) (i32.const 1)))
      (br $forever)))""")


def memory_bomb(*, on_failure: str = "trap") -> str:
    """Grows memory one page at a time until memory.grow fails, then traps or exits 1."""
    ending = "unreachable" if on_failure == "trap" else "(call $proc_exit (i32.const 1))"
    return _module(f"""
  (func (export "_start")
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    {ending})""")


def grow_then_exit(pages: int, code: int) -> str:
    """Grows memory by ``pages`` at once and exits with ``code`` (0 if the grow worked)."""
    return _module(f"""
  (func (export "_start")
    (if (i32.eq (memory.grow (i32.const {pages})) (i32.const -1))
      (then (call $proc_exit (i32.const 2))))
    (call $proc_exit (i32.const {code})))""")


def trap_in_named_function() -> str:
    return _module("""
  (func $explode unreachable)
  (func $middle (call $explode))
  (func (export "_start") (call $middle))""")


def divide_by_zero() -> str:
    return _module("""
  (func $divide (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "_start") (drop (call $divide (i32.const 0))))""")
