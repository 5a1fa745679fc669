"""Notebook 00 · setup check: what counts as an argument, and which claims a machine
without Docker checks live.

The report the notebook opens with is :mod:`.doctor`'s.
"""

from __future__ import annotations

from .._display import in_words
from .checks import (
    CheckResult,
    Solution,
    Unusable,
    exercise,
    prediction_exercise,
    right,
    states_measurement,
    whole_number,
    wrong,
)

#: Exercise 1's lesson, said whatever the prediction: what the module counted.
ARGC_LESSON = (
    "The host hands the module a list of strings, its own name first: a string with a space "
    "in it is still one argument, since no shell stands between the host and the module to "
    "split it. Notebook 04 passes arguments the same way."
)


@prediction_exercise("00 · exercise 1 (predict, then measure: what counts as an argument)")
def check_argc_prediction(prediction: object, measured: object) -> CheckResult:
    """Notebook 00: the exit code the learner predicted for the browser check's module
    (``argc - 1``) run with the one argument ``"same bytes"``, against the code the run
    ``measured``."""
    guess = whole_number(prediction, "your prediction")
    truth = whole_number(measured, "the measured exit code")
    if guess == truth:
        return states_measurement(right(f"{truth}, as you predicted. {ARGC_LESSON}"))
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
    off = f"{abs(guess - truth)} too {'high' if guess > truth else 'low'}"
    return states_measurement(
        wrong(f"you predicted {guess}, {off}: this run measured {truth}. {ARGC_LESSON}", hint)
    )


#: The notebooks that put wasm beside containers or images, and so show recorded container
#: data where Docker is off or missing (the doctor's rows say which part each needs).
CONTAINER_NOTEBOOKS = frozenset({6, 7, 9})
#: The notebooks each of the four claims names at the top of notebook 00 (a test reads them
#: there, so the two cannot drift apart).
CLAIM_NOTEBOOKS: dict[int, frozenset[int]] = {
    1: frozenset({6}),
    2: frozenset({3, 7}),
    3: frozenset({0, 1, 7}),
    4: frozenset({8}),
}
#: Exercise 2: the claims a machine without Docker still checks entirely live.
LIVE_CLAIMS = frozenset(
    c for c, notebooks in CLAIM_NOTEBOOKS.items() if not notebooks & CONTAINER_NOTEBOOKS
)


def _claim_numbers(answer: object) -> set[int]:
    items = [answer] if isinstance(answer, int | str) else answer
    if isinstance(items, bool) or not isinstance(items, set | list | tuple | frozenset):
        raise Unusable("give a set of claim numbers, like {1, 3}.")
    numbers = set()
    for item in items:
        try:
            number = int(str(item).strip())
        except ValueError:
            raise Unusable(
                f"{item!r} is not a claim number.", "Write numbers, like {1, 3}."
            ) from None
        if number not in CLAIM_NOTEBOOKS:
            raise Unusable(f"there is no claim {number}.", "The claims are numbered 1 to 4.")
        numbers.add(number)
    return numbers


def _here(docker_available: bool, turned_off: bool) -> str:
    """What this machine does with those notebooks, and why, in the learner's terms."""
    if docker_available:
        return "Here Docker answers, so those notebooks measure real containers."
    why = "you turned Docker off (KIT_DOCKER=off)" if turned_off else "no Docker daemon answers"
    return f"Here {why}, so those notebooks show recorded container data, marked as such."


def _notebooks(numbers: frozenset[int]) -> str:
    return in_words([f"{n:02d}" for n in sorted(numbers)])


def _why_live(claims: frozenset[int]) -> str:
    """Each claim's verdict, from the two tables above: live, or which of its notebooks needs Docker."""
    said = []
    for claim, notebooks in CLAIM_NOTEBOOKS.items():
        docker = notebooks & CONTAINER_NOTEBOOKS
        if not docker:
            said.append(f"claim {claim}'s {_notebooks(notebooks)} starts no container")
        elif docker == notebooks:
            said.append(f"claim {claim} rests on {_notebooks(docker)}")
        else:
            said.append(
                f"claim {claim} names {_notebooks(docker)} beside {_notebooks(notebooks - docker)}"
            )
    return "; ".join(said)


@exercise("00 · exercise 2 (what a machine without Docker checks live)")
def check_claims_without_docker(
    answer: object, *, docker_available: bool | None = None, turned_off: bool | None = None
) -> CheckResult:
    """Notebook 00: of the four claims, the ones a machine without Docker still checks
    entirely against its own measurements: those none of whose notebooks needs Docker.
    Walk 8, S1: the notebooks themselves (06, 07, 09) are named by the doctor's rows above
    the exercise, so the learner now combines them with each claim's notebooks. Walk 10,
    S7: the prompt says a claim counts only if none of its notebooks shows recorded data.
    ``docker_available`` and ``turned_off`` (KIT_DOCKER=off) describe this machine; read
    here when None."""
    given = _claim_numbers(answer)
    if given == LIVE_CLAIMS:
        from ..containers.docker import docker_disabled, docker_status

        if turned_off is None:
            turned_off = docker_disabled()
        if docker_available is None:
            docker_available = docker_status().available
        return right(
            f"yes: {_why_live(LIVE_CLAIMS)}. A claim is checked live only if every notebook "
            f"it names is. {_here(docker_available, turned_off)}"
        )
    needs_docker = given - LIVE_CLAIMS
    if needs_docker:
        count = len(needs_docker)
        return wrong(
            f"{count} of the claims you gave {'rests' if count == 1 else 'rest'} in part on a "
            "notebook that needs Docker.",
            "A claim is checked entirely live only if every notebook it names runs without "
            "Docker: set each claim's notebooks beside the ones that show recorded container data.",
        )
    return wrong(
        "you left out a claim none of whose notebooks starts a container.",
        "Which claim compares wasm with something other than a container?",
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
    answer = {4}
    kh.check_claims_without_docker(answer)
    """,
        "Without Docker, 06, 07 and 09 show recorded container data. Claim 1 rests on 06; "
        "claims 2 and 3 each name 07 beside notebooks that run anywhere, so part of each is "
        "recorded; only claim 4's notebook, 08, compares wasm with native code and starts no "
        "container.",
    ),
)
