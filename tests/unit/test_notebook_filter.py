"""A learner's run notebooks stay out of ``git status``: what ./kit setup registers.

Each test works in a fresh clone of this checkout and saves notebooks through a real
Jupyter Server started with the config set-up wrote, over the REST API JupyterLab uses: a
notebook after a run (outputs, counts, the kernel's version, widget state), or edited.
Then it asks real git.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import pytest

from kernel_helpers._system import free_port, stop_process
from kernel_helpers.course.notebook_filter import FILTER_NAME, clean_text

REPO = Path(__file__).resolve().parents[2]
#: Every committed notebook: the course's, and the instructor's class view in deploy/.
NOTEBOOKS = sorted([*(REPO / "notebooks").glob("*.ipynb"), *(REPO / "deploy").glob("*.ipynb")])
RUN_NOTEBOOK = "notebooks/01-hello-wasm.ipynb"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(clone: Path, *args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd or clone, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower(), done.stderr
    return done.stdout


def uncommitted_files() -> list[str]:
    """This checkout's changed and new files: the code under test may not be committed yet."""
    changed = git(REPO, "diff", "--name-only", "HEAD").splitlines()
    new = git(REPO, "ls-files", "--others", "--exclude-standard").splitlines()
    return [name for name in changed + new if (REPO / name).is_file()]


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of this checkout as it is now, uncommitted changes committed in the clone."""
    folder = tmp_path / "course"
    subprocess.run(["git", "clone", "-q", str(REPO), str(folder)], check=True)
    for name in uncommitted_files():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, folder / name)
    git(folder, "add", "--all")
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
    git(folder, *identity, "commit", "-q", "--allow-empty", "-m", "the filter under test")
    return folder


def jupyter_config_path(clone: Path) -> Path:
    """Where set-up writes the Jupyter config in these tests: beside the clone, not into
    this test's own environment."""
    return clone.parent / "jupyter"


def register_filter(clone: Path) -> str:
    """The set-up step, run in the clone as ./kit setup runs the package's commands."""
    config = jupyter_config_path(clone) / "jupyter_server_config.d"
    command = [sys.executable, "-m", "kernel_helpers", "notebook-filter"]
    done = subprocess.run(
        [*command, "--jupyter-config", str(config)],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert str(clone) in done.stdout, "it registered somewhere other than the clone"
    return git(clone, "config", "--local", f"filter.{FILTER_NAME}.clean").strip()


class Lab:
    """A Jupyter Server serving the clone, spoken to as JupyterLab speaks to it."""

    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}/api"
        self.token = token

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.base}/{path}?token={self.token}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)

    def load(self, relative: str) -> nbformat.NotebookNode:
        return nbformat.from_dict(self.api("GET", f"contents/{relative}")["content"])

    def save(self, relative: str, notebook: nbformat.NotebookNode) -> None:
        self.api("PUT", f"contents/{relative}", {"type": "notebook", "content": notebook})


@contextmanager
def lab_on(clone: Path) -> Iterator[Lab]:
    """Jupyter Server on a free port, with set-up's config (if any) and no user config."""
    port, token = free_port(), secrets.token_hex(16)
    empty = clone.parent / "user-config"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_PATH": str(jupyter_config_path(clone)),
        "JUPYTER_CONFIG_DIR": str(empty),
        "JUPYTER_RUNTIME_DIR": str(empty / "runtime"),
    }
    command = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root"]
    options = ["--ip=127.0.0.1", f"--port={port}", "--port-retries=0"]
    options += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={clone}"]
    with (clone.parent / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [*command, *options], cwd=clone.parent, env=env, stdout=log, stderr=log
        )
    lab = Lab(port, token)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                lab.api("GET", "status")
                break
            except (urllib.error.URLError, ConnectionError):
                log_text = (clone.parent / "server.log").read_text(errors="replace")
                assert server.poll() is None, log_text[-3000:]
                assert time.monotonic() < deadline, log_text[-3000:]
                time.sleep(0.3)
        yield lab
    finally:
        stop_process(server, timeout=30)


