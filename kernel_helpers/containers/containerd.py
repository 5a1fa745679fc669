"""containerd itself, reached with ``ctr``: a module run by a real wasm shim (issue 26).

Docker hands every container to containerd, which starts a *shim* per container: runc's
(``io.containerd.runc.v2``) for Linux binaries, and for wasm the kit's own
``containerd-shim-wasmtime-v1`` (built by ``KIT_SHIM=1 ./kit setup`` from ``shim/``, on the
runwasi library). containerd maps a runtime name ``io.containerd.NAME.vN`` to the program
``containerd-shim-NAME-vN`` on its own PATH.

The kit talks to containerd the way a learner would, with ``ctr --address SOCK
--namespace kit``: Docker's own containerd (``/var/run/docker/containerd/``) or a
system one. Everything it imports or creates there carries the owner's labels and is
removed when the run ends. Kubernetes nodes (notebook 09's RuntimeClass) do the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .._errors import ContainerdError, TimeoutExceeded, Trap
from .._system import find_program, install_hint, is_root
from ..wasm.component import is_component
from ..wasm.runner import Timings, WasiResult

NAMESPACE = "kit"
WASM_RUNTIME = "io.containerd.wasmtime.v1"
RUNC_RUNTIME = "io.containerd.runc.v2"
SHIM_BINARY = "containerd-shim-wasmtime-v1"
#: The short names the CLI and :func:`run_in_containerd` take.
RUNTIMES = {"wasmtime": WASM_RUNTIME, "runc": RUNC_RUNTIME}
#: A system containerd first (what Kubernetes nodes run), then Docker's own.
SOCKETS = ("/run/containerd/containerd.sock", "/var/run/docker/containerd/containerd.sock")
WASM_PLATFORM = "wasi/wasm"
RUN_TIMEOUT_S = 30.0
#: How long a ctr call other than the run itself may take (an import unpacks layers).
CTR_TIMEOUT_S = 120.0
#: What the kit's shim prints first on stderr when the guest traps (shim/src/main.rs).
TRAP_MARKER = "kit-shim: wasm trap: "
#: Image references the kit imports: never a registry name, never pulled.
IMAGE_PREFIX = "kit.local/containerd"


# --- finding containerd and the runtimes ----------------------------------------------------


def containerd_address() -> str | None:
    """The socket to talk to: ``KIT_CONTAINERD_ADDRESS``, else the first of :data:`SOCKETS`
    that exists; None when there is none, or when ``KIT_DOCKER=off`` rehearses a machine
    without Docker (Binder, a hub's learner: no containerd of one's own either)."""
    configured = os.environ.get("KIT_CONTAINERD_ADDRESS")
    if configured:
        return configured
    from .docker import docker_disabled

    if docker_disabled():
        return None
    return next((s for s in SOCKETS if _is_socket(Path(s))), None)


def _is_socket(path: Path) -> bool:
    # Docker's containerd keeps its socket in a folder only root may enter: from a learner's
    # account that is "no socket here", not a PermissionError in the doctor.
    try:
        return path.is_socket()
    except OSError:
        return False


def shim_cache() -> Path:
    """Where ``KIT_SHIM=1 ./kit setup`` builds the shim: outside any checkout, so every
    clone on this machine shares one build (the same folder ``kit`` computes)."""
    shared = os.environ.get("KIT_SHARED_CACHE")
    base = (
        Path(shared)
        if shared
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wasm-kit"
    )
    return base / "shim"


def _runnable(path: Path) -> bool:
    """An executable file this user may run. A link into a folder this user cannot enter
    (root's cache, seen from a learner's account) is not one, and is no reason to raise."""
    try:
        return path.is_file() and os.access(path, os.X_OK)
    except OSError:
        return False


def built_shim() -> Path | None:
    """The shim this machine's last ``KIT_SHIM=1 ./kit setup`` built, if any."""
    path = shim_cache() / "current" / SHIM_BINARY
    return path if _runnable(path) else None


