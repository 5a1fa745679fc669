"""The containerd start-up variants without containerd: their spec across the worker
boundary, the untimed steps around each timed task, the same locks for both runtimes,
the two ratios kept apart in the verdicts, and recorded data standing in for both.

The worker's steps run a stand-in ``ctr`` (a shell script logging its arguments): the
real one is exercised by tests/integration/test_containerd_bench.py."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kernel_helpers.bench.results import RECORDED, BenchResult
from kernel_helpers.bench.variants import (
    BY_NAME,
    CONTAINER_VARIANTS,
    CONTAINERD_VARIANTS,
    PLATFORM_USER,
    RECORDABLE_VARIANTS,
    WASM_VARIANTS,
    ContainerdSpec,
    Job,
    decode_job,
    encode_job,
)
from kernel_helpers.bench.worker import Steps, run_in_worker, steps_for
from kernel_helpers.containers import containerd
from tests.synthetic_results import all_results, startup

HELLO = "Hello from WebAssembly and containers!"


def _fake_ctr(tmp_path: Path, *, rm_fails_once: bool = False) -> tuple[str, Path]:
    """A ``ctr`` that logs each call's arguments and prints hello for ``tasks start``."""
    log = tmp_path / "calls"
    script = tmp_path / "ctr"
    flag = tmp_path / "rm-failed"
    fail = (
        f'if [ "$3 $4" = "containers rm" ] && [ ! -e {flag} ]; then touch {flag}; exit 1; fi'
        if rm_fails_once
        else ""
    )
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        f"{fail}\n"
        f'if [ "$3 $4" = "tasks start" ]; then echo "{HELLO}"; fi\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), log


def _spec(ctr: str) -> ContainerdSpec:
    return ContainerdSpec((ctr, "--namespace", "kit"), "kit.local/img:1", ("--read-only",))


def test_a_containerd_job_crosses_the_pipe_as_it_was_sent() -> None:
    job = Job("containerd-wasmtime", _spec("/usr/bin/ctr"), HELLO)
    encoded = encode_job(job)
    assert encoded["kind"] == "containerd" and encoded["ctr"] == (
        "/usr/bin/ctr",
        "--namespace",
        "kit",
    )
    assert decode_job(encoded) == job


def test_the_two_variants_are_neither_docker_nor_wasm_rows() -> None:
    """The headline pair (docker run against the fastest wasm) never picks one of them,
    and recorded data may stand in for both."""
    assert CONTAINERD_VARIANTS == ("containerd-wasmtime", "containerd-runc")
    assert not set(CONTAINERD_VARIANTS) & {*CONTAINER_VARIANTS, *WASM_VARIANTS}
    assert set(CONTAINERD_VARIANTS) <= set(RECORDABLE_VARIANTS)
    assert {BY_NAME[n].timed_as for n in CONTAINERD_VARIANTS} == {"process"}


def test_each_run_makes_a_container_times_its_task_and_removes_it(tmp_path: Path) -> None:
    ctr, log = _fake_ctr(tmp_path)
    outcome = run_in_worker([Job("containerd-runc", _spec(ctr), HELLO)], warmup=1, repeat=3)
    assert outcome.failed == {} and len(outcome.samples["containerd-runc"]) == 3
    calls = log.read_text().splitlines()
    # The check, one warm-up and three timed runs: each one create, start, rm, in order.
    assert len(calls) == 5 * 3
    for create, start, remove in zip(calls[::3], calls[1::3], calls[2::3], strict=True):
        container = create.split()[-1]
        assert create.startswith("--namespace kit containers create --read-only kit.local/img:1")
        assert start.endswith(f"tasks start {container}")
        assert remove.endswith(f"containers rm {container}")
    assert len({c.split()[-1] for c in calls[::3]}) == 5  # a fresh container every run


def test_the_container_is_removed_after_a_run_that_failed(tmp_path: Path) -> None:
    done: list[str] = []

    def fails(out: str, err: str) -> int:
        raise RuntimeError("the task could not start")

    steps = Steps(fails, lambda: done.append("made"), lambda: done.append("removed"))
    with pytest.raises(RuntimeError):
        steps.once("/dev/null", "/dev/null")
    assert done == ["made", "removed"]


