"""Notebook 01 · WebAssembly by hand: a function in WAT, what a second one adds, a host import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._errors import root_cause
from ..wasm.reader import SECTION_NAMES, section_sizes
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


#: Notebook 01's first module, as its section 1 writes it: exercise 2 adds ``sub`` to it.
ADD_WAT = """
(module
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add))
"""
#: The section names a prediction may use: the byte table's, custom sections by their label.
_STANDARD_SECTIONS = frozenset(SECTION_NAMES.values()) - {"custom"}
#: Sections in the order a module holds them, for messages that list several.
_IN_ORDER = [SECTION_NAMES[number] for number in sorted(SECTION_NAMES)]


def _section_names(prediction: object) -> set[str]:
    items = [prediction] if isinstance(prediction, str) else prediction
    if not isinstance(items, set | frozenset | list | tuple):
        raise Unusable('give a set of section names, like {"type", "code"}.')
    names = set()
    for item in items:
        name = str(item).strip().lower()
        name = "custom:name" if name in ("name", "custom") else name
        if name not in _STANDARD_SECTIONS and not name.startswith("custom:"):
            raise Unusable(
                f"{item!r} is not a section name.",
                'Use the names of the byte table in section 2: "type", "function", "export", "code"...',
            )
        names.add(name)
    return names


def _sub_problem(wasm: bytes) -> CheckResult | None:
    """What keeps ``wasm`` from being ADD_WAT plus a working ``sub`` of the same signature."""
    import wasmtime

    for name in ("add", "sub"):
        problem = pure_function_problem(
            wasm, name, f'Export it as add is: (func ${name} (export "{name}") ...).'
        )
        if problem is not None:
            return problem
    try:
        store, instance = _instantiate(wasm)
    except wasmtime.WasmtimeError as err:
        return wrong("the text parses, but wasmtime rejects the module.", f"{root_cause(err)}.")
    for name, expected in (("add", 12), ("sub", 4)):
        func = instance.exports(store)[name]
        signature = func.type(store)
        params = [str(p) for p in signature.params]
        if params != ["i32", "i32"] or [str(r) for r in signature.results] != ["i32"]:
            return wrong(
                f"{name} does not have add's signature.",
                "Give sub the same (param ...) and (result ...) as add: two i32 in, one out.",
            )
        got = func(store, 8, 4)
        if got != expected:
            return wrong(
                f"{name}(8, 4) returned {got}, not {expected}.",
                "sub pushes its two arguments in order, then i32.sub.",
            )
    return None


def _growth(label: str, before: Mapping[str, int], after: Mapping[str, int]) -> str:
    return f"{label} {before.get(label, 0)} → {after[label]} bytes"


def _custom_too(grew: list[str], before: Mapping[str, int], after: Mapping[str, int]) -> str:
    """The custom sections that grew, said apart: "as you predicted" must list only what
    the check grades (walk 7, S4: custom:name was listed as if the learner had named it)."""
    custom = [label for label in grew if label.startswith("custom:")]
    if not custom:
        return ""
    return (
        f" {'; '.join(_growth(c, before, after) for c in custom)} grew too, but the check "
        "leaves custom sections out: they hold names for tools, and runtimes ignore them."
    )


#: Exercise 2's lesson, said whatever the prediction: what a function adds to which section.
GROWS_LESSON = (
    "Each function has an entry in the function section (which signature it has) and a body "
    "in the code section, each export a name in the export section; the type section lists "
    "each signature once, however many functions share it."
)


@prediction_exercise("01 · exercise 2 (predict, then measure: what grows)")
def check_what_grows(prediction: object, wat: object) -> CheckResult:
    """Notebook 01: the sections the learner predicted would grow when ``sub`` joins ``add``,
    against what grew between ADD_WAT's module and the learner's. Custom sections (names)
    are reported, not graded: how much they hold depends on how the learner names things."""
    predicted = {n for n in _section_names(prediction) if not n.startswith("custom:")}
    wasm = wat_bytes(wat)
    problem = _sub_problem(wasm)
    if problem is not None:
        return problem
    before, after = section_sizes(wat_bytes(ADD_WAT)), section_sizes(wasm)
    grew = [label for label, size in after.items() if size > before.get(label, 0)]
    moved = "; ".join(_growth(label, before, after) for label in grew)
    measured = {label for label in grew if not label.startswith("custom:")}
    if predicted == measured:
        kept = (
            " The type section did not: sub has add's signature, and a signature is listed "
            "once, however many functions share it."
            if "type" not in measured
            else ""
        )
        named = ", ".join(sorted(measured, key=_IN_ORDER.index))
        graded = "; ".join(_growth(label, before, after) for label in grew if label in measured)
        custom = _custom_too(grew, before, after)
        return states_measurement(
            right(f"as you predicted, {named} grew ({graded}).{kept}{custom}")
        )
    return states_measurement(_what_grows_missed(predicted, measured, moved))


def _what_grows_missed(predicted: set[str], measured: set[str], moved: str) -> CheckResult:
    """How far a prediction of the growing sections landed, and the lesson that explains it."""
    apart = " ".join(
        f"{', '.join(sorted(names))} {verb}."
        for names, verb in (
            (measured - predicted, "grew too"),
            (predicted - measured - {"type"}, "did not grow"),
        )
        if names
    )
    said = " ".join(
        part
        for part in (
            f"you predicted {', '.join(sorted(predicted)) or 'nothing'}; what grew: {moved}.",
            apart,
            GROWS_LESSON,
        )
        if part
    )
    if "type" in predicted - measured:
        return wrong(
            f"the type section did not grow; {said}",
            "Section 2: the type section lists signatures, the function section says which "
            "one each function has. Does sub need a signature add does not have?",
        )
    return wrong(
        said,
        "Section 2's split: signatures (type), which signature each function has (function), "
        "public names (export), instructions (code). Which of these does a second function "
        "add to?",
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
                # Not "so your function should double its argument": that is the answer (walk 5).
                "apply adds 1 to whatever your function returns: what must your function "
                "return for apply(0) to be 1, and for apply(1) to be 3?",
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
    prediction = {"function", "export", "code"}  # written before the module: type stays
    answer = '''
    (module
      (func $add (export "add") (param $a i32) (param $b i32) (result i32)
        local.get $a
        local.get $b
        i32.add)
      (func $sub (export "sub") (param $a i32) (param $b i32) (result i32)
        local.get $a
        local.get $b
        i32.sub))
    '''
    kh.check_what_grows(prediction, answer)
    """,
        "A second function adds an entry to the function section, a name to the export section "
        "and a body to the code section. Its signature is add's, already in the type section: "
        "a module lists each signature once.",
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
