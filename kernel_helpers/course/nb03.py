"""Notebook 03 · Rust and Go: Go's target, what a bigger program costs in Go, how much bigger
Go's module is than C's, the sum program again."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from .checks import CheckResult, Solution, Unusable, exercise, not_yet, number, right, wrong
from .nb02 import grade_sum_program


@exercise("03 · exercise 1 (Go's target)")
def check_go_build_env(answer: object) -> CheckResult:
    """Notebook 03: the environment that makes ``go build`` produce a WASI module."""
    if not isinstance(answer, Mapping):
        return wrong('answer with a dict like {"GOOS": "...", "GOARCH": "..."}.')
    goos = str(answer.get("GOOS", "")).strip()
    goarch = str(answer.get("GOARCH", "")).strip()
    if goos == "wasip1" and goarch == "wasm":
        return right("yes: GOOS=wasip1 GOARCH=wasm (Go 1.21 and later).")
    if goos in ("wasi", "wasi_snapshot_preview1"):
        return wrong(
            f"GOOS={goos} is not a Go target.",
            "Go names the operating system after the WASI version: preview 1, shortened.",
        )
    if goos == "js":
        return wrong(
            "GOOS=js builds for a browser with Go's JavaScript glue, not for WASI.",
            "Which GOOS names WASI preview 1?",
        )
    if goos != "wasip1":
        return wrong(
            f"GOOS={goos or '(missing)'} is not it.", "GOOS says which system: WASI preview 1."
        )
    return wrong(
        f"GOOS is right; GOARCH={goarch or '(missing)'} is not.",
        "GOARCH names the instruction set: WebAssembly, in four letters.",
    )


class _StrippedSizes(Protocol):
    """What exercise 2 reads from :func:`~kernel_helpers.language_sizes`' result."""

    def stripped(self, lang: str) -> int | None: ...


#: How close a prediction of Go's growth must come to the measured ratio (a fraction of it).
GROWTH_TOLERANCE = 0.1


def _ratio(prediction: object) -> float:
    try:
        given = number(prediction)
    except ValueError:
        raise Unusable("give a number of times, like 1.5 (1 means the same size).") from None
    if given <= 0:
        raise Unusable("give a number of times above 0, like 1.5 (1 means the same size).")
    return given


@exercise("03 · exercise 2 (predict, then measure: what a bigger program costs in Go)")
def check_go_growth_prediction(
    prediction: object, sha256: _StrippedSizes, hello: _StrippedSizes
) -> CheckResult:
    """Notebook 03: how many times Go's stripped ``sha256`` module weighs its stripped
    ``hello``, predicted, against the two modules measured here (C's pair for contrast)."""
    given = _ratio(prediction)
    go_sha, go_hello = sha256.stripped("go"), hello.stripped("go")
    if go_sha is None or go_hello is None:
        return not_yet("there is no Go module here (nor a prebuilt one): skip this one.")
    ratio = go_sha / go_hello
    measured = (
        f"measured {ratio:.2f}×: {go_hello:,} → {go_sha:,} bytes, {go_sha - go_hello:+,} "
        "for a whole hash function"
    )
    c_sha, c_hello = sha256.stripped("c"), hello.stripped("c")
    contrast = (
        f" C's sha256 weighs {c_sha / c_hello:.1f}× C's hello: C ships little besides the "
        "program itself."
        if c_sha and c_hello
        else ""
    )
    if abs(given - ratio) <= GROWTH_TOLERANCE * ratio:
        return right(
            f"about {given:g}×, as you predicted; {measured}. The runtime (garbage collector, "
            f"scheduler, fmt) is in both modules, and the program adds little to it.{contrast}"
        )
    hint = (
        "Section 4's chart: how much of Go's hello is main, and how much the runtime every "
        "Go program carries?"
        if given > ratio
        else "sha256 does all that hello does (it prints) and more: can its module be smaller?"
    )
    return wrong(f"you predicted {given:g}×; {measured}.", hint)


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


