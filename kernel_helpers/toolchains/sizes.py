"""How big a compiled module is, and why: size ladders, language comparisons, charts.

Notebook 02 shows the ladder of one C program (default build, stripped, ``wasm-opt -Oz``,
with the native binary beside it) and what is inside (sections); notebook 03 compares
the same program across C, C++, Rust and Go and shows the runtime a Go module carries.
Builds come from ``build`` (cached); where a compiler is missing the prebuilt
module stands in and the result says so in a note, never with an exception. Charts are
the shared display's ``KitFigure`` (a matplotlib Figure that shows itself as PNG).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.ticker import FuncFormatter

from .._display import ShownAsHtml, ShownAsText, format_bytes, html_table
from .._errors import BuildInProgress, KitError, ToolchainMissing
from .._figures import KitFigure, new_figure
from ..wasm.reader import code_by_package, section_sizes, stripped_size
from .build import Artifact, native_binary, patient_build
from .detect import LANGUAGE_NAMES, LANGUAGES
from .prebuilt import prebuilt_module, wasm_module
from .shrink import shrink

#: What each rung of the ladder did, in words a learner can follow.
STEP_EXPLANATIONS = {
    "default": "compiled with -O2, as the compiler leaves it (debug info and names included)",
    "stripped": "custom sections removed: debug info, names, producers",
    "wasm-opt-Oz": "binaryen's wasm-opt -Oz: rewrites the code itself for size",
    "prebuilt": "the prebuilt module shipped with the course (already shrunk)",
    "native": "native static binary of the same program, for comparison",
}


@dataclass(frozen=True)
class SizeStep:
    label: str
    bytes: int
    explanation: str
    path: Path | None = None


class _SizeReport(ShownAsText, ShownAsHtml):
    """Shared rendering: a caption, a table (text and HTML) and notes."""

    notes: list[str]

    def caption(self) -> str:
        raise NotImplementedError

    def header(self) -> list[str]:
        raise NotImplementedError

    def cells(self) -> list[list[str]]:
        raise NotImplementedError

    def text(self) -> str:
        rows = [self.header(), *self.cells()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [self.caption()]
        lines += [
            "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def html(self) -> str:
        notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in self.notes)
        caption = f"<p><b>{html.escape(self.caption())}</b></p>"
        return caption + html_table(self.header(), self.cells()) + notes


@dataclass
class SizeLadder(_SizeReport):
    """One program's sizes from default build to smallest, the native binary beside them."""

    example: str
    lang: str
    steps: list[SizeStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def sizes(self) -> dict[str, int]:
        return {step.label: step.bytes for step in self.steps}

    def smallest_wasm(self) -> SizeStep:
        return min((s for s in self.steps if s.label != "native"), key=lambda s: s.bytes)

    def caption(self) -> str:
        return f"{self.example} in {LANGUAGE_NAMES[self.lang]}: from default build to smallest"

    def header(self) -> list[str]:
        return ["step", "bytes", "size", "what it is"]

    def cells(self) -> list[list[str]]:
        return [[s.label, f"{s.bytes:,}", format_bytes(s.bytes), s.explanation] for s in self.steps]

    def figure(self) -> KitFigure:
        """The ladder as a bar chart on a log axis (so kilobytes and the native binary's
        megabytes both show), the native binary in grey."""
        colours = ["#888888" if s.label == "native" else "#4c72b0" for s in self.steps]
        return bar_chart(
            self.sizes(),
            title=f"{self.example} ({LANGUAGE_NAMES[self.lang]}): from default build to smallest (log scale)",
            colours=colours,
            log=True,
        )


def _ladder_note(err: KitError) -> str:
    return f"{err.message}; {err.fix}" if err.fix else err.message


def size_ladder(example: str = "hello", lang: str = "c", *, native: bool = True) -> SizeLadder:
    """Notebook 02: ``example`` built in ``lang``, then stripped, then ``wasm-opt -Oz``.

    Never raises for a missing compiler: the prebuilt module stands in (one step) and
    ``notes`` says what was missing and how to get it.
    """
    ladder = SizeLadder(example, lang)
    try:
        built = patient_build(example, lang)
    except ToolchainMissing as err:
        if isinstance(err, BuildInProgress):
            ladder.notes.append(f"{err.message}: showing the prebuilt module for now ({err.fix})")
        else:
            ladder.notes.append(
                f"no {LANGUAGE_NAMES[lang]} compiler here, showing the prebuilt module ({err.fix})"
            )
        try:
            shipped = prebuilt_module(example, lang)
        except KitError as missing:
            ladder.notes.append(_ladder_note(missing))
            return ladder
        ladder.steps.append(
            SizeStep("prebuilt", shipped.bytes, STEP_EXPLANATIONS["prebuilt"], shipped.path)
        )
    else:
        ladder.steps.append(
            SizeStep("default", built.bytes, STEP_EXPLANATIONS["default"], built.path)
        )
        for step in shrink(built):
            ladder.steps.append(
                SizeStep(
                    step.variant,
                    step.bytes,
                    STEP_EXPLANATIONS.get(step.variant, step.variant),
                    step.path,
                )
            )
        if len(ladder.steps) == 2:
            ladder.notes.append(
                "wasm-opt (binaryen) is not installed, so the ladder stops at stripped"
            )
    if native:
        try:
            binary = native_binary(example, lang)
            ladder.steps.append(
                SizeStep("native", binary.bytes, STEP_EXPLANATIONS["native"], binary.path)
            )
        except KitError as err:
            ladder.notes.append(f"no native build to compare with: {_ladder_note(err)}")
    return ladder


@dataclass(frozen=True)
class LanguageSize:
    lang: str
    bytes: int
    stripped: int
    prebuilt: bool
    path: Path

    @property
    def label(self) -> str:
        return LANGUAGE_NAMES[self.lang]


@dataclass
class LanguageSizes(_SizeReport):
    """The same program from every language (notebook 03)."""

    example: str
    rows: list[LanguageSize] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def get(self, lang: str) -> LanguageSize | None:
        return next((r for r in self.rows if r.lang == lang), None)

    def stripped(self, lang: str) -> int | None:
        """The stripped size of ``lang``'s module, or None if there is no module."""
        row = self.get(lang)
        return row.stripped if row else None

    def as_built(self, lang: str) -> int | None:
        """The size of ``lang``'s module as the compiler wrote it (not stripped), or None."""
        row = self.get(lang)
        return row.bytes if row else None

    def against_claim(self, megabytes: float = 1.0) -> str:
        """Notebook 03: each stripped module next to the size claim we test ("several MBs"), in words."""
        lines = []
        for r in self.rows:
            verdict = (
                "several MB" if r.stripped >= megabytes * 1e6 else f"well under {megabytes:g} MB"
            )
            lines.append(f"{r.label:>5}: {format_bytes(r.stripped):>9} stripped -> {verdict}")
        big = [r.label for r in self.rows if r.stripped >= megabytes * 1e6]
        small = [r.label for r in self.rows if r.stripped < megabytes * 1e6]
        if big and small:
            lines.append(f"The claim fits {', '.join(big)}, not {', '.join(small)}.")
        elif self.rows:
            lines.append("The claim fits all of them." if big else "The claim fits none of them.")
        return "\n".join(lines)

    def caption(self) -> str:
        return f"{self.example}: the same program as a module from each language"

    def header(self) -> list[str]:
        return ["language", "default build", "stripped", "stripped bytes", "source"]

    def cells(self) -> list[list[str]]:
        return [
            [
                r.label,
                format_bytes(r.bytes),
                format_bytes(r.stripped),
                f"{r.stripped:,}",
                "prebuilt" if r.prebuilt else "built here",
            ]
            for r in self.rows
        ]

    def figure(self) -> KitFigure:
        """Stripped size per language on a log axis: kilobytes to megabytes in one view."""
        return bar_chart(
            {r.label: r.stripped for r in self.rows},
            title=f"{self.example}: stripped module size per language (log scale)",
            log=True,
        )


def language_sizes(example: str = "hello", langs: Iterable[str] = LANGUAGES) -> LanguageSizes:
    """Notebook 03: ``example`` as a module from each language, default and stripped.

    Stripped sizes are computed from the sections (no tool run), so this is quick once the
    builds are cached. A language with neither compiler nor prebuilt module gets a note.
    """
    result = LanguageSizes(example)
    for lang in langs:
        try:
            artifact: Artifact = wasm_module(example, lang)
        except KitError as err:
            result.notes.append(f"{LANGUAGE_NAMES[lang]}: {_ladder_note(err)}")
            continue
        result.rows.append(
            LanguageSize(
                lang, artifact.bytes, stripped_size(artifact.path), artifact.prebuilt, artifact.path
            )
        )
        if artifact.prebuilt:
            why = artifact.fallback_reason or "no compiler here"
            result.notes.append(f"{LANGUAGE_NAMES[lang]}: {why}, the prebuilt module stands in")
    return result


# --- charts ----------------------------------------------------------------------------------


def bar_chart(
    values: Mapping[str, int],
    *,
    title: str,
    log: bool = False,
    colours: list[str] | None = None,
    note: str = "",
) -> KitFigure:
    """Horizontal bars, largest question first, each labelled with its size (KB/MB); a
    ``note`` prints under the axis label (what an ``other`` bar holds)."""
    names = list(values)
    figure = new_figure(8, 0.45 * max(len(names), 3) + 1.2)
    ax = figure.add_subplot()
    sizes = [values[n] for n in names]
    ax.barh(range(len(names)), sizes, color=colours or "#4c72b0")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    biggest = max(sizes, default=1)
    if log:
        ax.set_xscale("log")
        # Start at the power of ten below the smallest bar, so every bar has a length.
        ax.set_xlim(10 ** math.floor(math.log10(max(min(sizes, default=1), 1))), biggest * 8)
    else:
        ax.set_xlim(0, biggest * 1.25)
    for row, size in enumerate(sizes):
        ax.text(size, row, f" {format_bytes(size)}", va="center", fontsize=9)
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _: format_bytes(value) if value > 0 else "0")
    )
    ax.set_xlabel("size" + (" (log scale)" if log else "") + (f"\n{note}" if note else ""))
    ax.set_title(title, fontsize=11)
    return figure


