"""Notebook 02 · C to wasm: the WASI import module, the biggest section, a broken program."""

from __future__ import annotations

from pathlib import Path

from ..wasm.reader import section_sizes
from .checks import CheckResult, Solution, exercise, right, wrong
from .programs import compile_program, program_text, run_wasi


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
    """Notebook 02: C source that compiles to wasm32-wasi and prints ``42``."""
    artifact = compile_program(program_text(source, "c"), "c", name="fixed")
    printed = run_wasi(artifact).printed
    if printed != "42":
        return wrong(
            f"it compiles and runs, but prints {printed!r}.",
            "Give answer a value: declare int answer = 42; before the printf.",
        )
    return right("it compiles, runs under WASI and prints 42.")


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
)
