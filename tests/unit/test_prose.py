"""Every sentence true (issue 13): the words the course uses are defined once and used the
same way after, and fixed prose never states a number only a measurement can give."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
BLOG_POST = "Will wasm replace Docker and Kubernetes?"


def markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def everything(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_speaks_of_a_seed(path: Path) -> None:
    """ "the seed" was never defined; "the claims we test" is, in 00 and the index."""
    assert not re.search(r"\bseed", everything(path), re.I), path.name


@pytest.mark.parametrize("name", ["index.ipynb", "00-setup-check.ipynb"])
def test_the_claims_we_test_are_named_once_with_their_source(name: str) -> None:
    text = markdown(REPO / "notebooks" / name)
    flat = " ".join(text.split())
    assert BLOG_POST in flat
    assert "the claims we test" in text
    for claim in ("Start-up:", "Size:", "Portability:", "Speed:"):
        assert claim in text, claim
    assert re.search(r"^4\. ", text, re.M) and not re.search(r"^5\. ", text, re.M)


def test_later_notebooks_refer_to_the_claims_by_that_name() -> None:
    for path in NOTEBOOKS:
        if path.name[:2] in ("06", "07"):
            assert "the claims we test" in markdown(path), path.name


def test_verdicts_say_the_claim_we_test() -> None:
    from kernel_helpers.report import verdicts

    assert not [name for name in vars(verdicts) if name.startswith("SEED")]
    verdict = verdicts.Verdict("Start-up", verdicts.CLAIM_STARTUP)
    assert "the claim we test" in verdict.text()
    assert "seed" not in verdict._repr_html_().lower()


def test_read_module_counts_like_the_byte_table() -> None:
    """01 §2: the byte table's "9 bytes follow" and read_module's 11 are both shown, and
    one function is "1 function"."""
    import wasmtime

    from kernel_helpers.wasm.reader import read_module

    wat = '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))'
    info = read_module(bytes(wasmtime.wat2wasm(wat)))
    page = info.html()
    assert "1 function defined here" in page and "1 functions" not in page
    assert "of which contents" in page
    assert "11 bytes at offset 0x1e (2 for id and size, 9 of contents)" in info.text()


def cell_sources(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]


def notebook(prefix: str) -> Path:
    return next((REPO / "notebooks").glob(f"{prefix}-*.ipynb"))


def test_proc_exit_is_explained_from_what_the_import_table_shows() -> None:
    """02 §3: `proc_exit` is only imported when `main` can return non-zero."""
    text = markdown(notebook("02"))
    assert "Look for `proc_exit` in the imports below" in text


def test_memory_slider_reads_in_mib_and_the_text_says_which_line_stays() -> None:
    from kernel_helpers.wasm.guests import limit_label

    assert limit_label("max_memory", 8 * 1024 * 1024) == "8 MiB"
    assert limit_label("fuel", 50_000_000) == "50,000,000"
    text = markdown(notebook("05"))
    assert "The line printed *above* each slider is the\nresult for the starting value" in text


def test_hints_say_only_what_the_notebook_shows() -> None:
    from kernel_helpers.course.nb05 import RACE_HINTS

    assert "prints nothing" not in RACE_HINTS["loop"]  # it prints `tick` 250 times in §1
    # Issue 28, S6: no hint names the ending it asks about.
    assert "finished" not in RACE_HINTS["flood"] and "fuel" not in RACE_HINTS["bomb"]


def test_03_names_the_go_labels_that_are_not_imported_packages() -> None:
    """Walk 3, S9: the Go breakdown's `type_` and `internal_bisect` bars were unexplained."""
    cells = [" ".join(c.split()) for c in cell_sources(notebook("03"))]
    chart = next(i for i, c in enumerate(cells) if "kh.package_breakdown(go.path" in c)
    told = cells[chart + 1]
    for words in ("`internal_bisect` is `internal/bisect`", "`type_` is no package at all"):
        assert words in told, words


def test_03_names_the_rust_labels_that_are_not_crates() -> None:
    """Walk 7, S12: the Rust breakdown's "C / libc" and "trait impls" bars were unexplained,
    and dlmalloc, which the prose named, is not a bar of its own."""
    from kernel_helpers.wasm.reader import package_of

    cells = [" ".join(c.split()) for c in cell_sources(notebook("03"))]
    chart = next(i for i, c in enumerate(cells) if "kh.package_breakdown(rust.path" in c)
    told = cells[chart - 1]
    c_name = package_of("dlmalloc")
    trait = package_of("_ZN41_$LT$char$u20$as$u20$core..fmt..Debug$GT$3fmt17h7b60759481c3311cE")
    for label in (c_name, trait):
        assert f"`{label}` gathers" in told, label
    assert "`dlmalloc` with its" in told and "`hello` is the program's own `main`" in told


def test_exercise_3_of_03_is_not_answered_just_above_it() -> None:
    cells = cell_sources(notebook("03"))
    exercise = next(i for i, c in enumerate(cells) if "kh.check_size_ratio_prediction" in c)
    assert not any("go_size / c_size" in c or "times the C one" in c for c in cells[:exercise])


def test_07_going_further_points_where_shrink_is_taught() -> None:
    text = markdown(notebook("07"))
    assert "`kh.shrink` (notebook 03)" not in text
    assert "Why is Go's module the biggest" not in text


def test_09_diagram_and_text_say_the_same_thing() -> None:
    from kernel_helpers.containers.kubernetes import docker_wasm_diagram

    figure = docker_wasm_diagram()
    words = " ".join(t.get_text() for t in figure.axes[0].texts)
    for part in (
        "registry",
        "containerd",
        "docker run",
        "kubelet",
        "shared by both paths",
        "container path",
        "wasm path",
    ):
        assert part in words, part
    text = markdown(notebook("09"))
    assert "above the dashed line is shared by both paths" in text
    assert "left column is the container path" in text


def test_09_diagram_says_what_this_docker_engine_can_start() -> None:
    """Walk 8, S12: the diagram said docker run "can start either kind of workload" and
    three cells later Docker 20.10 could not; the note beside docker run comes from the
    engine, and the text no longer says every client starts both."""
    from kernel_helpers.containers.kubernetes import docker_wasm_diagram
    from kernel_helpers.containers.shim_tour import judge_docker_engine

    def note(figure: object) -> str:
        return " ".join(t.get_text() for t in figure.axes[0].texts)  # type: ignore[attr-defined]

    old = judge_docker_engine("20.10.24+dfsg1", "", "overlay2")
    assert "Docker 20.10.24 here:\ncontainers only" in note(docker_wasm_diagram(old))
    new = judge_docker_engine("27.3.1", "io.containerd.snapshotter.v1", "overlayfs")
    assert "Docker 27.3.1 here:\nboth kinds" in note(docker_wasm_diagram(new))
    assert "Docker 24+" in note(docker_wasm_diagram())
    text = " ".join(markdown(notebook("09")).split())
    assert "any of them can start either kind" not in text
    assert "`docker run` can start a wasm one only from Docker 24 on" in text
    assert "kh.docker_wasm_diagram(kh.docker_wasm_path())" in "".join(cell_sources(notebook("09")))


