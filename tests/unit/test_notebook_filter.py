"""A learner's run notebooks stay out of ``git status``: the clean filter ./kit setup registers.

Each test works in a fresh clone of this checkout, saves a notebook after a run (outputs,
counts, the kernel's version, widget state) through Jupyter Server's own contents manager,
as JupyterLab does, with the config set-up wrote, and asks real git.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.contents.filemanager import FileContentsManager
from traitlets.config import Config, JSONFileConfigLoader

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


def register_filter(clone: Path) -> str:
    """The set-up step, run in the clone as ./kit setup runs the package's commands; the
    Jupyter config it writes goes beside the clone, not into this test's environment."""
    jupyter_config = clone.parent / "jupyter_server_config.d"
    command = [sys.executable, "-m", "kernel_helpers", "notebook-filter"]
    done = subprocess.run(
        [*command, "--jupyter-config", str(jupyter_config)],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert str(clone) in done.stdout, "it registered somewhere other than the clone"
    return git(clone, "config", "--local", f"filter.{FILTER_NAME}.clean").strip()


def jupyter_config(clone: Path) -> Config:
    """What Jupyter Server loads from the config folder set-up wrote (none: an empty one)."""
    config = Config()
    for path in sorted((clone.parent / "jupyter_server_config.d").glob("*.json")):
        config.merge(JSONFileConfigLoader(path.name, str(path.parent)).load_config())
    return config


def save_in_jupyter(clone: Path, relative: str, notebook: nbformat.NotebookNode) -> None:
    """Save as JupyterLab does: through the server's contents manager, hooks and all."""
    contents = FileContentsManager(config=jupyter_config(clone), root_dir=str(clone))
    contents.save({"type": "notebook", "format": "json", "content": notebook}, relative)


def save_after_a_run(path: Path) -> None:
    """What JupyterLab writes after Run All: outputs, counts, run metadata."""
    clone = next(parent for parent in path.parents if (parent / ".git").exists())
    notebook = nbformat.read(path, as_version=4)
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
    save_in_jupyter(clone, path.relative_to(clone).as_posix(), notebook)


def edit_first_code_cell(path: Path, line: str) -> None:
    clone = next(parent for parent in path.parents if (parent / ".git").exists())
    notebook = nbformat.read(path, as_version=4)
    cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    cell.source += f"\n{line}"
    save_in_jupyter(clone, path.relative_to(clone).as_posix(), notebook)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_cleaning_a_committed_notebook_gives_its_bytes(path: Path) -> None:
    # Otherwise a notebook nobody touched would show as modified once the filter is on.
    text = path.read_bytes().decode("utf-8")
    assert clean_text(text) == text, f"{path.name} is not in the form Jupyter saves"


def test_a_run_notebook_leaves_git_status_clean_and_an_edit_shows_alone(clone: Path) -> None:
    command = register_filter(clone)
    assert "/.venv" not in command, "the filter would break while .venv is rebuilt"
    assert register_filter(clone) == command, "a second set-up changed the filter"
    notebook = clone / RUN_NOTEBOOK
    save_after_a_run(notebook)
    # From a subfolder too: git runs the filter from the top of the working tree.
    for where in (clone, clone / "notebooks"):
        assert git(clone, "status", "--porcelain", cwd=where) == ""
    assert "ran 1" in notebook.read_text(encoding="utf-8"), "the learner's outputs were lost"

    edit_first_code_cell(notebook, "print('my own line')")
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
    git(clone, "add", RUN_NOTEBOOK)
    staged = json.loads(git(clone, "show", f":{RUN_NOTEBOOK}"))
    assert all(not cell.get("outputs") for cell in staged["cells"]), "outputs were staged"


def test_a_clone_without_the_filter_registered_still_works(clone: Path) -> None:
    # .gitattributes names the filter, but git ignores a filter no config defines: status
    # works and, as before this filter existed, the run notebook shows as modified.
    save_after_a_run(clone / RUN_NOTEBOOK)
    assert git(clone, "status", "--porcelain") == f" M {RUN_NOTEBOOK}\n"


def test_a_broken_filter_keeps_the_learners_file(clone: Path) -> None:
    # A filter whose interpreter is gone (a Python removed after set-up): git warns and
    # compares the file as it is; the file on disk is never touched.
    git(clone, "config", "--local", f"filter.{FILTER_NAME}.clean", "/nonexistent/python -I x.py")
    notebook = clone / RUN_NOTEBOOK
    save_after_a_run(notebook)
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
    save_in_jupyter(clone, "notebooks/mine.ipynb", nbformat.v4.new_notebook())
    assert git(clone, "status", "--porcelain") == "?? notebooks/mine.ipynb\n"
