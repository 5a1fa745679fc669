"""Course part 1 keeps its promises to a learner in every notebook: an opening that says
what, why, what you need and how long; at least two self-checking exercises that start
from the placeholder; solutions for each; "Going further"; and a line in the index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import kernel_helpers as kh

REPO = Path(__file__).resolve().parents[2]
PART_ONE = sorted((REPO / "notebooks").glob("0[0-5]-*.ipynb"))


def cells(path: Path) -> list[dict[str, object]]:
    cells: list[dict[str, object]] = json.loads(path.read_text())["cells"]
    return cells


def source(cell: dict[str, object]) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else str(text)


def test_part_one_has_its_six_notebooks() -> None:
    assert [p.name[:2] for p in PART_ONE] == ["00", "01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", PART_ONE, ids=lambda p: p.stem)
def test_opening_says_what_why_needs_and_how_long(path: Path) -> None:
    opening = source(cells(path)[0])
    for words in ("What you will do", "What you will learn", "What you need"):
        assert words in opening, (path.name, words)
    assert re.search(r"About \d+ minutes", opening), path.name


@pytest.mark.parametrize("path", PART_ONE, ids=lambda p: p.stem)
def test_at_least_two_exercises_start_from_the_placeholder_and_have_solutions(path: Path) -> None:
    code = [source(c) for c in cells(path) if c["cell_type"] == "code"]
    exercises = [c for c in code if re.search(r"^answer = \.\.\.", c, re.M) and "kh.check_" in c]
    assert len(exercises) >= 2, path.name
    for cell in exercises:
        check = re.search(r"kh\.(check_\w+)\(", cell)
        assert check and check[1] in kh.__all__, cell
    notebook = path.name[:2]
    for number in range(1, len(exercises) + 1):
        assert kh.solution(notebook, number).code


@pytest.mark.parametrize("path", PART_ONE, ids=lambda p: p.stem)
def test_going_further_closes_the_notebook(path: Path) -> None:
    last = source(cells(path)[-1])
    assert "## Going further" in last
    assert last.count("\n- ") >= 2


def test_index_links_every_part_one_notebook() -> None:
    index = "".join(source(c) for c in cells(REPO / "notebooks" / "index.ipynb"))
    for path in PART_ONE:
        assert f"]({path.name})" in index, path.name