def _containerd_path() -> list[str]:
    """The PATH containerd searches for shims: its own environment where this user may
    read it (Docker's containerd inherits dockerd's), else this process's."""
    pid_file = Path("/var/run/docker/containerd/containerd.pid")
    try:
        environ = Path(f"/proc/{pid_file.read_text().strip()}/environ").read_bytes()
        for entry in environ.split(b"\0"):
            if entry.startswith(b"PATH="):
                return entry[5:].decode().split(os.pathsep)
    except (OSError, ValueError):
        pass
    return os.environ.get("PATH", "").split(os.pathsep)


def runtime_binary(runtime: str) -> str | None:
    """The shim program containerd would start for ``runtime`` (a full runtime name)."""
    name = "containerd-shim-" + "-".join(runtime.split(".")[-2:])
    for folder in _containerd_path():
        candidate = Path(folder) / name
        if folder and _runnable(candidate):
            return str(candidate.resolve())
    return None


def _ctr() -> str:
    ctr = find_program("ctr", "/usr/bin/ctr")
    if ctr is None:
        raise ContainerdError(
            "ctr (containerd's own client) is not installed", fix=install_hint("containerd", "")
        )
    return ctr


def _address() -> str:
    address = containerd_address()
    from .docker import docker_disabled

    if address is None and docker_disabled():
        raise ContainerdError(
            "KIT_DOCKER=off rehearses a machine without Docker, and so without its containerd",
            fix="unset KIT_DOCKER to use Docker's containerd",
        )
    if address is None:
        raise ContainerdError(
            f"no containerd socket at {' or '.join(SOCKETS)}",
            fix=_address_fix(),
        )
    if not os.access(address, os.R_OK | os.W_OK):
        raise ContainerdError(
            f"this user may not use containerd's socket {address}",
            fix="run as root (containerd has no group like docker's); the course shows recorded data until then",
        )
    return address


def containerd_status() -> dict[str, Any]:
    """What the doctor reports: the socket, the kit's namespace and where each runtime's
    shim is (None when containerd would not find it). Never raises."""
    runtimes = {name: runtime_binary(name) for name in (WASM_RUNTIME, RUNC_RUNTIME)}
    return {"address": containerd_address(), "namespace": NAMESPACE, "runtimes": runtimes}


# --- talking to containerd ----------------------------------------------------------------


def ctr_prefix() -> list[str]:
    """``ctr --address SOCK --namespace kit``: every ctr command the kit runs starts so."""
    return [_ctr(), "--address", _address(), "--namespace", NAMESPACE]


