"""Every ``--json`` of the command line prints JSON and nothing else on stdout, so an
instructor can pipe it into ``jq`` or ``json.loads``; notes and progress go to stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


def test_chatter_and_child_processes_go_to_stderr() -> None:
    script = (
        "import json, subprocess\n"
        "from kernel_helpers.cli._output import chatter_to_stderr\n"
        "with chatter_to_stderr():\n"
        "    print('python chatter')\n"
        "    subprocess.run(['echo', 'child chatter'], check=True)\n"
        "print(json.dumps({'ok': True}))\n"
    )
    done = run("-c", script)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ok": True}
    assert "python chatter" in done.stderr and "child chatter" in done.stderr


def test_doctor_json_is_only_json() -> None:
    done = run("-m", "kernel_helpers", "doctor", "--json", KIT_DOCKER="off")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["wasmtime"]["available"] is True


def test_doctor_last_line_names_what_is_missing() -> None:
    done = run("-m", "kernel_helpers", "doctor", KIT_DOCKER="off", KIT_TOOLCHAINS="off")
    last = done.stdout.strip().splitlines()[-1]
    assert "missing" in last and "Docker daemon" in last and "C → wasm" in last, last


def test_build_json_is_only_json_even_when_compilers_are_missing() -> None:
    done = run(
        "-m",
        "kernel_helpers",
        "build",
        "--json",
        "--lang",
        "c",
        "--example",
        "hello",
        "--target",
        "wasm32-wasi",
        KIT_TOOLCHAINS="off",
    )
    assert isinstance(json.loads(done.stdout), list)
    assert "c wasm32-wasi" in done.stderr  # the problem is reported, on stderr
