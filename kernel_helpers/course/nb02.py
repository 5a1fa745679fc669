"""Notebook 02 · C to wasm: the WASI import module, the biggest section, a broken program."""

from __future__ import annotations

import re
from pathlib import Path

from ..wasm.reader import section_sizes
from .checks import CheckResult, Solution, exercise, right, wrong
from .programs import (
    ProgramRun,
    compile_program,
    exit_code_hint,
    program_text,
    run_wasi,
    with_arguments,
)


@exercise("02 · exercise 1 (the WASI import module)")
def check_wasi_import_module(answer: str) -> CheckResult:
    """Notebook 02: the module name every WASI preview 1 system call is imported from."""
    given = str(answer).strip().strip("\"'")
    if given == "wasi_snapshot_preview1":
        return right(
            "yes: wasi_snapshot_preview1, WASI's first stable snapshot (now called preview 1).",
        )
    hints = {
        "wasi": "close: the name carries the snapshot it belongs to.",
        "wasi_unstable": "that was the name before preview 1 was frozen; modules today use the newer one.",
        "env": "env is where a linker puts symbols it could not resolve; system calls come from elsewhere.",
        "wasi_snapshot_preview2": "there is no such module: preview 2 uses the component model instead.",
    }
    hint = hints.get(
        given.lower(), "Read the 'module' column of the imports table of the C module."
    )
    return wrong(f"{given!r} is not it.", hint)


@exercise("02 · exercise 2 (biggest section)")
def check_biggest_section(module: bytes | str | Path, answer: str) -> CheckResult:
    """Notebook 02: the name of the largest section of ``module`` (as in the breakdown chart)."""
    sizes = section_sizes(module)
    ranked = sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)
    biggest, biggest_size = ranked[0]
    given = str(answer).strip()
    if given in ("custom", "debug") and biggest.startswith("custom:"):
        given = biggest
    if given == biggest or f"custom:{given}" == biggest:
        return right(f"yes: {biggest}, {biggest_size:,} of {sum(sizes.values()):,} bytes.")
    if given not in sizes and f"custom:{given}" not in sizes:
        names = ", ".join(sizes)
        return wrong(f"this module has no section {given!r}.", f"Its sections: {names}.")
    size = sizes.get(given, sizes.get(f"custom:{given}", 0))
    return wrong(
        f"{given} is {size:,} bytes; one section is bigger.",
        "Look for the longest bar in the breakdown chart.",
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
PROGRAM_NAME_HINTS = {
    "c": "argv[0] is the program's own name; the numbers start at argv[1], so start the "
    "loop at i = 1.",
    "rust": "std::env::args() starts with the program's own name: skip it with .skip(1).",
    "go": "os.Args[0] is the program's own name: range over os.Args[1:].",
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
    return wrong(f"{when} it printed {printed}, but the sum is {expected}.", NUMBER_HINTS[lang])


def grade_sum_program(source: object, lang: str) -> CheckResult:
    """Compile a program that prints the sum of its arguments and run it with each of
    :data:`SUM_CASES` (notebooks 02 and 03 share this)."""
    artifact = compile_program(program_text(source, lang), lang, name="sum")
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
    answer = "wasi_snapshot_preview1"
    kh.check_wasi_import_module(answer)
    """,
        "wasi-libc turns printf, fopen and friends into calls to functions imported from "
        "wasi_snapshot_preview1; that module name is WASI preview 1.",
    ),
    Solution(
        "02",
        2,
        """
    module = kh.wasm_module("hello", "c")
    sizes = kh.section_sizes(module.path)
    answer = max(sizes, key=sizes.get)
    kh.check_biggest_section(module.path, answer)
    """,
        "The longest bar of the breakdown: for an unstripped build it is usually debug "
        "information (custom:.debug_*), for a stripped one the code section.",
        needs="toolchains",
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
