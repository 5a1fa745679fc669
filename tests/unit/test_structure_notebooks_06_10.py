"""Notebooks 06-10 keep the same promises as 00-05: an opening that says
what, why, what you need and how long; at least two self-checking exercises starting from
the placeholder, each with a solution; and "Going further" at the end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import kernel_helpers as kh

REPO = Path(__file__).resolve().parents[2]
PART_TWO = sorted((REPO / "notebooks").glob("0[6-9]-*.ipynb")) + sorted(
    (REPO / "notebooks").glob("10-*.ipynb")
)


def sources(path: Path, kind: str) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == kind
    ]


def test_part_two_has_its_five_notebooks() -> None:
    assert [p.name[:2] for p in PART_TWO] == ["06", "07", "08", "09", "10"]


@pytest.mark.parametrize("path", PART_TWO, ids=lambda p: p.stem)
def test_opening_says_what_why_needs_and_how_long(path: Path) -> None:
    opening = sources(path, "markdown")[0]
    for words in ("What you will do", "What you will learn", "What you need"):
        assert words in opening, (path.name, words)
    assert re.search(r"About \d+ minutes", opening), path.name


@pytest.mark.parametrize("path", PART_TWO, ids=lambda p: p.stem)
def test_two_exercises_start_from_a_placeholder_and_have_solutions(path: Path) -> None:
    exercises = [c for c in sources(path, "code") if "kh.check_" in c and "..." in c]
    assert len(exercises) >= 2, path.name
    for cell in exercises:
        check = re.search(r"kh\.(check_\w+)\(", cell)
        assert check and check[1] in kh.__all__, cell
    for number in range(1, len(exercises) + 1):
        assert kh.solution(path.name[:2], number).code


@pytest.mark.parametrize("path", PART_TWO, ids=lambda p: p.stem)
def test_going_further_closes_the_notebook(path: Path) -> None:
    cells = json.loads(path.read_text())["cells"]
    last = "".join(cells[-1]["source"])
    assert cells[-1]["cell_type"] == "markdown" and "## Going further" in last
    assert last.count("\n- ") >= 2


#: Per notebook: the calls its open-the-box section types, and the kit helper they come before.
OPENED_BY_HAND = {
    "06": (["client.containers.run(", "!hyperfine"], "kh.live_startup("),
    "07": (["client.images.build(", 'client.api.inspect_image(image.id)["Size"]'], "kh.run_sizes("),
    "09": (["!skopeo copy", "urllib.request.Request("], "kh.oci_round_trip("),
}


@pytest.mark.parametrize("prefix", sorted(OPENED_BY_HAND))
def test_the_box_is_opened_before_the_helper_that_wraps_it(prefix: str) -> None:
    """Issue 14, item 2: the learner types the real call once before the kit does it for them,
    and the cell says what is missing instead of failing where the tool is not."""
    path = next(p for p in PART_TWO if p.name.startswith(prefix))
    code = sources(path, "code")
    by_hand, helper = OPENED_BY_HAND[prefix]
    wrapped = next(i for i, cell in enumerate(code) if helper in cell)
    for call in by_hand:
        cell = next(i for i, text in enumerate(code) if call in text)
        assert cell < wrapped, (path.name, call)
        assert "kh.missing(" in code[cell] or "problem" in code[cell], (path.name, call)
    assert any(text.startswith("## Open the box") for text in sources(path, "markdown")), path.name


def test_the_container_run_by_hand_spells_out_every_lock_and_the_owner_label() -> None:
    path = next(p for p in PART_TWO if p.name.startswith("06"))
    cell = next(text for text in sources(path, "code") if "client.containers.run(" in text)
    for setting in (
        'network_mode="none"',
        "read_only=True",
        'cap_drop=["ALL"]',
        "mem_limit=",
        "pids_limit=",
        "labels=kh.kit_labels(",
        "remove=True",
        "time.perf_counter()",
    ):
        assert setting in cell, setting


NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
        ]
    )
}


def test_06_counts_the_variants_the_benchmark_runs_and_names_each() -> None:
    """Walk 3, S14: the opening said thirteen ways, a later cell ten variants, and the list
    of short names had twelve. Every count now is the benchmark's, every name listed."""
    from kernel_helpers.bench.variants import VARIANTS

    prose = "\n".join(sources(REPO / "notebooks" / "06-startup-vs-containers.ipynb", "markdown"))
    counts = re.findall(r"\b(\w+)\s+(?:ways|variants)\b", prose)
    said = [NUMBER_WORDS[w.lower()] for w in counts if w.lower() in NUMBER_WORDS]
    assert said and set(said) == {len(VARIANTS)}, said
    wasm_flavours = [v for v in VARIANTS if v.artifact in ("wasm", "component")]
    assert f"wasm in {_word(len(wasm_flavours))} flavours" in prose
    short_names = next(p for p in prose.split("\n\n") if "each variant's short name" in p)
    assert set(re.findall(r"`([a-z-]+)`", short_names)) >= {v.name for v in VARIANTS}


def _word(n: int) -> str:
    return next(word for word, value in NUMBER_WORDS.items() if value == n)


def test_07_ex_4_says_where_a_user_name_is_looked_up() -> None:
    """Walk 22, S3: `USER nobody` in a FROM scratch image failed (no /etc/passwd there);
    the exercise said nothing about how Docker finds a user."""
    path = REPO / "notebooks" / "07-size-and-portability.ipynb"
    told = next(
        " ".join("".join(c["source"]).split())
        for c in json.loads(path.read_text())["cells"]
        if "Exercise 4: an image under a megabyte" in "".join(c["source"])
    )
    assert "looked up in the image's own `/etc/passwd`" in told


def test_10_ex_2_names_the_field_that_tells_measured_from_recorded() -> None:
    """Walk 24, S5: exercise 2 asked for the variant "measured on this machine" without
    saying which field of the export says so; a learner guessed a `recorded` key. The text
    names the field and both its values, as the export writes them."""
    from kernel_helpers.bench.results import MEASURED, RECORDED

    path = REPO / "notebooks" / "10-verdict.ipynb"
    told = next(
        " ".join(text.split())
        for text in sources(path, "markdown")
        if "Exercise 2: what will your instructor see?" in text
    )
    reference = kh.recorded_result("startup", "hello")
    exported = next(iter(reference.variants.values())).to_json()
    field = next(key for key, value in exported.items() if value == RECORDED)
    assert f"`{field}`" in told
    assert f'`"{MEASURED}"`' in told and f'`"{RECORDED}"`' in told
