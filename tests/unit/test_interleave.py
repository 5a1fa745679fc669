"""The two variants of each ratio the course reports take their samples in turn in the
worker (A B B A ...), so drift on the machine lands on both sides of the ratio; every other
variant keeps its place and its run of samples (issue 26 part 4, "measured fairly").

The variants here are cheap call variants run in the real worker: each run appends its
name to a log file, so the log is the order in which the worker ran them."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from kernel_helpers.bench import startup as startup_module
from kernel_helpers.bench.interleave import groups, schedule
from kernel_helpers.bench.results import BenchResult, Measurement
from kernel_helpers.bench.variants import EMBEDDER, PLATFORM_USER, CallSpec, CommandSpec, Job
from kernel_helpers.bench.worker import run_in_worker

ECHO = shutil.which("echo") or "/bin/echo"
ABBA = ["a", "b", "b", "a", "a", "b", "b", "a"]
#: ABBA as the worker runs it: a timed run whose partner ran last is preceded by an untimed
#: run of its own (the doubled letters), as a variant timed alone always follows itself.
WARM_ABBA = ["a", "a", "b", "b", "b", "a", "a", "a", "b", "b", "b", "a", "a"]


def record(log: str, name: str, fails_from: str = "", *, out: str, err: str) -> int:
    """A call variant: note that ``name`` ran; from its ``fails_from``-th run on, fail."""
    runs = Path(log).read_text().split() if Path(log).exists() else []
    with open(log, "a") as file:
        file.write(name + "\n")
    return 1 if fails_from and runs.count(name) >= int(fails_from) else 0


def _job(log: Path, name: str, fails_from: str = "") -> Job:
    return Job(name, CallSpec(f"{__name__}:record", (str(log), name, fails_from)))


def test_a_pair_alternates_after_both_checks_and_warm_ups_the_others_keep_their_order(
    tmp_path: Path,
) -> None:
    log = tmp_path / "runs"
    seen: list[tuple[str, int]] = []
    outcome = run_in_worker(
        [_job(log, name) for name in ("alone", "a", "b", "last")],
        warmup=1, repeat=4, together=[("a", "b")],
        on_sample=lambda name, index, seconds: seen.append((name, index)),
    )  # fmt: skip
    assert outcome.failed == {}
    runs = log.read_text().split()
    # Each variant: one check, one warm-up, four timed runs. The pair's checks and
    # warm-ups come first; its timed runs alternate, A B B A, so neither is always later,
    # and each follows a run of its own, an untimed one added where the partner ran last.
    assert runs == ["alone"] * 6 + ["a", "b", "a", "b"] + WARM_ABBA + ["last"] * 6
    timed = [name for name, _ in seen]
    assert timed == ["alone"] * 4 + ABBA + ["last"] * 4
    # Every sample taken is reported once, numbered per variant, as the progress bar counts.
    for name in ("alone", "a", "b", "last"):
        assert [i for n, i in seen if n == name] == [0, 1, 2, 3]
        assert len(outcome.samples[name]) == 4


def test_without_a_pair_each_variant_takes_all_its_samples_in_one_run(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    run_in_worker([_job(log, "a"), _job(log, "b")], warmup=0, repeat=3)
    assert log.read_text().split() == ["a"] * 4 + ["b"] * 4


def test_a_variant_that_fails_mid_way_leaves_its_partner_every_turn(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    outcome = run_in_worker(
        [_job(log, "a", fails_from="3"), _job(log, "b")],  # check, warm-up, one sample, then fails
        warmup=1, repeat=4, together=[("a", "b")],
    )  # fmt: skip
    assert "a: exited with status 1" in outcome.failed["a"]
    assert len(outcome.samples["b"]) == 4 and "a" not in outcome.samples
    # a: its check, warm-up, the untimed run before its first sample, then that sample fails.
    assert log.read_text().split() == ["a", "b", "a", "b", "a", "a", "b", "b", "b", "b", "b"]


def test_a_failed_check_leaves_the_partner_measured_alone(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    wrong = Job("a", CommandSpec((ECHO, "bye")), "hi")
    outcome = run_in_worker([wrong, _job(log, "b")], warmup=0, repeat=3, together=[("a", "b")])
    assert "printed 'bye', expected 'hi'" in outcome.failed["a"]
    assert len(outcome.samples["b"]) == 3


def test_a_stop_ends_both_and_keeps_every_sample_reported(tmp_path: Path) -> None:
    stop = threading.Event()
    seen: list[str] = []

    def stop_on_the_third(name: str, index: int, seconds: float) -> None:
        seen.append(name)
        if len(seen) == 3:
            stop.set()

    outcome = run_in_worker(
        [_job(tmp_path / "runs", "a"), _job(tmp_path / "runs", "b")],
        warmup=0, repeat=500, together=[("a", "b")], on_sample=stop_on_the_third, stop=stop,
    )  # fmt: skip
    assert outcome.stopped == {"a", "b"}
    assert seen[:3] == ["a", "b", "b"]
    assert sorted(seen) == sorted(n for n, s in outcome.samples.items() for _ in s)


def test_groups_keep_the_plan_order_and_pair_only_what_is_there() -> None:
    names = ["native", "a", "x", "b", "c"]
    assert groups(names, [("a", "b")]) == [(0,), (1, 3), (2,), (4,)]
    assert groups(names, [("b", "a")]) == [(0,), (1, 3), (2,), (4,)]  # at the first one's place
    assert groups(names, [("a", "missing")]) == [(i,) for i in range(5)]
    assert groups(names, [("a", "b"), ("b", "c")]) == [(0,), (1, 3), (2,), (4,)]  # once only
    assert list(schedule(2, 5)) == [0, 1, 1, 0, 0, 1, 1, 0, 0, 1]


def _cheap(name: str) -> startup_module._Runnable:
    return startup_module._Runnable(name, CommandSpec((ECHO, "hi")))


def test_the_course_s_two_ratios_are_interleaved_by_run_startup_s_measuring() -> None:
    """The pairs come from the course's questions, and _measure_all (what run_startup
    calls) hands them to the worker: cheap echo commands stand in for the real variants."""
    assert (
        (EMBEDDER.slow, EMBEDDER.fast),
        (PLATFORM_USER.slow, PLATFORM_USER.fast),
    ) == startup_module.COMPARED
    seen: list[str] = []
    runnables = [
        _cheap(n) for n in ("native", "containerd-runc", "containerd-wasmtime", "wasm-compile")
    ]
    result = BenchResult(machine={}, example="hello")
    startup_module._measure_all(
        runnables, result, 4, 0, lambda name, *_: seen.append(name), None, False, "hi",
        startup_module.COMPARED,
    )  # fmt: skip
    runc, shim = "containerd-runc", "containerd-wasmtime"
    assert seen == ["native"] * 4 + [runc, shim, shim, runc] * 2 + ["wasm-compile"] * 4


def test_the_extra_rounds_of_the_headline_pair_are_interleaved_too() -> None:
    pair = [_cheap("docker-scratch"), _cheap("wasm-instantiate")]
    result = BenchResult(machine={}, example="hello")
    for runnable in pair:
        result.variants[runnable.name] = Measurement.from_samples(
            runnable.name, "process", [0.1, 0.2]
        )
    seen: list[str] = []
    rounds = startup_module._Rounds(pair, 2, lambda name, *_: seen.append(name), None, "hi")
    startup_module._one_more_round(result, pair, rounds)
    assert seen == ["docker-scratch", "wasm-instantiate", "wasm-instantiate", "docker-scratch"]
    assert result.variants["docker-scratch"].stats.n == 4


def test_a_side_that_fails_in_an_extra_round_ends_the_rounds_and_is_named() -> None:
    """Walk 8, S5: once the pull variant had untagged docker-scratch's image, every extra
    round's docker-scratch run failed, the failure was dropped, and the rounds went on
    until the budget ran out with wasm alone gaining samples. A side failing now ends the
    rounds after that one, and the note says so and gives the samples of each side."""
    false = shutil.which("false") or "/bin/false"
    pair = [
        startup_module._Runnable("docker-scratch", CommandSpec((false,))),
        _cheap("wasm-instantiate"),
    ]
    result = BenchResult(machine={}, example="hello")
    for name, samples in (("docker-scratch", [0.1, 0.3, 0.9]), ("wasm-instantiate", [1e-4, 5e-4])):
        result.variants[name] = Measurement.from_samples(name, "process", samples)
    rounds = startup_module._Rounds(pair, 2, None, None, "hi")
    deadline = time.monotonic() + 20  # what the old code spent, round after wasm-only round
    startup_module._until_precise(result, rounds, precision=1e-9, deadline=deadline)
    note = result.notes["precision"]
    assert "docker-scratch failed in an extra round" in note, note
    assert "the time budget ran out" not in note, note
    assert result.variants["wasm-instantiate"].stats.n == 4  # the one round, not a budget's worth
    assert note.endswith("samples: docker-scratch 3, wasm-instantiate 4"), note


def test_the_pair_tightened_is_chosen_once_and_keeps_every_extra_round() -> None:
    """06's rerun after the fix: "samples: docker-scratch 35, wasm-instantiate 25". The
    pair was chosen again after each round, and the fastest wasm row flipped between two
    close ones, so each got part of the wasm side's rounds. Here an echo (a process, far
    slower than either) is every extra sample: after one round wasm-cached is no longer
    the fastest, yet its pair keeps the rounds."""
    runnables = [_cheap(n) for n in ("docker-scratch", "wasm-cached", "wasm-instantiate")]
    result = BenchResult(machine={}, example="hello")
    for name, seconds in (
        ("docker-scratch", 0.5),
        ("wasm-cached", 1e-5),
        ("wasm-instantiate", 2e-5),
    ):
        spread = [seconds * f for f in (0.5, 1.0, 2.5)]  # wide: the target is never reached
        result.variants[name] = Measurement.from_samples(name, "process", spread)
    rounds = startup_module._Rounds(runnables, 3, None, None, "hi")
    # Two extra rounds at least: a starved leg (nice 19, load above 10) fitted one in 3 s.
    deadline = time.monotonic() + 8
    startup_module._until_precise(result, rounds, precision=1e-9, deadline=deadline)
    counts = {name: m.stats.n for name, m in result.variants.items()}
    assert counts["wasm-instantiate"] == 3, counts  # never part of the pair
    assert counts["docker-scratch"] == counts["wasm-cached"] > 6, counts  # two rounds or more
    note = result.notes["precision"]
    assert note.startswith("docker-scratch/wasm-cached known within"), note


def test_every_timed_run_follows_a_run_of_its_own_variant(tmp_path: Path) -> None:
    """Walk 10, S5: ``wasm-instantiate`` timed right after each ``docker run`` it alternated
    with took about 400 µs, about 130 µs right after itself, and its median, in the slow
    cluster, put it behind ``wasm-cached``, which is timed alone and so always follows
    itself. Every variant now pays the same: each timed run follows a run of its own."""
    log = tmp_path / "runs"
    samples: list[str] = []
    run_in_worker(
        [_job(log, "a"), _job(log, "b")], warmup=0, repeat=3, together=[("a", "b")],
        on_sample=lambda name, index, seconds: samples.append(name),
    )  # fmt: skip
    assert samples == ABBA[:6]
    # After the two checks: every sample follows a run of its own; where the partner ran
    # last (b's check, then each change of turn) one untimed run comes first.
    assert log.read_text().split()[2:] == ["a", "a", "b", "b", "b", "a", "a", "a", "b", "b"]
