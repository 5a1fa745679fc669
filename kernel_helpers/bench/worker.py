"""The benchmark worker: a small Python process that times start-up away from the kernel.

A Jupyter kernel is a poor stopwatch: it is big, it has busy threads (the IOPub thread,
widget comms, matplotlib redraws), and every process it starts pays for that. So the
start-up benchmark runs here instead, in a process that imports only the standard
library, wasmtime and (for the pull variant) the docker SDK, spawned once per run, like
hyperfine's parent.

Protocol, one JSON document per line. The parent writes the plan on stdin::

    {"warmup": 3, "repeat": 20, "variants": [VARIANT, ...]}

and may later write ``stop`` (end after the current sample). The worker answers on stdout
with ``{"event": "sample", "name", "index", "seconds"}`` after every timed sample, then
``{"event": "measured", "name", "samples", "stopped"}`` or ``{"event": "failed", "name",
"message"}`` per variant, and ``{"event": "done"}``.

Every variant treats its output the same way: a process's stdout and stderr go to
/dev/null, and a wasm module's WASI stdout and stderr are files opened on /dev/null (no
Python callback per write). Each variant runs once untimed with its output captured and
compared with ``expect`` before it is timed, so a broken variant fails loudly.

Variant kinds: ``command`` (``argv``; optional ``before_each.remove_image``: untag an
image before every run so each run pulls it; optional ``image``: the local image a
container variant runs, looked for when a run fails, to say it vanished), ``wasm`` (``module``, ``mode`` one of
``compile`` / ``cached`` (``serialized``: a file from ``Module.serialize``) /
``instantiate``; optional ``args`` and read-only ``dirs`` [[host, guest], ...]),
``component`` (``component``: a WASI 0.2 command component; ``args`` and ``dirs`` as for
``wasm``), ``call`` (``target`` "module:function" and ``args``: a kit function
for what has no command form, such as the OCI pull-and-run), and ``first-response``
(``target`` a kit context manager that starts a server and yields its first answer, such
as ``wasm.serve:serve_http_component``; ``args``): a sample is the figure the server
reports, from asking for it to its first answer, which must be 200 and ``expect``; the
stopping that follows is not timed.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .._errors import BenchmarkError
from .harness import _Run, _spawn_and_wait

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


# --- how each kind of variant runs once ---------------------------------------------------


def wasm_runner(spec: dict[str, Any]) -> Callable[[str, str], int]:
    """A function running the module once with stdout and stderr sent to the two paths it
    is given; it returns the guest's exit status. Compilation happens where ``mode`` says."""
    import wasmtime

    engine = wasmtime.Engine()
    module_path = str(spec["module"])
    mode = str(spec["mode"])
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    if mode == "compile":
        wasm = Path(module_path).read_bytes()

        def load() -> Any:
            return wasmtime.Module(engine, wasm)

    elif mode == "cached":
        serialized = str(spec["serialized"])

        def load() -> Any:
            return wasmtime.Module.deserialize_file(engine, serialized)

    elif mode == "instantiate":
        pre = linker.instantiate_pre(wasmtime.Module.from_file(engine, module_path))
    else:
        raise BenchmarkError(f"unknown wasm mode {mode!r}")
    argv = [Path(module_path).name, *spec.get("args", [])]

    def run(out: str, err: str) -> int:
        store = wasmtime.Store(engine)
        store.set_wasi(_wasi_config(spec, argv, out, err))
        instance = pre.instantiate(store) if mode == "instantiate" else linker.instantiate(store, load())
        start = instance.exports(store)["_start"]
        if not isinstance(start, wasmtime.Func):
            raise BenchmarkError(f"{module_path}: _start is not a function")
        try:
            start(store)
        except wasmtime.ExitTrap as exit_trap:
            return int(exit_trap.code)
        return 0

    return run


def _wasi_config(spec: dict[str, Any], argv: list[str], out: str, err: str) -> Any:
    """The same WASI set-up for a module and a component: output to the two paths given."""
    import wasmtime

    wasi = wasmtime.WasiConfig()
    wasi.argv = argv
    wasi.stdout_file = out
    wasi.stderr_file = err
    for host, guest in spec.get("dirs", []):
        wasi.preopen_dir(host, guest, False)  # read-only, as runwasi mounts the rootfs
    return wasi


