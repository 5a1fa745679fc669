"""Notebook 10's page: notebook 00's claims each answered, with the pull, density and
browser rows of issue 27 quoted from the data (never typed in prose)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from kernel_helpers._display import format_bytes, format_seconds
from kernel_helpers.bench.compute import NO_PAGE, browser_ratios
from kernel_helpers.bench.density import (
    DensityResult,
    DensityRow,
    format_times_as_many,
    times_as_many_per_gib,
)
from kernel_helpers.bench.density import recorded_density as recorded_density_result
from kernel_helpers.bench.pull import recorded_pull
from kernel_helpers.bench.results import BenchResult, Measurement, as_dict, as_result
from kernel_helpers.bench.slowdowns import slowdowns
from kernel_helpers.course.nb08 import BesideJavaScript
from kernel_helpers.report.exports import load_results, save_result
from kernel_helpers.report.page import (
    CLAIMS,
    OTHER_COMPUTE_RUN,
    course_verdict,
    recorded_density,
    with_recorded_parts,
)
from kernel_helpers.report.verdicts import throughput_verdict
from tests.synthetic_results import all_results

NOTEBOOK_00 = Path(__file__).resolve().parents[2] / "notebooks" / "00-setup-check.ipynb"


def claims_of_notebook_00() -> dict[str, str]:
    """The numbered claims in 00's opening, ``1. **Start-up:** text (notebook 06).``, and
    the title question it names last."""
    nb = json.loads(NOTEBOOK_00.read_text())
    text = "".join(nb["cells"][0]["source"])
    items = re.findall(r"^\d\. \*\*(.+?):\*\* (.+?)(?=^\d\.|^\n|\Z)", text, re.M | re.S)
    claims = {
        topic: re.sub(r"\s*\(notebooks? [^)]*\)\.$", "", " ".join(body.split()))
        for topic, body in items
    }
    question = re.search(r"title question: (.+?\?)", " ".join(text.split()))
    assert question, "00 no longer names the title question"
    claims["Shipping"] = question.group(1)
    return claims


def page_results(which: str = "slow-containers") -> dict[str, Any]:
    results = {topic: as_dict(r) for topic, r in all_results(which).items()}
    with_recorded_parts(results)
    return results


def test_the_page_answers_exactly_the_claims_of_notebook_00() -> None:
    assert claims_of_notebook_00() == CLAIMS
    verdicts = course_verdict({})
    assert [(v.topic, v.claim) for v in verdicts] == list(CLAIMS.items())
    assert all(v.summary for v in verdicts)  # each answered, if only with where to answer it
    assert all(
        "its own way" not in cell
        for v in course_verdict(page_results())
        for row in v.rows
        for cell in row
    )


def test_start_up_quotes_the_local_and_the_shaped_link_figures_apart() -> None:
    pull = recorded_pull()
    debian = pull.rows["docker-debian"]
    startup = course_verdict(page_results())[0]
    said = " ".join(startup.sentences)
    assert f"took {format_seconds(debian.floor_s)} with the link unshaped" in said
    assert f"and {format_seconds(debian.median_s)} over a 50 Mbit/s, 20 ms link" in said
    row = next(r for r in startup.rows if r[0].startswith("cold pull + run, docker-debian"))
    assert row[2].startswith(
        f"{format_seconds(debian.floor_s)} | {format_seconds(debian.median_s)}"
    )
    assert startup.note and "pull figures are recorded on" in startup.note
    assert pull.recorded and pull.recorded["date"] in startup.note


def test_a_saved_pull_is_used_and_not_called_recorded() -> None:
    results = page_results()
    saved = copy.deepcopy(results["pull"])
    saved.pop("recorded")
    saved["variants"]["docker-debian"]["samples_s"] = [1.5, 1.6, 1.7]
    saved["variants"]["docker-debian"]["floor_s"] = 0.9
    results["pull"] = saved
    startup = course_verdict(results)[0]
    said = " ".join(startup.sentences)
    assert "took 900 ms with the link unshaped" in said and "and 1.6 s over" in said
    assert "not several seconds" in said
    assert "pull figures" not in (startup.note or "")


def test_each_pull_figure_names_its_notebook_and_the_two_runs_are_reconciled() -> None:
    # Walk 7, S31: 849 ms (06), "link unshaped 1.4 s" and "3.45 s" over the link (07)
    # stood unlabelled in one verdict. Each row names notebook 07; a sentence sets 06's
    # figure beside 07's unshaped one and says why they differ.
    results = page_results()
    results["pull"]["recorded"] = None
    scratch = results["pull"]["variants"]["docker-scratch"]
    startup = course_verdict(results)[0]
    rows = [r[0] for r in startup.rows if r[0].startswith("cold pull + run")]
    assert rows and all("(notebook 07): link unshaped | over a" in r for r in rows)
    said = " ".join(startup.sentences)
    local = format_seconds(
        all_results("slow-containers")["startup"].variants["docker-pull-run"].median_s
    )
    assert (
        f"two figures from two runs: notebook 06's {local}, pulled straight from a registry on "
        f"127.0.0.1, and notebook 07's {format_seconds(scratch['floor_s'])} with the link unshaped"
    ) in said
    assert "07 pulls through a relay into the shaped link's own network namespace" in said


def test_a_pull_over_the_link_no_slower_than_unshaped_is_called_noise() -> None:
    # Walk 7, S20: "oci-wasm-artifact: link unshaped 254 ms | over the link 203 ms".
    results = page_results()
    artifact = results["pull"]["variants"]["oci-wasm-artifact"]
    artifact["samples_s"], artifact["floor_s"] = [0.19, 0.2, 0.203, 0.21, 0.3], 0.254
    startup = course_verdict(results)[0]
    row = next(r for r in startup.rows if r[0].startswith("cold pull + run, oci-wasm-artifact"))
    assert row[2].endswith("; within noise of unshaped")
    said = " ".join(startup.sentences)
    assert "oci-wasm-artifact over the 50 Mbit/s, 20 ms link (203 ms, " in said
    assert "than with the link unshaped (254 ms): the unshaped median lies inside" in said
    debian = next(r for r in startup.rows if r[0].startswith("cold pull + run, docker-debian"))
    assert "within noise" not in debian[2]
    artifact["samples_s"] = [0.19, 0.2, 0.203, 0.21, 0.22]  # all below the unshaped 254 ms
    said = " ".join(course_verdict(results)[0].sentences)
    assert "a link cannot make a pull faster, so the two differ by this run's noise" in said


def test_size_gains_the_density_rows_and_their_ratio() -> None:
    density = recorded_density()
    size = course_verdict(page_results())[1]
    wasm, container = density["variants"]["wasm-instance"], density["variants"]["container"]
    ratio = format_times_as_many(  # from the unrounded sizes, to two digits (walk 24, S2)
        times_as_many_per_gib(wasm["bytes_per_instance"], container["bytes_per_instance"])
    )
    assert f"about {ratio}× as many instances fit in a GiB" in " ".join(size.sentences)
    rows = [r for r in size.rows if r[0].startswith("memory per instance alive")]
    assert len(rows) == len(density["variants"])
    assert (
        f"{format_bytes(container['bytes_per_instance'])} each"
        in dict((r[0], r[2]) for r in rows)["memory per instance alive, container"]
    )
    assert size.note and "memory figures are recorded on" in size.note


def test_recorded_density_rows_say_so_and_measured_ones_do_not() -> None:
    """A recorded figure never reads as measured: each recorded row, and the ratio's
    sentence, carry the mark; a run measured here carries none."""
    recorded = page_results()
    recorded["density"] = recorded_density()
    measured = copy.deepcopy(recorded)
    for row in measured["density"]["variants"].values():
        row.pop("source", None)
    for results, marked in ((recorded, True), (measured, False)):
        size = course_verdict(results)[1]
        rows = [r[2] for r in size.rows if r[0].startswith("memory per instance alive")]
        assert rows and all(("recorded, not measured here" in r) is marked for r in rows)
        assert ("(recorded)" in " ".join(size.sentences)) is marked


def test_the_memory_note_names_the_recorded_rows_only() -> None:
    """Walk 10, S3: four density rows measured here and containerd-wasmtime recorded, and
    the note said "the memory figures are recorded on ..., not measured here"."""
    results = page_results()
    results["density"] = recorded_density()
    rows = results["density"]["variants"]
    for row in rows.values():
        row.pop("source", None)  # measured here ...
    rows["containerd-wasmtime"]["source"] = "recorded"
    size = course_verdict(results)[1]
    assert size.note and "the containerd-wasmtime memory figure is recorded on" in size.note
    assert "the memory figures are" not in size.note
    rows["containerd-wasmtime"].pop("source")  # ... and now every row
    assert "memory figure" not in (course_verdict(results)[1].note or "")


def browser_result(no_page: bool, compute: Any) -> BenchResult:
    """Notebook 08's browser result, saved with ``compute``'s native and wasm timings."""
    compute = as_result(compute)
    result = BenchResult(machine={}, example="fib+sha256", benchmark="compute-browser")
    for case, base in (("fib(35)", 0.5), ("sha256 8 MiB", 0.08)):
        for side, name in (("native", "native"), ("wasmtime", "wasm")):
            result.variants[f"{side} {case}"] = compute.variants[f"{name} {case}"]
        for side, factor in (("browser-wasm", 1.6), ("browser-js", 2.9)):
            if no_page:
                result.skipped[f"{side} {case}"] = NO_PAGE
            else:
                samples = [base * factor * (1 + i / 100) for i in range(6)]
                result.variants[f"{side} {case}"] = Measurement.from_samples(
                    f"{side} {case}", "in-page", samples
                )
                result.notes[f"outputs {case}"] = "same output"
    return result


def test_speed_quotes_the_browser_comparison_or_says_it_comes_from_the_page() -> None:
    results = page_results()
    browser = browser_result(no_page=False, compute=results["compute"])
    results["compute-browser"] = browser.to_json()
    speed = course_verdict(results)[3]
    shown = {r[0]: r[2] for r in speed.rows}
    for case in ("fib(35)", "sha256 8 MiB"):
        for question, ratio in browser_ratios(browser, case).items():
            assert shown[f"{case}: {question}"] == ratio.with_interval()
    portability = course_verdict(results)[2]
    assert (
        "ran fib(30)" not in portability.text()
        and "same output as the JavaScript" in portability.text()
    )

    results["compute-browser"] = browser_result(no_page=True, compute=results["compute"]).to_json()
    speed = course_verdict(results)[3]
    assert not any("JavaScript / wasm" in r[0] for r in speed.rows)
    assert any("the browser rows come from the page" in s for s in speed.sentences)


def test_browser_rows_saved_with_another_compute_run_are_left_out_with_why() -> None:
    # Walk 7, S32: exercise 1 re-runs 08's measuring cell; the speed verdict then read the
    # new run while the browser rows ("no measurable difference (0.61×-1.1×)") came from
    # the first one, and the two contradicted each other.
    results = page_results()
    earlier = page_results("fast-containers")["compute"]  # another run's timings
    results["compute-browser"] = browser_result(no_page=False, compute=earlier).to_json()
    speed = course_verdict(results)[3]
    assert not any("JavaScript / wasm" in r[0] for r in speed.rows)
    assert OTHER_COMPUTE_RUN in speed.sentences
    results["compute-browser"] = browser_result(False, results["compute"]).to_json()
    speed = course_verdict(results)[3]
    assert any("JavaScript / wasm" in r[0] for r in speed.rows)
    assert OTHER_COMPUTE_RUN not in speed.sentences


def test_what_notebook_07_saves_is_what_the_page_quotes_marked_measured(tmp_path: Path) -> None:
    """Walk 3, S27: a pull and a density run saved as 07 saves them are read back by 10 and
    quoted, marked measured; recorded data fills in only what 07 did not measure."""
    pull = recorded_pull()
    pull.recorded = None
    pull.rows = {
        name: replace(row, samples_s=(1.5, 1.6, 1.7), floor_s=0.9, source="measured")
        for name, row in pull.rows.items()
    }
    density = DensityResult(
        {"wasm-instance": DensityRow("wasm-instance", 1000, 12_345, "PSS growth")},
        skipped={"container": "no Docker here"},
    ).with_recorded(recorded_density_result())
    save_result("pull", pull, folder=tmp_path)
    save_result("density", density, folder=tmp_path)

    results = load_results(tmp_path)
    said = with_recorded_parts(results)
    assert said[0].startswith("pull: your run from notebook 07, measured here")
    assert said[1].startswith("density: your run from notebook 07, measured here: wasm-instance;")
    assert "container recorded on" in said[1] and "no run saved" not in " ".join(said)
    startup, size = course_verdict(results)[:2]
    assert "took 900 ms with the link unshaped" in " ".join(startup.sentences)
    assert "pull figures" not in (startup.note or "")
    memory = dict((r[0], r[2]) for r in size.rows)
    assert memory["memory per instance alive, wasm-instance"].startswith("12.3 KB each")
    assert size.note and "the container memory figure is recorded on" in size.note


def test_a_saved_run_with_no_row_falls_back_to_the_recorded_one(tmp_path: Path) -> None:
    save_result("density", DensityResult(skipped={"wasm-instance": "no wasmtime"}), folder=tmp_path)
    results = load_results(tmp_path)
    said = with_recorded_parts(results)
    assert said[1].startswith("density: no run saved (notebook 07), using the one recorded on")
    assert results["density"] == recorded_density()


def test_portability_counts_node_where_notebook_07_ran_the_same_bytes(tmp_path: Path) -> None:
    """Walk 3, S28: 07 ran the module under Node and printed the matching sha256, and the
    portability verdict still listed wasmtime, the browser and the shim only."""
    from kernel_helpers.wasm.node import HostRun
    from kernel_helpers.wasm.portability import PortabilityReport

    wasmtime = HostRun("wasmtime-py 40.0.0", "ab" * 32, "Hello, wasm!\n", 0, 0.01)
    node = HostRun("Node.js v18.19.0 (node:wasi)", "ab" * 32, "Hello, wasm!\n", 0, 0.05)
    save_result("portability", PortabilityReport("hello.wasm", [wasmtime, node]), folder=tmp_path)
    results = {k: as_dict(v) for k, v in all_results("fast-containers").items()}
    results.update(load_results(tmp_path))
    rows = {row[0]: row[2] for row in course_verdict(results)[2].rows}
    assert rows["the same .wasm in Node.js (node:wasi)"] == (
        "ran hello.wasm (notebook 07), same sha256 and output as wasmtime"
    )
    del results["portability"]  # 07 not run: said, not invented
    rows = {row[0]: row[2] for row in course_verdict(results)[2].rows}
    assert rows["the same .wasm in Node.js (node:wasi)"] == "not run here"


def test_portability_says_the_shim_row_ran_in_process_where_no_shim_ran_it() -> None:
    """Walk 10, S4: with no shim here, "the same .wasm in a container shim | runs | ran to
    exit 0 (artifact, image)", while 09's round trips ran it in process as a shim would."""
    results = page_results("fast-containers")
    trip = {"platform": "wasi/wasm", "how": "in memory (no registry here)", "exit_code": 0}
    results["oci"] = {"artifact": trip, "image": trip}
    startup = as_result(results["startup"])
    startup.variants["containerd-wasmtime"].source = "recorded"  # no shim in 06 either
    startup.recorded = {"machine": {"cpu": "AMD EPYC", "cores": 2}, "date": "2026-12-06"}
    results["startup"] = as_dict(startup)
    shim = "the same .wasm in a container shim (platform wasi/wasm)"
    portability = course_verdict(results)[2]
    said = dict((r[0], r[2]) for r in portability.rows)[shim]
    assert said.startswith("pulled and run in process as a shim would, to exit 0 (artifact, image")
    assert "through a real shim: recorded on AMD EPYC, 2 cores, 2026-12-06" in said, said
    assert "a container shim" not in portability.summary  # no shim ran it: not counted
    assert "a container shim (platform wasi/wasm) (no saved" in " ".join(portability.sentences)

    startup.variants["containerd-wasmtime"].source = "measured"  # 06 ran it through one
    results["startup"] = as_dict(startup)
    portability = course_verdict(results)[2]
    said = dict((r[0], r[2]) for r in portability.rows)[shim]
    assert said.startswith("ran through a real shim (notebook 06's containerd-wasmtime row)")
    del results["startup"]  # nothing says a real shim ran or was recorded
    said = dict((r[0], r[2]) for r in course_verdict(results)[2].rows)[shim]
    assert said.endswith("; through a real shim: not run here")