def test_hints_do_not_give_the_answer_away() -> None:
    from kernel_helpers.containers.kubernetes import wasm_runtime_class
    from kernel_helpers.course.nb09 import check_pod_runtime_class
    from kernel_helpers.course.nb10 import DECISION_SCENARIOS, check_decisions

    runtime_class = wasm_runtime_class("wasm-class", handler="wasmtime")
    for given in ("wasmtime", "nonsense"):
        result = check_pod_runtime_class({"spec": {"runtimeClassName": given}}, runtime_class)
        assert result.ok is False
        assert "wasm-class" not in result.message + (result.hint or "")
    # The Kubernetes scenario's answer is "both": the hint must name all three choices.
    answer = {s: "module" for s in DECISION_SCENARIOS}
    hint = check_decisions(answer).hint or ""
    assert "(both)" in hint and "(module)" in hint and "(container)" in hint


@pytest.mark.parametrize("prefix", ["06", "07", "08", "09", "10", "11", "12"])
def test_every_notebook_with_exercises_mentions_its_solutions(prefix: str) -> None:
    from kernel_helpers.course.solutions import all_solutions

    text = markdown(notebook(prefix))
    for notebook_, exercise in all_solutions():
        if notebook_ == prefix:
            assert f'kh.solution("{prefix}", {exercise})' in text, exercise


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def headline_numbers_in_table(verdict: object) -> list[str]:
    """The numbers a verdict's headline states that its table (or the claim above the
    table) does not show: the rule is that there are none."""
    from kernel_helpers.report.verdicts import Verdict

    assert isinstance(verdict, Verdict)
    table = " ".join([verdict.claim, *(cell for row in verdict.rows for cell in row)])
    return [n for n in NUMBER.findall(verdict.summary) if n not in table]


@pytest.mark.parametrize("which", ["fast-containers", "slow-containers", "wasm-slower"])
def test_every_headline_number_is_in_the_table_beside_it(which: str) -> None:
    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.page import course_verdict
    from tests.synthetic_results import all_results

    results = {topic: as_dict(r) for topic, r in all_results(which).items()}
    results["oci"] = {
        "artifact": {
            "platform": "wasi/wasm",
            "how": "registry on 127.0.0.1",
            "layer_media_type": "application/wasm",
            "layer_bytes": 36_100,
            "exit_code": 0,
        }
    }
    verdicts = course_verdict(results)
    assert [v.topic for v in verdicts] == ["Start-up", "Size", "Portability", "Speed", "Shipping"]
    for verdict in verdicts:
        assert not headline_numbers_in_table(verdict), (verdict.topic, verdict.summary)


def test_a_page_quotes_one_compute_figure() -> None:
    """10: the compute headline and the decision guide quote the same slowdown (it once
    said 1.43× in one and 'about 1.54×' in the other)."""
    from kernel_helpers.report.verdicts import (
        decision_guide,
        slowdown_span,
        steady_slowdowns,
        throughput_verdict,
    )
    from tests.synthetic_results import all_results

    results = all_results("wasm-slower")
    span = slowdown_span(steady_slowdowns(results["compute"]))
    assert span in throughput_verdict(results["compute"]).summary
    assert f"{span} native" in dict(decision_guide(results))["a container"]


def test_recorded_figures_are_never_you_measured() -> None:
    from kernel_helpers.bench.results import RECORDED
    from kernel_helpers.report.verdicts import decision_guide
    from tests.synthetic_results import all_results

    results = all_results("fast-containers")
    results["startup"].variants["docker-scratch"].source = RECORDED
    reason = dict(decision_guide(results))["a wasm module"]
    assert "you measured" not in reason
    assert "620 µs measured here vs a container 370 ms recorded" in reason


def test_shipping_verdict_weighs_the_layer_and_asks_the_question_09_asks() -> None:
    from kernel_helpers.report.verdicts import CLAIM_SHIPPING, oci_verdict

    trip = {
        "platform": "wasi/wasm",
        "how": "registry",
        "layer_media_type": "application/wasm",
        "layer_bytes": 36_100,
        "exit_code": 0,
    }
    verdict = oci_verdict({"artifact": trip})
    assert "layer of 36.1 KB (manifest and config not counted)" in verdict.rows[0][2]
    assert " ".join(CLAIM_SHIPPING.split()[:4]) in " ".join(markdown(notebook("09")).split())


def test_summary_figure_labels_are_readable_and_10_names_the_figure() -> None:
    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.exports import SUMMARY_FONT_PT, summary_figure, summary_figures
    from tests.synthetic_results import all_results

    results = {t: as_dict(r) for t, r in all_results("fast-containers").items()}
    # The sizes panel in the notebook's figure and on the export's page (its last panel).
    for sizes_panel in (summary_figures(results)[1].axes[0], summary_figure(results).axes[-1]):
        labels = sizes_panel.get_yticklabels()
        fonts = [label.get_fontsize() for label in labels]
        assert len(labels) >= 20 and min(fonts) >= SUMMARY_FONT_PT >= 9
    text = markdown(notebook("10"))
    assert "start-up plot" not in text and "summary figure" in text


def test_summary_figure_panels_leave_no_large_gap() -> None:
    """Issue 28 item 13: the panels of 10's summary stood about two inches apart (a
    gridspec hspace on top of constrained layout); what separates them now is their labels."""
    import itertools

    from kernel_helpers.bench.results import as_dict
    from kernel_helpers.report.exports import summary_figure
    from tests.synthetic_results import all_results

    figure = summary_figure({t: as_dict(r) for t, r in all_results("slow-containers").items()})
    figure.canvas.draw()
    boxes = [ax.get_tightbbox() for ax in figure.axes]
    gaps = [upper.y0 - lower.y1 for upper, lower in itertools.pairwise(boxes)]
    assert gaps and max(gaps) < 0.4 * figure.dpi, gaps


def test_fixed_prose_in_08_does_not_promise_a_pattern_the_run_may_break() -> None:
    text = markdown(notebook("08"))
    assert "memory-heavy code like hashing, worse" not in text
    from kernel_helpers.bench import compute

    assert "~0.5 ms" not in Path(compute.__file__).read_text()


def test_00_explains_the_cold_first_call() -> None:
    assert "first call, not a race" in markdown(notebook("00"))


