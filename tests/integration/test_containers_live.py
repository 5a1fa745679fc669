"""Containers, the local registry and wasm OCI images against the real daemon and tools."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel_helpers._errors import ContainerError, DockerUnavailable, KitError, OciError
from kernel_helpers._system import find_program
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.containers.images import (
    base_image,
    build_image,
    cleanup,
    hardened_run_command,
    image_sizes,
    kit_containers,
    kit_labels,
    owner_filter,
    run_container,
    scratch_image,
)
from kernel_helpers.containers.oci import pull_wasm, push_wasm, run_pulled, run_with_docker_shim
from kernel_helpers.containers.registry import LocalRegistry, registry_binary, sha256_digest
from kernel_helpers.toolchains.pairs import Builds, example_builds
from tests.conftest import need

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def builds() -> Builds:
    try:
        return example_builds("hello", "c")
    except KitError as err:
        need(False, f"cannot build hello: {err}")
        raise


@pytest.fixture(scope="module")
def docker_client() -> Iterator[object]:
    status = docker_status()
    need(status.available, f"no Docker daemon: {status.reason}")
    from kernel_helpers.containers.docker import connect

    client = connect()
    yield client
    client.close()


@pytest.fixture
def registry() -> Iterator[LocalRegistry]:
    need(registry_binary() is not None, "docker-registry is not installed")
    with LocalRegistry() as running:
        yield running


@pytest.mark.docker
def test_hardened_container_has_no_network_caps_or_writable_root(docker_client: object) -> None:
    base = base_image()
    probe = (
        "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; ls /sys/class/net; "
        "touch /probe 2>/dev/null && echo writable || echo read-only"
    )
    run = run_container(base.tag, ["sh", "-c", probe])
    text = run.stdout.decode()
    assert run.exit_code == 0, run.stderr
    assert "CapEff:\t0000000000000000" in text
    assert "NoNewPrivs:\t1" in text
    assert text.split("NoNewPrivs:\t1\n", 1)[1].split() == ["lo", "read-only"]


@pytest.mark.docker
def test_a_container_that_runs_too_long_is_killed_and_removed(docker_client: object) -> None:
    base = base_image()
    with pytest.raises(KitError, match="longer than"):
        run_container(base.tag, ["sleep", "30"], timeout_s=1)
    assert kit_containers() == []


@pytest.mark.docker
@pytest.mark.slow
def test_200_consecutive_runs_leave_no_container_behind(
    builds: Builds, docker_client: object
) -> None:
    tag = "kit-hello-scratch:test"
    scratch_image(builds.require_native(), tag)
    outputs = {run_container(tag).stdout for _ in range(150)}
    # and the timed path: the docker CLI with --rm, as the start-up benchmark runs it
    command = hardened_run_command(tag)
    for _ in range(50):
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    assert outputs == {b"Hello from WebAssembly and containers!\n"}
    assert kit_containers() == []


@pytest.mark.docker
def test_an_image_removed_while_measuring_is_reported_as_removed(
    builds: Builds, docker_client: object
) -> None:
    """As when another learner's cleanup removes the image mid-run: said plainly, never a
    registry lookup error (the run does not pull a local image)."""
    from kernel_helpers.bench.variants import CommandSpec, Job
    from kernel_helpers.bench.worker import run_in_worker
    from kernel_helpers.containers.images import owner_tag

    tag = owner_tag("kit-hello-vanishing")
    scratch_image(builds.require_native(), tag)
    spec = Job("docker-scratch", CommandSpec(tuple(hardened_run_command(tag)), image=tag))
    docker_client.images.remove(tag, force=True)  # type: ignore[attr-defined]
    outcome = run_in_worker([spec], warmup=0, repeat=2)
    message = outcome.failed["docker-scratch"]
    assert "removed while measuring" in message and tag in message, message
    assert "pull" not in message and "registry" not in message, message


@pytest.mark.docker
def test_a_cold_pull_removes_its_image_before_the_timer_starts(
    builds: Builds, docker_client: object
) -> None:
    """docker-pull-run times the pull and the run, as docker-scratch times its run: the
    image is removed in the untimed step before each run, never inside the timed one."""
    from kernel_helpers.bench.variants import CommandSpec, Job
    from kernel_helpers.bench.worker import steps_for
    from kernel_helpers.containers.images import owner_tag

    tag = owner_tag("kit-hello-pull-timer")
    scratch_image(builds.require_native(), tag)
    inspect = (find_program("docker") or "docker", "image", "inspect", tag)
    try:
        steps = steps_for(Job("docker-pull-run", CommandSpec(inspect, remove_image=tag)))
        assert steps.run(os.devnull, os.devnull) == 0  # the timed part left the image alone
        steps.before()
        assert steps.run(os.devnull, os.devnull) != 0  # the untimed part removed it
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, timeout=60)


@pytest.mark.docker
def test_a_cold_pull_gives_back_the_name_docker_scratch_runs_its_image_by(
    builds: Builds, docker_client: object, registry: LocalRegistry
) -> None:
    """Walk 8, S5: docker-pull-run pushes docker-scratch's image, and before each run it
    untags every name of it so the pull is cold, docker-scratch's tag included; the extra
    rounds of 06's headline ratio, run after it, then timed no docker-scratch start. The
    tag is gone while the pull runs and back on the pulled image after it."""
    from kernel_helpers.bench.variants import CommandSpec, Job
    from kernel_helpers.bench.worker import run_in_worker, steps_for
    from kernel_helpers.containers.images import owner_tag, push_image

    tag = owner_tag("kit-hello-shared")
    scratch_image(builds.require_native(), tag)
    reference = push_image(tag, registry, "kit/hello-shared")
    pull_run = hardened_run_command(reference, pull=True, docker_config=registry.docker_config_dir)
    pull = Job("docker-pull-run", CommandSpec(tuple(pull_run), remove_image=reference))
    inspect = [find_program("docker") or "docker", "image", "inspect", tag]
    try:
        steps = steps_for(pull)
        steps.before()
        gone = subprocess.run(inspect, capture_output=True, timeout=60)
        assert gone.returncode != 0  # every name went, so the layers went: the pull is cold
        assert steps.run(os.devnull, os.devnull) == 0
        steps.after()
        assert subprocess.run(inspect, capture_output=True, timeout=60).returncode == 0
        scratch = Job("docker-scratch", CommandSpec(tuple(hardened_run_command(tag)), image=tag))
        outcome = run_in_worker([pull, scratch], warmup=0, repeat=2)  # the pull first, as in 06
        assert outcome.failed == {}
        assert len(outcome.samples["docker-scratch"]) == 2
    finally:
        for name in (tag, reference):
            subprocess.run(["docker", "image", "rm", "-f", name], capture_output=True, timeout=60)


@pytest.mark.docker
def test_image_sizes_read_from_the_registry_manifest(
    builds: Builds, docker_client: object, registry: LocalRegistry
) -> None:
    tag = "kit-hello-scratch:test"
    scratch_image(builds.require_native(), tag)
    pushed = image_sizes(tag, registry=registry)
    local = image_sizes(tag)
    assert pushed["uncompressed"] == builds.require_native().stat().st_size
    assert 0 < pushed["compressed"] < pushed["uncompressed"]
    assert abs(local["compressed"] - pushed["compressed"]) < 0.1 * pushed["compressed"]


def test_registry_listens_on_loopback_only_and_is_gone_afterwards() -> None:
    need(registry_binary() is not None, "docker-registry is not installed")
    need(find_program("ss") is not None, "ss (iproute2) is not installed")
    with LocalRegistry() as running:
        asked = urllib.request.Request(running.url + "/v2/", headers=running.auth_header())
        with urllib.request.urlopen(asked, timeout=2) as answer:
            assert answer.status == 200
        listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
        mine = [line for line in listening.splitlines() if f":{running.port} " in line]
        assert mine and all("127.0.0.1:" in line for line in mine)
        data_dir = running._dir
    assert data_dir is not None and not data_dir.exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", running.port), timeout=1).close()


def test_a_learners_registry_refuses_anyone_without_its_password(
    registry: LocalRegistry, builds: Builds, docker_client: object, tmp_path: Path
) -> None:
    """On a workshop machine every learner reaches every port on 127.0.0.1: a classmate (a
    client without the password) can neither push to nor pull from this registry."""
    pushed = push_wasm(builds.wasm, registry, repository="kit/private", style="artifact")
    stranger = LocalRegistry(port=registry.port)  # the address alone, as anyone could find it
    with pytest.raises(KitError, match="HTTP 401"):
        stranger.push_blob("kit/private", b"replaced")
    with pytest.raises(KitError, match="HTTP 401"):
        stranger.manifest("kit/private", "latest")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(registry.url + "/v2/", timeout=2)
    assert refused.value.code == 401
    need(find_program("skopeo") is not None, "skopeo is not installed")
    no_login = subprocess.run(
        [
            "skopeo",
            "copy",
            "--quiet",
            "--src-tls-verify=false",
            f"docker://{pushed.reference}",
            f"dir:{tmp_path / 'x'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert no_login.returncode != 0 and "authentication required" in no_login.stderr, (
        no_login.stderr
    )
    # Its owner's tools find the password in a file only the owner can read.
    assert registry.auth_file.stat().st_mode & 0o077 == 0
    assert registry.auth_file.parent.parent.stat().st_mode & 0o077 == 0
    assert (
        pull_wasm(pushed.reference, tmp_path / "mine").module.read_bytes()
        == builds.wasm.read_bytes()
    )


def test_another_user_of_the_machine_can_neither_read_the_password_nor_use_the_registry(
    registry: LocalRegistry,
) -> None:
    """As a classmate on the workshop machine would try: another unix user (nobody)."""
    need(
        os.geteuid() == 0 and find_program("runuser") is not None,
        "needs root to act as another user",
    )
    as_nobody = ["runuser", "-u", "nobody", "--"]
    read = subprocess.run(
        [*as_nobody, "cat", str(registry.auth_file)], capture_output=True, text=True, check=False
    )
    assert read.returncode != 0 and "Permission denied" in read.stderr, read
    probe = (
        f"import urllib.request as u\ntry:\n u.urlopen('{registry.url}/v2/', timeout=5)\n"
        "except Exception as e:\n print(e)"
    )
    tried = subprocess.run(
        [*as_nobody, "/usr/bin/python3", "-c", probe], capture_output=True, text=True, check=False
    )
    assert "HTTP Error 401" in tried.stdout, tried


def test_a_registry_whose_port_was_taken_moves_on_and_never_uses_the_other_one(
    registry: LocalRegistry,
) -> None:
    """As when two learners' benchmarks start at once: the port chosen for the second
    registry is taken before it binds. It must not take the first one's answers for its own."""
    second = LocalRegistry()
    second._use_port(registry.port)  # the race, made certain
    with second:
        assert second.port != registry.port and second.running
        registry.push_blob("kit/mine", b"first")
        with pytest.raises(KitError):
            second.blob("kit/mine", sha256_digest(b"first"))
    with pytest.raises(KitError, match="did not answer"):
        LocalRegistry(port=registry.port).start()  # a fixed port: said, not papered over
    assert registry.running


