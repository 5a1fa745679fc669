"""Notebook 06 · start-up against containers: the live plot and the start-up ratio checks.

Checks that grade a measured number take the learner's own result as a second argument,
so the right answer is the one *their* machine produced.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._display import format_seconds
from .._errors import KitError
from ..bench.results import as_result, variant_summaries
from ..report.plots import LiveStartupPlot
from ..report.verdicts import SEVERAL_SECONDS_FROM_S
from .checks import (
    IN_NOTEBOOK,
    CheckResult,
    Solution,
    Unusable,
    close,
    exercise,
    not_yet,
    number,
    right,
    wrong,
)

if TYPE_CHECKING:
    from ..containers.docker import DockerStatus


@exercise("06 · exercise 1 (the start-up ratio)")
def check_startup_ratio(answer: object, result: Any) -> CheckResult:
    """Notebook 06: docker-scratch's median divided by wasm-instantiate's, from ``result``."""
    summaries = variant_summaries(as_result(result))
    if "docker-scratch" not in summaries or "wasm-instantiate" not in summaries:
        return wrong(
            "this result lacks docker-scratch or wasm-instantiate; run the benchmark cell first."
        )
    container, wasm = summaries["docker-scratch"].median_s, summaries["wasm-instantiate"].median_s
    truth = container / wasm
    given = number(answer)
    if close(given, truth):
        return right(
            f"yes: about {truth:,.0f}×. A container start costs that many wasm starts here."
        )
    if close(given, 1 / truth):
        return wrong(
            "you divided the other way round.", "Put the container's median on top: the slower one."
        )
    return wrong(
        f"{_plain(given)} is not the ratio of the two medians.",
        f"Divide result.variants['docker-scratch'].stats.median_s ({format_seconds(container)}) by "
        f"result.variants['wasm-instantiate'].stats.median_s ({format_seconds(wasm)}).",
    )


def _plain(value: float) -> str:
    """A learner's number as the course writes numbers (2,610, not 2.61e+03)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


@exercise("06 · exercise 2 (does the claim hold?)")
def check_several_seconds(answer: object, result: Any) -> CheckResult:
    """Notebook 06: True if docker-scratch took several seconds (>= 2 s) in ``result``."""
    if not isinstance(answer, bool):
        return wrong(f"answer True or False, not {answer!r}.")
    container = variant_summaries(as_result(result)).get("docker-scratch")
    if container is None:
        return wrong("this result has no docker-scratch variant; run the benchmark cell first.")
    truth = container.median_s >= SEVERAL_SECONDS_FROM_S
    if answer == truth:
        if truth:
            return right(
                f"right: {format_seconds(container.median_s)} is several seconds; the claim holds here."
            )
        return right(
            f"right: {format_seconds(container.median_s)} is a fraction of a second; the claim overstates it here."
        )
    return wrong(
        f"look at the docker-scratch row again: its median is {format_seconds(container.median_s)}.",
        f"'Several seconds' means at least {SEVERAL_SECONDS_FROM_S:g} s.",
    )


# --- exercise 3: a locked-down container ------------------------------------------------

#: Limits that leave hello (which needs a few MiB and one process) plenty, and still
#: protect the machine: a limit far above these takes little away.
MAX_MEMORY_BYTES = 256 * 1024 * 1024
MAX_PIDS = 256

