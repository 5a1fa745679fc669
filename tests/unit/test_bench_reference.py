"""The recorded reference dataset: real, dated, and shaped like what the harness writes today."""

from __future__ import annotations

import json
from typing import Any

from kernel_helpers.bench.harness import machine_metadata, measure_callable, measure_command
from kernel_helpers.bench.reference import recorded_result, reference_path
from kernel_helpers.bench.results import BenchResult
from kernel_helpers.bench.variants import CONTAINER_VARIANTS, VARIANTS


def _today() -> dict[str, Any]:
    """A result produced by today's harness (one process and one in-process variant)."""
    result = BenchResult(
        machine=machine_metadata(docker=False),
        example="hello",
        variants={
            "native": measure_command(["true"], name="native", warmup=0, repeat=2),
            "wasm-cached": measure_callable(lambda: None, name="wasm-cached", warmup=0, repeat=2),
        },
        sizes={"hello.wasm": 1},
        skipped={"x": "why"},
    )
    return json.loads(json.dumps(result.to_json()))


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return "list"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return type(value).__name__


def test_recorded_dataset_has_the_schema_the_harness_writes_today() -> None:
    recorded = json.loads(reference_path("startup", "hello").read_text())
    today = _today()
    assert set(recorded) == set(today)
    # run_startup adds the load at the end of the run to the harness's machine metadata.
    assert set(recorded["machine"]) - {"load_average_end"} == set(today["machine"])
    variant_today = _shape(today["variants"]["native"])
    for name, variant in recorded["variants"].items():
        shape = _shape(variant)
        # command is a list for processes and null in process; note may be null or text
        for key in ("command", "note"):
            shape.pop(key), variant_today.pop(key, None)
        assert shape == variant_today, name
        assert variant["n"] == len(variant["samples_s"])
    assert all(isinstance(v, int) for v in recorded["sizes"].values())


def test_recorded_dataset_was_measured_with_docker_and_says_where_and_when() -> None:
    recorded = json.loads(reference_path("startup", "hello").read_text())
    assert set(CONTAINER_VARIANTS) <= set(recorded["variants"])
    assert recorded["machine"]["docker_server"] and recorded["machine"]["date_utc"]
    assert all(v["source"] == "measured" for v in recorded["variants"].values())
    kinds = {v.name: v.timed_as for v in VARIANTS}
    for name, variant in recorded["variants"].items():
        assert variant["kind"] == kinds[name]
        assert (variant["command"] is not None) == (variant["kind"] == "process")


def test_loader_marks_everything_recorded() -> None:
    result = recorded_result("startup", "hello")
    assert {m.source for m in result.variants.values()} == {"recorded"}
    assert result.recorded is not None and result.recorded["date"]
    assert result.ratio("docker-scratch", "wasm-cached") > 1


def test_recorded_data_stands_in_only_for_what_is_absent() -> None:
    """A container variant that failed while Docker was here stays a failure; recorded
    data fills in only where the component is missing (Binder, KIT_DOCKER=off)."""
    from kernel_helpers.bench.startup import _fill_from_recorded

    def skipped_result() -> BenchResult:
        return BenchResult(
            machine=machine_metadata(),
            example="hello",
            skipped={"docker-scratch": "image build failed: no space left on device"},
        )

    failed_here = skipped_result()
    _fill_from_recorded(failed_here, "hello", absent=set())
    assert "docker-scratch" not in failed_here.variants
    assert "image build failed" in failed_here.skipped["docker-scratch"]
    assert failed_here.recorded is None

    no_docker = skipped_result()
    _fill_from_recorded(no_docker, "hello", absent={"docker-scratch"})
    assert no_docker.variants["docker-scratch"].source == "recorded"
    assert no_docker.recorded is not None and no_docker.recorded["date"]


def test_recorded_file_reads_back_exactly_as_written() -> None:
    """The one results model reads the JSON on disk figure for figure: what a learner sees
    of recorded data is what was recorded, whatever the quartile code does today."""
    recorded = json.loads(reference_path("startup", "hello").read_text())
    back = BenchResult.from_json(recorded).to_json()
    assert back["variants"] == recorded["variants"]
    assert back["sizes"] == recorded["sizes"] and back["machine"] == recorded["machine"]


def test_a_summary_with_only_medians_reads_as_a_result() -> None:
    """An export or a hand-written summary may carry only medians: no spread, no samples."""
    result = BenchResult.from_json(
        {"variants": {"native": {"median_s": 0.002}, "wasm-cached": {"median_s": 0.001}}}
    )
    native = result.variants["native"]
    assert (native.stats.q1_s, native.stats.q3_s, native.stats.n) == (0.002, 0.002, 0)
    assert native.source == "measured" and not native.recorded and native.samples_s == []
    assert result.ratio("native", "wasm-cached") == 2.0
