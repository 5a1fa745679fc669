"""`./kit setup` as an ordinary user: no root, no apt, no Docker socket (a learner's laptop).

It must not try to install system packages or start a daemon, must still build a working
.venv, and must end by listing what is missing with the command that gets each.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import need

REPO = Path(__file__).resolve().parents[2]
USER = "kitlearner"

# A first set-up on a loaded machine (pip and npm into empty caches) can pass 10 minutes.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1200)]


def _trusted_certificates() -> list[str]:
    """The CA bundle this machine's npm trusts, for the learner's npm too.

    A laptop behind a TLS-inspecting proxy has it in the learner's own npm settings; without
    it here npm retried for a minute and a half and the set-up went on without jco.
    """
    npm = shutil.which("npm")
    if npm is None:
        return []
    said = subprocess.run(
        [npm, "config", "get", "cafile"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return [f"npm_config_cafile={said}"] if said and Path(said).is_file() else []


def as_learner(
    command: list[str], cwd: Path, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    env = [
        "env",
        "-i",
        f"HOME=/home/{USER}",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "PYTHON=/usr/bin/python3",
        *_trusted_certificates(),
    ]
    return subprocess.run(
        ["runuser", "-u", USER, "--", *env, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_setup_without_root_gives_a_working_course_and_a_list_of_fixes() -> None:
    need(
        os.geteuid() == 0 and shutil.which("runuser") is not None,
        "needs root to create a test user",
    )
    need(Path("/usr/bin/python3").exists(), "needs a system python3 the test user can run")
    if subprocess.run(["id", USER], capture_output=True, check=False).returncode != 0:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", USER], check=True)
    folder = Path(tempfile.mkdtemp(prefix="kit-laptop-", dir="/tmp"))
    try:
        subprocess.run(["git", "clone", "-q", str(REPO), str(folder / "kit")], check=True)
        subprocess.run(["chown", "-R", f"{USER}:{USER}", str(folder)], check=True)
        checkout = folder / "kit"
        done = as_learner(["./kit", "setup"], checkout)
        output = done.stdout + done.stderr
        print(output)  # what a learner sees; shown by pytest -s or on failure
        assert done.returncode == 0, output[-3000:]
        assert "installing system packages" not in output
        assert "starting dockerd" not in output
        # No access to the root-owned Docker socket: said once, with a fix, not fatal.
        assert "missing: Docker daemon" in output, output[-3000:]
        assert "usermod -aG docker" in output, "the fix should be joining the docker group"
        # Notebooks the learner runs stay out of git status: set-up registered the clean
        # filter in this clone and enabled JupyterLab's save hook in its .venv.
        registered = as_learner(
            ["git", "config", "--local", "filter.course-notebook.clean"], checkout, timeout=30
        )
        assert "notebook_filter.py" in registered.stdout, registered.stderr
        hook = checkout / ".venv/etc/jupyter/jupyter_server_config.d/course-notebook-filter.json"
        assert hook.is_file(), "the save hook is not enabled in the learner's .venv"
        doctor = as_learner(
            [".venv/bin/python", "-m", "kernel_helpers", "doctor"], checkout, timeout=120
        )
        assert doctor.returncode == 0, doctor.stderr
        assert "Docker daemon" in doctor.stdout and "fix:" in doctor.stdout
        assert "Docker daemon" in doctor.stdout.strip().splitlines()[-1], (
            "the line to send names it"
        )
        # After a fresh learner set-up: the developer tools stay out, and --json is JSON alone.
        assert not (checkout / ".venv" / "bin" / "pytest").exists(), (
            "a learner got the developer tools"
        )
        as_json = as_learner(["./kit", "doctor", "--json"], checkout, timeout=300)
        assert as_json.returncode == 0, as_json.stderr[-3000:]
        assert json.loads(as_json.stdout)["docker"]["available"] is False
        assert "missing: Docker daemon" in as_json.stderr
        hello = as_learner(
            [
                ".venv/bin/python",
                "-c",
                "import kernel_helpers as kh; "
                "print(kh.run_wasm(kh.wasm_module('hello', 'c').path).stdout_text, end='')",
            ],
            checkout,
            timeout=120,
        )
        assert hello.returncode == 0, hello.stderr
        assert hello.stdout.strip(), "the hello module printed nothing"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
