"""Every notebook runs top to bottom, headless, with Docker and with KIT_DOCKER=off.

A notebook passes when no cell raises and no output is an error, within 90 s on the
2-core CI machine (the course's promise to a learner on a small laptop).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
BUDGET_S = 90

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


def execute(path: Path, env: dict[str, str]) -> tuple[nbformat.NotebookNode, float]:
    nb = nbformat.read(path, as_version=4)
    old = dict(os.environ)
    os.environ.update(env)
    try:
        client = NotebookClient(
            nb, timeout=BUDGET_S, kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        client.execute()
        return nb, time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(old)


def errors(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = output.get("text", "")
                if "Traceback" in text or "Warning" in text:
                    found.append(f"cell {index} stderr: {text[:300]}")
    return found


@pytest.mark.parametrize("mode", ["docker", "no-docker"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean(path: Path, mode: str) -> None:
    env = {"KIT_DOCKER": "off"} if mode == "no-docker" else {}
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    nb, elapsed = execute(path, env)
    assert not errors(nb), errors(nb)
    assert elapsed < BUDGET_S, f"{path.name} took {elapsed:.0f}s in {mode} mode"