def save_after_a_run(lab: Lab, relative: str) -> None:
    """What JupyterLab saves after Run All: outputs, counts, run metadata."""
    notebook = lab.load(relative)
    for count, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"ran {count}\n")]
            cell.metadata["scrolled"] = True
            cell.metadata["execution"] = {"iopub.status.idle": "2026-12-07T10:00:00Z"}
    notebook.metadata["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "version": "3.11.7",
    }
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}
    }
    lab.save(relative, notebook)


def edit_first_code_cell(lab: Lab, relative: str, line: str) -> None:
    notebook = lab.load(relative)
    cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    cell.source += f"\n{line}"
    lab.save(relative, notebook)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_cleaning_a_committed_notebook_gives_its_bytes(path: Path) -> None:
    # Otherwise a notebook nobody touched would show as modified once the filter is on.
    text = path.read_bytes().decode("utf-8")
    assert clean_text(text) == text, f"{path.name} is not in the form Jupyter saves"


def test_a_run_notebook_leaves_git_status_clean_and_an_edit_shows_alone(clone: Path) -> None:
    command = register_filter(clone)
    assert "/.venv" not in command, "the filter would break while .venv is rebuilt"
    assert register_filter(clone) == command, "a second set-up changed the filter"
    with lab_on(clone) as lab:
        save_after_a_run(lab, RUN_NOTEBOOK)
        # From a subfolder too: git runs the filter from the top of the working tree.
        for where in (clone, clone / "notebooks"):
            assert git(clone, "status", "--porcelain", cwd=where) == ""
        notebook = clone / RUN_NOTEBOOK
        assert "ran 1" in notebook.read_text(encoding="utf-8"), "the learner's outputs were lost"

        edit_first_code_cell(lab, RUN_NOTEBOOK, "print('my own line')")
    assert git(clone, "status", "--porcelain") == f" M {RUN_NOTEBOOK}\n"
    diff = git(clone, "diff", "-U0")
    # One hunk, inside the edited cell's source: the old last line gains its newline, and
    # the learner's line follows it. No output, count, version or widget state.
    assert diff.count("\n@@ ") == 1, diff
    changed = [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 3 and "my own line" in changed[-1], diff
    for noise in ("outputs", "execution_count", "3.11.7", "widgets", "scrolled"):
        assert noise not in diff, diff
    assert "ran 1" in notebook.read_text(encoding="utf-8"), "the learner's outputs were lost"
    git(clone, "add", RUN_NOTEBOOK)
    staged = json.loads(git(clone, "show", f":{RUN_NOTEBOOK}"))
    assert all(not cell.get("outputs") for cell in staged["cells"]), "outputs were staged"


def test_a_clone_without_the_filter_registered_still_works(clone: Path) -> None:
    # .gitattributes names the filter, but git ignores a filter no config defines: status
    # works and, as before this filter existed, the run notebook shows as modified.
    with lab_on(clone) as lab:
        save_after_a_run(lab, RUN_NOTEBOOK)
    assert git(clone, "status", "--porcelain") == f" M {RUN_NOTEBOOK}\n"


def test_a_broken_filter_keeps_the_learners_file(clone: Path) -> None:
    # A filter whose interpreter is gone (a Python removed after set-up): git warns and
    # compares the file as it is; the file on disk is never touched.
    git(clone, "config", "--local", f"filter.{FILTER_NAME}.clean", "/nonexistent/python -I x.py")
    with lab_on(clone) as lab:
        save_after_a_run(lab, RUN_NOTEBOOK)
    notebook = clone / RUN_NOTEBOOK
    before = notebook.read_bytes()
    done = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f" M {RUN_NOTEBOOK}\n"
    assert notebook.read_bytes() == before


def test_the_save_hook_never_stages_a_new_notebook(clone: Path) -> None:
    # git diff --quiet says "no change" for an untracked file: the hook must not add it.
    register_filter(clone)
    with lab_on(clone) as lab:
        lab.save("notebooks/mine.ipynb", nbformat.v4.new_notebook())
    assert git(clone, "status", "--porcelain") == "?? notebooks/mine.ipynb\n"
