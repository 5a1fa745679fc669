"""The course image: the kit, its toolchains and prebuilt data in one image for a JupyterHub
on Kubernetes (``deploy/Dockerfile``, ``deploy/z2jh-values.yaml``); ``./kit image`` builds it.

It is the instructor's, not a learner's object: it carries the kit's label and no owner, so
``bench cleanup`` never removes it (it takes minutes to build, and is what a cluster pulls).
For the same reason it is built FROM a base of its own, :data:`COURSE_BASE`: the kit's
Debian minbase root filesystem imported once more without an owner. Docker refuses to remove
an image that another is built on, even forced, so a course image built on the learner's
:data:`~kernel_helpers.containers.images.DEBIAN_BASE` would keep ``bench cleanup`` from ever
removing that. Imported from the same cached root filesystem, the two share their one layer
on disk.

A label holds a digest of everything the build reads (the build context after
``.dockerignore``, the base image, the build arguments): ``./kit image`` with the same inputs
keeps the image it has. Docker's network for the build is the host's: the kit's daemons run
without a bridge (``dockerd --bridge=none``), and RUN steps need Debian's mirror, PyPI and
npm. Where the build machine's pip trusts an extra CA (a TLS-inspecting proxy), that bundle
is handed to the build stages alone, never to the image.

Rebuilds are cheap when only the kit's sources changed. The Dockerfile's first stage reads
only the Debian package list (``deploy/course-packages.sh``) and its ``deps`` stage only the
pins (requirements, and the npm tools', written into the build context here:
:data:`NPM_PIN_LIST`), so Docker's layer cache keeps them across source edits. That cache
needs images: the ``deps`` stage is built first and tagged :data:`DEPS_CACHE`, which keeps
its layers (the pinned packages, several hundred MB) on disk; only the newest is kept,
older ones and the ``build`` stage's images (they change with every edit) are removed
after each build.
"""

from __future__ import annotations

import configparser
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kernel_helpers._errors import ContainerError
from kernel_helpers._system import REPO_ROOT, docker_packages, find_program
from kernel_helpers.containers.docker import connect
from kernel_helpers.containers.images import (
    BASE_LABEL,
    KIT_LABEL,
    PULLED_DEBIAN,
    PURPOSE_LABEL,
    import_debian_rootfs,
)

if TYPE_CHECKING:
    import docker

IMAGE_REPOSITORY = "wasm-course"
#: The course image's own Debian base (see the module's docstring for why not DEBIAN_BASE).
COURSE_BASE = "wasm-course-base:bookworm-minbase"
DOCKERFILE = "deploy/Dockerfile"
INPUTS_LABEL = "io.wasm-course.inputs"
#: The Dockerfile labels its build stage so: those images go once the image is built.
STAGE_LABEL = "io.wasm-course.stage=course-build"
#: ... and its dependency stage so: the newest is kept (tagged :data:`DEPS_CACHE`) as cache.
DEPS_STAGE_LABEL = "io.wasm-course.stage=course-deps"
DEPS_STAGE = "deps"
DEPS_CACHE = "wasm-course-deps:latest"
#: What ./kit image hands the build, inside the build context (.dockerignore lets it in).
HANDED_IN = Path(".kit-cache") / "course-image"
#: Where the build stages look for an extra CA bundle.
BUILD_CA = HANDED_IN / "build-ca.pem"
#: The npm tools the deps stage installs (``./kit _npm_pins``).
NPM_PIN_LIST = HANDED_IN / "npm-pins.txt"
#: Kept out of the inputs digest: caches, and the CA bundle (it changes nothing in the image).
_NOT_INPUTS = (".kit-cache/",)


def kit_version() -> str:
    """The kit's version (pyproject.toml's, as installed): the course image's tag."""
    return metadata.version("kernel-helpers")


def image_reference() -> str:
    """``wasm-course:<kit version>``: what ``./kit image`` tags and the z2jh values use."""
    return f"{IMAGE_REPOSITORY}:{kit_version()}"


@dataclass(frozen=True)
class CourseImage:
    """A built (or kept) course image and what it took."""

    reference: str
    image_id: str
    size_bytes: int
    base: str
    inputs: str
    reused: bool  # True: an image built from the same inputs was already there
    build_seconds: float  # 0 when reused
    deps_cache_bytes: int = 0  # what DEPS_CACHE keeps on disk beyond the image; 0 when reused

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- inputs -----------------------------------------------------------------------------


def dockerignore_patterns(root: Path) -> list[str]:
    """The context's ``.dockerignore`` lines, as the docker CLI and SDK read them."""
    try:
        lines = (root / ".dockerignore").read_text().splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def context_files(root: Path) -> list[str]:
    """The files ``docker build`` sends from ``root`` (relative, sorted): the SDK's own
    implementation of ``.dockerignore``."""
    from docker.utils.build import exclude_paths

    included = exclude_paths(str(root), dockerignore_patterns(root), dockerfile=DOCKERFILE)
    return sorted(p for p in included if (root / p).is_file() or (root / p).is_symlink())


