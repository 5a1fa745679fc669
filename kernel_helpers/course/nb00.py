"""Notebook 00 · setup check: which languages compile here, and whether 06-09 show recorded data.

The report the notebook opens with is :mod:`.doctor`'s.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..toolchains.detect import LANGUAGE_NAMES, LANGUAGES
from ..toolchains.proof import builds_for_wasm
from .checks import CheckResult, Solution, Unusable, exercise, right, wrong

LANGUAGE_ALIASES = {
    "c": "c",
    "cpp": "cpp",
    "c++": "cpp",
    "cxx": "cpp",
    "rust": "rust",
    "rs": "rust",
    "go": "go",
    "golang": "go",
}


def _languages(answer: Iterable[str] | str) -> set[str]:
    items = [answer] if isinstance(answer, str) else list(answer)
    found = set()
    for item in items:
        key = str(item).strip().lower()
        if key not in LANGUAGE_ALIASES:
            raise Unusable(
                f"{item!r} is not one of the course's languages.",
                'Write a set of names from "c", "cpp", "rust", "go", like {"c", "go"}.',
            )
        found.add(LANGUAGE_ALIASES[key])
    return found


@exercise("00 · exercise 1 (languages)")
def check_languages_here(
    answer: Iterable[str] | str, *, available: Iterable[str] | None = None
) -> CheckResult:
    """Notebook 00: which languages can this machine compile to wasm? A set like ``{"c", "go"}``.

    ``available`` is the truth to compare with; by default the languages whose compiler
    here built and ran a program (the doctor's ✅ rows, not merely a compiler on disk).
    """
    given = _languages(answer)
    truth = (
        set(available)
        if available is not None
        else {lang for lang in LANGUAGES if builds_for_wasm(lang)}
    )
    if given == truth:
        names = ", ".join(LANGUAGE_NAMES[lang] for lang in LANGUAGES if lang in truth) or "none"
        return right(f"yes: {names}. Notebooks 02 and 03 compile those live.")
    extra = sorted(given - truth)
    missing = sorted(truth - given)
    if extra:
        names = ", ".join(LANGUAGE_NAMES[lang] for lang in extra)
        return wrong(
            f"this machine has no wasm compiler for {names}.",
            "Find its row in the report: the ⚠️ means no compiler here builds it for wasm "
            "(a prebuilt module stands in).",
        )
    names = ", ".join(LANGUAGE_NAMES[lang] for lang in missing)
    return wrong(
        f"you left out {names}.",
        "Its row in the report has a ✅: a compiler here built and ran a program.",
    )


def _why_no_docker(turned_off: bool) -> str:
    """Why the course has no Docker here, in the learner's terms."""
    if turned_off:
        return "you turned Docker off (KIT_DOCKER=off), so the course does not ask it"
    return "no Docker daemon answers"


@exercise("00 · exercise 2 (recorded data)")
def check_recorded_data(
    answer: object, *, docker_available: bool | None = None, turned_off: bool | None = None
) -> CheckResult:
    """Notebook 00: will notebooks 06-09 show *recorded* container data here? True or False.
    ``turned_off``: KIT_DOCKER=off asked for the no-Docker path (read from the environment
    when None), which the check names instead of "no daemon answers"."""
    if not isinstance(answer, bool):
        return wrong(f"answer with True or False, not {answer!r}.")
    from ..containers.docker import docker_disabled, docker_status

    if turned_off is None:
        turned_off = docker_disabled()
    if docker_available is None:
        docker_available = docker_status().available
    recorded = not docker_available
    why = _why_no_docker(turned_off)
    if answer == recorded:
        if recorded:
            return right(f"right: {why}, so 06-09 show recorded data.")
        return right("right: Docker answers, so 06-09 measure real containers here.")
    if recorded:
        return wrong(
            "look at the Docker row again.",
            f"It has a ⚠️: {why}, so the course falls back to recorded numbers.",
        )
    return wrong(
        "look at the Docker row again.",
        "It has a ✅: a daemon answered, so the course can build and time real containers.",
    )


SOLUTIONS = (
    Solution(
        "00",
        1,
        """
    answer = {lang for lang in kh.LANGUAGES if kh.builds_for_wasm(lang)}
    kh.check_languages_here(answer)
    """,
        "Read the ✅ rows of the report; the code asks the same question the doctor asks.",
    ),
    Solution(
        "00",
        2,
        """
    answer = not kh.docker_status().available
    kh.check_recorded_data(answer)
    """,
        "Recorded data stands in exactly when no Docker daemon answers (or KIT_DOCKER=off).",
    ),
)