def ctr(
    *args: str, timeout: float = CTR_TIMEOUT_S, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``ctr --address SOCK --namespace kit ARGS``: what a learner types, run for them."""
    command = [*ctr_prefix(), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as err:
        raise ContainerdError(
            f"ctr {args[0]} {args[1] if len(args) > 1 else ''} took over {timeout:g} s"
        ) from err
    if check and done.returncode != 0:
        raise ContainerdError(
            f"ctr {' '.join(args[:2])} failed: {_ctr_says(done.stderr)}", output=done.stderr
        )
    return done


def _ctr_says(stderr: str) -> str:
    """ctr's own complaint (its ``ctr: ...`` line), shortened."""
    lines = [line for line in stderr.strip().splitlines() if line.startswith("ctr: ")]
    return (lines[-1][5:] if lines else stderr.strip()[-300:])[:300]


def _owner_labels() -> dict[str, str]:
    from .images import owner_labels

    return owner_labels()


def _label_filter() -> str:
    """ctr's filter for objects this learner's kit made (another learner's stay)."""
    return ",".join(f'labels."{key}"=={value}' for key, value in _owner_labels().items())


def kit_objects() -> dict[str, list[str]]:
    """Everything in the kit's namespace: container ids, image names, snapshot keys."""
    containers = ctr("containers", "ls", "-q").stdout.split()
    images = ctr("images", "ls", "-q").stdout.split()
    snapshots = [
        line.split()[0] for line in ctr("snapshots", "ls").stdout.splitlines()[1:] if line.strip()
    ]
    return {"containers": containers, "images": images, "snapshots": snapshots}


def cleanup_containerd() -> dict[str, int]:
    """Remove this learner's kit containers (with their snapshots) and images from the
    kit's namespace; returns how many of each went."""
    containers = ctr("containers", "ls", "-q", _label_filter()).stdout.split()
    for container in containers:
        _remove_container(container)
    images = ctr("images", "ls", "-q", _label_filter()).stdout.split()
    if images:
        # --sync waits for containerd's garbage collector: content and snapshots go too.
        ctr("images", "rm", "--sync", *images, check=False)
    return {"containers": len(containers), "images": len(images)}


def _remove_container(container: str) -> None:
    """Kill its task if one runs, then delete it and its snapshot; quiet when gone."""
    ctr("tasks", "kill", "-s", "SIGKILL", container, check=False, timeout=10)
    for _ in range(50):  # a killed task takes a moment to be reaped by its shim
        if ctr("tasks", "rm", "-f", container, check=False, timeout=10).returncode != 0:
            break
        time.sleep(0.1)
    ctr("containers", "rm", container, check=False, timeout=30)


# --- images -------------------------------------------------------------------------------


def wasm_image_archive(module: bytes | Path, reference: str, folder: str | Path) -> Path:
    """The module as notebook 09's image, in an OCI archive for ``ctr images import
    --platform wasi/wasm`` (``folder/image.tar``), named ``reference``. Notebook 09."""
    data = module if isinstance(module, bytes) else Path(module).read_bytes()
    return _oci_archive(data, reference, Path(folder))


def _oci_archive(module: bytes, reference: str, folder: Path) -> Path:
    """Notebook 09's image (one layer holding ``/app.wasm``, platform wasi/wasm) as an OCI
    archive ``ctr images import`` reads, named ``reference``."""
    from .oci import OCI_INDEX, package_wasm
    from .registry import OCI_MANIFEST, sha256_digest

    packaged = package_wasm(module, style="image")
    manifest = packaged.manifest_bytes
    descriptor = {
        "mediaType": OCI_MANIFEST,
        "digest": sha256_digest(manifest),
        "size": len(manifest),
        "platform": {"os": "wasi", "architecture": "wasm"},
        "annotations": {"io.containerd.image.name": reference},
    }
    index = json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor]}
    ).encode()
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}', "index.json": index}
    for digest, data in {**packaged.blobs, sha256_digest(manifest): manifest}.items():
        files[f"blobs/sha256/{digest.split(':', 1)[1]}"] = data
    return _write_tar(folder / "image.tar", files)


def _write_tar(path: Path, files: dict[str, bytes]) -> Path:
    import io

    with tarfile.open(path, "w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


def _docker_archive(image: str, folder: Path) -> Path:
    """``docker save IMAGE``: a Linux image from the kit's Docker, for runc."""
    from .docker import connect

    path = folder / "image.tar"
    client = connect()
    with open(path, "wb") as out:
        for chunk in client.images.get(image).save(named=True):
            out.write(chunk)
    client.close()
    return path


def import_image(archive: Path, platform: str) -> str:
    """``ctr images import`` one archive into the kit's namespace, labelled as this
    learner's; returns the image's name there."""
    done = ctr("images", "import", "--platform", platform, str(archive))
    names = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("unpacking ")]
    if not names:
        raise ContainerdError(
            f"ctr images import named no image: {done.stdout.strip()[:200]}", output=done.stdout
        )
    labels = [f"{key}={value}" for key, value in _owner_labels().items()]
    for name in names:
        ctr("images", "label", name, *labels)
    return names[0]


def _looks_like_wasm(source: str | Path | bytes | bytearray) -> bool:
    if isinstance(source, (bytes, bytearray)):
        return True
    return Path(source).suffix == ".wasm" or Path(source).is_file()


@dataclass(frozen=True)
class _Imported:
    name: str
    platform: str
    argv0: str | None  # the entrypoint to keep in front of the args (None: the image's)


def _import_source(source: str | Path | bytes | bytearray, folder: Path) -> _Imported:
    if _looks_like_wasm(source):
        module = (
            bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
        )
        reference = f"{IMAGE_PREFIX}/wasm:{uuid.uuid4().hex[:12]}"
        from .oci import MODULE_PATH

        return _Imported(
            import_image(_oci_archive(module, reference, folder), WASM_PLATFORM),
            WASM_PLATFORM,
            MODULE_PATH,
        )
    platform = "linux/" + {"x86_64": "amd64", "aarch64": "arm64"}.get(
        os.uname().machine, os.uname().machine
    )
    return _Imported(import_image(_docker_archive(str(source), folder), platform), platform, None)


