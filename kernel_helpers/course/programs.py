"""A program the learner wrote, compiled and run by a check (notebooks 01-05 and 08).

Some exercises ask for a program rather than a value. Their checks share the steps here:
take the source text, compile it (no compiler here is "not yet", a compile error is the
compiler's first complaint), run it under WASI or natively, and keep what it printed and
how it ended as a :class:`ProgramRun` for the check to grade. A WAT module is read with
:func:`wat_bytes`, which turns a syntax error into wat2wasm's own message.
"""

from __future__ import annotations

import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .._errors import CompileError, ToolchainMissing, WasmError, root_cause
from ..toolchains.build import WASM, Artifact, compile_source
from ..toolchains.detect import LANGUAGE_NAMES
from ..wasm.reader import read_module
from ..wasm.runner import Preopen, WasiResult, run_wasm
from .checks import CheckResult, EarlyAnswer, Unusable, not_yet, wrong

#: A learner's program running longer than this is stopped: almost always a loop that
#: never ends. A check that needs more time passes its own.
RUN_TIMEOUT_S = 10.0
#: What a check keeps of each output stream; a program printing more is cut off there.
OUTPUT_LIMIT = 1 << 20
#: How much of a program's first line on stderr a message quotes.
SAID_CHARS = 120


# --- the source -----------------------------------------------------------------------------


def program_text(source: object, lang: str) -> str:
    """The learner's program, or :class:`Unusable` saying what to give instead."""
    name = LANGUAGE_NAMES[lang]
    if not isinstance(source, str):
        raise Unusable(
            f"expected the {name} program as a string, got {type(source).__name__}.",
            "Write the program between r''' and ''' (a raw string keeps its \\n as it is).",
        )
    if not source.strip():
        raise Unusable(f"the string is empty: write the {name} program in it.")
    return source


def wat_bytes(wat: object) -> bytes:
    """A module from WAT text (or wasm bytes as they are); a syntax error is
    :class:`Unusable` with wat2wasm's message, which names the line and column."""
    import wasmtime

    if isinstance(wat, bytes):
        return wat
    if not isinstance(wat, str):
        raise Unusable(f"expected WAT text in a string, got {type(wat).__name__}.")
    try:
        return bytes(wasmtime.wat2wasm(wat))
    except wasmtime.WasmtimeError as err:
        raise Unusable(
            "the WAT text does not parse yet.",
            f"wat2wasm says: {root_cause(err)}. Every '(' needs its ')', and a function "
            "signature reads (param i32) (result i32).",
        ) from None


def pure_function_problem(wasm: bytes, name: str, how_to_export: str) -> CheckResult | None:
    """What keeps ``wasm`` from being a module whose function ``name`` a host can call with
    nothing to provide (exported, a function, no imports), as a wrong answer; or None."""
    info = read_module(wasm)
    export = next((e for e in info.exports if e.name == name), None)
    if export is None:
        names = ", ".join(f'"{e.name}"' for e in info.exports)
        found = (
            f'the module exports {names}, but no "{name}".'
            if names
            else "the module exports nothing yet."
        )
        return wrong(found, how_to_export)
    if export.kind != "func":
        return wrong(f'"{name}" is exported as a {export.kind}, not a function.')
    if info.imports:
        asked = ", ".join(f"{i.module}.{i.name}" for i in info.imports)
        return wrong(f"{name} needs no imports; this module asks its host for {asked}.")
    return None


#: A line each language's programs nearly always have and the others never do: what tells
#: a learner that ``lang`` and the program disagree (walk 8, S13: C under lang = "rust" got
#: Rust's "expected one of `!` or `[`, found `include`" and no word about the setting).
LANGUAGE_SIGNS = (
    ("c", re.compile(r"^\s*#\s*include\b", re.MULTILINE), "#include"),
    ("rust", re.compile(r"\bfn\s+main\s*\("), "fn main"),
    ("go", re.compile(r"^\s*package\s+main\b", re.MULTILINE), "package main"),
)


#: How a compile failure of a program in another language begins, after the compiler's name.
LANGUAGE_MISMATCH = "does not accept it: it reads like"


