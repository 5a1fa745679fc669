"""The exercises whose checks run what the learner wrote (exercise 3 of 06, 07 and 09)
against the real Docker daemon, registry and skopeo; each hint comes from a real failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kernel_helpers as kh
from kernel_helpers._system import find_program
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.containers.images import kit_containers
from kernel_helpers.containers.oci import OciLayout, write_oci_layout
from kernel_helpers.containers.registry import LocalRegistry, registry_binary
from kernel_helpers.course.checks import Solution
from kernel_helpers.course.solutions import all_solutions
from kernel_helpers.toolchains.prebuilt import wasm_module
from tests.conftest import need

pytestmark = pytest.mark.integration


def run_solution(solution: Solution, **names: Any) -> kh.CheckResult:
    *body, last = solution.code.splitlines()
    namespace: dict[str, Any] = {"kh": kh, **names}
    exec("\n".join(body), namespace)
    result = eval(last, namespace)
    assert isinstance(result, kh.CheckResult)
    return result


@pytest.fixture(scope="module")
def docker_here() -> None:
    status = docker_status()
    need(status.available, f"no Docker daemon: {status.reason}")


# --- 06 · which lock stops the write ----------------------------------------------------


@pytest.mark.docker
def test_the_lock_that_stops_the_write_is_shown_by_two_runs(docker_here: None) -> None:
    """Walk 3, S17: the probe's write fails with the six locks and works without the one
    named; a lock that is not it leaves the write failing, in the probe's own words."""
    right = kh.check_which_lock("read_only")
    assert right.ok is True, right.text()
    assert "Read-only file system" in right.message and "wrote" in right.message
    caps = kh.check_which_lock("cap_drop")
    assert caps.ok is False and "still failed" in caps.message and caps.hint
    network = kh.check_which_lock("network_mode")  # never run with a network
    assert network.ok is False and "never opens the network" in network.message
    assert kit_containers() == []  # the check removed its containers


# --- 07 · an image under a megabyte -------------------------------------------------------

SCRATCH = 'FROM scratch\nCOPY {file} /{file}\nUSER 65534\nENTRYPOINT ["/{file}"]\n'


def exercise_images() -> list[object]:
    import docker

    client = docker.from_env(version="auto")
    try:
        return list(client.images.list(filters={"reference": "kit-exercise-07"}))
    finally:
        client.close()


@pytest.mark.docker
@pytest.mark.parametrize(
    "dockerfile",
    [
        SCRATCH.format(file="hello"),
        'FROM scratch\nCOPY hello /app\nUSER 1000:1000\nCMD ["/app"]\n',
        'FROM scratch\nCOPY . /\nUSER 65534\nENTRYPOINT ["/hello"]\n',  # the whole context fits
    ],
)
def test_a_small_image_is_built_run_weighed_and_removed(docker_here: None, dockerfile: str) -> None:
    result = kh.check_small_dockerfile(dockerfile)
    assert result.ok is True, result.text()
    assert (
        "'Hello from WebAssembly and containers!'" in result.message
        and "under 1 MB" in result.message
        and "as user " in result.message
    )
    assert exercise_images() == [] and kit_containers() == []