@contextlib.contextmanager
def imported_image(source: str | Path | bytes | bytearray) -> Iterator[_Imported]:
    """``source`` (a module, packaged as notebook 09's image, or a Docker image) imported
    into the kit's namespace for as long as the ``with`` lasts, then removed with its
    content and snapshots. The start-up benchmark imports each image once so."""
    with tempfile.TemporaryDirectory(prefix="kit-containerd-") as folder:
        image = _import_source(source, Path(folder))
    try:
        yield image
    finally:
        ctr("images", "rm", "--sync", image.name, check=False)


def unavailable_reason(runtimes: Sequence[str] = tuple(RUNTIMES)) -> str | None:
    """Why containerd cannot run ``runtimes`` for this user here (no ctr, no socket or no
    access to it, no shim), or None when it can. Never raises."""
    try:
        ctr_prefix()
        for runtime in runtimes:
            runtime_argument(runtime)
    except ContainerdError as err:
        return f"{err.message} ({err.fix})" if err.fix else err.message
    missing = [
        r for r in runtimes if RUNTIMES[r] == RUNC_RUNTIME and not runtime_binary(RUNC_RUNTIME)
    ]
    return f"containerd has no {RUNC_RUNTIME} shim on its PATH" if missing else None


# --- running --------------------------------------------------------------------------------


def runtime_argument(runtime: str) -> str:
    """What ``ctr run --runtime`` gets: the runtime's name when containerd finds its shim
    on its PATH, else the full path of the kit's built shim (containerd 1.6.20 accepts one:
    checked with /usr/bin/containerd-shim-runc-v2)."""
    full = RUNTIMES.get(runtime, runtime)
    if full != WASM_RUNTIME or runtime_binary(full) is not None:
        return full
    shim = built_shim()
    if shim is None:
        raise ContainerdError(
            f"no {SHIM_BINARY} is built, so containerd has no wasm runtime",
            fix="KIT_SHIM=1 ./kit setup   (builds the kit's shim from shim/, a few minutes once)",
        )
    return str(shim)


def locked_options(runtime: str) -> list[str]:
    """The options every kit container gets from ``ctr run`` or ``ctr containers create``,
    whatever its runtime: a read-only root, the owner's labels, and ``runtime``'s shim."""
    labels = [f"--label={key}={value}" for key, value in _owner_labels().items()]
    # No --net-host and no --cni: the container gets a network namespace of its own with
    # nothing in it. ctr sets NoNewPrivileges unless --allow-new-privs is given.
    return ["--read-only", "--runtime", runtime_argument(runtime), *labels]


def _run_command(image: _Imported, container: str, runtime: str, args: Sequence[str]) -> list[str]:
    command = [
        "run",
        "--rm",
        *locked_options(runtime),
        "--platform",
        image.platform,
        image.name,
        container,
    ]
    if args:  # ctr's COMMAND replaces the image's whole argv, entrypoint included
        command += [image.argv0, *args] if image.argv0 else list(args)
    return command


def run_in_containerd(
    source: str | Path | bytes | bytearray,
    args: Sequence[str] = (),
    *,
    runtime: str = "wasmtime",
    stdin: bytes | str | None = None,
    timeout: float = RUN_TIMEOUT_S,
) -> WasiResult:
    """Run a module (a ``.wasm`` path or bytes, packaged as notebook 09's image) or one of
    the kit's Docker images through containerd with ``runtime`` (``"wasmtime"``: the kit's
    shim; ``"runc"``). Returns what the guest printed and its exit code like
    :func:`run_wasm`; raises :class:`Trap`, :class:`TimeoutExceeded` (the task is killed)
    or :class:`ContainerdError`. The image and container are gone afterwards. Issue 26."""
    if runtime not in RUNTIMES:
        raise ContainerdError(
            f"unknown runtime {runtime!r}", fix=f"use one of {', '.join(RUNTIMES)}"
        )
    if runtime == "wasmtime" and not _looks_like_wasm(source):
        raise ContainerdError(
            f"the wasmtime shim runs only WebAssembly, and {source!s} is a Linux image: runwasi's "
            "shims would hand its ELF entrypoint to youki as an ordinary Linux container, "
            "which is runc's job here",
            fix="run it with --runtime runc",
        )
    container = f"kit-{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="kit-containerd-") as folder:
        image = _import_source(source, Path(folder))
        try:
            result = _run(image, container, runtime, args, stdin, timeout)
            if runtime == "wasmtime" and result.exit_code == ENGINE_FAILED and is_component(source):
                raise ContainerdError(COMPONENT_REFUSED, fix=COMPONENT_FIX)
            return result
        finally:
            _remove_container(container)
            ctr("images", "rm", "--sync", image.name, check=False)


