"""What every exercise shares: the verdict, the ``check_*`` contract, and the solutions.

Every check takes the learner's answer and returns a :class:`CheckResult`: a short
confirmation when it is right, a specific and kind hint when it is not, and "not yet"
when the cell still holds the placeholder ``...``. A check never raises: whatever the
learner types, the notebook kernel carries on. :func:`exercise` gives a check that
contract; :func:`right` and :func:`wrong` are what a check returns.

Each notebook's module (``nb00`` ... ``nb12``) holds its checks and a ``SOLUTIONS`` tuple;
:func:`solution` collects them from the modules listed in :func:`all_solutions`, so the
instructor's solutions are revealed only on request: ``kh.solution("01", 1)``.

This module sits at the bottom of the course package: it imports no ``nbXX`` module
except lazily, inside :func:`all_solutions`.
"""

from __future__ import annotations

import copy
import functools
import html
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ParamSpec

from .._display import ShownAsHtml, ShownAsText, code_spans_html, without_code_marks
from .cell_order import CheckCall, written_after_measurement

P = ParamSpec("P")


@dataclass(frozen=True, repr=False)
class CheckResult(ShownAsText, ShownAsHtml):
    """The verdict on one answer. ``ok`` is True, False, or None for "not answered yet".

    Truthy only when right, so ``assert kh.check_...(answer)`` works in a script.
    """

    exercise: str
    ok: bool | None
    message: str
    hint: str | None = None
    #: The reply states what was measured: a predict-then-measure check's first such reply
    #: fixes the prediction it graded (:func:`prediction_exercise`).
    shows_measurement: bool = False

    def __bool__(self) -> bool:
        return self.ok is True

    @property
    def status(self) -> str:
        return {True: "right", False: "not quite", None: "not yet"}[self.ok]

    def text(self) -> str:
        mark = {True: "✅", False: "💡", None: "✏️"}[self.ok]
        lines = [f"{mark} {self.exercise}: {without_code_marks(self.message)}"]
        if self.hint:
            lines.append(f"   hint: {without_code_marks(self.hint)}")
        return "\n".join(lines)

    def html(self) -> str:
        colour, border, mark = {
            True: ("#e9f7ec", "#2e7d32", "✅"),
            False: ("#fff4e0", "#ef8f00", "💡"),
            None: ("#eef2f7", "#6b7a90", "✏️"),
        }[self.ok]
        hint = (
            f"<div style='margin-top:4px'>{code_spans_html(self.hint)}</div>" if self.hint else ""
        )
        return (
            f"<div style='background:{colour};border-left:4px solid {border};padding:6px 10px'>"
            f"{mark} <b>{html.escape(self.exercise)}</b>: {code_spans_html(self.message)}{hint}</div>"
        )


PLACEHOLDER_MESSAGE = "Replace ... with your answer, then run this cell again."


class Unusable(Exception):
    """The answer has the wrong shape; the message says, kindly, what to give."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class EarlyAnswer(Exception):
    """A verdict reached inside a helper of a check (no compiler here, a compile error):
    :func:`exercise` returns ``result`` as the check's answer, so the helper need not
    hand it back through every caller."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


def right(message: str) -> CheckResult:
    """A right answer; :func:`exercise` fills in the exercise's title."""
    return CheckResult("", True, message)


def wrong(message: str, hint: str | None = None) -> CheckResult:
    """A wrong answer with a hint; :func:`exercise` fills in the exercise's title."""
    return CheckResult("", False, message, hint)


def not_yet(message: str = PLACEHOLDER_MESSAGE, hint: str | None = None) -> CheckResult:
    """Neither right nor wrong (still the placeholder, or nothing to check here)."""
    return CheckResult("", None, message, hint)


#: The exercises answered right in this kernel, by title: what a tidy-up cell asks before
#: it removes something an exercise still needs (notebook 09).
SOLVED: set[str] = set()


def _recorded(result: CheckResult) -> CheckResult:
    if result.ok:
        SOLVED.add(result.exercise)
    return result


def exercises_still_open(*checks: Callable[..., CheckResult]) -> list[str]:
    """The titles of ``checks`` still open in this kernel: not answered right yet, nor, for
    a predict-then-measure exercise, graded against its measurement (its first prediction
    stands, so a wrong one has nothing left to answer). Notebook 09."""
    titles = [str(getattr(check, "exercise", check.__name__)) for check in checks]
    return [title for title in titles if title not in SOLVED and title not in FIRST_PREDICTIONS]


