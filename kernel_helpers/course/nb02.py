"""Notebook 02 · C to wasm: what the host makes of an exit status of 300, how much is debug
information, a broken program, a program of your own."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ..toolchains.build import Artifact
from ..toolchains.prebuilt import wasm_module
from ..toolchains.shrink import strip_custom_sections
from ..wasm.reader import section_sizes
from .checks import (
    CheckResult,
    Solution,
    Unusable,
    exercise,
    prediction_exercise,
    right,
    states_measurement,
    wrong,
)
from .programs import (
    LanguageSetting,
    ProgramRun,
    compile_program,
    exit_code_hint,
    program_text,
    run_wasi,
    wat_bytes,
    with_arguments,
)

#: What a learner may write to predict that the run fails rather than reports a status.
FAILS = ("error", "fails", "failed", "trap", "refused")


def _status_guess(prediction: object) -> int | None:
    """The predicted exit status, or None for "the run fails"; :class:`Unusable` otherwise."""
    if isinstance(prediction, str) and prediction.strip().strip("\"'").lower() in FAILS:
        return None
    if isinstance(prediction, int) and not isinstance(prediction, bool):
        return prediction
    if isinstance(prediction, str) and prediction.strip().lstrip("-").isdigit():
        return int(prediction.strip())
    raise Unusable('give the exit code you expect as a whole number, like 7, or "error".')


#: Where the exercise's lesson is, for every wrong prediction.
STATUS_HINT = (
    "Section 3: _start hands main's status to proc_exit, and the host decides what to do "
    "with it. In the measuring cell, change return 300 to return 125, then to 126, and run "
    "it again: where does the host's answer change?"
)
#: Exercise 1's lesson where the host refused the status, said whatever the prediction.
REFUSED_LESSON = (
    "wasmtime takes exit statuses 0-125 only, because shells keep 126 and up for themselves "
    "(126: cannot run, 127: not found, 128+n: killed by signal n); rather than wrap 300 to 44 "
    "as Linux would, it refuses, so a guest can never pass for a process a signal killed."
)
#: The lesson where the host passed the status on (a status it takes, such as 125).
PASSED_LESSON = (
    "proc_exit carried main's status out, and this host passed it on as a process would."
)


def _said(guess: int | None) -> str:
    return "a failure" if guess is None else str(guess)


def grade_status_prediction(guess: int | None, run: ProgramRun) -> CheckResult:
    """The prediction (an exit code, or None for "the run fails") against ``run``, the
    measured run of a program whose main returns 300. Either reply states the measurement
    and the lesson: the first prediction graded is the answer (:func:`prediction_exercise`)."""
    if run.stopped:
        printed = " after the program printed its line" if run.stdout.strip() else ""
        measured = f"the run failed{printed}: {run.stopped}"
        if guess is None:
            return states_measurement(
                right(f"it fails, as you predicted: {measured}. {REFUSED_LESSON}")
            )
        linux = " (the status a Linux process reports: 300 - 256)" if guess == 300 % 256 else ""
        return states_measurement(
            wrong(
                f"you predicted {guess}{linux}; measured: {measured}. {REFUSED_LESSON}",
                STATUS_HINT,
            )
        )
    measured = f"the host reported exit code {run.exit_code}"
    if guess == run.exit_code:
        return states_measurement(right(f"{guess}, as you predicted: {measured}. {PASSED_LESSON}"))
    return states_measurement(
        wrong(f"you predicted {_said(guess)}; {measured}. {PASSED_LESSON}", STATUS_HINT)
    )


@prediction_exercise("02 · exercise 1 (predict, then measure: a status of 300)")
def check_status_prediction(prediction: object, source: object) -> CheckResult:
    """Notebook 02: the exit code the learner predicted for ``source`` (hello whose main
    returns 300), or "error", against compiling and running it here."""
    guess = _status_guess(prediction)
    artifact = compile_program(program_text(source, "c"), "c", name="hello-returns-300")
    return grade_status_prediction(guess, run_wasi(artifact.path))


def debug_share(module: str | Path) -> float:
    """The share of ``module``'s bytes in debug sections (custom sections named ``.debug*``)."""
    sizes = section_sizes(module)
    debug = sum(size for label, size in sizes.items() if label.startswith("custom:.debug"))
    return debug / sum(sizes.values())


def _custom_share(module: str | Path) -> float:
    sizes = section_sizes(module)
    return sum(size for label, size in sizes.items() if label.startswith("custom:")) / sum(
        sizes.values()
    )