def top_with_other(values: Mapping[str, int], top: int = 8) -> dict[str, int]:
    """The ``top`` largest entries, the rest summed as ``other``."""
    ranked = sorted(values.items(), key=lambda kv: kv[1], reverse=True)
    shown = dict(ranked[:top])
    rest = sum(size for _, size in ranked[top:])
    if rest:
        shown["other"] = rest
    return shown


def other_holds(values: Mapping[str, int], top: int = 8) -> str:
    """What ``top_with_other``'s ``other`` bar sums, in words: the one entry by name, or how
    many and the range from the largest to the smallest (walk 13: an "other 9 B" bar was
    the only label the prose did not explain)."""
    ranked = sorted(values.items(), key=lambda kv: kv[1], reverse=True)[top:]
    rest = [(name, size) for name, size in ranked if size]
    if not rest:
        return ""
    if len(rest) == 1:
        return f"other: {rest[0][0]} ({format_bytes(rest[0][1])})"
    (first, most), (last, least) = rest[0], rest[-1]
    return (
        f"other: the {len(rest)} smaller ones, from {first} ({format_bytes(most)}) "
        f"to {last} ({format_bytes(least)})"
    )


def section_breakdown(
    module: bytes | str | Path, *, title: str = "What is inside", top: int = 8
) -> KitFigure:
    """Notebook 02: bytes per section as bars; debug info stands out in an unstripped build."""
    sizes = section_sizes(module)
    return bar_chart(top_with_other(sizes, top), title=title, note=other_holds(sizes, top))


def package_breakdown(
    module: bytes | str | Path, *, title: str = "Code per package", top: int = 8
) -> KitFigure:
    """Notebook 03: bytes of code per package (Go's runtime, Rust's std), from the names."""
    sizes = code_by_package(module)
    return bar_chart(top_with_other(sizes, top), title=title, note=other_holds(sizes, top))


def code_against_data(module: bytes | str | Path) -> str:
    """Notebook 03: the stripped module in one line, its code against its data and the rest.

    ``package_breakdown`` charts function bodies only; in a Go module the data section (the
    runtime's tables and constants) is a large share too (walk 23, S3: a learner predicted
    from the chart alone and missed it). Computed from the sections, as ``stripped_size``."""
    kept = {
        label: size
        for label, size in section_sizes(module).items()
        if not label.startswith("custom:")
    }
    whole = sum(kept.values())
    code, data = kept.get("code", 0), kept.get("data", 0)

    def share(size: int) -> str:
        fraction = size / whole
        return f"{format_bytes(size)} ({'under 1%' if 0 < fraction < 0.005 else f'{fraction:.0%}'})"

    return (
        f"the whole module, stripped: {format_bytes(whole)} = code {share(code)}"
        f" + data {share(data)} + everything else {share(whole - code - data)}"
    )
