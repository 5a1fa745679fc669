"""The verdicts are computed from numbers: different numbers, different sentences."""

from __future__ import annotations

import re

from kernel_helpers.bench.compute import beside_javascript, browser_ratios
from kernel_helpers.bench.ratio import ratio_of_medians
from kernel_helpers.bench.results import BenchResult, Measurement
from kernel_helpers.report.page import course_verdict
from kernel_helpers.report.verdicts import (
    decision_guide,
    oci_verdict,
    size_verdict,
    startup_verdict,
    throughput_verdict,
)
from kernel_helpers.wasm.browser_compute import BrowserCompute
from tests.unit.harness_json_results import (
    FAST_CONTAINERS,
    SIZES_CLAIM_HOLDS,
    SIZES_SCRATCH,
    SLOW_CONTAINERS,
    compute_result,
    startup_result,
)


def test_fast_containers_are_called_a_fraction_of_a_second() -> None:
    verdict = startup_verdict(startup_result(FAST_CONTAINERS))
    text = verdict.text()
    assert "fraction of a second" in text
    assert verdict.summary.startswith("half right")
    assert "several seconds, as the claim says" not in text


def test_slow_containers_confirm_the_claim() -> None:
    verdict = startup_verdict(startup_result(SLOW_CONTAINERS))
    assert "several seconds, as the claim says" in verdict.text()
    assert verdict.summary.startswith("the claim holds")


def test_different_startup_numbers_give_different_sentences() -> None:
    fast = startup_verdict(startup_result(FAST_CONTAINERS)).sentences
    slow = startup_verdict(startup_result(SLOW_CONTAINERS)).sentences
    assert fast != slow
    # 0.35 s / 40 µs = 8,750, kept to the two digits its interval allows: from the data, not a constant
    assert any("about 8,700× (" in s for s in fast)


def test_a_component_ahead_of_the_fastest_module_is_said_with_its_ratio() -> None:
    # Walk 5, S7: the plot showed the component first, the verdict's "fastest wasm start"
    # skipped it without a word. Same medians within noise: the runs cannot order them.
    close = {**FAST_CONTAINERS, "wasm-instantiate": 0.0005, "component-instantiate": 0.00048}
    said = " ".join(startup_verdict(startup_result(close)).sentences)
    assert "A component (wasm component (WASI 0.2)" in said
    # Walk 8, S16: the span is named, and where instantiation alone is timed.
    assert "started and ran the program in" in said and "instantiation alone" in said
    assert "no measurable difference" in said and "cannot order the two" in said
    apart = {**FAST_CONTAINERS, "wasm-instantiate": 0.0005, "component-instantiate": 0.0001}
    said = " ".join(startup_verdict(startup_result(apart)).sentences)
    assert "the module took about 5× (" in said
    behind = {**FAST_CONTAINERS, "component-instantiate": 0.001}  # slower than 40 µs
    assert "A component" not in " ".join(startup_verdict(startup_result(behind)).sentences)


#: A ratio as :meth:`Ratio.text` prints it in a verdict: "about 130× (94×-160×)".
QUOTED_RATIO = re.compile(r"(?:about|no measurable difference) [^()]*\([^()]*\)")


def test_every_ratio_the_startup_verdict_quotes_is_a_row_of_the_ratio_table() -> None:
    """Walk 20, S2: 06's verdict said "the wasmtime CLI, precompiled .cwasm (a process) took
    4.28 ms: the container still cost about 130× (94×-160×)", a ratio the table above it
    (``ratio_intervals``) never printed. Each ratio the verdict quotes is one of its rows."""
    medians = {
        **FAST_CONTAINERS,
        "wasmtime-cli-aot": 0.004,
        "wasm-instantiate": 0.0005,
        "component-instantiate": 0.0001,
    }
    data = startup_result(medians)
    table = {ratio.text() for ratio in BenchResult.from_json(data).ratio_intervals().values()}
    quoted = QUOTED_RATIO.findall(" ".join(startup_verdict(data).sentences))
    assert len(quoted) >= 3  # the headline, the component aside and the CLI's
    assert set(quoted) <= table, set(quoted) - table
    assert "docker-scratch/wasmtime-cli-aot" in BenchResult.from_json(data).ratio_intervals()


