"""Notebook 08's browser comparison without a browser: the kernel's own rows are there,
the browser rows say they come from the page, and no number is filled in for them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

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


def page_report(page: Any) -> None:
    """What the page's message sets on the kernel's side of the widget when it is done (the
    browser suite runs the real page); it arrives between cells, after Run All's cells."""
    page.browser, page.browser_attached = "Chromium (as reported)", True
    page.results = [
        {"label": case.label, "example": case.example, "wasm_stdout": "42\n",
         "js_stdout": "42\n", "wasm_samples_s": [0.010, 0.011, 0.012],
         "js_samples_s": [0.020, 0.021, 0.022]}
        for case in browser_cases()
    ]  # fmt: skip
    page.status = "done"


def test_under_run_all_the_table_and_figure_fill_themselves_in_and_are_saved_again(
    compute: BenchResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run All runs the table's cell before the page reports (S27 of the seventh walk: every
    # Run All showed "no page has reported yet" until the learner ran the cells again).
    from kernel_helpers.course import nb08
    from kernel_helpers.report.exports import load_results, save_result

    monkeypatch.setattr(nb08, "save_result", functools.partial(save_result, folder=tmp_path))
    page = kh.compute_in_browser(repeat=3, warmup=0)
    beside = kh.beside_javascript(compute, page, save_as="compute-browser")
    table = beside._repr_mimebundle_()
    figure = beside.figure()._repr_mimebundle_()
    assert "fill themselves in" in table["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in table and "image/png" in figure
    assert load_results(tmp_path)["compute-browser"]["skipped"]["browser-js fib(35)"] == NO_PAGE

    page_report(page)

    assert "browser-js fib(35)" in beside.result.variants
    shown = beside._shown[0]._box.outputs[0]["text"]
    assert "JavaScript / wasm, same page" in shown and "fill themselves in" not in shown
    assert beside._shown[1]._box.outputs[0]["data"]["image/png"] != figure["image/png"]
    saved = load_results(tmp_path)["compute-browser"]
    assert "browser-js fib(35)" in saved["variants"] and not saved["skipped"]


def test_a_page_done_before_the_cell_runs_is_read_at_once(compute: BenchResult) -> None:
    page = kh.compute_in_browser(repeat=3, warmup=0)
    page_report(page)
    beside = kh.beside_javascript(compute, page)
    assert "browser-wasm sha256 8 MiB" in beside.result.variants
    assert "fill themselves in" not in beside.text()


def _with_sha256_js_samples(compute: BenchResult, js_samples: list[float]) -> str:
    """The table beside JavaScript for a page whose sha256 1 MiB JavaScript samples are
    ``js_samples``; every other side steady."""
    page = kh.compute_in_browser(repeat=5, warmup=0)
    page_report(page)
    page.results = [
        {**row, "wasm_samples_s": [0.018, 0.019, 0.018, 0.020, 0.019],
         "js_samples_s": js_samples if row["label"] == "sha256 1 MiB" else [0.04] * 5}
        for row in page.results
    ]  # fmt: skip
    return kh.beside_javascript(compute, page).text()


def test_a_stalled_sample_is_named_beside_the_interval_it_stretches(compute: BenchResult) -> None:
    """Walk 8, S11: JavaScript's samples 35, 501, 42, 37 and 36 ms gave "about 2× (2×-29×)"
    with nothing said about the 501 ms stall. The table names it and gives the ratio
    without it; a ratio no stall touches says nothing more."""
    text = _with_sha256_js_samples(compute, [0.035, 0.501, 0.042, 0.037, 0.036])
    sha_block = " ".join(text.split("sha256 1 MiB\n")[1].split("\n\n")[0].split())
    assert "one sample stretched this interval: 501 ms for JavaScript in the browser" in sha_block
    assert "(13.5× its median, 37 ms), a stall of the page or the machine" in sha_block
    assert "Without it: about 1.9×" in sha_block
    # Walk 16, S4: the note is wrapped at words, as every note under a table is.
    assert max(len(line) for line in text.splitlines() if "stretched" in line) <= 92
    fib_block = text.split("fib(35)\n")[1].split("\n\n")[0]
    assert "stretched" not in fib_block


def test_a_sample_far_below_the_rest_in_the_page_is_not_called_a_stall(
    compute: BenchResult,
) -> None:
    """Walk 20, S1: a sample a tenth of its median was called "a stall"; a stall only adds
    time, so below its median the other samples were held up, by the page or the machine."""
    from kernel_helpers.bench.compute import PAGE_HELD_UP

    text = _with_sha256_js_samples(compute, [0.36, 0.035, 0.42, 0.37, 0.38])
    sha_block = " ".join(text.split("sha256 1 MiB\n")[1].split("\n\n")[0].split())
    assert "35 ms for JavaScript in the browser (1/10.6 of its median, 370 ms)" in sha_block
    assert f"far below the rest: {PAGE_HELD_UP}. Without it:" in sha_block
    assert "stall" not in sha_block


def test_a_table_shown_again_bootstraps_its_ratios_once(
    compute: BenchResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table is shown as text and as HTML, and again at each redraw: its ratios (a
    bootstrap each) come from the same result every time, so they are computed once."""
    from kernel_helpers.course import nb08

    page = kh.compute_in_browser(repeat=3, warmup=0)
    page_report(page)
    calls = []

    def counted(result: BenchResult, case: str) -> Any:
        calls.append(case)
        return browser_ratios(result, case)

    monkeypatch.setattr(nb08, "browser_ratios", counted)
    table = nb08.BesideJavaScript(kh.beside_javascript(compute, page).result, page.summary())
    first = table.text()
    assert table.text() == first and str(table) == first
    assert sorted(calls) == sorted(case.label for case in browser_cases())


def test_a_stall_outside_the_page_is_not_blamed_on_the_page(compute: BenchResult) -> None:
    """Walk 16, S4: a native binary's stall, in "wasmtime / native", was called "a stall of
    the page or the machine"; no page ran either side."""
    from dataclasses import replace

    from kernel_helpers.bench.compute import browser_ratio_outliers, browser_ratios

    case = "sha256 1 MiB"
    result = kh.beside_javascript(compute, kh.compute_in_browser(repeat=2, warmup=0)).result
    native, wasm = result.variants[f"native {case}"], result.variants[f"wasmtime {case}"]
    stalled = [0.011] * 3 + [0.44] * 2  # two of five samples 40 times their median
    variants = {
        **result.variants,
        f"native {case}": replace(native, samples_s=stalled),
        f"wasmtime {case}": replace(wasm, samples_s=[0.012] * 5),
    }
    result = replace(result, variants=variants)
    notes = browser_ratio_outliers(result, case, browser_ratios(result, case))
    said = next(far.note for question, far in notes.items() if question.startswith("wasmtime"))
    assert "a stall of the machine" in said and "page" not in said


def test_a_verdict_that_one_far_sample_alone_makes_says_so_on_its_line() -> None:
    """Walk 23, S2: "JavaScript / wasm ...: 2.16× (95% interval 0.52×-2.35×: no measurable
    difference)" beside quartiles 8-8.2 ms and 3.5-4 ms; only the note below said that one
    15.2 ms stall of the page did it. The line itself now says so."""
    from kernel_helpers.bench.results import Measurement
    from kernel_helpers.course.nb08 import BesideJavaScript

    case = "fib(30)"
    samples = {  # milliseconds, as the walk's page measured them
        "native": [2.0, 2.1, 2.0, 2.05, 2.1],
        "wasmtime": [3.6, 3.7, 3.65, 3.6, 3.7],
        "browser-wasm": [3.7, 3.5, 4.0, 3.6, 15.2],  # one stall of the page
        "browser-js": [8.0, 8.0, 8.1, 8.2, 8.0],
    }
    result = BenchResult(machine={}, example="compute", benchmark="compute")
    for side, ms in samples.items():
        name = f"{side} {case}"
        result.variants[name] = Measurement.from_samples(name, "compute", [m / 1000 for m in ms])
    questions = browser_ratios(result, case)
    question = next(q for q in questions if q.startswith("JavaScript"))
    assert not questions[question].measurable  # the case the walk met
    text = BesideJavaScript(result, "").text()
    line = next(line for line in text.splitlines() if question in line)
    assert line.endswith(
        "no measurable difference, only because of one far sample (see the note below))"
    ), line
    assert "Without it: about 2.2× (" in " ".join(text.split())  # the note it points at
    # Browser / wasmtime reaches 1× with or without the stall: its line says nothing more.
    engines = next(line for line in text.splitlines() if line.startswith("  browser / wasmtime"))
    assert engines.endswith(": no measurable difference)"), engines
