"""Notebook 09's real-shim part (issue 26, items 5 and 7): the ctr lines it types are the
ones the recording ran, the box is opened before the helper, the RuntimeClass's handler
comes from the runtime the kit registered, the recording says where and when it was made
and looks recorded, the diagram names dockerd, and exercise 4's check answers every case."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers.containers.containerd import RUNTIMES, WASM_RUNTIME
from kernel_helpers.containers.kubernetes import RUNTIME_CLASS_HANDLER, docker_wasm_diagram
from kernel_helpers.containers.shim_tour import (
    COMMANDS,
    DOCKER_WITH_WASM,
    RECORDING,
    judge_docker_engine,
    recorded_steps,
    shim_here,
)
from kernel_helpers.course.nb09 import SHIM_ARGS
from kernel_helpers.toolchains.build import toolchain_for
from tests.conftest import need

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09-docker-plus-wasm.ipynb"
SUM_C = kh.solution("09", 4).code.split("r'''")[1].split("'''")[0]


def cells(kind: str) -> list[str]:
    return [
        "".join(c["source"])
        for c in json.loads(NOTEBOOK.read_text())["cells"]
        if c["cell_type"] == kind
    ]


def test_the_notebook_types_the_lines_the_recording_ran() -> None:
    code = "\n".join(cells("code"))
    for step, template in COMMANDS.items():
        assert f"!{template}" in code, step


def test_the_ctr_box_is_opened_before_the_helper() -> None:
    code = cells("code")
    by_hand = next(i for i, c in enumerate(code) if "!{ctr} run " in c)
    helper = next(i for i, c in enumerate(code) if "kh.run_in_containerd(" in c)
    assert by_hand < helper
    assert "here.live" in code[by_hand] and "kh.recorded_steps(" in code[by_hand]
    assert any("### Open the box: the `ctr` lines" in m for m in cells("markdown"))


def test_the_runtime_class_handler_is_the_runtime_the_kit_registered() -> None:
    assert RUNTIMES[RUNTIME_CLASS_HANDLER] == WASM_RUNTIME
    assert kh.wasm_runtime_class()["handler"] == RUNTIME_CLASS_HANDLER
    config = kh.containerd_runtime_config()
    assert f"runtimes.{RUNTIME_CLASS_HANDLER}]" in config and f'"{WASM_RUNTIME}"' in config
    cell = next(c for c in cells("code") if "kh.wasm_runtime_class(" in c)
    assert "handler=" not in cell and '"wasmtime"' not in cell


def test_the_docker_run_that_is_not_used_is_explained() -> None:
    prose = "\n".join(cells("markdown"))
    assert "--runtime=io.containerd.wasmtime.v1 --platform=wasi/wasm" in prose
    assert "Docker 24" in prose and "20.10" in prose


@pytest.mark.parametrize("part", ["ctr", "task", "helper"])
def test_the_recording_says_where_and_when_and_looks_recorded(part: str) -> None:
    steps = recorded_steps(part, "no containerd here")
    assert re.search(r"Debian .*containerd \S+.*; \w+ \d{4}$", steps.recorded), steps.recorded
    assert steps.steps and all(command and output for command, output in steps.steps)
    assert steps.text().startswith("RECORDED, not run here (")
    shown = steps.html()
    assert "RECORDED" in shown and "dashed" in shown and "no containerd here" in shown


def test_the_recording_ran_the_notebooks_own_lines() -> None:
    data = json.loads(RECORDING.read_text())
    ran = [step["command"] for step in data["parts"]["ctr"] + data["parts"]["task"]]
    patterns = [
        re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        for template in COMMANDS.values()
    ]
    as_regex = [re.sub(r"\{\w+\}", ".+", p) for p in patterns]  # {ctr} is several words
    for regex in as_regex:
        assert any(re.fullmatch(regex, line) for line in ran), regex


def test_the_diagram_names_dockerd() -> None:
    figure = docker_wasm_diagram()
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert any(t.startswith("dockerd") for t in texts), texts
    assert any("containerd-shim-wasmtime-v1" in t for t in texts)


def test_debian_s_docker_cannot_hand_a_wasm_image_to_the_shim() -> None:
    old = judge_docker_engine("20.10.24+dfsg1", "", "overlay2")
    assert not old.possible and f"Docker {DOCKER_WITH_WASM}" in old.why and "overlay2" in old.text()
    classic = judge_docker_engine("27.3.1", "", "overlay2")
    assert not classic.possible and "containerd image store" in classic.why
    new = judge_docker_engine("27.3.1", "io.containerd.snapshotter.v1", "overlayfs")
    assert new.possible and "can use" in new.text()


def test_without_docker_there_is_no_live_shim_and_the_reason_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")
    monkeypatch.delenv("KIT_CONTAINERD_ADDRESS", raising=False)
    here = shim_here()
    assert not here.live and "KIT_DOCKER=off" in here.reason


# --- exercise 4's check -----------------------------------------------------------------------


def test_exercise_4_starts_from_the_placeholder_and_refuses_other_languages() -> None:
    assert kh.check_own_module_through_shim(..., "c").ok is None
    wrong = kh.check_own_module_through_shim(SUM_C, "java")
    assert wrong.ok is False and wrong.hint and '"c"' in wrong.hint


def c_compiler() -> None:
    try:
        toolchain_for("c")
    except kh.KitError:
        need(False, "no C compiler for wasm here")


def test_exercise_4_sends_a_wrong_program_back_to_notebook_02() -> None:
    c_compiler()
    result = kh.check_own_module_through_shim(SUM_C.replace("i = 1", "i = 0"), "c")
    assert result.ok is False and result.hint and "notebook 02" in result.hint


def test_exercise_4_says_when_the_program_and_lang_disagree() -> None:
    """Walk 8, S13: C under lang = "rust" got Rust's first complaint and no word about the
    setting; the check names the language the program reads like and the setting to change,
    in notebook 09 and in notebook 03 (the same grader)."""
    try:
        toolchain_for("rust")
    except kh.KitError:
        need(False, "no Rust compiler for wasm here")
    results = (
        kh.check_own_module_through_shim(SUM_C, "rust"),
        kh.check_sum_in_rust_or_go(SUM_C, "rust"),
    )
    for result in results:
        assert result.ok is False and "it reads like C (#include), while lang says Rust" in (
            result.message
        ), result.text()
        assert result.hint and "First complaint" in result.hint
        assert "notebook 03" not in result.hint  # the setting is what to fix, not the program
    shim, port = (r.hint or "" for r in results)
    assert 'set lang = "c"' in shim  # notebook 09 takes C
    assert "This exercise takes Rust or Go" in port and 'lang = "c"' not in port  # 03 does not


def test_a_program_that_reads_like_its_language_gets_the_compiler_s_complaint() -> None:
    from kernel_helpers.course.programs import written_in

    assert written_in(SUM_C) == ("c", "#include")
    assert written_in('fn main() { println!("x"); }') == ("rust", "fn main")
    assert written_in("package main\n\nfunc main() {}") == ("go", "package main")
    assert written_in("int main(void) { return 0; }") is None  # no sign: nothing is claimed
    assert written_in("// #include in a comment\nfn main() {}") == ("rust", "fn main")


def test_exercise_4_without_a_shim_runs_the_in_process_half_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c_compiler()
    monkeypatch.setenv("KIT_DOCKER", "off")
    monkeypatch.delenv("KIT_CONTAINERD_ADDRESS", raising=False)
    result = kh.check_own_module_through_shim(SUM_C, "c")
    expected = str(sum(int(a) for a in SHIM_ARGS))
    # Walk 10, S11: it said "the recording above shows the same bytes" (the recording is
    # hello's) and stayed neither right nor wrong: the learner could not tell if they were done.
    assert result.ok is True, result.text()
    said = result.message
    assert said.startswith("solved for what this machine can check")
    assert (
        f"ran in process as the shim would run it (argv[0] /app.wasm) and printed {expected!r}"
        in said
    )
    assert "Not checked here: the run through containerd and containerd-shim-wasmtime-v1" in said
    assert "KIT_DOCKER=off" in said and "KIT_SHIM=1 ./kit setup" in said
    assert "recording" not in said and "same bytes printing" not in said
