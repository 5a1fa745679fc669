"""The cell magics: write a program in a cell, and the kit compiles it and runs it.

``%load_ext kernel_helpers`` (every notebook's first code cell) registers them:

- ``%%wasm c|cpp|rust|go [options]``: the cell is a whole program; the kit's compiler for
  that language builds it for ``wasm32-wasi`` (cached, like every build of the kit), the
  WASI runner runs it, and the cell shows what it printed, its exit code, the module's
  size and the compile time.
- ``%%wat [options]``: the cell is a module in the WebAssembly text format with a
  ``_start`` function, run the same way.

Options (``--args`` comes last: everything after it goes to the program)::

    --name NAME          keep the build (a toolchains Artifact) as the variable NAME
    --env KEY=VALUE      an environment variable for the program (repeatable)
    --dir HOST::GUEST    a host folder the guest may use, read-write (repeatable)
    --dir-ro HOST::GUEST the same, read-only
    --stdin TEXT         what the program reads on stdin (\\n and \\t are a newline, a tab)
    --timeout SECONDS    stop a program that runs longer (default 10)
    --fuel N             an instruction budget; --max-memory BYTES a memory limit (64M)
    --native             also build a native binary, run it, show both side by side
    --show-command       print the exact compiler command (for ``!`` in a cell)
    --args ARG ...       arguments for the program

Nothing here stops a notebook: a compile error shows the compiler's diagnostics at the
cell's own line numbers, a trap or a limit shows the kit's one-line reason, and a missing
compiler one line saying how to get one. Only a mistyped option fails the cell (IPython's
``UsageError``: one line, no traceback).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import keyword
import re
import shlex
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from .._display import (
    ShownAsHtml,
    ShownAsText,
    code_spans_html,
    format_bytes,
    format_seconds,
    without_code_marks,
)
from .._errors import (
    BuildInProgress,
    CompileError,
    Diagnostic,
    KitError,
    ToolchainMissing,
    WasmError,
)
from .._system import cache_dir, write_atomically
from ..toolchains.build import (
    EXTENSIONS,
    NATIVE,
    WASM,
    ZIG_PATIENCE_S,
    Artifact,
    compile_source,
    shell_command,
    still_building,
    toolchain_for,
)
from ..toolchains.detect import LANGUAGE_NAMES
from ..wasm.host import Timings
from ..wasm.options import add_dir_options, parse_env_pair, parse_size
from ..wasm.reader import section_sizes, wat_to_wasm
from ..wasm.runner import Preopen, WasiResult, run_wasm, wasmtime_version
from .programs import run_native

#: The languages ``%%wasm`` takes, with the spellings a learner may try.
LANGUAGE_WORDS = {"c": "c", "cpp": "cpp", "c++": "cpp", "rust": "rust", "rs": "rust", "go": "go"}

#: A run that takes longer is stopped (a kernel cannot interrupt wasm without it).
DEFAULT_TIMEOUT_S = 10.0
#: Output kept per stream, as the runner keeps it.
OUTPUT_LIMIT = 1 << 20
#: What the cell's program is called when ``--name`` is not given (``cell.c``, ``cell.rs``).
DEFAULT_NAME = "cell"


class MagicUsage(KitError):
    """The magic's line is not understood; ``fix`` shows the usage."""


# --- the magic's line ---------------------------------------------------------------------


@dataclass
class CellOptions:
    """What the line after ``%%wasm`` or ``%%wat`` asked for."""

    lang: str
    name: str | None = None
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    dirs: list[Preopen] = field(default_factory=list)
    stdin: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    fuel: int | None = None
    max_memory: int | None = None
    native: bool = False
    show_command: bool = False

    @property
    def file_stem(self) -> str:
        return self.name or DEFAULT_NAME


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`MagicUsage` instead of exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        raise MagicUsage(f"{self.prog}: {message}", fix=self.format_usage().strip())


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
        return value

    return parse


