"""Notebook 05 · limits: what ends each guest under all four limits at once, a fuel budget, and a
Fibonacci that fits in one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import wasmtime

from .._errors import root_cause
from ..wasm import guests
from ..wasm.guests import MEMORY_BOMB, Outcome, run_guarded
from .checks import (
    CheckResult,
    Solution,
    Unusable,
    exercise,
    number,
    prediction_exercise,
    right,
    states_measurement,
    wrong,
)
from .programs import pure_function_problem, wat_bytes

LIMIT_NAMES = ("timeout", "fuel", "max_memory", "output_limit")
#: What else can end a run: the guest's own end, or a trap it hits.
ENDINGS = (*LIMIT_NAMES, "trap", "finished")

#: Exercise 1: all four limits at once, on every guest of sections 1-4.
ALL_LIMITS: dict[str, Any] = {
    "timeout": 2.0,
    "fuel": 50_000_000,
    "max_memory": 4 * 1024 * 1024,
    "output_limit": 1024,
}
#: The guests of sections 1-4, by the name the exercise gives them.
RACE_GUESTS = {
    "loop": "ENDLESS_LOOP",
    "bomb": "MEMORY_BOMB",
    "trap": "DEEP_TRAP",
    "flood": "OUTPUT_FLOOD",
}
#: Per guest, the section whose lesson a wrong prediction sends the learner back to.
RACE_HINTS = {
    "loop": "Section 1: how long does the loop take to burn 50,000,000 units of fuel, "
    "against 2 seconds of wall-clock time?",
    "bomb": "Section 2: what does the bomb use up first, and how much work is each grow?",
    "trap": "Section 3: does anything need to stop a guest that cannot go on?",
    "flood": "Section 4: does the output limit stop a guest, or only keep part of what "
    "it prints? Which of the four limits would ever fire on a guest that ends on its own?",
}


def _ending(outcome: Outcome) -> str:
    """What ended a run, in the exercise's words."""
    return outcome.stopped_by or "finished"


def measure_race() -> dict[str, Outcome]:
    """Every guest of sections 1-4 under all four limits at once."""
    return {
        name: run_guarded(getattr(guests, constant), (), **ALL_LIMITS)
        for name, constant in RACE_GUESTS.items()
    }


#: Per guest, why it ends as it does under all four limits: the lesson, said whatever the
#: prediction (the first one graded is the answer), for the ending measured here.
RACE_LESSONS = {
    ("loop", "fuel"): "fuel fires long before 2 s, since the loop burns 50 M units in a blink",
    ("bomb", "max_memory"): "the bomb meets the memory cap at its first grows",
    ("trap", "trap"): "the trap needs no limit",
    ("flood", "finished"): "the flood finishes by itself, with the output limit keeping only "
    "the first KiB of what it printed",
}


@prediction_exercise("05 · exercise 1 (predict, then measure: all four limits at once)")
def check_limit_prediction(prediction: object) -> CheckResult:
    """Notebook 05: what ends each guest when all four limits are set, predicted, against
    running each of them so here."""
    if not isinstance(prediction, Mapping):
        raise Unusable('answer with a dict like {"loop": "...", ...}.')
    guesses = {name: str(prediction.get(name, "")).strip() for name in RACE_GUESTS}
    for name, given in guesses.items():
        if given not in ENDINGS:
            raise Unusable(
                f'{given or "(nothing)"!s} for the "{name}" is not one of the endings.',
                f"Choose from {', '.join(ENDINGS)}.",
            )
    return grade_race(guesses, measure_race())


def _race_lesson(measured: Mapping[str, Outcome]) -> str:
    """Why each guest ended as measured: its limit, or what the run said."""
    parts = [
        RACE_LESSONS.get((name, _ending(o)), f"the {name}: {o.message.splitlines()[0]}")
        for name, o in measured.items()
    ]
    return (
        "Each limit caps one resource, and the first to run out ends the run: "
        f"{'; '.join(parts[:-1])}; and {parts[-1]}."
    )


