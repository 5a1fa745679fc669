"""Looking inside containerd while a module runs through the wasm shim (notebook 09, issue 26).

Notebook 09 types the ``ctr`` lines itself (the commands below, filled in from
:class:`ShimHere`), then holds a task open, one that waits on its stdin, to show the
shim's processes and containerd's task while they exist. Where no containerd or no shim
is reachable (Binder, a hub's learner, ``KIT_DOCKER=off``) the same steps are shown from a
recording made on the course's machine, marked as recorded.
"""

from __future__ import annotations

import contextlib
import html
import json
import shlex
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._display import ShownAsHtml, ShownAsText
from .._errors import ContainerdError, KitError, TimeoutExceeded
from .._system import DATA_DIR, processes
from ..wasm.runner import WasiResult
from .containerd import (
    IMAGE_PREFIX,
    NAMESPACE,
    SHIM_BINARY,
    WASM_RUNTIME,
    StartedTask,
    _address,
    _ctr,
    _import_source,
    _remove_container,
    built_shim,
    ctr,
    runtime_argument,
    runtime_binary,
    start_task,
    task_pid,
)

#: The lines notebook 09 types, as templates over the names its cells use. The recording
#: runs exactly these, and a test checks that the notebook's cells hold them too.
COMMANDS = {
    "import": "{ctr} images import --platform wasi/wasm {archive}",
    "run": "{ctr} run --rm --read-only --runtime {runtime} --platform wasi/wasm {image} {container}",
    "remove": "{ctr} images rm --sync {image}",
    "tasks": "{ctr} tasks ls",
    "processes": "pgrep -a -f -- '-id {container}'",
}
RECORDING = DATA_DIR / "containerd_shim_recorded.json"
#: How long a task that was sent its stdin may take to end (wordcount in C: well under 1 s).
FINISH_TIMEOUT_S = 15.0
#: How long a task may take to be created (an import of a big Go module, a busy machine).
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ShimHere:
    """Whether this notebook can use a real shim, and the names its ``ctr`` lines use."""

    live: bool
    reason: str  # what was found, or why not
    ctr: str = ""  # "ctr --address SOCK --namespace kit"
    runtime: str = ""  # what ctr run --runtime gets: the runtime's name, or the shim's path
    image: str = ""
    container: str = ""

    def fill(self, step: str, **names: str) -> str:
        """The command line of ``step`` (a key of :data:`COMMANDS`) with this machine's names."""
        known = {
            "ctr": self.ctr,
            "runtime": self.runtime,
            "image": self.image,
            "container": self.container,
        }
        return COMMANDS[step].format(**{**known, **names})


def shim_here() -> ShimHere:
    """Can ``ctr`` reach containerd here, and would containerd find a wasm shim? Never raises."""
    try:
        address = _address()  # no socket, or not this user's: the reason
        runtime = runtime_argument("wasmtime")  # no shim containerd would find: the reason
        prefix = f"{_ctr()} --address {address} --namespace {NAMESPACE}"
    except ContainerdError as err:
        return ShimHere(False, err.message + (f" ({err.fix})" if err.fix else ""))
    from .images import owner_id

    shim = runtime_binary(WASM_RUNTIME) or str(built_shim())
    return ShimHere(
        True,
        f"containerd at {address}; runtime {WASM_RUNTIME} is {shim}",
        prefix,
        runtime,
        f"{IMAGE_PREFIX}/nb09-hello:{owner_id()}",
        f"kit-nb09-{uuid.uuid4().hex[:8]}",
    )


# --- a task held open ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShimProcess:
    """One process of a container's shim, from /proc."""

    pid: int
    ppid: int
    rss_kib: int
    role: str


@dataclass(frozen=True, repr=False)
class ProcessTable(ShownAsText):
    container: str
    processes: tuple[ShimProcess, ...]

    def text(self) -> str:
        lines = [f"{'PID':>7} {'PPID':>7} {'RSS':>9}  role ({SHIM_BINARY} -id {self.container})"]
        lines += [f"{p.pid:>7} {p.ppid:>7} {p.rss_kib:>6} KiB  {p.role}" for p in self.processes]
        return "\n".join(lines)


def _status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def shim_processes(container: str, task: int | None) -> ProcessTable:
    """The processes started as ``containerd-shim-wasmtime-v1 ... -id CONTAINER``, each with
    its role: the shim containerd talks to, runwasi's helpers, and the task running the module."""
    found: list[tuple[int, int, int]] = []
    for pid, _, argv in processes():
        try:
            if Path(argv[0].decode()).name != SHIM_BINARY or container.encode() not in argv:
                continue
            found.append((pid, _status_field(pid, "PPid"), _status_field(pid, "VmRSS")))
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    pids = {pid for pid, _, _ in found}

    def role(pid: int, ppid: int) -> str:
        if pid == task:
            return "the task: wasmtime running the module, inside the container"
        if ppid not in pids:
            return "the shim: containerd started it and talks to it (ttrpc)"
        return "a helper the shim forked to build the container (runwasi/youki)"

    rows = tuple(ShimProcess(pid, ppid, rss, role(pid, ppid)) for pid, ppid, rss in sorted(found))
    return ProcessTable(container, rows)


