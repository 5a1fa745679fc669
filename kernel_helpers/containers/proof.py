"""Trying Docker the way the benchmarks use it: the ``docker`` command first on PATH asks
the engine for its version, then runs one hardened container (the settings of
:func:`~.images.hardened_run_command`). The doctor's Docker "ok" rests on it (notebook 00).

The SDK reaching the daemon proves little about the command: Debian 13 puts ``docker`` in
docker-cli, which docker.io only recommends, and a machine can have a newer CLI on PATH
than its engine. A check that passed is remembered under the CLI's and the engine's
identity (``_system.recalled_check``), so the doctor's second run is quick.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

from .._errors import KitError
from .._system import (
    Proof,
    apt_package,
    file_identity,
    find_program,
    install_hint,
    recalled_check,
    remember_check,
    run_quick,
)
from .docker import CONNECT_TIMEOUT_S, docker_disabled, docker_fix
from .images import hardened_run_command, probe_image

#: ``docker version`` on a silent socket must give up about when the SDK's ping does.
VERSION_TIMEOUT_S = CONNECT_TIMEOUT_S + 1.0
#: A container of a local busybox image starts in well under a second; a busy laptop may
#: take several.
CONTAINER_TIMEOUT_S = 30.0
PROOF_FORMAT = "1"
SAID = "container ok"


@dataclass(frozen=True)
class DockerCommand:
    """What the ``docker`` command on PATH could do: ``available`` when it reached the
    engine and ran a hardened container; otherwise ``cause`` (its own error line) and ``fix``."""

    available: bool
    checked_by: str
    path: str | None = None
    client_version: str | None = None
    server_version: str | None = None
    image: str | None = None
    cause: str | None = None
    fix: str | None = None
    cached: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def cli_fix() -> str:
    """How to get the docker command on this release (docker-cli on Debian 13)."""
    return install_hint(apt_package("docker"), "install the Docker CLI (Docker Desktop ships it)")


def _versions(output: str) -> tuple[str | None, str | None]:
    """(client, engine) versions from ``docker version --format '{{json .}}'``."""
    try:
        data = json.loads(output.strip().splitlines()[0]) if output.strip() else {}
    except ValueError:
        return None, None
    client = (data.get("Client") or {}).get("Version")
    server = data.get("Server") or {}
    engine = server.get("Version") or next(
        (c.get("Version") for c in server.get("Components") or [] if c.get("Name") == "Engine"),
        None,
    )
    return (str(client) if client else None), (str(engine) if engine else None)


def _engine_fix(said: str) -> str:
    denied = (
        PermissionError(13, "Permission denied") if "permission denied" in said.lower() else None
    )
    return docker_fix(denied)


def prove_docker_command(*, fresh: bool = False) -> DockerCommand:
    """``docker version`` (client and engine) through the CLI on PATH, then one hardened
    container; never raises, gives up within the timeouts above."""
    asked = (
        "docker version (client and engine), then one hardened container "
        "(docker run --rm --network=none --read-only --cap-drop=ALL ...)"
    )
    if docker_disabled():
        return DockerCommand(
            False, asked, cause="KIT_DOCKER=off asks for recorded data", fix=docker_fix()
        )
    cli = find_program("docker")
    if cli is None:
        return DockerCommand(False, asked, cause="the docker command is missing", fix=cli_fix())
    done = run_quick([cli, "version", "--format", "{{json .}}"], timeout=VERSION_TIMEOUT_S)
    client, engine = _versions(done.stdout)
    found = DockerCommand(False, asked, cli, client, engine)
    if engine is None:
        said = (done.stderr.strip().splitlines() or ["no engine answered"])[0][:200]
        cause = f"the docker command ({client or cli}) reaches no engine: {said}"
        return _with(found, cause=cause, fix=_engine_fix(said))
    identity = [
        PROOF_FORMAT,
        file_identity(cli),
        client or "",
        engine,
        os.environ.get("DOCKER_HOST", ""),
    ]
    record = None if fresh else recalled_check(identity)
    if record is not None:
        return _with(found, available=True, image=str(record.get("image")), cached=True)
    return _run_one(found, identity)


def _with(found: DockerCommand, **changes: Any) -> DockerCommand:
    return DockerCommand(**{**asdict(found), **changes})


def _run_one(found: DockerCommand, identity: list[str]) -> DockerCommand:
    """One hardened container through the CLI, from the kit's smallest image."""
    try:
        image = probe_image()
        command = hardened_run_command(image, ["echo", SAID])
    except KitError as err:
        return _with(found, cause=f"no image to try a container with: {err.message}", fix=err.fix)
    started = time.perf_counter()
    done = run_quick(command, timeout=CONTAINER_TIMEOUT_S)
    if not done.ok or done.stdout.strip() != SAID:
        said = (done.stderr.strip().splitlines() or [done.stdout.strip() or "no output"])[-1][:200]
        return _with(
            found,
            image=image,
            cause=f"a hardened container of {image} failed: {said}",
            fix="see the line above; ./kit setup restarts a daemon it started",
        )
    remember_check(identity, {"image": image, "seconds": round(time.perf_counter() - started, 3)})
    return _with(found, available=True, image=image)


# --- the containerd wasm shim, tried for real (issue 26) ----------------------------------

#: The module the shim's proof runs: the course's hello, as shipped with the kit.
SHIM_PROBE_MODULE = ("prebuilt", "hello", "hello-c.wasm")
SHIM_TIMEOUT_S = 60.0


def prove_shim(*, fresh: bool = False) -> Proof | None:
    """Run the kit's hello through containerd with the wasm shim (``ctr run --runtime
    io.containerd.wasmtime.v1``) and compare what it printed with an in-process run.
    None when there is nothing to try (no containerd reachable, or no shim); never raises."""
    from .._system import DATA_DIR
    from ..wasm.runner import run_wasm
    from .containerd import (
        WASM_RUNTIME,
        built_shim,
        containerd_address,
        run_in_containerd,
        runtime_binary,
    )

    address = containerd_address()
    shim = runtime_binary(WASM_RUNTIME) or (str(built_shim()) if built_shim() else None)
    if address is None or shim is None or not os.access(address, os.R_OK | os.W_OK):
        return None
    module = DATA_DIR.joinpath(*SHIM_PROBE_MODULE)
    asked = f"ran hello through containerd ({address}) with the shim {shim} and compared its output"
    identity = [PROOF_FORMAT, "shim", file_identity(shim), address, file_identity(str(module))]
    record = None if fresh else recalled_check(identity)
    if record is not None:
        return Proof(True, asked, seconds=float(str(record.get("seconds", 0.0))), cached=True)
    started = time.perf_counter()
    try:
        through = run_in_containerd(module, timeout=SHIM_TIMEOUT_S)
    except KitError as err:
        return Proof(False, asked, cause=err.message[:300])
    expected = run_wasm(module)
    if (through.stdout, through.exit_code) != (expected.stdout, expected.exit_code):
        said = through.stdout.decode(errors="replace").strip()[:80]
        return Proof(
            False,
            asked,
            cause=f"it printed {said!r} and exited {through.exit_code}, not as in-process",
        )
    seconds = round(time.perf_counter() - started, 3)
    remember_check(identity, {"seconds": seconds})
    return Proof(True, asked, seconds=seconds)