def test_the_local_pull_sentence_follows_its_ratio_not_a_threshold() -> None:
    # Walk 7, S16: "A cold start that first pulls the image took 849 ms: that is where the
    # seconds in the claim come from", while the same run said docker-pull-run /
    # docker-scratch "no measurable difference". The sentence now reads the ratio.
    same = {**FAST_CONTAINERS, "docker-scratch": 0.82, "docker-pull-run": 0.849}
    said = " ".join(startup_verdict(startup_result(same)).sentences)
    assert "where the seconds" not in said
    assert "(docker-pull-run / docker-scratch: no measurable difference (" in said
    assert "the local pull added no time these runs can see" in said
    assert "This notebook's cold start, which first pulls the image from a registry" in said
    slow = " ".join(startup_verdict(startup_result(SLOW_CONTAINERS)).sentences)
    assert "took 9 s against 3.2 s with the image already here" in slow
    assert "(docker-pull-run / docker-scratch: about 2.8× (" in slow
    assert "the pull added to a start that took seconds already" in slow
    seconds = {**FAST_CONTAINERS, "docker-pull-run": 2.5}
    said = " ".join(startup_verdict(startup_result(seconds)).sentences)
    assert "the pull is what made it several seconds" in said


def test_slow_wasm_is_not_called_milliseconds() -> None:
    medians = {
        **FAST_CONTAINERS,
        "wasm-instantiate": 0.5,
        "wasm-cached": 0.6,
        "wasm-compile": 0.9,
        "wasmtime-cli": 0.7,
    }
    verdict = startup_verdict(startup_result(medians))
    assert "more than milliseconds" in verdict.text()
    assert verdict.summary.startswith("the claim does not hold")


def test_recorded_container_data_is_marked() -> None:
    recorded = startup_verdict(startup_result(FAST_CONTAINERS, recorded=("docker-scratch",)))
    measured = startup_verdict(startup_result(FAST_CONTAINERS))
    assert recorded.note and "recorded on ci-box, 2026-11-20" in recorded.note
    assert measured.note is None
    assert "recorded" in recorded._repr_html_()
    assert recorded.rows[1][2].endswith(
        "recorded, not measured here)"
    )  # never "you measured" for it
    assert "recorded" not in measured.rows[1][2]


def test_missing_variants_give_a_kind_not_yet() -> None:
    verdict = startup_verdict(startup_result({"native": 0.001}))
    assert verdict.summary == "not enough measurements yet"


def test_size_verdict_follows_the_sizes() -> None:
    holds = size_verdict(SIZES_CLAIM_HOLDS)
    scratch = size_verdict(SIZES_SCRATCH)
    assert holds.summary == "the claim holds here"
    assert scratch.summary.startswith("half right")
    assert "FROM scratch image" in scratch.text() and "FROM scratch image" not in holds.text()
    assert any("manifest and config add 900 bytes" in s for s in scratch.sentences)


def test_oci_sizes_are_compared_with_the_module_that_was_packaged() -> None:
    # As notebook 07 gets them: the as-built C module is packaged, a stripped one is smaller.
    sizes = {
        "hello.wasm (c)": 36_123,
        "hello.wasm (c, smallest)": 3_254,
        "hello.wasm (go)": 2_470_000,
        "oci-wasm artifact": 36_800,
        "oci-wasm image": 12_400,
        "docker-scratch image": 771_000,
        "docker-debian image": 117_000_000,
    }
    named = size_verdict({"sizes": sizes, "notes": {"oci_packs": "hello.wasm (c)"}}).text()
    guessed = size_verdict(sizes).text()
    for text in (named, guessed):
        assert (
            "hello.wasm (c) (36.1 KB) weighs 36.8 KB: the manifest and config add 677 bytes" in text
        )
        assert "oci-wasm image, hello.wasm (c) (36.1 KB) weighs only 12.4 KB" in text
        assert "add 9,146 bytes" not in text  # 12.4 KB against the stripped module: the old mistake


def test_verdict_tables_read_left_to_right() -> None:
    html = size_verdict(SIZES_SCRATCH)._repr_html_()
    assert '<td style="text-align:left">' in html and "<td>" not in html


def test_size_verdict_marks_recorded_images() -> None:
    verdict = size_verdict(
        SIZES_SCRATCH, recorded=["image docker-debian"], recorded_note="recorded on x, 2026"
    )
    assert verdict.note == "image sizes are recorded on x, 2026, not measured here"
    assert verdict.rows[1][2].endswith("(recorded, not measured here)")


def test_throughput_verdict_compares_with_published_range() -> None:
    assert "closer to native" in throughput_verdict(compute_result(1.2)).summary
    assert "in line with" in throughput_verdict(compute_result(1.5)).summary
    assert (
        "a little slower" in throughput_verdict(compute_result(1.66)).summary
    )  # never "in line" outside the range
    assert "slower than published" in throughput_verdict(compute_result(3.0)).summary
    assert "faster here" in throughput_verdict(compute_result(0.8)).summary


def test_a_slowdown_whose_spread_reaches_one_says_the_runs_cannot_tell() -> None:
    # 08's verdict said "fib ran 1.84× as long" while the table beside JavaScript said "no
    # measurable difference" for the same pair: the sentence now says when its spread reaches 1×.
    close = " ".join(throughput_verdict(compute_result(1.05)).sentences)
    assert "reaches 1×: these runs cannot tell it from native" in close
    clear = " ".join(throughput_verdict(compute_result(1.5)).sentences)
    assert "cannot tell" not in clear and "as long under wasm as natively." in clear