#: The status runwasi's executor gives the task when the shim's ``run_wasi`` returns an
#: error (containerd-shim-wasm 1.0.1, ``sys/unix/container/executor.rs``): 128 + SIGKILL's
#: 9, though nothing was killed. The error itself goes to containerd's log, not to stderr.
ENGINE_FAILED = 137
COMPONENT_REFUSED = (
    f"exit code {ENGINE_FAILED} before the guest ran: the kit's shim compiles preview-1 "
    'modules only, its wasmtime refused a component ("expected a WebAssembly module"), '
    f"and runwasi ends a task whose engine failed with {ENGINE_FAILED} (128 + SIGKILL's 9, "
    "though nothing was killed; the reason goes to containerd's log, not to stderr)"
)
COMPONENT_FIX = "run the component with kh.run_wasm, or on a platform that reads wasip2"


def _run(
    image: _Imported,
    container: str,
    runtime: str,
    args: Sequence[str],
    stdin: bytes | str | None,
    timeout: float,
) -> WasiResult:
    data = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
    start = time.perf_counter()
    started = start_task(image, container, runtime, args)
    threading.Thread(target=_feed, args=(started.process, data, container), daemon=True).start()
    return started.wait(timeout, start)


@dataclass(frozen=True)
class StartedTask:
    """A ``ctr run`` under way: its process (stdin still open) and readers of its output."""

    process: subprocess.Popen[bytes]
    readers: tuple[Callable[[], bytes], Callable[[], bytes]]
    image: _Imported
    container: str
    runtime: str

    def wait(self, timeout: float, start: float) -> WasiResult:
        """Wait for the task's end (killing it past ``timeout``) and return what it printed."""
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            _remove_container(self.container)  # ctr run returns once its task is gone
            self.process.kill()
            self.process.wait()
            raise TimeoutExceeded(timeout) from None
        elapsed = time.perf_counter() - start
        stdout, stderr = (reader() for reader in self.readers)
        _raise_for_failure(self.process.returncode, stderr, self.runtime, self.image)
        label = f"containerd {self.runtime}"
        return WasiResult(
            stdout, stderr, self.process.returncode, Timings(0.0, 0.0, elapsed, label)
        )


def start_task(image: _Imported, container: str, runtime: str, args: Sequence[str]) -> StartedTask:
    """Start ``ctr run`` for ``image`` as ``container``; the caller feeds and closes stdin."""
    command = [*ctr_prefix(), *_run_command(image, container, runtime, args)]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    readers = (_reader(process.stdout), _reader(process.stderr))
    return StartedTask(process, readers, image, container, runtime)


def _reader(stream: IO[bytes] | None) -> Callable[[], bytes]:
    """Read ``stream`` to its end in a thread; the returned call waits for it."""
    chunks: list[bytes] = []
    thread = threading.Thread(
        target=lambda: chunks.append(stream.read() if stream else b""), daemon=True
    )
    thread.start()

    def result() -> bytes:
        thread.join()
        return b"".join(chunks)

    return result


def _feed(process: subprocess.Popen[bytes], data: bytes, container: str) -> None:
    """Write the guest's stdin, and end it only once the task has started: ctr passes
    EOF on to the task only after it has created it, so an EOF read earlier is lost and
    a guest reading stdin (wordcount) would wait for ever."""
    assert process.stdin is not None
    try:
        process.stdin.write(data)
        process.stdin.flush()
        while process.poll() is None and task_pid(container) is None:
            time.sleep(0.05)
        process.stdin.close()
    except (BrokenPipeError, ValueError, ContainerdError):  # ctr already gone
        pass