@dataclass
class RunningTask:
    """A module started through the shim that waits on its stdin until :meth:`finish`."""

    started: StartedTask
    pid: int
    start: float

    @property
    def container(self) -> str:
        return self.started.container

    def processes(self) -> ProcessTable:
        return shim_processes(self.container, self.pid)

    def finish(self, stdin: str | bytes = b"", timeout: float = FINISH_TIMEOUT_S) -> WasiResult:
        """Write ``stdin``, close it (the module sees EOF) and wait for the task's end. A
        shim that never passes the end on is named in a :class:`ContainerdError`."""
        pipe = self.started.process.stdin
        assert pipe is not None
        with contextlib.suppress(BrokenPipeError, ValueError):
            pipe.write(stdin.encode() if isinstance(stdin, str) else stdin)
            pipe.close()
        try:
            return self.started.wait(timeout, self.start)
        except TimeoutExceeded:
            raise ContainerdError(
                f"the module never saw the end of its stdin, so the task was killed after {timeout:g} s: "
                "this shim keeps the stdin fifo open for writing itself (runwasi's library does; "
                "the kit's shim reopens it read-only)",
                fix="KIT_SHIM=1 ./kit setup   (builds and installs the kit's shim)",
            ) from None


@contextlib.contextmanager
def task_waiting_on_stdin(module: Path | bytes, args: Sequence[str] = ()) -> Iterator[RunningTask]:
    """Run ``module`` through the shim with its stdin held open (wordcount waits on it), so
    its shim and task can be looked at; the container and image are removed afterwards."""
    container = f"kit-nb09-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="kit-containerd-") as folder:
        image = _import_source(module, Path(folder))
        try:
            start = time.perf_counter()
            started = start_task(image, container, "wasmtime", args)
            yield RunningTask(started, _wait_for_task(started), start)
        finally:
            _remove_container(container)
            ctr("images", "rm", "--sync", image.name, check=False)


def _wait_for_task(started: StartedTask) -> int:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        pid = task_pid(started.container)
        if pid is not None:
            return pid
        if started.process.poll() is not None:
            started.wait(0, 0)  # raises ctr's own complaint
            raise ContainerdError("ctr run ended before its task started")
        time.sleep(0.05)
    raise ContainerdError(f"the task was not created within {START_TIMEOUT_S:g} s")


# --- the recording --------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class RecordedSteps(ShownAsText, ShownAsHtml):
    """Commands and what they printed on the machine named in ``recorded``: not run here.
    Shown on grey with a dashed border, as the course shows every recorded result."""

    recorded: str
    why_not_live: str
    steps: tuple[tuple[str, str], ...]

    def banner(self) -> str:
        return f"RECORDED, not run here ({self.recorded})."

    def transcript(self) -> str:
        lines: list[str] = []
        for command, output in self.steps:
            lines.append(f"$ {command}")
            lines += [f"  {line}" for line in output.rstrip("\n").splitlines()]
        return "\n".join(lines)

    def text(self) -> str:
        return f"{self.banner()}\nNo live shim: {self.why_not_live}\n\n{self.transcript()}"

    def html(self) -> str:
        return (
            "<div style='background:#eeeeee;border:2px dashed #999999;padding:6px 10px'>"
            f"<b>{html.escape(self.banner())}</b><br><small>No live shim: "
            f"{html.escape(self.why_not_live)}</small>"
            f"<pre style='color:#555555'>{html.escape(self.transcript())}</pre></div>"
        )


def recorded_steps(part: str, why_not_live: str = "") -> RecordedSteps:
    """Part ``part`` of the recording (``ctr``, ``task``, ``helper``, ``exercise``)."""
    try:
        data = json.loads(RECORDING.read_text())
        steps = tuple((s["command"], s["output"]) for s in data["parts"][part])
    except (OSError, ValueError, KeyError) as err:
        raise KitError(f"no recording of {part!r} in {RECORDING.name}: {err}") from err
    return RecordedSteps(str(data["recorded"]), why_not_live, steps)


