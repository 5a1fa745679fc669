"""A Docker daemon of the learner's own, started with their server: rootless Docker.

The socket a learner holds is then not root on the host, and their containers, images,
build cache and registries are theirs alone (no other learner's ``bench cleanup`` can reach
them). It runs docker.io's ``dockerd-rootless.sh`` as the learner, with rootlesskit's host
network (``DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host``, no port driver: slirp4netns cannot make
its tap device on the course machines, and the kit's containers need no network) and
``--bridge=none --iptables=false``. Its socket is ``/run/user/UID/docker.sock``, in a
folder only the learner can open. The cgroup driver is "none": ``--memory`` and
``--pids-limit`` are accepted but not enforced. Host network mode has one more cost: the
daemon, which holds no capability over the host's network namespace, cannot move a thread
back from a new container's namespace, so some later dials from the daemon (a pull from
127.0.0.1) are refused; Docker rejects the mode upstream and fixes it with rootlesskit 2's
``--detach-netns`` (Docker 26). The benchmark leaves the docker pull variant out there.

Where it cannot run (no rootlesskit, no subordinate ids, the daemon does not answer), the
learner's server gets ``KIT_DOCKER=off`` and recorded container data, never the root socket.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .accounts import LearnerCgroup, as_account, subid_range

ROOTLESS_SCRIPT = Path("/usr/share/docker.io/contrib/dockerd-rootless.sh")
DAEMON_ARGS = ("--bridge=none", "--iptables=false", "--ip6tables=false")
LOG_NAME = ".kit-cache/dockerd-rootless.log"
_SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class LearnerDocker:
    """The learner's daemon (``socket``), or why they have none (``reason``)."""

    socket: Path | None
    reason: str = ""
    # The launcher this hub started (None when the daemon was already running): the hub
    # reaps it once the learner's processes are stopped, so no zombie is left behind.
    process: subprocess.Popen[bytes] | None = field(default=None, compare=False, repr=False)

    def reap(self, timeout: float = 10.0) -> None:
        if self.process is not None:
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)

    def env(self) -> dict[str, str]:
        if self.socket is None:
            return {"KIT_DOCKER": "off"}
        return {"DOCKER_HOST": f"unix://{self.socket}", "XDG_RUNTIME_DIR": str(self.socket.parent)}


def missing(name: str) -> str:
    """Why rootless Docker cannot run for ``name`` here ('' when it can)."""
    if os.environ.get("KIT_HUB_DOCKER", "rootless") == "off":
        return "KIT_HUB_DOCKER=off"
    if not ROOTLESS_SCRIPT.exists():
        return f"no {ROOTLESS_SCRIPT} (apt-get install docker.io)"
    for tool in ("rootlesskit", "dockerd", "newuidmap", "newgidmap"):
        if not shutil.which(tool, path=_SYSTEM_PATH):
            return f"no {tool} (apt-get install rootlesskit uidmap docker.io)"
    if subid_range(name) is None or subid_range(name, Path("/etc/subgid")) is None:
        return f"{name} has no subordinate ids in /etc/subuid and /etc/subgid"
    return ""


def runtime_dir(entry: pwd.struct_passwd) -> Path:
    """``/run/user/UID``, the learner's alone (0700), made here when no login manager did."""
    path = Path("/run/user") / str(entry.pw_uid)
    path.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.stat().st_uid not in (0, entry.pw_uid):
        raise OSError(f"{path} is not the learner's")
    os.chown(path, entry.pw_uid, entry.pw_gid)
    path.chmod(0o700)
    return path


def answers(sock: Path, timeout: float = 2.0) -> bool:
    """Whether a Docker daemon answers ``/_ping`` on this unix socket."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            client.connect(str(sock))
            client.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = client.recv(4096)
    except OSError:
        return False
    return reply.startswith(b"HTTP/1.") and b" 200 " in reply.split(b"\r\n", 1)[0]


def start(
    entry: pwd.struct_passwd, timeout: float = 30.0, cgroup: LearnerCgroup | None = None
) -> LearnerDocker:
    """Start the learner's rootless daemon (or find it running) and wait until it answers;
    in the learner's ``cgroup``, so it and its containers count against their limits."""
    why = missing(entry.pw_name)
    if why:
        return LearnerDocker(None, why)
    try:
        run = runtime_dir(entry)
    except OSError as err:
        return LearnerDocker(None, f"no runtime folder: {err}")
    sock = run / "docker.sock"
    if answers(sock):
        return LearnerDocker(sock)
    env = {
        "HOME": entry.pw_dir,
        "USER": entry.pw_name,
        "LOGNAME": entry.pw_name,
        "PATH": _SYSTEM_PATH,
        "XDG_RUNTIME_DIR": str(run),
        "DOCKERD_ROOTLESS_ROOTLESSKIT_NET": "host",
        "DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER": "none",
    }
    # The learner's shell opens the log, so the file is theirs and a link they plant in
    # their home cannot make root write elsewhere.
    launcher = 'mkdir -p "$HOME/.kit-cache" && exec "$0" "$@" >>"$HOME/' + LOG_NAME + '" 2>&1'
    proc = subprocess.Popen(
        ["/bin/sh", "-c", launcher, str(ROOTLESS_SCRIPT), *DAEMON_ARGS],
        env=env,
        preexec_fn=as_account(entry, cgroup=cgroup),
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(sock):
            return LearnerDocker(sock, process=proc)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
    proc.wait(timeout=10)
    return LearnerDocker(
        None, f"the rootless daemon did not answer (see ~{entry.pw_name}/{LOG_NAME})"
    )