def component_runner(spec: dict[str, Any]) -> Callable[[str, str], int]:
    """A WASI 0.2 command component, compiled once here, then linked and instantiated on
    every run and its ``wasi:cli/run`` called. wasmtime-py has no pre-instantiation for
    components, so each run also pays the linking that ``wasm-instantiate`` does once."""
    import wasmtime
    import wasmtime.component as wc

    from ..wasm.component import run_export

    engine = wasmtime.Engine()
    path = str(spec["component"])
    component = wc.Component(engine, Path(path).read_bytes())
    linker = wc.Linker(engine)
    linker.add_wasip2()
    _, run_index = run_export(component, engine)
    argv = [Path(path).name, *spec.get("args", [])]

    def run(out: str, err: str) -> int:
        store = wasmtime.Store(engine)
        store.set_wasi(_wasi_config(spec, argv, out, err))
        instance = linker.instantiate(store, component)
        outcome = instance.get_func(store, run_index)(store)  # type: ignore[misc]
        # wasi:cli/run returns result<_, _>: a component's exit status is ok or failed.
        return 0 if getattr(outcome, "tag", "ok") == "ok" else 1

    return run


def _command_runner(spec: dict[str, Any]) -> Callable[[str, str], int]:
    argv = [str(a) for a in spec["argv"]]
    before = _before_each(spec)

    image = spec.get("image")

    def run(out: str, err: str) -> int:
        if before is not None:
            before()
        status = _spawn_and_wait(argv, os.devnull, float(spec.get("timeout_s", 120)), stdout=out, stderr=err)[1]
        if status != 0 and image is not None:
            _image_still_there(argv[0], str(image), str(spec["name"]))
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


def _before_each(spec: dict[str, Any]) -> Callable[[], None] | None:
    reference = (spec.get("before_each") or {}).get("remove_image")
    if not reference:
        return None
    import docker
    import docker.errors

    client = docker.from_env()

    def remove_image() -> None:
        # Untag every name of the image so its layers go too: each run pulls cold.
        try:
            image = client.images.get(reference)
        except docker.errors.ImageNotFound:
            return
        for tag in image.tags:
            client.images.remove(tag, force=True)

    return remove_image


def _target(spec: dict[str, Any]) -> Any:
    """The kit function a ``target`` "module:function" names."""
    module_name, _, function_name = str(spec["target"]).partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _call_runner(spec: dict[str, Any]) -> Callable[[str, str], int]:
    function = _target(spec)
    args = list(spec.get("args", []))

    def run(out: str, err: str) -> int:
        status: int = function(*args, out=out, err=err)
        return status

    return run


RUNNERS: dict[str, Callable[[dict[str, Any]], Callable[[str, str], int]]] = {
    "wasm": wasm_runner,
    "component": component_runner,
    "command": _command_runner,
    "call": _call_runner,
}


def first_response_runner(spec: dict[str, Any]) -> Callable[[], float]:
    """Start a server from zero, take the figure it reports for its first answer (checked
    on every run: a server that answers wrongly is no server), and stop it untimed."""
    serve = _target(spec)
    args = list(spec.get("args", []))
    expect = spec.get("expect")

    def run() -> float:
        with serve(*args) as served:
            if served.status != 200 or (expect is not None and served.body.decode() != expect):
                raise BenchmarkError(
                    f"{spec['name']}: answered {served.status} {served.body[:120]!r}, expected 200 {expect!r}"
                )
            return float(served.first_response_s)

    return run


#: Variants that time themselves: the runner returns its own seconds.
SELF_TIMED: dict[str, Callable[[dict[str, Any]], Callable[[], float]]] = {
    "first-response": first_response_runner,
}


# --- one variant: check once, then time -----------------------------------------------------


def _check_once(name: str, run: Callable[[str, str], int], expect: str | None) -> None:
    """Run once, untimed, with the output kept, and fail unless it is what it should be."""
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        status = run(str(out), str(err))
        output = out.read_text(errors="replace") if out.exists() else ""
        errors = err.read_text(errors="replace") if err.exists() else ""
    if status != 0:
        raise BenchmarkError(f"{name}: exited with status {status}: {(errors or output).strip()[-300:]}")
    if expect is not None and output.strip() != expect.strip():
        raise BenchmarkError(
            f"{name}: printed {output.strip()[:120]!r}, expected {expect.strip()[:120]!r}"
        )


