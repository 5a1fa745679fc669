"""The benchmark worker: a small Python process that times start-up away from the kernel.

A Jupyter kernel is a poor stopwatch: it is big, it has busy threads (the IOPub thread,
widget comms, matplotlib redraws), and every process it starts pays for that. So the
start-up benchmark runs here instead, in a process that imports only the standard
library, wasmtime and (for the pull variant) the docker SDK, spawned once per run, like
hyperfine's parent.

Protocol, one JSON document per line, typed on both sides: the parent writes the plan
(:class:`Plan`: warm-up, repeat, one :class:`~.variants.Job` per variant, and the groups
of variants timed ``together``) on stdin and may later write ``stop`` (end after the
current sample). The worker answers on stdout with
a :class:`Sample` after every timed sample, then :class:`Measured` or :class:`Failed` per
variant, and :class:`Done`. :func:`encode_plan`/:func:`decode_plan` and
:func:`encode_event`/:func:`decode_event` are the only places the JSON is seen.

Every variant treats its output the same way: a process's stdout and stderr go to
/dev/null, and a wasm module's WASI stdout and stderr are files opened on /dev/null (no
Python callback per write). Each variant runs once untimed with its output captured and
compared with ``expect`` before it is timed, so a broken variant fails loudly.

The variants of a ratio run together: each checked, then their warm-ups and timed samples
alternate (``interleave.py``), so both sides of the ratio see the same moments of the
machine. Every other variant runs alone, in the plan's order.

Variant kinds: one typed spec each, next to the variants in ``variants.py``
(:class:`~.variants.CommandSpec`, :class:`~.variants.WasmSpec`,
:class:`~.variants.ComponentSpec`, :class:`~.variants.OciPullSpec`,
:class:`~.variants.CallSpec`, :class:`~.variants.FirstResponseSpec`,
:class:`~.variants.ContainerdSpec`). A first-response sample is the figure the server
reports, from asking for it to its first answer, which must be 200 and ``expect``; the
stopping that follows is not timed. A containerd sample is its task, from creation to
exit: the container is made before it and removed after it, untimed (:class:`Steps`).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from .._errors import BenchmarkError
from .cold_pull import ColdPull
from .harness import _spawn_and_wait
from .interleave import Contender, groups, interleaved
from .variants import (
    CallSpec,
    CommandSpec,
    ComponentSpec,
    ContainerdSpec,
    FirstResponseSpec,
    Job,
    OciPullSpec,
    WasmSpec,
    decode_job,
    encode_job,
)

#: What the parent runs: ``[sys.executable, "-m", WORKER_MODULE]``.
WORKER_MODULE = "kernel_helpers.bench.worker"


class _Stop:
    """The ``stop`` line from the parent, read by a thread that sleeps in ``readline``
    (it wakes once, when the parent writes; it never competes with a timed sample)."""

    def __init__(self, stream: IO[str]) -> None:
        self.event = threading.Event()
        self._stream = stream
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        for line in self._stream:
            if line.strip() == "stop":
                self.event.set()
                return
        self.event.set()  # the parent went away: nobody wants the rest


# --- what goes over the pipe: the plan down, events up --------------------------------------


@dataclass(frozen=True)
class Plan:
    """What the worker is asked to do: ``warmup`` untimed then ``repeat`` timed runs of each
    job; the variants named in each group of ``together`` have their runs interleaved."""

    warmup: int
    repeat: int
    jobs: tuple[Job, ...]
    together: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Sample:
    """One timed run of ``name``: its ``index`` among the timed runs and its seconds."""

    name: str
    index: int
    seconds: float


@dataclass(frozen=True)
class Measured:
    """All of ``name``'s samples; ``stopped`` when a stop cut them short."""

    name: str
    samples: tuple[float, ...]
    stopped: bool


@dataclass(frozen=True)
class Failed:
    """``name`` gave no samples: its ``message``, and ``never_ran`` when a stop came before it started."""

    name: str
    message: str
    never_ran: bool = False


@dataclass(frozen=True)
class Done:
    """The worker finished every job."""


Event = Sample | Measured | Failed | Done
_EVENTS: dict[str, type[Event]] = {
    "sample": Sample,
    "measured": Measured,
    "failed": Failed,
    "done": Done,
}
_EVENT_NAMES = {kind: name for name, kind in _EVENTS.items()}


