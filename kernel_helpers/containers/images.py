"""Docker images and hardened containers from the course's own programs, via the docker SDK.

Everything the kit creates carries the label ``io.wasm-course.kit=1``, a purpose label and
an owner label (this user in this checkout, :func:`owner_id`), so :func:`cleanup` removes
this learner's objects and never another's on a shared daemon. Images made for one
benchmark run also carry that run's label and go when it ends (:func:`run_images`). Images are built from a
clean temporary context holding only the files named (never the host's folders), and
containers run with no network, a read-only root, every capability dropped,
no-new-privileges, memory and pid limits, a timeout that kills, and removal afterwards.
The one exception is a serving container (:func:`serve_container`, notebook 12): it shares
the host's network, the only way to 127.0.0.1 when dockerd runs without a bridge, and its
server binds 127.0.0.1 alone.

No public registry is reachable on the course machines, so bases are made locally:
``FROM scratch`` plus a static binary, and a Debian base from ``debootstrap
--variant=minbase`` imported into Docker (a busybox base where debootstrap cannot run).
Introduced in notebook 06 (start-up) and 07 (sizes).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import BenchmarkError, ContainerError
from .._system import apt_package, cache_dir, find_program, free_port, install_hint, is_root
from ..wasm.serve import LOOPBACK, READY_TIMEOUT_S, Served, first_response
from .docker import connect

if TYPE_CHECKING:
    import docker

    from .registry import LocalRegistry

KIT_LABEL = "io.wasm-course.kit"
PURPOSE_LABEL = "io.wasm-course.purpose"
BASE_LABEL = "io.wasm-course.base"
OWNER_LABEL = "io.wasm-course.owner"
RUN_LABEL = "io.wasm-course.run"

#: Limits every kit container runs under (a learner's program cannot take the machine).
MEM_LIMIT = "64m"
PIDS_LIMIT = 64
RUN_TIMEOUT_S = 30.0

DEBIAN_BASE = "kit-base-debian:bookworm-minbase"
BUSYBOX_BASE = "kit-base-busybox:latest"
PULLED_DEBIAN = "debian:bookworm-slim"


@functools.cache
def owner_id() -> str:
    """Who made a kit object on a shared Docker daemon: this unix user in this checkout
    (its cache folder). Two learners on one workshop machine get two ids."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return hashlib.sha256(f"{uid}:{cache_dir()}".encode()).hexdigest()[:12]


def kit_labels(purpose: str, **extra: str) -> dict[str, str]:
    return {**owner_labels(), PURPOSE_LABEL: purpose, **extra}


def owner_labels() -> dict[str, str]:
    """The labels that make a docker object this learner's kit's."""
    return {KIT_LABEL: "1", OWNER_LABEL: owner_id()}


def owner_filter() -> dict[str, str | list[str] | bool]:
    """The docker filter matching this learner's kit objects and nobody else's."""
    return {"label": [f"{name}={value}" for name, value in owner_labels().items()]}


def owner_tag(repository: str) -> str:
    """``repository:<owner id>``: a tag no other learner on the same daemon uses."""
    return f"{repository}:{owner_id()}"


@contextlib.contextmanager
def run_images(client: docker.DockerClient) -> Iterator[dict[str, str]]:
    """Labels for the images one run builds; when the block ends, every image carrying
    them goes, with all its tags (local and registry pushes). Base images are not built
    with them, so they stay cached for the next run."""
    labels = {RUN_LABEL: uuid.uuid4().hex[:12]}
    try:
        yield labels
    finally:
        _remove_images(client, {"label": [f"{RUN_LABEL}={labels[RUN_LABEL]}"]})


def _client(client: docker.DockerClient | None) -> docker.DockerClient:
    return client if client is not None else connect()


# --- building -----------------------------------------------------------------------------


