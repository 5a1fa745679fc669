"""Notebook 08's browser comparison without a browser: the kernel's own rows are there,
the browser rows say they come from the page, and no number is filled in for them."""

from __future__ import annotations

from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers.bench.compute import NO_PAGE, SIDES, browser_cases, browser_ratios
from kernel_helpers.bench.results import BenchResult


@pytest.fixture(scope="module")
def compute() -> BenchResult:
    return kh.run_compute(repeat=2, warmup=0)


def test_headless_the_browser_rows_come_from_the_page_and_are_not_faked(
    compute: BenchResult,
) -> None:
    page = kh.compute_in_browser(repeat=2, warmup=0)
    assert not page.browser_attached and page.timings() == []
    beside = kh.beside_javascript(compute, page)
    for case in browser_cases():
        for side in ("browser-wasm", "browser-js"):
            assert f"{side} {case.label}" not in beside.result.variants
            assert beside.result.skipped[f"{side} {case.label}"] == NO_PAGE
        assert f"wasmtime {case.label}" in beside.result.variants
        questions = browser_ratios(beside.result, case.label)
        assert not any("same page" in q for q in questions)
    text = beside.text()
    assert text.count(NO_PAGE) == 1 and "comes from the page (none has reported)" in text
    figure = kh.beside_javascript_figure(beside.result)
    assert "not measured in this run" in figure.axes[0].get_title()


def test_the_page_gets_the_modules_the_kernel_timed_and_the_same_repetitions() -> None:
    page = kh.compute_in_browser(repeat=7, warmup=3)
    assert (page.repeat, page.warmup) == (7, 3)
    assert page.fib_module == kh.wasm_module("fib", "c").path.read_bytes()
    assert page.sha256_module == kh.wasm_module("sha256", "c").path.read_bytes()
    assert [c["label"] for c in page.cases] == [c.label for c in browser_cases()]
    assert "export function runKernel" in page.kernels_source
    assert "export async function runCompiled" in page.shim_source


def test_every_side_has_a_label() -> None:
    from kernel_helpers.bench.compute import SIDE_LABELS

    assert set(SIDE_LABELS) == set(SIDES)


def test_the_combined_result_is_saved_for_notebook_10(compute: BenchResult, tmp_path: Path) -> None:
    from kernel_helpers.report.exports import load_results, save_result

    beside = kh.beside_javascript(compute, kh.compute_in_browser(repeat=2, warmup=0))
    save_result("compute-browser", beside.result, folder=tmp_path)
    saved = load_results(tmp_path)["compute-browser"]
    assert saved["benchmark"] == "compute-browser"
    assert (
        "wasmtime fib(35)" in saved["variants"]
        and saved["skipped"]["browser-js fib(35)"] == NO_PAGE
    )
