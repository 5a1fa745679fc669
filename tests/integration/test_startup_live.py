"""The start-up benchmark end to end: every variant on this machine, and the no-Docker path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernel_helpers._system import wasmtime_cli_path
from kernel_helpers.bench.startup import run_startup
from kernel_helpers.bench.variants import CONTAINER_VARIANTS, VARIANTS
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.containers.registry import registry_binary
from tests.conftest import REPO, need

pytestmark = pytest.mark.integration


@pytest.mark.docker
def test_every_variant_is_measured_here_in_one_run() -> None:
    need(docker_status().available, "no Docker daemon")
    need(registry_binary() is not None, "docker-registry is not installed")
    need(wasmtime_cli_path() is not None, "no wasmtime CLI")
    result = run_startup("hello", repeat=3, warmup=1, progress=False)
    assert result.skipped == {}
    assert set(result.variants) == {v.name for v in VARIANTS}
    assert {m.source for m in result.variants.values()} == {"measured"}
    assert result.recorded is None
    for variant in VARIANTS:
        measured = result.variants[variant.name]
        assert measured.kind == variant.timed_as and measured.stats.n == 3
        assert (measured.command is not None) == (variant.timed_as == "process")
    assert result.sizes["docker-scratch image (compressed)"] < result.sizes["docker-scratch image"]
    assert "docker-debian" in result.notes
    # Every sample was timed in the worker process, never in this one (the kernel's).
    assert int(result.notes["worker_pid"]) != os.getpid()
    assert "worker process" in result.notes["method"]


@pytest.mark.docker
def test_a_run_leaves_the_kit_images_as_it_found_them_but_the_cached_base() -> None:
    import docker

    need(docker_status().available, "no Docker daemon")
    need(registry_binary() is not None, "docker-registry is not installed")
    client = docker.from_env(version="auto")

    def kit_images() -> set[str]:
        images = client.images.list(filters={"label": "io.wasm-course.kit=1"})
        return {
            str(i.id) for i in images if (i.labels or {}).get("io.wasm-course.purpose") != "base"
        }

    def registry_tags() -> set[str]:
        return {t for i in client.images.list() for t in i.tags if t.startswith("127.0.0.1:")}

    before, tags_before = kit_images(), registry_tags()
    run_startup("hello", repeat=1, warmup=0, variants=list(CONTAINER_VARIANTS), progress=False)
    assert kit_images() == before
    assert registry_tags() <= tags_before  # the pull variant's pushes went with the run
    client.close()


def test_a_variant_that_prints_the_wrong_thing_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The output check runs once, outside the timed loop, against the module's own output.
    from kernel_helpers.bench import startup

    monkeypatch.setattr(startup, "_expected_output", lambda wasm: "something else\n")
    result = run_startup(
        "hello", repeat=2, warmup=0, variants=["native", "wasm-instantiate"], progress=False
    )
    assert result.variants == {}
    for name in ("native", "wasm-instantiate"):
        assert "expected 'something else'" in result.skipped[name]


def test_kit_docker_off_fills_containers_from_recorded_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")
    result = run_startup(
        "hello", repeat=2, warmup=0, variants=["wasm-cached", *CONTAINER_VARIANTS], progress=False
    )
    assert result.variants["wasm-cached"].source == "measured"
    for name in CONTAINER_VARIANTS:
        assert result.variants[name].source == "recorded", name
        assert "recorded, not measured here" in result.notes[name]
    assert result.recorded is not None and result.recorded["machine"]["docker_server"]
    assert result.skipped == {}


def test_cli_writes_the_documented_json(tmp_path: Path) -> None:
    target = tmp_path / "startup.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kernel_helpers",
            "bench",
            "startup",
            "--variants",
            "native,wasm-cached,wasm-instantiate",
            "--repeat",
            "3",
            "--json",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(target.read_text())
    assert {"machine", "example", "variants", "sizes", "skipped", "recorded"} <= set(data)
    native = data["variants"]["native"]
    assert native["n"] == 3 and native["source"] == "measured" and native["command"]
    assert {"median_s", "q1_s", "q3_s", "min_s", "max_s", "outliers", "kind", "samples_s"} <= set(
        native
    )
    assert "wasm-cached/wasm-instantiate" in data["ratios"]
    # --json FILE: the JSON goes to the file, the summary to stderr (stdout stays clean for pipes)
    assert "ratio wasm-cached/wasm-instantiate: " in done.stderr and done.stdout == ""


def test_compute_pairs_native_and_wasm_on_the_same_work() -> None:
    from kernel_helpers.bench.compute import COMPUTE_CASES, run_compute

    result = run_compute(repeat=2, warmup=0)
    need(not result.skipped, f"cases skipped: {result.skipped}")
    assert len(result.variants) == 2 * len(COMPUTE_CASES)
    ratios = result.ratios()
    assert set(ratios) == {f"wasm {label}/native {label}" for _, label, _, _ in COMPUTE_CASES}
    assert all(value > 0 for value in ratios.values())


@pytest.mark.docker
def test_sizes_weigh_modules_binaries_images_and_the_oci_artifact() -> None:
    from kernel_helpers.bench.sizes import run_sizes

    need(docker_status().available, "no Docker daemon")
    result = run_sizes(("hello",), ("c",))
    sizes = result.sizes
    assert sizes["hello.wasm (c, smallest)"] <= sizes["hello.wasm (c)"]
    assert sizes["docker-scratch image"] == sizes["hello native (c, static)"]
    assert sizes["docker-debian image"] > 10 * sizes["docker-scratch image"]
    assert sizes["oci-wasm artifact"] > sizes["hello.wasm (c)"]  # module + config + manifest
    assert result.recorded is None


def test_a_stopped_run_says_so_and_is_not_padded_with_recorded_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from kernel_helpers.bench.startup import STOPPED_REASON

    monkeypatch.setenv("KIT_DOCKER", "off")
    stop = threading.Event()
    stop.set()
    result = run_startup(
        "hello",
        repeat=2,
        variants=["native", "wasm-cached", "docker-scratch"],
        stop=stop,
        progress=False,
    )
    assert result.skipped == {"native": STOPPED_REASON, "wasm-cached": STOPPED_REASON}
    assert list(result.variants) == ["docker-scratch"]  # Docker is off: recorded, and marked
    assert result.variants["docker-scratch"].source == "recorded"


def test_adaptive_runs_stop_at_the_precision_or_the_budget_and_say_which(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")  # recorded containers: only the wasm side can improve
    names = ["wasm-instantiate", "docker-scratch"]
    loose = run_startup("hello", repeat=5, warmup=1, variants=names, progress=False, precision=10.0)
    assert loose.notes["precision"].startswith("docker-scratch/wasm-instantiate known within")
    assert "exact ends " in loose.notes["precision"]  # walk 23, S1: the ends its ± is read from
    assert loose.variants["wasm-instantiate"].stats.n == 5  # already precise enough: no more rounds
    tight = run_startup(
        "hello", repeat=5, warmup=1, variants=names, progress=False, precision=1e-6, budget_s=3
    )
    assert "only (target ±0%)" in tight.notes["precision"]
    assert "the time budget ran out" in tight.notes["precision"]
    assert tight.variants["wasm-instantiate"].stats.n > 5  # it did try more rounds


@pytest.mark.docker
def test_the_extra_rounds_time_both_sides_when_the_pull_variant_ran_before_them() -> None:
    """Walk 8, S5: with docker-pull-run in the plan, the headline pair's extra rounds gave
    wasm-cached 190 samples and docker-scratch none (the pull had untagged its image)."""
    need(docker_status().available, "no Docker daemon")
    need(registry_binary() is not None, "docker-registry is not installed")
    names = ["docker-scratch", "docker-pull-run", "wasm-cached"]
    result = run_startup(
        "hello", repeat=3, warmup=1, variants=names, progress=False, precision=1e-6, budget_s=12
    )
    assert result.skipped == {}
    scratch, wasm = (result.variants[n].stats.n for n in ("docker-scratch", "wasm-cached"))
    assert scratch == wasm > 3, (scratch, wasm)
    assert result.variants["docker-pull-run"].stats.n == 3
    assert result.notes["precision"].endswith(
        f"samples: docker-scratch {scratch}, wasm-cached {wasm}"
    )


def test_the_component_variant_starts_the_same_program_made_a_component() -> None:
    result = run_startup(
        "hello", variants=["wasm-instantiate", "component-instantiate"], repeat=3, warmup=1,
        progress=False,
    )  # fmt: skip
    assert result.skipped == {}, result.skipped
    measured = result.variants["component-instantiate"]
    assert measured.kind == "in-process" and measured.stats.n == 3
    # The component wraps the module: it carries the adapter on top of the module's bytes.
    assert result.sizes["hello.component.wasm"] > result.sizes["hello.wasm"]
