"""Notebook 09's round trip without a registry (Binder, a laptop): checked in memory, still run."""

from __future__ import annotations

import pytest

import kernel_helpers as kh

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("style", ["image", "artifact"])
def test_round_trip_in_memory_validates_and_runs(style: str) -> None:
    module = kh.lesson_module("hello", "c")
    trip = kh.oci_round_trip(module, style, None)
    assert trip.how.startswith("in memory")
    assert trip.platform == "wasi/wasm"
    assert trip.exit_code == 0 and trip.stdout.strip()
    assert any("digest verified" in check for check in trip.checks)
    assert trip.stdout == kh.run_wasm(module).stdout_text  # the same program, however it travelled
