"""Every check_* answers a right answer with ✅, a wrong one with a specific hint, and the
placeholder ``...`` with "not yet"; none of them ever raises."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers.toolchains.build import forget_toolchains

#: These tests grade many predictions in a row, each as a first one (see the fixture).
pytestmark = pytest.mark.usefixtures("each_prediction_first")

SQUARE = """(module (func (export "square") (param $x i32) (result i32)
  local.get $x local.get $x i32.mul))"""
DOUBLE = """(module (func (export "square") (param $x i32) (result i32)
  local.get $x local.get $x i32.add))"""


def right(result: kh.CheckResult) -> None:
    assert result.ok is True, result.text()
    assert result and result.exercise and result.message


def wrong(result: kh.CheckResult, *words: str) -> None:
    assert result.ok is False, result.text()
    assert not result
    said = result.text()
    for word in words:
        assert word in said, said


# --- 00 -------------------------------------------------------------------------------


def test_argc_prediction_compares_with_the_run_and_says_why() -> None:
    """Walk 3, S2: exercise 1 was read off the report. Now the learner predicts the browser
    check module's exit code for one argument with a space in it; the run decides."""
    measured = kh.run_wasm(kh.BROWSER_CHECK_WAT, ["same bytes"]).exit_code
    assert measured == 1
    right(kh.check_argc_prediction(1, measured))
    right(kh.check_argc_prediction("1", measured))
    said = kh.check_argc_prediction(1, measured).message
    assert "still one argument" in said and "no shell" in said
    wrong(kh.check_argc_prediction(2, measured), "this run measured 1", "spaces and all")
    wrong(kh.check_argc_prediction(0, measured), "own name")
    for result in (kh.check_argc_prediction(g, measured) for g in (0, 2)):
        assert "1" not in (result.hint or "")  # the hint explains how to count, not the count
    wrong(kh.check_argc_prediction("two", measured), "whole number")


def test_live_claims_are_worked_out_from_the_claims_and_the_docker_notebooks() -> None:
    """Walk 3, S2: exercise 2 was read off the Docker row. Walk 8, S1: its answer, the
    notebooks needing Docker (06, 07, 09), was still printed by the doctor above it. Now
    the learner combines those with each claim's notebooks: only claim 4 stays live."""
    check = kh.check_claims_without_docker
    live = check({4}, docker_available=True, turned_off=False)
    right(live)
    right(check(["4"], docker_available=True, turned_off=False))
    assert (
        "measure real containers" in live.message and "claim 2 names 07 beside 03" in live.message
    )
    absent = check({4}, docker_available=False, turned_off=False)
    assert "no Docker daemon answers" in absent.message and "recorded" in absent.message
    wrong(check({2, 3, 4}), "2 of the claims you gave rest in part")
    wrong(check({1, 4}), "1 of the claims you gave rests in part")
    wrong(check(set()), "you left out a claim")
    wrong(check({5}), "there is no claim 5")
    for given in ({2, 3, 4}, set(), {1}):
        hint = check(given).hint or ""
        assert "4" not in hint and "07" not in hint  # points at the claims, never the answer


def test_the_claims_notebooks_are_those_notebook_00_names() -> None:
    """The check's map of claims to notebooks is read against 00's own list, so the two
    cannot drift apart."""
    from kernel_helpers.course.nb00 import CLAIM_NOTEBOOKS

    notebook = Path(__file__).parents[2] / "notebooks" / "00-setup-check.ipynb"
    text = "".join(json.loads(notebook.read_text())["cells"][0]["source"])
    for claim, notebooks in CLAIM_NOTEBOOKS.items():
        item = re.search(rf"^{claim}\. .*?(?=^\d\. |^$)", text, re.M | re.S)
        assert item, claim
        named = re.search(r"\(notebooks? ([^)]*)\)", item.group(0))
        assert named, claim
        assert {int(n) for n in re.findall(r"\d+", named.group(1))} == set(notebooks), claim


# --- 01 -------------------------------------------------------------------------------


