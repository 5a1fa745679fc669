"""Every sentence true (issue 13): the words the course uses are defined once and used the
same way after, and fixed prose never states a number only a measurement can give."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
BLOG_POST = "Will wasm replace Docker and Kubernetes?"


def markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def everything(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_speaks_of_a_seed(path: Path) -> None:
    """ "the seed" was never defined; "the claims we test" is, in 00 and the index."""
    assert not re.search(r"\bseed", everything(path), re.I), path.name


@pytest.mark.parametrize("name", ["index.ipynb", "00-setup-check.ipynb"])
def test_the_claims_we_test_are_named_once_with_their_source(name: str) -> None:
    text = markdown(REPO / "notebooks" / name)
    flat = " ".join(text.split())
    assert BLOG_POST in flat
    assert "the claims we test" in text
    for claim in ("Start-up:", "Size:", "Portability:", "Speed:"):
        assert claim in text, claim
    assert re.search(r"^4\. ", text, re.M) and not re.search(r"^5\. ", text, re.M)


def test_later_notebooks_refer_to_the_claims_by_that_name() -> None:
    for path in NOTEBOOKS:
        if path.name[:2] in ("06", "07"):
            assert "the claims we test" in markdown(path), path.name


def test_verdicts_say_the_claim_we_test() -> None:
    from kernel_helpers.report import verdicts

    assert not [name for name in vars(verdicts) if name.startswith("SEED")]
    verdict = verdicts.Verdict("Start-up", verdicts.CLAIM_STARTUP)
    assert "the claim we test" in verdict.text()
    assert "seed" not in verdict._repr_html_().lower()
