"""Instructor solutions to the exercises, revealed only on request: ``kh.solution("01", 1)``.

Kept in the package rather than in the notebooks so that a learner sees them only when
they ask. Each solution is code that a test runs against its ``check_*`` function, so a
solution can never drift from the check that grades it. Introduced in notebook 00.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Solution:
    """One exercise's solution: the code (ending in the check call) and why it is right.

    ``needs`` names what the code needs beyond the kit itself (``"toolchains"``) so tests
    can tell which solutions run everywhere.
    """

    notebook: str
    exercise: int
    code: str
    why: str
    needs: str = ""

    def text(self) -> str:
        return (
            f"Solution to notebook {self.notebook}, exercise {self.exercise}\n\n"
            f"{self.code}\n\n{self.why}"
        )

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return (
            f"<details open><summary><b>Solution: notebook {self.notebook}, exercise "
            f"{self.exercise}</b></summary><pre>{html.escape(self.code)}</pre>"
            f"<p>{html.escape(self.why)}</p></details>"
        )


SOLUTIONS: dict[tuple[str, int], Solution] = {}


def _add(notebook: str, exercise: int, code: str, why: str, needs: str = "") -> None:
    SOLUTIONS[(notebook, exercise)] = Solution(notebook, exercise, code.strip(), why, needs)


_add(
    "00",
    1,
    """
answer = {lang for lang in kh.LANGUAGES if kh.find_toolchain(lang)}
kh.check_languages_here(answer)
""",
    "Read the ✅ rows of the report; the code asks the same question the doctor asks.",
)
_add(
    "00",
    2,
    """
answer = not kh.docker_status().available
kh.check_recorded_data(answer)
""",
    "Recorded data stands in exactly when no Docker daemon answers (or KIT_DOCKER=off).",
)
_add(
    "01",
    1,
    """
answer = '''
(module
  (func $square (export "square") (param $x i32) (result i32)
    local.get $x
    local.get $x
    i32.mul))
'''
kh.check_square(answer)
""",
    "Push x twice on the stack; i32.mul pops both and pushes their product, which is "
    "what the function returns.",
)
_add(
    "01",
    2,
    """
answer = 7
kh.check_section_id("export", answer)
""",
    "Section ids are fixed by the format: 1 type, 2 import, 3 function, 5 memory, "
    "7 export, 10 code, 11 data, 0 custom.",
)
_add(
    "01",
    3,
    """
def answer(x):
    return 2 * x

kh.check_import_function(answer)
""",
    "apply(x) returns transform(x) + 1, so transform must double x. Any Python callable "
    "with the right signature can be a wasm import.",
)
_add(
    "02",
    1,
    """
answer = "wasi_snapshot_preview1"
kh.check_wasi_import_module(answer)
""",
    "wasi-libc turns printf, fopen and friends into calls to functions imported from "
    "wasi_snapshot_preview1; that module name is WASI preview 1.",
)
_add(
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
)
_add(
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
)
_add(
    "03",
    1,
    """
answer = {"GOOS": "wasip1", "GOARCH": "wasm"}
kh.check_go_build_env(answer)
""",
    "Go names WASI preview 1 'wasip1' (Go 1.21+); the architecture is 'wasm'.",
)
_add(
    "03",
    2,
    """
toolchain = kh.find_toolchain("rust")
answer = toolchain.target if toolchain else "wasm32-wasip1"
kh.check_rust_target(answer)
""",
    "Rust 1.78 introduced wasm32-wasip1 and 1.84 removed wasm32-wasi; Debian 12's rustc "
    "1.63 only knows the old name.",
)
_add(
    "03",
    3,
    """
sizes = kh.language_sizes("hello", ["c", "go"])
answer = sizes.stripped("go") / sizes.stripped("c")
kh.check_size_ratio(answer, sizes.stripped("go"), sizes.stripped("c"))
""",
    "Divide the larger size by the smaller. Go's module carries its runtime (garbage "
    "collector, scheduler), which C's does not.",
    needs="toolchains",
)
_add(
    "04",
    1,
    """
from pathlib import Path
import tempfile
with tempfile.TemporaryDirectory() as name:  # removed again after the check
    folder = Path(name)
    answer = [kh.Preopen(str(folder), "/data", writable=False)]
    kh.check_read_only_preopen(answer, folder, "/data")
""",
    "One preopen, host folder to /data, writable=False: the least the program needs.",
    needs="wasi",
)
_add(
    "04",
    2,
    """
answer = {"A", "C", "F"}
kh.check_capabilities(answer)
""",
    "Clock, random numbers and stdout come with WASI; files, network and the host's "
    "environment only if the host hands them over.",
)
_add(
    "05",
    1,
    """
answer = {"endless loop": "fuel", "memory bomb": "max_memory", "output flood": "output_limit"}
kh.check_limit_for(answer)
""",
    "Each limit caps one resource: fuel (or timeout) caps work, max_memory caps memory, "
    "output_limit caps what the guest prints.",
)
_add(
    "05",
    2,
    """
answer = (kh.fuel_needed(15) + kh.fuel_needed(20)) // 2
kh.check_fuel_budget(answer)
""",
    "Any budget from what fib(15) needs up to just below what fib(20) needs works.",
)


def solution(notebook: str | int, exercise: int) -> Solution:
    """The instructor's solution to one exercise; try the exercise first (any notebook)."""
    key = (f"{int(notebook):02d}" if str(notebook).isdigit() else str(notebook), int(exercise))
    if key not in SOLUTIONS:
        from .._errors import KitError

        known = ", ".join(f"{n}/{e}" for n, e in sorted(SOLUTIONS))
        raise KitError(
            f"no solution for notebook {notebook}, exercise {exercise}",
            fix=f"ask for one of: {known}",
        )
    return SOLUTIONS[key]
