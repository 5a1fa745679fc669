"""The runaway guests under real wasmtime limits: each is stopped by the limit meant for
it, run_guarded never raises, and the slider shows a result before anyone moves it."""

from __future__ import annotations

import kernel_helpers as kh

MIB = 1024 * 1024


def test_endless_loop_is_stopped_by_a_timeout() -> None:
    outcome = kh.run_guarded(kh.ENDLESS_LOOP, timeout=0.2)
    assert outcome.stopped_by == "timeout"
    assert isinstance(outcome.error, kh.TimeoutExceeded)
    assert outcome.result is not None  # the output before the stop is kept


def test_fuel_stops_the_loop_at_the_same_place_every_time() -> None:
    first = kh.run_guarded(kh.ENDLESS_LOOP, fuel=30_000_000)
    second = kh.run_guarded(kh.ENDLESS_LOOP, fuel=30_000_000)
    more = kh.run_guarded(kh.ENDLESS_LOOP, fuel=120_000_000)
    assert first.stopped_by == "fuel" and first.lines == second.lines
    assert more.lines > first.lines


def test_memory_bomb_is_stopped_by_the_memory_limit_near_the_cap() -> None:
    small = kh.run_guarded(kh.MEMORY_BOMB, max_memory=4 * MIB)
    large = kh.run_guarded(kh.MEMORY_BOMB, max_memory=16 * MIB)
    assert small.stopped_by == large.stopped_by == "max_memory"
    assert small.lines == 3 and large.lines == 15  # one line per MiB granted after the first page


def test_deep_trap_names_every_frame_innermost_first() -> None:
    outcome = kh.run_guarded(kh.DEEP_TRAP)
    assert outcome.stopped_by == "trap"
    assert isinstance(outcome.error, kh.Trap)
    assert [f.function for f in outcome.error.frames] == ["divide", "parse", "main", "_start"]
    assert "division by zero" in outcome.message


def test_output_flood_is_capped_and_counted() -> None:
    outcome = kh.run_guarded(kh.OUTPUT_FLOOD, output_limit=4096)
    assert outcome.stopped_by is None
    assert outcome.kept_bytes == 4096
    assert outcome.kept_bytes + outcome.dropped_bytes == 20_000 * 64


def test_a_broken_module_is_an_outcome_not_an_exception() -> None:
    outcome = kh.run_guarded(b"not wasm at all")
    assert outcome.stopped_by == "InvalidModule" and outcome.result is None
    assert "finished" not in outcome.text()
    assert outcome._repr_html_().startswith("<div")


def test_limit_slider_shows_the_default_result_at_once() -> None:
    box = kh.limit_slider(
        kh.ENDLESS_LOOP, "fuel", values=[10_000_000, 20_000_000], default=20_000_000
    )
    slider, output = box.children
    assert slider.value == 20_000_000
    shown = "".join(item.get("text", "") for item in output.outputs)
    assert shown.startswith("fuel = 20,000,000: stopped (fuel)")
    slider.value = 10_000_000
    assert "fuel = 10,000,000" in "".join(item.get("text", "") for item in output.outputs)