def run_line(line: str, timeout: float = 120.0) -> str:
    """One command line as the notebook's ``!`` runs it (no shell features used), its
    stdout and stderr together, for the recording."""
    done = subprocess.run(
        shlex.split(line),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.stdout + done.stderr


def record_tour(hello: Path, wordcount: Path, text: str) -> dict[str, object]:
    """Run notebook 09's steps here and keep each command with what it printed: the
    recording shown where no shim is reachable. Run by hand on a machine with the shim:
    ``python -c "from kernel_helpers.containers.shim_tour import write_recording; ..."``."""
    from .containerd import run_in_containerd, wasm_image_archive

    here = shim_here()
    if not here.live:
        raise ContainerdError(f"nothing to record here: {here.reason}")
    parts: dict[str, list[dict[str, str]]] = {"ctr": [], "task": [], "helper": []}
    with tempfile.TemporaryDirectory(prefix="kit-record-") as folder:
        archive = str(wasm_image_archive(hello, here.image, folder))
        for step in ("import", "run", "remove"):
            line = here.fill(step, archive=archive)
            parts["ctr"].append({"command": line, "output": run_line(line)})
    with task_waiting_on_stdin(wordcount) as task:
        for step in ("tasks", "processes"):
            line = here.fill(step, container=task.container)
            parts["task"].append({"command": line, "output": run_line(line)})
        parts["task"].append({"command": "task.processes()", "output": task.processes().text()})
        done = task.finish(text)
    parts["task"].append({"command": "task.finish(text).stdout_text", "output": done.stdout_text})
    result = run_in_containerd(hello)
    parts["helper"].append(
        {
            "command": "kh.run_in_containerd(module)",
            "output": f"{result.stdout_text}exit code {result.exit_code}",
        }
    )
    version = run_line(f"{_ctr()} --address {_address()} version").split("Server:")[-1]
    server = " ".join(line.strip() for line in version.splitlines() if "Version" in line)
    recorded = (
        f"the course's machine: {_os_name()}, containerd {server.split()[-1] if server else '?'}, "
        f"the kit's {SHIM_BINARY}; {time.strftime('%B %Y')}"
    )
    return {"recorded": recorded, "parts": parts}


def _os_name() -> str:
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return "Linux"


def write_recording(hello: Path, wordcount: Path, text: str) -> Path:
    """Replace :data:`RECORDING` with a fresh :func:`record_tour`."""
    RECORDING.write_text(json.dumps(record_tour(hello, wordcount, text), indent=1) + "\n")
    return RECORDING


# --- Docker's own way, and why not here ------------------------------------------------------

#: The first Docker Engine whose ``docker run --runtime=io.containerd.NAME.v1
#: --platform=wasi/wasm`` reaches a containerd shim (with the containerd image store on).
DOCKER_WITH_WASM = 24
#: What ``docker info`` says in DriverStatus when images live in containerd's store.
CONTAINERD_STORE = "io.containerd.snapshotter.v1"


@dataclass(frozen=True, repr=False)
class DockerWasmPath(ShownAsText):
    """Whether this Docker engine could run a wasm image through the shim itself."""

    possible: bool
    engine: str | None
    image_store: str
    why: str

    def text(self) -> str:
        if self.engine is None:
            return f"No Docker engine to ask: {self.why}"
        engine = f"Docker {self.engine}"
        verdict = "can" if self.possible else "cannot"
        return f"{engine}, images in {self.image_store}: docker run {verdict} use the wasm shim. {self.why}"


def docker_wasm_path() -> DockerWasmPath:
    """Docker 24+ with the containerd image store hands wasm images to a shim; older engines
    (Debian 12's docker.io 20.10) and the classic image store cannot. Never raises."""
    from .docker import connect, docker_status

    status = docker_status()
    if not status.available:
        return DockerWasmPath(False, None, "-", f"Docker is not here ({status.reason}).")
    try:
        client = connect()
        driver_status = dict(map(tuple, client.info().get("DriverStatus") or []))
        client.close()
    except Exception:  # the engine went away meanwhile: say what is known
        driver_status = {}
    return judge_docker_engine(
        status.server_version or "0",
        str(driver_status.get("driver-type", "")),
        status.storage_driver or "unknown",
    )


def judge_docker_engine(version: str, driver_type: str, storage_driver: str) -> DockerWasmPath:
    """What an engine of ``version`` whose ``docker info`` gives ``driver_type`` in its
    DriverStatus can do with a wasm image."""
    in_containerd = driver_type == CONTAINERD_STORE
    store = "containerd's store" if in_containerd else f"the engine's own store ({storage_driver})"
    try:
        major = int(version.split(".")[0])
    except ValueError:
        major = 0
    reasons = []
    if major < DOCKER_WITH_WASM:
        reasons.append(
            f"Engines before Docker {DOCKER_WITH_WASM} accept only runc-like runtimes for --runtime "
            "and no wasi/wasm platform."
        )
    if not in_containerd:
        reasons.append(
            "The engine unpacks images itself and hands containerd a ready root filesystem, so "
            "a shim would never see the module's wasm layer: that needs the containerd image "
            'store ("features": {"containerd-snapshotter": true} in daemon.json).'
        )
    if reasons:
        return DockerWasmPath(False, version, store, " ".join(reasons))
    return DockerWasmPath(
        True, version, store, "docker load, then docker run with the shim's runtime."
    )
