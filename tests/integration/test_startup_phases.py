"""run_startup says how much work each phase holds, so notebook 06's progress bar follows
the adaptive rounds too (issue 28 item 1), on the real harness and Docker."""

from __future__ import annotations

import pytest

from kernel_helpers.bench.harness import Phase
from kernel_helpers.bench.startup import run_startup
from kernel_helpers.containers.docker import docker_status
from tests.conftest import need

pytestmark = pytest.mark.integration


def test_the_first_phase_counts_exactly_its_samples_and_the_rounds_are_bounded_by_time() -> None:
    need(docker_status().available, "no Docker: no headline pair to tighten")
    events: list[Phase | str] = []
    variants = ["wasm-instantiate", "docker-scratch"]
    result = run_startup(
        "hello", repeat=3, warmup=1, variants=variants, progress=False,
        precision=1e-6, budget_s=25.0,  # a precision no run reaches: the budget ends it
        on_sample=lambda name, index, seconds: events.append(name), on_phase=events.append,
    )  # fmt: skip
    phases = [e for e in events if isinstance(e, Phase)]
    assert phases[0] == Phase("every variant", samples=6)
    assert phases[1].what == "tightening docker-scratch/wasm-instantiate"
    assert phases[1].seconds is not None and 0 <= phases[1].seconds <= 25.0
    between = events[events.index(phases[0]) + 1 : events.index(phases[1])]
    assert len(between) == 6  # the first phase's total is what it delivered
    assert "the time budget ran out" in result.notes["precision"]
