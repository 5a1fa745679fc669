"""Notebook 01 · WebAssembly by hand: a function in WAT, section ids, a host import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._errors import root_cause
from ..wasm.reader import SECTION_NAMES
from .checks import CheckResult, Solution, Unusable, exercise, right, wrong
from .programs import pure_function_problem, wat_bytes


def _instantiate(
    wasm: bytes, imports: Mapping[tuple[str, str], Callable[..., Any]] | None = None
) -> tuple[Any, Any]:
    """Instantiate ``wasm`` with Python functions as imports; returns (store, instance)."""
    import wasmtime

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    module = wasmtime.Module(engine, wasm)
    linker = wasmtime.Linker(engine)
    for (module_name, name), func in (imports or {}).items():
        i32 = wasmtime.ValType.i32()
        linker.define_func(module_name, name, wasmtime.FuncType([i32], [i32]), func)
    return store, linker.instantiate(store, module)


SQUARE_PROBES = (3, 0, 1, 7, -4, 1000)


@exercise("01 · exercise 1 (square)")
def check_square(wat: object) -> CheckResult:
    """Notebook 01: a module exporting ``square``, ``(i32) -> i32``, returning x * x."""
    import wasmtime

    wasm = wat_bytes(wat)
    problem = pure_function_problem(
        wasm, "square",
        'Add (export "square") to the func, right after its name: (func $square (export "square") ...).',
    )  # fmt: skip
    if problem is not None:
        return problem
    try:
        store, instance = _instantiate(wasm)
    except wasmtime.WasmtimeError as err:
        return wrong(
            "the text parses, but wasmtime rejects the module.",
            f"{root_cause(err)}. Each instruction pops its inputs off the stack: "
            "count what is there before each one (i32.mul needs two i32s).",
        )
    square = instance.exports(store)["square"]
    signature = square.type(store)
    params = [str(p) for p in signature.params]
    results = [str(r) for r in signature.results]
    if params != ["i32"] or results != ["i32"]:
        return wrong(
            f"square takes ({', '.join(params)}) and returns ({', '.join(results)}).",
            "It should take one i32 and return one i32: (param $x i32) (result i32).",
        )
    for x in SQUARE_PROBES:
        got = square(store, x)
        if got != x * x:
            hint = f"square({x}) returned {got}, expected {x * x}."
            if got == x + x:
                hint += " It looks like it adds: multiply with i32.mul."
            elif got == x:
                hint += " It returns its argument unchanged: push x twice, then i32.mul."
            return wrong("the function runs, but the numbers are off.", hint)
    return right("square works: you wrote a WebAssembly function by hand.")


@exercise("01 · exercise 2 (section ids)")
def check_section_id(section: str, answer: int | str) -> CheckResult:
    """Notebook 01: the id byte of a named section (``"export"`` -> 7). Accepts 7, "7", "0x07"."""
    wanted = {name: number for number, name in SECTION_NAMES.items()}.get(section)
    if wanted is None:
        return wrong(f"there is no section called {section!r} in this exercise.")
    try:
        given = int(answer, 0) if isinstance(answer, str) else int(answer)
    except (TypeError, ValueError):
        raise Unusable(
            f"{answer!r} is not a number.", "Section ids are small whole numbers, like 1 or 10."
        ) from None
    if given == wanted:
        return right(f"yes: the {section} section has id {wanted} ({wanted:#04x} in the bytes).")
    other = SECTION_NAMES.get(given)
    if other is None:
        return wrong(
            f"no section has id {given}; ids run from 0 to {max(SECTION_NAMES)}.",
            "In the byte table, each section starts with a row 'section id N'.",
        )
    return wrong(
        f"id {given} is the {other} section, not the {section} section.",
        f"In the byte table, find the row 'section id N: {section} section'.",
    )


IMPORT_EXERCISE_WAT = """
(module
  (import "env" "transform" (func $transform (param i32) (result i32)))
  (func (export "apply") (param $x i32) (result i32)
    (i32.add (call $transform (local.get $x)) (i32.const 1))))
"""


@exercise("01 · exercise 3 (an import)")
def check_import_function(func: object) -> CheckResult:
    """Notebook 01: a Python function that, imported as ``env.transform``, makes
    ``apply(x)`` (which returns ``transform(x) + 1``) return ``2 * x + 1``."""
    import wasmtime

    if not callable(func):
        return wrong(f"expected a Python function, got {type(func).__name__}.")
    store, instance = _instantiate(
        bytes(wasmtime.wat2wasm(IMPORT_EXERCISE_WAT)), {("env", "transform"): func}
    )
    apply = instance.exports(store)["apply"]
    for x in (0, 1, 21, -5):
        try:
            got = apply(store, x)
        except Exception as err:  # wasmtime's errors, or the learner's function's own
            detail = f"{type(err).__name__}: {root_cause(err)}"
            return wrong(
                "calling your function from wasm failed.",
                f"{detail}. The import must take one int and return one int.",
            )
        if got != 2 * x + 1:
            return wrong(
                f"apply({x}) returned {got}; it should be {2 * x + 1}.",
                "apply adds 1 to whatever your function returns, so your function should "
                "double its argument.",
            )
    return right("the module called your Python function through its import.")


SOLUTIONS = (
    Solution(
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
    ),
    Solution(
        "01",
        2,
        """
    answer = 7
    kh.check_section_id("export", answer)
    """,
        "Section ids are fixed by the format: 1 type, 2 import, 3 function, 5 memory, "
        "7 export, 10 code, 11 data, 0 custom.",
    ),
    Solution(
        "01",
        3,
        """
    def answer(x):
        return 2 * x

    kh.check_import_function(answer)
    """,
        "apply(x) returns transform(x) + 1, so transform must double x. Any Python callable "
        "with the right signature can be a wasm import.",
    ),
)
