"""The shared floor's figures: matplotlib figures that show themselves as PNG, no pyplot.

Kept apart from ``_display`` (text and HTML) so that code which only prints, such as the
benchmark worker and ``run-wasm``, never imports matplotlib.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter


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


#: The labelled ticks of :func:`label_log_axis_around` in each power of ten: "2 ms", "5 ms"...
NICE_STEPS = (1.0, 2.0, 5.0)
#: ... while the data spans at most this many powers of ten; wider, only the powers.
NICE_STEPS_UP_TO_DECADES = 3
#: How far past its outermost labelled ticks a log axis reaches, so a point on one is whole.
LOG_AXIS_PAD = 1.12


def label_log_axis_around(
    ax: Axes, unit: Callable[[float], str], low: float, high: float, which: str = "y"
) -> list[float]:
    """Label a log axis at 1, 2 and 5 of each power of ten ("2 ms", "5 ms", "10 ms"), from
    the labelled tick at or below ``low`` to the one at or above ``high``, so every value
    plotted between them has a labelled tick under it and over it (walk 15, S5: fib(30)'s
    3-9 ms sat under 08's lowest label, 10 ms). Returns the labelled ticks."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    ticks = nice_log_ticks(low, high)
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda value, _: unit(value)))
    axis.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10))))
    axis.set_minor_formatter(NullFormatter())  # unlabelled: the labelled ones are enough
    limits = (ticks[0] / LOG_AXIS_PAD, ticks[-1] * LOG_AXIS_PAD)
    ax.set_ylim(*limits) if which == "y" else ax.set_xlim(*limits)
    return ticks


def nice_log_ticks(low: float, high: float) -> list[float]:
    """The 1-2-5 ticks (only powers of ten over :data:`NICE_STEPS_UP_TO_DECADES` decades)
    from the last at or below ``low`` to the first at or above ``high``; both positive."""
    steps = NICE_STEPS if high <= low * 10**NICE_STEPS_UP_TO_DECADES else (1.0,)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    candidates = [float(f"{step}e{power}") for power in range(first, last + 1) for step in steps]
    under = max(tick for tick in candidates if tick <= low)
    over = min(tick for tick in candidates if tick >= high)
    return [tick for tick in candidates if under <= tick <= over]


#: How far (pixels) a label beside a point or bar stays from the axes' right edge.
LABEL_ROOM_PX = 8.0


def _page(figure: Figure | SubFigure) -> Figure:
    """The figure that lays out ``figure`` (a panel of a page is laid out with the page)."""
    while isinstance(figure, SubFigure):
        figure = figure.figure
    return figure


def keep_labels_inside(ax: Axes, labels: Sequence[Text]) -> None:
    """Widen ``ax``'s x range until every one of ``labels`` ends inside the axes, so a label
    written beside a point or a bar is never cut at the figure's edge (walk 7, S34). Each
    round lays the figure out, measures the overflow in pixels and moves the right limit
    that far out; labels anchored in data move left with it, so a few rounds settle."""
    figure = _page(ax.figure)
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


class _TextInside(Text):
    """A label that, each time it is drawn, moves left as far as it would run past its
    axes' right edge: it is placed after the layout, at no extra layout pass (the live
    start-up plot redraws every few tenths of a second while the worker times starts)."""

    def __init__(self, x: float, y: float, text: str, **style: Any) -> None:
        super().__init__(x, y, text, **style)
        self._anchor_x = x

    def draw(self, renderer: RendererBase) -> None:
        ax = self.axes
        self.set_x(self._anchor_x)  # where it was asked to be, for this layout
        if ax is not None and self.get_visible():
            box = self.get_window_extent(renderer)
            overflow = box.x1 + LABEL_ROOM_PX - ax.get_window_extent(renderer).x1
            if overflow > 0:
                to_screen = self.get_transform()
                x, y = to_screen.transform(self.get_position())
                self.set_x(float(to_screen.inverted().transform((x - overflow, y))[0]))
        super().draw(renderer)


def text_inside(ax: Axes, x: float, y: float, text: str, **style: Any) -> Text:
    """``ax.text`` for a label that must end inside the axes whatever their width, such as
    a claim's name written at the start of its band near the right edge (walk 8, S6:
    "several seconds" ran past the frame of 06's plot). Left-aligned text only."""
    label = _TextInside(x, y, text, **style)
    ax.add_artist(label)
    return label


#: How far (points) a title stands above axes that carry :func:`label_above` labels: three
#: lines of 8 pt text and a gap, so the title never sits on them.
TITLE_PAD_OVER_LABELS_PT = 36.0


def label_above(ax: Axes, x: float, text: str, **style: Any) -> Text:
    """A label written just above ``ax``'s top edge at data ``x`` (such as a claim's name
    over its shaded band), ending inside the axes' width like :func:`text_inside`. Above
    the frame it can cover no row, box or bar, however many rows there are (walk 11, S4:
    inside, "claim: wasm in milliseconds" sat on the bottom row's box). Not clipped to the
    axes, as a label added inside them is (walk 12, S6: 07's names were drawn there and
    clipped away), and counted by the constrained layout, which makes room for it. A title
    over these axes needs ``pad=TITLE_PAD_OVER_LABELS_PT``."""
    label = text_inside(ax, x, 1.0, text, va="bottom", transform=ax.get_xaxis_transform(), **style)
    label.set_clip_on(False)
    return label


def wrap_xlabel_inside(ax: Axes) -> None:
    """Wrap ``ax``'s x label onto two or more lines while it is wider than its axes or runs
    past the figure's edge. Centred under axes that long row labels push right, a one-line
    label wider than the axes ran off the picture: constrained layout moves the axes as
    their tick labels change, and one layout fitted it where the next did not (walk 8,
    S15). The first break goes before a parenthesis: "median start-up / (log scale: ...)".
    Call it last: it lays the figure out to measure."""
    label, figure = ax.xaxis.label, _page(ax.figure)
    words = " ".join(label.get_text().split())
    first, paren, rest = words.partition(" (")
    tries = ([f"{first}\n({rest}"] if paren else []) + [
        textwrap.fill(words, width) for width in range(len(words) * 2 // 3, 10, -8)
    ]
    for text in [label.get_text(), *tries]:
        label.set_text(text)
        figure.draw_without_rendering()
        box, room = label.get_window_extent(), ax.get_window_extent()
        if box.width <= room.width and box.x0 >= 0 and box.x1 <= figure.bbox.width:
            return
