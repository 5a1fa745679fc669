"""A second `./kit setup` finds everything in place and does no work; `./kit doctor --json`
after it is JSON alone."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_second_setup_is_a_no_op() -> None:
    # The test suite itself ran through ./kit test, so set-up has already happened once.
    start = time.perf_counter()
    done = subprocess.run(
        ["./kit", "setup"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    elapsed = time.perf_counter() - start
    output = done.stdout + done.stderr
    print(f"second set-up took {elapsed:.1f} s")
    assert done.returncode == 0, output
    assert "installing" not in output, f"a second set-up installed something:\n{output}"
    assert "starting dockerd" not in output
    assert elapsed < 30, f"second set-up took {elapsed:.0f} s"


def test_kit_doctor_json_prints_only_json_after_set_up() -> None:
    # The README offers `./kit doctor --json` for scripting: set-up's chatter ("[kit] ...",
    # "missing: ...") goes to stderr, stdout is one JSON object.
    done = subprocess.run(
        ["./kit", "doctor", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["wasmtime"]["available"] is True
    assert "[kit]" in done.stderr and "set-up done" in done.stderr