def written_in(source: str) -> tuple[str, str] | None:
    """The language ``source`` reads like and the line that says so (``("c", "#include")``),
    or None when no sign, or signs of more than one language, are in it."""
    found = [(lang, sign) for lang, pattern, sign in LANGUAGE_SIGNS if pattern.search(source)]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class LanguageSetting:
    """The variable a learner chose the language with (``lang``) and the languages the
    exercise takes: what a program in another language is told to change."""

    name: str
    accepted: tuple[str, ...]

    def fix(self, seen: str) -> str:
        """What to change for a program that reads like ``seen``."""
        if seen in self.accepted:
            return f'If it is {LANGUAGE_NAMES[seen]}, set {self.name} = "{seen}" and run the cell again.'
        takes = " or ".join(LANGUAGE_NAMES[lang] for lang in self.accepted)
        return (
            f"This exercise takes {takes}: write the program in one and set {self.name} to match."
        )


def _wrong_language(
    source: str, lang: str, setting: LanguageSetting | None, err: CompileError
) -> CheckResult | None:
    """The compile failure of a program in another language than ``lang``, said as such; None
    when it reads like ``lang`` (C++ takes C's signs too) or like nothing known."""
    seen = written_in(source)
    if seen is None or seen[0] == lang or (seen[0], lang) == ("c", "cpp"):
        return None
    other, built = LANGUAGE_NAMES[seen[0]], LANGUAGE_NAMES[lang]
    said_by = f"{setting.name} says" if setting else "this exercise builds"
    fix = setting.fix(seen[0]) if setting else f"This exercise takes {built}."
    return wrong(
        f"the {built} compiler {LANGUAGE_MISMATCH} {other} ({seen[1]}), while {said_by} {built}.",
        f"{fix} ({first_complaint(err)})",
    )


def compile_program(
    source: str,
    lang: str,
    *,
    name: str,
    target: str = WASM,
    setting: LanguageSetting | None = None,
) -> Artifact:
    """``source`` built for ``target``; raises :class:`EarlyAnswer`: "not yet" when there is no
    compiler here for it, "not quite" with the compiler's first complaint when it fails, or
    that it reads like another language than ``lang`` (and which ``setting`` to change, when
    the learner chose ``lang``)."""
    try:
        return compile_source(source, lang, target, name=name)
    except ToolchainMissing as err:
        raise EarlyAnswer(
            not_yet(
                f"{err.message}, so this check cannot run your program (nothing is wrong "
                "with it yet). Get one, then run this cell again:",
                err.fix,
            )
        ) from None
    except CompileError as err:
        mismatch = _wrong_language(source, lang, setting, err)
        if mismatch is not None:
            raise EarlyAnswer(mismatch) from None
        said = f"the {LANGUAGE_NAMES[lang]} compiler does not accept it yet."
        raise EarlyAnswer(wrong(said, first_complaint(err))) from None


def first_complaint(err: CompileError) -> str:
    """The compiler's first error, with its line: usually the one to fix first."""
    errors = [d for d in err.diagnostics if d.severity == "error"] or err.diagnostics
    if not errors:
        lines = err.output.strip().splitlines()
        return f"It says: {lines[-1] if lines else err.message}."
    first = errors[0]
    where = f", line {first.line}" if first.line is not None else ""
    return f"First complaint{where}: {first.message}."