#: containers.run's own switches (how it waits and what it returns), not container settings.
RUN_SWITCHES = frozenset({"remove", "detach", "stdout", "stderr", "stream"})
#: The six locks the exercise asks for, by their keyword (network_disabled closes the
#: network too): the six settings of the cell that opened the box.
LOCKS = ("network_mode", "read_only", "cap_drop", "security_opt", "mem_limit", "pids_limit")
#: The option of ``security_opt`` that is the sixth lock.
NO_NEW_PRIVILEGES = "no-new-privileges"
#: What the check also agrees to run: settings that take more away, or name and label it.
ALSO_RUN = frozenset(
    {
        "network_disabled",
        "memswap_limit",
        "nano_cpus",
        "cpu_quota",
        "cpu_period",
        "cpu_shares",
        "user",
        "labels",
        "environment",
        "hostname",
    }
)
#: Settings that open a hole in the box, and why the check will not run them.
OPENS_A_HOLE = {
    "privileged": "gives the container every capability and every host device",
    "cap_add": "gives capabilities back",
    "volumes": "hands the container a folder of the host",
    "mounts": "hands the container a folder of the host",
    "volumes_from": "hands the container another container's folders",
    "devices": "hands the container a device of the host",
    "pid_mode": "can share the host's process namespace",
    "ipc_mode": "can share the host's IPC namespace",
    "userns_mode": "can turn off user namespace remapping",
    "uts_mode": "can share the host's hostname namespace",
    "network": "attaches a network",
    "ports": "publishes ports on the host",
    "entrypoint": "changes what runs: the check runs the hello image as built",
    "command": "changes what runs: the check runs the hello image as built",
}


def _known_keywords() -> frozenset[str]:
    from docker.models.containers import RUN_CREATE_KWARGS, RUN_HOST_CONFIG_KWARGS

    # run() itself also takes these, and turns them into create()'s settings.
    return frozenset({*RUN_CREATE_KWARGS, *RUN_HOST_CONFIG_KWARGS, *RUN_SWITCHES, *OPENS_A_HOLE})


@dataclass(frozen=True)
class Locks:
    """The six things a locked-down run takes away: as the learner asked for them
    (:meth:`asked`) or as Docker applied them (:meth:`applied`, from ``docker inspect``)."""

    network: str  # "none": no network at all
    read_only: bool
    cap_drop: tuple[str, ...]
    no_new_privileges: bool
    memory_bytes: int  # 0: no limit
    pids: int  # 0 or less: no limit

    @classmethod
    def asked(cls, settings: Mapping[str, Any]) -> Locks:
        network = (
            "none"
            if settings.get("network_disabled") is True
            else str(settings.get("network_mode", "default"))
        )
        return cls(
            network,
            settings.get("read_only") is True,
            _capabilities(settings.get("cap_drop")),
            _no_new_privileges(settings.get("security_opt")),
            _memory_bytes(settings.get("mem_limit")),
            _pids(settings.get("pids_limit")),
        )

    @classmethod
    def applied(cls, inspected: Mapping[str, Any]) -> Locks:
        host, config = inspected.get("HostConfig") or {}, inspected.get("Config") or {}
        network = (
            "none" if config.get("NetworkDisabled") else str(host.get("NetworkMode") or "default")
        )
        return cls(
            network,
            bool(host.get("ReadonlyRootfs")),
            _capabilities(host.get("CapDrop")),
            _no_new_privileges(host.get("SecurityOpt")),
            int(host.get("Memory") or 0),
            int(host.get("PidsLimit") or 0),
        )

    def gap(self) -> tuple[str, str] | None:
        """The first lock left open: what it leaves open, and the setting that closes it."""
        if self.network != "none":
            return (
                f"the container gets a network (NetworkMode {self.network!r}): it could reach the outside.",
                'network_mode="none" leaves it a network namespace holding only lo.',
            )
        if not self.read_only:
            return (
                "its root filesystem is writable: a program in it can change its own files.",
                "read_only=True mounts the image's files read-only.",
            )
        if "ALL" not in self.cap_drop:
            return (
                "it keeps Docker's default capabilities (chown, kill, net_raw, ...): root inside can still use them.",
                'cap_drop=["ALL"] drops every one of them.',
            )
        if not self.no_new_privileges:
            return (
                "a setuid program inside could still gain privileges when it starts.",
                f'security_opt=["{NO_NEW_PRIVILEGES}"] stops every process in it from gaining any.',
            )
        if self.memory_bytes <= 0:
            return (
                "it has no memory limit: it may take all of the host's memory.",
                'mem_limit="64m" (a string with a unit, or a number of bytes).',
            )
        if self.memory_bytes > MAX_MEMORY_BYTES:
            return (
                f"a memory limit of {self.memory_bytes / 2**20:g} MiB takes little away.",
                f"hello needs a few MiB: stay at or below {MAX_MEMORY_BYTES // 2**20} MiB.",
            )
        if self.pids <= 0:
            return (
                "it has no process limit: a fork bomb inside could fill the host's process table.",
                "pids_limit=64 caps how many processes it may have at once.",
            )
        if self.pids > MAX_PIDS:
            return (
                f"a limit of {self.pids} processes takes little away.",
                f"hello is one process: stay at or below {MAX_PIDS}.",
            )
        return None

    def text(self) -> str:
        return (
            f"NetworkMode {self.network}, ReadonlyRootfs {self.read_only}, CapDrop {list(self.cap_drop)}, "
            f"NoNewPrivileges {self.no_new_privileges}, Memory {self.memory_bytes / 2**20:g} MiB, PidsLimit {self.pids}"
        )