def grade_race(guesses: Mapping[str, str], measured: Mapping[str, Outcome]) -> CheckResult:
    """The predicted endings against the measured ones, guest by guest, and the lesson;
    each miss gets its hint."""
    missed = [name for name, o in measured.items() if guesses[name] != _ending(o)]
    if not missed:
        found = "; ".join(f"{name}: {_ending(o)}" for name, o in measured.items())
        return states_measurement(
            right(f"all four as you predicted ({found}). {_race_lesson(measured)}")
        )
    compared = "; ".join(
        f"{name}: {_ending(o)}, you predicted {guesses[name]} ({o.message.splitlines()[0]})"
        if name in missed
        else f"{name}: {_ending(o)}, as you predicted"
        for name, o in measured.items()
    )
    return states_measurement(
        wrong(
            f"{len(measured) - len(missed)} of {len(measured)} as you predicted. Measured, "
            f"guest by guest: {compared}. {_race_lesson(measured)}",
            " ".join(RACE_HINTS[name] for name in missed),
        )
    )


FIB_WAT = """
(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"""


#: Fuel for one call of a learner's fib when the question is "how much would it need":
#: far more than any fib(n) the check asks for, yet a loop that never ends stops at it
#: within a second or two.
FUEL_CAP = 10**9
#: Fuel for one call of FIB_WAT in :func:`fuel_needed`, which always ends: as good as none.
FIB_WAT_FUEL = 10**12


@dataclass(frozen=True)
class FibCall:
    """One call of an exported ``fib`` on a fuel budget: what it returned (None if it
    trapped), the fuel it burnt, and the trap, if one stopped it."""

    n: int
    value: int | None
    fuel_used: int
    trap: wasmtime.Trap | None = None

    @property
    def out_of_fuel(self) -> bool:
        return self.trap is not None and self.trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL


def _fuel_engine() -> wasmtime.Engine:
    config = wasmtime.Config()
    config.consume_fuel = True
    return wasmtime.Engine(config)


def call_fib(engine: wasmtime.Engine, module: wasmtime.Module, n: int, budget: int) -> FibCall:
    """Call ``fib(n)`` of ``module`` (compiled by ``engine``, which counts fuel) in a fresh
    store given ``budget`` units of fuel; a trap is returned, not raised."""
    store = wasmtime.Store(engine)
    fib = wasmtime.Instance(store, module, []).exports(store)["fib"]
    assert isinstance(fib, wasmtime.Func)
    store.set_fuel(budget)  # after instantiating: only the call is counted
    try:
        value = fib(store, n)
    except wasmtime.Trap as trap:
        return FibCall(n, None, budget - store.get_fuel(), trap)
    return FibCall(n, int(value), budget - store.get_fuel())


def fuel_needed(n: int) -> int:
    """Fuel units wasmtime charges for ``fib(n)`` from :data:`FIB_WAT` (notebook 05)."""
    engine = _fuel_engine()
    return call_fib(engine, wasmtime.Module(engine, FIB_WAT), n, FIB_WAT_FUEL).fuel_used


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


#: Exercise 3's fuel budget for each call of the learner's ``fib``. Chosen from what
#: wasmtime charges: a loop needs a few hundred units for fib(30), FIB_WAT's recursion
#: millions (tests/unit/test_exercises.py checks both sides against this number).
FIB_FUEL_BUDGET = 2_000
#: The numbers exercise 3 calls ``fib`` with, each call on a budget of its own.
FIB_PROBES = (0, 1, 2, 10, 30)


TRAP_HINT = (
    "A trap stops the function at once. Look at the instruction it names, and at the "
    "loop's exit: does every value it uses start where you think?"
)
ENDLESS_HINT = (
    "A loop runs until a br_if (or br) leaves it: make n count down each round, and leave "
    "the block once it reaches 0."
)


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number, as the exercise defines it: fib(0) = 0, fib(1) = 1."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def _fib_export(wasm: bytes) -> CheckResult | None:
    """What is wrong with the module's shape (its exports and imports), or None."""
    return pure_function_problem(
        wasm,
        "fib",
        'Export the function: (func $fib (export "fib") (param $n i32) (result i32) ...).',
    )


def _signature_problem(engine: wasmtime.Engine, module: wasmtime.Module) -> CheckResult | None:
    store = wasmtime.Store(engine)
    try:
        fib = wasmtime.Instance(store, module, []).exports(store)["fib"]
    except (wasmtime.Trap, wasmtime.WasmtimeError) as err:  # a start function that fails
        return wrong(
            f"wasmtime could not instantiate the module: {root_cause(err)}.",
            "fib needs nothing but itself: a module with one function, no (start ...).",
        )
    assert isinstance(fib, wasmtime.Func)
    params = [str(p) for p in fib.type(store).params]
    results = [str(r) for r in fib.type(store).results]
    if params == ["i32"] and results == ["i32"]:
        return None
    return wrong(
        f"fib takes ({', '.join(params)}) and returns ({', '.join(results)}).",
        "Like kh.FIB_WAT it takes one i32 and returns one i32: (param $n i32) (result i32).",
    )