def test_a_container_that_will_not_go_has_its_task_killed_first(tmp_path: Path) -> None:
    ctr, log = _fake_ctr(tmp_path, rm_fails_once=True)
    status, _ = steps_for(Job("containerd-runc", _spec(ctr))).once("/dev/null", "/dev/null")
    assert status == 0
    verbs = [" ".join(line.split()[2:4]) for line in log.read_text().splitlines()]
    assert verbs == [
        "containers create", "tasks start", "containers rm",
        "tasks kill", "tasks rm", "containers rm",
    ]  # fmt: skip


def test_both_runtimes_get_the_same_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(containerd, "runtime_binary", lambda runtime: "/usr/local/bin/x")
    runc, wasm = containerd.locked_options("runc"), containerd.locked_options("wasmtime")
    at = runc.index("--runtime") + 1
    assert runc[at] == containerd.RUNC_RUNTIME and wasm[at] == containerd.WASM_RUNTIME
    assert runc[:at] + runc[at + 1 :] == wasm[:at] + wasm[at + 1 :]
    assert "--read-only" in runc and any(
        o.startswith("--label=io.wasm-course.owner=") for o in runc
    )
    assert not {"--net-host", "--cni", "--allow-new-privs", "--privileged"} & set(runc)


def test_the_shims_ratio_is_one_of_the_results_ratios() -> None:
    result = startup("fast-containers")
    assert PLATFORM_USER.key == "containerd-wasmtime/containerd-runc"
    ratio = result.ratio_intervals()[PLATFORM_USER.key]
    assert ratio.low < ratio.value < ratio.high and ratio.measurable
    assert PLATFORM_USER.key in result.to_json()["ratio_intervals"]


@pytest.mark.parametrize(
    ("which", "said"),
    [
        ("fast-containers", "took about 1.2× (1.13×-1.31×) as long as containerd + runc"),
        ("slow-containers", "took about 0.5× (0.46×-0.54×) as long as containerd + runc"),
        ("wasm-slower", "could not be told apart: no measurable difference"),
    ],
)
def test_the_verdict_answers_each_question_with_its_interval(which: str, said: str) -> None:
    from kernel_helpers.report.verdicts import startup_verdict

    verdict = startup_verdict(startup(which))
    rows = {what: measured for what, _, measured in verdict.rows}
    embedder = rows["what an embedder sees: docker-scratch / wasm-instantiate"]
    platform = rows["what a Docker or Kubernetes user sees: containerd-wasmtime / containerd-runc"]
    assert "×-" in embedder and "×-" in platform  # each with its interval
    text = " ".join(verdict.sentences)
    assert said in text
    assert "what an embedder sees, when they start a module inside their own program" in text
    assert "an embedder's sets a whole container lifecycle against a call" in text


def test_recorded_containerd_rows_say_so_everywhere() -> None:
    from kernel_helpers.report.verdicts import decision_guide, startup_verdict

    results = all_results("fast-containers")
    model: BenchResult = results["startup"]
    for name in CONTAINERD_VARIANTS:
        model.variants[name].source = RECORDED
    model.recorded = {"machine": {"cpu": "AMD EPYC", "cores": 2}, "date": "2026-12-06"}
    verdict = startup_verdict(model)
    platform = dict((w, m) for w, _, m in verdict.rows)[
        "what a Docker or Kubernetes user sees: containerd-wasmtime / containerd-runc"
    ]
    assert platform.endswith("2026-12-06, not measured here")
    assert verdict.note and verdict.note.startswith("containerd figures are recorded on")
    both = dict(decision_guide(results))["both"]
    assert "recorded: about 1.2×" in both and "you measured" not in both