def test_00_says_either_engine_s_first_run_can_be_the_slow_one() -> None:
    """Walk 7, S2: the prose predicted wasmtime's first run would be the slow one; the
    walker's browser compile was. Neither side is named as the loser, and the browser's
    first compile is named as a cost, in the notebook and in the widget's note."""
    text = " ".join(markdown(notebook("00")).split())
    assert "many times the browser's" not in text
    assert "either side's first numbers can come out inflated" in text
    assert "first `compile` in a page" in text
    shim = REPO / "kernel_helpers" / "wasm" / "static" / "wasi_shim.js"
    assert "Either side's first run can be slow" in shim.read_text()


MEASURED_QUANTITY = re.compile(r"\d[\d,.]*\s?(?:ms|µs|s\b|×|KB|MB|GB|KiB|MiB|seconds)")
#: Quantities fixed prose may state: published figures, thresholds, inputs, time plans.
NOT_MEASURED = {"1.45×", "1.55×", "2 s", "8 MiB"}


@pytest.mark.parametrize("prefix", ["06", "07", "08", "09", "10", "11", "12"])
def test_fixed_markdown_states_no_measured_quantity(prefix: str) -> None:
    """What a run measures is printed by code ("in this run, see the table"), never typed
    into markdown, where the next run would contradict it."""
    found = [
        q for q in MEASURED_QUANTITY.findall(markdown(notebook(prefix))) if q not in NOT_MEASURED
    ]
    assert not found, found