def task_pid(container: str) -> int | None:
    """The pid of the container's task once it has started (running or already done),
    as ``ctr tasks ls`` lists it; None before."""
    for line in ctr("tasks", "ls", check=False, timeout=10).stdout.splitlines():
        words = line.split()
        if words[:1] == [container] and words[-1] in ("RUNNING", "STOPPED"):
            return int(words[1]) if words[1].isdigit() else 0
    return None


def _raise_for_failure(code: int, stderr: bytes, runtime: str, image: _Imported) -> None:
    """ctr's own failures and the guest's traps become one clear error; a guest's own
    non-zero exit is a result."""
    text = stderr.decode("utf-8", "replace")
    for line in text.splitlines():
        if line.startswith(TRAP_MARKER):
            raise Trap(line[len(TRAP_MARKER) :].strip(), text, [])
    said = [line for line in text.splitlines() if line.startswith("ctr: ")]
    # runc's init reports a failed exec on the container's own stderr, not through ctr.
    exec_failed = runtime == "runc" and "exec format error" in text
    if code == 0 or not (said or exec_failed):
        return
    wasm_image = image.platform == WASM_PLATFORM
    if runtime == "runc" and wasm_image:
        raise ContainerdError(
            f"runc cannot run a wasm image: the kernel cannot execute /app.wasm ({_ctr_says(text).strip()})",
            output=text,
            fix="run it with --runtime wasmtime (the kit's shim)",
        )
    raise ContainerdError(f"containerd could not run the container: {_ctr_says(text)}", output=text)


def shim_fix() -> str:
    """How to get a shim containerd finds by name (or why the kit uses its full path)."""
    if is_root():
        return f"KIT_SHIM=1 ./kit setup (builds it and links /usr/local/bin/{SHIM_BINARY})"
    return "KIT_SHIM=1 ./kit setup as root, or ask whoever runs containerd to install the shim"


def doctor_row(status: dict[str, Any]) -> tuple[bool, str, str, str, str]:
    """The doctor's line for :func:`containerd_status` with the shim's ``probe`` (hello
    run through it, see ``proof.prove_shim``): ok, found, what it means, fix, checked by."""
    shim = status["runtimes"].get(WASM_RUNTIME)
    looked = "looked for containerd's socket and the shim on containerd's PATH"
    if status["address"] is None:
        return (
            False,
            "no containerd socket",
            "notebook 09 shows a recorded run through the shim, marked as recorded",
            _address_fix(),
            looked,
        )
    found = f"{status['address']} (namespace {status['namespace']})"
    built = built_shim()
    if shim is None and built is None:
        return (
            False,
            found + "; no wasm shim",
            "notebook 09 shows a recorded shim run",
            shim_fix(),
            looked,
        )
    found += (
        f"; {WASM_RUNTIME} -> {shim}"
        if shim
        else f"; shim built at {built}, not on containerd's PATH"
    )
    probe = status.get("probe")
    if probe is None:  # a report saved before the probe, or a socket this user may not use
        return (
            False,
            found + "; not tried",
            "notebook 09 shows a recorded shim run",
            shim_fix(),
            looked,
        )
    if not probe["ok"]:
        return (
            False,
            f"{found}; but hello through it failed: {probe['cause']}",
            "notebook 09 shows a recorded shim run",
            "see the cause; ./kit setup starts Docker and its containerd, KIT_SHIM=1 rebuilds the shim",
            probe["checked_by"],
        )
    via = "by its name" if shim else "by its full path"
    return (
        True,
        f"{found}; hello ran through it",
        f"notebook 09 runs modules through the real shim (ctr finds it {via})",
        "",
        probe["checked_by"],
    )


def _address_fix() -> str:
    return (
        "start Docker (./kit setup), which runs its own containerd, or set KIT_CONTAINERD_ADDRESS"
    )


# --- for the density benchmark (bench/density.py) ----------------------------------------------


def import_wasm_image(module: bytes, reference: str, folder: Path) -> str:
    """Notebook 09's image of ``module`` imported as ``reference``; returns its name."""
    return import_image(_oci_archive(module, reference, folder), WASM_PLATFORM)


def remove_container(container: str) -> None:
    """Kill a kit container's task and delete it with its snapshot; quiet when gone."""
    _remove_container(container)