def test_07s_host_table_says_its_wall_times_are_no_race() -> None:
    # Walk 9, S12: Node's 223 ms beside wasmtime's 22 ms, with no word that Node's figure
    # includes starting a whole process.
    from kernel_helpers.wasm.node import HostRun
    from kernel_helpers.wasm.portability import PortabilityReport

    wasmtime = HostRun("wasmtime-py 40.0.0", "ab" * 32, "Hello, wasm!\n", 0, 0.022)
    node = HostRun("Node.js v18.19.0 (node:wasi)", "ab" * 32, "Hello, wasm!\n", 0, 0.223)
    shown = PortabilityReport("hello.wasm", [wasmtime, node]).html()
    assert "223 ms" in shown and "starting a whole node process" in shown


def test_one_slowdown_prints_alike_in_the_verdict_the_table_and_the_page() -> None:
    # Walk 15, S1: 08's verdict gave fib(35) as "1.29× (95% interval 1.007×-1.43×)", the
    # table beside JavaScript and 10's page as "about 1.3× (1.007×-1.5×)": one ratio of
    # the same samples, two intervals. All three now print it through one function.
    results = page_results()
    compute = as_result(results["compute"])
    native = [0.0262, 0.0255, 0.0271, 0.0260, 0.0258, 0.0301]
    wasm = [0.0335, 0.0290, 0.0371, 0.0262, 0.0338, 0.0349]
    for name, samples in (("native fib(35)", native), ("wasm fib(35)", wasm)):
        kind = compute.variants[name].kind
        compute.variants[name] = Measurement.from_samples(name, kind, samples)
    fib = next(row for row in slowdowns(compute) if row.label == "fib(35)")
    assert fib.measurable
    # "1.29× (95% interval 1.007×-1.43×)" from these samples: the point and spread the
    # verdict's sentences and exercise 1's check quote.
    printed = f"{fib.point_text()} ({fib.spread_text()})"

    verdict_rows = {label: shown for label, _, shown in throughput_verdict(compute).rows}
    assert verdict_rows["fib(35)"] == printed

    browser = browser_result(no_page=False, compute=compute)
    table = BesideJavaScript(browser, "Chromium (as reported)").text()
    assert f"wasmtime / native: wasm's cost outside the browser: {printed}" in table

    results["compute"] = compute.to_json()
    results["compute-browser"] = browser.to_json()
    speed = course_verdict(results)[3]
    page_rows = {label: shown for label, _, shown in speed.rows}
    assert page_rows["fib(35)"] == printed
    assert page_rows["fib(35): wasmtime / native: wasm's cost outside the browser"] == printed