#: How far a share may be from the truth: far below the name and producers sections'
#: share of hello (C) (about 0.004), above what leaving out the 8-byte header changes.
SHARE_TOLERANCE = 0.0005


def _share_mistake(given: float, module: str | Path) -> str:
    """A hint for the usual ways a share comes out wrong, or a general one."""
    truth = debug_share(module)
    if truth and abs(given - 100 * truth) <= 0.5:
        return "That looks like a percentage: give a share between 0 and 1."
    if abs(given - (1 - truth)) <= SHARE_TOLERANCE:
        return "That is the share of everything else: the debug sections are the part to add up."
    if abs(given - _custom_share(module)) <= SHARE_TOLERANCE:
        return (
            "producers, target_features and name are custom sections too, but not debug "
            "information: add up only the labels that start with custom:.debug."
        )
    return (
        "Add up the sizes whose label starts with custom:.debug and divide by the sum of "
        "all the sizes: kh.section_sizes counts every byte of the file."
    )


#: A module with a debug section, a producers and a name section: the prebuilt modules that
#: stand in without a compiler are stripped, so this one keeps the exercise meaningful.
DEBUG_WAT = """
(module
  (@custom ".debug_info" "debug information stands in here, for debuggers only")
  (@producers (language "WAT" "1"))
  (func $nothing (export "nothing")))
"""


#: A dotted version number inside a tool's version line ("... clang version 19.1.7 (...)").
VERSION_NUMBER = re.compile(r"\d+(?:\.\d+)+")


def _version_number(text: str) -> str | None:
    match = VERSION_NUMBER.search(text)
    return match[0] if match else None


def producers_note(artifact: Artifact, producers: dict[str, list[str]]) -> str | None:
    """One line when the module's ``processed-by`` entry for the compiler's own tool names
    another version than the compiler that built it (the linker keeps one version per tool,
    which may be that of a library's start-up objects); None when they agree, or when the
    entry names another tool. Notebook 02, section 3."""
    built_with = _version_number(artifact.version)
    if built_with is None:
        return None
    words = set(artifact.version.split())
    for entry in producers.get("processed-by", []):
        tool, _, entry_version = entry.rpartition(" ")
        same_tool = bool(tool) and tool.split()[-1] in words
        if same_tool and _version_number(entry_version) not in (None, built_with):
            return (
                f"processed-by names {entry}, yet {tool.split()[-1]} {built_with} compiled "
                f"{artifact.path.name}: the entry comes from another object the linker "
                "took in (explained below)"
            )
    return None


def _how_made(artifact: Artifact) -> str:
    """'prebuilt' for the shipped (stripped) module that stands in, else 'as built'."""
    return "prebuilt" if artifact.prebuilt else "as built"


@exercise("02 · exercise 2 (how much is debug information)")
def check_debug_share(func: object) -> CheckResult:
    """Notebook 02: a function giving the share of a module's bytes that is debug
    information, tried on hello (C) as built and stripped, hello (C++) and a hand-made one."""
    if not callable(func):
        return wrong(f"expected a Python function of a module's path, got {type(func).__name__}.")
    with tempfile.TemporaryDirectory(prefix="kit-debug-share-") as folder:
        c_hello, cpp_hello = wasm_module("hello", "c"), wasm_module("hello", "cpp")
        stripped = Path(folder) / "hello-c-stripped.wasm"
        stripped.write_bytes(strip_custom_sections(c_hello.path.read_bytes()))
        hand_made = Path(folder) / "hand-made.wasm"
        hand_made.write_bytes(wat_bytes(DEBUG_WAT))
        modules = {
            f"hello (C) {_how_made(c_hello)}": c_hello.path,
            "hello (C) stripped": stripped,
            f"hello (C++) {_how_made(cpp_hello)}": cpp_hello.path,
            "a hand-made module": hand_made,  # debug info even where prebuilt modules stand in
        }
        found = []
        for name, module in modules.items():
            try:
                given = float(func(module))
            except Exception as err:  # the learner's function may raise anything
                return wrong(
                    f"your function failed on {name}: {type(err).__name__}: {err}.",
                    "It receives the module's path; kh.section_sizes(path) reads it.",
                )
            if abs(given - debug_share(module)) > SHARE_TOLERANCE:
                return wrong(
                    f"for {name} your function gives {given:.3f}.", _share_mistake(given, module)
                )
            found.append(f"{name} {given:.1%}")
        stripping = _what_stripping_removes(f"hello (C) {_how_made(c_hello)}", c_hello.path)
    return right(
        f"yes: {', '.join(found)}. {stripping}, and the program runs the same: the debug "
        "information is for debuggers, not for the runtime."
    )


