"""An honest timing harness: warm-ups, repetitions, medians, quartiles and outliers.

Two ways to time something:

* :func:`measure_callable` times a Python callable in process (``time.perf_counter``);
* :func:`measure_command` times a whole process from the parent, spawn to exit, with no
  shell in between and its output thrown away, like ``hyperfine -N``. The exact ``argv``
  is kept in the result so that anyone can re-time it with hyperfine.

Both keep every sample, stop cleanly on a ``threading.Event`` (a notebook Stop button) or
on the kernel's interrupt, and report what they measured so far. Results carry the
machine they were measured on (:func:`machine_metadata`); the results themselves
(``Measurement``, ``BenchResult``) are the model in ``results``.

Introduced in notebook 06 (start-up time) and used in 07 (sizes) and 08 (compute).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import BenchmarkError
from .._system import run_quick, wasmtime_cli_path
from .results import OUTLIER_RULE, Measurement
from .variants import IN_PROCESS, PROCESS

#: Called after every timed sample with (variant name, sample index, seconds).
OnSample = Callable[[str, int, float], None]


@dataclass(frozen=True)
class Phase:
    """What a run does next, for a progress display: ``what`` in a few words, and how much
    of it there is: ``samples`` timed samples, or, where time bounds it, at most ``seconds``."""

    what: str
    samples: int | None = None
    seconds: float | None = None


#: Called when a run starts a phase (every variant once, then more rounds of one pair).
OnPhase = Callable[[Phase], None]


# --- the two timers ----------------------------------------------------------------------


class _Run:
    """Shared loop of both timers: warm-ups, then samples until repeat, budget or stop."""

    def __init__(
        self,
        name: str,
        warmup: int,
        repeat: int | None,
        budget_s: float | None,
        on_sample: OnSample | None,
        stop: threading.Event | None,
    ) -> None:
        if repeat is None and budget_s is None:
            raise BenchmarkError("give repeat, budget_s or both", fix="e.g. repeat=30")
        if repeat is not None and repeat < 1:
            raise BenchmarkError(f"repeat must be at least 1, not {repeat}", fix="repeat=30")
        self.name, self.warmup, self.repeat, self.budget_s = name, warmup, repeat, budget_s
        self.on_sample, self.stop = on_sample, stop
        self.samples: list[float] = []
        self.stopped = False

    def _should_stop(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            self.stopped = True
        return self.stopped

    def loop(self, time_one: Callable[[], float]) -> list[float]:
        try:
            for _ in range(self.warmup):
                if self._should_stop():
                    return self.samples
                time_one()
            started = time.perf_counter()
            while not self._should_stop():
                if self.repeat is not None and len(self.samples) >= self.repeat:
                    break
                elapsed = time.perf_counter() - started
                if self.budget_s is not None and self.samples and elapsed >= self.budget_s:
                    break
                seconds = time_one()
                self.samples.append(seconds)
                if self.on_sample is not None:
                    self.on_sample(self.name, len(self.samples) - 1, seconds)
        except KeyboardInterrupt:
            # The notebook's interrupt button: keep what was measured, tell the caller.
            self.stopped = True
            if self.stop is not None:
                self.stop.set()
        return self.samples

    def result(self, kind: str, command: list[str] | None, note: str | None) -> Measurement:
        if not self.samples:
            raise BenchmarkError(
                f"{self.name}: stopped before the first timed run",
                fix="run it again and let at least one sample finish",
            )
        if self.stopped:
            note = f"stopped early after {len(self.samples)} samples" + (
                f"; {note}" if note else ""
            )
        return Measurement.from_samples(
            self.name, kind, self.samples, command=command, note=note, stopped=self.stopped
        )


def measure_callable(
    fn: Callable[[], object],
    *,
    name: str | None = None,
    warmup: int = 3,
    repeat: int | None = 30,
    budget_s: float | None = None,
    on_sample: OnSample | None = None,
    stop: threading.Event | None = None,
    note: str | None = None,
) -> Measurement:
    """Time ``fn()`` in process: ``warmup`` untimed calls, then ``repeat`` timed ones
    (or as many as fit in ``budget_s``, whichever ends first). Notebook 06."""
    label = name or str(getattr(fn, "__name__", "callable"))
    run = _Run(label, warmup, repeat, budget_s, on_sample, stop)

    def time_one() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    run.loop(time_one)
    return run.result(IN_PROCESS, None, note)


def measure_command(
    argv: list[str],
    *,
    name: str | None = None,
    warmup: int = 3,
    repeat: int | None = 30,
    budget_s: float | None = None,
    on_sample: OnSample | None = None,
    stop: threading.Event | None = None,
    stdin: str = os.devnull,
    prepare: Callable[[], object] | None = None,
    timeout_s: float = 120.0,
    note: str | None = None,
) -> Measurement:
    """Time ``argv`` as a whole process from the parent, spawn to exit, like
    ``hyperfine -N``: no shell, stdin from ``stdin``, output to /dev/null.

    ``prepare`` runs untimed before every run (hyperfine's ``--prepare``), e.g. removing
    an image so each run pays a cold pull. A non-zero exit stops the benchmark with the
    command's own error message. Notebook 06.
    """
    if not argv:
        raise BenchmarkError("empty command", fix="pass the program and its arguments")
    label = name or Path(argv[0]).name
    run = _Run(label, warmup, repeat, budget_s, on_sample, stop)

    def time_one() -> float:
        if prepare is not None:
            prepare()
        seconds, status = _spawn_and_wait(argv, stdin, timeout_s)
        if status != 0:
            raise BenchmarkError(
                f"{label}: {argv[0]} exited with status {status}{_explain_failure(argv)}",
                fix="run the command by hand to see why: " + " ".join(argv),
            )
        return seconds

    run.loop(time_one)
    return run.result(PROCESS, list(argv), note)


def _spawn_and_wait(
    argv: list[str],
    stdin: str,
    timeout_s: float,
    *,
    stdout: str = os.devnull,
    stderr: str = os.devnull,
) -> tuple[float, int]:
    """Seconds from spawn to exit, and the exit status (negative: killed by a signal).
    Output goes to the files ``stdout`` and ``stderr`` (/dev/null unless an output check wants it)."""
    if not hasattr(os, "posix_spawnp"):  # pragma: no cover - Windows
        start = time.perf_counter()
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout_s,
            check=False,
        )
        return time.perf_counter() - start, done.returncode
    try:
        in_fd = os.open(stdin, os.O_RDONLY)
    except OSError as err:
        raise BenchmarkError(f"cannot read stdin file {stdin}: {err.strerror}") from err
    out_fd = os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    err_fd = (
        out_fd
        if stderr == stdout
        else os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    )
    try:
        actions = [
            (os.POSIX_SPAWN_DUP2, in_fd, 0),
            (os.POSIX_SPAWN_DUP2, out_fd, 1),
            (os.POSIX_SPAWN_DUP2, err_fd, 2),
        ]
        env = dict(os.environ)
        start = time.perf_counter()
        try:
            pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
        except OSError as err:
            raise BenchmarkError(
                f"cannot start {argv[0]}: {err.strerror}", fix=f"check that {argv[0]} is installed"
            ) from err
        status = _wait_with_timeout(pid, timeout_s)
        seconds = time.perf_counter() - start
    finally:
        os.close(in_fd)
        os.close(out_fd)
        if err_fd != out_fd:
            os.close(err_fd)
    if status is None:
        raise BenchmarkError(
            f"{argv[0]} ran longer than {timeout_s:g} s and was killed",
            fix="raise timeout_s or check that the command ends on its own",
        )
    return seconds, status


def _wait_with_timeout(pid: int, timeout_s: float) -> int | None:
    """Exit status of ``pid``, or None after killing it at the timeout.

    A pidfd lets the parent sleep in ``poll`` until the child exits, without a watchdog
    thread or a polling loop adding noise to the timing (Linux 5.3+; plain wait elsewhere).
    """
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        import select

        fd = pidfd_open(pid)
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            if not poller.poll(timeout_s * 1000):
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return None
        finally:
            os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _explain_failure(argv: list[str]) -> str:
    probe = run_quick(argv, timeout=30)
    tail = (probe.stderr or probe.stdout).strip().splitlines()[-3:]
    return (": " + " | ".join(tail)) if tail else ""


# --- where it was measured -----------------------------------------------------------------


def machine_metadata(*, docker: bool = True) -> dict[str, Any]:
    """CPU, cores, OS, kernel, Python, wasmtime (library and CLI) and Docker versions, the
    load average and the UTC date: what a reader needs to judge the numbers. Notebook 06."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "os": _os_name(),
        "kernel": platform.release(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "wasmtime_py": _package_version("wasmtime"),
        "wasmtime_cli": _wasmtime_cli_version(),
        "docker_server": _docker_server_version() if docker else None,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "outlier_rule": OUTLIER_RULE,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def _package_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _wasmtime_cli_version() -> str | None:
    cli = wasmtime_cli_path()
    if cli is None:
        return None
    probe = run_quick([cli, "--version"])
    return probe.first_line or None


def _docker_server_version() -> str | None:
    from .._errors import DockerUnavailable
    from ..containers.docker import connect

    try:
        client = connect()
    except DockerUnavailable:
        return None
    try:
        return str(client.version().get("Version"))
    except Exception:
        return None
    finally:
        client.close()