def exercise(title: str) -> Callable[[Callable[P, CheckResult]], Callable[P, CheckResult]]:
    """Give a check its title, the placeholder reply, and a guarantee that it never raises.

    The first positional argument the check is given is taken as the learner's answer.
    """

    def wrap(check: Callable[P, CheckResult]) -> Callable[P, CheckResult]:
        @functools.wraps(check)
        def run(*args: P.args, **kwargs: P.kwargs) -> CheckResult:
            if any(a is Ellipsis for a in args) or any(v is Ellipsis for v in kwargs.values()):
                return CheckResult(title, None, PLACEHOLDER_MESSAGE)
            try:
                return _recorded(replace(check(*args, **kwargs), exercise=title))
            except Unusable as err:
                return CheckResult(title, False, err.message, err.hint)
            except EarlyAnswer as early:
                return _recorded(replace(early.result, exercise=title))
            except Exception as err:  # a check must never take the kernel's cell down
                return CheckResult(
                    title,
                    False,
                    "the check could not use this answer.",
                    f"{type(err).__name__}: {err}. Look at the exercise text for the shape "
                    "of answer it expects.",
                )

        run.exercise = title  # type: ignore[attr-defined]
        return run

    return wrap


# --- grading measured numbers (notebooks 06 and 08) -----------------------------------

RATIO_TOLERANCE = 0.05