def _what_stripping_removes(name: str, module: Path) -> str:
    """What stripping takes out of ``module``, from its sections: its debug share alone, or
    that share and the other custom sections too (walk 10, S13: "removes exactly this
    share" was false where producers and target_features go as well)."""
    sizes = section_sizes(module)
    others = {
        label.removeprefix("custom:"): size
        for label, size in sizes.items()
        if label.startswith("custom:") and not label.startswith("custom:.debug")
    }
    if not others:
        return f"Stripping {name} removes exactly its debug share"
    removed = sum(size for label, size in sizes.items() if label.startswith("custom:"))
    return (
        f"Stripping {name} removes its debug share and {sum(others.values())} bytes of other "
        f"custom sections ({', '.join(others)}): {removed / sum(sizes.values()):.1%} in all"
    )


BROKEN_C = """#include <stdio.h>
int main(void) {
    printf("%d\\n", answer);
    return 0
}
"""


@exercise("02 · exercise 3 (fix the program)")
def check_fixed_program(source: object) -> CheckResult:
    """Notebook 02: C source that compiles to wasm32-wasi, prints ``42`` and ends with exit
    code 0, as the broken program meant to (``return 0``) and as exercise 4 asks too."""
    artifact = compile_program(program_text(source, "c"), "c", name="fixed")
    run = run_wasi(artifact)
    if run.printed != "42":
        return wrong(
            f"it compiles and runs, but prints {run.printed!r}.",
            "Give answer a value: declare int answer = 42; before the printf.",
        )
    failed = run.failure()
    if failed is not None:
        return wrong(
            f"it prints 42, but {failed}.",
            "The broken program meant to end with return 0; (it only lacked the semicolon): "
            "exit code 0 tells the shell, or a container runtime, that all went well.",
        )
    return right("it compiles, runs under WASI, prints 42 and ends with exit code 0.")


#: The argument lists the sum check runs a program with; the sums are computed from them.
SUM_CASES: tuple[tuple[str, ...], ...] = ((), ("1", "2", "3"), ("-4", "10"), ("40", "2"))

#: The name the sum check gives the program (its argv[0]). It starts with a digit so that
#: a loop that also reads argv[0] as a number is off by that number, not silently right
#: (C's atoi reads the name "sum.wasm" as 0).
SUM_PROGRAM_NAME = "7sum.wasm"

#: Where each language keeps the program's own name among its arguments.
#: Each stops at the reason (walk 7, S11): the learner works out the fix.
PROGRAM_NAME_HINTS = {
    "c": "argv[0] is the program's own name, not a number: which argv holds the first number?",
    "rust": "std::env::args() starts with the program's own name: what does parse make of it?",
    "go": "os.Args[0] is the program's own name: what does strconv.Atoi make of it?",
}

#: How each language turns an argument into a number, and prints the sum.
NUMBER_HINTS = {
    "c": 'Turn each argument into a number with atoi(argv[i]) and print with printf("%d\\n", sum).',
    "rust": 'Parse each argument with arg.parse::<i64>() and print with println!("{}", sum).',
    "go": "Convert each argument with strconv.Atoi(arg) and print with fmt.Println(sum).",
}


def _leading_number(name: str) -> int:
    """What C's atoi reads from ``name``: the digits it starts with, or 0."""
    match = re.match(r"[+-]?\d+", name)
    return int(match[0]) if match else 0


def _failure_hint(run: ProgramRun, lang: str) -> str:
    """Why a sum program may have stopped or failed with these arguments."""
    if not run.args:
        if SUM_PROGRAM_NAME in run.stderr or "ParseIntError" in run.stderr:
            return PROGRAM_NAME_HINTS[lang]
        return (
            "With no arguments there is nothing to add: print 0, the sum of no numbers, "
            "and end with exit code 0."
        )
    if run.exit_code:
        return exit_code_hint("sum")
    return f"{NUMBER_HINTS[lang]} Negative numbers like -4 must work too."


