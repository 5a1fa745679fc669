"""Self-checking exercises: ``check_*`` functions that answer a learner at once.

Every check takes the learner's answer and returns a :class:`CheckResult`: a short
confirmation when it is right, a specific and kind hint when it is not, and "not yet"
when the cell still holds the placeholder ``...``. A check never raises: whatever the
learner types, the notebook kernel carries on. Instructor solutions live in
``_solutions`` (``kh.solution("01", 1)``), out of the learner's way.

Each check names the notebook (lesson) that introduces it.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ParamSpec

from ..toolchains.detect import LANGUAGES, RUST_WASI_TARGETS, find_toolchain
from ..wasm.reader import SECTION_NAMES, read_module, section_sizes

P = ParamSpec("P")


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer. ``ok`` is True, False, or None for "not answered yet".

    Truthy only when right, so ``assert kh.check_...(answer)`` works in a script.
    """

    exercise: str
    ok: bool | None
    message: str
    hint: str | None = None

    def __bool__(self) -> bool:
        return self.ok is True

    @property
    def status(self) -> str:
        return {True: "right", False: "not quite", None: "not yet"}[self.ok]

    def text(self) -> str:
        mark = {True: "✅", False: "💡", None: "✏️"}[self.ok]
        lines = [f"{mark} {self.exercise}: {self.message}"]
        if self.hint:
            lines.append(f"   hint: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        colour, border, mark = {
            True: ("#e9f7ec", "#2e7d32", "✅"),
            False: ("#fff4e0", "#ef8f00", "💡"),
            None: ("#eef2f7", "#6b7a90", "✏️"),
        }[self.ok]
        hint = f"<div style='margin-top:4px'>{html.escape(self.hint)}</div>" if self.hint else ""
        return (
            f"<div style='background:{colour};border-left:4px solid {border};padding:6px 10px'>"
            f"{mark} <b>{html.escape(self.exercise)}</b>: {html.escape(self.message)}{hint}</div>"
        )


PLACEHOLDER_MESSAGE = "Replace ... with your answer, then run this cell again."


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__


class _Unusable(Exception):
    """Internal: the answer has the wrong shape; the message says, kindly, what to give."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _right(message: str) -> CheckResult:
    """A right answer; :func:`_exercise` fills in the exercise's title."""
    return CheckResult("", True, message)


def _wrong(message: str, hint: str | None = None) -> CheckResult:
    """A wrong answer with a hint; :func:`_exercise` fills in the exercise's title."""
    return CheckResult("", False, message, hint)


def _exercise(title: str) -> Callable[[Callable[P, CheckResult]], Callable[P, CheckResult]]:
    """Give a check its title, the placeholder reply, and a guarantee that it never raises.

    The first positional argument the check is given is taken as the learner's answer.
    """

    def wrap(check: Callable[P, CheckResult]) -> Callable[P, CheckResult]:
        @functools.wraps(check)
        def run(*args: P.args, **kwargs: P.kwargs) -> CheckResult:
            if any(a is Ellipsis for a in args) or any(v is Ellipsis for v in kwargs.values()):
                return CheckResult(title, None, PLACEHOLDER_MESSAGE)
            try:
                return replace(check(*args, **kwargs), exercise=title)
            except _Unusable as err:
                return CheckResult(title, False, err.message, err.hint)
            except Exception as err:  # a check must never take the kernel's cell down
                return CheckResult(
                    title,
                    False,
                    "the check could not use this answer.",
                    f"{type(err).__name__}: {err}. Look at the exercise text for the shape "
                    "of answer it expects.",
                )

        run.exercise = title  # type: ignore[attr-defined]
        return run

    return wrap


# --- notebook 00: setup check ------------------------------------------------------------

LANGUAGE_ALIASES = {
    "c": "c",
    "cpp": "cpp",
    "c++": "cpp",
    "cxx": "cpp",
    "rust": "rust",
    "rs": "rust",
    "go": "go",
    "golang": "go",
}
LANGUAGE_LABELS = {"c": "C", "cpp": "C++", "rust": "Rust", "go": "Go"}


def _languages(answer: Iterable[str] | str) -> set[str]:
    items = [answer] if isinstance(answer, str) else list(answer)
    found = set()
    for item in items:
        key = str(item).strip().lower()
        if key not in LANGUAGE_ALIASES:
            raise _Unusable(
                f"{item!r} is not one of the course's languages.",
                'Write a set of names from "c", "cpp", "rust", "go", like {"c", "go"}.',
            )
        found.add(LANGUAGE_ALIASES[key])
    return found