def test_the_lab_opens_without_the_news_prompt(tmp_path: Path) -> None:
    """Item 23: `./kit lab` answers JupyterLab's first-open news prompt (never) in the
    venv's settings overrides, keeping any override already there, and fetches no news."""
    import subprocess
    import sys

    kit = (REPO / "kit").read_text()
    assert "--LabApp.news_url=None" in kit
    function = re.search(r"^lab_settings\(\) \{.*?^\}", kit, re.S | re.M)
    assert function
    settings = tmp_path / "share/jupyter/lab/settings/overrides.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}')
    script = f'VENV="{tmp_path}"; PY="{sys.executable}"\n{function.group()}\nlab_settings\n'
    subprocess.run(["bash", "-c", script], check=True)
    merged = json.loads(settings.read_text())
    assert merged["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert merged["@jupyterlab/apputils-extension:themes"]["theme"] == "JupyterLab Dark"


def test_07s_first_cell_shows_progress() -> None:
    """Item 21: run_sizes (about 20 s on a first run) shows a progress bar by default."""
    import inspect

    from kernel_helpers.bench.sizes import run_sizes

    assert inspect.signature(run_sizes).parameters["progress"].default is True
    assert "tqdm(" in inspect.getsource(run_sizes)


def test_05_states_no_tick_count_the_run_did_not_count() -> None:
    """Issue 28, stumble 11: a learner got 806 ticks where the text said "a few hundred".
    The count is printed from the run, beside the fuel budget's, with what it depends on."""
    text = markdown(notebook("05"))
    assert "a few hundred" not in text
    code = "".join("".join(c["source"]) for c in json.loads(notebook("05").read_text())["cells"])
    assert "{by_time.lines:,} ticks: how many depends on this machine's speed" in code
    assert "{by_fuel.lines:,} ticks, the same on any machine" in code


def test_05_memory_slider_says_why_one_mib_is_missing() -> None:
    """Issue 28, stumble 9: 8 MiB gives "after growing 7 MiB". The text points at exercise 4,
    whose check measures the missing MiB: the bomb's page before its first grow."""
    import kernel_helpers as kh

    assert "one MiB fewer than the cap" in " ".join(markdown(notebook("05")).split())
    assert kh.memory_before_growing() == 65536
    result = kh.check_memory_before_growing(65536)
    assert result.ok is True and "grew 7 times; one byte less, 6" in result.message
    assert kh.check_memory_before_growing(1024 * 1024).ok is False


@pytest.mark.parametrize("prefix", ["00", "01", "07", "11"])
def test_a_browser_box_is_not_said_to_report_no_browser(prefix: str) -> None:
    """Walk 12, S3: the box's text form is saved before any browser answers, so it cannot
    say "no browser attached"; the prose says what that line is instead."""
    text = " ".join(markdown(notebook(prefix)).split())
    assert "no browser is attached" not in text
    assert "in place of" in text or "stands in for the box" in text


def test_11_s_component_table_says_why_go_s_module_differs_from_03_s() -> None:
    """Walk 11, S8: the Go row's module is the kit's own build; the line under the table
    says by how much and why (kh.wrapped_module_note, weighed in tests/integration)."""
    cells = json.loads(notebook("11").read_text(encoding="utf-8"))["cells"]
    table = next(
        c for c in cells if 'for example in ("hello", "wordcount")' in "".join(c["source"])
    )
    source = "".join(table["source"])
    assert "kh.wrapped_module_note(module, made)" in source and "print(note)" in source


def test_05_exercise_4_shows_the_bomb_s_memory_line_where_it_asks() -> None:
    """Walk 12, S5: the slider cannot tell a 64 KiB start from a 1 MiB one, so exercise 4
    prints the bomb's (memory ...) declaration from its own WAT, and every hint points there;
    the prose still gives no byte count."""
    import kernel_helpers as kh

    declared = kh.memory_declaration(kh.MEMORY_BOMB)
    assert declared.startswith("(memory") and declared in kh.MEMORY_BOMB
    cells = json.loads(notebook("05").read_text(encoding="utf-8"))["cells"]
    asks = next(i for i, c in enumerate(cells) if "find the missing MiB" in "".join(c["source"]))
    shows, answers = ("".join(c["source"]) for c in cells[asks + 1 : asks + 3])
    assert "print(kh.memory_declaration(kh.MEMORY_BOMB))" in shows
    assert "kh.check_memory_before_growing(answer)" in answers
    question = " ".join("".join(cells[asks]["source"]).split())
    assert not re.search(r"65,?536|64 KiB|page", question)
    for wrong_answer in (0, 1024 * 1024, 4096):
        hint = kh.check_memory_before_growing(wrong_answer).hint or ""
        assert "(memory ...) line printed above the answer cell" in hint


def test_00_exercise_2_says_docker_was_turned_off_not_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 28, stumble 14: with KIT_DOCKER=off the learner turned Docker off; the check
    says so instead of "no Docker daemon answers"."""
    import kernel_helpers as kh

    monkeypatch.setenv("KIT_DOCKER", "off")
    said = kh.check_claims_without_docker({4}).text()
    assert "KIT_DOCKER=off" in said and "no Docker daemon answers" not in said
    monkeypatch.delenv("KIT_DOCKER")
    absent = kh.check_claims_without_docker({4}, docker_available=False, turned_off=False)
    assert "no Docker daemon answers" in absent.text()


def test_00_explains_wasi_before_the_report_names_wasm32_wasi() -> None:
    """Walk 3, S3: the doctor's rows say "wasm32-wasi" on the first screen, while WASI was
    only a link under "Going further"."""
    cells = cell_sources(notebook("00"))
    report = next(i for i, c in enumerate(cells) if "kh.doctor()" in c)
    told = next(i for i, c in enumerate(cells) if "wasm32-wasi" in c)
    assert told < report
    assert "WebAssembly System Interface" in " ".join(cells[told].split())


def test_00_never_says_06_09_need_docker_where_its_exercise_asks_which() -> None:
    """08 starts no container: the doctor's Docker row and 00's cells no longer say
    "notebooks 06-09" show recorded container data, which also gave exercise 2 away wrong."""
    from kernel_helpers.course.doctor import DoctorReport
    from tests.unit.test_doctor_probes import doctor_data

    data = doctor_data()
    for available in (True, False):
        data["docker"] = {**data["docker"], "available": available}
        assert "06-09" not in DoctorReport(data).text()
    assert "06-09" not in "".join(cell_sources(notebook("00")))


def test_02_explains_why_printf_weighs_more_than_puts() -> None:
    """Issue 28, stumble 15: the learner's printf program weighed several times hello's,
    unexplained. The text names the formatter, and a cell puts both modules' sections
    side by side, from this run's builds."""
    text = " ".join(markdown(notebook("02")).split())
    assert "wasi-libc's whole formatter" in text and "`puts`" in text
    code = "".join("".join(c["source"]) for c in json.loads(notebook("02").read_text())["cells"])
    assert "--name greeter" in code and '("greeter (printf)", greeter)' in code


def test_12_first_request_says_what_it_prints_and_why_it_beats_06s_docker_run() -> None:
    """Issue 28, stumble 5: the text said "The figure..." over a cell that prints lines, and
    a container's first answer came faster than 06's `docker run` with no word on why."""
    text = " ".join(markdown(notebook("12")).split())
    assert "The figure" not in text and "The cell prints one line per side" in text
    assert "Why the container's line is shorter than notebook 06's `docker run`" in text
    for span in ("CLI", "`--rm`", "host's network", "first answer"):
        assert span in text, span


def test_12_says_what_the_first_start_pays_that_the_timed_runs_do_not() -> None:
    """Walk 23, S4: section 2's serving cell printed a first answer several times the timed
    median two cells later, and only the container's side was explained. The text now says
    what the warm-up takes away, and the timing cell prints that first answer beside its own."""
    cells = cell_sources(notebook("12"))
    timing = next(i for i, c in enumerate(cells) if "kh.measure_first_request(" in c)
    told = " ".join(cells[timing - 1].split())
    assert "Why the component's line can be shorter than the first answer in the cell above" in told
    for words in ("first start of `wasmtime serve`", "file cache", "`warmup=1`", "right after"):
        assert words in told, words
    assert "served.first_response_s" in cells[timing]


def test_11_shows_an_exit_code_cross_the_component_boundary_in_a_cell() -> None:
    """Issue 28, stumble 12: "proc_exit(5) arrives as 1" was stated, never shown. The
    measuring cell runs the probe as a module and as a component and prints both codes."""
    cells = json.loads(notebook("11").read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    measuring = next(c for c in code if "kh.check_exit_prediction(" in c)
    assert 'kh.run_wasm(probe, ["exit", "5"]' in measuring
    assert 'kh.run_wasm(probe_component.path, ["exit", "5"]' in measuring
    assert "arrives as 1" not in markdown(notebook("11"))


def test_06_and_10_say_which_question_each_start_up_ratio_answers() -> None:
    """Issue 26: the in-process ratio (an embedder's) and the containerd one (a Docker or
    Kubernetes user's) are named apart, in the words the verdict's rows use."""
    from kernel_helpers.bench.variants import EMBEDDER, PLATFORM_USER

    six, ten = (
        " ".join(markdown(notebook("06")).split()),
        " ".join(markdown(notebook("10")).split()),
    )
    for question in (EMBEDDER, PLATFORM_USER):
        assert f"`{question.slow} / {question.fast}` is **what {question.who} sees**" in six
        assert f"what {question.who} sees" in ten
    for variant in ("`containerd-wasmtime`", "`containerd-runc`"):
        assert variant in six


def test_06_explains_shims_and_components_where_it_first_names_them() -> None:
    """Issue 28 item 3: "as a shim would" and "wasm component (WASI 0.2)" were explained
    only in 09 and 11, and the component's paler colour nowhere."""
    text = " ".join(markdown(notebook("06")).split())
    table = text[text.index("## What each variant pays for") :]
    assert "as a shim would" not in table
    assert "a *shim* (the small program it runs beside each container)" in table
    assert "a *component*, a module that declares typed interfaces" in table
    assert "light green a component" in table


def test_06_exercise_3_names_the_locks_the_box_cell_sets() -> None:
    """Issue 28 item 4 and walk 3, S17: the exercise names exactly the six locks the box
    cell sets, and asks which one stops a write instead of copying them."""
    from kernel_helpers.course.nb06 import LOCKS

    cells = cell_sources(notebook("06"))
    box = next(c for c in cells if "client.containers.run(" in c and "network_mode" in c)
    set_there = set(re.findall(r"^\s+(\w+)=", box, re.M)) - {"labels", "remove"}
    assert set_there == set(LOCKS)
    exercise = next(c for c in cells if c.startswith("## Exercise 3"))
    assert "with the six locks of the cell that opened the box" in exercise
    assert all(f"`{lock}`" in exercise for lock in LOCKS)
    assert "Which one lock stops it?" in exercise


def test_06_says_where_the_medians_are_and_that_close_rows_can_swap() -> None:
    """Walk 7, S40: the pre-instantiated module came out slower than the cached one, though
    the table says it pays less, and no text said that overlapping rows can swap."""
    text = " ".join(markdown(notebook("06")).split())
    assert "Each row's median is written in the column right of the plot" in text
    assert "can swap places from one run to the next on a busy machine" in text
    # Walk 18, S4: a component linked on every run came out ahead of the pre-instantiated
    # module; the warning had named only the cached and pre-instantiated rows.
    assert (
        "The three wasm rows that run inside the benchmark's own process (the pre-instantiated "
        "module, the cached compiled module and the component) often sit within each other's "
        "spread" in text
    )
    assert "which of them comes first says nothing" in text


def test_06_reads_the_ratio_table_as_a_short_list_of_rules() -> None:
    """Walk 18, S3: 350 words in one block; "181× about 200× (60×-530×)" stopped the learner,
    who had to dig for the rule that a wide interval keeps one digit. One rule a bullet,
    and the example the rounding bullet gives is what the code prints."""
    from kernel_helpers.bench.ratio import Ratio

    cell = next(c for c in cell_sources(notebook("06")) if "The `medians ÷` column" in c)
    bullets = [" ".join(b.split("\n\n")[0].split()) for b in cell.split("\n- ")[1:]]
    heads = [b.split(".**")[0] for b in bullets]
    assert heads == [
        "**Two columns",
        "**Rounding",
        "**Measuring the ±",
        "**A range reaching one",
        "**A lopsided range",
        "**Far samples",
    ]
    rounding = bullets[1]
    assert "Why one digit: a range that wide cannot vouch for a second one" in rounding
    assert (
        "a division with several digits in the `medians ÷` column can read beside it as a "
        "round figure with one" in rounding
    )
    # What the learner saw, as the code prints it: the rule the bullet states.
    seen = Ratio(181, 60, 530)
    assert seen.relative_half_width > 0.5
    assert (seen.divided(), seen.text()) == ("181×", "about 200× (60×-530×)")
    assert "(a ratio of one), the two cannot be told apart" in bullets[3]
    assert max(len(b.split()) for b in bullets) < 90  # each rule short enough to find


def test_06_says_how_the_plus_minus_is_measured_as_the_reply_and_the_code_do() -> None:
    """Walk 19, S4: exercise 1's reply read "about 58× (41×-89×): rounded to two significant
    digits, because its interval puts the ratio within ±45%"; by hand 89/57.6 is +55%, and
    the rule keeps one digit past ±50%. The ± is :attr:`Ratio.relative_half_width`, half
    the interval on a log scale: 06 says so with a made-up range, the reply in the same words
    with the sum to redo, and both agree with the code."""
    from kernel_helpers.bench.ratio import EITHER_WAY, ON_A_LOG_SCALE, Ratio

    text = " ".join(markdown(notebook("06")).split())
    assert (
        f"**Measuring the ±.** It is half the range's width {ON_A_LOG_SCALE}: the factor from "
        "the range's middle to either end, the square root of its high end over its low end."
    ) in text
    example = re.search(
        r"made-up range from (\d+) to (\d+) times has its middle at (\d+) and is ±(\d+)%: "
        rf"×([\d.]+) {EITHER_WAY}\.",
        text,
    )
    assert example, "06 works the ± out on a made-up range"
    low, high, middle, percent, factor = (float(g) for g in example.groups())
    made_up = Ratio(middle, low, high)
    assert middle == math.sqrt(low * high)  # the middle on a log scale
    assert made_up.relative_half_width == pytest.approx(percent / 100)
    assert 1 + made_up.relative_half_width == pytest.approx(factor)
    # The reply to exercise 1 says the same, in that ratio's own figures.
    assert (
        f"within ±{percent:.0f}% {ON_A_LOG_SCALE} (×{factor:.2f} {EITHER_WAY} of its middle: "
        f"√({high:#.4g} ÷ {low:#.4g}), its ends before the outward rounding)"
    ) in made_up.why_rounded()
    seen = Ratio(57.6, 41.9, 88.1)  # the walk's 41×-89×: two digits, for ±45% < ±50%
    assert seen.text() == "about 58× (41×-89×)"
    assert "two significant digits" in seen.why_rounded()
    assert f"±45% {ON_A_LOG_SCALE} (×1.45 {EITHER_WAY} of its middle: √(88.10 ÷ 41.90)" in (
        seen.why_rounded()
    )


def test_06_says_where_to_see_how_long_a_start_run_takes() -> None:
    """Walk 18, S4: a Start run took 126 s against about 30 s for the first, with no word
    on how long a run takes. The text near Start points at the time the progress counts
    (tests/unit/test_live_progress.py checks the plot says it)."""
    text = " ".join(markdown(notebook("06")).split())
    assert (
        "the line beside the buttons and the plot's title count this run's time so far, say "
        "how long the last run took, and once it ends, how long it ran" in text
    )


def test_06_says_why_a_ratio_can_sit_at_one_end_of_its_interval() -> None:
    """Issue 28 item 2: "about 2,500× (2,300×-5,000×)" read as a mistake."""
    from kernel_helpers.bench.ratio import Ratio

    text = " ".join(markdown(notebook("06")).split())
    assert "The ratio is the two medians as measured, and the range need not be centred" in text
    # The sentence explains what the code prints: the point estimate first, then the range.
    assert Ratio(2500, 2300, 5000).text().startswith("about 2,500× (")


def test_06_says_where_a_ratio_is_rounded_and_prints_the_division_beside_it() -> None:
    """Walk 8, S4: exercise 1's division gave 1263.7, the table printed "about 1,000×
    (910×-2,400×)" and the check "about 1,264×": the learner thought they had erred. The
    table prints the medians divided beside the reading, the prose states the rounding
    rule the reading applies, and exercise 1 points at the column to compare with."""
    from kernel_helpers.bench.ratio import Ratio

    cells = cell_sources(notebook("06"))
    table = next(c for c in cells if "result.ratio_intervals()" in c)
    assert "ratio.divided()" in table and "ratio.text()" in table and "medians ÷" in table
    text = " ".join(markdown(notebook("06")).split())
    assert "The `medians ÷` column is the two medians divided" in text
    assert "An interval wider than ±50% keeps one significant digit, a narrower one two" in text
    # Walk 14, S3: 11 printed "about 1.55× (1.537×-1.568×)" against a rule of one or two
    # digits; the prose names the third digit and the ends' own, as the code gives them.
    assert "one within ±2% three (and a narrow range's ends keep the digits" in text
    assert Ratio(1.552, 1.537, 1.568).text() == "about 1.55× (1.537×-1.568×)"
    # The rule as the code applies it: ±62% keeps one digit, ±29% two.
    wide, narrow = Ratio(1263.7, 910, 2400), Ratio(392.1, 380, 630)
    assert wide.relative_half_width > 0.5 > narrow.relative_half_width
    assert (wide.divided(), wide.text()) == ("1,264×", "about 1,000× (910×-2,400×)")
    assert (narrow.divided(), narrow.text()) == ("392×", "about 390× (380×-630×)")
    # Walk 10, S5: exercise 1 no longer asks for a ratio the column prints; it asks for one
    # the learner computes, from the medians or from two figures of that column.
    exercise = " ".join(next(c for c in cells if "## Exercise 1" in c).split())
    assert "## Exercise 1: a ratio the table does not print" in exercise
    assert "or from two figures of the `medians ÷` column" in exercise


def test_06_names_a_far_sample_beside_the_ratio_it_stretches() -> None:
    """Walk 10, S7: five starts with one 20 ms among 2 ms ones gave "0.026×-1.5×" with no
    word on why. 06's table prints the note notebook 08 prints, and its prose says so."""
    cells = cell_sources(notebook("06"))
    table = next(c for c in cells if "result.ratio_intervals()" in c)
    assert "result.far_sample_notes()" in table
    from kernel_helpers.bench.ratio import LISTED_AT_MOST

    text = " ".join(markdown(notebook("06")).split())
    # Walk 15, S3: past three far samples the note counts them per side (LISTED_AT_MOST).
    assert (
        "names them, how far off each is and on which side (past three, a count per variant), "
        "and the ratio without them" in text
    )
    assert LISTED_AT_MOST == 3


def test_06_says_a_far_sample_below_its_median_is_no_stall() -> None:
    """Walk 20, S1: the note called a sample 1/6.1 of its median "a stall of the machine".
    A stall only adds time; 06's prose says what each side of the median means, in the
    words the note prints (:data:`HELD_UP_BY_MACHINE`)."""
    from kernel_helpers.bench.ratio import HELD_UP_BY_MACHINE

    text = " ".join(markdown(notebook("06")).split())
    held_up = HELD_UP_BY_MACHINE.replace("the other samples", "the others")
    assert f"far above it, a stall of the machine; far below it, {held_up}." in text


def test_06_states_the_rule_the_far_sample_note_follows() -> None:
    """Walk 13: 11 printed a note whose ratio without the samples read as the one with them.
    06 states when the note appears, and the code keeps to it (:func:`_narrower`)."""
    from kernel_helpers.bench.ratio import NARROWER_SHARE

    text = " ".join(markdown(notebook("06")).split())
    rule = (
        "changes what the ratio says (its rounded value, whether its range reaches one, or the "
        "range's width by more than a quarter)"
    )
    assert rule in text
    assert NARROWER_SHARE == 0.75  # "more than a quarter" narrower


def test_06_promises_the_extra_runs_to_both_sides_and_the_count_of_each() -> None:
    """Walk 8, S5: the intro promised more runs for the headline ratio, and all of them went
    to the wasm side while the note gave one total. Both sides take them in turn now, and
    the note gives each side's count, as the intro says."""
    from kernel_helpers.bench.results import BenchResult, Measurement
    from kernel_helpers.bench.startup import _samples_per_side

    intro = " ".join(cell_sources(notebook("06"))[0].replace("\n> ", "\n").split())
    assert "more runs, taken by both sides in turn" in intro
    assert "how many samples each side has" in intro
    result = BenchResult(machine={}, example="hello")
    for name, n in (("docker-scratch", 40), ("wasm-cached", 35)):
        result.variants[name] = Measurement.from_samples(name, "process", [0.1] * n)
    pair = ("docker-scratch", "wasm-cached")
    assert _samples_per_side(result, pair) == "samples: docker-scratch 40, wasm-cached 35"


def test_05_exercise_2_says_the_learner_measures_fib_15_and_20() -> None:
    """Walk 3, S13: the helper cell printed only fib(10)'s cost and looked finished, while
    the exercise is about fib(15) and fib(20). It says whose turn it is."""
    cells = cell_sources(notebook("05"))
    helper = next(c for c in cells if "kh.fuel_needed(10)" in c)
    assert "Your turn: measure fib(15) and fib(20)" in helper
    asked = cells[cells.index(helper) - 1]
    assert "Add the two measurements you need" in " ".join(asked.split())


def test_08_states_the_rule_its_prediction_check_applies() -> None:
    """Walk 5, S13: "Within 30% ... counts as right", and 1.2 against 1.84 was accepted:
    the check also takes a guess inside the run's spread, and the text now says so."""
    from kernel_helpers.course.nb08 import PREDICTION_FACTOR

    text = " ".join(markdown(notebook("08")).split())
    assert f"Within {round((PREDICTION_FACTOR - 1) * 100)}% of the measurement" in text
    assert "or inside the interval this run measured, counts as right" in text


def test_08_says_plainly_what_jangda_et_al_measured() -> None:
    """Walk 8, S9: "running about 1.45× to 1.55× as long as wasm in browsers as natively"
    had to be read twice."""
    text = " ".join(markdown(notebook("08")).split())
    assert "as long as wasm in browsers as natively" not in text
    assert (
        "compiled SPEC CPU, big programs full of loads and stores, to wasm and ran it in "
        "browsers: it took about 1.45× to 1.55× as long as the same programs compiled "
        "natively" in text
    )


def test_02_points_back_at_the_size_comparison_it_explains() -> None:
    """Walk 5, S2: the paragraph after the puts/printf comparison said "run the next cell to
    see where the difference is", and the next cell was the by-hand build."""
    cells = cell_sources(notebook("02"))
    comparison = next(i for i, c in enumerate(cells) if '"hello (puts)"' in c)
    after = " ".join(cells[comparison + 1].split())
    assert "run the next cell" not in after
    assert "the cell under it set it beside hello's" in after


def test_the_typed_and_http_sources_name_the_notebook_that_uses_them() -> None:
    """Walk 5, S20: notebook 12 printed sha256.wit, whose first line said "The typed
    interface of notebook 11", from before 11 was split in two."""
    examples = REPO / "wasm_examples"
    used_by_12 = [
        *(examples / "sha256" / "component").iterdir(),
        examples / "hello" / "http" / "hello_http.c",
    ]
    assert "sha256.wit" in everything(notebook("12")) or "typed_sources" in everything(
        notebook("12")
    )
    for path in used_by_12:
        assert "notebook 11" not in path.read_text(), path.name
    readme = (examples / "README.md").read_text()
    assert "notebook 12's typed component" in readme and "notebook 12's `wasi:http` guest" in readme


def test_12_warns_that_its_first_run_builds_the_http_guest() -> None:
    """Walk 5, S21: componentize-py took 71 s in a cell nothing had announced as slow,
    while notebook 11 warns about its own first run."""
    opening = " ".join(cell_sources(notebook("12"))[0].split())
    assert "the first run builds the HTTP guest with it (a minute or two" in opening
    build = next(
        c for c in cell_sources(notebook("12")) if c.startswith("guest = kh.http_component()")
    )
    assert "the first time: a minute or two" in build.splitlines()[0]


def test_04_puts_different_every_run_beside_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    """Walk 7, S13: the probe's line ends with a newline, so " <- different every run" was
    printed on a line of its own, pointing at nothing. Runs 04's clock cell."""
    import kernel_helpers as kh

    cell = next(c for c in cell_sources(notebook("04")) if "<- different every run" in c)
    exec(cell, {"kh": kh})
    lines = capsys.readouterr().out.splitlines()
    marked = next(line for line in lines if line.endswith("<- different every run"))
    assert marked.split("<-")[0].strip(), lines


def test_11_gives_the_adapter_range_it_measured_not_roughly_the_same() -> None:
    """Walk 7, S35: "the adapter adds roughly the same bytes to each", above an adapter
    column that ran from 20.8 to 46.2 KB. The table cell now prints the range it measured."""
    cells = cell_sources(notebook("11"))
    table = next(i for i, c in enumerate(cells) if "made.adapter_bytes" in c)
    assert "roughly the same" not in cells[table - 1]
    assert "the line under the table" in " ".join(cells[table - 1].split())
    assert "the adapter added {kh.format_bytes(adapter[0])}" in cells[table]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_speaks_of_the_authors_machines(path: Path) -> None:
    """Walk 7, S38: 12's "what these machines can install" read as a note about the
    author's build machines. The prose speaks to the learner: what the kit installs."""
    assert "these machines" not in " ".join(markdown(path).split()), path.name


def test_12_says_what_the_kit_installs_and_how_to_reach_wasip2() -> None:
    text = " ".join(markdown(notebook("12")).split())
    assert "The kit installs no wit-bindgen and no `wasm32-wasip2` target" in text
    assert "rustup target add wasm32-wasip2" in text


def test_12_marks_the_ctr_claim_recorded_and_shows_the_shim_half_live() -> None:
    """Walk 7, S37: "Tried on the machine this course was written on: ... the kit's shim
    prints nothing and fails", with no cell, on a machine that had the shim. The ctr half is
    marked recorded with its date; the shim half runs in the next cell where the shim is."""
    cells = cell_sources(notebook("12"))
    claim = next(i for i, c in enumerate(cells) if "image might be" in " ".join(c.split()))
    told = " ".join(cells[claim].split())
    assert "Recorded on the machine this course was written on (December 2026)" in told
    live = cells[claim + 1]
    assert "if here.live:" in live and "kh.run_in_containerd(wasm" in live
    assert '("component", component.path)' in live and "RECORDED" in live


def test_the_index_says_to_shut_each_notebooks_kernel_down() -> None:
    # Walk 8: a learner who walked the course had 14 kernels running at the end, notebook
    # 09's registry among what they held, and nothing had said to close one.
    text = markdown(REPO / "notebooks" / "index.ipynb")
    assert "Close and Shut Down Notebook" in text and "registry" in text


def test_00_exercise_2_says_what_its_check_counts() -> None:
    """Walk 10, S7: "the doctor's rows above say which part of each needs it" led a learner
    to count 07's Docker-free part as live; the check counts whole notebooks. The prompt now
    says so, and names no claim."""
    prompt = next(c for c in cell_sources(notebook("00")) if c.startswith("## Exercise 2"))
    told = " ".join(prompt.split())
    assert "which part of each" not in told
    assert "counts a claim only if none of the notebooks it names shows any recorded data" in told
    assert "a notebook measured live in part still shows recorded data" in told


def test_the_index_says_to_close_a_notebooks_tab_with_its_kernel() -> None:
    """Walk 10, S14: "(or Kernel › Shut Down Kernel)" left each tab open, and JupyterLab
    started a fresh kernel for every open tab on reload: 12 idle kernels by notebook 12."""
    told = " ".join(markdown(REPO / "notebooks" / "index.ipynb").split())
    assert "(or *Kernel › Shut Down Kernel*)" not in told
    assert "*File › Close and Shut Down Notebook*, which closes its tab too" in told
    assert "starts a fresh kernel for every open notebook tab" in told


def test_the_index_says_to_close_its_own_kernel_too() -> None:
    """Walk 18, S5: the index is markdown only, yet opening it starts a Python kernel that
    kept running while the learner worked in other tabs; its "One kernel at a time" advice
    spoke only of the notebooks it links."""
    told = " ".join(markdown(REPO / "notebooks" / "index.ipynb").split())
    advice = told.split("**One kernel at a time.**")[1].split("**Predict before you measure.**")[0]
    assert "This index is a notebook too: opening it started a kernel" in advice
    assert "close the index the same way, *File › Close and Shut Down Notebook*" in advice


def test_02_exercise_1_says_a_host_may_refuse_a_status() -> None:
    """Walk 11, S2: the exercise asks what the host does with a status of 300, and the
    prose said only that "the host reports it": a refusal read as a trick. It says the host
    decides, and may refuse, before the learner predicts (the answer stays theirs)."""
    text = " ".join(markdown(notebook("02")).split())
    exercise = text.split("## Exercise 1: predict, then measure")[1]
    assert "a host may pass it on, change it or refuse it" in exercise.split("Before you run")[0]


def test_11_exercise_2_says_section_3s_table_is_evidence_for_the_prediction() -> None:
    """Walk 15: 11's adapter prediction comes after section 3's table, which prints the
    adapter's range; the index says to predict before measuring, so a learner could not
    tell whether reading the table was allowed. The exercise says it is evidence, and why
    it is not the answer."""
    cells = cell_sources(notebook("11"))
    table = next(i for i, c in enumerate(cells) if "## 3. Four languages, one adapter" in c)
    exercise = next(i for i, c in enumerate(cells) if "### Exercise 2 · predict" in c)
    assert table < exercise
    said = " ".join(cells[exercise].split())
    assert "Section 3's table is your evidence, not the answer" in said


def test_12_exercise_1_says_the_call_goes_through_kh_call_export() -> None:
    """Walk 16, S3: a learner called section 1's raw `sha256` function, as its first cell
    does, and the check, which sees only `kh.call_export`'s calls, refused the digest. The
    exercise says which call the check looks for."""
    cells = cell_sources(notebook("12"))
    exercise = " ".join(next(c for c in cells if "### Exercise 1 · call the typed" in c).split())
    assert "Make the call with `kh.call_export`" in exercise
    assert "among the calls made through `kh.call_export`" in exercise


def test_walk_16s_two_exercise_texts_say_what_the_learner_had_to_probe_for() -> None:
    """Walk 16, S1: 02 ex. 2 did not say what `kh.section_sizes` returns (the learner printed
    it first); S2: 05 ex. 1 offered `output_limit` as a limit that ends a run without
    saying a limit ends one only if it stops the guest."""
    import kernel_helpers as kh

    ex02 = " ".join(
        next(c for c in cell_sources(notebook("02")) if "section_sizes(path)" in c).split()
    )
    assert 'a dict from label to bytes, such as `{"header": 8' in ex02
    assert "whose values add up to the file's size" in ex02
    sizes = kh.section_sizes(kh.wasm_module("hello", "c").path)
    assert (
        "header" in sizes
        and sum(sizes.values()) == kh.wasm_module("hello", "c").path.stat().st_size
    )
    ex05 = " ".join(next(c for c in cell_sources(notebook("05")) if "all four at" in c).split())
    assert "A limit ends a run only if it stops the guest" in ex05


def test_06_says_what_a_wide_hyperfine_spread_means_and_which_samples_a_note_names() -> None:
    """Walk 17: hyperfine's "13.5 ms ± 15.3 ms" (σ above the mean) went unexplained, and the
    ratio cell's comment said a note names samples "over 5x off" while it named one 3.5x
    off (the farthest, when leaving it out changes the ratio)."""
    from kernel_helpers.bench.ratio import OUTLIER_FACTOR

    text = " ".join(markdown(notebook("06")).split())
    assert "can spread wider than their mean" in text and "reports medians and quartiles" in text
    cell = next(c for c in cell_sources(notebook("06")) if "far_sample_notes()" in c)
    assert f"over {OUTLIER_FACTOR:g}x off their side's median, # or else the one farthest off" in (
        " ".join(cell.split())
    )


def _prediction_checks() -> list[str]:
    """The checks made with ``prediction_exercise``: those whose first prediction stands."""
    found = []
    for module in sorted((REPO / "kernel_helpers" / "course").glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "prediction_exercise"
                for d in node.decorator_list
            ):
                found.append(node.name)
    return found


def _exercise_text(cells: list[dict[str, object]], check: str) -> str | None:
    """The markdown from the exercise's heading down to the cell that calls ``check``."""
    sources = ["".join(c["source"]) for c in cells]  # type: ignore[arg-type]
    calls = [
        i for i, s in enumerate(sources) if cells[i]["cell_type"] == "code" and f"kh.{check}(" in s
    ]
    if not calls:
        return None
    start = calls[0]
    while start > 0 and not (
        cells[start]["cell_type"] == "markdown" and re.search(r"(?m)^#+ .*Exercise", sources[start])
    ):
        start -= 1
    return " ".join(
        " ".join(
            sources[i] for i in range(start, calls[0]) if cells[i]["cell_type"] == "markdown"
        ).split()
    )


@pytest.mark.parametrize("check", _prediction_checks())
def test_every_prediction_exercise_says_its_first_prediction_is_graded(check: str) -> None:
    """Walk 18, S1: 07 and 08 said a prediction changed after the check showed the
    measurement is not graded again, and 03 (and the others) graded it so without saying."""
    texts = [
        text
        for path in NOTEBOOKS
        if (text := _exercise_text(json.loads(path.read_text(encoding="utf-8"))["cells"], check))
    ]
    assert texts, f"no notebook calls kh.{check}"
    for text in texts:
        assert "not graded again" in text, (check, text[-300:])


def test_01_exercise_2_says_custom_sections_are_left_out_as_the_check_leaves_them() -> None:
    """Walk 19, S5: the learner predicted {"function", "export", "code", "custom:name"} and
    the check said custom sections are left out, which the question never said. The
    question says it; the check grades a prediction the same with or without them."""
    import kernel_helpers as kh

    cells = cell_sources(notebook("01"))
    question = " ".join(next(c for c in cells if "## Exercise 2" in c).split())
    assert '"code"`...; leave the custom sections out: they hold names for tools' in question
    named = """(module
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    local.get $a local.get $b i32.add)
  (func $sub (export "sub") (param $a i32) (param $b i32) (result i32)
    local.get $a local.get $b i32.sub))"""
    without = kh.check_what_grows({"function", "export", "code"}, named)
    with_custom = kh.check_what_grows({"function", "export", "code", "custom:name"}, named)
    assert without.ok is True and with_custom.ok is True, (without.text(), with_custom.text())
    assert "the check leaves custom sections out" in without.message


def test_12_leaves_the_shim_s_exit_code_to_the_cell_that_gets_it() -> None:
    """Walk 19, S6: the prose said "exit code 137" before the cell that runs the component
    through 09's shim printed it. The prose says what kind of code comes and that the cell
    shows which; the kit's message names the code the run gave and what it is made of."""
    import signal

    from kernel_helpers.containers.containerd import COMPONENT_REFUSED, ENGINE_FAILED

    text = " ".join(markdown(notebook("12")).split())
    assert "137" not in text
    assert "with an exit code that says it was killed: the cell shows which" in text
    assert "the code of one killed by SIGKILL (128 plus the signal's number, 9;" in text
    assert ENGINE_FAILED == 128 + signal.SIGKILL
    assert f"exit code {ENGINE_FAILED} before the guest ran" in COMPONENT_REFUSED
    assert "128 + SIGKILL's 9, though nothing was killed" in COMPONENT_REFUSED
    cells = cell_sources(notebook("12"))
    through = next(c for c in cells if "kh.run_in_containerd(wasm" in c)
    assert "str(err).splitlines()[0]" in through  # the kit's message, code and meaning


def test_10_exercise_2_says_the_plot_also_shows_the_reference_run() -> None:
    """Walk 20, S4: exercise 2 said recorded bars appear "because something was missing
    here", yet the plot below draws a hatched reference-run bar beside every measured
    variant: the exercise says so before the learner looks for a gap of their own."""
    cells = cell_sources(notebook("10"))
    exercise = " ".join(next(c for c in cells if "## Exercise 2" in c).split())
    assert "also draws the course's recorded reference run, for comparison" in exercise
    assert "hatched too" in exercise


def test_07_says_why_06_s_docker_run_is_a_shaky_anchor_before_the_prediction() -> None:
    """Walk 21, S3: a learner took 06's docker-scratch median, added a pull and predicted
    far above 07's cold pull + run, which came out shorter than 06's run alone; nothing said
    why. Both time the whole ``docker run --rm`` process (07 adds ``--pull=always``), so the
    span is not shorter: 07 says so, and that the load moves 06's figure, before the guess."""
    import inspect

    from kernel_helpers.bench import pull, startup

    # The claim the prose makes, as the code does it: one command line for both.
    assert "hardened_run_command(reference, pull=True" in inspect.getsource(pull.docker_pull_run)
    assert "hardened_run_command(scratch_tag)" in inspect.getsource(startup)
    cells = cell_sources(notebook("07"))
    guess = next(i for i, c in enumerate(cells) if c.startswith("prediction = ..."))
    before = " ".join(" ".join(cells[:guess]).split())
    assert "Notebook 06's `docker-scratch` median is a shaky anchor." in before
    assert "notebook 06 timed the same whole `docker run --rm` command, CLI process" in before
    assert "so it pays everything notebook 06's row paid plus the download" in before
    assert "every start slows down when the machine is busy" in before


def test_06_says_what_its_docker_run_row_times_and_what_its_budget_counts() -> None:
    """Walk 21, S4, S1, S2: 06's table gave docker-scratch as "the Docker API call, ..."
    while the row times the ``docker`` CLI process (12 says so); hyperfine's warm-up warning
    after ``--warmup 3`` went unexplained; and "for about a minute" read as a minute of
    extra runs, while the budget counts from the start of the whole run."""
    import inspect

    from kernel_helpers.bench import startup

    text = " ".join(markdown(notebook("06")).split())
    assert "the Docker API call, containerd and runc" not in text
    assert (
        "the whole `docker run --rm` command, timed as a process: the `docker` CLI starting"
    ) in text
    assert "the CLI waiting for the exit, and the container removed" in text
    assert "even after the three warm-up runs: the warning is about the machine's load" in text
    assert "or until about a minute has passed since the > whole run began" in text
    # The code counts the budget from the run's start, as the note now says.
    assert "started + budget_s" in inspect.getsource(startup.run_startup)