def test_06_says_this_notebooks_cold_start_and_10_names_06() -> None:
    """Walk 10, S6: the verdict inside notebook 06 read "Notebook 06's cold start", a name
    for itself only another notebook would use. Notebook 10, quoting it, names 06."""
    results = {"startup": startup_result(FAST_CONTAINERS)}
    in_06 = " ".join(startup_verdict(results["startup"]).sentences)
    assert "This notebook's cold start, which first pulls" in in_06 and "Notebook 06" not in in_06
    in_10 = " ".join(course_verdict(results)[0].sentences)
    assert "Notebook 06's cold start, which first pulls" in in_10 and "This notebook" not in in_10


def test_course_verdict_and_guide_use_saved_results() -> None:
    results = {
        "startup": startup_result(FAST_CONTAINERS),
        "sizes": {"sizes": SIZES_SCRATCH},
        "compute": compute_result(1.3),
    }
    verdicts = course_verdict(results)
    assert [v.topic for v in verdicts] == ["Start-up", "Size", "Portability", "Speed", "Shipping"]
    assert verdicts[-1].summary.startswith("no result saved yet")
    guide = dict(decision_guide(results))
    assert "40 µs vs 350 ms" in guide["a wasm module"]
    assert "1.30× native" in guide["a container"]
    assert "you measured" not in dict(decision_guide({}))["a wasm module"]


def test_oci_verdict_follows_how_the_module_travelled() -> None:
    trip = {
        "platform": "wasi/wasm",
        "layer_media_type": "application/wasm",
        "layer_bytes": 36000,
        "exit_code": 0,
    }
    registry = oci_verdict(
        {"artifact": {**trip, "how": "registry on 127.0.0.1, pulled with skopeo"}}
    )
    memory = oci_verdict({"artifact": {**trip, "how": "in memory: no registry here"}})
    failed = oci_verdict({"artifact": {**trip, "how": "registry", "exit_code": 1}})
    assert registry.summary.startswith("it rides on it") and registry.note is None
    assert memory.note and "in memory" in memory.note
    assert "Only none of artifact ran" in failed.text()
    assert oci_verdict({}).summary.startswith("no OCI round trip")


def test_course_verdict_page_changes_with_the_learners_numbers() -> None:
    def page(startup: dict[str, float], ratio: float) -> list[str]:
        results = {
            "startup": startup_result(startup),
            "sizes": {"sizes": SIZES_SCRATCH},
            "compute": compute_result(ratio),
        }
        return [s for v in course_verdict(results) for s in (v.summary, *v.sentences)]

    fast, slow = page(FAST_CONTAINERS, 1.3), page(SLOW_CONTAINERS, 2.5)
    assert fast != slow
    assert any("fraction of a second" in s for s in fast) and not any(
        "fraction of a second" in s for s in slow
    )
    assert any("closer to native" in s for s in fast) and any(
        "slower than published" in s for s in slow
    )


def test_a_busy_machine_is_named_in_the_verdict() -> None:
    busy = startup_result(FAST_CONTAINERS)
    busy["machine"].update(cores=2, load_average=[1.2, 1.0, 0.9], load_average_end=[5.5, 3.0, 1.0])
    idle = startup_result(FAST_CONTAINERS)
    idle["machine"].update(cores=2, load_average=[0.3, 0.2, 0.1], load_average_end=[1.1, 0.5, 0.2])
    assert any(
        "busy machine: load average up to 5.5 on 2 cores" in s
        for s in startup_verdict(busy).sentences
    )
    assert not any("busy machine" in s for s in startup_verdict(idle).sentences)


def _compute_with_samples(native: list[float], wasm: list[float]) -> BenchResult:
    """One compute case per program, both sides' samples kept, as run_compute saves them."""
    result = BenchResult(machine={}, example="fib+sha256", benchmark="compute")
    for case in ("fib(35)", "sha256 8 MiB"):
        result.variants[f"native {case}"] = Measurement.from_samples(
            f"native {case}", "process", native
        )
        result.variants[f"wasm {case}"] = Measurement.from_samples(
            f"wasm {case}", "in-process", wasm
        )
    return result