def encode_plan(plan: Plan) -> str:
    """The plan as the one JSON line the worker reads first."""
    jobs = [encode_job(job) for job in plan.jobs]
    together = [list(group) for group in plan.together]
    return json.dumps(
        {"warmup": plan.warmup, "repeat": plan.repeat, "variants": jobs, "together": together}
    )


def decode_plan(line: str) -> Plan:
    data = json.loads(line)
    jobs = tuple(decode_job(job) for job in data["variants"])
    together = tuple(tuple(str(name) for name in group) for group in data.get("together", []))
    return Plan(int(data.get("warmup", 3)), int(data.get("repeat", 20)), jobs, together)


def encode_event(event: Event) -> str:
    return json.dumps({"event": _EVENT_NAMES[type(event)], **asdict(event)})


def decode_event(line: str) -> Event:
    data = json.loads(line)
    kind = _EVENTS[data.pop("event")]
    if kind is Measured:
        data["samples"] = tuple(float(s) for s in data["samples"])
    event: Event = kind(**data)
    return event


# --- how each kind of variant runs once ---------------------------------------------------

#: One run of a variant: stdout and stderr go to the two paths given; returns the exit status.
RunOnce = Callable[[str, str], int]


def wasm_runner(spec: WasmSpec) -> RunOnce:
    """A function running the module once with stdout and stderr sent to the two paths it
    is given; it returns the guest's exit status. Compilation happens where ``mode`` says."""
    import wasmtime

    engine = wasmtime.Engine()
    module_path = spec.module
    mode = spec.mode
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    if mode == "compile":
        wasm = Path(module_path).read_bytes()

        def load() -> Any:
            return wasmtime.Module(engine, wasm)

    elif mode == "cached":
        serialized = str(spec.serialized)

        def load() -> Any:
            return wasmtime.Module.deserialize_file(engine, serialized)

    elif mode == "instantiate":
        pre = linker.instantiate_pre(wasmtime.Module.from_file(engine, module_path))
    else:
        raise BenchmarkError(f"unknown wasm mode {mode!r}")
    argv = [Path(module_path).name, *spec.args]

    def run(out: str, err: str) -> int:
        store = wasmtime.Store(engine)
        store.set_wasi(_wasi_config(spec.dirs, argv, out, err))
        instance = (
            pre.instantiate(store) if mode == "instantiate" else linker.instantiate(store, load())
        )
        start = instance.exports(store)["_start"]
        if not isinstance(start, wasmtime.Func):
            raise BenchmarkError(f"{module_path}: _start is not a function")
        try:
            start(store)
        except wasmtime.ExitTrap as exit_trap:
            return int(exit_trap.code)
        return 0

    return run


def _wasi_config(dirs: tuple[tuple[str, str], ...], argv: list[str], out: str, err: str) -> Any:
    """The same WASI set-up for a module and a component: output to the two paths given."""
    import wasmtime

    wasi = wasmtime.WasiConfig()
    wasi.argv = argv
    wasi.stdout_file = out
    wasi.stderr_file = err
    for host, guest in dirs:
        wasi.preopen_dir(host, guest, False)  # read-only, as runwasi mounts the rootfs
    return wasi


def component_runner(spec: ComponentSpec) -> RunOnce:
    """A WASI 0.2 command component, compiled once here, then linked and instantiated on
    every run and its ``wasi:cli/run`` called. wasmtime-py has no pre-instantiation for
    components, so each run also pays the linking that ``wasm-instantiate`` does once."""
    import wasmtime
    import wasmtime.component as wc

    from ..wasm.component import run_export

    engine = wasmtime.Engine()
    path = spec.component
    component = wc.Component(engine, Path(path).read_bytes())
    linker = wc.Linker(engine)
    linker.add_wasip2()
    _, run_index = run_export(component, engine)
    argv = [Path(path).name, *spec.args]

    def run(out: str, err: str) -> int:
        store = wasmtime.Store(engine)
        store.set_wasi(_wasi_config(spec.dirs, argv, out, err))
        instance = linker.instantiate(store, component)
        outcome = instance.get_func(store, run_index)(store)  # type: ignore[misc]
        # wasi:cli/run returns result<_, _>: a component's exit status is ok or failed.
        return 0 if getattr(outcome, "tag", "ok") == "ok" else 1

    return run


def _command_runner(spec: CommandSpec, name: str) -> RunOnce:
    argv = list(spec.argv)

    def run(out: str, err: str) -> int:
        status = _spawn_and_wait(argv, os.devnull, spec.timeout_s, stdout=out, stderr=err)[1]
        if status != 0 and spec.image is not None:
            _image_still_there(argv[0], spec.image, name)
        return status

    return run