def _parser(magic: str) -> _Parser:
    usage = (
        f"%(prog)s{' c|cpp|rust|go' if magic == 'wasm' else ''} [--name NAME] [--env KEY=VALUE] "
        "[--dir HOST::GUEST] [--dir-ro HOST::GUEST] [--stdin TEXT] [--timeout SECONDS] "
        f"[--fuel N] [--max-memory BYTES]{' [--native] [--show-command]' if magic == 'wasm' else ''}"
        " [--args ARG ...]"
    )
    parser = _Parser(prog=f"%%{magic}", usage=usage, add_help=False, allow_abbrev=False)
    if magic == "wasm":
        parser.add_argument("lang", metavar="c|cpp|rust|go")
        parser.add_argument("--native", action="store_true")
        parser.add_argument("--show-command", action="store_true")
    parser.add_argument("--name")
    parser.add_argument(
        "--env", action="append", type=parse_env_pair, default=[], metavar="KEY=VALUE"
    )
    add_dir_options(parser)
    parser.add_argument("--stdin", metavar="TEXT")
    parser.add_argument(
        "--timeout", type=_positive(float), default=DEFAULT_TIMEOUT_S, metavar="SECONDS"
    )
    parser.add_argument("--fuel", type=_positive(int), metavar="N")
    parser.add_argument("--max-memory", type=parse_size, metavar="BYTES")
    parser.add_argument("--args", nargs=argparse.REMAINDER, default=[], metavar="ARG")
    return parser


def parse_options(magic: str, line: str) -> CellOptions:
    """The options of ``%%wasm`` (``magic="wasm"``) or ``%%wat``; raises :class:`MagicUsage`."""
    parser = _parser(magic)
    try:
        words = shlex.split(line)
    except ValueError as err:  # an unclosed quote
        raise MagicUsage(f"%%{magic}: {err}", fix=parser.format_usage().strip()) from None
    parsed = parser.parse_args(words)
    lang = "wat"
    if magic == "wasm":
        lang = LANGUAGE_WORDS.get(parsed.lang.lower(), "")
        if not lang:
            raise MagicUsage(
                f"%%wasm: unknown language {parsed.lang!r}",
                fix="write %%wasm c, %%wasm cpp, %%wasm rust or %%wasm go (or %%wat for WAT)",
            )
    name = parsed.name
    if name is not None and (not name.isidentifier() or keyword.iskeyword(name)):
        raise MagicUsage(
            f"%%{magic}: --name {name!r} is not a Python variable name",
            fix="use letters, digits and _, not starting with a digit (for example --name hello)",
        )
    stdin = parsed.stdin
    if stdin is not None:
        stdin = stdin.replace("\\n", "\n").replace("\\t", "\t")
    return CellOptions(
        lang=lang,
        name=name,
        args=list(parsed.args),
        env=dict(parsed.env),
        dirs=[_resolved(p) for p in parsed.dirs],
        stdin=stdin,
        timeout=parsed.timeout,
        fuel=parsed.fuel,
        max_memory=parsed.max_memory,
        native=bool(getattr(parsed, "native", False)),
        show_command=bool(getattr(parsed, "show_command", False)),
    )


def _resolved(preopen: Preopen) -> Preopen:
    """A host folder as an absolute path (``~`` expanded), so the message names it plainly."""
    return Preopen(Path(preopen.host).expanduser().resolve(), preopen.guest, preopen.writable)


# --- compiler messages at the cell's lines --------------------------------------------------


@dataclass(frozen=True)
class CellDiagnostic:
    """A compiler message placed in the cell: ``line`` counts the ``%%wasm`` line as 1,
    as the notebook numbers the cell's lines; ``code`` is the source line it is about."""

    line: int | None
    column: int | None
    severity: str
    message: str
    code: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        if self.line is None:
            where = f"{self.file}: " if self.file else ""
            return f"{where}{self.severity}: {self.message}"
        where = f"cell line {self.line}" + (f", column {self.column}" if self.column else "")
        if self.file:
            where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        text = f"{where}: {self.severity}: {self.message}"
        return text + (f"\n    {self.code}" if self.code else "")


