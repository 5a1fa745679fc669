"""Every notebook's solutions, and :func:`solution`, which shows one (any notebook).

Apart from ``checks`` because it imports every notebook module, and each of those imports
``checks`` for the exercise machinery: kept in one module, that was an import circle.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from .._errors import KitError
from . import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12
from .checks import Solution

#: Every notebook module with exercises, in course order (a test checks none is missing).
NOTEBOOK_MODULES = (nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12)


@functools.cache
def all_solutions() -> Mapping[tuple[str, int], Solution]:
    """Every notebook's ``SOLUTIONS``, by (notebook, exercise)."""
    table: dict[tuple[str, int], Solution] = {}
    for module in NOTEBOOK_MODULES:
        for item in module.SOLUTIONS:
            table[(item.notebook, item.exercise)] = item
    return table


def solution(notebook: str | int, exercise: int) -> Solution:
    """The instructor's solution to one exercise; try the exercise first (any notebook)."""
    key = (f"{int(notebook):02d}" if str(notebook).isdigit() else str(notebook), int(exercise))
    solutions = all_solutions()
    if key not in solutions:
        known = ", ".join(f"{n}/{e}" for n, e in sorted(solutions))
        raise KitError(
            f"no solution for notebook {notebook}, exercise {exercise}",
            fix=f"ask for one of: {known}",
        )
    return solutions[key]
