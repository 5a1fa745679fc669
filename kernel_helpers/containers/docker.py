"""Connecting to Docker, and saying clearly when there is none.

``KIT_DOCKER=off`` forces the no-Docker path (what a Binder session gets), so an
instructor can rehearse it on a machine that has Docker. Every call gives up within about
two seconds on a dead or silent socket. Introduced in notebook 00, used from notebook 06.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import DockerUnavailable
from .._system import docker_packages, find_program, has_apt, install_hint, is_root, on_jupyterhub

if TYPE_CHECKING:
    import docker

CONNECT_TIMEOUT_S = 2.0
#: Once the daemon has answered, builds, pushes and pulls of a 100 MB image may take
#: minutes on a busy laptop; only the first contact needs to fail fast.
OPERATION_TIMEOUT_S = 300

#: containerd runtime names that run wasm (runwasi shims and friends).
WASM_RUNTIME_MARKERS = ("wasm", "wasi", "spin", "slight", "wasmedge", "wasmtime", "wasmer")


def docker_disabled() -> bool:
    """True when the learner or a test asked for the no-Docker path."""
    return os.environ.get("KIT_DOCKER", "").strip().lower() in ("off", "0", "no", "false")


def _permission_denied(err: BaseException | None) -> bool:
    """True when the daemon is there but this user may not use its socket."""
    while err is not None:
        if isinstance(err, PermissionError) or "Permission denied" in str(err):
            return True
        err = err.__cause__ or err.__context__
    return False


def docker_fix(err: BaseException | None = None) -> str:
    """The one-line way to get a Docker daemon on this machine (given why it failed)."""
    if on_jupyterhub() and not docker_disabled():
        # A learner's server: the host's root socket is never theirs, and installing is not
        # theirs to do. Their own daemon is the hub's to start.
        return (
            "on this hub your own rootless Docker starts with your server where the machine "
            "allows it (ask your instructor); until then the course shows recorded container data, marked"
        )
    if _permission_denied(err):
        return (
            "Docker is running but your user may not use it: sudo usermod -aG docker $USER, "
            "then log out and in again"
        )
    if docker_disabled():
        return "unset KIT_DOCKER (it is set to 'off') to measure with Docker"
    if find_program("dockerd") and is_root():
        return (
            "start the daemon: dockerd --bridge=none --iptables=false "
            "> /tmp/dockerd.log 2>&1 &   (or run ./kit setup)"
        )
    if has_apt():
        return f"{install_hint(docker_packages(), '')}, then start dockerd (./kit setup does both)"
    return "install Docker Engine or Docker Desktop and start it; the course uses recorded data until then"


def connect(timeout: float = CONNECT_TIMEOUT_S) -> docker.DockerClient:
    """A docker SDK client that has answered a ping, or :class:`DockerUnavailable`."""
    if docker_disabled():
        raise DockerUnavailable("KIT_DOCKER=off asks for recorded data", fix=docker_fix())
    try:
        import docker
        import docker.errors
    except ImportError as err:  # pragma: no cover - docker is a hard dependency
        raise DockerUnavailable(
            f"the docker SDK is not installed ({err})", fix="pip install docker"
        ) from err
    try:
        # version="auto" negotiates the API with older daemons (Debian's is 20.10).
        client = docker.from_env(timeout=int(max(1, timeout)), version="auto")
        client.ping()
    except Exception as err:  # the SDK raises several unrelated types for a dead socket
        raise DockerUnavailable(_short_reason(err), fix=docker_fix(err)) from err
    client.api.timeout = OPERATION_TIMEOUT_S
    return client


def _short_reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return f"no daemon answered at {host} ({text[:160]})"


@dataclass
class DockerStatus:
    """What the doctor reports about Docker."""

    available: bool
    server_version: str | None = None
    api_version: str | None = None
    runtimes: list[str] = field(default_factory=list)
    wasm_shims: list[str] = field(default_factory=list)
    storage_driver: str | None = None
    reason: str | None = None
    fix: str | None = None
    rootless: bool = False
    #: Whether ``--memory`` and ``--pids-limit`` are enforced: a rootless daemon without a
    #: cgroup driver (a workshop hub's) accepts them and enforces neither.
    limits_enforced: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def limits_note(self) -> str | None:
        """One sentence for where the kit relies on container limits; None when they hold."""
        if not self.available or self.limits_enforced:
            return None
        return (
            "This Docker daemon has no cgroup driver (rootless, as on a workshop hub): it accepts "
            "the kit's --memory and --pids-limit but enforces neither; no network, a read-only "
            "root, dropped capabilities and the kit's timeouts still hold."
        )


def docker_status(timeout: float = CONNECT_TIMEOUT_S) -> DockerStatus:
    """Probe the daemon; never raises, never waits much longer than ``timeout``."""
    try:
        client = connect(timeout)
        info = client.info()
        version = client.version()
    except DockerUnavailable as err:
        return DockerStatus(False, reason=err.reason, fix=err.fix)
    except Exception as err:
        return DockerStatus(False, reason=_short_reason(err), fix=docker_fix(err))
    runtimes = sorted((info.get("Runtimes") or {}).keys())
    shims = [r for r in runtimes if any(m in r.lower() for m in WASM_RUNTIME_MARKERS)]
    client.close()
    return DockerStatus(
        True,
        server_version=str(version.get("Version")),
        api_version=str(version.get("ApiVersion")),
        runtimes=runtimes,
        wasm_shims=shims,
        storage_driver=info.get("Driver"),
        rootless=_rootless_in(info.get("SecurityOptions") or []),
        limits_enforced=_limits_enforced(info),
    )


def is_rootless(client: docker.DockerClient) -> bool:
    """Whether this daemon runs rootless (a workshop hub's learner daemon)."""
    try:
        options = client.info().get("SecurityOptions") or []
    except Exception:  # a daemon that cannot say is treated as the usual, rootful kind
        return False
    return _rootless_in(options)


def _rootless_in(security_options: list[Any]) -> bool:
    return any("rootless" in str(o) for o in security_options)


def _limits_enforced(info: dict[str, Any]) -> bool:
    """Memory and pids limits hold: a cgroup driver, and the daemon says it can do both."""
    return (
        info.get("CgroupDriver") not in (None, "none")
        and info.get("MemoryLimit", True) is not False
        and info.get("PidsLimit", True) is not False
    )