def _sum_failure(run: ProgramRun, lang: str) -> CheckResult | None:
    """What is wrong with one run of a sum program, or None if it printed the sum."""
    expected = sum(int(arg) for arg in run.args)
    when = with_arguments(run.args)
    failed = run.failure()
    if failed is not None:
        return wrong(f"{when}, {failed}.", _failure_hint(run, lang))
    if not run.printed:
        if not run.args:
            return wrong(
                f"{when} it printed nothing.",
                "The sum of no numbers is 0: print the "
                "sum after the loop, even when the loop never runs.",
            )
        return wrong(f"{when} it printed nothing.", NUMBER_HINTS[lang])
    try:
        printed = int(run.printed)
    except ValueError:
        return wrong(
            f"{when} it printed {run.printed!r}, not just a number.",
            "Print the sum alone, with nothing around it: the check reads a number.",
        )
    if printed == expected:
        return None
    from_name = _leading_number(SUM_PROGRAM_NAME)
    if printed - expected == from_name:
        return wrong(
            f"{when} it printed {printed}, but the sum is {expected}: {from_name} too many.",
            f"The check names your program {SUM_PROGRAM_NAME}, and atoi reads {from_name} "
            f"from that name. {PROGRAM_NAME_HINTS[lang]}",
        )
    if run.args and expected - printed in (int(run.args[0]), int(run.args[-1])):
        # Walk 9, S3: a loop to argc - 1 printed 3 for 1 2 3, and the hint spoke of atoi.
        return wrong(
            f"{when} it printed {printed}, but the sum is {expected}: one argument short.",
            "Your program reads the numbers but leaves one out: which one? Look at where "
            "your loop starts and where it stops.",
        )
    return wrong(f"{when} it printed {printed}, but the sum is {expected}.", NUMBER_HINTS[lang])


def grade_sum_program(
    source: object, lang: str, *, setting: LanguageSetting | None = None
) -> CheckResult:
    """Compile a program that prints the sum of its arguments and run it with each of
    :data:`SUM_CASES` (notebooks 02, 03 and 09 share this); ``setting`` is how the learner
    chose ``lang``, if they did, for a program that reads like another language."""
    artifact = compile_program(program_text(source, lang), lang, name="sum", setting=setting)
    for args in SUM_CASES:
        failure = _sum_failure(run_wasi(artifact, args, argv0=SUM_PROGRAM_NAME), lang)
        if failure is not None:
            return failure
    tried = "; ".join(" ".join(args) or "(none)" for args in SUM_CASES)
    return right(f"it compiles to wasm and prints the right sum for every argument list ({tried}).")


@exercise("02 · exercise 4 (a program that adds)")
def check_sum_program(source: object) -> CheckResult:
    """Notebook 02: a C program printing the sum of its whole-number arguments (0 for none)."""
    return grade_sum_program(source, "c")


SOLUTIONS = (
    Solution(
        "02",
        1,
        """
    prediction = "error"  # written before the measuring cell ran
    returns_300 = kh.source_path("hello", "c").read_text().replace("return 0;", "return 300;")
    kh.check_status_prediction(prediction, returns_300)
    """,
        "main's 300 goes to proc_exit, and wasmtime accepts statuses 0-125 only: shells keep "
        "126 and up (128+n means killed by signal n), so it refuses the exit rather than wrap "
        "300 to 44 as a Linux process would. The line is printed first; the failure comes at "
        "the exit.",
        needs="toolchains",
    ),
    Solution(
        "02",
        2,
        """
    def answer(path):
        sizes = kh.section_sizes(path)
        debug = sum(size for label, size in sizes.items() if label.startswith("custom:.debug"))
        return debug / sum(sizes.values())

    kh.check_debug_share(answer)
    """,
        "section_sizes counts every byte of the file, header included, so its values add up to "
        "the file's size; the debug sections are the custom ones named .debug_*. The name and "
        "producers sections are custom too, but hold names and tool versions, not debug information.",
    ),
    Solution(
        "02",
        3,
        r"""
    answer = r'''#include <stdio.h>
    int main(void) {
        int answer = 42;
        printf("%d\n", answer);
        return 0;
    }
    '''
    kh.check_fixed_program(answer)
    """,
        "Two errors, two fixes: declare answer before using it, and end the return statement "
        "with a semicolon. The compiler's first complaint is usually the one to fix first.",
        needs="toolchains",
    ),
    Solution(
        "02",
        4,
        r"""
    answer = r'''#include <stdio.h>
    #include <stdlib.h>

    int main(int argc, char **argv) {
        long sum = 0;
        for (int i = 1; i < argc; i++)
            sum += atol(argv[i]);
        printf("%ld\n", sum);
        return 0;
    }
    '''
    kh.check_sum_program(answer)
    """,
        "argv[0] is the program's own name, so the numbers are argv[1] to argv[argc - 1]. "
        "With no arguments the loop never runs and the program prints 0, the sum of nothing.",
        needs="toolchains",
    ),
)
