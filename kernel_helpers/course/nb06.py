"""Notebook 06 · start-up against containers: the live plot and the start-up ratio checks.

Checks that grade a measured number take the learner's own result as a second argument,
so the right answer is the one *their* machine produced.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from .._display import format_seconds, in_words
from .._errors import KitError
from ..bench.ratio import Ratio
from ..bench.results import as_result, recorded_label, variant_summaries
from ..report.claims import SEVERAL_SECONDS_FROM_S
from ..report.plots import LiveStartupPlot
from .checks import (
    IN_NOTEBOOK,
    CheckResult,
    Solution,
    Unusable,
    close,
    exercise,
    grade_prediction,
    not_yet,
    number,
    positive_number,
    prediction_exercise,
    right,
    wrong,
)

if TYPE_CHECKING:
    from ..containers.docker import DockerStatus


#: Exercise 1's pair: a ratio the table of ratios does not print (walk 10, S5: the old pair,
#: docker-scratch / wasm-instantiate, stood in the table's `medians ÷` column, read off).
RATIO_SLOW, RATIO_FAST = "docker-scratch", "wasm-compile"
RATIO_HINT = (
    f"Divide result.variants['{RATIO_SLOW}'].stats.median_s by "
    f"result.variants['{RATIO_FAST}'].stats.median_s. Or from the table: its {RATIO_SLOW} / "
    f"wasm-cached divided by its {RATIO_FAST} / wasm-cached, both in the `medians ÷` column."
)


@exercise("06 · exercise 1 (a ratio the table does not print)")
def check_startup_ratio(answer: object, result: Any) -> CheckResult:
    """Notebook 06: docker-scratch's median divided by wasm-compile's, from ``result``: the
    learner's own run, so the truth is what their machine measured."""
    model = as_result(result)
    missing = [name for name in (RATIO_SLOW, RATIO_FAST) if name not in model.variants]
    if missing:
        return wrong(
            f"this result has no {' or '.join(missing)} row; run the benchmark cell first."
        )
    truth = model.ratio(RATIO_SLOW, RATIO_FAST)
    given = number(answer)
    if close(given, truth):
        return right(_ratio_explained(model.ratio_interval(RATIO_SLOW, RATIO_FAST)))
    if close(given, 1 / truth):
        return wrong(
            "you divided the other way round.", "Put the container's median on top: the slower one."
        )
    printed = [pair.replace("/", " / ") for pair, x in model.ratios().items() if close(given, x)]
    if printed:  # read off the table: the pair as its lines name it
        return wrong(
            f"{_plain(given)} is the table's {printed[0]}, a ratio it prints; this one it does "
            f"not: {RATIO_SLOW} over {RATIO_FAST}.",
            RATIO_HINT,
        )
    return wrong(f"{_plain(given)} is not {RATIO_SLOW}'s median over {RATIO_FAST}'s.", RATIO_HINT)


def _ratio_explained(ratio: Ratio) -> str:
    """The right answer's message: the division, the lesson it carries, and how the table
    would read it with its interval (walk 8, S4: a wide interval keeps one digit)."""
    lesson = (
        "Even compiling hello from its .wasm with Cranelift on every start, wasm started that "
        "many times faster than a container here: the compiler cost less than namespaces, a "
        "cgroup and an overlay mount."
        if ratio.value > 1
        else "Here compiling hello from its .wasm on every start cost more than a container "
        "start: on this machine the compiler outweighed namespaces, a cgroup and a mount."
    )
    return (
        f"yes: {ratio.divided()}, the two medians divided. {lesson} Read as the table reads "
        f"its ratios, it is {ratio.text()}: {ratio.why_rounded()}."
    )


def _plain(value: float) -> str:
    """A learner's number as the course writes numbers (2,610, not 2.61e+03)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


#: What a prediction far above the measured start likely counted: a pull, a cold cache.
STARTUP_TOO_HIGH = "The image was already on this machine: nothing was pulled. "
STARTUP_HINT = (
    "'What each variant pays for': list what docker run does before hello's first line "
    "(API call, namespaces, cgroup, overlay mount), and compare with the native row, which "
    "does only the last step."
)


def _seconds(prediction: object) -> float:
    """The learner's prediction in seconds, from a number or a string like "300 ms"."""
    text = str(prediction).strip().lower() if isinstance(prediction, str) else prediction
    scale = 1.0
    if isinstance(text, str) and text.endswith("ms"):
        text, scale = text[:-2], 1e-3
    elif isinstance(text, str) and text.endswith("s"):
        text = text[:-1]
    return positive_number(text, 'a number of seconds, like 0.5 or "500 ms"') * scale


