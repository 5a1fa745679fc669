"""The doctor against the real machine: with the toolchains and Docker that CI installs."""

from __future__ import annotations

import pytest

from kernel_helpers.course.doctor import collect
from tests.conftest import need

pytestmark = pytest.mark.integration


def test_doctor_sees_the_docker_daemon() -> None:
    docker = collect()["docker"]
    need(docker["available"], f"no Docker daemon: {docker.get('reason')}")
    assert docker["server_version"]
    assert "runc" in docker["runtimes"]


@pytest.mark.parametrize("lang", ["c", "cpp", "rust", "go"])
def test_doctor_finds_each_toolchain(lang: str) -> None:
    entry = collect()["toolchains"][lang]
    need(entry["available"], f"no {lang} toolchain: {entry.get('fix')}")
    assert entry["version"]