def number(answer: object) -> float:
    """The learner's number, from an int, a float or a string like ``"12.5x"``."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float, str)):
        raise ValueError(f"expected a number, got {type(answer).__name__}")
    return float(str(answer).strip().rstrip("x×"))


def whole_number(answer: object, what: str) -> int:
    """``answer`` as an int (from an int or a string like ``" 3"``), or :class:`Unusable`
    naming ``what`` was asked for; a bool is no number here."""
    if isinstance(answer, bool) or not isinstance(answer, int | str):
        raise Unusable(f"give {what} as a whole number, like 0 or 3.")
    try:
        return int(str(answer).strip())
    except ValueError:
        raise Unusable(f"give {what} as a whole number, like 0 or 3.") from None


def close(given: float, truth: float, tolerance: float = RATIO_TOLERANCE) -> bool:
    """``given`` is within ``tolerance`` (a fraction) of ``truth``."""
    return abs(given - truth) <= tolerance * abs(truth)


#: A prediction of a measured size or time counts within this factor of the measurement:
#: such an exercise asks for the order of magnitude, not the second digit.
PREDICTION_FACTOR = 2.0


def positive_number(answer: object, example: str) -> float:
    """``answer`` as a number above 0, or :class:`Unusable` showing ``example``."""
    try:
        given = number(answer)
    except ValueError:
        raise Unusable(f"give {example}.") from None
    if given <= 0:
        raise Unusable(f"give a number above 0: {example}.")
    return given


def within_factor(given: float, truth: float, factor: float = PREDICTION_FACTOR) -> bool:
    """``given`` is within ``factor`` of ``truth``, above or below."""
    return 1 / factor <= given / truth <= factor


# --- predict, then measure (notebooks 00-03, 05-09 and 11) -------------------------------

#: The prediction each predict-then-measure exercise graded first in this kernel, by title.
#: Once a reply has stated the measurement, a changed prediction can be a copy of it: the
#: first one stays the answer, so the grade rewards the expectation, never copying.
FIRST_PREDICTIONS: dict[str, object] = {}


def states_measurement(result: CheckResult) -> CheckResult:
    """``result``, marked as stating the measurement (so the prediction it graded stands)."""
    return replace(result, shows_measurement=True)


def _same_prediction(first: object, given: object) -> bool:
    try:
        return bool(first == given)
    except Exception:  # an answer whose == raises is not the same answer
        return False


def _first_stands(result: CheckResult, first: object, given: object) -> CheckResult:
    note = (
        f"your first prediction, {first!r}, stands: {given!r} was written after this check "
        "had shown the measurement, so it is not graded (a prediction is what you expected "
        "before measuring). The first one, against this measurement: "
    )
    return replace(result, message=note + result.message)


def _written_after_measurement(result: CheckResult, call: CheckCall) -> CheckResult:
    note = (
        "a note first: this prediction was written after the measurement had printed (the "
        f"cell that sets `{call.measurement}` ran before the cell that sets "
        f"`{call.prediction}`), so it reads as a check of your reading, not a prediction. "
        "To predict next time, write the prediction and run its cell before the measuring "
        "cell. Graded all the same: "
    )
    return replace(result, message=note + result.message)


def prediction_exercise(
    title: str, *, measured_at: int | None = None
) -> Callable[[Callable[P, CheckResult]], Callable[P, CheckResult]]:
    """:func:`exercise`, for a check whose first argument is a prediction written before a
    measurement. The first prediction graded against the measurement is the answer: given
    another one afterwards, the check grades the first again and says it stands. (A reply
    that could not grade, such as "run the measuring cell first", fixes nothing.)

    ``measured_at``: the position of the argument that carries a measurement an earlier
    cell printed. In a notebook, a prediction set after that cell ran is graded with a note
    that it was no prediction, and neither stands as the first nor counts as solved: it
    was written with the answer on screen (:mod:`.cell_order`)."""

    def wrap(check: Callable[P, CheckResult]) -> Callable[P, CheckResult]:
        graded = exercise(title)(check)

        def graded_first(*args: P.args, **kwargs: P.kwargs) -> CheckResult:
            solved_before = title in SOLVED
            result = graded(*args, **kwargs)
            if not (args and result.shows_measurement):
                return result  # nothing graded against the measurement: nothing fixed
            late = None
            if measured_at is not None:
                late = written_after_measurement(check.__name__, measured_at)
            if late is None:
                FIRST_PREDICTIONS[title] = copy.deepcopy(args[0])
                return result
            if not solved_before:  # written with the answer on screen: it solves nothing
                SOLVED.discard(title)
            return _written_after_measurement(result, late)

        @functools.wraps(check)
        def run(*args: P.args, **kwargs: P.kwargs) -> CheckResult:
            if not args or title not in FIRST_PREDICTIONS:
                return graded_first(*args, **kwargs)
            first, given = FIRST_PREDICTIONS[title], args[0]
            if _same_prediction(first, given):
                return graded(*args, **kwargs)
            again = graded(first, *args[1:], **kwargs)  # type: ignore[arg-type]
            return _first_stands(again, first, given)

        run.exercise = title  # type: ignore[attr-defined]
        return run

    return wrap


def _times(ratio: float) -> str:
    return f"{ratio:.1f}" if ratio < 10 else f"{ratio:,.0f}"


#: Under this many times off, a miss reads in percent: "1.2 times too high" beside a
#: prediction of "1.2×" read as a typo (walk 13, 03 ex. 2).
PERCENT_BELOW = 2.0


def how_far_off(given: float, truth: float) -> str:
    """ "about 18% too high", "about 40% too low", or "3.5 times too high" from 2 times
    off: how far ``given`` missed ``truth``, in the words a person would use."""
    high = given > truth
    times = given / truth if high else truth / given
    direction = "high" if high else "low"
    if times < PERCENT_BELOW:
        share = given / truth - 1 if high else 1 - given / truth
        return f"about {share:.0%} too {direction}"
    return f"{_times(times)} times too {direction}"


def how_close(given: float, truth: float) -> str:
    """ "8%": how far ``given`` lies from ``truth``, rounded up so "within" stays true and
    in percent, not "1.1×", which beside a predicted ratio of "1.1×" read as a typo
    (walk 20, 03 ex. 2)."""
    share = abs(given / truth - 1)
    return f"{max(1, math.ceil(round(share * 100, 6))):,}%"  # 1.1 against 1.0: 10%, not 11%


def grade_prediction(
    given: float,
    truth: float,
    *,
    said: Callable[[float], str],
    measurement: str,
    lesson: str,
    missed: tuple[str, str],
    factor: float = PREDICTION_FACTOR,
    near: str | None = None,
) -> CheckResult:
    """A numeric prediction graded by how far it landed from ``truth``: within ``factor``
    (or ``near``, words for a closeness the check judged otherwise, such as "inside the
    measurement's interval") is a good instinct; further off, the reply says how far too
    high or too low (:func:`how_far_off`), and ``missed`` (too high, too low) hints at what the expectation
    likely left out. Both replies state the ``measurement`` and the ``lesson``: the
    prediction is graded once, so saying them gives nothing away."""
    if within_factor(given, truth, factor):
        near = f"within {how_close(given, truth)} of the measurement"
    if near:
        return states_measurement(
            right(f"you predicted {said(given)}, {near} (a good instinct); {measurement}. {lesson}")
        )
    return states_measurement(
        wrong(
            f"you predicted {said(given)}, {how_far_off(given, truth)}; {measurement}. {lesson}",
            missed[0] if given > truth else missed[1],
        )
    )


# --- solutions ----------------------------------------------------------------------------

#: ``Solution.needs`` for the solutions that read the notebook's own measurements, so
#: they run inside the notebook only.
IN_NOTEBOOK = "the notebook's own measurements"


@dataclass(frozen=True, repr=False)
class Solution(ShownAsText, ShownAsHtml):
    """One exercise's solution: the code (ending in the check call) and why it is right.

    Each solution is code that a test runs against its ``check_*`` function, so a solution
    can never drift from the check that grades it. ``needs`` names what the code needs
    beyond the kit itself (``"toolchains"``) so tests can tell which solutions run
    everywhere.
    """

    notebook: str
    exercise: int
    code: str
    why: str
    needs: str = ""

    def __post_init__(self) -> None:
        # Written indented inside each notebook module's SOLUTIONS; shown flush left.
        object.__setattr__(self, "code", textwrap.dedent(self.code).strip())

    def text(self) -> str:
        return (
            f"Solution to notebook {self.notebook}, exercise {self.exercise}\n\n"
            f"{self.code}\n\n{self.why}"
        )

    def html(self) -> str:
        return (
            f"<details open><summary><b>Solution: notebook {self.notebook}, exercise "
            f"{self.exercise}</b></summary><pre>{html.escape(self.code)}</pre>"
            f"<p>{html.escape(self.why)}</p></details>"
        )