@prediction_exercise("06 · exercise 2 (predict, then measure: one docker run)", measured_at=1)
def check_startup_prediction(prediction: object, result: Any) -> CheckResult:
    """Notebook 06: the seconds one ``docker run`` of hello takes, predicted before the
    open-the-box cell ran, against docker-scratch's median and spread in ``result``."""
    given = _seconds(prediction)
    container = variant_summaries(as_result(result)).get("docker-scratch")
    if container is None:
        return wrong("this result has no docker-scratch variant; run the benchmark cell first.")
    stats = container.stats
    where = (
        f"{recorded_label(as_result(result)) or 'recorded on another machine'}, not measured here"
        if container.recorded
        else "measured here"
    )
    measured = (
        f"the median of {stats.n} starts was {format_seconds(stats.median_s)} (half of them "
        f"between {format_seconds(stats.q1_s)} and {format_seconds(stats.q3_s)}), {where}"
    )
    claim = (
        "several seconds here, as the claim says"
        if stats.median_s >= SEVERAL_SECONDS_FROM_S
        else "a fraction of a second here, far from the claim's several seconds: the seconds "
        "people remember come from pulling images and cold caches, which this row leaves out"
    )
    return grade_prediction(
        given,
        stats.median_s,
        said=format_seconds,
        measurement=measured,
        lesson=f"That is {claim}.",
        missed=(STARTUP_TOO_HIGH + STARTUP_HINT, STARTUP_HINT),
    )


# --- exercise 3: which lock stops it? -------------------------------------------------------

#: The six locks of the cell that opened the box, by their keyword, and what each takes
#: away: the lesson a check's answer quotes (walk 3, S17: the exercise copied the six
#: keyword arguments of that cell, and so checked attention, not understanding).
LOCK_TAKES = {
    "network_mode": "the network: a namespace holding only lo, so nothing inside reaches out",
    "read_only": "the right to change the image's files, / included: they are mounted read-only",
    "cap_drop": "every Linux capability (chown, kill, net_raw, ...): root inside may do only "
    "what any owner may, and writing its own files is one of those things",
    "security_opt": "any new privilege: a setuid program cannot gain one when it starts",
    "mem_limit": "all but a slice of the host's memory",
    "pids_limit": "all but a few process slots: a fork bomb inside cannot fill the host's table",
}
LOCKS = tuple(LOCK_TAKES)
#: The lock that stops the probe's write: the one answer the check expects.
STOPS_THE_WRITE = "read_only"
#: What the probe is asked to do in the container: write a file on its own root.
WRITE = ("write", "/note.txt", "written from inside")
_LOCK_HINT = (
    "Read what the probe said when it failed, then ask which of the six locks has that "
    "job: the cell that opened the box says what each one takes away."
)


@exercise("06 · exercise 3 (which lock stops it?)")
def check_which_lock(answer: object) -> CheckResult:
    """Notebook 06: the keyword of the lock that stops the probe writing ``/note.txt``.
    With Docker, the check runs the probe with the six locks, then with all but the named
    one (never without the network lock), and grades what the second run did."""
    from .._errors import DockerUnavailable
    from ..containers.docker import connect

    lock = str(answer).split("=")[0].strip() if isinstance(answer, str) else None
    if lock not in LOCK_TAKES:
        raise Unusable(
            f"name one lock by its keyword, as a string: {', '.join(LOCKS)}.",
            'For example "pids_limit".',
        )
    try:
        client = connect()
    except DockerUnavailable as err:
        return _lock_read_not_run(lock, err.fix)
    with contextlib.closing(client):
        return _run_without(client, lock)


def _lock_read_not_run(lock: str, fix: str | None) -> CheckResult:
    """No Docker: the answer is graded by what each lock takes away, and says nothing ran."""
    if lock == STOPS_THE_WRITE:
        return right(
            f"Docker is not here, so nothing ran, but yes: {lock} takes away {LOCK_TAKES[lock]}. "
            "The other five take other things away."
        )
    return wrong(
        f"Docker is not here, so nothing ran; {lock} takes away {LOCK_TAKES[lock]}.", _LOCK_HINT
    )


def _run_without(client: Any, lock: str) -> CheckResult:
    """The probe's write with the six locks, then without ``lock``: the lesson in two runs."""
    from ..containers.images import hardened_settings, run_with_settings
    from .probe import probe_image

    try:
        image = probe_image(client)
        locked = run_with_settings(image, hardened_settings(), WRITE, client=client)
    except KitError as err:
        return not_yet(f"the check cannot run the probe here: {err.message}", err.fix)
    said = _said(locked)
    if lock == "network_mode":  # a container with a network could reach the outside
        return wrong(
            f"with all six locks the write failed ({said}); the probe writes on its own root, "
            "and no network is part of that. (The check never opens the network to show it.)",
            _LOCK_HINT,
        )
    opened = {key: value for key, value in hardened_settings().items() if key != lock}
    try:
        unlocked = run_with_settings(image, opened, WRITE, client=client)
    except KitError as err:
        return not_yet(f"the check cannot run the probe here: {err.message}", err.fix)
    if unlocked.exit_code != 0:
        return wrong(
            f"with all six locks the write failed ({said}), and without {lock} it still "
            f"failed ({_said(unlocked)}): {lock} takes away {LOCK_TAKES[lock]}.",
            _LOCK_HINT,
        )
    return right(
        f"with all six locks the write failed ({said}); without {lock} it worked "
        f"({_said(unlocked)}). {lock} takes away {LOCK_TAKES[lock]}; root inside needs no "
        "capability to write its own files, so the other five do not stop it."
    )


