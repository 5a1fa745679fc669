"""``bench startup --json -`` measures hello under containerd with runc and with the real
wasm shim, in the worker, and leaves the kit's containerd namespace as it found it; ``bench
cleanup`` empties this owner's part of that namespace (issue 26).

Skipped with the reason where there is no containerd, no access to it, no shim or no
Docker (the runc image is Docker's FROM scratch build); CI has them all and sets
``KIT_REQUIRE_ALL``, so there they run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from kernel_helpers.bench.variants import CONTAINERD_VARIANTS, PLATFORM_USER
from kernel_helpers.containers.containerd import (
    _label_filter,
    ctr,
    imported_image,
    locked_options,
    unavailable_reason,
)
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.toolchains.prebuilt import wasm_module
from tests.conftest import need

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def containerd_and_shim() -> None:
    reason = unavailable_reason()
    need(reason is None, f"containerd cannot run both runtimes here: {reason}")
    need(docker_status().available, "no Docker daemon to build the FROM scratch image runc runs")


def kit_objects() -> dict[str, list[str]]:
    """This owner's containers and images in the kit's namespace. Owner-scoped, as the kit
    is: other sessions on this machine may run their own containerd tests meanwhile."""
    return {
        kind: sorted(ctr(kind, "ls", "-q", _label_filter()).stdout.split())
        for kind in ("containers", "images")
    }


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "bench", *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_bench_startup_measures_both_containerd_rows_and_leaves_nothing(
    containerd_and_shim: None,
) -> None:
    before = kit_objects()
    variants = ",".join([*CONTAINERD_VARIANTS, "wasm-instantiate"])
    done = _bench(
        "startup", "--variants", variants, "--repeat", "5", "--warmup", "1", "--json", "-"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["skipped"] == {}, result["skipped"]
    for name in CONTAINERD_VARIANTS:
        row = result["variants"][name]
        assert row["source"] == "measured" and row["n"] == 5, (name, row)
        assert row["command"][-3:] == ["tasks", "start", "CONTAINER"]
        assert "from creating the task to its exit" in row["note"]
    ratio = result["ratio_intervals"][PLATFORM_USER.key]
    assert ratio["low"] <= ratio["value"] <= ratio["high"] and ratio["spread_known"]
    assert result["recorded"] is None
    assert kit_objects() == before
    print(
        f"\ncontainerd-wasmtime / containerd-runc: {ratio['value']:.2f}x "
        f"({ratio['low']:.2f}x-{ratio['high']:.2f}x)"
    )


def test_bench_cleanup_empties_this_owners_part_of_the_namespace(
    containerd_and_shim: None,
) -> None:
    """A run cut off by a kill leaves an image and a container behind: cleanup takes both."""
    before = kit_objects()
    container = f"kit-left-{uuid.uuid4().hex[:8]}"
    with imported_image(wasm_module("hello", "c").path) as image:
        ctr("containers", "create", *locked_options("wasmtime"), image.name, container)
        left = kit_objects()
        assert container in left["containers"] and image.name in left["images"]
        done = _bench("cleanup")
        assert done.returncode == 0, done.stderr[-2000:]
        removed = json.loads(done.stdout)["containerd"]
        assert removed["containers"] >= 1 and removed["images"] >= 1
    assert kit_objects() == before
