"""Every numbered notebook, run top to bottom in real JupyterLab in real Chromium.

What a learner sees is what counts (see driver.py for the checks); a screenshot of each
notebook after its run goes to test-artifacts/browser/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Lab
from tests.browser.driver import run_and_check
from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean_in_jupyterlab(page: Any, lab: Lab, path: Path) -> None:
    found, _ = run_and_check(page, lab, path.name)
    assert not found, "\n".join(found)