def test_square() -> None:
    right(kh.check_square(SQUARE))
    right(kh.check_square(bytes(wasmtime.wat2wasm(SQUARE))))
    wrong(kh.check_square(DOUBLE), "square(3) returned 6", "i32.mul")
    wrong(kh.check_square('(module (func (export "sq")))'), '"sq"', 'no "square"')
    wrong(
        kh.check_square('(module (func (export "square") (param i64) (result i64) local.get 0))'),
        "i64",
    )
    wrong(kh.check_square("(module (func"), "does not parse", "at line 1, column")
    wrong(
        kh.check_square(
            '(module (func (export "square") (param $x i32) (result i32) local.get $x i32.mul))'
        ),
        "wasmtime rejects",
        "type mismatch",
    )
    wrong(kh.check_square("(module (func $square))"), "exports nothing yet")
    wrong(kh.check_square(42), "WAT text")


ADD_AND_SUB = """(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "sub") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub))"""


def test_what_grows_compares_the_prediction_with_the_learners_module() -> None:
    """Walk 3, S4: exercise 2 asked for the export section's id, which the prose had given.
    Now the learner predicts which sections a second function makes bigger, then writes it;
    the check measures both modules. The lesson: a shared signature is listed once."""
    result = kh.check_what_grows({"function", "export", "code"}, ADD_AND_SUB)
    right(result)
    assert "function 4 → 5 bytes" in result.message and "listed once" in result.message
    right(kh.check_what_grows(["Function", "export", "code", "name"], ADD_AND_SUB))
    wrong(
        kh.check_what_grows({"type", "function", "export", "code"}, ADD_AND_SUB),
        "type section did not grow",
        "Does sub need a signature",
    )
    wrong(kh.check_what_grows({"code"}, ADD_AND_SUB), "you predicted code; what grew: function")
    wrong(kh.check_what_grows({"code"}, SQUARE), 'no "add"')
    wrong(
        kh.check_what_grows({"code"}, ADD_AND_SUB.replace("i32.sub", "i32.add")),
        "sub(8, 4) returned 12",
    )
    other_type = ADD_AND_SUB.replace(
        "(param i32 i32) (result i32) local.get 0 local.get 1 i32.sub",
        "(param i32) (result i32) local.get 0",
    )
    wrong(kh.check_what_grows({"code"}, other_type), "does not have add's signature")
    wrong(kh.check_what_grows({"sections"}, ADD_AND_SUB), "not a section name")


def test_what_grows_lists_under_as_you_predicted_only_what_was_graded() -> None:
    """Walk 7, S4: "as you predicted, function, export, code grew (... custom:name 26 → 39
    bytes)" listed a section the learner had not predicted. Custom sections are said apart."""
    from kernel_helpers.course.nb01 import ADD_WAT

    sub = '(func $sub (export "sub") (param $a i32) (param $b i32) (result i32)\n'
    named = ADD_WAT.replace(
        "i32.add))", f"i32.add)\n  {sub}    local.get $a local.get $b i32.sub))"
    )
    said = kh.check_what_grows({"function", "export", "code"}, named).message
    graded, _, custom = said.partition(" grew too")
    assert "custom:name" not in said.split(").")[0], said  # not among "as you predicted"
    assert "custom:name 26 →" in graded and "leaves custom sections out" in custom, said


def test_import_function() -> None:
    right(kh.check_import_function(lambda x: 2 * x))
    wrong(kh.check_import_function(lambda x: x + 1), "should be", "apply(0) to be 1")
    # Walk 5, S1: "so your function should double its argument" was the answer itself.
    assert "double" not in kh.check_import_function(lambda x: x + 1).text()
    wrong(kh.check_import_function(lambda x: "two"), "failed")
    wrong(kh.check_import_function("double"), "Python function")


# --- 02 -------------------------------------------------------------------------------


def test_debug_share_grades_a_function_on_built_and_stripped_modules(no_compilers: None) -> None:
    """Walk 3, S5: exercise 2 read the longest bar off the chart. Now the learner writes the
    function that measures a module's debug share; the check runs it on four modules."""
    from kernel_helpers.course.nb02 import _custom_share, debug_share

    right(kh.check_debug_share(debug_share))
    wrong(kh.check_debug_share(_custom_share), "producers, target_features and name")
    said = kh.check_debug_share(debug_share).message
    assert "hello (C) stripped 0.0%" in said and "a hand-made module 43.7%" in said
    wrong(kh.check_debug_share(lambda path: 100 * debug_share(path)), "percentage")
    wrong(kh.check_debug_share(lambda path: 1 - debug_share(path)), "everything else")
    wrong(kh.check_debug_share(lambda path: 1 / 0), "ZeroDivisionError", "section_sizes")
    wrong(kh.check_debug_share("0.9"), "Python function")


