"""Notebook 11 · components and WASI 0.2: read a world, make and run a component, call a
typed export."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .._errors import WrongArgument
from ..toolchains.component.making import componentize
from ..toolchains.component.worlds import read_world
from ..toolchains.prebuilt import wasm_module
from ..wasm.component import is_component
from ..wasm.runner import run_wasm
from .checks import CheckResult, Solution, exercise, right, wrong

#: The text exercise 2 pipes into the learner's wordcount component.
WORDCOUNT_INPUT = b"components are\nthe unit runwasi schedules\n"
#: The bytes exercise 3 gives the typed export: longer than one 64-byte block of SHA-256,
#: and not ASCII, so that text and bytes are visibly different things.
TYPED_CALL_INPUT = (
    "list<u8> in, string out: no stdin, no stdout, nothing to parse. Grüße!\n".encode()
)


@exercise("11 · exercise 1 (read a world)")
def check_world_packages(answer: object) -> CheckResult:
    """Notebook 11: the WASI packages (``wasi:cli``, ...) the hello component imports."""
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return wrong("answer with a list of package names, e.g. ['wasi:cli', ...].")
    given = {str(item).split("@")[0].split("/")[0] for item in answer}
    truth = set(read_world(componentize(wasm_module("hello", "c"))).packages())
    if given == truth:
        granted = "files" if "wasi:filesystem" in truth else "no files"
        return right(
            f"{len(truth)} packages, and nothing else: no sockets, no http. It may touch {granted}, "
            "and the host still decides which directories it sees."
        )
    missing, extra = sorted(truth - given), sorted(given - truth)
    hint = f"missing {', '.join(missing)}" if missing else f"not imported: {', '.join(extra)}"
    return wrong(f"not quite: {hint}.", "Look at the lines starting with 'import' in the world.")


@exercise("11 · exercise 2 (make and run a component)")
def check_wordcount_component(answer: object) -> CheckResult:
    """Notebook 11: the path of a component made from a wordcount module; it must count
    ``WORDCOUNT_INPUT`` exactly as the module does."""
    path = Path(str(getattr(answer, "path", answer)))
    if not path.is_file():
        return wrong(
            f"there is no file at {path}.", "Give componentize(...)'s result or its .path."
        )
    if not is_component(path):
        return wrong(
            "that is a core module, not a component.", "Pass the module to kh.componentize first."
        )
    expected = run_wasm(wasm_module("wordcount", "c").path, stdin=WORDCOUNT_INPUT).stdout
    got = run_wasm(path, stdin=WORDCOUNT_INPUT, timeout=10).stdout
    if got != expected:
        return wrong(
            f"it printed {got!r}, the module prints {expected!r}.",
            "Componentize wordcount, not hello.",
        )
    return right(f"the component counts like its module: {got.decode().strip()}.")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Digests of the bytes a learner may hash by mistake, and what to say about each.
_OTHER_INPUTS = {
    b"": ("the digest of no bytes at all", 'Pass kh.TYPED_CALL_INPUT, not b"".'),
    str(TYPED_CALL_INPUT).encode(): (
        "the digest of the text \"b'list<u8> in...'\": str() of bytes spells out their repr",
        "Pass kh.TYPED_CALL_INPUT itself: it is bytes already.",
    ),
    TYPED_CALL_INPUT.strip(): (
        "the digest of the input without its final newline",
        "Pass kh.TYPED_CALL_INPUT unchanged, newline and all.",
    ),
    WORDCOUNT_INPUT: ("the digest of exercise 2's input", "Pass kh.TYPED_CALL_INPUT."),
}


@exercise("11 · exercise 3 (call the typed export)")
def check_typed_call(answer: object) -> CheckResult:
    """Notebook 11: what the typed export ``sha256`` returned for ``TYPED_CALL_INPUT``: the
    digest hashlib computes, as a ``str`` (WIT's ``string``)."""
    truth = _digest(TYPED_CALL_INPUT)
    if isinstance(answer, str) and answer == truth:
        return right(
            f"hashlib agrees: {truth[:16]}... for the {len(TYPED_CALL_INPUT)} bytes. WIT said "
            "string and Python got a str: nothing to decode, strip or parse."
        )
    if isinstance(answer, BaseException):
        return _refusal(answer)
    if isinstance(answer, bytes | bytearray):
        if bytes(answer).strip() == truth.encode():
            return wrong(
                "those are the bytes the stdout route prints: the hex digits and a newline.",
                "Call the typed export instead: kh.call_export(...) returns a str.",
            )
        return wrong("that is bytes; the export returns WIT's string, which Python gets as a str.")
    if not isinstance(answer, str):
        return wrong(
            f"the export returns a str, and this answer is of type {type(answer).__name__}.",
            "Give what kh.call_export(...) returned, unchanged.",
        )
    return _which_digest(answer, truth)


def _refusal(error: BaseException) -> CheckResult:
    if isinstance(error, WrongArgument):
        return wrong(
            f"that is the host refusing the call: {error.message}.",
            "list<u8> comes from Python as bytes: pass kh.TYPED_CALL_INPUT itself, not a str made of it.",
        )
    return wrong(
        f"that is an error ({type(error).__name__}), not the digest.",
        "Give what the call returned.",
    )


def _which_digest(answer: str, truth: str) -> CheckResult:
    if answer.strip() == truth:
        return wrong(
            "the right digest with whitespace around it: a newline is what the stdout route prints.",
            "The typed export returns the 64 characters alone; give them unchanged.",
        )
    if answer.lower() == truth:
        return wrong(
            "the right digest, in uppercase. The component returns lowercase hex, as hashlib's hexdigest() does.",
            "Give the export's str unchanged.",
        )
    for data, (what, hint) in _OTHER_INPUTS.items():
        if answer == _digest(data):
            return wrong(f"that is {what}.", hint)
    if re.fullmatch(r"[0-9a-f]{64}", answer):
        return wrong(
            "a SHA-256 digest, but of other bytes.", "Pass kh.TYPED_CALL_INPUT exactly as it is."
        )
    if answer == TYPED_CALL_INPUT.decode():
        return wrong(
            "that is the input as text, not its digest.", "Give what the export returns for it."
        )
    return wrong(
        "that is not a SHA-256 digest (64 hex digits).",
        "Call the export sha256 on kh.TYPED_CALL_INPUT and give what it returns.",
    )


SOLUTIONS = (
    Solution(
        "11",
        1,
        """
    answer = kh.read_world(kh.componentize(kh.wasm_module("hello", "c"))).packages()
    kh.check_world_packages(answer)
    """,
        "World.packages() strips the interface and version from every import line.",
    ),
    Solution(
        "11",
        2,
        """
    answer = kh.componentize(kh.wasm_module("wordcount", "c"))
    kh.check_wordcount_component(answer)
    """,
        "Any language works where a component can be made; the adapter changes nothing the program prints.",
    ),
    Solution(
        "11",
        3,
        """
    answer = kh.call_export(kh.typed_component().path, "sha256", kh.TYPED_CALL_INPUT)
    kh.check_typed_call(answer)
    """,
        "The bytes go in as they are: wasmtime copies them into the guest's memory as a "
        "list<u8>, and the str comes back without a byte of output to parse.",
    ),
)