def test_06_names_the_recorded_rows_and_which_ratios_they_make_rough() -> None:
    """Walk 10, S2: with Docker live and only the containerd rows recorded, 06 said
    "Ratios with a docker row divide a figure recorded elsewhere by one measured here"."""
    import json

    from kernel_helpers.course.nb06 import recorded_rows_note

    model = startup("fast-containers")
    assert recorded_rows_note(model) is None  # all measured here: nothing to say
    for name in CONTAINERD_VARIANTS:
        model.variants[name].source = RECORDED
    model.recorded = {"machine": {"cpu": "AMD EPYC", "cores": 2}, "date": "2026-12-06"}
    said = recorded_rows_note(model) or ""
    assert said.startswith(
        "Recorded elsewhere, not measured here: containerd-wasmtime, containerd-runc "
        "(recorded on AMD EPYC"
    ), said
    assert "docker row" not in said
    assert "docker-scratch / containerd-runc divides a figure recorded elsewhere by one " in said
    assert "containerd-wasmtime / containerd-runc is recorded on both sides: a ratio of" in said
    assert "docker-scratch / wasm-cached" not in said  # both measured here: not rough
    model.variants["docker-scratch"].source = RECORDED  # now docker rows mix too
    said = recorded_rows_note(model) or ""
    assert "docker-scratch / wasm-cached, " in said and "divide a figure recorded" in said
    notebook = (Path(__file__).resolve().parents[2] / "notebooks").glob("06-*.ipynb")
    source = json.dumps(json.loads(next(notebook).read_text())["cells"])
    assert "kh.recorded_rows_note(result)" in source and "with a docker row" not in source


def test_without_the_containerd_rows_the_verdict_says_why() -> None:
    from kernel_helpers.report.verdicts import startup_verdict

    model = startup("fast-containers")
    for name in CONTAINERD_VARIANTS:
        del model.variants[name]
    model.skipped["containerd-wasmtime"] = "no containerd-shim-wasmtime-v1 is built"
    text = " ".join(startup_verdict(model).sentences)
    assert (
        "this result cannot say: no containerd-wasmtime row (no containerd-shim-wasmtime-v1" in text
    )
    assert "answer different questions" not in text


def test_recorded_data_stands_in_for_both_containerd_rows_together() -> None:
    from kernel_helpers.bench.harness import machine_metadata
    from kernel_helpers.bench.startup import _fill_from_recorded

    result = BenchResult(
        machine=machine_metadata(),
        example="hello",
        skipped={name: "no wasm shim here" for name in CONTAINERD_VARIANTS},
    )
    _fill_from_recorded(result, "hello", absent=set(CONTAINERD_VARIANTS))
    assert {result.variants[n].source for n in CONTAINERD_VARIANTS} == {RECORDED}
    assert result.recorded is not None and result.recorded["date"]
    assert "recorded, not measured here: no wasm shim here" in result.notes["containerd-runc"]


def test_where_containerd_cannot_run_both_are_left_for_recorded_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No shim (or no root, no socket): both skipped with the one reason, both absent, so
    recorded data stands in for the pair and never for one side of it."""
    import contextlib

    from kernel_helpers.bench import startup as startup_module
    from kernel_helpers.toolchains.pairs import Builds

    wasm = tmp_path / "hello.wasm"
    wasm.write_bytes(b"\0asm\1\0\0\0")
    reason = "no containerd-shim-wasmtime-v1 is built, so containerd has no wasm runtime"
    monkeypatch.setattr(containerd, "unavailable_reason", lambda runtimes=(): reason)
    with contextlib.ExitStack() as stack:
        plan = startup_module._Plan(
            Builds("hello", "c", wasm, None, "test"), list(CONTAINERD_VARIANTS), stack
        )
        startup_module._containerd_runnables(plan, lambda: "never built")
    assert plan.runnables == []
    assert plan.skipped == {name: reason for name in CONTAINERD_VARIANTS}
    assert set(CONTAINERD_VARIANTS) <= plan.absent


def test_06_says_before_the_run_that_without_docker_both_rows_are_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """runc's FROM scratch image is Docker's build: with Docker off, the first cell must not
    promise measured containerd rows that the run then takes from recorded data."""
    from kernel_helpers.course.nb06 import containerd_rows

    monkeypatch.setenv("KIT_DOCKER", "off")
    said = containerd_rows()
    assert said.startswith("The two containerd rows will be recorded data")
    assert "KIT_DOCKER=off" in said