def _image_still_there(docker_cli: str, image: str, name: str) -> None:
    """A container run that failed because its image is gone (removed by a cleanup on the
    same daemon while we measured) says so, rather than as a pull or lookup error."""
    probe = subprocess.run(
        [docker_cli, "image", "inspect", image], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, timeout=30, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        raise BenchmarkError(
            f"{name}: the image {image} was removed while measuring (a cleanup on this "
            "Docker daemon?); run the benchmark again and it is rebuilt"
        )


def pull_and_run(reference: str, auth_file: str, *, out: str, err: str) -> int:
    """The OCI variant's one run: pull the artifact over the registry's HTTP API (digests
    checked), then compile and run it as runwasi would, output to ``out``/``err``."""
    from ..containers.oci import pull_wasm

    with tempfile.TemporaryDirectory(prefix="kit-oci-") as folder:
        pulled = pull_wasm(reference, Path(folder), tool="http", auth_file=auth_file)
        dirs = ((str(pulled.rootfs), "/"),) if pulled.rootfs is not None else ()
        spec = WasmSpec(
            module=str(pulled.module), mode="compile", args=tuple(pulled.argv[1:]), dirs=dirs
        )
        return wasm_runner(spec)(out, err)


def _oci_pull_runner(spec: OciPullSpec) -> RunOnce:
    def run(out: str, err: str) -> int:
        return pull_and_run(spec.reference, spec.auth_file, out=out, err=err)

    return run


def _target(target: str) -> Any:
    """The function a ``target`` "module:function" names."""
    module_name, _, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _call_runner(spec: CallSpec) -> RunOnce:
    function = _target(spec.target)

    def run(out: str, err: str) -> int:
        status: int = function(*spec.args, out=out, err=err)
        return status

    return run


def _untimed_before(spec: object) -> Callable[[], None]:
    """What a call variant asks for before each run, outside the timer; else nothing."""
    if not isinstance(spec, CallSpec) or spec.before is None:
        return _nothing
    function, args = _target(spec.before), spec.args
    return lambda: function(*args)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Steps:
    """One run of a variant: ``run`` is timed; ``before`` and ``after`` happen around it
    on every run, untimed (a container made for the run and removed after it)."""

    run: RunOnce
    before: Callable[[], None] = _nothing
    after: Callable[[], None] = _nothing

    def once(self, out: str, err: str) -> tuple[int, float]:
        """Run once: the exit status and the seconds ``run`` took. ``after`` runs even
        when ``run`` fails, so nothing is left behind."""
        self.before()
        try:
            start = time.perf_counter()
            status = self.run(out, err)
            return status, time.perf_counter() - start
        finally:
            self.after()


class _ContainerdRun:
    """A container made, its task run, the container removed: one run of a
    :class:`~.variants.ContainerdSpec`, every command through the spec's ``ctr``."""

    def __init__(self, spec: ContainerdSpec) -> None:
        self.spec = spec
        self.container = ""

    def _ctr(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.spec.ctr, *args], capture_output=True, text=True,
            timeout=self.spec.timeout_s, check=False,
        )  # fmt: skip

    def create(self) -> None:
        self.container = f"kit-bench-{uuid.uuid4().hex[:12]}"
        done = self._ctr(
            "containers", "create", *self.spec.options, self.spec.image, self.container
        )
        if done.returncode != 0:
            raise BenchmarkError(f"ctr containers create failed: {done.stderr.strip()[-300:]}")

    def start(self, out: str, err: str) -> int:
        """``ctr tasks start``: the shim creates the task, it runs to its exit, ctr deletes it."""
        argv = [*self.spec.ctr, "tasks", "start", self.container]
        return _spawn_and_wait(argv, os.devnull, self.spec.timeout_s, stdout=out, stderr=err)[1]

    def remove(self) -> None:
        """The container and its snapshot; a task a timeout left behind is killed first."""
        if self._ctr("containers", "rm", self.container).returncode == 0:
            return
        self._ctr("tasks", "kill", "-s", "SIGKILL", self.container)
        self._ctr("tasks", "rm", "-f", self.container)
        done = self._ctr("containers", "rm", self.container)
        if done.returncode != 0:
            raise BenchmarkError(
                f"ctr containers rm {self.container} failed: {done.stderr.strip()[-300:]}"
            )

    def steps(self) -> Steps:
        return Steps(self.start, self.create, self.remove)