def _timer(spec: dict[str, Any], name: str) -> Callable[[], float]:
    """One timed run of the variant, returning seconds, after the variant's check."""
    kind = str(spec["kind"])
    if kind in SELF_TIMED:
        return SELF_TIMED[kind](spec)
    run = RUNNERS[kind](spec)
    _check_once(name, run, spec.get("expect"))

    def time_one() -> float:
        start = time.perf_counter()
        status = run(os.devnull, os.devnull)
        seconds = time.perf_counter() - start
        if status != 0:
            raise BenchmarkError(f"{name}: exited with status {status} during the timed runs")
        return seconds

    return time_one


def measure_variant(
    spec: dict[str, Any], warmup: int, repeat: int, stop: threading.Event, emit: Callable[[dict[str, Any]], None]
) -> None:
    """Check one variant's output, then time it; report each sample and the outcome."""
    name = str(spec["name"])
    try:
        time_one = _timer(spec, name)

        def on_sample(_: str, index: int, seconds: float) -> None:
            emit({"event": "sample", "name": name, "index": index, "seconds": seconds})

        loop = _Run(name, warmup, repeat, None, on_sample, stop)
        samples = loop.loop(time_one)
    except Exception as err:  # reported to the parent, which keeps the other variants
        message = str(err).replace("\n", " ") or type(err).__name__
        emit({"event": "failed", "name": name, "message": message})
        return
    emit({"event": "measured", "name": name, "samples": samples, "stopped": loop.stopped})


def main() -> int:
    out = sys.stdout
    plan = json.loads(sys.stdin.readline())
    stop = _Stop(sys.stdin).event

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event) + "\n")
        out.flush()

    for spec in plan["variants"]:
        if stop.is_set():
            emit({"event": "failed", "name": spec["name"], "message": "stopped"})
            continue
        measure_variant(spec, int(plan.get("warmup", 3)), int(plan.get("repeat", 20)), stop, emit)
    emit({"event": "done"})
    return 0



# --- the parent's side ------------------------------------------------------------------------


@dataclass
class WorkerOutcome:
    """What came back from the worker: samples per variant, the variants a stop cut short,
    the ones that failed (with the worker's message), and the worker's process id."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    stopped: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    worker_pid: int | None = None


def run_in_worker(
    variants: list[dict[str, Any]],
    *,
    warmup: int,
    repeat: int,
    on_sample: Callable[[str, int, float], None] | None = None,
    stop: threading.Event | None = None,
) -> WorkerOutcome:
    """Time ``variants`` in a fresh worker process and stream its samples to ``on_sample``
    (called in this thread, so a live plot can redraw). ``stop`` or the kernel's interrupt
    ends the run after the current sample and keeps what was measured."""
    stop = stop or threading.Event()
    package_parent = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile("w+") as errors:
        worker = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=errors, text=True, env=env,
        )
        assert worker.stdin is not None and worker.stdout is not None
        outcome = WorkerOutcome(worker_pid=worker.pid)
        worker.stdin.write(json.dumps({"warmup": warmup, "repeat": repeat, "variants": variants}) + "\n")
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


def _pass_stop_on(stop: threading.Event, finished: threading.Event, worker: subprocess.Popen[str]) -> None:
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
        event = json.loads(line)
        kind = event["event"]
        if kind == "sample":
            outcome.samples.setdefault(event["name"], []).append(float(event["seconds"]))
            if on_sample is not None:
                on_sample(event["name"], int(event["index"]), float(event["seconds"]))
        elif kind == "measured":
            outcome.samples[event["name"]] = [float(s) for s in event["samples"]]
            if event["stopped"]:
                outcome.stopped.add(event["name"])
        elif kind == "failed":
            outcome.samples.pop(event["name"], None)
            outcome.failed[event["name"]] = str(event["message"])
        elif kind == "done":
            return True


if __name__ == "__main__":
    sys.exit(main())