def test_debug_share_tells_debug_sections_from_other_custom_ones() -> None:
    """producers and name are custom sections but not debug information; the hand-made
    module keeps the exercise meaningful where stripped prebuilt modules stand in."""
    from kernel_helpers.course.nb02 import DEBUG_WAT, SHARE_TOLERANCE, _custom_share, debug_share

    module = bytes(wasmtime.wat2wasm(DEBUG_WAT))
    assert debug_share(module) > 0.2
    assert _custom_share(module) - debug_share(module) > 100 * SHARE_TOLERANCE


def test_status_prediction_without_a_compiler_is_not_yet(no_compilers: None) -> None:
    result = kh.check_status_prediction("error", "int main(void) { return 300; }")
    assert result.ok is None and "this check cannot run your program" in result.message


def _run_exiting_with(code: int, tmp_path: Path) -> Any:
    from kernel_helpers.course.programs import run_wasi
    from tests.wasi_guests import exit_with

    module = tmp_path / f"exit-{code}.wasm"
    module.write_bytes(bytes(wasmtime.wat2wasm(exit_with(code))))
    return run_wasi(module)


def test_status_prediction_compares_with_what_wasmtime_did_to_300(tmp_path: Path) -> None:
    """Issue 28, S3: exercise 1 asked for the import section 3 names (proc_exit). Now the
    learner predicts what the host makes of a status of 300, which no prose states; the
    grade follows the real run (a guest calling proc_exit(300) under wasmtime)."""
    from kernel_helpers.course.nb02 import _status_guess, grade_status_prediction

    refused = _run_exiting_with(300, tmp_path)
    assert refused.stopped and "126" in refused.stopped  # what the check compares with
    assert grade_status_prediction(_status_guess("error"), refused).ok is True
    assert "0-125" in grade_status_prediction(None, refused).message
    wrapped = grade_status_prediction(_status_guess(44), refused)
    wrong(wrapped, "you predicted 44", "a Linux process", "Section 3", "the run failed")
    assert "error" not in (wrapped.hint or "")  # the hint points at the lesson, not the answer
    assert "0-125" in wrapped.message  # graded once (the first stands): the lesson is said
    # Walk 9, S2: "try 125 in the measuring cell" while that cell hard-codes 300.
    assert "change return 300 to return 125" in (wrapped.hint or "")
    wrong(grade_status_prediction(300, refused), "you predicted 300", "Section 3")
    passed = _run_exiting_with(3, tmp_path)  # a status the host takes: compared as a number
    assert grade_status_prediction(3, passed).ok is True
    wrong(grade_status_prediction(None, passed), "a failure", "exit code 3")


def test_the_old_look_up_answer_is_no_longer_an_answer() -> None:
    """The import's name, which section 3's prose gives away, is not a prediction here."""
    result = kh.check_status_prediction("proc_exit", "int main(void) { return 300; }")
    wrong(result, "whole number")


@pytest.fixture
def no_compilers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A learner's laptop without any compiler (KIT_TOOLCHAINS=off hides them all)."""
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    yield
    forget_toolchains()


def test_a_program_is_not_yet_checked_where_there_is_no_compiler(no_compilers: None) -> None:
    for result in (
        kh.check_sum_program("int main(void) { return 0; }"),
        kh.check_sum_in_rust_or_go("fn main() {}", "rust"),
        kh.check_sum_in_rust_or_go("package main\nfunc main() {}", "go"),
        kh.check_greeting_reader("int main(void) { return 0; }"),
    ):
        assert result.ok is None, result.text()
        assert "this check cannot run your program" in result.message and result.hint, result.text()


def test_written_programs_are_asked_for_as_text() -> None:
    wrong(kh.check_sum_program(42), "as a string, got int", "r'''")
    wrong(kh.check_sum_program("  \n"), "empty")
    wrong(kh.check_sum_in_rust_or_go("fn main() {}", "java"), "'java' is not one of", '"rust"')


