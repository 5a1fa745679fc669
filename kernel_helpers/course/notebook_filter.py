"""Keep a learner's run notebooks out of ``git status``: a git clean filter for ``*.ipynb``.

JupyterLab saves outputs, execution counts and its own metadata (the kernel's Python
version, widget state) into every notebook it runs, while the course commits notebooks
without them. With this filter registered, git compares and stages a notebook as it would
be committed, so ``git status`` and ``git diff`` show only changed cell sources. The file
on disk keeps its outputs: a clean filter changes only what git stores.

A filter alone is not enough for ``git status``: when a file's size differs from the size
git recorded, git calls it modified without running the filter (``git diff`` does run it,
and shows nothing). So this module is also a Jupyter Server extension: after JupyterLab
saves a notebook, :func:`after_save` has git record its new size when it differs from
git's copy by run output alone.

git runs this file as a script (``python -I notebook_filter.py``), never through the
package, so it must use the standard library alone: a broken or half-built ``.venv`` must
not break ``git status``. Set-up registers it (:func:`register`) and enables the extension
in the environment's Jupyter config (:func:`write_jupyter_config`); ``.gitattributes``
names it for ``*.ipynb``. In a clone without the registration git ignores the unknown
filter and compares notebooks byte for byte, as before.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

#: The name ``.gitattributes`` gives the filter (``*.ipynb filter=course-notebook``).
FILTER_NAME = "course-notebook"

#: The file set-up writes in the environment's ``jupyter_server_config.d``, which Jupyter
#: Server reads at start-up.
JUPYTER_CONFIG_NAME = "course-notebook-filter.json"
#: A git command the save hook runs on one notebook; a save never waits longer.
GIT_TIMEOUT_S = 30.0

#: The only notebook-level metadata the committed notebooks carry. JupyterLab adds the
#: kernel's version, codemirror mode, file extension ... under ``language_info`` and widget
#: state under ``widgets``; none of it belongs to the course.
_KEPT_NOTEBOOK_METADATA = ("kernelspec",)
_KEPT_LANGUAGE_INFO = ("name",)

#: Cell metadata an author sets on purpose; the rest (collapsed, scrolled, ExecuteTime,
#: execution timings, trusted, jupyter's hidden flags) is the learner's view of the page.
_KEPT_CELL_METADATA = ("tags", "editable", "deletable", "slideshow", "name")


def _kept(mapping: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: mapping[key] for key in keys if key in mapping}


def clean_notebook(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook as the course commits it: no outputs, no counts, authored metadata only."""
    metadata = notebook.get("metadata", {})
    kept = _kept(metadata, _KEPT_NOTEBOOK_METADATA)
    if isinstance(metadata.get("language_info"), dict):
        kept["language_info"] = _kept(metadata["language_info"], _KEPT_LANGUAGE_INFO)
    cells = []
    for cell in notebook.get("cells", []):
        cell = {**cell, "metadata": _kept(cell.get("metadata", {}), _KEPT_CELL_METADATA)}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    return {**notebook, "metadata": kept, "cells": cells}


def clean_text(text: str) -> str:
    """Clean one notebook file's text, written the way Jupyter and nbformat write it.

    Text that is not a notebook (a half-resolved merge, an empty file) comes back as it
    was: the filter must never be the reason git loses or rejects a learner's file.
    """
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return text
    return json.dumps(clean_notebook(notebook), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def filter_command(python: str) -> str:
    """The command git runs, from the top of the working tree: this file, by a relative path
    (the clone may move), under ``python`` in isolated mode (no package, no user site)."""
    here = Path(__file__).resolve()
    relative = here.relative_to(here.parents[2]).as_posix()
    return f"{shlex.quote(python)} -I {shlex.quote(relative)}"


def stable_python() -> str:
    """The interpreter a venv was made from, not the venv's own ``bin/python``: the filter
    then keeps working while ``.venv`` is deleted and rebuilt (and a venv made with copies,
    not links, still names its base)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def register(repo: Path, python: str | None = None) -> bool:
    """Register the clean filter in ``repo``'s own ``.git/config``; True if it is in place.

    Safe to run again (it sets the same value). A folder that is not a git checkout (a
    workshop copy, an unpacked archive) or a machine without git is left alone.
    """
    if not (repo / ".git").exists():
        return False
    command = filter_command(python or stable_python())
    return _git(repo, "config", "--local", f"filter.{FILTER_NAME}.clean", command)


def jupyter_config_dir() -> Path:
    """The ``jupyter_server_config.d`` of the environment running this (the kit's .venv)."""
    return Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d"


def write_jupyter_config(folder: Path) -> Path:
    """Enable this module as a Jupyter Server extension in this environment: it adds
    :func:`after_save` to the server's post-save hooks (beside any others) at start-up."""
    config = {"ServerApp": {"jpserver_extensions": {__name__: True}}}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / JUPYTER_CONFIG_NAME
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


def set_up(repo: Path, jupyter_config: Path | None = None) -> bool:
    """Both halves, in a git checkout only: the filter in ``repo``'s ``.git/config`` and
    the save hook in this environment's Jupyter config. True if both are in place."""
    if not register(repo):
        return False
    write_jupyter_config(jupyter_config or jupyter_config_dir())
    return True


def _git(folder: Path, *args: str) -> bool:
    """``git -C folder ARGS`` succeeded (never raises: no git, a hang, a refusal are False)."""
    # Imported here: git runs this file as a script, with the standard library alone, and
    # only set-up and the save hook, inside the package, ever call git.
    from .._system import run_quick

    return run_quick(["git", "-C", str(folder), *args], timeout=GIT_TIMEOUT_S).ok


def refresh_if_unchanged(path: Path) -> bool:
    """Have git record ``path``'s new size when its cleaned text matches git's copy.

    ``git diff --quiet`` runs the filter, so it succeeds only when the notebook differs by
    outputs and run metadata alone (or is untracked, or not in a checkout: then
    ``update-index`` refuses and nothing changes). Re-indexing an unchanged notebook stores
    the same content, so nothing the learner staged or edited is touched.
    """
    folder, name = path.parent, path.name
    return _git(folder, "diff", "--quiet", "--", name) and _git(
        folder, "update-index", "-q", "--", name
    )


def after_save(os_path: str, **_context: object) -> None:
    """Jupyter Server's post-save hook. It never raises: a save that worked stays a success
    for the learner, whatever git says."""
    path = Path(os_path)
    if path.suffix == ".ipynb":
        refresh_if_unchanged(path)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Jupyter Server finds the extension's loader in this module."""
    return [{"module": __name__}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    server_app.contents_manager.register_post_save_hook(after_save)


def main() -> int:
    """git's side: the notebook on stdin, the notebook as committed on stdout."""
    text = sys.stdin.buffer.read().decode("utf-8", errors="surrogateescape")
    cleaned = clean_text(text)
    sys.stdout.buffer.write(cleaned.encode("utf-8", errors="surrogateescape"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
