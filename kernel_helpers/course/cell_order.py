"""Whether a prediction was written after its measurement had printed, from the kernel's history.

A predict-then-measure exercise has a prediction cell, a cell that measures and prints,
then the check. A learner who does Run All first sees the measurement before writing the
prediction; the check can tell from IPython's input history (``In``): if a cell that sets
the measurement's variable ran before the last cell that set the prediction's variable,
the prediction was written with the measurement on screen.

The names come from the check call in the running cell (its first argument is the
prediction; the argument at ``measured_at`` carries the measurement). Anything this cannot
read (no IPython, a literal argument, a history without either assignment, a cell that
does not parse) gives no judgement: the check then behaves as it always did.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any


@dataclass(frozen=True)
class CheckCall:
    """The variable names a check call was given: the prediction's and the measurement's."""

    prediction: str
    measurement: str


def written_after_measurement(check_name: str, measured_at: int) -> CheckCall | None:
    """The names of the running call to ``check_name`` if its prediction was last set by a
    cell that ran after a cell that set its measurement; None otherwise or when unknown."""
    shell = _running_shell()
    frame = _cell_frame(shell.user_ns) if shell is not None else None
    if shell is None or frame is None:
        return None
    history = _input_history(shell)
    if not history:
        return None
    call = _check_call(history[-1], check_name, measured_at, frame.f_lineno)
    if call is None:
        return None
    return call if _measured_before_predicted(history, call) else None


def _running_shell() -> Any | None:
    """The IPython shell, if this process has one (never imported here when it has not)."""
    if "IPython" not in sys.modules:
        return None
    from IPython.core.getipython import get_ipython

    return get_ipython()


def _cell_frame(user_ns: dict[str, Any]) -> FrameType | None:
    """The frame running a cell's top level: a direct call from a test or a script, even
    with a shell in the same process, runs in no frame whose globals are the shell's."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is user_ns and frame.f_code.co_name == "<module>":
            return frame
        frame = frame.f_back
    return None


def _input_history(shell: Any) -> list[str]:
    """The Python each cell ran, in order (magics already turned into Python); the last
    entry is the running cell."""
    history = shell.user_ns.get("In")
    if not isinstance(history, list):
        history = getattr(shell.history_manager, "input_hist_parsed", [])
    return [entry for entry in history if isinstance(entry, str)]


def _parsed(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):  # a cell that never ran, or a null byte in it
        return None


def _root_name(node: ast.expr) -> str | None:
    """``sizes`` for ``sizes``, ``sizes.sizes`` or ``sizes["hello"]``; None for a literal."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _check_call(source: str, check_name: str, measured_at: int, line: int) -> CheckCall | None:
    """The names given to the call of ``check_name`` on ``line`` of the running cell."""
    tree = _parsed(source)
    if tree is None:
        return None
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _called_name(node) == check_name
        and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]
    if len(calls) != 1 or len(calls[0].args) <= measured_at:
        return None
    args = calls[0].args
    prediction = args[0].id if isinstance(args[0], ast.Name) else None
    measurement = _root_name(args[measured_at])
    if prediction is None or measurement is None:
        return None
    return CheckCall(prediction, measurement)


def _measured_before_predicted(history: Sequence[str], call: CheckCall) -> bool:
    """A cell set the measurement before the last cell that set the prediction. Any such
    cell, not only the last: measuring again after a prediction written with the first
    measurement on screen leaves it written after that measurement."""
    first_measured = last_predicted = None
    for index, source in enumerate(history):
        bound = _bound_names(source)
        if call.measurement in bound and first_measured is None:
            first_measured = index
        if call.prediction in bound:
            last_predicted = index
    if first_measured is None or last_predicted is None:
        return False
    return first_measured < last_predicted


def _bound_names(source: str) -> set[str]:
    """The global names a cell's top level sets (not those local to a function it defines)."""
    tree = _parsed(source)
    return set(_names_set(tree.body)) if tree is not None else set()


def _names_set(body: Sequence[ast.stmt]) -> Iterator[str]:
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield statement.name  # its body's names are its own
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                yield node.id
            elif isinstance(node, ast.alias):
                yield (node.asname or node.name).split(".")[0]