# --- 03 -------------------------------------------------------------------------------


def test_go_browser_build_line_is_parsed_before_any_go_runs() -> None:
    """Issue 28, S4: exercise 1's answer was section 2's heading (a dict of GOOS/GOARCH).
    Now the learner writes a build line for the browser, which the check runs; a dict, or
    a line that is not ``go build``, is turned back before anything is built."""
    from kernel_helpers.course.nb03 import _build_line

    line = "GOOS=js GOARCH=wasm go build -o hello.wasm hello.go"
    assert _build_line(line) == ({"GOOS": "js", "GOARCH": "wasm"}, ["-o", "hello.wasm", "hello.go"])
    wrong(kh.check_go_browser_build({"GOOS": "wasip1", "GOARCH": "wasm"}), "one shell line")
    wrong(kh.check_go_browser_build("GOOS=js GOARCH=wasm tinygo build"), "one shell line")
    wrong(kh.check_go_browser_build("PATH=/x GOOS=js go build"), "PATH does not choose")
    wrong(kh.check_go_browser_build('GOOS="js go build'), "does not parse")


class Sizes:
    """Stripped sizes per language, shaped like language_sizes()' result."""

    def __init__(self, **stripped: int) -> None:
        self.sizes = stripped

    def stripped(self, lang: str) -> int | None:
        return self.sizes.get(lang)


def test_go_growth_prediction_compares_with_both_modules() -> None:
    """Walk 3, S8: exercise 2 asked for the Rust target section 1 had printed. Now the
    learner predicts how much a whole hash function adds to Go's module; the check measures
    both modules and puts C's pair beside them. Walk 18, S1: with C's two sizes, printed
    nowhere else, so the 9.1× can be checked by hand."""
    hello, sha256 = Sizes(c=3_254, go=2_549_708), Sizes(c=29_674, go=2_588_077)
    result = kh.check_go_growth_prediction(1.0, sha256, hello)
    right(result)
    assert "measured 1.02×" in result.message and "+38,369" in result.message
    assert "C's sha256 weighs 9.1× C's hello (3,254 → 29,674 stripped bytes)" in result.message
    right(kh.check_go_growth_prediction("1.1x", sha256, hello))
    wrong(kh.check_go_growth_prediction(2, sha256, hello), "you predicted 2×", "Section 4's chart")
    wrong(kh.check_go_growth_prediction(0.5, sha256, hello), "can its module be smaller")
    for guess in (2, 0.5):
        assert "1.02" not in (kh.check_go_growth_prediction(guess, sha256, hello).hint or "")
    wrong(kh.check_go_growth_prediction("big", sha256, hello), "number of times")
    missing = kh.check_go_growth_prediction(1.0, Sizes(c=1), hello)
    assert missing.ok is None and "no Go module" in missing.message
    only_go = kh.check_go_growth_prediction(1.0, Sizes(go=2_588_077), Sizes(go=2_549_708))
    assert only_go.ok is True and "C's" not in only_go.message


class BothColumns(Sizes):
    """Section 3's table, both columns, shaped like language_sizes()' result."""

    def __init__(self, built: dict[str, int], **stripped: int) -> None:
        super().__init__(**stripped)
        self.built = built

    def as_built(self, lang: str) -> int | None:
        return self.built.get(lang)


def test_size_ratio_prediction_is_compared_with_the_measured_table() -> None:
    """Issue 28, S4: exercise 3 divided two numbers of section 3's table. Now the learner
    predicts the ratio before the table runs; the check compares with the measured one."""
    table = BothColumns({"go": 3_420_000, "c": 50_000}, go=2_000_000, c=20_000)
    result = kh.check_size_ratio_prediction(60, table)
    right(result)
    assert "measured 100×" in result.message and "runtime" in result.message
    right(kh.check_size_ratio_prediction("190x", table))  # the order of magnitude counts
    low = kh.check_size_ratio_prediction(5, table)
    wrong(low, "you predicted 5×, 20 times too low", "measured 100×", "Section 4")
    assert "100" not in (low.hint or "")  # the hint points at the lesson, not the number
    wrong(kh.check_size_ratio_prediction(1000, table), "10 times too high")
    wrong(kh.check_size_ratio_prediction(0.01, table), "too low")
    as_built = BothColumns({"go": 3_420_000, "c": 9_000}, go=2_000_000, c=20_000)
    wrong(kh.check_size_ratio_prediction(380, as_built), "as built", "stripping")
    wrong(kh.check_size_ratio_prediction("big", table), "number of times")
    skipped = kh.check_size_ratio_prediction(3, Sizes(c=100))
    assert skipped.ok is None and "missing" in skipped.message


