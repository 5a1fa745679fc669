"""Notebooks 06-10, run headless against synthetic results (issue 13's rule).

The rule: any number in a verdict's headline, or in a sentence the kit writes, comes from
the same result object as the table beside it. Each notebook is executed (as
``test_execute`` does, Docker off) with a first cell that hands it one of three synthetic
result sets in place of a measurement: containers that start in a fraction of a second,
containers that take several seconds, and wasm slower than native. Then every verdict on
the page must show its headline numbers in its own table, notebook 10's decision guide
must quote numbers its verdicts show, and the sentences must change with the data.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.test_execute import BUDGET_S, NOTEBOOKS, errors, execute
from tests.synthetic_results import SETS

REPO = Path(__file__).resolve().parents[2]
PART_TWO = [p for p in NOTEBOOKS if p.name[:2] in ("06", "07", "08", "09", "10")]
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

#: The first cell of every run: measurements replaced by one synthetic set, results saved
#: to (and read back from) a folder of this test's own.
REPLAY = """
import sys, types
sys.path.insert(0, {repo!r})
import kernel_helpers as kh
from tests import synthetic_results as synthetic

_SET, _FOLDER = {which!r}, {folder!r}
_save, _load, _export = kh.save_result, kh.load_results, kh.export_results
kh.live_startup = lambda *a, **k: types.SimpleNamespace(result=synthetic.startup(_SET))
kh.run_sizes = lambda *a, **k: synthetic.sizes(_SET)
kh.shrunk_sizes = lambda *a, **k: {{}}
kh.run_compute = lambda *a, **k: synthetic.compute(_SET)
kh.save_result = lambda topic, result, **k: _save(topic, result, folder=_FOLDER)
kh.load_results = lambda *a, **k: _load(_FOLDER)
kh.export_results = lambda *a, **k: _export(*a, **{{"out_dir": _FOLDER, **k}})
"""


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def verdicts(nb: nbformat.NotebookNode) -> list[dict[str, str]]:
    """Every verdict the page shows: its headline, its claim line + table, its sentences."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            for head, body in re.findall(r"<h4>(.*?)</h4>(.*?)(?=<h4>|$)", page, re.S):
                table = re.search(r"<p>The claim we test:.*?</table>", body, re.S)
                sentences = re.search(r"<ul>(.*?)</ul>", body, re.S)
                found.append(
                    {
                        "headline": text_of(head),
                        "table": text_of(table.group() if table else ""),
                        "sentences": text_of(sentences.group(1) if sentences else ""),
                    }
                )
    return found


def guide(nb: nbformat.NotebookNode) -> str:
    return " ".join(
        output.get("data", {}).get("text/markdown", "")
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if "**Choose" in output.get("data", {}).get("text/markdown", "")
    )


@pytest.fixture(scope="module")
def folders() -> Iterator[dict[str, Path]]:
    made = {which: Path(tempfile.mkdtemp(prefix=f"kit-synthetic-{which}-")) for which in SETS}
    yield made
    for folder in made.values():
        shutil.rmtree(folder, ignore_errors=True)


PAGES: dict[tuple[str, str], nbformat.NotebookNode] = {}


def run(path: Path, which: str, folder: Path) -> nbformat.NotebookNode:
    if (path.name, which) not in PAGES:
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(
            0,
            nbformat.v4.new_code_cell(
                REPLAY.format(repo=str(REPO), which=which, folder=str(folder))
            ),
        )
        scratch = path.parent / f".synthetic-{which}-{path.name}"
        nbformat.write(nb, scratch)
        try:
            env = {"KIT_DOCKER": "off", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
            executed, elapsed = execute(scratch, env)
        finally:
            scratch.unlink(missing_ok=True)
        assert not errors(executed), errors(executed)
        assert elapsed < BUDGET_S
        PAGES[(path.name, which)] = executed
    return PAGES[(path.name, which)]


@pytest.mark.parametrize("which", SETS)
@pytest.mark.parametrize("path", PART_TWO, ids=lambda p: p.stem)
def test_headline_numbers_are_in_the_table_beside_them(
    path: Path, which: str, folders: dict[str, Path]
) -> None:
    nb = run(path, which, folders[which])
    shown = verdicts(nb)
    if path.name[:2] in ("06", "07", "08", "10"):
        assert shown, f"{path.name} showed no verdict"
    for verdict in shown:
        missing = [n for n in NUMBER.findall(verdict["headline"]) if n not in verdict["table"]]
        assert not missing, (path.name, which, verdict["headline"], missing)
    if path.name.startswith("10"):
        tables = " ".join(v["table"] for v in shown)
        said = guide(nb)
        assert said, "notebook 10 showed no decision guide"
        missing = [n for n in NUMBER.findall(said) if n not in tables]
        assert not missing, (which, said, missing)


@pytest.mark.parametrize(
    "path", [p for p in PART_TWO if p.name[:2] in ("06", "07", "08", "10")], ids=lambda p: p.stem
)
def test_sentences_change_with_the_data(path: Path, folders: dict[str, Path]) -> None:
    pages = {
        which: [
            v["headline"] + " | " + v["sentences"]
            for v in verdicts(run(path, which, folders[which]))
        ]
        for which in SETS
    }
    for a in SETS:
        for b in SETS:
            if a < b:
                assert pages[a] != pages[b], (path.name, a, b)


def test_the_verdict_page_answers_each_claim_of_00_with_the_pull_and_density_rows(
    folders: dict[str, Path],
) -> None:
    """10: one verdict per claim of notebook 00, in its order; the start-up table carries
    the cold pulls (local and over the link) and the size table the memory per instance."""
    from kernel_helpers.report.page import CLAIMS

    path = next(p for p in PART_TWO if p.name.startswith("10"))
    shown = verdicts(run(path, "slow-containers", folders["slow-containers"]))
    assert [v["headline"].split(":")[0] for v in shown] == list(CLAIMS)
    assert "link unshaped | over a" in shown[0]["table"]
    assert "memory per instance alive" in shown[1]["table"]


@pytest.mark.parametrize("which", SETS)
def test_06_prints_each_ratio_as_the_medians_divided_beside_its_reading(
    which: str, folders: dict[str, Path]
) -> None:
    """Walk 8, S4: the learner's division of the medians must be on the page, computed
    from the same result as the rounded reading beside it."""
    from tests.synthetic_results import startup

    path = next(p for p in PART_TWO if p.name.startswith("06"))
    printed = "".join(
        output.get("text", "")
        for cell in run(path, which, folders[which]).cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stdout"
    )
    ratio = startup(which).ratio_interval("docker-scratch", "wasm-instantiate")
    line = next(x for x in printed.splitlines() if "docker-scratch / wasm-instantiate" in x)
    assert line.split()[3:] == [ratio.divided(), *ratio.text().split()], line
