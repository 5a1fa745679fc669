"""Notebook 06 · start-up against containers: the live plot and the start-up ratio checks.

Checks that grade a measured number take the learner's own result as a second argument,
so the right answer is the one *their* machine produced.
"""

from __future__ import annotations

from typing import Any

from .._display import format_seconds
from .._errors import KitError
from ..bench.results import variant_summaries
from ..report.plots import LiveStartupPlot
from ..report.verdicts import SEVERAL_SECONDS_FROM_S
from .checks import IN_NOTEBOOK, CheckResult, Solution, close, exercise, number, right, wrong


@exercise("06 · exercise 1 (the start-up ratio)")
def check_startup_ratio(answer: object, result: Any) -> CheckResult:
    """Notebook 06: docker-scratch's median divided by wasm-instantiate's, from ``result``."""
    summaries = variant_summaries(result)
    if "docker-scratch" not in summaries or "wasm-instantiate" not in summaries:
        return wrong("this result lacks docker-scratch or wasm-instantiate; run the benchmark cell first.")
    container, wasm = summaries["docker-scratch"].median_s, summaries["wasm-instantiate"].median_s
    truth = container / wasm
    given = number(answer)
    if close(given, truth):
        return right(f"yes: about {truth:,.0f}×. A container start costs that many wasm starts here.")
    if close(given, 1 / truth):
        return wrong("you divided the other way round.", "Put the container's median on top: the slower one.")
    return wrong(
        f"{given:,.3g} is not the ratio of the two medians.",
        f"Divide result.variants['docker-scratch'].stats.median_s ({format_seconds(container)}) by "
        f"result.variants['wasm-instantiate'].stats.median_s ({format_seconds(wasm)}).",
    )


@exercise("06 · exercise 2 (does the claim hold?)")
def check_several_seconds(answer: object, result: Any) -> CheckResult:
    """Notebook 06: True if docker-scratch took several seconds (>= 2 s) in ``result``."""
    if not isinstance(answer, bool):
        return wrong(f"answer True or False, not {answer!r}.")
    container = variant_summaries(result).get("docker-scratch")
    if container is None:
        return wrong("this result has no docker-scratch variant; run the benchmark cell first.")
    truth = container.median_s >= SEVERAL_SECONDS_FROM_S
    if answer == truth:
        if truth:
            return right(f"right: {format_seconds(container.median_s)} is several seconds; the claim holds here.")
        return right(
            f"right: {format_seconds(container.median_s)} is a fraction of a second; the claim overstates it here."
        )
    return wrong(
        f"look at the docker-scratch row again: its median is {format_seconds(container.median_s)}.",
        f"'Several seconds' means at least {SEVERAL_SECONDS_FROM_S:g} s.",
    )


# --- the hello image the by-hand cells run ------------------------------------------------


def hello_image(example: str = "hello", *, client: Any | None = None) -> str:
    """The tag of a ``FROM scratch`` image holding ``example``'s static native build. Its
    tag carries your owner id, so it is yours alone on a shared daemon; it is built the
    first time and kept (``kh.cleanup()`` removes it). Notebooks 06 and 07."""
    import docker.errors

    from ..containers.docker import connect
    from ..containers.images import scratch_image
    from ..toolchains.build import native_binary

    tag = hello_image_tag(example)
    docker_client = client if client is not None else connect()
    try:
        docker_client.images.get(tag)
    except docker.errors.ImageNotFound:
        scratch_image(native_binary(example, "c").path, tag, client=docker_client)
    finally:
        if client is None:
            docker_client.close()
    return tag


def hello_image_tag(example: str = "hello") -> str:
    """``kit-<example>:<your owner id>``, the tag :func:`hello_image` builds."""
    from ..containers.images import owner_tag

    return owner_tag(f"kit-{example}")


def hello_output(example: str = "hello") -> str:
    """What ``example`` prints, from its wasm build run once by the kit: what every other
    way of running it (a container, a pulled artifact) must print too."""
    from ..toolchains.build import wasm_module
    from ..wasm.runner import run_wasm

    return run_wasm(wasm_module(example, "c").path).check().stdout_text


#: Small by default so a headless run of notebook 06 stays well under 90 s; the learner's
#: Start button runs again with as many repetitions as they like.
NOTEBOOK_REPEAT = 5
NOTEBOOK_WARMUP = 1


def live_startup(
    example: str = "hello", *, repeat: int = NOTEBOOK_REPEAT, warmup: int = NOTEBOOK_WARMUP,
    precision: float | None = None, budget_s: float = 60.0, run: bool = True,
) -> LiveStartupPlot[Any]:
    """Show the live start-up plot with Start/Stop and run it once in this cell (notebook 06).
    ``precision`` and ``budget_s`` are :func:`~kernel_helpers.bench.startup.run_startup`'s:
    more rounds of the headline pair until its ratio is that tight, or the budget is spent.

    If the run fails (Docker went away mid-run, a build failed), the plot shows the
    recorded reference data instead and ``live.error`` says what happened.
    """
    from ..bench.startup import VARIANTS, run_startup

    names = [v.name for v in VARIANTS]
    live: LiveStartupPlot[Any] = LiveStartupPlot(
        names, expected_samples=len(names) * repeat, title=f"Start-up of '{example}', live"
    )

    def runner(on_sample: Any, stop: Any) -> Any:
        return run_startup(example, repeat=repeat, warmup=warmup, on_sample=on_sample, stop=stop,
                           progress=False, precision=precision, budget_s=budget_s)

    live.show()
    if run:
        live.run(runner, blocking=True)
        if live.error is not None:
            fall_back_to_recorded(live, example)
    else:
        live.set_runner(runner)
    return live


def fall_back_to_recorded(live: LiveStartupPlot[Any], example: str = "hello") -> None:
    """Put the recorded reference result in ``live.result`` and on the plot, and say why."""
    from ..bench.reference import recorded_result

    reason = str(live.error).splitlines()[0] if live.error else "no measurement"
    print(f"The live run did not finish ({reason}).")
    try:
        live.result = recorded_result("startup", example)
    except KitError as err:
        print(f"No recorded data either: {err}")
        return
    print("Showing the recorded reference run instead: every figure below is recorded, not measured here.")
    live.show_result(live.result)
    live.state = "failed; recorded data shown"
    live.redraw()


SOLUTIONS = (
    Solution(
        "06", 1,
        """
    answer = result.variants["docker-scratch"].stats.median_s / result.variants["wasm-instantiate"].stats.median_s
    kh.check_startup_ratio(answer, result)
    """,
        "The slower start goes on top; result.ratio('docker-scratch', 'wasm-instantiate') gives the same.",
        IN_NOTEBOOK,
    ),
    Solution(
        "06", 2,
        """
    answer = result.variants["docker-scratch"].stats.median_s >= 2.0
    kh.check_several_seconds(answer, result)
    """,
        "'Several seconds' starts at two; compare the median, not one lucky or unlucky sample.",
        IN_NOTEBOOK,
    ),
)
