"""``python -m kernel_helpers run-wasm`` as a shell user meets it: a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import wasi_guests as guests
from tests.conftest import REPO


def run_cli(
    tmp_path: Path, *argv: str, stdin: bytes = b"", timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    # Only a hang's bound: a matrix leg at nice 19 on a loaded machine took over 30 s to
    # start the CLI and end a 0.3 s timeout (a CI rehearsal, load average above 10).
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "KIT_CACHE_DIR": str(tmp_path / "kit-cache"),
    }
    return subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "run-wasm", *argv],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def write(tmp_path: Path, name: str, wat: str) -> str:
    path = tmp_path / name
    path.write_text(wat)
    return str(path)


def assert_one_clear_line(stderr: bytes, says: str) -> None:
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("run-wasm: error:") and says in lines[0]
    assert b"Traceback" not in stderr


def test_exit_status_is_the_guests_exit_code(tmp_path: Path) -> None:
    done = run_cli(tmp_path, write(tmp_path, "exit7.wat", guests.exit_with(7)))
    assert (done.returncode, done.stdout, done.stderr) == (7, b"", b"")


def test_stdin_flows_through_as_raw_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 100
    done = run_cli(tmp_path, write(tmp_path, "cat.wat", guests.cat(1)), stdin=data)
    assert (done.returncode, done.stdout) == (0, data)


def test_args_env_and_guest_flags_pass_through(tmp_path: Path) -> None:
    module = write(tmp_path, "args.wat", guests.print_args())
    done = run_cli(tmp_path, "--env", "A=1", module, "--timeout", "x y", "é")
    assert done.stdout == b"args.wat\0--timeout\0x y\0\xc3\xa9\0"
    named = run_cli(tmp_path, "--argv0", "7sum.wasm", module, "x")
    assert named.stdout == b"7sum.wasm\0x\0"
    environ = run_cli(
        tmp_path,
        "--env",
        "A=1",
        "--env",
        "B=x=y",
        write(tmp_path, "env.wat", guests.print_environ()),
    )
    assert environ.stdout == b"A=1\0B=x=y\0"


def test_dir_is_writable_and_dir_ro_is_not(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    writer = write(tmp_path, "writer.wat", guests.open_file("out.txt", write=b"hi"))
    denied = run_cli(tmp_path, "--dir-ro", f"{shared}::/data", writer)
    assert denied.returncode != 0 and not (shared / "out.txt").exists()
    allowed = run_cli(tmp_path, "--dir", f"{shared}::/data", writer)
    assert allowed.returncode == 0 and (shared / "out.txt").read_bytes() == b"hi"


def test_trap_ends_with_134_and_one_line(tmp_path: Path) -> None:
    done = run_cli(tmp_path, write(tmp_path, "trap.wat", guests.trap_in_named_function()))
    assert done.returncode == 134
    assert_one_clear_line(done.stderr, "unreachable (in explode")


def test_timeout_ends_with_134_and_names_the_limit(tmp_path: Path) -> None:
    module = write(tmp_path, "loop.wat", guests.endless_loop())
    done = run_cli(tmp_path, "--timeout", "0.3", module)
    assert done.returncode == 134
    assert_one_clear_line(done.stderr, "timeout")


def test_max_memory_keeps_the_guests_own_exit_code(tmp_path: Path) -> None:
    # The guest grows until memory.grow returns -1 at the limit, then exits 1 by its own
    # choice: run-wasm exits 1 too (as `wasmtime run` does) and adds one note line.
    bomb = write(tmp_path, "bomb.wat", guests.memory_bomb(on_failure="exit"))
    done = run_cli(tmp_path, "--max-memory", "4M", bomb)
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("run-wasm: note:"), lines
    assert "reached --max-memory (4,194,304 bytes)" in lines[0]
    fits = run_cli(
        tmp_path, "--max-memory", "64M", write(tmp_path, "fits.wat", guests.grow_then_exit(16, 3))
    )
    assert (fits.returncode, fits.stderr) == (3, b"")


@pytest.mark.parametrize("content, says", [(b"", "empty"), (b"\x7fELF\x02", "native ELF")])
def test_bad_input_ends_with_1_and_one_line(tmp_path: Path, content: bytes, says: str) -> None:
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(content)
    done = run_cli(tmp_path, str(bad))
    assert done.returncode == 1
    assert_one_clear_line(done.stderr, says)


def test_ctrl_c_ends_an_endless_guest_at_once(tmp_path: Path) -> None:
    module = write(tmp_path, "loop.wat", guests.ready_then_loop())
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIT_CACHE_DIR": str(tmp_path / "c")}
    process = subprocess.Popen(
        [sys.executable, "-m", "kernel_helpers", "run-wasm", module],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"  # the guest is running now
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == -signal.SIGINT  # an endless guest never ends


def test_version_and_help(tmp_path: Path) -> None:
    version = run_cli(tmp_path, "--version")
    assert version.returncode == 0 and b"wasmtime-py" in version.stdout
    helped = run_cli(tmp_path, "--help")
    assert helped.returncode == 0 and b"--dir-ro HOST::GUEST" in helped.stdout