def cell_diagnostics(
    diagnostics: Sequence[Diagnostic], file_name: str, source: str
) -> list[CellDiagnostic]:
    """The compiler's messages with the cell's line numbers: a message about ``file_name``
    (the cell's program) at line N is at cell line N + 1, below the ``%%wasm`` line, with
    that line of code; a message about another file (a header) keeps its own place."""
    lines = source.splitlines()
    placed = []
    for diagnostic in diagnostics:
        ours = Path(diagnostic.file).name == file_name
        if ours and diagnostic.line is not None:
            code = lines[diagnostic.line - 1].strip() if diagnostic.line <= len(lines) else None
            placed.append(
                CellDiagnostic(
                    diagnostic.line + 1,
                    diagnostic.column,
                    diagnostic.severity,
                    diagnostic.message,
                    code or None,
                )
            )
        else:
            placed.append(
                CellDiagnostic(
                    diagnostic.line,
                    diagnostic.column,
                    diagnostic.severity,
                    diagnostic.message,
                    file=diagnostic.file or None,
                )
            )
    return placed


_WAT_LINE = re.compile(r"at line (\d+)")


def _wat_error_in_cell(message: str) -> str:
    """A WAT parse error's "at line N" as the cell's line (the ``%%wat`` line is 1)."""
    return _WAT_LINE.sub(lambda m: f"at cell line {int(m[1]) + 1}", message)


# --- one build and run ----------------------------------------------------------------------


def custom_sections_said(sections: dict[str, int]) -> tuple[str, str | None]:
    """What a module's size includes, and the line giving its stripped size (None when there
    is nothing to strip), from its bytes per section (``section_sizes``). A build keeps its
    debug info, so a Rust module can show MBs here and KBs in notebook 03's stripped table."""
    custom = {label: n for label, n in sections.items() if label.startswith("custom:")}
    if not custom:
        return "with no debug info or names (nothing to strip)", None
    kinds = [
        kind
        for kind, present in (
            ("debug info", any(label.startswith("custom:.debug") for label in custom)),
            ("names", "custom:name" in custom),
            ("other custom sections", any(not _debug_or_name(label) for label in custom)),
        )
        if present
    ]
    kept = ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else kinds[0]
    stripped = sum(sections.values()) - sum(custom.values())
    return (
        f"as built, with {kept}",
        f"stripped of its custom sections: {stripped:,} bytes ({format_bytes(stripped)}), "
        "the size notebooks 02 and 03 compare",
    )


def _debug_or_name(label: str) -> bool:
    return label.startswith("custom:.debug") or label == "custom:name"


def _module_sections(outcome: Outcome) -> None:
    """Read the built module's sections once, for the size lines (a module the reader cannot
    read still runs: the lines then give only its size)."""
    if outcome.artifact is None or outcome.target != WASM:
        return
    try:
        outcome.sections = section_sizes(outcome.artifact.path)
    except KitError:
        outcome.sections = None


#: How the module came to be ready to run, by ``Timings.load_kind``: on a first run
#: wasmtime compiles it to machine code (often the largest part), later runs read that code
#: back from wasmtime's cache (walk 10, S4).
LOADED_HOW = {
    "compiled": "wasmtime compiled it to machine code; a second run reads that from its cache",
    "cache": "its machine code read from wasmtime's cache",
    "prepared": "already loaded",
}


#: A command in a narrow column: long lines wrap, but only where there is a space.
COMMAND_WRAP = "white-space:pre-wrap;word-break:normal;overflow-wrap:normal"