def steps_for(job: Job) -> Steps:
    """How ``job`` runs once: what is timed, and what happens untimed around it."""
    if isinstance(job.spec, ContainerdSpec):
        return _ContainerdRun(job.spec).steps()
    if isinstance(job.spec, CommandSpec) and job.spec.remove_image:
        # The pull and the run are timed, as docker run times only its run (cold_pull.py).
        cold = ColdPull(job.spec.remove_image)
        return Steps(runner_for(job), before=cold.remove, after=cold.restore)
    return Steps(runner_for(job), before=_untimed_before(job.spec))


def runner_for(job: Job) -> RunOnce:
    """How ``job`` runs once (every kind but the self-timed first response)."""
    spec = job.spec
    if isinstance(spec, WasmSpec):
        return wasm_runner(spec)
    if isinstance(spec, ComponentSpec):
        return component_runner(spec)
    if isinstance(spec, CommandSpec):
        return _command_runner(spec, job.name)
    if isinstance(spec, OciPullSpec):
        return _oci_pull_runner(spec)
    if isinstance(spec, CallSpec):
        return _call_runner(spec)
    if isinstance(spec, ContainerdSpec):
        raise BenchmarkError(f"{job.name}: a containerd variant runs in steps (steps_for)")
    raise BenchmarkError(f"{job.name}: a {spec.kind} variant times itself")


def first_response_runner(
    spec: FirstResponseSpec, name: str, expect: str | None
) -> Callable[[], float]:
    """Start a server from zero, take the figure it reports for its first answer (checked
    on every run: a server that answers wrongly is no server), and stop it untimed."""
    serve = _target(spec.target)

    def run() -> float:
        with serve(*spec.args) as served:
            if served.status != 200 or (expect is not None and served.body.decode() != expect):
                raise BenchmarkError(
                    f"{name}: answered {served.status} {served.body[:120]!r}, expected 200 {expect!r}"
                )
            return float(served.first_response_s)

    return run


# --- one variant: check once, then time -----------------------------------------------------


def _check_once(name: str, steps: Steps, expect: str | None) -> None:
    """Run once, untimed, with the output kept, and fail unless it is what it should be."""
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        status, _ = steps.once(str(out), str(err))
        output = out.read_text(errors="replace") if out.exists() else ""
        errors = err.read_text(errors="replace") if err.exists() else ""
    if status != 0:
        raise BenchmarkError(
            f"{name}: exited with status {status}: {(errors or output).strip()[-300:]}"
        )
    if expect is not None and output.strip() != expect.strip():
        raise BenchmarkError(
            f"{name}: printed {output.strip()[:120]!r}, expected {expect.strip()[:120]!r}"
        )


def _timer(job: Job) -> Callable[[], float]:
    """One timed run of the variant, returning seconds, after the variant's check."""
    name = job.name
    if isinstance(job.spec, FirstResponseSpec):  # it times itself
        return first_response_runner(job.spec, name, job.expect)
    steps = steps_for(job)
    _check_once(name, steps, job.expect)

    def time_one() -> float:
        status, seconds = steps.once(os.devnull, os.devnull)
        if status != 0:
            raise BenchmarkError(f"{name}: exited with status {status} during the timed runs")
        return seconds

    return time_one


def measure_group(
    jobs: Sequence[Job],
    warmup: int,
    repeat: int,
    stop: threading.Event,
    emit: Callable[[Event], None],
) -> None:
    """Check each variant's output, then time them (one variant, or the two of a ratio,
    interleaved); report each sample as it is taken, then each variant's outcome. A variant
    that fails is reported and the others go on."""
    contenders: list[Contender] = []
    for job in jobs:
        try:
            contenders.append(Contender(job.name, _timer(job)))
        except Exception as err:  # reported to the parent, which keeps the other variants
            emit(Failed(job.name, str(err).replace("\n", " ") or type(err).__name__))

    def on_sample(timed: Contender) -> None:
        emit(Sample(timed.name, len(timed.samples) - 1, timed.samples[-1]))

    stopped = interleaved(contenders, warmup, repeat, stop, on_sample)
    for contender in contenders:
        if contender.error is not None:
            emit(Failed(contender.name, contender.error))
        else:
            emit(Measured(contender.name, tuple(contender.samples), stopped))


