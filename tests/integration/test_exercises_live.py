"""The exercises whose checks run what the learner wrote (exercise 3 of 06, 07 and 09)
against the real Docker daemon, registry and skopeo; each hint comes from a real failure."""

from __future__ import annotations

from typing import Any

import pytest

import kernel_helpers as kh
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.containers.images import kit_containers
from kernel_helpers.course.checks import Solution, all_solutions
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


# --- 06 · a locked-down container -------------------------------------------------------

LOCKED = {"network_mode": "none", "read_only": True, "cap_drop": ["ALL"], "mem_limit": "64m", "pids_limit": 64}


@pytest.mark.docker
@pytest.mark.parametrize("answer", [
    LOCKED,
    {**LOCKED, "network_mode": "none", "cap_drop": ["all"], "mem_limit": 32 * 2**20},
    {key: value for key, value in {**LOCKED, "network_disabled": True}.items() if key != "network_mode"},
    {**LOCKED, "remove": True, "labels": {"mine": "1"}, "security_opt": ["no-new-privileges"], "user": "65534"},
])
def test_a_locked_down_run_is_run_and_what_docker_applied_is_read(docker_here: None, answer: dict[str, Any]) -> None:
    result = kh.check_locked_down_run(answer)
    assert result.ok is True, result.text()
    assert "ReadonlyRootfs True, CapDrop ['ALL']" in result.message
    assert "Hello from WebAssembly and containers!" in result.message
    assert kit_containers() == []  # the check removed its container


@pytest.mark.docker
def test_a_setting_docker_refuses_is_said_in_the_daemons_words(docker_here: None) -> None:
    result = kh.check_locked_down_run({**LOCKED, "mem_limit": "1m"})
    assert result.ok is False and "Docker refused" in result.message
    assert "Minimum memory limit" in result.message
    assert kit_containers() == []


# --- every solution that needs Docker -----------------------------------------------------


@pytest.mark.docker
@pytest.mark.parametrize(
    "solution", [s for s in all_solutions().values() if s.needs == "docker"], ids=lambda s: f"{s.notebook}-{s.exercise}"
)
def test_solutions_that_need_docker_pass(docker_here: None, solution: Solution) -> None:
    result = run_solution(solution)
    assert result.ok is True, result.text()