@dataclass(repr=False)
class Outcome(ShownAsText):
    """One target's build and run: the module (or native binary), what it printed and how
    it ended, or the one line saying why it did not get that far."""

    target: str
    lang: str
    artifact: Artifact | None = None
    command: str | None = None
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    run_s: float | None = None
    #: The wasm run's parts (load, instantiate, ``_start``); None for a native binary.
    timings: Timings | None = None
    #: Why the build or the run stopped (a compile error, a trap, a limit, no compiler).
    problem: str | None = None
    fix: str | None = None
    diagnostics: list[CellDiagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The module's bytes per section (wasm only; None when it could not be read).
    sections: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def build_line(self) -> str:
        """``wasm32-wasi: module 5,840,123 bytes (5.84 MB) with debug info and names,
        compiled in 0.21 s with rustc``: a module says what its size includes, because
        notebooks 02-03 compare modules stripped and a build keeps debug info."""
        kind = "module" if self.target == WASM else "binary"
        if self.artifact is None:
            return f"{self.target}: no {kind}"
        a = self.artifact
        if a.cached:
            how = f"from the build cache (compiled in {format_seconds(a.compile_s)})"
        else:
            how = f"compiled in {format_seconds(a.compile_s)}"
        size = f"{a.bytes:,} bytes ({format_bytes(a.bytes)})"
        if self.sections is not None:
            size += f" {custom_sections_said(self.sections)[0]}"
        return f"{self.target}: {kind} {size}, {how} with {a.toolchain}"

    def stripped_line(self) -> str | None:
        """What the module weighs stripped, when it has something to strip."""
        return None if self.sections is None else custom_sections_said(self.sections)[1]

    def run_line(self) -> str | None:
        """The exit code and the time, timed alike on both sides: from the file on disk to
        the program's end. A module's time is its parts added up in this process (loading,
        which on a first run is wasmtime compiling it, instantiating, ``_start``); a native
        binary's is a whole new process. Walk 7, S5 and walk 10, S4: a bare ``_start``
        against a whole process read as one side being ten times slower."""
        if self.exit_code is None:
            return None
        ran = f"exit code {self.exit_code}, ran"
        if self.run_s is None:
            return ran
        if self.timings is None:
            took = format_seconds(self.run_s)
            return f"{ran} in {took} from file to exit, as a new process: started, run and ended"
        t = self.timings
        how = LOADED_HOW.get(t.load_kind, t.load_kind)
        return (
            f"{ran} in {format_seconds(t.total_s)} from file to exit, in this process, no new one "
            f"started: load {format_seconds(t.load_s)} ({how}), instantiate "
            f"{format_seconds(t.instantiate_s)}, _start {format_seconds(t.run_s)}"
        )

    def lines(self) -> list[str]:
        """The outcome as text, top to bottom (the HTML view uses the same pieces)."""
        out = [self.build_line()]
        stripped = self.stripped_line()
        if stripped:
            out.append(stripped)
        if self.command:
            out.append(f"$ {self.command}")
        run = self.run_line()
        if run:
            out.append(run)
        if self.problem:
            out.append(self.problem)
            out += [f"  {d}" for d in self.diagnostics]
            if self.fix:
                out.append(f"  How to fix: {self.fix}")
        out += self.notes
        if self.stdout:
            out.append("stdout:\n" + self.stdout.rstrip("\n"))
        if self.stderr:
            out.append("stderr:\n" + self.stderr.rstrip("\n"))
        return out

    def text(self) -> str:
        return "\n".join(self.lines())

    def html_cell(self) -> str:
        head = [self.build_line()]
        stripped = self.stripped_line()
        run = self.run_line()
        parts = [f"<div><b>{html.escape(head[0])}</b></div>"]
        if stripped:
            parts.append(f"<div>{html.escape(stripped)}</div>")
        if run:
            head.append(run)
        if self.command:
            # Wrap at spaces only: a file name broken in two reads as two words (walk 7, S6).
            parts.append(f"<pre style='{COMMAND_WRAP}'>$ {html.escape(self.command)}</pre>")
        parts += [f"<div>{html.escape(line)}</div>" for line in head[1:]]
        if self.problem:
            color = "#b00" if self.artifact is None or self.diagnostics else "#a60"
            parts.append(f"<div style='color:{color}'>{html.escape(self.problem)}</div>")
            if self.diagnostics:
                text = "\n".join(str(d) for d in self.diagnostics)
                parts.append(f"<pre>{html.escape(text)}</pre>")
            if self.fix:
                parts.append(f"<div>How to fix: <code>{html.escape(self.fix)}</code></div>")
        parts += [f"<div><i>{html.escape(note)}</i></div>" for note in self.notes]
        for title, stream in (("stdout", self.stdout), ("stderr", self.stderr)):
            if stream:
                parts.append(
                    f"<div style='margin-top:0.4em'><b>{title}</b></div>"
                    f"<pre>{html.escape(stream.rstrip(chr(10)))}</pre>"
                )
        return "".join(parts)


@dataclass(repr=False)
class CellRun(ShownAsText, ShownAsHtml):
    """What a ``%%wasm`` or ``%%wat`` cell did: one outcome, or wasm and native side by side."""

    lang: str
    outcomes: list[Outcome]
    kept_as: str | None = None

    @property
    def wasm(self) -> Outcome:
        return self.outcomes[0]

    @property
    def native(self) -> Outcome | None:
        return self.outcomes[1] if len(self.outcomes) > 1 else None

    def _footer(self) -> list[str]:
        if self.kept_as and self.wasm.artifact is not None:
            return [f"kept as `{self.kept_as}` ({self.kept_as}.path is the module)"]
        return []

    def text(self) -> str:
        blocks = [o.text() for o in self.outcomes]
        return "\n\n".join(blocks + [without_code_marks(t) for t in self._footer()])

    def html(self) -> str:
        footer = "".join(f"<div><i>{code_spans_html(t)}</i></div>" for t in self._footer())
        if len(self.outcomes) == 1:
            return f"<div>{self.wasm.html_cell()}{footer}</div>"
        cells = "".join(
            f"<td style='vertical-align:top;text-align:left;padding-right:2em'>{o.html_cell()}</td>"
            for o in self.outcomes
        )
        return f"<div><table><tr>{cells}</tr></table>{footer}</div>"


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules


#: zig builds a target's C library on its first use (20-45 s): in a notebook, such a build
#: goes on here while the cell says so, and the next run of the cell finds it cached.
_PATIENT_BUILDS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kit-magic-build")


def _compile(source: str, lang: str, target: str, name: str) -> Artifact:
    if toolchain_for(lang, target).kind != "zig" or not _in_notebook():
        return compile_source(source, lang, target, name=name)
    future = _PATIENT_BUILDS.submit(compile_source, source, lang, target, name=name)
    try:
        return future.result(timeout=ZIG_PATIENCE_S)
    except FutureTimeout:
        raise still_building(lang, target, "run this cell again in a minute") from None


def _build(source: str, options: CellOptions, target: str) -> Outcome:
    """Compile the cell for ``target``; a problem becomes the outcome's one line."""
    lang = options.lang
    outcome = Outcome(target, lang)
    file_name = f"{options.file_stem}.{EXTENSIONS[lang]}"
    try:
        outcome.artifact = _compile(source, lang, target, options.file_stem)
    except BuildInProgress as err:
        outcome.problem, outcome.fix = err.message, err.fix
        return outcome
    except ToolchainMissing as err:
        # One line: what is missing and how to get it.
        outcome.problem = f"{err.message[:1].upper()}{err.message[1:]}. To get one: {err.fix}"
        return outcome
    except CompileError as err:
        count = sum(d.severity == "error" for d in err.diagnostics)
        said = f"{count} error{'s' * (count != 1)}" if count else "it failed"
        outcome.problem = f"{LANGUAGE_NAMES[lang]} compile failed: {said}"
        outcome.diagnostics = cell_diagnostics(err.diagnostics, file_name, source)
        if not err.diagnostics:
            tail = err.output.strip().splitlines()[-5:]
            outcome.diagnostics = [CellDiagnostic(None, None, "error", line) for line in tail]
        if options.show_command:
            outcome.command = shell_command(lang, target, err.command)
        return outcome
    except KitError as err:
        outcome.problem, outcome.fix = err.message, err.fix
        return outcome
    if options.show_command:
        outcome.command = shell_command(lang, target, outcome.artifact.command)
    return outcome


def _build_wat(source: str, options: CellOptions) -> Outcome:
    outcome = Outcome(WASM, "wat")
    began = time.perf_counter()
    try:
        module = wat_to_wasm(source)
    except WasmError as err:
        outcome.problem = _wat_error_in_cell(err.message)
        outcome.fix = err.fix
        return outcome
    seconds = time.perf_counter() - began
    folder = cache_dir() / "wat" / hashlib.sha256(module).hexdigest()[:24]
    path = write_atomically(folder / f"{options.file_stem}.wasm", module)
    outcome.artifact = Artifact(
        options.file_stem,
        "wat",
        WASM,
        path,
        len(module),
        ["wasmtime.wat2wasm", f"{options.file_stem}.wat"],
        "wasmtime",
        wasmtime_version(),
        seconds,
    )
    return outcome


def _one_line(err: KitError) -> str:
    return err.message.strip().splitlines()[0] if err.message.strip() else type(err).__name__


def _stdin_bytes(options: CellOptions) -> bytes:
    return (options.stdin or "").encode()


def _run_wasm(outcome: Outcome, options: CellOptions) -> None:
    assert outcome.artifact is not None
    result: WasiResult | None
    try:
        result = run_wasm(
            outcome.artifact.path,
            options.args,
            env=options.env,
            dirs=options.dirs,
            stdin=_stdin_bytes(options) if options.stdin is not None else None,
            timeout=options.timeout,
            fuel=options.fuel,
            max_memory=options.max_memory,
            output_limit=OUTPUT_LIMIT,
        )
    except WasmError as err:
        outcome.problem, outcome.fix = _one_line(err), err.fix
        result = err.result if isinstance(err.result, WasiResult) else None
    except KitError as err:
        outcome.problem, outcome.fix = _one_line(err), err.fix
        result = None
    if result is not None:
        outcome.stdout, outcome.stderr = result.stdout_text, result.stderr_text
        outcome.run_s, outcome.timings = result.timings.run_s, result.timings
        if outcome.problem is None:
            outcome.exit_code = result.exit_code
        if result.memory_limit_reached:
            outcome.notes.append(
                "the program reached --max-memory: a memory.grow returned -1 and it chose "
                f"exit code {result.exit_code}"
            )


def _run_native(outcome: Outcome, options: CellOptions) -> None:
    """Run the native binary with the same arguments, environment and stdin (it sees the
    real file system: ``--dir`` does not apply to it)."""
    assert outcome.artifact is not None
    if options.dirs:
        outcome.notes.append("natively the program sees this machine's files: --dir does not apply")
    run = run_native(
        outcome.artifact.path,
        options.args,
        stdin=_stdin_bytes(options),
        env=options.env,
        timeout=options.timeout,
        output_limit=OUTPUT_LIMIT,
    )
    outcome.exit_code, outcome.problem, outcome.run_s = run.exit_code, run.stopped, run.seconds
    outcome.stdout, outcome.stderr = run.stdout, run.stderr


def run_cell(source: str, options: CellOptions) -> CellRun:
    """Build the cell's program, run it under WASI (and natively with ``--native``), and
    return what happened. Never raises a :class:`KitError`: problems are in the outcomes."""
    wasm = _build_wat(source, options) if options.lang == "wat" else _build(source, options, WASM)
    if wasm.artifact is not None:
        _module_sections(wasm)
        _run_wasm(wasm, options)
    outcomes = [wasm]
    if options.native and options.lang != "wat":
        native = _build(source, options, NATIVE)
        if native.artifact is not None:
            _run_native(native, options)
        outcomes.append(native)
    return CellRun(options.lang, outcomes)


# --- IPython ----------------------------------------------------------------------------------


def _cell_magic(shell: Any, magic: str, line: str, cell: str) -> CellRun:
    from IPython.core.error import UsageError

    try:
        options = parse_options(magic, line)
    except MagicUsage as err:
        raise UsageError(str(err)) from None
    if not cell.strip():
        raise UsageError(
            f"%%{magic}: the cell is empty: write the program below the %%{magic} line"
        )
    outcome = run_cell(cell, options)
    if options.name and outcome.wasm.artifact is not None:
        shell.user_ns[options.name] = outcome.wasm.artifact
        outcome.kept_as = options.name
    return outcome


def register(shell: Any) -> None:
    """Register ``%%wasm`` and ``%%wat`` with an IPython shell (``%load_ext kernel_helpers``)."""

    def wasm(line: str, cell: str) -> CellRun:
        return _cell_magic(shell, "wasm", line, cell)

    def wat(line: str, cell: str) -> CellRun:
        return _cell_magic(shell, "wat", line, cell)

    wasm.__doc__ = wat.__doc__ = __doc__
    shell.register_magic_function(wasm, magic_kind="cell", magic_name="wasm")
    shell.register_magic_function(wat, magic_kind="cell", magic_name="wat")