# --- running it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramRun:
    """What one run of the learner's program did.

    ``stopped`` says why it did not end by itself (a trap, a timeout), in one line; then
    ``exit_code`` is None. A native program killed by a signal has a negative exit code,
    as :mod:`subprocess` reports it. ``seconds`` is the run alone: for a module, after it
    was loaded and instantiated; for a native binary, with starting its process.
    """

    args: tuple[str, ...]
    stdout: str
    stderr: str
    exit_code: int | None
    seconds: float
    stopped: str | None = None

    @property
    def printed(self) -> str:
        """stdout without the whitespace around it (a missing final newline is fine)."""
        return self.stdout.strip()

    @property
    def said(self) -> str:
        """The first line the program wrote to stderr (its start, if long), or ""."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        if not lines:
            return ""
        return lines[0] if len(lines[0]) <= SAID_CHARS else lines[0][: SAID_CHARS - 3] + "..."

    def failure(self) -> str | None:
        """How the run went wrong, as the end of a sentence, or None if it ended with 0."""
        if self.stopped is not None:
            said = f", after writing {self.said!r} to stderr" if self.said else ""
            if self.stopped.startswith("stopped "):  # "stopped by the timeout: ..."
                return f"it was {self.stopped}{said}"
            return f"it stopped ({self.stopped}){said}"
        if self.exit_code is not None and self.exit_code < 0:
            return f"it was killed by {_signal_name(-self.exit_code)}"
        if self.exit_code:
            said = f" and said {self.said!r}" if self.said else ""
            return f"it ended with exit code {self.exit_code}{said}"
        return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def exit_code_hint(what: str) -> str:
    """The hint for a program that ended with a non-zero exit code though it should not."""
    return (
        f"Exit code 0 says all went well: print the {what} and return 0 (the {what} goes to "
        "stdout, not into the exit code)."
    )


def with_arguments(args: Sequence[str]) -> str:
    """``"with no arguments"``, ``"with the argument 10"``, ``"with the arguments 1 2"``."""
    if not args:
        return "with no arguments"
    return f"with the argument{'s' * (len(args) > 1)} {' '.join(args)}"


def run_wasi(
    module: Artifact | Path,
    args: Sequence[str] = (),
    *,
    dirs: Sequence[Preopen] | None = None,
    argv0: str | None = None,
    timeout: float = RUN_TIMEOUT_S,
) -> ProgramRun:
    """Run a module under WASI; a trap or a limit becomes ``stopped``, never an exception."""
    path = module.path if isinstance(module, Artifact) else module
    try:
        result = run_wasm(
            path, args, dirs=dirs, argv0=argv0, timeout=timeout, output_limit=OUTPUT_LIMIT
        )
    except WasmError as err:
        partial = err.result if isinstance(err.result, WasiResult) else None
        stopped = err.message.strip().splitlines()[0]
        return _from_result(args, partial, stopped)
    return _from_result(args, result, None)


def _from_result(args: Sequence[str], result: WasiResult | None, stopped: str | None) -> ProgramRun:
    if result is None:
        return ProgramRun(tuple(args), "", "", None, 0.0, stopped)
    exit_code = None if stopped else result.exit_code
    return ProgramRun(
        tuple(args),
        result.stdout_text,
        result.stderr_text,
        exit_code,
        result.timings.run_s,
        stopped,
    )


def _read_limited(handle: IO[bytes], limit: int) -> str:
    handle.seek(0)
    data = handle.read(limit + 1)
    text = data[:limit].decode("utf-8", "replace")
    return text + ("\n[... output truncated]" if len(data) > limit else "")


def run_native(
    binary: Artifact | Path,
    args: Sequence[str] = (),
    *,
    stdin: bytes = b"",
    env: Mapping[str, str] | None = None,
    timeout: float = RUN_TIMEOUT_S,
    output_limit: int = OUTPUT_LIMIT,
) -> ProgramRun:
    """Run a native binary with the same arguments (and ``stdin``, ``env``) a module gets.

    Output goes to temporary files, so a program printing without end fills a disk block
    or two, not this process's memory; ``output_limit`` bytes of each are kept.
    """
    path = binary.path if isinstance(binary, Artifact) else binary
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.perf_counter()
        exit_code: int | None = None
        stopped: str | None = None
        try:
            done = subprocess.run(
                [str(path), *args],
                input=stdin,
                stdout=out,
                stderr=err,
                env=env,
                timeout=timeout,
                check=False,
            )
            exit_code = done.returncode
        except subprocess.TimeoutExpired:
            stopped = f"stopped by the timeout: the program ran longer than {timeout:g} s"
        except OSError as error:
            stopped = f"the native binary did not start: {error}"
        seconds = time.perf_counter() - began
        return ProgramRun(
            tuple(args),
            _read_limited(out, output_limit),
            _read_limited(err, output_limit),
            exit_code,
            seconds,
            stopped,
        )
