"""The shared display floor: how the kit's objects show themselves in a notebook and a terminal.

Text formatting (durations, sizes, machines), HTML tables, and matplotlib figures that
render as PNG with no pyplot. Every subpackage may import this module; it imports none.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator


class ShownAsText:
    """Mixin: ``str()`` and the plain-text view in a notebook both show ``text()``.
    Dataclasses using it pass ``repr=False`` so their generated repr does not win."""

    def text(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__


class ShownAsHtml:
    """Mixin: a notebook shows ``html()`` as the cell's output (``_repr_html_``). Combine
    with :class:`ShownAsText` for the same object's ``str()`` and plain-text view."""

    def html(self) -> str:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return self.html()


def describe_machine(machine: Mapping[str, Any]) -> str:
    """"AMD EPYC, 2 cores, Debian GNU/Linux 12": enough to tell two machines apart. Notebook 06."""
    parts = [str(machine.get("cpu") or machine.get("hostname") or "another machine")]
    if machine.get("cores"):
        parts.append(f"{machine['cores']} cores")
    if machine.get("os"):
        parts.append(str(machine["os"]).split(" (")[0])
    return ", ".join(parts)


def format_seconds(seconds: float) -> str:
    """A duration in the unit a person would say: µs, ms or s, three significant digits. Notebook 06."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def format_bytes(size: float) -> str:
    """A size in KB, MB or GB (powers of 1000, as registries and the seed count). Notebook 07."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{int(size)} B"


def html_table(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{header}</tr>{body}</table>"


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


def label_log_axis(ax: Axes, unit: Callable[[float], str]) -> None:
    """Label a log x axis in words ("1 ms", "10 KB") instead of powers of ten, so a learner
    reads the unit off every grid line without decoding 10^-3."""
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=20))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: unit(value)))