def test_the_growth_hint_names_only_bars_the_go_chart_draws() -> None:
    """Walk 7, S10: the hint asked "how much of Go's hello is main", but section 4's chart
    keeps the eight largest packages and main, a few hundred bytes, falls into "other"."""
    hello, sha256 = Sizes(c=3_254, go=2_549_708), Sizes(c=29_674, go=2_588_077)
    hint = kh.check_go_growth_prediction(2, sha256, hello).hint or ""
    assert "runtime" in hint and "is main" not in hint


def test_the_program_name_hints_give_the_reason_not_the_fix() -> None:
    """Walk 7, S11: 03 exercise 4's hint handed over the fix (".skip(1)", "os.Args[1:]",
    "start the loop at i = 1"). Each hint now stops at the reason: argv[0] is the name."""
    from kernel_helpers.course.nb02 import PROGRAM_NAME_HINTS

    for lang, hint in PROGRAM_NAME_HINTS.items():
        assert "program's own name" in hint, lang
        for fix in (".skip(1)", "[1:]", "i = 1", "argv[1]"):
            assert fix not in hint, (lang, hint)


def test_03_asks_for_the_size_prediction_before_section_3s_table() -> None:
    path = next((Path(__file__).parents[2] / "notebooks").glob("03-*.ipynb"))
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    predicted = next(i for i, c in enumerate(code) if c.startswith("size_prediction = ..."))
    table = next(i for i, c in enumerate(code) if 'kh.language_sizes("hello")' in c)
    assert predicted < table


# --- 04 -------------------------------------------------------------------------------


class Preopen:
    """Shaped like the WASI runner's Preopen (host, guest, writable)."""

    def __init__(self, host: str, guest: str, writable: bool = False) -> None:
        self.host, self.guest, self.writable = host, guest, writable


def test_report_grants_ask_for_the_least_access_under_the_programs_names(tmp_path: Path) -> None:
    """Walk 7, S14: exercise 1's answer was cell 16's `data`, copied. Now the program reads
    /input and writes /results, names no cell above grants, and each folder must get the
    least access its work needs."""
    data, out = str(tmp_path / "data"), str(tmp_path / "out")
    good = [Preopen(data, "/input"), Preopen(out, "/results", writable=True)]
    said = kh.check_report_grants(good, data, out)
    right(said)
    assert "/input for reading and /results for writing" in said.message
    right(kh.check_report_grants([(out, "/results", True), (data, "/input")], data, out))
    both_writable = [Preopen(data, "/input", True), Preopen(out, "/results", True)]
    wrong(kh.check_report_grants(both_writable, data, out), "write into /input", "least")
    read_only = [Preopen(data, "/input"), Preopen(out, "/results")]
    wrong(kh.check_report_grants(read_only, data, out), "cannot write its report", "Section 5")
    assert "writable=True" not in (kh.check_report_grants(read_only, data, out).hint or "")
    copied = [Preopen(data, "/data"), Preopen(out, "/out", True)]  # cells 16 and 20's names
    wrong(kh.check_report_grants(copied, data, out), "the program uses /input", "guest side")
    wrong(kh.check_report_grants([Preopen(data, "/input")], data, out), "none of the entries")
    wrong(kh.check_report_grants([Preopen("/tmp", "/input")], data, out), "host side")
    wrong(kh.check_report_grants([], data, out), "empty")
    wrong(kh.check_report_grants([*good, ("/", "/root")], data, out), "3 folders")


