"""Notebook 08's browser comparison in real JupyterLab in real Chromium: the page times the
module and the same kernels in JavaScript, JavaScript prints what the module prints, and
the table the kernel then draws has both browser timings with their spread."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import Lab
from tests.browser.driver import ARTIFACTS, run_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

NOTEBOOK = "08-compute-throughput.ipynb"
#: What the kernel reports of the combined result, in one line a test can read back.
ASK_KERNEL = (
    "import json; r = kh.beside_javascript(compute, page); print('kit-beside', json.dumps("
    "{'text': r.text(), 'notes': r.result.notes, 'repeat': REPEAT, 'variants': {k: "
    "[v.stats.median_s, v.stats.q1_s, v.stats.q3_s, v.stats.n] for k, v in r.result.variants.items()}}))"
)


def ask_kernel(page: Any, code: str, marker: str) -> str:
    """Run ``code`` in a new cell below the last one; the printed line starting ``marker``."""
    page.keyboard.press("Escape")
    page.locator(".jp-NotebookPanel .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")
    output = page.locator(f".jp-OutputArea-output:has-text('{marker}')").last
    output.wait_for(timeout=60_000)
    text: str = output.inner_text()
    return text.split(marker, 1)[1]


def test_wasm_and_javascript_agree_and_both_are_timed_with_spread(page: Any, lab: Lab) -> None:
    run_notebook(page, lab, NOTEBOOK)
    widget = page.locator(".kit-browser-compute").first
    page.wait_for_function(
        "() => ['done', 'failed'].includes(document.querySelector('.kit-browser-compute')"
        "?.dataset.status)",
        timeout=300_000,
    )
    shown = widget.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "08-beside-js-widget.png"))
    assert widget.get_attribute("data-status") == "done", shown
    assert "OUTPUTS DIFFER" not in shown and shown.count("same output") == 4, shown

    # Run All ran the table's cell before the page reported: it fills itself in, no re-run.
    filled = page.locator(".jp-OutputArea-output:has-text('JavaScript / wasm, same page')")
    filled.first.wait_for(timeout=60_000)
    assert "fill themselves in" not in filled.first.inner_text()

    report = json.loads(ask_kernel(page, ASK_KERNEL, "kit-beside"))
    print(report["text"])
    cases = [k.removeprefix("outputs ") for k in report["notes"] if k.startswith("outputs ")]
    assert len(cases) == 4, report["notes"]
    for case in cases:
        assert report["notes"][f"outputs {case}"] == "same output"
        for side in ("browser-wasm", "browser-js"):
            median, q1, q3, n = report["variants"][f"{side} {case}"]
            assert n == report["repeat"] and 0 < q1 <= median <= q3, (side, case)
    # The table quotes both browser sides with quartiles, and the JS/wasm ratio's interval.
    assert "JavaScript / wasm, same page" in report["text"]
    assert "comes from the page" not in report["text"]
