"""A shaped link to a registry: a network namespace of the kit's own, a veth pair, ``tc``.

``with ShapedLink(LinkSettings(rate_mbit=50, rtt_ms=20)) as link:`` makes a namespace
``kitl-UID-PID`` joined to the host by a veth pair with addresses from 198.18.0.0/15 (the
block set aside for network benchmarks, RFC 2544; one /30 per process id), so nothing
else on the machine is touched. :meth:`ShapedLink.shape` puts a token bucket (``tc qdisc
... tbf``) on the namespace's end of the pair: that end sends what a pull downloads, so
the direction the image travels is the one limited. The round trip is added in user space
by a :class:`~.relay.DelayRelay` (this kernel has no ``netem``), which also gives Docker's
daemon a registry address on 127.0.0.1, the only plain-HTTP one it accepts.

Everything goes when the block ends. A crash cannot run ``finally``, so each link writes a
state file (``/run/kit-shaped-link/UID-PID.json``: the namespace, the veth, what was pulled
and where) and starts a watchdog process holding a pipe from its owner: when the owner dies,
however it dies, the pipe closes and the watchdog removes what the file lists. The next link
of the same user also removes what a dead owner left. Issue 27.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from .._errors import LinkUnavailable
from .._system import find_program, processes
from .relay import DelayRelay

STATE_DIR = Path("/run/kit-shaped-link")
#: RFC 2544's benchmarking block: never routed, so no real address is shadowed.
BENCHMARK_NET = ipaddress.IPv4Network("198.18.0.0/15")
#: tbf's bucket and queue: 64 KiB of burst (a few packets at link speed) and up to 400 ms
#: of queue, checked on this kernel at 50 Mbit/s (DESIGN notes).
TBF_BURST = "64kb"
TBF_LATENCY = "400ms"
COMMAND_TIMEOUT_S = 30.0
# After a dead owner, a pull in flight may still tag its image: look again this often.
IMAGE_SETTLE_CHECKS = 10
IMAGE_SETTLE_PAUSE_S = 1.0


@dataclass(frozen=True)
class LinkSettings:
    """The link a learner asks for: its rate and its round trip."""

    rate_mbit: float = 50.0
    rtt_ms: float = 20.0

    def __post_init__(self) -> None:
        if not 0.1 <= self.rate_mbit <= 10_000:
            raise LinkUnavailable(
                f"a rate of {self.rate_mbit:g} Mbit/s is out of range", fix="use 0.1 to 10000"
            )
        if not 0 <= self.rtt_ms <= 2_000:
            raise LinkUnavailable(
                f"a round trip of {self.rtt_ms:g} ms is out of range", fix="use 0 to 2000"
            )

    @property
    def bytes_per_s(self) -> float:
        return self.rate_mbit * 1e6 / 8

    @property
    def one_way_s(self) -> float:
        return self.rtt_ms / 2000


@dataclass(frozen=True)
class LinkNames:
    """The names and addresses of one process's link (owner and process in every name)."""

    namespace: str
    host_veth: str
    ns_veth: str
    host_address: str
    ns_address: str
    state_file: Path

    @classmethod
    def for_process(cls, uid: int, pid: int) -> LinkNames:
        subnet = BENCHMARK_NET.network_address + 4 * (pid % (BENCHMARK_NET.num_addresses // 4))
        # Interface names have 15 characters at most: "kl" + a pid (7 digits) + a side.
        return cls(
            namespace=f"kitl-{uid}-{pid}",
            host_veth=f"kl{pid}h",
            ns_veth=f"kl{pid}n",
            host_address=str(subnet + 1),
            ns_address=str(subnet + 2),
            state_file=STATE_DIR / f"{uid}-{pid}.json",
        )


@dataclass
class LinkState:
    """What a link made, as its state file holds it (so a watchdog or a later run can
    remove it): the owner process and its start time (a reused pid is not the owner)."""

    pid: int
    started: str
    namespace: str
    host_veth: str
    docker_images: list[str] = field(default_factory=list)
    containerd_images: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.__dict__))
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> LinkState | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def process_started(pid: int) -> str:
    """The start time of ``pid`` in clock ticks since boot ('' when there is no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def link_unavailable_reason() -> str | None:
    """Why no link can be made here (None: it can): root, ``ip`` and ``tc`` are needed."""
    if os.geteuid() != 0:
        return "a network namespace needs root, and this kernel runs as a learner"
    for program in ("ip", "tc"):
        if find_program(program, f"/usr/sbin/{program}", f"/sbin/{program}") is None:
            return f"the {program} command (iproute2) is not installed"
    return None


def setup_commands(names: LinkNames) -> list[tuple[str, ...]]:
    """The ``ip`` commands that make a link (a namespace, a veth pair, addresses), in
    order: what :class:`ShapedLink` runs, and what notebook 07 shows a learner."""
    in_ns = ("ip", "netns", "exec", names.namespace)
    return [
        ("ip", "netns", "add", names.namespace),
        ("ip", "link", "add", names.host_veth, "type", "veth", "peer", "name", names.ns_veth),
        ("ip", "link", "set", names.ns_veth, "netns", names.namespace),
        ("ip", "addr", "add", f"{names.host_address}/30", "dev", names.host_veth),
        ("ip", "link", "set", names.host_veth, "up"),
        (*in_ns, "ip", "addr", "add", f"{names.ns_address}/30", "dev", names.ns_veth),
        (*in_ns, "ip", "link", "set", names.ns_veth, "up"),
        (*in_ns, "ip", "link", "set", "lo", "up"),
    ]


def shape_command(names: LinkNames, settings: LinkSettings) -> tuple[str, ...]:
    """The ``tc`` command that limits the namespace's sending side (the pull's direction)."""
    return ("ip", "netns", "exec", names.namespace, "tc", "qdisc", "replace", "dev",
            names.ns_veth, "root", "tbf", "rate", f"{settings.rate_mbit:g}mbit",
            "burst", TBF_BURST, "latency", TBF_LATENCY)  # fmt: skip


def teardown_commands(names: LinkNames) -> list[tuple[str, ...]]:
    """What removes the link again: the namespace (its veth end, and so the pair, goes too)."""
    return [("ip", "netns", "del", names.namespace)]


def _run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        list(command), capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False
    )
    if check and done.returncode != 0:
        raise LinkUnavailable(
            f"{' '.join(command[:4])} failed: {done.stderr.strip()[:200]}",
            fix="the pull benchmark shows recorded data instead",
        )
    return done


class ShapedLink:
    """A namespace, a veth pair, a shaper and relays; see the module's docstring."""

    def __init__(self, settings: LinkSettings | None = None) -> None:
        self.settings = settings or LinkSettings()
        self.names = LinkNames.for_process(os.getuid(), os.getpid())
        self.shaped = False
        self._relays: list[DelayRelay] = []
        self._state: LinkState | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None

    # --- lifetime -------------------------------------------------------------------------

    def open(self) -> ShapedLink:
        why = link_unavailable_reason()
        if why is not None:
            raise LinkUnavailable(why, fix="the pull benchmark shows recorded data instead")
        remove_dead_links()
        STATE_DIR.mkdir(mode=0o700, exist_ok=True)
        n = self.names
        self._state = LinkState(os.getpid(), process_started(os.getpid()), n.namespace, n.host_veth)
        self._state.save(n.state_file)  # first: whatever follows can fail halfway
        self._watchdog = _start_watchdog(n.state_file)
        try:
            self._make()
        except BaseException:
            self.close()
            raise
        return self

    def _make(self) -> None:
        for command in setup_commands(self.names):
            _run(*command)

    def close(self) -> None:
        for relay in self._relays:
            relay.close()
        self._relays.clear()
        if self._state is not None:
            remove_link(self._state, self.names.state_file)
            self._state = None
        if self._watchdog is not None:
            with contextlib.suppress(OSError):
                assert self._watchdog.stdin is not None
                self._watchdog.stdin.close()  # nothing left for it to do: it ends
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._watchdog.wait(timeout=COMMAND_TIMEOUT_S)
            self._watchdog = None

    def __enter__(self) -> ShapedLink:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- use ------------------------------------------------------------------------------

    @property
    def launcher(self) -> list[str]:
        """The command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.names.namespace]

    def relay_to(self, port: int) -> DelayRelay:
        """A relay on 127.0.0.1 to ``port`` in the namespace, delayed as the link is."""
        relay = DelayRelay(
            (self.names.ns_address, port), one_way_s=self.settings.one_way_s if self.shaped else 0
        )
        self._relays.append(relay)
        return relay

    def shape(self, settings: LinkSettings | None = None) -> None:
        """Limit the namespace's sending side to the rate and delay the relays: from now on
        every pull crosses the link as asked."""
        self.settings = settings or self.settings
        _run(*shape_command(self.names, self.settings))
        for relay in self._relays:
            relay.one_way_s = self.settings.one_way_s
        self.shaped = True

    def unshape(self) -> None:
        """The link at memory speed again (pushes, and the floor a shaped pull adds to)."""
        _run(*self.launcher, "tc", "qdisc", "del", "dev", self.names.ns_veth, "root", check=False)
        for relay in self._relays:
            relay.one_way_s = 0.0
        self.shaped = False

    def qdisc(self) -> str:
        """``tc qdisc show`` of the shaped end, as tc prints it."""
        return _run(*self.launcher, "tc", "qdisc", "show", "dev", self.names.ns_veth).stdout

    def bytes_downloaded(self) -> int:
        """Bytes the namespace has sent over the veth so far (frames, headers included:
        what the token bucket counts)."""
        path = Path(f"/sys/class/net/{self.names.host_veth}/statistics/rx_bytes")
        return int(path.read_text())

    def remember(
        self, *, docker_image: str = "", containerd_image: str = "", folder: str = ""
    ) -> None:
        """Note something to remove when the link goes, should its owner die first."""
        if self._state is None:
            return
        for value, where in (
            (docker_image, self._state.docker_images),
            (containerd_image, self._state.containerd_images),
            (folder, self._state.folders),
        ):
            if value and value not in where:
                where.append(value)
        self._state.save(self.names.state_file)


# --- removal: now, by a watchdog, or by the next run ---------------------------------------


def remove_link(state: LinkState, state_file: Path) -> None:
    """Remove everything ``state`` lists (idempotent): processes left in the namespace, the
    namespace (its veth end goes with it, and with that the pair), pulled images, folders."""
    pids = _run("ip", "netns", "pids", state.namespace, check=False).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
    _run("ip", "netns", "del", state.namespace, check=False)
    _run("ip", "link", "del", state.host_veth, check=False)
    _remove_images(state)
    for folder in state.folders:
        shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        state_file.unlink()


def _remove_images(state: LinkState) -> None:
    docker_cli = find_program("docker")
    if docker_cli and state.docker_images:
        _remove_docker_images(docker_cli, state.docker_images)
    if state.containerd_images:
        from .containerd import ctr

        with contextlib.suppress(Exception):  # no containerd: nothing was pulled into it
            ctr("images", "rm", "--sync", *state.containerd_images, check=False)


def _remove_docker_images(docker_cli: str, images: list[str]) -> None:
    """Remove ``images``, also one whose pull was in flight when the owner died: its docker
    client (orphaned, still running) is stopped first, so the daemon cancels the pull; a pull
    that had already fetched every layer can still tag its image after our first ``rmi``,
    so we look again until none is there (bounded)."""
    clean_checks_wanted = 2 if _stop_clients_of(images) else 1
    clean_checks = 0
    for _ in range(IMAGE_SETTLE_CHECKS):
        _run(docker_cli, "rmi", "-f", *images, check=False)
        present = _run(docker_cli, "image", "inspect", "--format", "{{.Id}}", *images, check=False)
        clean_checks = 0 if present.stdout.strip() else clean_checks + 1
        if clean_checks >= clean_checks_wanted:
            return
        time.sleep(IMAGE_SETTLE_PAUSE_S)


def _stop_clients_of(images: list[str]) -> bool:
    """SIGKILL this user's processes that name one of ``images`` as an argument (a
    ``docker run --pull=always REF`` a dead run left behind); whether there were any. The
    references carry the run's own random marker, so no other run's process can match."""
    wanted, stopped = set(images), False
    for pid, owner, argv in processes():
        if owner != os.getuid() or pid == os.getpid():
            continue
        if wanted & {arg.decode(errors="replace") for arg in argv}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                stopped = True
    return stopped


def remove_dead_links() -> int:
    """Remove the links this user's dead processes left; how many there were."""
    removed = 0
    for state_file in sorted(STATE_DIR.glob(f"{os.getuid()}-*.json")):
        state = LinkState.load(state_file)
        if state is None:
            continue
        if process_started(state.pid) == state.started:
            continue  # its owner still runs
        remove_link(state, state_file)
        removed += 1
    return removed


