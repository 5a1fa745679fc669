"""A second `./kit setup` finds everything in place and does no work."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_second_setup_is_a_no_op() -> None:
    # The test suite itself ran through ./kit test, so set-up has already happened once.
    start = time.perf_counter()
    done = subprocess.run(["./kit", "setup"], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)
    elapsed = time.perf_counter() - start
    output = done.stdout + done.stderr
    print(f"second set-up took {elapsed:.1f} s")
    assert done.returncode == 0, output
    assert "installing" not in output, f"a second set-up installed something:\n{output}"
    assert "starting dockerd" not in output
    assert elapsed < 30, f"second set-up took {elapsed:.0f} s"