@pytest.mark.parametrize("style", ["image", "artifact"])
def test_wasm_oci_round_trip_with_skopeo(
    style: str, builds: Builds, registry: LocalRegistry, tmp_path: Path
) -> None:
    need(find_program("skopeo") is not None, "skopeo is not installed")
    pushed = push_wasm(builds.wasm, registry, style=style)
    pulled = pull_wasm(pushed.reference, tmp_path, tool="skopeo")
    assert pulled.style == style
    assert pulled.config["os"] == "wasi" and pulled.config["architecture"] == "wasm"
    assert any("digest verified" in check for check in pulled.checks)
    result = run_pulled(pulled)
    assert result.exit_code == 0
    assert result.stdout == b"Hello from WebAssembly and containers!\n"


def test_a_component_round_trips_through_the_registry_with_skopeo(
    builds: Builds, registry: LocalRegistry, tmp_path: Path
) -> None:
    from kernel_helpers.toolchains.component.making import componentize

    need(find_program("skopeo") is not None, "skopeo is not installed")
    component = componentize(builds.wasm)
    pushed = push_wasm(
        component.path, registry, repository="kit/hello-component", style="component"
    )
    pulled = pull_wasm(pushed.reference, tmp_path, tool="skopeo")
    assert pulled.style == "component" and pulled.config["os"] == "wasip2"
    assert pulled.manifest["config"]["mediaType"] == "application/vnd.wasm.config.v0+json"
    assert run_pulled(pulled).stdout == b"Hello from WebAssembly and containers!\n"


