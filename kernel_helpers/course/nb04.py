"""Notebook 04 · WASI capabilities: a read-only folder grant, the capability quiz, and a
program that reads a file or says why it cannot.

The WASI probe the notebook runs is :mod:`.probe`.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

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


@exercise("04 · exercise 1 (a read-only folder)")
def check_read_only_preopen(dirs: Iterable[object], host: str | Path, guest: str) -> CheckResult:
    """Notebook 04: ``dirs`` grants exactly ``host`` as ``guest``, read-only, and nothing else."""
    if hasattr(dirs, "guest") or isinstance(dirs, str | Path):
        raise Unusable(
            "dirs is a list of folders, even when there is only one.",
            "Put your Preopen in square brackets: [kh.Preopen(...)].",
        )
    items = [_preopen_fields(item) for item in dirs]
    wanted_host = Path(host).resolve()
    if not items:
        return wrong(
            "the list is empty: the program is given no folder at all.",
            f"Add one entry that maps {host} to {guest}.",
        )
    matching = [i for i in items if Path(i[0]).resolve() == wanted_host]
    if not matching:
        return wrong(
            f"none of the entries opens {wanted_host}.",
            "The first field is the folder on your machine (the host side).",
        )
    _, got_guest, writable = matching[0]
    if got_guest != guest:
        return wrong(
            f"the folder appears in the guest as {got_guest}, but the program opens {guest}.",
            "The second field is the path the program sees (the guest side).",
        )
    if writable:
        return wrong(
            "it works, but the program may now write there too.",
            "It only reads: grant the least it needs and leave writable=False.",
        )
    if len(items) > 1:
        return wrong(
            f"you granted {len(items)} folders; the program needs one.",
            "Each extra folder is more the program could read if it misbehaved.",
        )
    return right(f"yes: {guest} is all the program can see, and only for reading.")


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
    wrong_in = sorted(given - truth)
    left_out = sorted(truth - given)
    key = (wrong_in or left_out)[0]
    text, allowed, why = CAPABILITY_QUIZ[key]
    verdict = "can" if allowed else "cannot"
    return wrong(
        f"{len(wrong_in) + len(left_out)} statement(s) to rethink.",
        f"Start with {key} ({text}): a module {verdict} do that, because {why}.",
    )


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
            "fopen returned NULL, as there is no file to open, and the program used that "
            f'NULL anyway. Check it: if (f == NULL) {{ perror("{GREETING_FILE}"); return 1; }}',
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
    workspace = tempfile.TemporaryDirectory()  # removed when the kernel stops
    folder = Path(workspace.name)
    answer = [kh.Preopen(str(folder), "/data", writable=False)]
    kh.check_read_only_preopen(answer, folder, "/data")
    """,
        "One preopen, host folder to /data, writable=False: the least the program needs.",
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
