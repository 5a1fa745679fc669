"""`./kit lab` opens the course on 127.0.0.1 only, behind a token, at notebook 00."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port, other_address

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_kit_lab_listens_on_loopback_with_a_token() -> None:
    port = free_port()
    proc = subprocess.Popen(
        ["./kit", "lab"],
        cwd=REPO,
        env={**os.environ, "KIT_LAB_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            match = re.search(
                r"(http://127\.0\.0\.1:\d+/lab/tree/notebooks/00-setup-check\.ipynb\?token=\w+)",
                line,
            )
            if match:
                url = match[1]
        assert url, "kit lab never printed the course URL"
        token = url.rsplit("token=", 1)[1]
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2
                ) as r:
                    status = r.status
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status == 200
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents", timeout=2)
        assert denied.value.code == 403, "the server answered without a token"
        address = other_address()
        if address:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
