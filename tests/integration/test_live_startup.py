"""The live plot on the real harness: it redraws during a small run, and Stop keeps samples."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kernel_helpers.bench.startup import run_startup
from kernel_helpers.report.plots import LiveStartupPlot
from kernel_helpers.report.verdicts import startup_verdict

pytestmark = pytest.mark.integration

IN_PROCESS = ["native", "wasm-cached", "wasm-instantiate"]


def test_live_plot_redraws_during_a_real_small_run() -> None:
    live: LiveStartupPlot[Any] = LiveStartupPlot(
        IN_PROCESS, expected_samples=15, min_interval_s=0.0
    )

    def runner(on_sample: Any, stop: threading.Event) -> Any:
        return run_startup(
            "hello",
            repeat=5,
            warmup=1,
            variants=IN_PROCESS,
            on_sample=on_sample,
            stop=stop,
            progress=False,
        )

    result = live.run(runner)
    assert live.error is None, live.error
    assert live.count == 15
    assert live.redraws > 1  # every sample may redraw here, plus the final picture
    assert set(result.variants) == set(IN_PROCESS)
    assert "not enough measurements" in startup_verdict(result).summary  # no container here


def test_stop_ends_a_real_background_run_keeping_its_samples() -> None:
    live: LiveStartupPlot[Any] = LiveStartupPlot(["wasm-instantiate"], min_interval_s=0.2)
    first = threading.Event()

    def runner(on_sample: Any, stop: threading.Event) -> Any:
        def counting(name: str, index: int, seconds: float) -> None:
            on_sample(name, index, seconds)
            first.set()

        return run_startup(
            "hello",
            repeat=100_000,
            warmup=0,
            variants=["wasm-instantiate"],
            on_sample=counting,
            stop=stop,
            progress=False,
        )

    live.run(runner, blocking=False)
    assert first.wait(60), "no sample arrived"
    live.stop()
    assert live.wait(30), "the run did not end after Stop"
    assert live.error is None, live.error
    kept = live.result.variants["wasm-instantiate"].stats.n
    assert 1 <= kept < 100_000
    assert kept == len(live.samples["wasm-instantiate"])