def _trap_problem(call: FibCall, engine: wasmtime.Engine, module: wasmtime.Module) -> CheckResult:
    """Why ``fib(n)`` did not return: out of fuel (and what it would need), or a trap."""
    n = call.n
    if not call.out_of_fuel:
        return wrong(f"fib({n}) trapped: {root_cause(call.trap or 'trap')}.", TRAP_HINT)
    said = f"fib({n}) ran out of fuel: the budget is {FIB_FUEL_BUDGET:,} units"
    needs = call_fib(engine, module, n, FUEL_CAP)
    if needs.out_of_fuel:
        return wrong(f"{said}, and it had not finished after {FUEL_CAP:,}.", ENDLESS_HINT)
    if needs.trap is not None:
        return wrong(f"{said}, and with more it traps: {root_cause(needs.trap)}.", TRAP_HINT)
    return wrong(
        f"{said}, and it needs {needs.fuel_used:,}.",
        f"The recursive kh.FIB_WAT needs {fuel_needed(n):,} units for fib({n}), because it "
        "computes the same smaller numbers again and again. A loop that keeps the last two "
        "numbers and adds them needs far fewer.",
    )


def _value_problem(calls: list[FibCall]) -> CheckResult | None:
    """What is wrong with the values ``fib`` returned, or None if all are right."""
    off = [c for c in calls if c.value != fibonacci(c.n)]
    if not off:
        return None
    first = off[0]
    said = f"fib({first.n}) returned {first.value}, but it is {fibonacci(first.n)}."
    if all(c.value == fibonacci(c.n + 1) for c in off):
        return wrong(
            said,
            "Your fib(n) returns fib(n + 1): one round of the loop too many, or "
            "the wrong one of your two numbers returned.",
        )
    if all(c.n > 0 and c.value == fibonacci(c.n - 1) for c in off):
        return wrong(said, "Your fib(n) returns fib(n - 1): one round of the loop too few.")
    if first.n < 2:
        return wrong(
            said,
            "fib(0) is 0 and fib(1) is 1: like kh.FIB_WAT, return n itself when "
            "n is below 2, or start the loop from the numbers 0 and 1.",
        )
    return wrong(said, "Each number is the sum of the two before it: 0, 1, 1, 2, 3, 5, 8, ...")


@exercise("05 · exercise 3 (Fibonacci on a budget)")
def check_fib_loop(wat: object) -> CheckResult:
    """Notebook 05: WAT exporting ``fib`` (i32 -> i32) that computes fib(n) with a loop, so
    that each call of :data:`FIB_PROBES` finishes within :data:`FIB_FUEL_BUDGET` units."""
    wasm = wat_bytes(wat)
    shape = _fib_export(wasm)
    if shape is not None:
        return shape
    engine = _fuel_engine()
    try:
        module = wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as err:
        return wrong(
            "the text parses, but wasmtime rejects the module.",
            f"{root_cause(err)}. Each instruction pops its inputs off the stack: count what "
            "is there before each one.",
        )
    problem = _signature_problem(engine, module)
    if problem is not None:
        return problem
    calls = [call_fib(engine, module, n, FIB_FUEL_BUDGET) for n in FIB_PROBES]
    stopped = next((c for c in calls if c.trap is not None), None)
    if stopped is not None:
        return _trap_problem(stopped, engine, module)
    problem = _value_problem(calls)
    if problem is not None:
        return problem
    largest = calls[-1]
    return right(
        f"fib({largest.n}) = {largest.value:,} in {largest.fuel_used:,} units of fuel; the "
        f"recursive kh.FIB_WAT needs {fuel_needed(largest.n):,}.",
    )


# --- exercise 4: the MiB the memory slider seems to lose --------------------------------

MIB = 1024 * 1024
#: The grows exercise 4 asks about: a cap of this many MiB plus the learner's bytes.
_GROWS = 7