def test_the_crash_hint_of_the_greeting_reader_stops_at_the_reason() -> None:
    """Walk 7, S11: a program that read through fopen's NULL was told the fix word for word
    ("Check it: if (f == NULL) { perror(...); return 1; }"). Now the hint says why it
    crashed and asks what to check; the exercise's own text names perror."""
    from kernel_helpers.course.nb04 import _without_the_file
    from kernel_helpers.course.programs import ProgramRun

    crashed = ProgramRun((), "", "", None, 0.01, stopped="trapped: out of bounds memory access")
    result = _without_the_file(crashed)
    assert result is not None
    wrong(result, "without /data, it crashed", "fopen returned NULL", "before it reads")
    assert "NULL)" not in (result.hint or "") and "perror" not in (result.hint or "")


def test_capabilities() -> None:
    right(kh.check_capabilities({"A", "C", "F"}))
    right(kh.check_capabilities(["a", "c", "f"]))
    wrong(kh.check_capabilities({"A", "B", "C", "F"}), "1 of the ones you chose needs")
    wrong(kh.check_capabilities({"A", "F"}), "can do 1 more of them than you chose")
    wrong(kh.check_capabilities({"A", "B", "F"}), "some you chose need a grant", "Sections 3 and 4")
    # Walk 5, S5: "Start with C (get random numbers): a module can do that" named the letter
    # and its verdict, the whole answer of a yes/no statement.
    for letters in ({"A", "F"}, {"A", "B", "C", "F"}, {"B", "D", "E"}):
        said = kh.check_capabilities(letters).text()
        assert "Start with" not in said and not re.search(r"\b[A-F] \(", said), said
    wrong(kh.check_capabilities({"Z"}), "no statement Z")
    assert kh.capability_quiz().count("\n") == len(kh.CAPABILITY_QUIZ) - 1


# --- 05 -------------------------------------------------------------------------------


def test_limit_prediction_is_compared_with_all_four_guests_run_under_all_four_limits() -> None:
    """Issue 28, S6: exercise 1 was a read-off of section 6 ("Still here" lists which
    limit stopped each runaway), and the flood's hint named the answer. Now the learner
    predicts what ends each guest under all four limits at once; the check runs them."""
    from kernel_helpers.course.nb05 import grade_race, measure_race

    measured = measure_race()  # real runs under wasmtime
    assert {k: o.stopped_by for k, o in measured.items()} == {
        "loop": "fuel",
        "bomb": "max_memory",
        "trap": "trap",
        "flood": None,
    }
    truth = {"loop": "fuel", "bomb": "max_memory", "trap": "trap"}
    right(kh.check_limit_prediction({**truth, "flood": "finished"}))
    # The old read-off answer (the flood is the output limit's) is measured wrong now.
    flood = grade_race({**truth, "flood": "output_limit"}, measured)
    wrong(flood, "3 of 4", "flood: finished, you predicted output_limit", "Section 4")
    assert "finished" not in (flood.hint or "")
    loop = grade_race({**truth, "loop": "timeout", "flood": "finished"}, measured)
    wrong(loop, "loop: fuel, you predicted timeout", "Section 1")
    assert "fuel" not in (loop.hint or "").replace("units of fuel", "")
    # Graded once (the first prediction stands), a wrong reply gives the lesson too.
    assert "the loop burns 50 M units in a blink" in loop.message
    both = grade_race({**truth, "loop": "timeout", "flood": "output_limit"}, measured)
    wrong(both, "2 of 4", "Section 1", "Section 4")  # each miss gets its hint
    wrong(kh.check_limit_prediction({"loop": "fuel"}), "(nothing)", "Choose from")
    wrong(kh.check_limit_prediction("fuel"), "a dict")


def test_fuel_budget() -> None:
    small, large = kh.fuel_needed(15), kh.fuel_needed(20)
    assert 0 < small < large
    right(kh.check_fuel_budget(small))
    right(kh.check_fuel_budget(large - 1))
    wrong(kh.check_fuel_budget(small - 1), "runs out", f"{small:,}")
    wrong(kh.check_fuel_budget(large), "finishes as well", f"{large:,}")
    wrong(kh.check_fuel_budget(-5), "whole number")


def solution_answer(notebook: str, number: int) -> Any:
    """The ``answer`` an instructor's solution gives (its code, without the check call)."""
    namespace: dict[str, Any] = {"kh": kh}
    exec(kh.solution(notebook, number).code.rsplit("\n", 1)[0], namespace)
    return namespace["answer"]