@_exercise("00 · exercise 1 (languages)")
def check_languages_here(
    answer: Iterable[str] | str, *, available: Iterable[str] | None = None
) -> CheckResult:
    """Notebook 00: which languages can this machine compile to wasm? A set like ``{"c", "go"}``.

    ``available`` is the truth to compare with; by default the toolchains found here.
    """
    given = _languages(answer)
    truth = set(available) if available is not None else {
        lang for lang in LANGUAGES if find_toolchain(lang)
    }
    if given == truth:
        names = ", ".join(LANGUAGE_LABELS[lang] for lang in LANGUAGES if lang in truth) or "none"
        return _right(f"yes: {names}. Notebooks 02 and 03 compile those live.")
    extra = sorted(given - truth)
    missing = sorted(truth - given)
    if extra:
        names = ", ".join(LANGUAGE_LABELS[lang] for lang in extra)
        return _wrong(
            f"this machine has no wasm compiler for {names}.",
            "Find its row in the report: the ⚠️ means missing (a prebuilt module stands in).",
        )
    names = ", ".join(LANGUAGE_LABELS[lang] for lang in missing)
    return _wrong(
        f"you left out {names}.",
        "Its row in the report has a ✅: the compiler is here.",
    )


@_exercise("00 · exercise 2 (recorded data)")
def check_recorded_data(answer: object, *, docker_available: bool | None = None) -> CheckResult:
    """Notebook 00: will notebooks 06-09 show *recorded* container data here? True or False."""
    if not isinstance(answer, bool):
        return _wrong(f"answer with True or False, not {answer!r}.")
    if docker_available is None:
        from ..containers.docker import docker_status

        docker_available = docker_status().available
    recorded = not docker_available
    if answer == recorded:
        if recorded:
            return _right("right: no Docker daemon answers, so 06-09 show recorded data.")
        return _right("right: Docker answers, so 06-09 measure real containers here.")
    if recorded:
        return _wrong(
            "look at the Docker row again.",
            "It has a ⚠️: no daemon answered (or KIT_DOCKER=off), so the course falls back "
            "to recorded numbers.",
        )
    return _wrong(
        "look at the Docker row again.",
        "It has a ✅: a daemon answered, so the course can build and time real containers.",
    )


# --- notebook 01: hello wasm ------------------------------------------------------------------


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


def _wat_bytes(wat: object) -> bytes | CheckResult:
    import wasmtime

    if isinstance(wat, bytes):
        return wat
    if not isinstance(wat, str):
        return _wrong(f"expected WAT text in a string, got {type(wat).__name__}.")
    try:
        return bytes(wasmtime.wat2wasm(wat))
    except wasmtime.WasmtimeError as err:
        return _wrong(
            "the WAT text does not parse yet.",
            f"wat2wasm says: {_wat_error(str(err))}. Every '(' needs its ')', and a function "
            "signature reads (param i32) (result i32).",
        )


def _wat_error(message: str) -> str:
    """``expected `)` at line 1, column 95`` from wat2wasm's multi-line report."""
    lines = message.strip().splitlines()
    where = re.search(r"<anon>:(\d+):(\d+)", message)
    head = lines[0] if lines else "a syntax error"
    return f"{head} at line {where[1]}, column {where[2]}" if where else head