def test_the_speed_verdict_and_the_browser_table_print_one_interval() -> None:
    # Walk 7, S25: the verdict said "0.71× (spread 0.62-0.86×)" (quartiles paired) and the
    # table beside JavaScript "no measurable difference (0.61×-1.1×)" (bootstrap) for the
    # same samples. Both now print the bootstrap interval.
    native = [0.10, 0.14, 0.25, 0.146, 0.102, 0.13, 0.2]
    wasm = [0.09, 0.1, 0.11, 0.095, 0.105, 0.18, 0.12]
    compute = _compute_with_samples(native, wasm)
    interval = ratio_of_medians(wasm, native)
    assert not interval.measurable
    verdict = throughput_verdict(compute)
    row = verdict.rows[0][2]
    # One interval, printed beside the table's two-decimal point to at least its digits
    # (walk 13), and since walk 15 (S1) in the same words as the table beside JavaScript.
    printed = row.split("95% interval ")[1].split(":")[0]
    assert f"{printed}: no measurable difference" in row and "spread" not in row
    ends = [float(end.rstrip("×")) for end in printed.split("-")]
    assert ends[0] <= interval.low and ends[1] >= interval.high  # rounded outward
    for result in (compute, compute.to_json()):  # notebook 10 reads the saved JSON
        assert throughput_verdict(result).rows[0][2] == row
    browser = browser_ratios(beside_javascript(compute, BrowserCompute()), "fib(35)")
    assert browser["wasmtime / native: wasm's cost outside the browser"].with_interval() == row


def test_a_speed_headline_whose_intervals_reach_one_says_it_could_not_tell() -> None:
    # Walk 7, S26: "Speed: wasm was faster here (0.63-0.71×)" from intervals reaching 1×.
    noisy = _compute_with_samples(
        [0.10, 0.14, 0.25, 0.146, 0.102, 0.13, 0.2], [0.09, 0.1, 0.11, 0.095, 0.105, 0.18, 0.12]
    )
    verdict = throughput_verdict(noisy)
    assert verdict.summary.startswith("could not be told apart from native here (")
    assert "faster" not in verdict.summary
    assert not any(s.startswith("Of these programs") for s in verdict.sentences)
    clear = _compute_with_samples(
        [0.10, 0.101, 0.099, 0.1, 0.102], [0.07, 0.071, 0.069, 0.07, 0.072]
    )
    assert throughput_verdict(clear).summary.startswith("wasm was faster here")


def test_closer_than_published_needs_every_interval_below_the_published_range() -> None:
    # Walk 9, S10: "closer to native than published" while fib(35)'s 1.40× had an interval
    # of 1.2×-1.7×, which holds the published 1.45-1.55×.
    from tests.unit.harness_json_results import compute_result

    wide = compute_result(1.40)
    for row in wide["rows"]:
        row["wasm"]["q1_s"], row["wasm"]["q3_s"] = (
            row["wasm"]["median_s"] * f for f in (0.85, 1.2)
        )
    summary = throughput_verdict(wide).summary
    assert "closer" not in summary, summary
    assert "1.40× not told apart from the published 1.45-1.55×" in summary, summary
    assert throughput_verdict(compute_result(1.2)).summary.startswith("closer to native")


def test_a_speed_range_straddling_the_published_one_is_said_per_program() -> None:
    """Walk 20, S3: "not measurably closer to native than published (0.98-1.80× at the
    largest sizes vs 1.45-1.55×)" took three reads: fib at 1.80× was further from native
    than published, sha256 at 0.98× closer but not told from 1. Each is said plainly."""
    result = BenchResult(machine={}, example="fib+sha256", benchmark="compute")
    tight = (0.97, 0.99, 1.0, 1.01, 1.03)
    for case, native_s, wasm_s, wasm_spread in (
        ("fib(35)", 0.031, 0.0558, tight),
        ("sha256 8 MiB", 0.0799, 0.0783, (0.8, 0.9, 1.0, 1.1, 1.25)),
    ):
        result.variants[f"native {case}"] = Measurement.from_samples(
            f"native {case}", "process", [native_s * f for f in tight]
        )
        result.variants[f"wasm {case}"] = Measurement.from_samples(
            f"wasm {case}", "in-process", [wasm_s * f for f in wasm_spread]
        )
    summary = throughput_verdict(result).summary
    assert summary == (
        "fib 1.80× above the published 1.45-1.55×; "
        "sha256 0.98× below it, not told apart from native (largest sizes)"
    ), summary


def test_a_row_without_a_claim_prints_no_empty_claim() -> None:
    """Walk 12: 06's verdict printed "docker-scratch / wasm-instantiate: claim ; measured
    about 1,400×" for the ratios the blog states no claim for."""
    from kernel_helpers.report.verdicts import Verdict

    verdict = Verdict("Start-up", "wasm starts in milliseconds")
    verdict.rows += [("a / b", "", "about 2×"), ("c / d", "under 10×", "about 3×")]
    text = verdict.text()
    assert "  - a / b: measured about 2×" in text and "claim ;" not in text
    assert "  - c / d: claim under 10×; measured about 3×" in text