def memory_before_growing() -> int:
    """The bytes of linear memory ``kh.MEMORY_BOMB`` declares before its first grow (its
    ``(memory N)`` line, N pages of 64 KiB), read from the compiled module."""
    engine = wasmtime.Engine()
    module = wasmtime.Module(engine, MEMORY_BOMB)
    memory = next(e.type for e in module.exports if isinstance(e.type, wasmtime.MemoryType))
    return int(memory.limits.min) * 65536


def memory_declaration(wat: str = MEMORY_BOMB) -> str:
    """The ``(memory ...)`` line of a module's WAT text, as it stands there: exercise 4
    prints it where it asks what the bomb held before its first grow, since the slider
    alone cannot tell one start from another."""
    declared = [line.strip() for line in wat.splitlines() if line.strip().startswith("(memory")]
    if not declared:
        raise ValueError("this WAT text declares no memory of its own")
    return "\n".join(declared)


def _grows_under(cap: int) -> int:
    """How many 1 MiB grows the bomb managed with ``max_memory=cap``."""
    return run_guarded(MEMORY_BOMB, max_memory=cap).lines


@exercise("05 · exercise 4 (move the slider, find the missing MiB)")
def check_memory_before_growing(answer: object) -> CheckResult:
    """Notebook 05: how many bytes the memory bomb held before it grew, the key fact behind
    "8 MiB grants 7". The check moves the cap itself: with 7 MiB plus the answer the bomb
    must grow 7 times, with one byte less only 6."""
    try:
        given = int(number(answer))
    except (ValueError, OverflowError):
        raise Unusable("give a whole number of bytes, like 4096.") from None
    if given != number(answer) or given < 0:
        raise Unusable("give a whole number of bytes, like 4096.")
    truth = memory_before_growing()
    if given == truth:
        exact = _grows_under(_GROWS * MIB + given)
        short = _grows_under(_GROWS * MIB + given - 1)
        return right(
            f"{given:,} bytes, the bomb's one page before it grows. With a cap of {_GROWS} MiB plus "
            f"that, it grew {exact} times; one byte less, {short}. The slider's missing MiB is "
            "this page: the last grow would pass the cap by it, so it is refused."
        )
    if given == MIB:
        return wrong(
            "that is one grow step, not what the bomb held before its first grow.",
            "Read the (memory ...) line printed above the answer cell: its number counts "
            "64 KiB pages.",
        )
    if given == 0:
        return wrong(
            "with nothing before the first grow, 8 MiB would grant all 8.",
            "The module declares a memory of its own: the (memory ...) line printed above the "
            "answer cell.",
        )
    return wrong(
        f"{given:,} bytes is not what the bomb holds before its first grow.",
        "Read the (memory ...) line printed above the answer cell and count its pages in bytes "
        "(64 KiB each).",
    )


SOLUTIONS = (
    Solution(
        "05",
        1,
        """
    limit_prediction = {"loop": "fuel", "bomb": "max_memory", "trap": "trap", "flood": "finished"}
    kh.check_limit_prediction(limit_prediction)
    """,
        "Each limit caps one resource, and the first to run out ends the run: 50 M units of "
        "fuel last a fraction of a second, far less than the 2 s timeout. A trap ends a run by "
        "itself, and output_limit never stops a guest: it keeps the first bytes of its output.",
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
    Solution(
        "05",
        3,
        """
    answer = '''
    (module
      (func (export "fib") (param $n i32) (result i32)
        (local $a i32) (local $b i32) (local $next i32)
        (local.set $b (i32.const 1))              ;; a, b = fib(0), fib(1)
        (block $done
          (loop $again
            (br_if $done (i32.eqz (local.get $n)))  ;; n rounds, then a is fib(n)
            (local.set $next (i32.add (local.get $a) (local.get $b)))
            (local.set $a (local.get $b))
            (local.set $b (local.get $next))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $again)))
        (local.get $a)))
    '''
    kh.check_fib_loop(answer)
    """,
        "Two locals hold the last two numbers; each round of the loop moves them one step on, "
        "n rounds in all. The work grows with n, not with fib(n) as the recursion's does.",
    ),
    Solution(
        "05",
        4,
        """
    # the line printed above: (memory (export "memory") 1), one page
    answer = 1 * 64 * 1024
    kh.check_memory_before_growing(answer)
    """,
        "The bomb starts with one 64 KiB page and grows in whole MiB. After n grows it holds "
        "n MiB and 64 KiB, so the grow that would reach the cap's last MiB passes it by that "
        "page and is refused: a cap of m MiB grants m - 1.",
    ),
)