def _root_cause(message: str) -> str:
    """The last line of wasmtime's "Caused by" chain: the specific reason."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else message
    return re.sub(r"^\d+:\s*", "", last)


SQUARE_PROBES = (3, 0, 1, 7, -4, 1000)


@_exercise("01 · exercise 1 (square)")
def check_square(wat: object) -> CheckResult:
    """Notebook 01: a module exporting ``square``, ``(i32) -> i32``, returning x * x."""
    import wasmtime

    wasm = _wat_bytes(wat)
    if isinstance(wasm, CheckResult):
        return wasm
    info = read_module(wasm)
    export = next((e for e in info.exports if e.name == "square"), None)
    if export is None:
        names = ", ".join(f'"{e.name}"' for e in info.exports)
        return _wrong(
            f'the module exports {names}, but no "square".' if names else "the module exports nothing yet.",
            'Add (export "square") to the func, right after its name: (func $square (export "square") ...).',
        )
    if export.kind != "func":
        return _wrong(f'"square" is exported as a {export.kind}, not a function.')
    if info.imports:
        return _wrong(
            "square needs no imports; this module asks its host for "
            + ", ".join(f"{i.module}.{i.name}" for i in info.imports)
            + ".",
        )
    try:
        store, instance = _instantiate(wasm)
    except wasmtime.WasmtimeError as err:
        return _wrong(
            "the text parses, but wasmtime rejects the module.",
            f"{_root_cause(str(err))}. Each instruction pops its inputs off the stack: "
            "count what is there before each one (i32.mul needs two i32s).",
        )
    square = instance.exports(store)["square"]
    signature = square.type(store)
    params = [str(p) for p in signature.params]
    results = [str(r) for r in signature.results]
    if params != ["i32"] or results != ["i32"]:
        return _wrong(
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
            return _wrong("the function runs, but the numbers are off.", hint)
    return _right("square works: you wrote a WebAssembly function by hand.")


@_exercise("01 · exercise 2 (section ids)")
def check_section_id(section: str, answer: int | str) -> CheckResult:
    """Notebook 01: the id byte of a named section (``"export"`` -> 7). Accepts 7, "7", "0x07"."""
    wanted = {name: number for number, name in SECTION_NAMES.items()}.get(section)
    if wanted is None:
        return _wrong(f"there is no section called {section!r} in this exercise.")
    try:
        given = int(answer, 0) if isinstance(answer, str) else int(answer)
    except (TypeError, ValueError):
        raise _Unusable(f"{answer!r} is not a number.", "Section ids are small whole numbers, like 1 or 10.") from None
    if given == wanted:
        return _right(
            f"yes: the {section} section has id {wanted} ({wanted:#04x} in the bytes)."
        )
    other = SECTION_NAMES.get(given)
    if other is None:
        return _wrong(
            f"no section has id {given}; ids run from 0 to {max(SECTION_NAMES)}.",
            "In the byte table, each section starts with a row 'section id N'.",
        )
    return _wrong(
        f"id {given} is the {other} section, not the {section} section.",
        f"In the byte table, find the row 'section id N: {section} section'.",
    )


IMPORT_EXERCISE_WAT = """
(module
  (import "env" "transform" (func $transform (param i32) (result i32)))
  (func (export "apply") (param $x i32) (result i32)
    (i32.add (call $transform (local.get $x)) (i32.const 1))))
