"""Notebook 05 · limits: which limit stops which runaway guest, and a fuel budget."""

from __future__ import annotations

from collections.abc import Mapping

from .checks import CheckResult, Solution, exercise, right, wrong

LIMIT_NAMES = ("timeout", "fuel", "max_memory", "output_limit")

#: Notebook 05: which limit stops which runaway guest.
LIMIT_QUIZ: dict[str, tuple[set[str], str]] = {
    "endless loop": (
        {"timeout", "fuel"},
        "a loop grows no memory and prints only a little (a tick every million steps, as in §1); "
        "only time or counted instructions end it",
    ),
    "memory bomb": (
        {"max_memory"},
        "it grows linear memory; the memory limit refuses the growth",
    ),
    "output flood": (
        {"output_limit"},
        "it only prints; the output cap keeps the notebook from drowning",
    ),
}


@exercise("05 · exercise 1 (which limit)")
def check_limit_for(answer: object) -> CheckResult:
    """Notebook 05: for each runaway guest, the ``run_wasm`` limit that stops it."""
    if not isinstance(answer, Mapping):
        return wrong('answer with a dict like {"endless loop": "...", ...}.')
    for scenario, (limits, why) in LIMIT_QUIZ.items():
        given = str(answer.get(scenario, "")).strip()
        if not given:
            return wrong(f'say which limit stops the "{scenario}".', f"Choose from {', '.join(LIMIT_NAMES)}.")
        if given not in LIMIT_NAMES:
            return wrong(f"{given!r} is not a limit of run_wasm.", f"Choose from {', '.join(LIMIT_NAMES)}.")
        if given not in limits:
            return wrong(f'{given} is not the limit meant for the "{scenario}".', f"Think about what it does: {why}.")
    return right("yes: each runaway is stopped by the limit that matches what it overuses.")


FIB_WAT = """
(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"""


def fuel_needed(n: int) -> int:
    """Fuel units wasmtime charges for ``fib(n)`` from :data:`FIB_WAT` (notebook 05)."""
    import wasmtime

    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    budget = 10**12
    store.set_fuel(budget)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, FIB_WAT), [])
    fib = instance.exports(store)["fib"]
    assert isinstance(fib, wasmtime.Func)
    fib(store, n)
    return budget - store.get_fuel()


@exercise("05 · exercise 2 (a fuel budget)")
def check_fuel_budget(fuel: object, small: int = 15, large: int = 20) -> CheckResult:
    """Notebook 05: a fuel budget with which ``fib(small)`` finishes but ``fib(large)`` runs out."""
    if not isinstance(fuel, int) or isinstance(fuel, bool) or fuel < 0:
        return wrong(f"fuel is a whole number of units, not {fuel!r}.")
    need_small, need_large = fuel_needed(small), fuel_needed(large)
    if fuel < need_small:
        return wrong(
            f"with {fuel:,} units even fib({small}) runs out of fuel.",
            f"fib({small}) needs {need_small:,}: give at least that.",
        )
    if fuel >= need_large:
        return wrong(
            f"with {fuel:,} units fib({large}) finishes as well.",
            f"fib({large}) needs {need_large:,}: stay below that.",
        )
    return right(
        f"yes: fib({small}) needs {need_small:,} units and fib({large}) {need_large:,}; "
        f"{fuel:,} lets one through and stops the other.",
    )


SOLUTIONS = (
    Solution(
        "05",
        1,
        """
    answer = {"endless loop": "fuel", "memory bomb": "max_memory", "output flood": "output_limit"}
    kh.check_limit_for(answer)
    """,
        "Each limit caps one resource: fuel (or timeout) caps work, max_memory caps memory, "
        "output_limit caps what the guest prints.",
    ),
    Solution(
        "05",
        2,
        """
    answer = (kh.fuel_needed(15) + kh.fuel_needed(20)) // 2
    kh.check_fuel_budget(answer)
    """,
        "Any budget from what fib(15) needs up to just below what fib(20) needs works.",
    ),
)
