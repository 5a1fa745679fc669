"""Notebook 07's size chart fits a 1400x1000 window in real JupyterLab (issue 28,
stumble 13): a learner sees the whole chart at once, neither clipped nor scrolled, and
JupyterLab does not shrink it to illegible labels."""

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


def test_07_size_chart_fits_the_window_unshrunk(page: Any, lab: Lab) -> None:
    page.set_viewport_size(WINDOW)
    found, _ = run_and_check(page, lab, "07-size-and-portability.ipynb")
    assert not found, "\n".join(found)
    page.set_viewport_size(WINDOW)  # the driver's screenshot grew it to the whole notebook
    page.wait_for_timeout(500)
    pictures = page.evaluate(PICTURES)
    assert pictures, "07 drew no picture"
    for picture in pictures:
        (width, height), (shown_w, shown_h), (room_w, room_h) = (
            picture["natural"],
            picture["shown"],
            picture["room"],
        )
        assert height <= room_h and shown_h <= room_h, picture
        assert width <= room_w and abs(shown_w - width) <= 2, picture  # drawn at its own size
