"""The live start-up plot redraws while samples arrive, and Stop ends a run cleanly."""

from __future__ import annotations

import threading
from typing import Any

from kernel_helpers._plots import (
    LiveStartupPlot,
    figure_png,
    size_figure,
    startup_figure,
    throughput_figure,
)
from tests.unit.course2_data import FAST_CONTAINERS, SIZES_SCRATCH, compute_result, startup_result

PNG_MAGIC = b"\x89PNG"


class FakeClock:
    """Advances by ``step`` seconds each time it is read: a run of known length."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def small_benchmark(on_sample: Any, stop: threading.Event) -> dict[str, Any]:
    """Twelve samples over three variants, then a result with recorded containers."""
    for index in range(4):
        for name, seconds in (("native", 0.001), ("wasm-cached", 0.0009), ("wasmtime-cli", 0.012)):
            if stop.is_set():
                break
            on_sample(name, index, seconds * (1 + index / 10))
    return startup_result(FAST_CONTAINERS, recorded=("docker-scratch", "docker-debian"))


def test_live_plot_redraws_during_a_run_and_draws_the_result() -> None:
    live: LiveStartupPlot[dict[str, Any]] = LiveStartupPlot(
        expected_samples=12, min_interval_s=1.0, clock=FakeClock(0.3)
    )
    result = live.run(small_benchmark, blocking=True)
    assert result is not None and live.error is None
    # every 4th sample is due (0.3 s per clock read, at most one redraw a second), plus the final one
    assert 3 <= live.redraws <= 6, live.redraws
    assert live.count == 12
    assert live.last_png.startswith(PNG_MAGIC)
    assert live.summaries["docker-scratch"].recorded
    assert live.recorded_text == "recorded on ci-box, 2026-11-20"


def test_throttling_limits_redraws_when_samples_come_fast() -> None:
    live: LiveStartupPlot[dict[str, Any]] = LiveStartupPlot(min_interval_s=10.0, clock=FakeClock(0.001))
    live.run(small_benchmark)
    assert live.redraws == 2  # the first sample and the end: drawing never eats the run


def test_stop_ends_a_background_run_and_keeps_its_samples() -> None:
    started = threading.Event()

    def endless(on_sample: Any, stop: threading.Event) -> str:
        index = 0
        while not stop.is_set():
            on_sample("native", index, 0.001)
            index += 1
            started.set()
            stop.wait(0.005)
        return "stopped cleanly"

    live: LiveStartupPlot[str] = LiveStartupPlot(min_interval_s=0.05)
    assert live.run(endless, blocking=False) is None  # returns at once: the kernel stays free
    assert started.wait(5)
    live.stop()
    assert live.wait(5), "the run did not end after Stop"
    assert live.result == "stopped cleanly"
    assert live.count >= 1
    assert live.samples["native"]


def test_a_failing_benchmark_does_not_raise_into_the_notebook() -> None:
    def broken(on_sample: Any, stop: threading.Event) -> None:
        on_sample("native", 0, 0.001)
        raise RuntimeError("docker went away")

    live: LiveStartupPlot[None] = LiveStartupPlot()
    assert live.run(broken) is None
    assert isinstance(live.error, RuntimeError)
    assert live.samples == {"native": [0.001]}
    assert live.done.is_set()


def test_static_figures_render() -> None:
    for figure in (
        startup_figure(startup_result(FAST_CONTAINERS, recorded=("docker-scratch",))),
        size_figure(SIZES_SCRATCH, recorded=["image docker-debian"], recorded_text="recorded on x"),
        throughput_figure(compute_result(1.4)),
    ):
        assert figure_png(figure).startswith(PNG_MAGIC)
