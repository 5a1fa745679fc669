"""The shared floor's figures: matplotlib figures that show themselves as PNG, no pyplot.

Kept apart from ``_display`` (text and HTML) so that code which only prints, such as the
benchmark worker and ``run-wasm``, never imports matplotlib.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, LogLocator


class KitFigure(Figure):
    """A Figure that shows itself as PNG when it is a cell's last expression, whatever
    backend the notebook has (no pyplot involved, so it never shows twice)."""

    def _repr_png_(self) -> bytes:
        return figure_png(self)


def new_figure(width: float = 9.0, height: float = 4.5) -> KitFigure:
    """A figure with an Agg canvas attached, independent of pyplot and of the backend."""
    figure = KitFigure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes (what the notebook displays and the export saves)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def label_log_axis(ax: Axes, unit: Callable[[float], str], which: str = "x") -> None:
    """Label a log axis (``which``: "x" or "y") in words ("1 ms", "10 KB") instead of powers
    of ten, so a learner reads the unit off every grid line without decoding 10^-3."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_locator(LogLocator(base=10, numticks=20))
    axis.set_major_formatter(FuncFormatter(lambda value, _: unit(value)))


#: How far (pixels) a label beside a point or bar stays from the axes' right edge.
LABEL_ROOM_PX = 8.0


def keep_labels_inside(ax: Axes, labels: Sequence[Text]) -> None:
    """Widen ``ax``'s x range until every one of ``labels`` ends inside the axes, so a label
    written beside a point or a bar is never cut at the figure's edge (walk 7, S34). Each
    round lays the figure out, measures the overflow in pixels and moves the right limit
    that far out; labels anchored in data move left with it, so a few rounds settle."""
    figure = ax.figure
    while isinstance(figure, SubFigure):  # a panel of a page: lay out the whole page
        figure = figure.figure
    if not labels:
        return
    for _ in range(5):
        figure.draw_without_rendering()
        box = ax.get_window_extent()
        overflow = max(label.get_window_extent().x1 for label in labels) + LABEL_ROOM_PX - box.x1
        if overflow <= 0.5:
            return
        left = ax.get_xlim()[0]
        right = ax.transData.inverted().transform((box.x1 + overflow, box.y0))[0]
        ax.set_xlim(left, right)