@exercise("03 · exercise 3 (how many times bigger)")
def check_size_ratio(
    answer: float,
    larger: object,
    smaller: object,
    as_built: tuple[object, object] | None = None,
) -> CheckResult:
    """Notebook 03: ``larger`` is about ``answer`` times the size of ``smaller`` (within 10 %).

    ``None`` for either size means that module is missing here: the exercise is skipped.
    ``as_built`` (the same two modules before stripping) lets the check recognise the
    ratio of the wrong column.
    """
    if larger is None or smaller is None:
        return not_yet("one of the two modules is missing on this machine: skip this one.")
    ratio = _size_of(larger) / _size_of(smaller)
    given = float(answer)
    if abs(given - ratio) <= 0.1 * ratio:
        return right(
            f"yes: about {ratio:.1f} times. Stripping removed names and debug sections from "
            "both, so this is the ratio of the code and data each program really ships."
        )
    if given > 0 and abs(1 / given - ratio) <= 0.1 * ratio:
        return wrong(
            "you divided the smaller by the larger.",
            "Put the bigger size on top of the fraction.",
        )
    if as_built is not None and None not in as_built:
        unstripped = _size_of(as_built[0]) / _size_of(as_built[1])
        if abs(given - unstripped) <= 0.1 * unstripped:
            return wrong(
                "that is the ratio of the modules as built, before stripping.",
                "Use the stripped column of the table: the debug sections are not the program.",
            )
    direction = "high" if given > ratio else "low"
    return wrong(
        f"{given:g} is too {direction}.",
        "Divide the two sizes in the stripped column of the table above: Go's / C's.",
    )


#: The languages exercise 4 takes, with the spellings a learner may try.
PORT_LANGUAGES = {"rust": "rust", "rs": "rust", "go": "go", "golang": "go"}


@exercise("03 · exercise 4 (the sum, in Rust or Go)")
def check_sum_in_rust_or_go(source: object, lang: object) -> CheckResult:
    """Notebook 03: notebook 02's sum program in Rust or Go (``lang``), graded the same way."""
    chosen = PORT_LANGUAGES.get(str(lang).strip().lower())
    if chosen is None:
        raise Unusable(
            f"{lang!r} is not one of the two languages here.", 'Set lang = "rust" or lang = "go".'
        )
    return grade_sum_program(source, chosen)


SOLUTIONS = (
    Solution(
        "03",
        1,
        """
    answer = {"GOOS": "wasip1", "GOARCH": "wasm"}
    kh.check_go_build_env(answer)
    """,
        "Go names WASI preview 1 'wasip1' (Go 1.21+); the architecture is 'wasm'.",
    ),
    Solution(
        "03",
        2,
        """
    prediction = 1.05  # written before the measuring cell ran: the runtime is in both
    sizes = kh.language_sizes("hello", ["c", "go"])
    sha256 = kh.language_sizes("sha256", ["c", "go"])
    kh.check_go_growth_prediction(prediction, sha256, sizes)
    """,
        "Go's hello is almost all runtime (section 4's chart), which sha256 needs too; the hash "
        "adds a few kilobytes to megabytes. In C the program is most of the module, so the "
        "same step weighs several times more.",
        needs="toolchains",
    ),
    Solution(
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
    ),
    Solution(
        "03",
        4,
        r"""
    lang = "go"
    answer = r'''package main

    import (
        "fmt"
        "os"
        "strconv"
    )

    func main() {
        sum := 0
        for _, arg := range os.Args[1:] {
            n, err := strconv.Atoi(arg)
            if err != nil {
                fmt.Fprintln(os.Stderr, err)
                os.Exit(1)
            }
            sum += n
        }
        fmt.Println(sum)
    }
    '''
    kh.check_sum_in_rust_or_go(answer, lang)
    """,
        "os.Args[0] is the program's name, so the numbers are os.Args[1:]; a word that is not a "
        "number is reported on stderr with exit code 1. In Rust the same loop is "
        "std::env::args().skip(1), with arg.parse::<i64>() for each number.",
        needs="toolchains",
    ),
)