def _owned_stages(dockerfile: str) -> str:
    """``dockerfile`` with the learner's labels set right after every ``FROM``: each step's
    image then carries them, so the images a failed build leaves behind (untagged, the
    steps that succeeded) are the learner's to find and :func:`cleanup` removes them."""
    owned = " ".join(f'{name}="{value}"' for name, value in owner_labels().items())
    lines = []
    for line in dockerfile.splitlines():
        lines.append(line)
        if re.match(r"\s*FROM\s", line, re.IGNORECASE) and not line.rstrip().endswith("\\"):
            lines.append(f"LABEL {owned}")
    return "\n".join(lines) + "\n"


def build_image(
    tag: str,
    files: Mapping[str, Path | bytes],
    dockerfile: str,
    *,
    purpose: str,
    labels: Mapping[str, str] | None = None,
    client: docker.DockerClient | None = None,
) -> str:
    """Build ``tag`` from a fresh context holding only ``files`` and the Dockerfile;
    returns the image id. ``labels`` are added to the kit's own. Notebook 06."""
    docker_client = _client(client)
    with tempfile.TemporaryDirectory(prefix="kit-build-") as context:
        root = Path(context)
        for name, content in files.items():
            target = root / name
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                shutil.copy2(content, target)
        (root / "Dockerfile").write_text(_owned_stages(dockerfile))
        leftovers = {"dangling": True, **owner_filter()}
        earlier = {image.id for image in docker_client.images.list(filters=leftovers)}
        try:
            image, _ = docker_client.images.build(
                path=str(root),
                tag=tag,
                labels=kit_labels(purpose, **(labels or {})),
                rm=True,
                forcerm=True,
                pull=False,
                network_mode="none",
            )
        except Exception as err:
            # The steps that succeeded stay as untagged images: this build's go with it.
            for left in docker_client.images.list(filters=leftovers):
                if left.id not in earlier:
                    with contextlib.suppress(Exception):
                        docker_client.images.remove(str(left.id), force=True)
            raise ContainerError(
                f"docker build of {tag} failed: {_daemon_says(err)}", output=str(err)
            ) from err
    return str(image.id)


def scratch_image(
    binary: Path,
    tag: str,
    *,
    labels: Mapping[str, str] | None = None,
    client: docker.DockerClient | None = None,
) -> str:
    """``FROM scratch`` holding only the static ``binary`` as its entrypoint. Notebook 06."""
    name = binary.name
    dockerfile = f'FROM scratch\nCOPY {name} /{name}\nENTRYPOINT ["/{name}"]\n'
    return build_image(
        tag, {name: binary}, dockerfile, purpose="scratch", labels=labels, client=client
    )


def distro_image(
    binary: Path,
    tag: str,
    *,
    labels: Mapping[str, str] | None = None,
    client: docker.DockerClient | None = None,
) -> tuple[str, BaseImage]:
    """The same binary on a full distribution base (see :func:`base_image`). Notebook 06."""
    docker_client = _client(client)
    base = base_image(client=docker_client)
    name = binary.name
    dockerfile = (
        f"FROM {base.tag}\nCOPY {name} /usr/local/bin/{name}\n"
        f'ENTRYPOINT ["/usr/local/bin/{name}"]\n'
    )
    image_id = build_image(
        tag, {name: binary}, dockerfile, purpose="distro", labels=labels, client=docker_client
    )
    return image_id, base


@dataclass(frozen=True)
class BaseImage:
    """A distribution base image and how it was made (said in every result)."""

    tag: str
    how: str  # "debootstrap", "pulled" or "busybox"
    description: str


_BASE_DESCRIPTIONS = {
    "debootstrap": "Debian 12 minbase made here with debootstrap and docker import",
    "pulled": "debian:bookworm-slim from a public registry",
    "busybox": "busybox-static on scratch (debootstrap was not possible here)",
}


