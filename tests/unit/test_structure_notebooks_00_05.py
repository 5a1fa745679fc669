"""Notebooks 00-05 keep their promises to a learner: an opening that says
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
    # A prediction's check is in the next cell (the one that measures, or takes the answer).
    graded = {
        i if "kh.check_" in c else i + 1
        for i, c in enumerate(code)
        if re.search(r"^(answer|prediction) = \.\.\.", c, re.M)
        and ("kh.check_" in c or c.startswith("prediction = ..."))
    }
    exercises = [code[i] for i in sorted(graded)]
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


NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}


def in_minutes(phrase: str) -> int:
    """'an hour and forty minutes' -> 100: how the README and the index say a time."""
    total, count = 0, 0
    for word in " ".join(phrase.split()).replace(",", "").split():
        if word in NUMBER_WORDS or word.isdigit():
            count = int(word) if word.isdigit() else NUMBER_WORDS[word]
        elif word.startswith("hour"):
            total, count = total + 60 * count, 0
        elif word.startswith("minute"):
            total, count = total + count, 0
    return total


def stated_minutes(first: int, last: int) -> int:
    total = 0
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        if first <= int(path.name[:2]) <= last:
            found = re.search(r"About (\d+) minutes", source(cells(path)[0]))
            assert found, path.name
            total += int(found[1])
    return total


def test_the_readme_and_the_index_add_up_the_stated_times() -> None:
    """A notebook that grows (an open-the-box section, an exercise) moves both totals."""
    readme = " ".join((REPO / "README.md").read_text().split())
    index = " ".join("".join(source(c) for c in cells(REPO / "notebooks" / "index.ipynb")).split())
    plan = re.search(r"About (.+?) for 00-05, (.+?) for 06-10 and (\d+) minutes for 11-12", readme)
    told = re.search(
        r"about (.+?) for 00-05 and (.+?) for 06-10, as each notebook states, and (\d+) minutes for 11-12",
        index,
    )
    assert plan and told
    for words in (plan, told):
        assert in_minutes(words[1]) == stated_minutes(0, 5), words[1]
        assert in_minutes(words[2]) == stated_minutes(6, 10), words[2]
        assert int(words[3]) == stated_minutes(11, 12)
    # The day's plan leaves room for breaks and discussion beyond the notebooks' own times.
    docs = " ".join((REPO / "docs" / "instructors.md").read_text().split())
    for text in (readme, index, docs):
        day = re.search(r"plan on (\w+ hours) with breaks and discussion", text)
        assert day and in_minutes(day[1]) >= stated_minutes(0, 12) + 30, day


#: A learner reads about 200 words a minute (prose and code alike), and an exercise takes a
#: few minutes: reading its question, answering, running the check, reading its reply.
WORDS_PER_MINUTE, MINUTES_PER_EXERCISE = 200, 4


def content_minutes(path: Path) -> float:
    """The least a notebook takes: its words read once and its exercises done once, up to
    "Going further" (optional); cells that wait on a build or a run come on top."""
    words = exercises = 0
    for cell in cells(path):
        text = source(cell)
        further = re.search(r"^## Going further", text, re.M)
        text = text[: further.start()] if further else text
        words += len(re.findall(r"\w+", text))
        exercises += (
            len(re.findall(r"^#+ Exercise", text, re.M)) if cell["cell_type"] == "markdown" else 0
        )
        if further:
            break
    return words / WORDS_PER_MINUTE + MINUTES_PER_EXERCISE * exercises


@pytest.mark.parametrize(
    "path", sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb")), ids=lambda p: p.stem
)
def test_each_stated_time_covers_its_reading_and_its_exercises(path: Path) -> None:
    """A notebook that grew (05's new exercises, 09's shim tour) must not keep a time its
    content has outgrown: 09 said 25 minutes for ~2,500 words and four exercises."""
    found = re.search(r"About (\d+) minutes", source(cells(path)[0]))
    assert found and int(found[1]) >= content_minutes(path), (found, content_minutes(path))