@pytest.mark.docker
@pytest.mark.parametrize(
    "dockerfile,words",
    [
        (
            SCRATCH.format(file="hello-dynamic"),
            ["no such file or directory", "dynamically linked", "loader"],
        ),
        (
            SCRATCH.format(file="hello.wasm"),
            ["exec format error", "not a Linux program", "notebook 09"],
        ),
        (
            'FROM scratch\nCOPY hello /hello\nCOPY hello /hello2\nUSER 65534\nENTRYPOINT ["/hello"]\n',
            ["(measured): over the limit of 1 MB", "Copy only the program"],
        ),
        (
            'FROM scratch\nCOPY hello /hello\nUSER 65534\nENTRYPOINT ["/bin/hello"]\n',
            ["no /bin/hello to start"],
        ),
        (
            'FROM scratch\nRUN echo hi\nCOPY hello /hello\nUSER 65534\nENTRYPOINT ["/hello"]\n',
            ["scratch has no shell", "Leave RUN out"],
        ),
        (
            'FROM scratch\nCOPPY hello /hello\nUSER 65534\nENTRYPOINT ["/hello"]\n',
            ["unknown instruction: COPPY"],
        ),
        (  # walk 7, S24: the unprivileged user by name, in an image with no /etc/passwd
            'FROM scratch\nCOPY hello /hello\nUSER nobody\nENTRYPOINT ["/hello"]\n',
            ["could not find the user 'nobody'", "scratch has none", "by number"],
        ),
    ],
)
def test_each_real_failure_gets_its_own_hint(
    docker_here: None, dockerfile: str, words: list[str]
) -> None:
    result = kh.check_small_dockerfile(dockerfile)
    assert result.ok is False, result.text()
    for word in words:
        assert word in result.text(), result.text()
    assert exercise_images() == [] and kit_containers() == []


@pytest.mark.docker
def test_a_distribution_base_is_too_big_or_out_of_reach(docker_here: None) -> None:
    """No public registry here: the base cannot be fetched. Where one is reachable (or the
    image is cached), it builds and is measured over the limit. Either way: FROM scratch."""
    result = kh.check_small_dockerfile(
        SCRATCH.format(file="hello").replace("scratch", "debian:bookworm-slim", 1)
    )
    assert result.ok is False, result.text()
    assert (
        "could not fetch debian:bookworm-slim" in result.message
        or "over the limit" in result.message
    )
    assert "FROM scratch starts empty" in (result.hint or "")


# --- 09 · a blob URL, and the layers as stored ----------------------------------------------------------------------


@pytest.fixture
def registry() -> Iterator[LocalRegistry]:
    need(registry_binary() is not None, "docker-registry is not installed")
    need(find_program("skopeo") is not None, "skopeo is not installed")
    with LocalRegistry() as running:
        yield running


@pytest.fixture
def layout(tmp_path: Path) -> OciLayout:
    return write_oci_layout(wasm_module("hello", "c").path, tmp_path / "layout")


def test_the_layer_solution_passes(layout: OciLayout) -> None:
    result = run_solution(kh.solution("09", 3), layout=layout)
    assert result.ok is True, result.text()


def test_the_blob_solution_fetches_the_module_and_the_config_is_told_apart(
    registry: LocalRegistry,
) -> None:
    """Walk 3, S26: the check fetches the URL the learner wrote from their registry."""
    module = wasm_module("hello", "c").path
    trips = {"artifact": kh.oci_round_trip(module, "artifact", registry)}
    result = run_solution(kh.solution("09", 1), registry=registry, trips=trips, module=module)
    assert result.ok is True and "no tar around it" in result.message, result.text()
    host, _, rest = trips["artifact"].reference.partition("/")
    config = trips["artifact"].manifest["config"]["digest"]
    url = f"http://{host}/v2/{rest.rsplit(':', 1)[0]}/blobs/{config}"
    wrong = kh.check_blob_url(url, registry, module)
    assert wrong.ok is False and "the config" in wrong.message and wrong.hint


def test_every_solution_that_needs_a_registry_is_run_here() -> None:
    assert {k for k, s in all_solutions().items() if s.needs == "registry"} == {("09", 1)}


# --- every solution that needs Docker -----------------------------------------------------


@pytest.mark.docker
@pytest.mark.parametrize(
    "solution",
    [s for s in all_solutions().values() if s.needs == "docker"],
    ids=lambda s: f"{s.notebook}-{s.exercise}",
)
def test_solutions_that_need_docker_pass(docker_here: None, solution: Solution) -> None:
    result = run_solution(solution)
    assert result.ok is True, result.text()
