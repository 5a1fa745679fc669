"""The benchmark worker times in its own small process, checks each variant's output once
outside the timed loop, streams samples back, and stops when asked (inline WAT guests)."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
import wasmtime

from kernel_helpers._errors import BenchmarkError
from kernel_helpers.bench.variants import CallSpec, CommandSpec, ComponentSpec, Job, WasmSpec
from kernel_helpers.bench.worker import run_in_worker
from tests import wasi_guests

ECHO = shutil.which("echo") or "/bin/echo"


def _module(tmp_path: Path, wat: str, name: str = "guest.wasm") -> str:
    path = tmp_path / name
    path.write_bytes(wasmtime.wat2wasm(wat))
    return str(path)


def _hello(tmp_path: Path) -> str:
    # A guest printing its own name (argv[0]) is enough to check output handling.
    return _module(tmp_path, wasi_guests.print_args(), "hello.wasm")


def test_samples_are_timed_in_another_process_and_streamed(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    outcome = run_in_worker(
        [
            Job("native", CommandSpec((ECHO, "hi")), "hi"),
            Job("wasm-instantiate", WasmSpec(_hello(tmp_path), "instantiate"), "hello.wasm\0"),
        ],
        warmup=1,
        repeat=4,
        on_sample=lambda name, index, seconds: seen.append((name, index, threading.get_ident())),
    )
    assert outcome.failed == {}
    assert outcome.worker_pid is not None and outcome.worker_pid != os.getpid()
    assert [len(outcome.samples[n]) for n in ("native", "wasm-instantiate")] == [4, 4]
    assert all(s > 0 for samples in outcome.samples.values() for s in samples)
    # Streamed sample by sample, to the caller's own thread (the live plot redraws there).
    assert [(n, i) for n, i, _ in seen] == [("native", i) for i in range(4)] + [
        ("wasm-instantiate", i) for i in range(4)
    ]
    assert {ident for *_, ident in seen} == {threading.get_ident()}


def test_each_wasm_mode_runs(tmp_path: Path) -> None:
    module = _hello(tmp_path)
    serialized = tmp_path / "hello.cwasm"
    serialized.write_bytes(wasmtime.Module.from_file(wasmtime.Engine(), module).serialize())
    outcome = run_in_worker(
        [
            Job("wasm-compile", WasmSpec(module, "compile")),
            Job("wasm-cached", WasmSpec(module, "cached", serialized=str(serialized))),
        ],
        warmup=0,
        repeat=2,
    )
    assert outcome.failed == {}
    assert sorted(outcome.samples) == ["wasm-cached", "wasm-compile"]


def test_a_wrong_output_fails_that_variant_only_before_any_timing(tmp_path: Path) -> None:
    samples: list[str] = []
    outcome = run_in_worker(
        [
            Job("wrong", CommandSpec((ECHO, "bye")), "hi"),
            Job("exits-3", WasmSpec(_module(tmp_path, wasi_guests.exit_with(3)), "instantiate")),
            Job("right", CommandSpec((ECHO, "hi")), "hi"),
        ],
        warmup=0,
        repeat=2,
        on_sample=lambda name, *_: samples.append(name),
    )
    assert "printed 'bye', expected 'hi'" in outcome.failed["wrong"]
    assert "status 3" in outcome.failed["exits-3"]
    assert set(samples) == {"right"}
    assert list(outcome.samples) == ["right"]


def test_stop_during_the_first_variant_keeps_what_was_measured(tmp_path: Path) -> None:
    stop = threading.Event()

    def stop_after_two(name: str, index: int, seconds: float) -> None:
        if index == 1:
            stop.set()

    outcome = run_in_worker(
        [
            Job("first", CommandSpec((ECHO, "hi"))),
            Job("second", CommandSpec((ECHO, "hi"))),
        ],
        warmup=0,
        repeat=500,
        on_sample=stop_after_two,
        stop=stop,
    )
    assert outcome.stopped == {"first"}
    assert 2 <= len(outcome.samples["first"]) < 500
    assert outcome.failed == {"second": "stopped"}


def die(*, out: str, err: str) -> int:
    """A "call" variant that takes the whole worker down, as a crash in wasmtime would."""
    os._exit(7)


def test_a_worker_that_dies_says_so_and_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
    with pytest.raises(BenchmarkError, match=r"worker ended without finishing \(status 7\)"):
        run_in_worker([Job("broken", CallSpec(f"{__name__}:die"))], warmup=0, repeat=1)
    # It died inside its output check, whose folder it never removed: this side did.
    assert list(tmp_path.iterdir()) == []


def test_a_component_runs_in_the_worker_with_its_output_checked() -> None:
    from kernel_helpers.toolchains.component.shipped import PREBUILT_COMPONENTS

    hello = PREBUILT_COMPONENTS / "hello-c.component.wasm"
    spec = ComponentSpec(str(hello))
    outcome = run_in_worker(
        [
            Job("component-instantiate", spec, "Hello from WebAssembly and containers!"),
            Job("wrong", spec, "something else"),
        ],
        warmup=1, repeat=3,
    )  # fmt: skip
    assert len(outcome.samples["component-instantiate"]) == 3
    assert "wrong" in outcome.failed and "Hello from WebAssembly" in outcome.failed["wrong"]


def test_a_job_crosses_the_pipe_as_it_was_sent() -> None:
    from kernel_helpers.bench.variants import FirstResponseSpec, OciPullSpec, decode_job, encode_job
    from kernel_helpers.bench.worker import (
        Failed,
        Measured,
        Plan,
        Sample,
        decode_event,
        decode_plan,
        encode_event,
        encode_plan,
    )

    jobs = (
        Job("native", CommandSpec(("/bin/echo", "hi"), image="x", remove_image="y"), "hi"),
        Job("wasm-cached", WasmSpec("m.wasm", "cached", serialized="m.cwasm", dirs=(("/a", "/"),))),
        Job("component-instantiate", ComponentSpec("c.wasm", args=("one",))),
        Job("oci-wasm-pull-run", OciPullSpec("127.0.0.1:5000/kit/hello:1", "/auth.json")),
        Job(
            "served",
            FirstResponseSpec("kernel_helpers.wasm.serve:serve_http_component", ("c.cwasm",)),
            "hi",
        ),
        Job("called", CallSpec("tests.unit.test_bench_worker:die")),
    )
    assert decode_plan(encode_plan(Plan(1, 2, jobs))) == Plan(1, 2, jobs)
    assert [decode_job(encode_job(job)) for job in jobs] == list(jobs)
    for event in (
        Sample("a", 0, 0.5),
        Measured("a", (0.5, 0.25), True),
        Failed("b", "stopped", never_ran=True),
    ):
        assert decode_event(encode_event(event)) == event
    with pytest.raises(ValueError, match="unknown variant kind"):
        decode_job({"name": "x", "kind": "teleport"})