def test_docker_runs_wasm_only_through_a_real_shim(builds: Builds, registry: LocalRegistry) -> None:
    status = docker_status()
    need(status.available, f"no Docker daemon: {status.reason}")
    pushed = push_wasm(builds.wasm, registry, style="image")
    if not status.wasm_shims:  # the honest path on this machine: say so, with the fix
        with pytest.raises(OciError, match="no wasm runtime") as caught:
            run_with_docker_shim(pushed.reference)
        assert caught.value.fix and "runwasi" in caught.value.fix
    else:
        assert b"Hello" in run_with_docker_shim(pushed.reference)


def _silent_socket(path: Path) -> socket.socket:
    """A unix socket that accepts connections and never answers (a hung daemon)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(16)
    threading.Thread(target=lambda: [server.accept() for _ in range(16)], daemon=True).start()
    return server


@pytest.mark.parametrize("daemon", ["missing", "hung"])
def test_without_a_daemon_every_call_fails_within_2s_with_the_fix(
    daemon: str, builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sock = tmp_path / "docker.sock"
    if daemon == "hung":
        server = _silent_socket(sock)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{sock}")
    calls = [
        lambda: scratch_image(builds.require_native(), "kit-x:y"),
        lambda: run_container("kit-x:y"),
        lambda: image_sizes("kit-x:y"),
        cleanup,
        kit_containers,
        base_image,
    ]
    for call in calls:
        start = time.monotonic()
        with pytest.raises(DockerUnavailable) as caught:
            call()
        assert time.monotonic() - start < 2.5
        assert caught.value.fix and ("dockerd" in caught.value.fix or "Docker" in caught.value.fix)
    if daemon == "hung":
        server.close()


@pytest.mark.docker
def test_cleanup_removes_this_learners_objects_and_no_one_elses(
    builds: Builds, docker_client: object
) -> None:
    import docker

    client = docker.from_env(version="auto")
    scratch_image(builds.require_native(), "kit-hello-scratch:cleanup")
    client.volumes.create(labels=kit_labels("test"))
    client.containers.create("kit-hello-scratch:cleanup", labels=kit_labels("test"))
    # Another learner's image on the same daemon: the kit's label, someone else's owner id.
    other = {**kit_labels("test"), "io.wasm-course.owner": "another-learner"}
    scratch_image(builds.require_native(), "kit-hello-scratch:other-learner", labels=other)
    try:
        counts = cleanup()
        assert counts["images"] >= 1 and counts["volumes"] >= 1 and counts["containers"] >= 1
        assert client.images.list(filters=owner_filter()) == []
        assert client.containers.list(all=True, filters=owner_filter()) == []
        assert client.volumes.list(filters=owner_filter()) == []
        assert client.images.get("kit-hello-scratch:other-learner")  # still there
    finally:
        client.images.remove("kit-hello-scratch:other-learner", force=True)
        client.close()


@pytest.mark.docker
def test_a_failed_build_leaves_no_image_behind(builds: Builds, docker_client: object) -> None:
    """Notebook 07's exercise builds learners' Dockerfiles, and some fail (RUN on scratch):
    the steps that succeeded would stay as untagged images, nobody's to clean up."""
    import docker

    client = docker.from_env(version="auto")
    before = {image.id for image in client.images.list(all=True)}
    dockerfile = "FROM scratch\nCOPY hello /hello\nRUN /bin/true\n"  # scratch has no /bin/true
    try:
        with pytest.raises(ContainerError):
            build_image(
                "kit-failed-build:test",
                {"hello": builds.require_native()},
                dockerfile,
                purpose="test",
            )
        assert {image.id for image in client.images.list(all=True)} - before == set()
    finally:
        client.close()


def test_kit_docker_off_is_refused_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")
    start = time.monotonic()
    with pytest.raises(DockerUnavailable, match="KIT_DOCKER"):
        cleanup()
    assert time.monotonic() - start < 0.5
