"""The start-up verdict's sentence on notebook 06's cold start, the docker run that first
pulls its image from a registry on this machine, read from its ratio to a start with the
image already here. Notebook 06 prints it in its verdict; notebook 10 quotes it beside
07's pulls over a shaped link, naming 06."""

from __future__ import annotations

from .._display import format_seconds
from ..bench.results import Measurement
from .claims import SEVERAL_SECONDS_FROM_S

#: Notebook 06's cold start as 06 names it, and as 10 quoting it beside 07's does (walk 10,
#: S6: 06 read "Notebook 06's cold start").
COLD_START_IN_06, COLD_START_QUOTED = "This notebook's cold start", "Notebook 06's cold start"
LOCAL_PULL = "{}, which first pulls the image from a registry on this machine"
OVER_A_NETWORK = "notebook 07 pulls over a link shaped like a network"


def local_pull_sentence(pull: Measurement, scratch: Measurement | None, named: str) -> str:
    """What pulling first added to a container start, read from the ratio of the two
    runs and its interval (walk 7, S16: "took 849 ms: that is where the seconds in the
    claim come from" stood beside "no measurable difference" for the same pair)."""
    took = f"{LOCAL_PULL.format(named)}, took {format_seconds(pull.median_s)}"
    took += " (recorded, not measured here)" if pull.recorded else ""
    if scratch is None:
        return f"{took}; {OVER_A_NETWORK}."
    ratio = pull.ratio_over(scratch)
    against = (
        f"{took} against {format_seconds(scratch.median_s)} with the image already here "
        f"(docker-pull-run / docker-scratch: {ratio.text()})"
    )
    if not ratio.measurable:
        return f"{against}: the local pull added no time these runs can see; {OVER_A_NETWORK}."
    if ratio.value < 1:
        return (
            f"{against}: faster, which a pull cannot make it, so read the two as this run's noise."
        )
    if pull.median_s < SEVERAL_SECONDS_FROM_S:
        return f"{against}: the pull added time, yet not several seconds; {OVER_A_NETWORK}."
    if scratch.median_s < SEVERAL_SECONDS_FROM_S:
        return f"{against}: the pull is what made it several seconds."
    return f"{against}: the pull added to a start that took seconds already."