#: The solution's loop: the budget must let the instructor's own answer through with room.
FIB_LOOP: str = solution_answer("05", 3)


def test_the_fuel_budget_lets_a_loop_through_with_room_and_stops_the_recursion() -> None:
    from kernel_helpers.course.nb05 import FIB_PROBES, call_fib, fibonacci

    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    loop = wasmtime.Module(engine, FIB_LOOP)
    for n in FIB_PROBES:
        call = call_fib(engine, loop, n, kh.FIB_FUEL_BUDGET)
        assert call.value == fibonacci(n) and 2 * call.fuel_used < kh.FIB_FUEL_BUDGET, call
    assert kh.fuel_needed(max(FIB_PROBES)) > 100 * kh.FIB_FUEL_BUDGET


def test_fib_loop() -> None:
    result = kh.check_fib_loop(FIB_LOOP)
    right(result)
    assert f"{kh.fuel_needed(30):,}" in result.message
    wrong(
        kh.check_fib_loop(kh.FIB_WAT), "fib(30) ran out of fuel", f"{kh.fuel_needed(30):,}", "loop"
    )
    ahead = FIB_LOOP.replace("(local.get $a)))\n", "(local.get $b)))\n")
    wrong(kh.check_fib_loop(ahead), "fib(0) returned 1", "fib(n + 1)")
    wrong(kh.check_fib_loop(FIB_LOOP.replace("(i32.const 1))", "(i32.const 2))", 1)), "fib(0) is 0")
    squares = '(module (func (export "fib") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))'
    wrong(kh.check_fib_loop(squares), "fib(2) returned 4", "sum of the two before")
    wrong(kh.check_fib_loop(FIB_LOOP.replace('"fib"', '"fibo"')), '"fibo", but no "fib"')
    wrong(
        kh.check_fib_loop(FIB_LOOP.replace("i32.eqz", "i32.eqzz")),
        "does not parse",
        "at line 8, column",
    )
    endless = FIB_LOOP.replace("(br_if $done (i32.eqz (local.get $n)))", "")
    wrong(kh.check_fib_loop(endless), "had not finished", "count down")
    wrong(
        kh.check_fib_loop('(module (func (export "fib") (param i64) (result i64) local.get 0))'),
        "(i64)",
        "(param $n i32)",
    )
    wrong(
        kh.check_fib_loop('(module (func (export "fib") (param i32) (result i32) unreachable))'),
        "trapped",
        "unreachable",
    )
    wrong(
        kh.check_fib_loop(
            '(module (func (export "fib") (param i32) (result i32) (call 0 (local.get 0))))'
        ),
        "call stack exhausted",
    )
    imports = (
        '(module (import "env" "add" (func (param i32 i32) (result i32))) '
        '(func (export "fib") (param i32) (result i32) local.get 0))'
    )
    wrong(kh.check_fib_loop(imports), "needs no imports", "env.add")
    wrong(
        kh.check_fib_loop('(module (func (export "fib") (param i32) (result i32) i32.add))'),
        "wasmtime rejects",
    )


# --- every check ----------------------------------------------------------------------

CHECKS: list[tuple[Callable[..., kh.CheckResult], tuple[Any, ...]]] = [
    (kh.check_argc_prediction, (1,)),
    (kh.check_claims_without_docker, ()),
    (kh.check_square, ()),
    (kh.check_what_grows, (ADD_AND_SUB,)),
    (kh.check_import_function, ()),
    (kh.check_status_prediction, ("int main(void) { return 300; }",)),
    (kh.check_debug_share, ()),
    (kh.check_fixed_program, ()),
    (kh.check_sum_program, ()),
    (kh.check_go_browser_build, ()),
    (kh.check_go_growth_prediction, (Sizes(go=2), Sizes(go=1))),
    (kh.check_size_ratio_prediction, (BothColumns({}, go=100, c=1),)),
    (kh.check_sum_in_rust_or_go, ("rust",)),
    (kh.check_report_grants, ("/tmp/data", "/tmp/out")),
    (kh.check_greeting_reader, ()),
    (kh.check_capabilities, ()),
    (kh.check_limit_prediction, ()),
    (kh.check_fuel_budget, ()),
    (kh.check_fib_loop, ()),
    (kh.check_memory_before_growing, ()),
]