def base_image(*, client: docker.DockerClient | None = None) -> BaseImage:
    """A Debian base, made once and cached: a local ``debian:bookworm-slim`` if one is
    already there, else debootstrap (root), else a pull, else busybox. Notebook 06."""
    docker_client = _client(client)
    for tag in (DEBIAN_BASE, PULLED_DEBIAN):
        how = _existing_base(docker_client, tag)
        if how:
            return BaseImage(tag, how, _BASE_DESCRIPTIONS[how])
    attempts: list[str] = []
    for make in (_debootstrap_base, _pulled_base):
        try:
            return make(docker_client)
        except ContainerError as err:
            attempts.append(err.message)
    # Only now the busybox stand-in: the doctor makes it in seconds for its one container,
    # and finding it first would pass busybox off as the Debian base wherever debootstrap
    # could still have made the real one.
    how = _existing_base(docker_client, BUSYBOX_BASE)
    if how:
        return BaseImage(BUSYBOX_BASE, how, _BASE_DESCRIPTIONS[how])
    try:
        return _busybox_base(docker_client)
    except ContainerError as err:
        attempts.append(err.message)
    raise ContainerError(
        "no distribution base image could be made: " + "; ".join(attempts),
        fix="as root: apt-get install -y debootstrap busybox-static",
    )


def probe_image(*, client: docker.DockerClient | None = None) -> str:
    """The image the doctor runs its one hardened container from: a base the kit made
    already, else the busybox base (a static busybox on scratch, made in seconds; the
    Debian base takes debootstrap minutes, too long for a check)."""
    docker_client = _client(client)
    for tag in (BUSYBOX_BASE, DEBIAN_BASE, PULLED_DEBIAN):
        if _existing_base(docker_client, tag):
            return tag
    return _busybox_base(docker_client).tag


def _existing_base(client: docker.DockerClient, tag: str) -> str | None:
    import docker.errors

    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return None
    if tag == PULLED_DEBIAN:
        return "pulled"
    return str((image.labels or {}).get(BASE_LABEL, "debootstrap"))


def _debootstrap_base(client: docker.DockerClient) -> BaseImage:
    labels = {**kit_labels("base"), BASE_LABEL: "debootstrap"}
    import_debian_rootfs(DEBIAN_BASE, labels, client=client)
    return BaseImage(DEBIAN_BASE, "debootstrap", _BASE_DESCRIPTIONS["debootstrap"])


def import_debian_rootfs(
    reference: str, labels: Mapping[str, str], *, client: docker.DockerClient | None = None
) -> None:
    """Import the Debian 12 minbase root filesystem as ``reference`` with ``labels``. The
    filesystem is made once with debootstrap (root) and cached in ``.kit-cache/images/``;
    images imported from it share one layer on disk."""
    rootfs_tar = cache_dir() / "images" / "debian-bookworm-minbase.tar.gz"
    if not rootfs_tar.exists():
        _debootstrap(rootfs_tar)
    repository, tag = reference.rsplit(":", 1)
    changes = ["LABEL " + " ".join(f"{key}={value}" for key, value in labels.items())]
    _client(client).api.import_image_from_file(
        str(rootfs_tar), repository=repository, tag=tag, changes=changes
    )


