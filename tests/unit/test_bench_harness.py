"""The timing harness on known samples, with real (tiny) processes and callables."""

from __future__ import annotations

import io
import json
import sys
import threading

import pytest

from kernel_helpers._errors import BenchmarkError
from kernel_helpers.bench.harness import machine_metadata, measure_callable, measure_command
from kernel_helpers.bench.results import BenchResult, Measurement, Stats


def test_stats_on_known_samples() -> None:
    stats = Stats.from_samples([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (stats.min_s, stats.q1_s, stats.median_s, stats.q3_s, stats.max_s) == (1, 2, 3, 4, 5)
    assert stats.n == 5 and stats.mean_s == 3.0 and stats.outliers == 0
    assert stats.stdev_s == pytest.approx(1.5811, rel=1e-4)


def test_stats_interpolates_quartiles_like_numpy() -> None:
    import numpy as np

    samples = [0.9, 0.1, 0.4, 0.35, 0.8, 0.11]
    stats = Stats.from_samples(samples)
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    assert (stats.q1_s, stats.median_s, stats.q3_s) == pytest.approx((q1, median, q3))


def test_outliers_are_counted_by_tukey_fences_not_dropped() -> None:
    samples = [1.0, 1.1, 1.0, 0.9, 1.05, 0.95, 10.0, 0.01]
    stats = Stats.from_samples(samples)
    assert stats.outliers == 2
    assert stats.n == 8 and stats.max_s == 10.0


def test_single_sample_and_empty() -> None:
    one = Stats.from_samples([0.25])
    assert one.q1_s == one.median_s == one.q3_s == 0.25 and one.stdev_s == 0.0
    with pytest.raises(BenchmarkError):
        Stats.from_samples([])


def test_measure_callable_counts_warmups_and_repeats() -> None:
    calls: list[int] = []
    seen: list[tuple[str, int]] = []
    m = measure_callable(
        lambda: calls.append(1),
        name="noop",
        warmup=2,
        repeat=5,
        on_sample=lambda name, i, s: seen.append((name, i)),
    )
    assert len(calls) == 7 and m.stats.n == 5 and m.kind == "in-process"
    assert seen == [("noop", i) for i in range(5)]
    assert m.source == "measured" and m.command is None and not m.stopped


def test_stop_event_keeps_every_sample_so_far() -> None:
    stop = threading.Event()

    def on_sample(name: str, index: int, seconds: float) -> None:
        if index == 3:
            stop.set()

    m = measure_callable(lambda: None, warmup=0, repeat=100, on_sample=on_sample, stop=stop)
    assert m.stats.n == 4 and m.stopped and m.note and "stopped early" in m.note


def test_interrupt_keeps_samples_and_sets_the_event() -> None:
    stop = threading.Event()
    count = iter(range(1000))

    def fn() -> None:
        if next(count) == 6:
            raise KeyboardInterrupt

    m = measure_callable(fn, warmup=1, repeat=100, stop=stop)
    assert m.stats.n == 5 and m.stopped and stop.is_set()


def test_stopped_before_first_sample_is_a_clear_error() -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(BenchmarkError, match="before the first"):
        measure_callable(lambda: None, stop=stop)


def test_budget_limits_the_number_of_samples() -> None:
    import time

    m = measure_callable(lambda: time.sleep(0.01), warmup=0, repeat=None, budget_s=0.05)
    # The budget bounds the count from above; a starved leg may get one 10 ms sleep in
    # 84 ms, so from below only the first sample is certain.
    assert 1 <= m.stats.n <= 7


def test_measure_command_times_a_real_process_without_a_shell() -> None:
    argv = [sys.executable, "-c", "import sys; sys.stdout.write('x' * 100)"]
    m = measure_command(argv, warmup=1, repeat=3)
    assert m.kind == "process" and m.command == argv and m.stats.n == 3
    assert m.stats.min_s > 0.001  # starting Python takes milliseconds, never nothing


def test_measure_command_reports_the_commands_own_error() -> None:
    argv = [sys.executable, "-c", "import sys; sys.exit('the reason it failed')"]
    with pytest.raises(BenchmarkError, match="the reason it failed"):
        measure_command(argv, warmup=0, repeat=1)


def test_measure_command_kills_at_the_timeout() -> None:
    argv = [sys.executable, "-c", "import time; time.sleep(30)"]
    with pytest.raises(BenchmarkError, match="longer than"):
        measure_command(argv, warmup=0, repeat=1, timeout_s=0.5)


def test_measure_command_runs_prepare_before_every_run() -> None:
    prepared: list[int] = []
    measure_command(["true"], warmup=1, repeat=2, prepare=lambda: prepared.append(1))
    assert len(prepared) == 3


def test_missing_program_is_a_clear_error() -> None:
    with pytest.raises(BenchmarkError, match="cannot start"):
        measure_command(["no-such-program-here"], warmup=0, repeat=1)


def _result() -> BenchResult:
    return BenchResult(
        machine={"cpu": "test", "cores": 2},
        example="hello",
        variants={
            "native": Measurement.from_samples(
                "native", "process", [0.001, 0.002, 0.0015], command=["/x"]
            ),
            "docker-scratch": Measurement.from_samples(
                "docker-scratch", "process", [0.5, 0.4, 0.45]
            ),
        },
        sizes={"native": 800_000},
        skipped={"wasmtime-cli": "no CLI"},
    )


def test_json_round_trip_keeps_everything() -> None:
    result = _result()
    text = json.dumps(result.to_json())
    back = BenchResult.from_json(text)
    assert back.to_json() == result.to_json()
    assert result.ratio("docker-scratch", "native") == pytest.approx(0.45 / 0.0015)
    assert "docker-scratch/native" in result.to_json()["ratios"]


def test_ratio_of_a_skipped_variant_says_why() -> None:
    with pytest.raises(BenchmarkError, match="no CLI"):
        _result().ratio("wasmtime-cli", "native")


def test_csv_has_one_row_per_variant(tmp_path: object) -> None:
    buffer = io.StringIO()
    _result().to_csv(buffer)
    lines = buffer.getvalue().strip().splitlines()
    assert lines[0].startswith("variant,source,kind,n,median_s")
    assert len(lines) == 3 and lines[1].startswith("native,measured,process,3,0.0015")


def test_machine_metadata_names_the_machine() -> None:
    meta = machine_metadata(docker=False)
    assert meta["cores"] and meta["python"] and meta["date_utc"].endswith("+00:00")
    assert meta["docker_server"] is None and "Tukey" in meta["outlier_rule"]


def test_a_run_in_a_thread_stops_on_the_event_and_keeps_the_samples() -> None:
    """How notebook 06's Stop button works: the benchmark runs in a thread, the button sets
    the event, and every sample taken so far survives."""
    started, stop = threading.Event(), threading.Event()
    results: list[BenchResult] = []

    def benchmark() -> None:
        m = measure_callable(lambda: started.set(), name="spin", warmup=0, repeat=10**9, stop=stop)
        results.append(BenchResult(machine={}, example="x", variants={"spin": m}))

    thread = threading.Thread(target=benchmark, daemon=True)
    thread.start()
    assert started.wait(60)  # only a hang waits this long; a starved leg needs more than 5 s
    stop.set()
    thread.join(timeout=60)
    assert not thread.is_alive() and results
    assert results[0].variants["spin"].stopped and results[0].variants["spin"].stats.n >= 1