def leftovers(owner: int | None = None) -> dict[str, list[str]]:
    """What of the kit's links is on this machine now: namespaces, veths, state files;
    with ``owner``, only that process's (another run on the machine may have one open)."""
    pid = r"\d+" if owner is None else str(owner)
    namespaces = [
        line.split()[0]
        for line in _run("ip", "netns", "list", check=False).stdout.splitlines()
        if re.fullmatch(rf"kitl-\d+-{pid}", line.split()[0] if line.split() else "")
    ]
    links = [name for name in os.listdir("/sys/class/net") if re.fullmatch(rf"kl{pid}[hn]", name)]
    files = (
        [str(p) for p in STATE_DIR.glob("*.json") if re.fullmatch(rf"\d+-{pid}\.json", p.name)]
        if STATE_DIR.is_dir()
        else []
    )
    return {"namespaces": namespaces, "veths": links, "state_files": files}


def _start_watchdog(state_file: Path) -> subprocess.Popen[bytes]:
    """A process that waits for its stdin (our pipe) to close, then removes the link:
    in its own session, so the interrupt that stops us does not stop it first."""
    return subprocess.Popen(
        [sys.executable, "-m", __name__, "--watch", str(state_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def _watch(state_file: Path) -> int:
    sys.stdin.buffer.read()  # returns when the owner closed the pipe or died
    state = LinkState.load(state_file)
    if state is not None:
        remove_link(state, state_file)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--watch":
        sys.exit(_watch(Path(sys.argv[2])))
    sys.exit("usage: python -m kernel_helpers.containers.shaped_link --watch STATE_FILE")