def _said(run: Any) -> str:
    """What the probe said, in a few words, and how it ended."""
    words = (run.stderr or run.stdout).decode("utf-8", "replace").strip().splitlines()
    return f"{words[0] if words else 'nothing'!r}, exit {run.exit_code}"


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
    from ..toolchains.prebuilt import wasm_module
    from ..wasm.runner import run_wasm

    return run_wasm(wasm_module(example, "c").path).check().stdout_text


def containerd_rows(docker: DockerStatus | None = None) -> str:
    """One line for notebook 06's first cell: whether the two containerd rows will be
    measured here, or recorded data (and why). ``docker``: the cell's own probe, if any."""
    from ..containers.containerd import unavailable_reason
    from ..containers.docker import docker_status

    docker = docker or docker_status()
    # runc's FROM scratch image is Docker's build, so without Docker both rows are recorded.
    reason = unavailable_reason() if docker.available else f"no Docker here ({docker.reason})"
    if reason is None:
        return "containerd answers with runc and a wasm shim: the two containerd rows are measured here."
    return f"The two containerd rows will be recorded data, drawn grey and hatched: {reason}."


def recorded_rows_note(result: Any) -> str | None:
    """Notebook 06's line above its table of ratios: which rows are recorded elsewhere, and
    which ratios that makes rough (one recorded side) or another machine's (both), each
    named from ``result``; None when every row was measured here. Walk 10, S2: "ratios with
    a docker row" was said while Docker was live and only the containerd rows were recorded."""
    model = as_result(result)
    recorded = [name for name, m in model.variants.items() if m.recorded]
    if not recorded:
        return None
    where = recorded_label(model) or "recorded on another machine"
    lines = [f"Recorded elsewhere, not measured here: {', '.join(recorded)} ({where})."]
    pairs = [key.split("/", 1) for key in model.ratio_intervals()]
    mixed = [" / ".join(p) for p in pairs if (p[0] in recorded) != (p[1] in recorded)]
    both = [" / ".join(p) for p in pairs if p[0] in recorded and p[1] in recorded]
    if mixed:
        lines.append(
            f"{in_words(mixed)} {_verb(mixed, 'divides', 'divide')} a figure recorded elsewhere "
            f"by one measured here: read {_verb(mixed, 'it', 'them')} as rough."
        )
    if both:
        lines.append(
            f"{in_words(both)} {_verb(both, 'is', 'are')} recorded on both sides: "
            f"{_verb(both, 'a ratio', 'ratios')} of that machine, not of this one."
        )
    return "\n".join(lines)


def _verb(pairs: list[str], one: str, many: str) -> str:
    return one if len(pairs) == 1 else many


#: Small by default so a headless run of notebook 06 stays well under 90 s; the learner's
#: Start button runs again with as many repetitions as they like.
NOTEBOOK_REPEAT = 5
NOTEBOOK_WARMUP = 1


def live_startup(
    example: str = "hello",
    *,
    repeat: int = NOTEBOOK_REPEAT,
    warmup: int = NOTEBOOK_WARMUP,
    precision: float | None = None,
    budget_s: float = 60.0,
    run: bool = True,
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
        return run_startup(
            example,
            repeat=repeat,
            warmup=warmup,
            on_sample=on_sample,
            stop=stop,
            progress=False,
            precision=precision,
            budget_s=budget_s,
            on_phase=live.on_phase,
        )

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
    print(
        "Showing the recorded reference run instead: every figure below is recorded, not measured here."
    )
    live.show_result(live.result)
    live.state = "failed; recorded data shown"
    live.redraw()


SOLUTIONS = (
    Solution(
        "06",
        1,
        """
    answer = result.variants["docker-scratch"].stats.median_s / result.variants["wasm-compile"].stats.median_s
    kh.check_startup_ratio(answer, result)
    """,
        "The slower start goes on top; result.ratio('docker-scratch', 'wasm-compile') gives "
        "the same, and so does the table's docker-scratch / wasm-cached divided by its "
        "wasm-compile / wasm-cached (wasm-cached cancels out).",
        IN_NOTEBOOK,
    ),
    Solution(
        "06",
        2,
        """
    startup_prediction = 0.5  # seconds, written before the open-the-box cell ran
    kh.check_startup_prediction(startup_prediction, result)
    """,
        "A docker run of a FROM scratch image pays for the API call, containerd, runc's "
        "namespaces and cgroup and the overlay mount: tens to hundreds of milliseconds on a "
        "warm machine, not seconds. Within a factor of 2 of the median counts.",
        IN_NOTEBOOK,
    ),
    Solution(
        "06",
        3,
        """
    answer = "read_only"  # the probe writes on its own root, and that root is read-only
    kh.check_which_lock(answer)
    """,
        "read_only=True mounts the image's files read-only. Root inside keeps no capability, "
        "but writing its own files needs none, so cap_drop does not stop it; the network, "
        "privileges, memory and processes have nothing to do with a write.",
        needs="docker",
    ),
)
