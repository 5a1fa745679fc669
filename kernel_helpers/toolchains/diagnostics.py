"""Turn a compiler's text into :class:`Diagnostic` records (notebooks 02 and 03).

Three formats cover the four languages:

- clang, zig and gcc: ``file:line:col: error: message``
- rustc: ``error[E0425]: message`` followed by `` --> file:line:col``
- go: ``./file.go:line:col: message`` (no severity word: everything is an error)
"""

from __future__ import annotations

import re

from .._errors import Diagnostic

_CLANG = re.compile(
    r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<severity>fatal error|error|warning|note): (?P<message>.*)$"
)
_RUST_HEAD = re.compile(r"^(?P<severity>error|warning)(?:\[E\d+\])?: (?P<message>.*)$")
_RUST_WHERE = re.compile(r"^\s*--> (?P<file>.+?):(?P<line>\d+):(?P<col>\d+)$")
_GO = re.compile(r"^(?P<file>[^:\s]+\.go):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$")

#: rustc's closing summaries, which say nothing about the program itself.
_RUST_SUMMARIES = ("aborting due to", "could not compile")


def _located(where: re.Match[str], severity: str, message: str) -> Diagnostic:
    """A diagnostic at the ``file``, ``line`` and ``col`` groups of ``where``."""
    name = where["file"]
    name = name[2:] if name.startswith("./") else name
    return Diagnostic(name, int(where["line"]), int(where["col"]), severity, message)


def parse_clang(output: str) -> list[Diagnostic]:
    """clang, zig cc and gcc diagnostics (``fatal error`` counts as ``error``)."""
    found = []
    for line in output.splitlines():
        match = _CLANG.match(line.strip())
        if match:
            severity = "error" if match["severity"] == "fatal error" else match["severity"]
            found.append(_located(match, severity, match["message"]))
    return found


def parse_rustc(output: str) -> list[Diagnostic]:
    """rustc's two-line messages: the headline, then the ``-->`` location under it."""
    found: list[Diagnostic] = []
    pending: tuple[str, str] | None = None
    for line in output.splitlines():
        head = _RUST_HEAD.match(line)
        if head:
            if pending:
                found.append(Diagnostic("", None, None, *pending))
            pending = None
            if not head["message"].startswith(_RUST_SUMMARIES):
                pending = (head["severity"], head["message"])
            continue
        where = _RUST_WHERE.match(line)
        if where and pending:
            found.append(_located(where, *pending))
            pending = None
    if pending:
        found.append(Diagnostic("", None, None, *pending))
    return found


def parse_go(output: str) -> list[Diagnostic]:
    """``go build`` errors; its ``# command-line-arguments`` header lines are skipped."""
    found = []
    for line in output.splitlines():
        match = _GO.match(line.strip())
        if match:
            found.append(_located(match, "error", match["message"]))
    return found


def parse_diagnostics(language: str, output: str) -> list[Diagnostic]:
    """The parsed messages of a compiler for ``language`` (``c cpp rust go``)."""
    if language == "rust":
        return parse_rustc(output)
    if language == "go":
        return parse_go(output)
    return parse_clang(output)