def main() -> int:
    out = sys.stdout
    plan = decode_plan(sys.stdin.readline())
    stop = _Stop(sys.stdin).event

    def emit(event: Event) -> None:
        out.write(encode_event(event) + "\n")
        out.flush()

    for group in groups([job.name for job in plan.jobs], plan.together):
        jobs = [plan.jobs[index] for index in group]
        if stop.is_set():
            for job in jobs:
                emit(Failed(job.name, "stopped", never_ran=True))
            continue
        measure_group(jobs, plan.warmup, plan.repeat, stop, emit)
    emit(Done())
    return 0


# --- the parent's side ------------------------------------------------------------------------


@dataclass
class WorkerOutcome:
    """What came back from the worker: samples per variant, the variants a stop cut short,
    the ones that failed (with the worker's message), those a stop came before
    (``never_ran``; their message is "stopped"), and the worker's process id."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    stopped: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    never_ran: set[str] = field(default_factory=set)
    worker_pid: int | None = None


def run_in_worker(
    jobs: list[Job],
    *,
    warmup: int,
    repeat: int,
    on_sample: Callable[[str, int, float], None] | None = None,
    stop: threading.Event | None = None,
    together: Iterable[Sequence[str]] = (),
) -> WorkerOutcome:
    """Time ``jobs`` in a fresh worker process and stream its samples to ``on_sample``
    (called in this thread, so a live plot can redraw). The variants named in each group of
    ``together`` (the two of a ratio) have their samples interleaved. ``stop`` or the
    kernel's interrupt ends the run after the current sample and keeps what was measured."""
    stop = stop or threading.Event()
    package_parent = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])),
    }
    # The worker's temporary files live in a folder this side removes: a worker that dies
    # (a crash in wasmtime, a kill) cannot clean up after itself.
    with (
        tempfile.TemporaryFile("w+") as errors,
        tempfile.TemporaryDirectory(prefix="kit-worker-") as scratch,
    ):
        env["TMPDIR"] = scratch
        worker = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
        assert worker.stdin is not None and worker.stdout is not None
        outcome = WorkerOutcome(worker_pid=worker.pid)
        groups_ = tuple(tuple(group) for group in together)
        worker.stdin.write(encode_plan(Plan(warmup, repeat, tuple(jobs), groups_)) + "\n")
        worker.stdin.flush()
        finished = threading.Event()
        watcher = threading.Thread(target=_pass_stop_on, args=(stop, finished, worker), daemon=True)
        watcher.start()
        done = False
        try:
            done = _read_events(worker.stdout, outcome, on_sample, stop)
        finally:
            finished.set()
            if not done and worker.poll() is None:
                worker.kill()  # an error on our side (in on_sample): nobody reads the rest
            worker.wait()
        if not done:
            errors.seek(0)
            tail = errors.read().strip().splitlines()[-5:]
            raise BenchmarkError(
                f"the benchmark worker ended without finishing (status {worker.returncode})"
                + (": " + " | ".join(tail) if tail else ""),
                fix=f"run {sys.executable} -m {WORKER_MODULE} by hand to see why",
            )
    return outcome


def _pass_stop_on(
    stop: threading.Event, finished: threading.Event, worker: subprocess.Popen[str]
) -> None:
    """Tell the worker about a Stop (a notebook button sets ``stop`` from another thread)."""
    while not stop.wait(0.05):
        if finished.is_set():
            return
    if worker.poll() is None and worker.stdin is not None:
        with contextlib.suppress(OSError, ValueError):
            worker.stdin.write("stop\n")
            worker.stdin.close()


def _read_events(
    stream: IO[str],
    outcome: WorkerOutcome,
    on_sample: Callable[[str, int, float], None] | None,
    stop: threading.Event,
) -> bool:
    """Read the worker's events until ``done`` (True) or its end (False)."""
    while True:
        try:
            line = stream.readline()
        except KeyboardInterrupt:  # the notebook's interrupt: stop, keep reading what is left
            stop.set()
            continue
        if not line:
            return False
        event = decode_event(line)
        if isinstance(event, Sample):
            outcome.samples.setdefault(event.name, []).append(event.seconds)
            if on_sample is not None:
                on_sample(event.name, event.index, event.seconds)
        elif isinstance(event, Measured):
            outcome.samples[event.name] = list(event.samples)
            if event.stopped:
                outcome.stopped.add(event.name)
        elif isinstance(event, Failed):
            outcome.samples.pop(event.name, None)
            outcome.failed[event.name] = event.message
            if event.never_ran:
                outcome.never_ran.add(event.name)
        else:
            return True


if __name__ == "__main__":
    sys.exit(main())
