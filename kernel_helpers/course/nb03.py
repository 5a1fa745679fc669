"""Notebook 03 · Rust and Go: Go built for the browser, what a bigger program costs in Go,
how much bigger Go's module is than C's (predicted first), the sum program again."""

from __future__ import annotations

import shlex
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from .._system import run_quick
from ..toolchains.build import source_path, untargeted_env
from ..toolchains.detect import find_toolchain
from ..wasm.reader import read_module
from .checks import (
    CheckResult,
    Solution,
    Unusable,
    close,
    exercise,
    grade_prediction,
    not_yet,
    positive_number,
    prediction_exercise,
    right,
    within_factor,
    wrong,
)
from .nb02 import grade_sum_program
from .programs import LanguageSetting, run_wasi

#: The Go variables a learner's build line may set (nothing else reaches the build).
GO_VARIABLES = ("GOOS", "GOARCH", "CGO_ENABLED")
#: How long a first build for a new target may take (Go compiles its runtime for it).
GO_BUILD_TIMEOUT_S = 300.0
TARGET_HINT = (
    "Section 2: Go picks its target from two environment variables, and names the one it "
    "built for browsers before WASI arrived."
)


def _build_line(answer: object) -> tuple[dict[str, str], list[str]]:
    """The learner's line split into the Go variables it sets and ``go build``'s arguments."""
    shape = "write one shell line, like: GOOS=... GOARCH=... go build -o hello.wasm hello.go"
    if not isinstance(answer, str):
        raise Unusable(shape)
    try:
        words = shlex.split(answer)
    except ValueError as err:
        raise Unusable(f"the line does not parse as a shell line ({err}).", shape) from None
    env: dict[str, str] = {}
    while words and "=" in words[0] and not words[0].startswith("-"):
        name, value = words.pop(0).split("=", 1)
        if name not in GO_VARIABLES:
            raise Unusable(
                f"{name} does not choose Go's target; set only {', '.join(GO_VARIABLES)}."
            )
        env[name] = value
    if words[:2] != ["go", "build"]:
        raise Unusable(shape)
    return env, words[2:]


def _built_file(folder: Path, args: list[str]) -> Path | None:
    """What ``go build`` wrote in ``folder``: the ``-o`` file, or the one new file there."""
    if "-o" in args[:-1]:
        named = folder / args[args.index("-o") + 1]
        return named if named.is_file() else None
    made = [p for p in folder.iterdir() if p.is_file() and p.name != "hello.go"]
    return made[0] if len(made) == 1 else None


@exercise("03 · exercise 1 (write the build line: Go for the browser)")
def check_go_browser_build(answer: object) -> CheckResult:
    """Notebook 03: a ``go build`` line for hello.go that targets the browser (GOOS=js), run
    here with this machine's Go; the module it makes is read and tried under WASI."""
    env, args = _build_line(answer)
    tc = find_toolchain("go")
    if tc is None:
        return not_yet("there is no Go here, so this check cannot run your line: skip this one.")
    with tempfile.TemporaryDirectory(prefix="go-line-") as scratch:
        folder = Path(scratch)
        shutil.copy(source_path("hello", "go"), folder / "hello.go")
        done = run_quick(
            [*tc.command, "build", *args],
            env={**untargeted_env(tc), **env},
            cwd=folder,
            timeout=GO_BUILD_TIMEOUT_S,
        )
        if not done.ok:
            said = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            return wrong(f"go build refused the line: {said}", TARGET_HINT)
        built = _built_file(folder, args)
        if built is None:
            return wrong("go build ran, but wrote no file here.", "Name the output with -o.")
        return _grade_browser_module(built)


def _grade_browser_module(built: Path) -> CheckResult:
    if not built.read_bytes().startswith(b"\0asm"):
        return wrong("it built a native program for this machine, not a wasm module.", TARGET_HINT)
    info = read_module(built)
    modules = info.import_modules()
    if "wasi_snapshot_preview1" in modules:
        return wrong(
            "that is section 2's WASI module (it imports from wasi_snapshot_preview1); this "
            "exercise asks for the browser's.",
            TARGET_HINT,
        )
    run = run_wasi(built)
    under_wasi = run.stopped.split(":")[0] if run.stopped else f"exit code {run.exit_code}"
    return right(
        f"it builds: {built.stat().st_size:,} bytes importing {len(info.imports)} functions "
        f"from {', '.join(modules)}, Go's "
        "own glue, which its wasm_exec.js supplies in a browser. Under WASI it cannot start "
        f"({under_wasi}): GOOS=js ties the module to that glue, while GOOS=wasip1 builds "
        "against WASI, which any WASI host provides."
    )


class _StrippedSizes(Protocol):
    """What exercise 2 reads from :func:`~kernel_helpers.language_sizes`' result."""

    def stripped(self, lang: str) -> int | None: ...


#: How close a prediction of Go's growth must come to the measured ratio (a fraction of it).
GROWTH_TOLERANCE = 0.1


