"""Notebook 07's size chart and notebook 10's summary fit a 1400x1000 window in real
JupyterLab (issue 28, stumble 13): a learner sees each figure whole at once, neither
clipped nor scrolled, and JupyterLab does not shrink it to illegible labels."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Lab
from tests.browser.driver import run_and_check

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

WINDOW = {"width": 1400, "height": 1000}

#: Every picture the notebook drew, as drawn: its own size, its size on the page, and the
#: height of the notebook's scrolling area that must hold it.
PICTURES = """() => {
  const notebook = window.jupyterapp.shell.currentWidget.content.node;
  return [...notebook.querySelectorAll(".jp-OutputArea-output img")].map(img => ({
    natural: [img.naturalWidth, img.naturalHeight],
    shown: [img.getBoundingClientRect().width, img.getBoundingClientRect().height],
    room: [notebook.clientWidth, notebook.clientHeight],
  }));
}"""


def pictures_after_run(page: Any, lab: Lab, name: str) -> list[dict[str, Any]]:
    """Run notebooks/``name`` in a 1400x1000 window; every picture it drew, as drawn."""
    page.set_viewport_size(WINDOW)
    found, _ = run_and_check(page, lab, name)
    assert not found, "\n".join(found)
    page.set_viewport_size(WINDOW)  # the driver's screenshot grew it to the whole notebook
    page.wait_for_timeout(500)
    pictures: list[dict[str, Any]] = page.evaluate(PICTURES)
    return pictures


def assert_fits_unshrunk(picture: dict[str, Any]) -> None:
    """As tall as the notebook's scrolling area at most, and shown at its own width."""
    (width, height), (shown_w, shown_h), (room_w, room_h) = (
        picture["natural"],
        picture["shown"],
        picture["room"],
    )
    assert height <= room_h and shown_h <= room_h, picture
    assert width <= room_w and abs(shown_w - width) <= 2, picture  # drawn at its own size


def test_07_size_chart_fits_the_window_unshrunk(page: Any, lab: Lab) -> None:
    pictures = pictures_after_run(page, lab, "07-size-and-portability.ipynb")
    assert pictures, "07 drew no picture"
    for picture in pictures:
        assert_fits_unshrunk(picture)


def test_10_summary_and_class_chart_fit_the_window_unshrunk(page: Any, lab: Lab) -> None:
    """10's summary was one 1300x1950 px figure that JupyterLab shrank to ~970 px: now its
    two figures and the class chart below them each fit. (Run after 07 here, the summary
    holds 07's saved sizes: its tallest panel.)"""
    pictures = pictures_after_run(page, lab, "10-verdict.ipynb")
    assert len(pictures) >= 3, pictures  # start-up and speed, sizes, the class chart
    for picture in pictures:
        assert_fits_unshrunk(picture)
