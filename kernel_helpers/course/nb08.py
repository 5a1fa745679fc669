"""Notebook 08 · steady-state compute: the slowdown of wasm against native, and why."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._display import format_seconds
from ..bench.results import native_missing, slowdowns
from .checks import IN_NOTEBOOK, CheckResult, Solution, close, exercise, number, right, wrong


@exercise("08 · exercise 1 (the slowdown)")
def check_slowdown(answer: object, compute: Any, example: str = "fib") -> CheckResult:
    """Notebook 08: wasm time / native time for ``example`` at its largest N."""
    rows = [r for r in slowdowns(compute) if r.example == example]
    if not rows:
        if native_missing(compute, example):
            return wrong(
                "this machine has no compiler for a native build, so there is no slowdown to compute "
                "(wasm alone was timed, from the prebuilt module).",
                "Notebook 00 shows how to get a C compiler (pip install ziglang works anywhere); "
                "then run the measurement cell again.",
            )
        return wrong(f"the compute result has no rows for {example!r}; run the measurement cell first.")
    steady = max(rows, key=lambda r: r.n)
    given = number(answer)
    if close(given, steady.ratio):
        return right(f"yes: {steady.ratio:.2f}× at N={steady.n} (spread {steady.low:.2f}-{steady.high:.2f}×).")
    if close(given, 1 / steady.ratio):
        return wrong("you divided native by wasm.", "A slowdown puts wasm's time on top.")
    return wrong(
        f"{given:.3g} is not the slowdown at N={steady.n}.",
        f"Divide the wasm median ({format_seconds(steady.wasm_s)}) by the native median "
        f"({format_seconds(steady.native_s)}) on the {example} row with the largest N.",
    )


WHY_SLOWER = {
    "a": ("every memory access is bounds-checked (or guarded by virtual memory tricks)", True),
    "b": ("no native SIMD unless the module is built for wasm SIMD", True),
    "c": ("wasmtime interprets the bytecode one instruction at a time", False),
    "d": ("the JIT optimises less aggressively than clang -O2 ahead of time", True),
    "e": ("wasm integers are 64-bit only", False),
}


@exercise("08 · exercise 2 (why slower?)")
def check_why_slower(answer: object) -> CheckResult:
    """Notebook 08: the letters of every true reason in ``WHY_SLOWER`` (a set like {"a"})."""
    if not isinstance(answer, (str, Iterable)):
        return wrong('answer with a set of letters, like {"a", "c"}.')
    items = [answer] if isinstance(answer, str) else list(answer)
    given = {str(a).strip().lower() for a in items}
    unknown = given - set(WHY_SLOWER)
    if unknown:
        return wrong(f"{', '.join(sorted(unknown))} is not one of the choices a-e.")
    truth = {k for k, (_, true) in WHY_SLOWER.items() if true}
    if given == truth:
        return right("yes: bounds checks, no SIMD by default, and a faster but less thorough compiler.")
    not_reasons = given - truth
    if not_reasons:
        letter = sorted(not_reasons)[0]
        reason = {
            "c": "wasmtime compiles the module to machine code with Cranelift before it runs.",
            "e": "wasm has i32 and i64 (and f32, f64); the examples use i32 and i64 like C does.",
        }[letter]
        return wrong(f"({letter}) is not a reason.", reason)
    return wrong("there is more than that.", f"{len(truth - given)} true reason(s) are missing.")


SOLUTIONS = (
    Solution(
        "08", 1,
        """
    answer = compute.variants["wasm fib(35)"].stats.median_s / compute.variants["native fib(35)"].stats.median_s
    kh.check_slowdown(answer, compute, "fib")
    """,
        "The largest N amortises the native process start, so it is the fair steady-state ratio.",
        IN_NOTEBOOK,
    ),
    Solution(
        "08", 2,
        """
    answer = {"a", "b", "d"}
    kh.check_why_slower(answer)
    """,
        "wasmtime compiles to machine code (so not c), and wasm has 64-bit integers too (not e).",
    ),
)
