"""Notebook 00 · setup check: what counts as an argument, and which notebooks need Docker.

The report the notebook opens with is :mod:`.doctor`'s.
"""

from __future__ import annotations

from .checks import CheckResult, Solution, Unusable, exercise, right, whole_number, wrong


@exercise("00 · exercise 1 (predict, then measure: what counts as an argument)")
def check_argc_prediction(prediction: object, measured: object) -> CheckResult:
    """Notebook 00: the exit code the learner predicted for the browser check's module
    (``argc - 1``) run with the one argument ``"same bytes"``, against the code the run
    ``measured``."""
    guess = whole_number(prediction, "your prediction")
    truth = whole_number(measured, "the measured exit code")
    if guess == truth:
        return right(
            f"{truth}, as you predicted. The host hands the module a list of strings, its own "
            "name first: a string with a space in it is still one argument, since no shell "
            "stands between the host and the module to split it. Notebook 04 passes arguments "
            "the same way."
        )
    if guess > truth:
        hint = (
            "Count what the module counts: its own name, then each string of the list the "
            "cell passes, spaces and all; it exits with that count minus one."
        )
    else:
        hint = (
            "Count what the module counts: argc includes the module's own name, then one for "
            "each string of the list; it exits with that count minus one."
        )
    return wrong(f"you predicted {guess}; this run measured {truth}.", hint)


#: Exercise 2: of notebooks 06-09, the ones that put wasm beside containers or images.
CONTAINER_NOTEBOOKS = frozenset({6, 7, 9})


def _notebook_numbers(answer: object) -> set[int]:
    items = [answer] if isinstance(answer, int | str) else answer
    if isinstance(items, bool) or not isinstance(items, set | list | tuple | frozenset):
        raise Unusable("give a set of notebook numbers, like {6, 8}.")
    numbers = set()
    for item in items:
        try:
            number = int(str(item).strip())
        except ValueError:
            raise Unusable(
                f"{item!r} is not a notebook number.", "Write numbers, like {6, 8}."
            ) from None
        if number not in (6, 7, 8, 9):
            raise Unusable(
                f"{number} is not one of notebooks 06 to 09.", "Choose from 6, 7, 8 and 9."
            )
        numbers.add(number)
    return numbers


def _here(docker_available: bool, turned_off: bool) -> str:
    """What this machine does with those notebooks, and why, in the learner's terms."""
    if docker_available:
        return "Here Docker answers, so they measure real containers."
    why = "you turned Docker off (KIT_DOCKER=off)" if turned_off else "no Docker daemon answers"
    return f"Here {why}, so they show recorded container data, marked as such."


@exercise("00 · exercise 2 (which notebooks need Docker)")
def check_container_notebooks(
    answer: object, *, docker_available: bool | None = None, turned_off: bool | None = None
) -> CheckResult:
    """Notebook 00: of notebooks 06-09, the ones that put wasm beside containers and so show
    recorded container data where Docker is off or missing. ``docker_available`` and
    ``turned_off`` (KIT_DOCKER=off) describe this machine; read here when None."""
    given = _notebook_numbers(answer)
    if given == CONTAINER_NOTEBOOKS:
        from ..containers.docker import docker_disabled, docker_status

        if turned_off is None:
            turned_off = docker_disabled()
        if docker_available is None:
            docker_available = docker_status().available
        return right(
            "yes: 06, 07 and 09 put wasm beside containers; 08 compares wasm with native code, "
            f"so it measures the same way on every machine. {_here(docker_available, turned_off)}"
        )
    if 8 in given:
        return wrong(
            "one of these never starts a container.",
            "Read claim 4 in the opening: near-native speed is compared with what?",
        )
    missing = len(CONTAINER_NOTEBOOKS - given)
    return wrong(
        f"you left out {'one notebook that compares' if missing == 1 else f'{missing} notebooks that compare'} "
        "wasm with containers.",
        "Read the claims in the opening and the line under them, each with its notebooks: "
        "which ones put wasm beside a container or a container image?",
    )


SOLUTIONS = (
    Solution(
        "00",
        1,
        """
    prediction = 1  # written before the measuring cell ran: one argument, "same bytes"
    measured = kh.run_wasm(kh.BROWSER_CHECK_WAT, ["same bytes"]).exit_code
    kh.check_argc_prediction(prediction, measured)
    """,
        'argc counts the module\'s name and the one string "same bytes": 2, and the module '
        "exits with argc - 1. A host passes arguments as a list; only a shell splits text at "
        "spaces, and there is none here.",
    ),
    Solution(
        "00",
        2,
        """
    answer = {6, 7, 9}
    kh.check_container_notebooks(answer)
    """,
        "Start-up (06) and size (07) are compared with containers and images, and 09 ships "
        "wasm the container way; 08 compares wasm with native code only.",
    ),
)