def _ratio(prediction: object) -> float:
    return positive_number(prediction, "a number of times, like 1.5 (1 means the same size)")


@prediction_exercise("03 · exercise 2 (predict, then measure: what a bigger program costs in Go)")
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
        f"measured {ratio:.2f}×: Go's hello {go_hello:,} → sha256 {go_sha:,} bytes, "
        f"{go_sha - go_hello:+,} for a whole hash function"
    )
    c_sha, c_hello = sha256.stripped("c"), hello.stripped("c")
    contrast = (  # the two sizes beside the ratio, so the reader can check it by hand
        f" C's sha256 weighs {c_sha / c_hello:.1f}× C's hello ({c_hello:,} → {c_sha:,} "
        "stripped bytes): C ships little besides the program itself."
        if c_sha and c_hello
        else ""
    )
    return grade_prediction(
        given,
        ratio,
        said=lambda times: f"{times:g}×",
        measurement=measured,
        lesson="The runtime (garbage collector, scheduler, fmt) is in both modules, and the "
        f"program adds little to it.{contrast}",
        missed=(
            "Section 4's chart and the line under it: how much of Go's hello is the runtime "
            "every Go program carries (runtime, fmt, reflect and the rest, and the data they "
            "read), and how little is left for the program itself?",
            "sha256 does all that hello does (it prints) and more: can its module be smaller?",
        ),
        factor=1 + GROWTH_TOLERANCE,
        near=f"within {GROWTH_TOLERANCE:.0%} of the measurement"
        if close(given, ratio, GROWTH_TOLERANCE)
        else None,
    )


class _BothColumns(_StrippedSizes, Protocol):
    """What exercise 3 reads: section 3's table, both columns."""

    def as_built(self, lang: str) -> int | None: ...


RATIO_HINT = (
    "Section 4: what does every Go module carry that C's leaves to the host? Section 2 "
    "printed Go's hello as built, and notebook 02 C's."
)


@prediction_exercise(
    "03 · exercise 3 (predict, then measure: how many times bigger)", measured_at=1
)
def check_size_ratio_prediction(prediction: object, sizes: _BothColumns) -> CheckResult:
    """Notebook 03: how many times Go's stripped hello weighs C's, predicted before section
    3's table ran, against the two modules measured here."""
    given = _ratio(prediction)
    go, c = sizes.stripped("go"), sizes.stripped("c")
    if go is None or c is None:
        return not_yet("the Go or the C module is missing on this machine: skip this one.")
    ratio = go / c
    measured = f"measured {ratio:.0f}×: Go's {go:,} stripped bytes against C's {c:,}"
    go_built, c_built = sizes.as_built("go"), sizes.as_built("c")
    as_built = go_built / c_built if go_built and c_built else None
    stripping = (
        f"Your guess is close to the modules as built ({as_built:.0f}×). Section 3: what does "
        "stripping take out of each, and which one carries more of it?"
    )
    near_as_built = as_built is not None and within_factor(given, as_built)
    return grade_prediction(
        given,
        ratio,
        said=lambda times: f"{times:g}×",
        measurement=measured,
        lesson="Go's module carries its runtime (garbage collector, scheduler, fmt) while C's "
        "leaves nearly everything to the host through WASI: the gap is the runtime, not the "
        "program.",
        missed=(stripping, stripping) if near_as_built else (RATIO_HINT, RATIO_HINT),
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
    return grade_sum_program(source, chosen, setting=LanguageSetting("lang", ("rust", "go")))


SOLUTIONS = (
    Solution(
        "03",
        1,
        """
    answer = "GOOS=js GOARCH=wasm go build -o hello.wasm hello.go"
    kh.check_go_browser_build(answer)
    """,
        "GOARCH=wasm makes WebAssembly; GOOS says for which system: js is the browser, with "
        "Go's own JavaScript glue (wasm_exec.js) as the host, where wasip1 is WASI preview 1. "
        "The module imports gojs functions, which no WASI host provides.",
        needs="toolchains",
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
        "Go's hello is almost all runtime, code and data (section 4), which sha256 needs too; the hash "
        "adds a few kilobytes to megabytes. In C the program is most of the module, so the "
        "same step weighs several times more.",
        needs="toolchains",
    ),
    Solution(
        "03",
        3,
        """
    size_prediction = 800  # before section 3's table: Go's runtime is MBs, C's stripped hello KBs
    sizes = kh.language_sizes("hello", ["c", "go"])
    kh.check_size_ratio_prediction(size_prediction, sizes)
    """,
        "Go's hello weighs a couple of MB because every Go module carries the runtime (garbage "
        "collector, scheduler, the reflection fmt uses); C's leaves nearly everything to the "
        "host, and stripped of its debug sections weighs a few KB. The sizes as built (about "
        "70x apart) hide this: most of C's 36 KB is debug information. Within a factor of 2 "
        "counts: the point is the order of magnitude.",
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