def _debootstrap(rootfs_tar: Path) -> None:
    debootstrap = find_program("debootstrap", "/usr/sbin/debootstrap")
    if debootstrap is None or not is_root():
        raise ContainerError("debootstrap needs root and the debootstrap package")
    rootfs_tar.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kit-rootfs-") as work:
        root = Path(work) / "rootfs"
        done = subprocess.run(
            [debootstrap, "--variant=minbase", "bookworm", str(root)],
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise ContainerError(f"debootstrap failed: {tail}", output=done.stdout + done.stderr)
        # Like the official slim images: no downloaded .debs, no package lists.
        for leftovers in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (root / leftovers).glob("*"):
                if path.is_file():
                    path.unlink()
        partial = rootfs_tar.with_suffix(".partial")
        subprocess.run(
            ["tar", "-C", str(root), "--numeric-owner", "-czf", str(partial), "."], check=True
        )
        partial.replace(rootfs_tar)


def _pulled_base(client: docker.DockerClient) -> BaseImage:
    try:
        client.images.pull(PULLED_DEBIAN)
    except Exception as err:
        raise ContainerError(f"cannot pull {PULLED_DEBIAN}: {str(err)[:120]}") from err
    return BaseImage(PULLED_DEBIAN, "pulled", _BASE_DESCRIPTIONS["pulled"])


def _busybox_base(client: docker.DockerClient) -> BaseImage:
    busybox = find_program("busybox", "/bin/busybox")
    if busybox is None:
        raise ContainerError(
            "busybox is not installed (apt-get install busybox-static)",
            fix=install_hint("busybox-static", "install a static busybox"),
        )
    dockerfile = (
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
    )
    dockerfile += f"LABEL {BASE_LABEL}=busybox\n"
    build_image(BUSYBOX_BASE, {"busybox": Path(busybox)}, dockerfile, purpose="base", client=client)
    return BaseImage(BUSYBOX_BASE, "busybox", _BASE_DESCRIPTIONS["busybox"])


# --- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContainerRun:
    """What a container printed and how it ended; ``seconds`` is create to removal.
    ``inspected`` is ``docker inspect`` of the container just before it was removed: the
    settings Docker actually applied (``HostConfig``), not the ones asked for."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    seconds: float
    inspected: Mapping[str, Any] = field(default_factory=dict)


def hardened_settings(mem_limit: str = MEM_LIMIT, pids_limit: int = PIDS_LIMIT) -> dict[str, Any]:
    """The docker SDK's keyword arguments for every kit container: no network, a read-only
    root, no capabilities and no way to gain any, memory and pid limits."""
    return {
        "network_mode": "none",
        "read_only": True,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "mem_limit": mem_limit,
        "pids_limit": pids_limit,
    }


def hardened_run_command(
    image: str, args: Sequence[str] = (), *, pull: bool = False, docker_config: Path | None = None
) -> list[str]:
    """The ``docker run`` argv with the same hardening as :func:`run_container`: what the
    start-up benchmark times as a whole process and what hyperfine can re-time.
    ``docker_config`` is a ``--config`` folder holding a registry's password (a pull)."""
    docker_cli = find_program("docker")
    if docker_cli is None:
        raise ContainerError(
            "the docker command is not installed, so a run cannot be timed as a process",
            fix=install_hint(apt_package("docker"), "install the Docker CLI"),
        )
    login = ["--config", str(docker_config)] if docker_config is not None else []
    command = [
        docker_cli,
        *login,
        "run",
        "--rm",
        "--network=none",
        "--read-only",
        "--cap-drop=ALL",
        "--security-opt=no-new-privileges",
        f"--memory={MEM_LIMIT}",
        f"--pids-limit={PIDS_LIMIT}",
        f"--label={KIT_LABEL}=1",
        f"--label={OWNER_LABEL}={owner_id()}",
        f"--label={PURPOSE_LABEL}=bench",
    ]
    # A local image is never pulled: if it vanished, a registry lookup would only confuse.
    command.append("--pull=always" if pull else "--pull=never")
    return [*command, image, *args]


def run_container(
    image: str,
    args: Sequence[str] = (),
    *,
    timeout_s: float = RUN_TIMEOUT_S,
    mem_limit: str = MEM_LIMIT,
    pids_limit: int = PIDS_LIMIT,
    client: docker.DockerClient | None = None,
) -> ContainerRun:
    """Run ``image`` hardened (no network, read-only, no capabilities, limits), wait at
    most ``timeout_s`` (then kill), collect its output and remove it. Notebook 06."""
    settings = hardened_settings(mem_limit, pids_limit)
    return run_with_settings(image, settings, args, timeout_s=timeout_s, client=client)


def run_with_settings(
    image: str,
    settings: Mapping[str, Any],
    args: Sequence[str] = (),
    *,
    timeout_s: float = RUN_TIMEOUT_S,
    client: docker.DockerClient | None = None,
) -> ContainerRun:
    """Run ``image`` with exactly ``settings`` (``containers.create``'s keyword arguments)
    and this learner's kit labels, wait at most ``timeout_s`` (then kill), collect its
    output and ``docker inspect``, and remove it. The caller vouches for ``settings``:
    :func:`run_container` passes :func:`hardened_settings`. Notebook 06."""
    docker_client = _client(client)
    # The owner label comes last, so no setting can make a container look like another learner's.
    labels = {**dict(settings.get("labels") or {}), **kit_labels("run")}
    start = time.perf_counter()
    try:
        container = docker_client.containers.create(
            image, command=list(args) or None, **{**settings, "labels": labels}, detach=True
        )
    except Exception as err:
        raise ContainerError(
            f"cannot create a container from {image}: {_daemon_says(err)}"
        ) from err
    try:
        status = _start_and_wait(container, image, timeout_s)
        stdout = container.logs(stdout=True, stderr=False)
        stderr = container.logs(stdout=False, stderr=True)
        container.reload()
        inspected = dict(container.attrs)
    finally:
        _remove_quietly(container)
    seconds = time.perf_counter() - start
    return ContainerRun(int(status.get("StatusCode", -1)), stdout, stderr, seconds, inspected)


def _start_and_wait(container: Any, image: str, timeout_s: float) -> dict[str, Any]:
    try:
        container.start()
    except Exception as err:
        raise ContainerError(f"{image} could not start: {_daemon_says(err)}") from err
    try:
        return dict(container.wait(timeout=timeout_s))
    except Exception as err:  # requests' ReadTimeout: the container outlived its budget
        container.kill()
        raise ContainerError(
            f"{image} ran longer than {timeout_s:g} s and was killed",
            fix="raise timeout_s or check that the program ends",
        ) from err


def _daemon_says(err: BaseException) -> str:
    """The daemon's own words from a docker SDK error, without the HTTP wrapping
    (``explanation`` of an APIError, ``msg`` of a BuildError)."""
    words = getattr(err, "explanation", None) or getattr(err, "msg", None)
    return str(words or err).strip()


#: How a serving container reaches 127.0.0.1: the kit's dockerd runs without a bridge
#: (--bridge=none), so a published port (-p) has nothing to forward from; the host's
#: network namespace is the only way in. The server itself binds 127.0.0.1 only.
SERVE_NETWORK = "host"


@contextlib.contextmanager
def serve_container(
    image: str,
    *,
    port: int | None = None,
    timeout_s: float = READY_TIMEOUT_S,
    client: docker.DockerClient | None = None,
) -> Iterator[Served]:
    """``with serve_container(tag) as served:`` a hardened container of an HTTP server
    image whose entrypoint takes ``ADDRESS PORT``, answering on ``served.url``
    (127.0.0.1, a free port) after its first GET /; removed when the block ends.
    ``served.first_response_s`` counts from the container's creation. Notebook 12."""
    docker_client = _client(client)
    port = port or free_port()
    url = f"http://{LOOPBACK}:{port}/"
    settings = {**hardened_settings(), "network_mode": SERVE_NETWORK}
    started = time.perf_counter()
    try:
        container = docker_client.containers.create(
            image,
            command=[LOOPBACK, str(port)],
            **settings,
            labels=kit_labels("serve"),
            detach=True,
        )
    except Exception as err:
        raise ContainerError(
            f"cannot create a container from {image}: {_daemon_says(err)}"
        ) from err

    def dead() -> str | None:
        container.reload()
        if container.status in ("created", "running"):
            return None
        logs = container.logs().decode(errors="replace").strip()[-300:]
        return f"the container is {container.status}: {logs}"

    try:
        try:
            container.start()
        except Exception as err:
            raise ContainerError(f"{image} could not start: {_daemon_says(err)}") from err
        yield first_response(url, started, dead, timeout_s)
    finally:
        _remove_quietly(container)


def _remove_quietly(container: Any) -> None:
    # It may be gone already (auto-removed, or removed by cleanup).
    with contextlib.suppress(Exception):
        container.remove(force=True)


# --- sizes and cleanup ----------------------------------------------------------------------


def image_sizes(
    tag: str,
    *,
    registry: LocalRegistry | None = None,
    client: docker.DockerClient | None = None,
) -> dict[str, int]:
    """``uncompressed``: the image as Docker stores it; ``compressed``: its layers gzip'd,
    as a registry stores them and a node downloads them. With a ``registry`` the image is
    pushed and the manifest's sizes are read; without, the layers are gzip'd here the
    same way. Notebook 07."""
    docker_client = _client(client)
    image = docker_client.images.get(tag)
    uncompressed = int(image.attrs["Size"])
    if registry is not None:
        repository = "kit/" + tag.split(":")[0].replace("/", "-")
        push_image(tag, registry, repository, client=docker_client)
        compressed = registry.compressed_size(repository)
    else:
        compressed = _gzipped_layers_size(image)
    return {"uncompressed": uncompressed, "compressed": compressed}


def push_image(
    tag: str, registry: LocalRegistry, repository: str, *, client: docker.DockerClient | None = None
) -> str:
    """Tag ``tag`` as ``registry/repository:latest`` and push it; returns that reference."""
    docker_client = _client(client)
    image = docker_client.images.get(tag)
    target = f"{registry.host}/{repository}"
    image.tag(target, "latest")
    errors = [
        line.get("error")
        for line in docker_client.images.push(
            target, "latest", stream=True, decode=True, auth_config=registry.auth_config
        )
        if line.get("error")
    ]
    if errors:
        raise ContainerError(f"docker push {target} failed: {errors[0]}")
    return f"{target}:latest"


def _gzipped_layers_size(image: Any) -> int:
    data = b"".join(image.save(named=False))
    total = 0
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        manifest = json.loads(_member_bytes(archive, "manifest.json"))
        for layer in manifest[0]["Layers"]:
            total += len(gzip.compress(_member_bytes(archive, layer), compresslevel=6))
    return total


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise BenchmarkError(f"{name} is missing from docker save's output")
    return handle.read()


def cleanup(*, client: docker.DockerClient | None = None) -> dict[str, int]:
    """Remove every container, image and volume this learner's kit made (the kit's label
    and this learner's :func:`owner_id`); returns how many of each. Another learner's
    objects on the same daemon are left alone. The base image's rootfs stays cached on
    disk, so rebuilding is quick."""
    docker_client = _client(client)
    counts = {"containers": 0, "images": 0, "volumes": 0}
    for container in docker_client.containers.list(all=True, filters=owner_filter()):
        _remove_quietly(container)
        counts["containers"] += 1
    counts["images"] = _remove_images(docker_client, owner_filter())
    for volume in docker_client.volumes.list(filters=owner_filter()):
        volume.remove(force=True)
        counts["volumes"] += 1
    return counts


def _remove_images(client: docker.DockerClient, filters: dict[str, str | list[str] | bool]) -> int:
    """Remove the images matching ``filters`` with all their tags; how many went."""
    # A base image cannot go while images built FROM it exist, whatever the list order:
    # remove in passes, children first as they become removable, until a pass frees nothing.
    total = 0
    while True:
        removed = 0
        for image in client.images.list(filters=filters):
            try:
                client.images.remove(str(image.id), force=True)
                removed += 1
            except Exception:  # a parent of an image still here, or gone with another tag
                pass
        total += removed
        if removed == 0:
            return total


def kit_containers(*, client: docker.DockerClient | None = None) -> list[str]:
    """Ids of every kit container still present (running or not)."""
    return [str(c.id) for c in _client(client).containers.list(all=True, filters=owner_filter())]