PART1_MODULES = {f"kernel_helpers.course.nb{n:02d}" for n in range(6)}


def test_every_public_check_is_listed_here() -> None:
    # the checks of notebooks 06-12 are listed in test_exercises_06_11.py
    public = {
        name
        for name in kh.__all__
        if name.startswith("check_") and getattr(kh, name).__module__ in PART1_MODULES
    }
    assert public == {check.__name__ for check, _ in CHECKS}


@pytest.mark.parametrize("check,before", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_the_placeholder_gets_a_kind_not_yet(
    check: Callable[..., kh.CheckResult], before: tuple[Any, ...]
) -> None:
    result = check(..., *before)
    assert result.ok is None and "Replace ..." in result.message
    assert "✏️" in result.text() and result.status == "not yet"


@pytest.mark.parametrize("check,before", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_nonsense_never_raises(
    check: Callable[..., kh.CheckResult], before: tuple[Any, ...]
) -> None:
    for nonsense in (None, object(), 3.5, {"a": 1}):
        result = check(nonsense, *before)
        assert result.ok is False, (check.__name__, nonsense, result)
        assert result.exercise


def test_results_render_in_a_notebook() -> None:
    html = kh.check_what_grows({"type"}, ADD_AND_SUB)._repr_html_()
    assert "💡" in html and "type section did not grow" in html
    assert "✅" in kh.check_what_grows({"function", "export", "code"}, ADD_AND_SUB)._repr_html_()


def test_answers_of_the_wrong_shape_get_a_kind_specific_hint(tmp_path: Path) -> None:
    wrong(kh.check_claims_without_docker("six"), "not a claim number", "{1, 3}")
    wrong(kh.check_what_grows("seven", ADD_AND_SUB), "not a section name")
    wrong(
        kh.check_report_grants(Preopen(str(tmp_path), "/input"), tmp_path, tmp_path / "out"),
        "square brackets",
    )
    wrong(kh.check_report_grants(["/input"], tmp_path, tmp_path / "out"), "kh.Preopen(")
    wrong(kh.check_capabilities(42), "set of letters")
    for result in (kh.check_what_grows("seven", ADD_AND_SUB), kh.check_capabilities(42)):
        assert "Error" not in result.text()  # no exception names for a shape mistake


def test_debug_share_says_what_stripping_removes_besides_the_debug_share(
    tmp_path: Path,
) -> None:
    """Walk 10, S13: "Stripping removes exactly this share" beside 90.6%, while stripping
    removed 91.0%: producers and target_features go too. The sentence is now computed from
    the module's sections, and agrees with what stripping really removes."""
    from kernel_helpers.course.nb02 import DEBUG_WAT, _what_stripping_removes, debug_share
    from kernel_helpers.toolchains.shrink import strip_custom_sections

    module = tmp_path / "debug-and-producers.wasm"
    module.write_bytes(bytes(wasmtime.wat2wasm(DEBUG_WAT)))
    built = module.read_bytes()
    removed = len(built) - len(strip_custom_sections(built))
    sizes = kh.section_sizes(module)
    other = sizes["custom:producers"] + sizes["custom:name"]
    said = _what_stripping_removes("it", module)
    assert "exactly" not in said
    assert f"and {other} bytes of other custom sections (producers, name)" in said
    assert said.endswith(f"{removed / len(built):.1%} in all")
    debug_only = tmp_path / "debug-only.wasm"
    debug_only.write_bytes(bytes(wasmtime.wat2wasm('(module (@custom ".debug_info" "x"))')))
    assert (
        _what_stripping_removes("it", debug_only) == "Stripping it removes exactly its debug share"
    )
    said = kh.check_debug_share(debug_share).message
    assert "exactly this share" not in said and "Stripping hello (C) " in said


def test_the_growth_hint_points_at_the_line_under_the_chart_too() -> None:
    """Walk 23, S3: the chart counts Go's code only; the line under it adds the data, which
    is runtime too, so the hint sends the learner to both."""
    hello, sha256 = Sizes(c=3_254, go=2_549_708), Sizes(c=29_674, go=2_588_077)
    hint = kh.check_go_growth_prediction(2, sha256, hello).hint or ""
    assert "the line under it" in hint and "data" in hint