def _capabilities(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(c, str) for c in value):
        raise Unusable(
            "cap_drop takes a list of capability names.",
            'Write cap_drop=["ALL"], with the brackets.',
        )
    return tuple(c.upper() for c in value)


def _no_new_privileges(value: object) -> bool:
    """Whether a ``security_opt`` list (or Docker's ``SecurityOpt``) holds no-new-privileges."""
    if not isinstance(value, (list, tuple)):
        return False
    return any(str(option) in (NO_NEW_PRIVILEGES, f"{NO_NEW_PRIVILEGES}:true") for option in value)


def _memory_bytes(value: object) -> int:
    from docker.errors import DockerException
    from docker.utils import parse_bytes

    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Unusable(f'mem_limit takes a size like "64m", not {value!r}.')
    try:
        return int(parse_bytes(value))
    except DockerException as err:
        raise Unusable(
            f"Docker cannot read mem_limit={value!r}.", f'{err}. For example "64m".'
        ) from err


def _pids(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unusable(
            f"pids_limit takes a whole number, not {value!r}.", "For example pids_limit=64."
        )
    return value


def _runnable_settings(answer: object) -> dict[str, Any]:
    """The learner's keyword arguments, minus run()'s own switches, once every key is one
    the check agrees to run; otherwise :class:`Unusable` naming the key and why."""
    if not isinstance(answer, Mapping) or not all(isinstance(key, str) for key in answer):
        raise Unusable(
            f"expected a dict of keyword arguments, got {type(answer).__name__}.",
            'For example {"read_only": True, ...}: the keywords of client.containers.run.',
        )
    for key in answer:
        if key in OPENS_A_HOLE:
            raise Unusable(
                f"the check does not run {key}: it {OPENS_A_HOLE[key]}.",
                "This exercise only takes things away; leave it out.",
            )
        if key not in _known_keywords():
            close_ones = difflib.get_close_matches(key, sorted(_known_keywords()), n=1)
            raise Unusable(
                f"{key!r} is not a keyword of client.containers.run.",
                f"Did you mean {close_ones[0]!r}?"
                if close_ones
                else f"The six locks: {', '.join(LOCKS)}.",
            )
        if key not in (*LOCKS, *ALSO_RUN, *RUN_SWITCHES):
            raise Unusable(
                f"the check does not run {key}: it runs the six locks and a few settings "
                "that take more away.",
                f"Leave {key} out.",
            )
    _loosened_security_opt(answer.get("security_opt"))
    return {key: value for key, value in answer.items() if key not in RUN_SWITCHES}


def _loosened_security_opt(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, (list, tuple)):
        raise Unusable(
            "security_opt takes a list.", 'For example security_opt=["no-new-privileges"].'
        )
    for option in value:
        if not str(option).startswith("no-new-privileges"):
            raise Unusable(
                f"the check does not run security_opt {option!r}: it loosens the sandbox.",
                'Keep security_opt to ["no-new-privileges"]: that option is the lock.',
            )


@exercise("06 · exercise 3 (a locked-down container)")
def check_locked_down_run(answer: object) -> CheckResult:
    """Notebook 06: keyword arguments for ``client.containers.run`` that close the six
    locks. The check reads them first (a container never runs with a lock open); with
    Docker it then runs the hello image with them and grades what Docker applied."""
    from .._errors import DockerUnavailable
    from ..containers.docker import connect

    settings = _runnable_settings(answer)
    gap = Locks.asked(settings).gap()
    if gap is not None:
        return wrong(*gap)
    try:
        client = connect()
    except DockerUnavailable as err:
        return not_yet(
            "Docker is not here, so your settings were read but not run: as written, they close all six locks.",
            f"To run them: {err.fix}" if err.fix else None,
        )
    with contextlib.closing(client):
        return _run_locked_down(client, settings)


def _run_locked_down(client: Any, settings: Mapping[str, Any]) -> CheckResult:
    from ..containers.images import run_with_settings

    try:
        image = hello_image(client=client)
    except KitError as err:
        return not_yet(f"the check cannot build the hello image here: {err.message}", err.fix)
    try:
        run = run_with_settings(image, settings, client=client)
    except KitError as err:
        return wrong(
            f"Docker refused these settings: {err.message}",
            "Change the one it names; keep the other locks.",
        )
    applied = Locks.applied(run.inspected)
    gap = applied.gap()
    if gap is not None:
        return wrong(f"Docker applied something else: {gap[0]}", gap[1])
    printed = run.stdout.decode("utf-8", "replace")
    if run.exit_code != 0 or printed != hello_output():
        said = run.stderr.decode("utf-8", "replace").strip()
        return wrong(f"the container exited {run.exit_code} and printed {printed!r}.", said or None)
    return right(
        f"yes: Docker applied {applied.text()}, and hello still printed {printed.strip()!r}: "
        "it needed nothing you took away."
    )


# --- the hello image the by-hand cells run ------------------------------------------------


def hello_image(example: str = "hello", *, client: Any | None = None) -> str:
    """The tag of a ``FROM scratch`` image holding ``example``'s static native build. Its
    tag carries your owner id, so it is yours alone on a shared daemon; it is built the
    first time and kept (``kh.cleanup()`` removes it). Notebooks 06 and 07."""
    import docker.errors

    from ..containers.docker import connect
    from ..containers.images import scratch_image
    from ..toolchains.build import native_binary

    tag = hello_image_tag(example)
    docker_client = client if client is not None else connect()
    try:
        docker_client.images.get(tag)
    except docker.errors.ImageNotFound:
        scratch_image(native_binary(example, "c").path, tag, client=docker_client)
    finally:
        if client is None:
            docker_client.close()
    return tag


def hello_image_tag(example: str = "hello") -> str:
    """``kit-<example>:<your owner id>``, the tag :func:`hello_image` builds."""
    from ..containers.images import owner_tag

    return owner_tag(f"kit-{example}")


def hello_output(example: str = "hello") -> str:
    """What ``example`` prints, from its wasm build run once by the kit: what every other
    way of running it (a container, a pulled artifact) must print too."""
    from ..toolchains.prebuilt import wasm_module
    from ..wasm.runner import run_wasm

    return run_wasm(wasm_module(example, "c").path).check().stdout_text


def containerd_rows(docker: DockerStatus | None = None) -> str:
    """One line for notebook 06's first cell: whether the two containerd rows will be
    measured here, or recorded data (and why). ``docker``: the cell's own probe, if any."""
    from ..containers.containerd import unavailable_reason
    from ..containers.docker import docker_status

    docker = docker or docker_status()
    # runc's FROM scratch image is Docker's build, so without Docker both rows are recorded.
    reason = unavailable_reason() if docker.available else f"no Docker here ({docker.reason})"
    if reason is None:
        return "containerd answers with runc and a wasm shim: the two containerd rows are measured here."
    return f"The two containerd rows will be recorded data, drawn grey and hatched: {reason}."


#: Small by default so a headless run of notebook 06 stays well under 90 s; the learner's
#: Start button runs again with as many repetitions as they like.
NOTEBOOK_REPEAT = 5
NOTEBOOK_WARMUP = 1


def live_startup(
    example: str = "hello",
    *,
    repeat: int = NOTEBOOK_REPEAT,
    warmup: int = NOTEBOOK_WARMUP,
    precision: float | None = None,
    budget_s: float = 60.0,
    run: bool = True,
) -> LiveStartupPlot[Any]:
    """Show the live start-up plot with Start/Stop and run it once in this cell (notebook 06).
    ``precision`` and ``budget_s`` are :func:`~kernel_helpers.bench.startup.run_startup`'s:
    more rounds of the headline pair until its ratio is that tight, or the budget is spent.

    If the run fails (Docker went away mid-run, a build failed), the plot shows the
    recorded reference data instead and ``live.error`` says what happened.
    """
    from ..bench.startup import VARIANTS, run_startup

    names = [v.name for v in VARIANTS]
    live: LiveStartupPlot[Any] = LiveStartupPlot(
        names, expected_samples=len(names) * repeat, title=f"Start-up of '{example}', live"
    )

    def runner(on_sample: Any, stop: Any) -> Any:
        return run_startup(
            example,
            repeat=repeat,
            warmup=warmup,
            on_sample=on_sample,
            stop=stop,
            progress=False,
            precision=precision,
            budget_s=budget_s,
            on_phase=live.on_phase,
        )

    live.show()
    if run:
        live.run(runner, blocking=True)
        if live.error is not None:
            fall_back_to_recorded(live, example)
    else:
        live.set_runner(runner)
    return live


def fall_back_to_recorded(live: LiveStartupPlot[Any], example: str = "hello") -> None:
    """Put the recorded reference result in ``live.result`` and on the plot, and say why."""
    from ..bench.reference import recorded_result

    reason = str(live.error).splitlines()[0] if live.error else "no measurement"
    print(f"The live run did not finish ({reason}).")
    try:
        live.result = recorded_result("startup", example)
    except KitError as err:
        print(f"No recorded data either: {err}")
        return
    print(
        "Showing the recorded reference run instead: every figure below is recorded, not measured here."
    )
    live.show_result(live.result)
    live.state = "failed; recorded data shown"
    live.redraw()


SOLUTIONS = (
    Solution(
        "06",
        1,
        """
    answer = result.variants["docker-scratch"].stats.median_s / result.variants["wasm-instantiate"].stats.median_s
    kh.check_startup_ratio(answer, result)
    """,
        "The slower start goes on top; result.ratio('docker-scratch', 'wasm-instantiate') gives the same.",
        IN_NOTEBOOK,
    ),
    Solution(
        "06",
        2,
        """
    answer = result.variants["docker-scratch"].stats.median_s >= 2.0
    kh.check_several_seconds(answer, result)
    """,
        "'Several seconds' starts at two; compare the median, not one lucky or unlucky sample.",
        IN_NOTEBOOK,
    ),
    Solution(
        "06",
        3,
        """
    answer = {
        "network_mode": "none",  # no network namespace with a way out
        "read_only": True,       # the image's files cannot be changed
        "cap_drop": ["ALL"],     # no capability left, even for root
        "security_opt": ["no-new-privileges"],  # and no setuid program gains one back
        "mem_limit": "64m",      # memory, then processes: enough for hello, not the machine
        "pids_limit": 64,
    }
    kh.check_locked_down_run(answer)
    """,
        "The same six settings the cell that opened the box passed; hello needs none of what they take away.",
        needs="docker",
    ),
)
