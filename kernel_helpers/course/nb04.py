"""Notebook 04 · WASI capabilities: the least folder grants for a report, the capability quiz, a
program that reads a file or says why it cannot, and what preview 1 cannot do at all (a
socket, a thread: :func:`preview1_limits`).

The WASI probe the notebook runs is :mod:`.probe`.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._display import ShownAsText, describe_machine
from .._errors import CompileError, KitError, ToolchainMissing
from .._system import DATA_DIR
from ..toolchains.build import WASM, compile_with, shell_command, toolchain_for
from ..toolchains.detect import Toolchain
from ..wasm.runner import Preopen
from .checks import CheckResult, Solution, Unusable, exercise, right, wrong
from .programs import ProgramRun, compile_program, program_text, run_wasi


def _preopen_fields(item: object) -> tuple[str, str, bool]:
    """(host, guest, writable) from a Preopen or a tuple ``(host, guest[, writable])``."""
    if isinstance(item, tuple | list):
        host, guest = item[0], item[1]
        writable = bool(item[2]) if len(item) > 2 else False
        return str(host), str(guest), writable
    host, guest = getattr(item, "host", None), getattr(item, "guest", None)
    if host is None or guest is None:
        raise Unusable(
            f"{item!r} is not a folder grant.",
            'Each entry is kh.Preopen(host_folder, "/guest/path").',
        )
    return str(host), str(guest), bool(getattr(item, "writable", False))


#: Exercise 1's program: where it reads and where it writes, inside the guest. Not cell
#: 16's `/data` and cell 20's `/out`, so the answer is built, not copied (walk 7, S14).
REPORT_READS, REPORT_WRITES = "/input", "/results"


def _grant_problem(
    items: list[tuple[str, str, bool]], host: str | Path, guest: str, writes: bool
) -> CheckResult | None:
    """What is wrong with the grant of ``host`` as ``guest``, or None if it is as asked."""
    wanted = Path(host).resolve()
    matching = [i for i in items if Path(i[0]).resolve() == wanted]
    if not matching:
        return wrong(
            f"none of the entries opens {wanted}.",
            "The first field is the folder on your machine (the host side); the program "
            "uses two of them.",
        )
    _, got_guest, writable = matching[0]
    if got_guest != guest:
        return wrong(
            f"{wanted.name} appears in the guest as {got_guest}, but the program uses {guest}.",
            "The second field is the path the program sees (the guest side).",
        )
    if writable and not writes:
        return wrong(
            f"it works, but the program may now write into {guest} too, which it only reads.",
            "Grant the least it needs: writable only where it writes.",
        )
    if writes and not writable:
        return wrong(
            f"{guest} is read-only, so the program cannot write its report there.",
            "Section 5, 'Read-only and read-write': how does a folder become writable?",
        )
    return None


@exercise("04 · exercise 1 (least privilege: a report)")
def check_report_grants(
    dirs: Iterable[object], reads: str | Path, writes: str | Path
) -> CheckResult:
    """Notebook 04: ``dirs`` grants ``reads`` as :data:`REPORT_READS`, read-only, and
    ``writes`` as :data:`REPORT_WRITES`, writable, and nothing else."""
    if hasattr(dirs, "guest") or isinstance(dirs, str | Path):
        raise Unusable(
            "dirs is a list of folders.",
            "Put your Preopens in square brackets: [kh.Preopen(...), ...].",
        )
    items = [_preopen_fields(item) for item in dirs]
    if not items:
        return wrong(
            "the list is empty: the program is given no folder at all.",
            f"It reads below {REPORT_READS} and writes below {REPORT_WRITES}.",
        )
    for host, guest, written in ((reads, REPORT_READS, False), (writes, REPORT_WRITES, True)):
        problem = _grant_problem(items, host, guest, written)
        if problem is not None:
            return problem
    if len(items) > 2:
        return wrong(
            f"you granted {len(items)} folders; the program needs two.",
            "Each extra folder is more the program could reach if it misbehaved.",
        )
    return right(
        f"yes: {REPORT_READS} for reading and {REPORT_WRITES} for writing, nothing else. If the "
        f"program misbehaved, the one thing it could change is what is below {REPORT_WRITES}."
    )


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
        "random_get is always there: programs need it for hash maps and random numbers",
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


@exercise("04 · exercise 2 (capabilities)")
def check_capabilities(answer: Iterable[str] | str) -> CheckResult:
    """Notebook 04: the letters of :data:`CAPABILITY_QUIZ` a module can do without a grant."""
    if not isinstance(answer, str | Iterable):
        raise Unusable(f"{answer!r} is not a set of letters.", 'Write them like {"A", "B"}.')
    given = {str(a).strip().upper() for a in ([answer] if isinstance(answer, str) else answer)}
    unknown = given - set(CAPABILITY_QUIZ)
    if unknown:
        return wrong(
            f"there is no statement {', '.join(sorted(unknown))}.", "Use the letters A to F."
        )
    truth = {key for key, (_, allowed, _) in CAPABILITY_QUIZ.items() if allowed}
    if given == truth:
        return right(
            "yes: clock, randomness and stdout; no files, no network, no host environment."
        )
    # Which way, never which letter: naming it ("Start with C: a module can do that") was
    # the answer of a yes/no statement (walk 5).
    wrong_in, left_out = len(given - truth), len(truth - given)
    return wrong(
        f"{wrong_in + left_out} statement(s) to rethink: {_which_way(wrong_in, left_out)}.",
        "Sections 3 and 4 show what a module gets with nothing granted; sections 2, 5 and 6 "
        "show what takes env= or dirs=, and section 8 what preview 1 has no call for.",
    )


def _which_way(chosen_but_not: int, left_out: int) -> str:
    """Whether the learner chose too much, too little, or both, in words."""
    if chosen_but_not and left_out:
        return "some you chose need a grant, and some you left out need none"
    if chosen_but_not:
        needs = "needs" if chosen_but_not == 1 else "need"
        return f"{chosen_but_not} of the ones you chose {needs} something the host never gave"
    return f"a module with nothing granted can do {left_out} more of them than you chose"


#: Where exercise 3's program finds its file, inside the guest.
GREETING_FOLDER = "/data"
GREETING_FILE = f"{GREETING_FOLDER}/greeting.txt"
OPEN_IT_HINT = (
    f'Open exactly {GREETING_FILE}, for reading: fopen("{GREETING_FILE}", "r") (the folder '
    "is given read-only)."
)


def greeting_text() -> str:
    """What the check writes into greeting.txt: a new number every time, so only a
    program that reads the file can print it."""
    return f"Hello from the host!\nThis line was written for this run only: {secrets.randbelow(10**6)}\n"


def _with_the_file(run: ProgramRun, text: str) -> CheckResult | None:
    """What is wrong with the run that had the file, or None if it printed the file."""
    given = f"with {GREETING_FOLDER} given"
    failed = run.failure()
    if failed is not None:
        return wrong(f"{given}, {failed}.", OPEN_IT_HINT)
    if not run.printed:
        return wrong(
            f"{given}, it printed nothing.",
            "Read the file and print what you read: fgets in a loop, each line printed with "
            "fputs(line, stdout), until fgets returns NULL.",
        )
    if run.stdout.rstrip() == text.rstrip():
        return None
    if text.startswith(run.stdout):
        return wrong(
            f"{given}, it printed only the start of the file.",
            "Keep reading until fgets returns NULL (or fread returns 0): the file has more than "
            "one line.",
        )
    return wrong(
        f"{given}, it printed {run.stdout[:200]!r}, but the file holds {text!r}.",
        "Print what you read from the file as it is: the check writes a new number into it "
        "on every run.",
    )


def _without_the_file(run: ProgramRun) -> CheckResult | None:
    """What is wrong with the run that had no folder, or None if it failed cleanly."""
    missing = f"without {GREETING_FOLDER}"
    if run.stopped is not None:
        return wrong(
            f"{missing}, it crashed ({run.stopped}).",
            "fopen returned NULL, as there is no file to open, and the program read through "
            "that NULL anyway: what must it look at before it reads, and what should it do "
            "when there is nothing to read?",
        )
    if run.exit_code == 0:
        return wrong(
            f"{missing}, it ended with exit code 0, as if all went well.",
            "fopen returns NULL when it cannot open the file. Then say why on stderr (perror "
            "does) and return 1, so whoever ran the program can tell it failed.",
        )
    if not run.said:
        where = "wrote its message to stdout" if run.printed else "said nothing"
        return wrong(
            f"{missing}, it ended with exit code {run.exit_code} but {where}.",
            f'Say why on stderr, where errors go: perror("{GREETING_FILE}") writes the path '
            "and the reason.",
        )
    return None


@exercise("04 · exercise 3 (read a file, or say why not)")
def check_greeting_reader(source: object) -> CheckResult:
    """Notebook 04: a C program that prints /data/greeting.txt, and without /data writes
    why to stderr and ends with a non-zero exit code instead of crashing."""
    artifact = compile_program(program_text(source, "c"), "c", name="greeting")
    text = greeting_text()
    with tempfile.TemporaryDirectory(prefix="kit-greeting-") as folder:
        (Path(folder) / "greeting.txt").write_text(text)
        given = run_wasi(artifact, dirs=[Preopen(folder, GREETING_FOLDER)])
    refused = run_wasi(artifact)
    # Not `a or b`: a CheckResult that is not right is falsy.
    for verdict in (_with_the_file(given, text), _without_the_file(refused)):
        if verdict is not None:
            return verdict
    return right(
        f"with {GREETING_FOLDER} it printed the file; without it, it wrote {refused.said!r} "
        f"to stderr and ended with exit code {refused.exit_code}.",
    )


SOLUTIONS = (
    Solution(
        "04",
        1,
        """
    from pathlib import Path
    import tempfile
    report_space = tempfile.TemporaryDirectory()  # stands in for workspace; removed at the end
    folder = Path(report_space.name)
    answer = [
        kh.Preopen(folder / "data", "/input"),  # read-only (the default): it only reads here
        kh.Preopen(folder / "out", "/results", writable=True),  # the one folder it writes
    ]
    kh.check_report_grants(answer, folder / "data", folder / "out")
    """,
        "Two preopens, each with the least access its folder needs: the input read-only, the "
        "results writable. A folder the program only reads is never writable.",
        needs="wasi",
    ),
    Solution(
        "04",
        2,
        """
    answer = {"A", "C", "F"}
    kh.check_capabilities(answer)
    """,
        "Clock, random numbers and stdout come with WASI; files, network and the host's "
        "environment only if the host hands them over.",
    ),
    Solution(
        "04",
        3,
        r"""
    answer = r'''#include <stdio.h>

    int main(void) {
        FILE *f = fopen("/data/greeting.txt", "r");
        if (f == NULL) {
            perror("/data/greeting.txt");
            return 1;
        }
        char line[256];
        while (fgets(line, sizeof line, f) != NULL)
            fputs(line, stdout);
        fclose(f);
        return 0;
    }
    '''
    kh.check_greeting_reader(answer)
    """,
        "Without the folder, fopen returns NULL: the program checks for it, lets perror say "
        "why on stderr and returns 1. Reading through NULL instead would trap.",
        needs="toolchains",
    ),
)


# --- what preview 1 cannot do: a socket and a thread, compiled for wasm32-wasi --------------

#: The two programs, in the kit's data: each asks for something preview 1 has no call for.
PREVIEW1_FOLDER = DATA_DIR / "preview1"
PREVIEW1_PROGRAMS = ("socket", "threads")
#: What each program asks the operating system for, in words.
PREVIEW1_ASKS = {
    "socket": "a network socket: socket(AF_INET, SOCK_STREAM, 0)",
    "threads": "a second thread: pthread_create(...)",
}
#: Where the compile and run of each program were recorded, for machines with no C
#: compiler for wasm32-wasi: one entry per toolchain kind (clang + wasi-libc, zig).
PREVIEW1_RECORDED = PREVIEW1_FOLDER / "recorded.json"
#: Lines of compiler output shown: the first error and the lines that point at it.
SHOWN_LINES = 8


@dataclass(frozen=True, repr=False)
class Preview1Attempt(ShownAsText):
    """One program built for wasm32-wasi and, if it built, run: what the compiler or the
    runtime said, word for word, and why. ``recorded`` names where and when, for an
    attempt read from :data:`PREVIEW1_RECORDED` instead of made now."""

    program: str
    toolchain: str
    command: str
    stage: str  # "compile": the compiler refused it; "run": it built, and this is the run
    said: str
    exit_code: int | None
    recorded: str | None = None

    @property
    def why(self) -> str:
        """The explanation that fits what happened (not what was expected to happen)."""
        return _why(self.program, self.stage, self.said)

    def text(self) -> str:
        verb = "the compiler refuses it" if self.stage == "compile" else "it builds; the run"
        origin = f"RECORDED {self.recorded}, not run here" if self.recorded else "run now"
        lines = [
            f"{self.program}.c asks for {PREVIEW1_ASKS[self.program]}",
            f"  {self.toolchain}: {verb} ({origin})",
            f"  $ {self.command}",
            *(f"  | {line}" for line in self.said.splitlines()),
        ]
        if self.stage == "run":
            lines.append(f"  exit code {self.exit_code}")
        lines.append(f"  why: {self.why}")
        return "\n".join(lines)


def _why(program: str, stage: str, said: str) -> str:
    if program == "socket":
        if stage == "compile" and "socket" in said:
            return (
                "wasi-libc declares no socket(): WASI preview 1 has no call that opens a "
                "socket, so its sys/socket.h leaves the declaration out. A preview-1 module can "
                "only use a socket its host opened and handed over (sock_accept, sock_recv, "
                "sock_send, sock_shutdown)."
            )
        return "preview 1 has no call that opens a socket; read what was said above."
    if stage == "compile" and "pthread.h" in said:
        return (
            "this wasi-libc ships no pthread.h for wasm32-wasi, because preview 1 has no call "
            "that starts a thread. clang, given --sysroot=/usr, then found the host's own "
            "/usr/include/pthread.h (glibc's), which cannot compile for wasm32: the error names "
            "a header, but the cause is that the target has no threads."
        )
    if stage == "run" and "pthread_create failed" in said:
        return (
            "this wasi-libc (the newer one zig ships) has pthread functions that compile and "
            "link, but with no way to start a thread in preview 1, pthread_create can only "
            "refuse with an error code, and the program must cope. Threads are the separate "
            "wasi-threads proposal (target wasm32-wasip1-threads, shared memory), which "
            "wasmtime runs only when asked; neither preview 1 nor WASI 0.2 has them."
        )
    return "preview 1 has no call that starts a thread; read what was said above."


def preview1_source(program: str) -> str:
    """The C text of ``program`` (``socket`` or ``threads``). Notebook 04."""
    if program not in PREVIEW1_PROGRAMS:
        raise KitError(
            f"no preview-1 program named {program!r}", fix=f"use one of {PREVIEW1_PROGRAMS}"
        )
    return (PREVIEW1_FOLDER / f"{program}.c").read_text(encoding="utf-8")


def _shown(output: str) -> str:
    lines = [line.rstrip() for line in output.strip().splitlines() if line.strip()]
    return "\n".join(lines[:SHOWN_LINES])


def _attempt(tc: Toolchain, program: str) -> Preview1Attempt:
    """Compile ``program`` with ``tc``; run it if that worked. Raises CompileError only for
    a compiler that gave no answer in time (nothing about the program was learnt)."""
    name = f"{tc.kind} ({tc.version.split(' (')[0]})"
    try:
        module = compile_with(tc, preview1_source(program), name=program)
    except CompileError as err:
        if "timed out" in err.output:
            raise
        command = shell_command("c", WASM, err.command)
        return Preview1Attempt(program, name, command, "compile", _shown(err.output), None)
    run = run_wasi(module)
    said = run.stdout + run.stderr + (f"[{run.stopped}]" if run.stopped else "")
    command = f"{shell_command('c', WASM, module.command)}, then kh.run_wasm({module.path.name!r})"
    return Preview1Attempt(program, name, command, "run", _shown(said), run.exit_code)


def _recorded_attempts() -> list[Preview1Attempt]:
    record = json.loads(PREVIEW1_RECORDED.read_text(encoding="utf-8"))
    where = f"on {describe_machine(record['machine'])}, {record['machine']['date_utc'][:10]}"
    return [Preview1Attempt(**entry, recorded=where) for entry in record["attempts"]]


@dataclass(frozen=True, repr=False)
class Preview1Limits(ShownAsText):
    """The attempts of :func:`preview1_limits`, and why some were not made here."""

    attempts: list[Preview1Attempt]
    note: str = ""

    def text(self) -> str:
        blocks = [a.text() for a in self.attempts]
        return "\n\n".join([*([self.note] if self.note else []), *blocks])


def preview1_limits() -> Preview1Limits:
    """Notebook 04: ``socket.c`` and ``threads.c`` compiled for wasm32-wasi with the
    course's C toolchain (and run where they compile). With no such compiler, or one that
    did not answer in time, the attempts recorded with clang and with zig, marked."""
    try:
        tc = toolchain_for("c")
        return Preview1Limits([_attempt(tc, program) for program in PREVIEW1_PROGRAMS])
    except ToolchainMissing as err:
        reason = f"{err.message}: what clang and zig said when they were asked, recorded"
    except CompileError as err:
        reason = f"the compiler gave no answer in time ({_shown(err.output)}); recorded instead"
    return Preview1Limits(_recorded_attempts(), note=reason)
