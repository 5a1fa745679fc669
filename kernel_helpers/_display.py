"""The shared display floor: how the kit's objects show themselves in a notebook and a terminal.

Text formatting (durations, sizes, machines) and HTML tables; figures are in ``_figures``.
Every subpackage may import this module; it imports none.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Mapping
from typing import Any

#: A Markdown code span in a message: `name`.
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans_html(text: str) -> str:
    """``text`` escaped for HTML, its Markdown code spans shown as ``<code>``: an HTML
    output shows a backtick as it is (walk 8, S3: "kept as `greeter`")."""
    return _CODE_SPAN.sub(r"<code>\1</code>", html.escape(text))


def without_code_marks(text: str) -> str:
    """``text`` for a plain-text output: its Markdown code spans lose their backticks."""
    return _CODE_SPAN.sub(r"\1", text)


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
    """ "AMD EPYC, 2 cores, Debian GNU/Linux 12": enough to tell two machines apart. Notebook 06."""
    parts = [str(machine.get("cpu") or machine.get("hostname") or "another machine")]
    if machine.get("cores"):
        parts.append(f"{machine['cores']} cores")
    if machine.get("os"):
        parts.append(str(machine["os"]).split(" (")[0])
    return ", ".join(parts)


def format_seconds(seconds: float, digits: int = 3) -> str:
    """A duration in the unit a person would say: µs, ms or s, three significant digits
    unless ``digits`` says otherwise. Notebook 06."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.{digits}g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.{digits}g} ms"
    return f"{seconds:.{digits}g} s"


#: Digits an interval's ends may grow to so that they print apart.
SPAN_MAX_DIGITS = 6


def format_span(low: float, high: float) -> str:
    """ "412 ms-618 ms"; ends that three digits would print alike get more, so an interval
    never reads as zero wide unless it is: "615.8 ms-616.2 ms", never "616 ms-616 ms"
    (walk 10, S6). Notebooks 07 and 10."""
    digits = 3
    while (
        low != high
        and format_seconds(low, digits) == format_seconds(high, digits)
        and digits < SPAN_MAX_DIGITS
    ):
        digits += 1
    return f"{format_seconds(low, digits)}-{format_seconds(high, digits)}"


def in_words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: names listed as a sentence says them."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


#: Where printed sentences under a table wrap: at word boundaries, narrower than a
#: notebook's output area at 1400 px (walk 12, S8: 07's pull table printed its "method:"
#: as one long line, which the output area broke mid-word).
NOTE_WIDTH = 92
#: A space between a number and its unit ("36.9 KB", "64 KiB", "20 ms"), which a line
#: must not break at: "36.9" ending one line and "KB" starting the next read as two things.
NUMBER_AND_UNIT = re.compile(r"(?<=\d) (?=(?:[kKMG]i?)?B\b|[mµ]?s\b|Mbit/s)")
#: What stands in for such a space while the text is wrapped (no text holds it).
KEPT_SPACE = "\0"


def wrap_note(note: str, width: int = NOTE_WIDTH) -> str:
    """``note`` broken at word boundaries, never between a number and its unit, its later
    lines indented under its first, and ended as a sentence: notes stand one under another,
    and one without a full stop read on into the next ("... than these / bytes: ...")."""
    if note and note[-1] not in ".!?:":
        note += "."
    kept = NUMBER_AND_UNIT.sub(KEPT_SPACE, note)
    filled = textwrap.fill(kept, width, subsequent_indent="  ", break_on_hyphens=False)
    return filled.replace(KEPT_SPACE, " ")


def format_bytes(size: float) -> str:
    """A size in KB, MB or GB (powers of 1000, as registries and the claims we test count). Notebook 07."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{int(size)} B"


def html_table(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{header}</tr>{body}</table>"
