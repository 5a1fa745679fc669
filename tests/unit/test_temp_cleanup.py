"""What the kit puts in the temp folder goes away, also when nobody calls stop()."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from kernel_helpers.containers.registry import LocalRegistry, registry_binary


def test_a_forgotten_registry_is_stopped_and_its_folder_deleted() -> None:
    if registry_binary() is None:
        pytest.skip("no docker-registry here")
    registry = LocalRegistry().start()
    folder, process = registry._dir, registry._process
    assert folder is not None and folder.is_dir() and process is not None
    del registry  # a notebook cell failed before registry.stop()
    gc.collect()
    assert process.poll() is not None, "the registry process outlived its object"
    assert not folder.exists()


def test_a_registry_left_running_is_cleaned_up_when_python_exits(tmp_path: Path) -> None:
    if registry_binary() is None:
        pytest.skip("no docker-registry here")
    script = (
        "from kernel_helpers.containers.registry import LocalRegistry\n"
        "registry = LocalRegistry().start()\n"
        "print(registry._dir, registry._process.pid, flush=True)\n"
        "raise SystemExit(3)  # an error, with the registry still up\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 3, done.stderr
    folder, pid = done.stdout.split()
    assert folder.startswith(str(tmp_path))  # it did use the temp folder
    assert list(tmp_path.iterdir()) == [], f"left behind: {list(tmp_path.iterdir())}"
    assert subprocess.run(["kill", "-0", pid], capture_output=True, check=False).returncode != 0


def test_a_registry_left_running_is_cleaned_up_when_its_kernel_shuts_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notebook 09 leaves its registry running while exercises need it (walk 7, S29). A
    kernel asked to shut down signals its children and waits until they are gone: an
    unreaped registry never was, so the kernel was killed before its exit deleted the folder."""
    if registry_binary() is None:
        pytest.skip("no docker-registry here")
    nbformat = pytest.importorskip("nbformat")
    NotebookClient = pytest.importorskip("nbclient").NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "from kernel_helpers.containers.registry import LocalRegistry\n"
            "registry = LocalRegistry().start()\n"
            "print(registry.folder)"
        )
    ]
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    printed = notebook.cells[0].outputs[0]["text"]
    assert printed.startswith(str(tmp_path)), printed  # it did use the temp folder
    assert list(tmp_path.iterdir()) == [], f"left behind: {list(tmp_path.iterdir())}"