"""


@_exercise("01 · exercise 3 (an import)")
def check_import_function(func: object) -> CheckResult:
    """Notebook 01: a Python function that, imported as ``env.transform``, makes
    ``apply(x)`` (which returns ``transform(x) + 1``) return ``2 * x + 1``."""
    import wasmtime

    if not callable(func):
        return _wrong(f"expected a Python function, got {type(func).__name__}.")
    store, instance = _instantiate(
        bytes(wasmtime.wat2wasm(IMPORT_EXERCISE_WAT)), {("env", "transform"): func}
    )
    apply = instance.exports(store)["apply"]
    for x in (0, 1, 21, -5):
        try:
            got = apply(store, x)
        except Exception as err:  # wasmtime's errors, or the learner's function's own
            detail = f"{type(err).__name__}: {_first_line(err)}"
            return _wrong(
                "calling your function from wasm failed.",
                f"{detail}. The import must take one int and return one int.",
            )
        if got != 2 * x + 1:
            return _wrong(
                f"apply({x}) returned {got}; it should be {2 * x + 1}.",
                "apply adds 1 to whatever your function returns, so your function should "
                "double its argument.",
            )
    return _right("the module called your Python function through its import.")


# --- notebook 02: C and C++ --------------------------------------------------------------------


@_exercise("02 · exercise 1 (the WASI import module)")
def check_wasi_import_module(answer: str) -> CheckResult:
    """Notebook 02: the module name every WASI preview 1 system call is imported from."""
    given = str(answer).strip().strip("\"'")
    if given == "wasi_snapshot_preview1":
        return _right(
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
    return _wrong(f"{given!r} is not it.", hint)


@_exercise("02 · exercise 2 (biggest section)")
def check_biggest_section(module: bytes | str | Path, answer: str) -> CheckResult:
    """Notebook 02: the name of the largest section of ``module`` (as in the breakdown chart)."""
    sizes = section_sizes(module)
    ranked = sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)
    biggest, biggest_size = ranked[0]
    given = str(answer).strip()
    if given in ("custom", "debug") and biggest.startswith("custom:"):
        given = biggest
    if given == biggest or f"custom:{given}" == biggest:
        return _right(f"yes: {biggest}, {biggest_size:,} of {sum(sizes.values()):,} bytes.")
    if given not in sizes and f"custom:{given}" not in sizes:
        names = ", ".join(sizes)
        return _wrong(f"this module has no section {given!r}.", f"Its sections: {names}.")
    size = sizes.get(given, sizes.get(f"custom:{given}", 0))
    return _wrong(
        f"{given} is {size:,} bytes; one section is bigger.",
        "Look for the longest bar in the breakdown chart.",
    )


BROKEN_C = """#include <stdio.h>
int main(void) {
    printf("%d\\n", answer);
    return 0
}
"""


@_exercise("02 · exercise 3 (fix the program)")
def check_fixed_program(source: object) -> CheckResult:
    """Notebook 02: C source that compiles to wasm32-wasi and prints ``42``."""
    from .._errors import CompileError, ToolchainMissing
    from ..toolchains.build import compile_source
    from ..wasm.runner import run_wasm

    if not isinstance(source, str):
        return _wrong(f"expected the C program as a string, got {type(source).__name__}.")
    try:
        artifact = compile_source(source, "c", name="fixed")
    except ToolchainMissing as err:
        return CheckResult(
            "", None,
            "there is no C compiler on this machine, so your program cannot be checked here "
            "(nothing is wrong with it yet). Get one, then run this cell again:",
            err.fix,
        )
    except CompileError as err:
        first = err.diagnostics[0] if err.diagnostics else None
        where = f"line {first.line}: {first.message}" if first else err.message
        return _wrong("the compiler still says no.", f"First complaint, {where}.")
    printed = run_wasm(artifact.path, timeout=10).stdout.decode("utf-8", "replace").strip()
    if printed != "42":
        return _wrong(
            f"it compiles and runs, but prints {printed!r}.",
            "Give answer a value: declare int answer = 42; before the printf.",
        )
    return _right("it compiles, runs under WASI and prints 42.")


# --- notebook 03: Rust and Go -------------------------------------------------------------------


@_exercise("03 · exercise 1 (Go's target)")
def check_go_build_env(answer: object) -> CheckResult:
    """Notebook 03: the environment that makes ``go build`` produce a WASI module."""
    if not isinstance(answer, Mapping):
        return _wrong('answer with a dict like {"GOOS": "...", "GOARCH": "..."}.')
    goos = str(answer.get("GOOS", "")).strip()
    goarch = str(answer.get("GOARCH", "")).strip()
    if goos == "wasip1" and goarch == "wasm":
        return _right("yes: GOOS=wasip1 GOARCH=wasm (Go 1.21 and later).")
    if goos in ("wasi", "wasi_snapshot_preview1"):
        return _wrong(
            f"GOOS={goos} is not a Go target.",
            "Go names the operating system after the WASI version: preview 1, shortened.",
        )
    if goos == "js":
        return _wrong(
            "GOOS=js builds for a browser with Go's JavaScript glue, not for WASI.",
            "Which GOOS names WASI preview 1?",
        )
    if goos != "wasip1":
        return _wrong(f"GOOS={goos or '(missing)'} is not it.", "GOOS says which system: WASI preview 1.")
    return _wrong(
        f"GOOS is right; GOARCH={goarch or '(missing)'} is not.",
        "GOARCH names the instruction set: WebAssembly, in four letters.",
    )


@_exercise("03 · exercise 2 (Rust's target)")
def check_rust_target(answer: str, *, known: str | None = None) -> CheckResult:
    """Notebook 03: the WASI target name the rustc on this machine knows.

    ``known`` is the truth; by default the target of the Rust toolchain found here, or
    ``wasm32-wasip1`` (today's name) when there is none.
    """
    if known is None:
        toolchain = find_toolchain("rust")
        known = toolchain.target if toolchain else RUST_WASI_TARGETS[0]
    given = str(answer).strip()
    if given == known:
        return _right(f"yes: {known} is the name this rustc knows.")
    if given in RUST_WASI_TARGETS:
        return _wrong(
            f"{given} is a real name, but not the one this rustc knows.",
            "Rust 1.78 added wasm32-wasip1 and 1.84 removed wasm32-wasi: check the version "
            "in the toolchain table.",
        )
    if given == "wasm32-unknown-unknown":
        return _wrong(
            "wasm32-unknown-unknown has no operating system at all: no WASI imports.",
            "That target is for browsers with JavaScript glue.",
        )
    return _wrong(f"{given!r} is not a Rust WASI target.", "It starts with wasm32-wasi.")


def _size_of(thing: object) -> int:
    """A size in bytes from an int, bytes, a path, or an object with ``.path``/``.bytes``."""
    if isinstance(thing, int):
        return thing
    if isinstance(thing, bytes | bytearray):
        return len(thing)
    if isinstance(thing, str | Path):
        return Path(thing).stat().st_size
    path = getattr(thing, "path", None)
    if path is not None and Path(path).is_file():
        return Path(path).stat().st_size
    size = getattr(thing, "bytes", None)
    if isinstance(size, int):
        return size
    if isinstance(size, bytes | bytearray):
        return len(size)
    raise TypeError(f"cannot tell the size of a {type(thing).__name__}")


@_exercise("03 · exercise 3 (how many times bigger)")
def check_size_ratio(answer: float, larger: object, smaller: object) -> CheckResult:
    """Notebook 03: ``larger`` is about ``answer`` times the size of ``smaller`` (within 10 %).

    ``None`` for either size means that module is missing here: the exercise is skipped.
    """
    if larger is None or smaller is None:
        return CheckResult("", None, "one of the two modules is missing on this machine: skip this one.")
    ratio = _size_of(larger) / _size_of(smaller)
    given = float(answer)
    if abs(given - ratio) <= 0.1 * ratio:
        return _right(f"yes: about {ratio:.1f} times.")
    if given > 0 and abs(1 / given - ratio) <= 0.1 * ratio:
        return _wrong(
            "you divided the smaller by the larger.",
            "Put the bigger size on top of the fraction.",
        )
    direction = "high" if given > ratio else "low"
    return _wrong(
        f"{given:g} is too {direction}.",
        "Divide the two sizes from the table above: larger / smaller.",
    )


# --- notebook 04: WASI capabilities --------------------------------------------------------------


def _preopen_fields(item: object) -> tuple[str, str, bool]:
    """(host, guest, writable) from a Preopen or a tuple ``(host, guest[, writable])``."""
    if isinstance(item, tuple | list):
        host, guest = item[0], item[1]
        writable = bool(item[2]) if len(item) > 2 else False
        return str(host), str(guest), writable
    host, guest = getattr(item, "host", None), getattr(item, "guest", None)
    if host is None or guest is None:
        raise _Unusable(
            f"{item!r} is not a folder grant.",
            'Each entry is kh.Preopen(host_folder, "/guest/path").',
        )
    return str(host), str(guest), bool(getattr(item, "writable", False))


@_exercise("04 · exercise 1 (a read-only folder)")
def check_read_only_preopen(dirs: Iterable[object], host: str | Path, guest: str) -> CheckResult:
    """Notebook 04: ``dirs`` grants exactly ``host`` as ``guest``, read-only, and nothing else."""
    if hasattr(dirs, "guest") or isinstance(dirs, str | Path):
        raise _Unusable(
            "dirs is a list of folders, even when there is only one.",
            "Put your Preopen in square brackets: [kh.Preopen(...)].",
        )
    items = [_preopen_fields(item) for item in dirs]
    wanted_host = Path(host).resolve()
    if not items:
        return _wrong(
            "the list is empty: the program is given no folder at all.",
            f"Add one entry that maps {host} to {guest}.",
        )
    matching = [i for i in items if Path(i[0]).resolve() == wanted_host]
    if not matching:
        return _wrong(
            f"none of the entries opens {wanted_host}.",
            "The first field is the folder on your machine (the host side).",
        )
    _, got_guest, writable = matching[0]
    if got_guest != guest:
        return _wrong(
            f"the folder appears in the guest as {got_guest}, but the program opens {guest}.",
            "The second field is the path the program sees (the guest side).",
        )
    if writable:
        return _wrong(
            "it works, but the program may now write there too.",
            "It only reads: grant the least it needs and leave writable=False.",
        )
    if len(items) > 1:
        return _wrong(
            f"you granted {len(items)} folders; the program needs one.",
            "Each extra folder is more the program could read if it misbehaved.",
        )
    return _right(f"yes: {guest} is all the program can see, and only for reading.")


#: Notebook 04's quiz: what may a WASI module do when the host grants nothing special?
CAPABILITY_QUIZ: dict[str, tuple[str, bool, str]] = {
    "A": (
        "read the clock",
        True,
        "clocks are part of WASI preview 1 and wasmtime gives them to every module",
    ),
    "B": (
        "read /etc/passwd on the host",
        False,
        "files are reachable only below a preopened folder, and none was given",
    ),
    "C": (
        "get random numbers",
        True,
        "random_get is always there: programs need it for hash maps and seeds",
    ),
    "D": (
        "open a network connection",
        False,
        "preview 1 has no way to create a socket; a host can only hand over one it opened",
    ),
    "E": (
        "see the host's environment variables",
        False,
        "a module sees only the variables the host passes to it explicitly",
    ),
    "F": (
        "write to its standard output",
        True,
        "stdout is a file descriptor the host wires up; here the kit captures it",
    ),
}


def capability_quiz() -> str:
    """The statements of notebook 04's quiz, one a line."""
    return "\n".join(f"{key}: {text}" for key, (text, _, _) in CAPABILITY_QUIZ.items())


@_exercise("04 · exercise 2 (capabilities)")
def check_capabilities(answer: Iterable[str] | str) -> CheckResult:
    """Notebook 04: the letters of :data:`CAPABILITY_QUIZ` a module can do without a grant."""
    if not isinstance(answer, str | Iterable):
        raise _Unusable(f"{answer!r} is not a set of letters.", 'Write them like {"A", "B"}.')
    given = {str(a).strip().upper() for a in ([answer] if isinstance(answer, str) else answer)}
    unknown = given - set(CAPABILITY_QUIZ)
    if unknown:
        return _wrong(f"there is no statement {', '.join(sorted(unknown))}.", "Use the letters A to F.")
    truth = {key for key, (_, allowed, _) in CAPABILITY_QUIZ.items() if allowed}
    if given == truth:
        return _right("yes: clock, randomness and stdout; no files, no network, no host environment.")
    wrong_in = sorted(given - truth)
    left_out = sorted(truth - given)
    key = (wrong_in or left_out)[0]
    text, allowed, why = CAPABILITY_QUIZ[key]
    verdict = "can" if allowed else "cannot"
    return _wrong(
        f"{len(wrong_in) + len(left_out)} statement(s) to rethink.",
        f"Start with {key} ({text}): a module {verdict} do that, because {why}.",
    )


# --- notebook 05: sandbox and limits -----------------------------------------------------------

LIMIT_NAMES = ("timeout", "fuel", "max_memory", "output_limit")

#: Notebook 05: which limit stops which runaway guest.
LIMIT_QUIZ: dict[str, tuple[set[str], str]] = {
    "endless loop": (
        {"timeout", "fuel"},
        "a loop uses no memory and prints nothing; only time or counted instructions end it",
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


@_exercise("05 · exercise 1 (which limit)")
def check_limit_for(answer: object) -> CheckResult:
    """Notebook 05: for each runaway guest, the ``run_wasm`` limit that stops it."""
    if not isinstance(answer, Mapping):
        return _wrong('answer with a dict like {"endless loop": "...", ...}.')
    for scenario, (limits, why) in LIMIT_QUIZ.items():
        given = str(answer.get(scenario, "")).strip()
        if not given:
            return _wrong(f'say which limit stops the "{scenario}".', f"Choose from {', '.join(LIMIT_NAMES)}.")
        if given not in LIMIT_NAMES:
            return _wrong(f"{given!r} is not a limit of run_wasm.", f"Choose from {', '.join(LIMIT_NAMES)}.")
        if given not in limits:
            return _wrong(f'{given} is not the limit meant for the "{scenario}".', f"Think about what it does: {why}.")
    return _right("yes: each runaway is stopped by the limit that matches what it overuses.")


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


@_exercise("05 · exercise 2 (a fuel budget)")
def check_fuel_budget(fuel: object, small: int = 15, large: int = 20) -> CheckResult:
    """Notebook 05: a fuel budget with which ``fib(small)`` finishes but ``fib(large)`` runs out."""
    if not isinstance(fuel, int) or isinstance(fuel, bool) or fuel < 0:
        return _wrong(f"fuel is a whole number of units, not {fuel!r}.")
    need_small, need_large = fuel_needed(small), fuel_needed(large)
    if fuel < need_small:
        return _wrong(
            f"with {fuel:,} units even fib({small}) runs out of fuel.",
            f"fib({small}) needs {need_small:,}: give at least that.",
        )
    if fuel >= need_large:
        return _wrong(
            f"with {fuel:,} units fib({large}) finishes as well.",
            f"fib({large}) needs {need_large:,}: stay below that.",
        )
    return _right(
        f"yes: fib({small}) needs {need_small:,} units and fib({large}) {need_large:,}; "
        f"{fuel:,} lets one through and stops the other.",
    )
