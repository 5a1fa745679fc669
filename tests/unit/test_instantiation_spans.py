"""Notebook 11 section 5 beside notebook 06: each figure says what it times (walk 8, S16)."""

from __future__ import annotations

from typing import Any

from kernel_helpers.bench.results import BenchResult, Measurement
from kernel_helpers.course.nb11 import instantiation_spans
from tests.unit.harness_json_results import FAST_CONTAINERS, startup_result


def spread(median_s: float) -> list[float]:
    return [median_s * f for f in (0.97, 0.99, 1.0, 1.01, 1.03)]


def here(module_s: float, component_s: float) -> tuple[Measurement, Measurement]:
    return (
        Measurement.from_samples("core module", "in-process", spread(module_s)),
        Measurement.from_samples("component", "in-process", spread(component_s)),
    )


def saved(module_s: float, component_s: float) -> dict[str, Any]:
    medians = {
        **FAST_CONTAINERS,
        "wasm-instantiate": module_s,
        "component-instantiate": component_s,
    }
    return {"startup": startup_result(medians)}


def test_the_order_turning_between_the_spans_is_said_with_both_figures() -> None:
    # The walk's numbers: 61 µs and 91 µs here, 514 µs and 370 µs in notebook 06.
    text = instantiation_spans(*here(61e-6, 91e-6), "wordcount", saved(514e-6, 370e-6)).text()
    assert "instantiation of wordcount" in text and "never runs" in text
    assert "61 µs" in text and "91 µs" in text and "514 µs" in text and "370 µs" in text
    assert "run to its end" in text and "pre-instantiated" in text
    assert "The order turns: instantiation alone puts the component behind" in text
    assert "puts the module behind" in text


def test_the_same_order_on_both_spans_is_not_called_a_turn() -> None:
    text = instantiation_spans(*here(61e-6, 91e-6), "wordcount", saved(370e-6, 514e-6)).text()
    assert "Both spans put the component behind" in text
    assert "turns" not in text


def test_without_notebook_06_the_cell_says_how_to_get_its_rows() -> None:
    text = instantiation_spans(*here(61e-6, 91e-6), "wordcount", {}).text()
    assert "91 µs" in text
    assert "Notebook 06 has no saved run" in text


def test_a_far_sample_in_06s_five_starts_is_named_beside_its_ratio() -> None:
    """Walk 10, S7: notebook 06's five component starts held one 20 ms sample among 2 ms
    ones, and the ratio read "0.026×-1.5×" with no word on why. The far sample is named,
    with the ratio without it, in the words notebook 08 uses; clean samples say nothing."""
    startup = BenchResult.from_json(saved(2e-3, 2.1e-3)["startup"])
    startup.variants["component-instantiate"] = Measurement.from_samples(
        "component-instantiate", "in-process", [2.0e-3, 2.1e-3, 20e-3, 2.2e-3, 1.9e-3]
    )
    rows = {"startup": startup.to_json()}
    text = instantiation_spans(*here(61e-6, 91e-6), "wordcount", rows).text()
    assert "(one sample stretched this interval: 20 ms for " in text, text
    assert "(9.5× its median, 2.1 ms), a stall" in text
    assert "Without it: " in text
    clean = instantiation_spans(*here(61e-6, 91e-6), "wordcount", saved(2e-3, 2.1e-3)).text()
    assert "stretched" not in clean
