"""Issue 28 item 1: notebook 06's progress follows the work that remains, adaptive rounds
included, and the live plot's title stays inside the picture."""

from __future__ import annotations

import threading
from typing import Any

from kernel_helpers.bench.harness import Phase
from kernel_helpers.bench.ratio import before_rounding
from kernel_helpers.bench.variants import NAMES
from kernel_helpers.report.plots import LiveStartupPlot, run_length
from tests.unit.test_plots import FakeClock


def two_phases(on_sample: Any, stop: threading.Event, on_phase: Any) -> str:
    """Every variant once (6 samples), then extra rounds of one pair bounded by time."""
    on_phase(Phase("every variant", samples=6))
    for index in range(3):
        on_sample("native", index, 0.001)
        on_sample("docker-scratch", index, 0.3)
    on_phase(Phase("tightening docker-scratch/wasm-instantiate", seconds=40.0))
    for index in range(3, 13):
        on_sample("docker-scratch", index, 0.3)
    return "done"


def test_progress_counts_each_phase_and_never_passes_its_total() -> None:
    live: LiveStartupPlot[str] = LiveStartupPlot(
        expected_samples=len(NAMES) * 5, min_interval_s=1e9, clock=FakeClock(1.0)
    )
    controls = live._controls()
    assert controls is not None
    seen: list[tuple[str, int, int]] = []
    original = live._update_progress

    def watch(name: str) -> None:
        original(name)
        bar = live._widgets["bar"]
        seen.append((live.progress_text(), bar.value, bar.max))

    live._update_progress = watch  # type: ignore[method-assign]
    live.run(lambda on_sample, stop: two_phases(on_sample, stop, live.on_phase))
    texts = [text for text, _, _ in seen]
    # Each line goes on with the time so far after a " · " (walk 18, S4).
    counts = [t.split(" · ")[0] for t in texts]
    assert "every variant: 6 of 6 samples" in counts
    assert any(t.startswith("tightening docker-scratch/wasm-instantiate: ") for t in counts)
    assert all(t.endswith("s of at most 40 s") for t in counts if t.startswith("tightening"))
    assert all(value <= top for _, value, top in seen)
    # The old display said "16 samples of about 55" here: a count measured against the
    # first pass only, with the bar long full.
    assert not any("of about" in t for t in texts)
    assert live._widgets["bar"].max == 40


def test_the_title_stays_inside_the_picture() -> None:
    live: LiveStartupPlot[str] = LiveStartupPlot(list(NAMES), title="Start-up of 'hello', live")
    live.on_phase(Phase("tightening docker-scratch/wasm-instantiate", seconds=57.0))
    for index in range(166):
        live.samples.setdefault("docker-scratch", []).append(0.3 + index / 1000)
    live.state = "running"
    figure = live.figure()
    figure.canvas.draw()
    title = figure._suptitle
    assert title is not None and "tightening" in title.get_text()
    box = title.get_window_extent(figure.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= figure.bbox.x1 and box.y1 <= figure.bbox.y1


def test_the_plot_says_what_each_colour_is() -> None:
    """Issue 28 item 3: the component row was paler than the others with nothing saying why."""
    from kernel_helpers.report.plots import startup_figure
    from tests.synthetic_results import startup

    result = startup("fast-containers")
    result.variants["component-instantiate"] = result.variants["wasm-cached"]
    result.variants["docker-debian"].source = "recorded"
    legend = startup_figure(result).axes[0].get_legend()
    words = [text.get_text() for text in legend.get_texts()]
    assert words[:5] == [
        "native binary",
        "wasm module",
        "wasm component (WASI 0.2)",
        "module image or OCI artifact",
        "Linux container image",
    ]
    assert words[5].startswith("grey, hatched:")


def test_a_round_starts_only_if_one_as_long_still_fits_the_budget(monkeypatch: Any) -> None:
    """06's budget bounds the run: a last round that began just before the deadline ran
    it over (the notebook then took longer than its headless budget)."""
    from kernel_helpers.bench import startup as startup_module
    from kernel_helpers.bench.results import Measurement
    from tests.synthetic_results import startup

    now = [0.0]
    rounds_run: list[float] = []

    def one_more_round(result: Any, again: Any, rounds: Any) -> None:
        rounds_run.append(now[0])
        now[0] += 10.0  # each round takes ten (fake) seconds
        for runnable in again:
            old = result.variants[runnable.name]
            result.variants[runnable.name] = Measurement.from_samples(
                runnable.name, old.kind, [*old.samples_s, *old.samples_s]
            )

    monkeypatch.setattr(startup_module.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(startup_module, "_one_more_round", one_more_round)
    result = startup("wasm-slower")
    pair = [
        startup_module._Runnable(name, startup_module.CommandSpec(("x",)))
        for name in ("docker-scratch", "wasm-instantiate")
    ]
    rounds = startup_module._Rounds(pair, 5, None, None, "hello")
    startup_module._until_precise(result, rounds, precision=1e-9, deadline=15.0)
    assert rounds_run == [0.0]  # the second would have ended at 20 s, past the deadline
    assert "the time budget ran out" in result.notes["precision"]
    # Walk 21, S2: "±226%" on a ratio read oddly; the line reads it as a factor too. Walk 23,
    # S1: it prints the exact ends it read its ± from, as 06 ex. 1's reply prints them.
    interval = result.ratio_interval("docker-scratch", "wasm-instantiate")
    width = interval.relative_half_width
    ends = f"{before_rounding(interval.low)}×-{before_rounding(interval.high)}×"
    assert (
        f"known within ±{width:.0%} on a log scale (×{1 + width:.2f} either way; "
        f"exact ends {ends}; a printed range is rounded outward) "
        "only (target ±0%): the time budget ran out"
    ) in result.notes["precision"], result.notes["precision"]
    assert f"√({before_rounding(interval.high)} ÷ {before_rounding(interval.low)})" in (
        interval.why_rounded()
    )  # the same figures a learner reads in 06 ex. 1's reply


def test_the_progress_says_how_long_this_run_and_the_last_one_took() -> None:
    """Walk 18, S4: a Start run on a busy machine took 126 s against about 30 s for the
    first, and nothing said how long a run takes. The progress counts this run's time,
    says how long the last run took, and a finished run says its own length: all read
    off the plot's clock, none a figure measured elsewhere."""
    live: LiveStartupPlot[str] = LiveStartupPlot(min_interval_s=1e9, clock=FakeClock(1.0))
    controls = live._controls()
    assert controls is not None
    seen: list[str] = []
    original = live._update_progress

    def watch(name: str) -> None:
        original(name)
        seen.append(live._widgets["label"].value)
        seen.append(live.progress_text())

    live._update_progress = watch  # type: ignore[method-assign]
    live.run(lambda on_sample, stop: two_phases(on_sample, stop, live.on_phase))
    assert live.last_run_s is not None and live.last_run_s > 0
    first = run_length(live.last_run_s)
    assert any(text.startswith("every variant: ") and " s so far" in text for text in seen)
    assert any(text.startswith("tightening ") and " s so far" in text for text in seen)
    assert all("the last run took" not in text for text in seen)  # no last run yet
    assert live._widgets["label"].value.startswith(f"done: 16 samples in {first}")
    seen.clear()
    live.run()  # Start again: the progress now says how long the first run took
    assert any(f"(the last run took {first})" in text for text in seen)
    assert run_length(45.4) == "45 s" and run_length(126.2) == "2 min 06 s"