def inputs_digest(root: Path, base_id: str, build_args: Mapping[str, str]) -> str:
    """A digest of the build context's files (names, contents, execute bits, links), the
    base image and the build arguments: equal digests build equal images."""
    digest = hashlib.sha256()
    digest.update(f"base {base_id}\n".encode())
    for key in sorted(build_args):
        digest.update(f"arg {key}={build_args[key]}\n".encode())
    for relative in context_files(root):
        if relative.startswith(_NOT_INPUTS):
            continue
        path = root / relative
        if path.is_symlink():
            kind, content = "link", os.readlink(path).encode()
        else:
            kind = "exec" if os.access(path, os.X_OK) else "file"
            content = path.read_bytes()
        digest.update(f"{kind} {relative} {len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()[:16]


def build_ca_bundle() -> Path | None:
    """The CA bundle this machine's pip is told to trust (``PIP_CERT``, or ``cert`` in a pip
    configuration file), if any: a build behind a TLS-inspecting proxy needs it."""
    configured = os.environ.get("PIP_CERT")
    if not configured:
        parser = configparser.ConfigParser()
        config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        parser.read(
            [
                "/etc/pip.conf",
                "/etc/xdg/pip/pip.conf",
                str(config_home / "pip" / "pip.conf"),
                str(Path.home() / ".pip" / "pip.conf"),
            ]
        )
        configured = parser.get("global", "cert", fallback="") or None
    if configured and Path(configured).is_file():
        return Path(configured)
    return None


# --- what the first stages read ---------------------------------------------------------


def kit_output(root: Path, task: str) -> str:
    """What ``./kit TASK`` prints (one of its list tasks)."""
    done = subprocess.run(
        [str(root / "kit"), task], capture_output=True, text=True, check=False, cwd=root
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise ContainerError(
            f"./kit {task} failed (exit {done.returncode}): {done.stderr.strip()[:200]}",
            fix="run ./kit setup once, then ./kit image again",
        )
    return done.stdout.strip()


def write_handed_in(root: Path, files: Mapping[Path, str]) -> None:
    """Write the lists the Dockerfile's first stages COPY (rewritten with equal content,
    they still hit Docker's cache: it compares contents, not times)."""
    for relative, text in files.items():
        path = root / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n")
        except OSError as err:
            raise ContainerError(
                f"cannot write {path} for the build: {err}",
                fix=f"run ./kit image as a user who may write {root}",
            ) from err


# --- the base ---------------------------------------------------------------------------


def course_base(*, client: docker.DockerClient | None = None) -> str:
    """The image the course image is built FROM: :data:`COURSE_BASE` (made here from the
    kit's debootstrap root filesystem when missing), else ``debian:bookworm-slim`` (here
    already, or pulled)."""
    import docker.errors

    docker_client = client if client is not None else connect()
    for present in (COURSE_BASE, PULLED_DEBIAN):
        try:
            docker_client.images.get(present)
            return present
        except docker.errors.ImageNotFound:
            pass
    try:
        labels = {KIT_LABEL: "1", PURPOSE_LABEL: "course-base", BASE_LABEL: "debootstrap"}
        import_debian_rootfs(COURSE_BASE, labels, client=docker_client)
        return COURSE_BASE
    except Exception as err:  # no root or debootstrap, or the import failed: try a pull
        made = str(err).splitlines()[0][:160]
    try:
        docker_client.images.pull(PULLED_DEBIAN)
        return PULLED_DEBIAN
    except Exception as err:
        raise ContainerError(
            f"no Debian base for the course image: {made}; and cannot pull {PULLED_DEBIAN}: {str(err)[:120]}",
            fix="as root: apt-get install -y debootstrap (then ./kit image again), or build "
            "where debian:bookworm-slim can be pulled",
        ) from err


# --- building ---------------------------------------------------------------------------


def _say(message: str) -> None:
    print(f"[kit] {message}", file=sys.stderr, flush=True)


def build_course_image(
    root: Path = REPO_ROOT,
    *,
    rebuild: bool = False,
    extra_packages: str = "",
    client: docker.DockerClient | None = None,
    say: Callable[[str], None] = _say,
) -> CourseImage:
    """Build :func:`image_reference` from ``root`` (the kit's checkout) with the docker CLI,
    its output streamed to stderr; keep the image there if it was built from the same inputs
    (unless ``rebuild``). ``extra_packages``: more Debian packages for the image."""
    import docker.errors

    docker_cli = find_program("docker")
    if docker_cli is None:
        raise ContainerError(
            "the docker command is not installed: ./kit image builds with it",
            fix=f"as root: apt-get install -y {docker_packages()} (./kit setup also starts the daemon)",
        )
    docker_client = client if client is not None else connect()
    reference = image_reference()
    say(f"the course image {reference}: checking its base")
    base = course_base(client=docker_client)
    build_args = {"BASE": base, "EXTRA_PACKAGES": extra_packages}
    inputs = inputs_digest(root, str(docker_client.images.get(base).id), build_args)
    try:
        previous = docker_client.images.get(reference)
    except docker.errors.ImageNotFound:
        previous = None
    if previous is not None and not rebuild and (previous.labels or {}).get(INPUTS_LABEL) == inputs:
        say(f"{reference} is up to date (inputs {inputs}); --rebuild builds it anyway")
        return CourseImage(
            reference, str(previous.id), int(previous.attrs["Size"]), base, inputs, True, 0.0
        )

    common = [docker_cli, "build", "--network", "host", "-f", str(root / DOCKERFILE)]
    for key, value in build_args.items():
        common += ["--build-arg", f"{key}={value}"]
    labels = [f"{INPUTS_LABEL}={inputs}", f"org.opencontainers.image.version={kit_version()}"]
    say(
        f"building {reference} from {base} (about five minutes on two cores the first time: "
        "Debian's compilers, the course's Python packages, jco from npm; a minute or less "
        "when only the kit's sources changed)"
    )
    start = time.monotonic()
    try:
        _hand_in(root, say)
        # The deps stage first, tagged: the tag is what keeps its layers as cache.
        _docker_build([*common, "--target", DEPS_STAGE, "--tag", DEPS_CACHE, str(root)], reference)
        tagged = [arg for label in labels for arg in ("--label", label)]
        _docker_build([*common, "--tag", reference, *tagged, str(root)], reference)
    finally:
        (root / BUILD_CA).unlink(missing_ok=True)
        _remove_leftovers(docker_client, previous)
    seconds = time.monotonic() - start
    image = docker_client.images.get(reference)
    size = int(image.attrs["Size"])
    cache = deps_cache_bytes(docker_client, str(image.id))
    say(
        f"built {reference} in {seconds:.0f} s: {size / 1e6:.0f} MB; {DEPS_CACHE} keeps "
        f"{cache / 1e6:.0f} MB more as the next build's cache"
    )
    return CourseImage(
        reference, str(image.id), size, base, inputs, False, round(seconds, 1), cache
    )


def _hand_in(root: Path, say: Callable[[str], None]) -> None:
    """Write what the Dockerfile's stages COPY from .kit-cache/course-image: the npm pins,
    and this machine's CA bundle where pip is told to trust one."""
    write_handed_in(root, {NPM_PIN_LIST: kit_output(root, "_npm_pins")})
    ca = build_ca_bundle()
    if ca is None:
        return
    say(f"pip here trusts {ca}: the build stages get it too (the image does not)")
    try:
        shutil.copyfile(ca, root / BUILD_CA)
    except OSError as err:
        raise ContainerError(
            f"cannot hand {ca} to the build as {root / BUILD_CA}: {err}",
            fix=f"run ./kit image as a user who may write {root}",
        ) from err


def _docker_build(command: list[str], reference: str) -> None:
    done = subprocess.run(
        command, stdout=sys.stderr, stderr=sys.stderr, stdin=subprocess.DEVNULL, check=False
    )
    if done.returncode != 0:
        raise ContainerError(
            f"docker build of {reference} failed (exit {done.returncode}); its output is above",
            fix="the build needs Debian's mirror, PyPI and npm: check that this machine reaches them",
        )


def deps_cache_bytes(client: docker.DockerClient, image_id: str) -> int:
    """The disk :data:`DEPS_CACHE` takes beyond the image: its layers the image lacks."""
    try:
        kept = client.api.history(DEPS_CACHE)  # type: ignore[no-untyped-call]
        shared = {entry["Id"] for entry in client.api.history(image_id)}  # type: ignore[no-untyped-call]
    except Exception:  # no cache image (removed meanwhile): it takes nothing
        return 0
    return sum(int(entry["Size"]) for entry in kept if entry["Id"] not in shared)


def _remove_leftovers(client: docker.DockerClient, previous: Any) -> None:
    """The build stage's images (nothing the image needs; with the classic builder they
    stay behind, untagged), dependency caches that a newer one replaced (untagged now),
    and the image the new build replaced, if nothing tags it now."""
    for label in (STAGE_LABEL, DEPS_STAGE_LABEL):
        for image in client.images.list(filters={"dangling": True, "label": label}):
            _remove_image(client, str(image.id))
    if previous is not None:
        try:
            previous.reload()
        except Exception:  # already gone
            return
        if not previous.tags:
            _remove_image(client, str(previous.id))


def _remove_image(client: docker.DockerClient, image_id: str) -> None:
    # Still used by a container, or the parent of another image: then it stays.
    with contextlib.suppress(Exception):
        client.images.remove(image_id)
