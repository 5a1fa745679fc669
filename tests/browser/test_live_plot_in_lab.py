"""Notebook 06's Start and Stop, clicked in real JupyterLab in real Chromium.

After Run All (whose first run happens in the cell, with both buttons off), a learner
presses Start: within a second Start is off, Stop is on and the label says it is starting;
Stop ends the run after the current sample; the label's sample count is the plot's.
A screenshot of each phase goes to test-artifacts/browser/.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import Lab
from tests.browser.driver import ARTIFACTS, run_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

NOTEBOOK = "06-startup-vs-containers.ipynb"


def _button(page: Any, name: str) -> Any:
    return page.locator(f".jp-NotebookPanel button.jupyter-button:has-text('{name}')").first


def _label(page: Any, starting_with: str) -> str:
    """The live plot's status label (beside Start, Stop and the progress bar)."""
    text: str = page.locator(
        f".jp-NotebookPanel .widget-label:text-matches('^{starting_with}')"
    ).first.inner_text()
    return text


def _shot(page: Any, phase: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"06-live-{phase}.png"))


def test_start_and_stop_obey_in_a_real_browser(page: Any, lab: Lab) -> None:
    run_notebook(page, lab, NOTEBOOK)
    start, stop = _button(page, "Start"), _button(page, "Stop")
    start.scroll_into_view_if_needed()
    assert start.is_enabled() and stop.is_disabled()  # idle: nothing to stop
    _shot(page, "idle")

    pressed = time.monotonic()
    start.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel .widget-label')]"
        ".some(l => /^starting|samples ·/.test(l.textContent))",
        timeout=1_000,
    )
    assert time.monotonic() - pressed < 1.5, "no feedback within a second of Start"
    assert start.is_disabled() and stop.is_enabled()
    _shot(page, "running")

    # Let samples arrive, then stop: the run ends after the current sample.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel .widget-label')]"
        ".some(l => /[1-9][0-9]* samples ·/.test(l.textContent))",
        timeout=120_000,
    )
    stop.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel .widget-label')]"
        ".some(l => /^stopped: /.test(l.textContent))",
        timeout=120_000,
    )
    assert start.is_enabled() and stop.is_disabled()
    start.scroll_into_view_if_needed()
    _shot(page, "stopped")
    label = _label(page, "stopped: ")
    counted = int(re.search(r"stopped: (\d+) samples", label).group(1))  # type: ignore[union-attr]
    # The plot's title counts the samples it drew; the label must say the same number.
    page.wait_for_timeout(1_000)
    kernel_count = lab_count_samples(page)
    assert counted == kernel_count, (label, kernel_count)


def lab_count_samples(page: Any) -> int:
    """How many samples the live plot holds, asked of the kernel through a new cell."""
    page.keyboard.press("Escape")
    page.locator(".jp-NotebookPanel .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new code cell below the last, selected in command mode
    page.keyboard.press("Enter")  # edit it
    page.keyboard.type("print('kit-count', live.count)")
    page.keyboard.press("Shift+Enter")
    output = page.locator(".jp-OutputArea-output:has-text('kit-count')").last
    output.wait_for(timeout=30_000)
    return int(output.inner_text().split()[-1])
