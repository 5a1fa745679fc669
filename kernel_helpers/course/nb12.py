"""Notebook 12 · typed interfaces, wasi:http and components as OCI: call a typed export,
and predict what a server component asks a host for beyond a command's needs."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from .._errors import WrongArgument
from ..toolchains.component.worlds import World, interface_package
from ..wasm.component import recent_export_calls
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
from .nb11 import WORDCOUNT_INPUT

#: The text exercise 1 hashes: longer than one 64-byte block of SHA-256, and not ASCII, so
#: that text and bytes are visibly different things. It is a str, and the export takes
#: list<u8>: the learner turns it into UTF-8 bytes first, section 1's str/bytes lesson
#: applied, instead of copying cell 10's call (walk 7, S39).
TYPED_CALL_TEXT = "list<u8> in, string out: no stdin, no stdout, nothing to parse. Grüße!\n"
#: The bytes the check expects the export to have hashed: the text's UTF-8.
TYPED_CALL_INPUT = TYPED_CALL_TEXT.encode("utf-8")
#: What the hints say when the bytes are not the text's UTF-8.
ENCODE_HINT = "Hash the UTF-8 bytes of kh.TYPED_CALL_TEXT, as the exercise asks."


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Digests of the bytes a learner may hash by mistake, and what to say about each.
_OTHER_INPUTS = {
    b"": ("the digest of no bytes at all", ENCODE_HINT),
    str(TYPED_CALL_INPUT).encode(): (
        "the digest of the text \"b'list<u8> in...'\": str() of bytes spells out their repr",
        "Once the text is bytes, pass those bytes themselves, not a str made of them.",
    ),
    TYPED_CALL_TEXT.encode("latin-1"): (
        "the digest of the text in Latin-1: ü and ß are one byte each there, two in UTF-8",
        ENCODE_HINT,
    ),
    TYPED_CALL_INPUT.strip(): (
        "the digest of the text without its final newline",
        "Encode kh.TYPED_CALL_TEXT unchanged, newline and all.",
    ),
    WORDCOUNT_INPUT: ("the digest of notebook 11's exercise 2 input", ENCODE_HINT),
}


@exercise("12 · exercise 1 (call the typed export)")
def check_typed_call(answer: object) -> CheckResult:
    """Notebook 12: what the typed export ``sha256`` returned for the UTF-8 bytes of
    ``TYPED_CALL_TEXT``: the digest hashlib computes, as a ``str`` (WIT's ``string``)."""
    truth = _digest(TYPED_CALL_INPUT)
    if isinstance(answer, str) and answer == truth and not _returned_by_the_component(answer):
        return wrong(
            "the right digest, but no kh.call_export of sha256 on the text's UTF-8 bytes in "
            "this kernel returned it. The check sees only calls made through kh.call_export: "
            "one through section 1's raw sha256 function (instance.get_func) is just as typed, "
            "but leaves nothing the check can see, and hashlib's digest would read the same.",
            'Make the same call with kh.call_export(typed.path, "sha256", ...), as '
            "section 1's later cells do, and give what it returned.",
        )
    if isinstance(answer, str) and answer == truth:
        return right(
            f"hashlib agrees: {truth[:16]}... for the {len(TYPED_CALL_INPUT)} bytes of UTF-8 "
            f"that the {len(TYPED_CALL_TEXT)} characters make (ü and ß take two bytes each). "
            "WIT said list<u8>, so the text went in as bytes; it said string, and Python got "
            "a str: nothing to decode, strip or parse."
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


def _returned_by_the_component(answer: str) -> bool:
    """Whether a call of an export ``sha256`` on ``TYPED_CALL_INPUT`` returned ``answer``
    in this kernel (walk 3, S35: hashlib's digest passed without any call)."""
    return any(
        call.export == "sha256" and call.args == (TYPED_CALL_INPUT,) and call.result == answer
        for call in recent_export_calls()
    )


def _refusal(error: BaseException) -> CheckResult:
    if isinstance(error, WrongArgument):
        return wrong(
            f"that is the host refusing the call: {error.message}.",
            "list<u8> comes from Python as bytes, and kh.TYPED_CALL_TEXT is a str: section 1's "
            "str(data) mistake met the same refusal.",
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
        return wrong("a SHA-256 digest, but of other bytes.", ENCODE_HINT)
    if answer == TYPED_CALL_TEXT:
        return wrong(
            "that is the input as text, not its digest.", "Give what the export returns for it."
        )
    return wrong(
        "that is not a SHA-256 digest (64 hex digits).",
        "Call the export sha256 on the text's bytes and give what it returns.",
    )


#: Why section 2's wasi:http guest imports a package that notebook 11's hello does not:
#: what section 2 prints under the two worlds, and what exercise 2's right answer says
#: (walk 18, S2: wasi:random was never explained, and the prose singled out
#: wasi:filesystem, which hello imports too). Which packages get a line is the run's.
WHY_BEYOND_HELLO = {
    "wasi:http": (
        "the guest's own: the types of the request it reads and the response it writes, and "
        "outgoing-handler, for requests it could send, which wasi:http's world imports for "
        "every guest"
    ),
    "wasi:random": (
        "CPython's: os.urandom, the random module's seed and the secret that salts str "
        "hashes take their bytes from it (wasi:http's world offers it to every guest too)"
    ),
    "wasi:sockets": (
        "CPython's, for its socket module; this guest only answers the HTTP that wasmtime "
        "serve hands it, and opens no socket"
    ),
}
#: Said of a package beyond hello's that the table above does not know.
NO_NOTE = "there for a reason the kit has no note on"


def beyond_hello(guest: World, hello: World) -> list[str]:
    """One line per WASI package that ``guest``'s world imports and ``hello``'s does not:
    the package, the interfaces it imports, and why it is there."""
    return [
        f"{package} ({', '.join(_interfaces(guest, package))}) is "
        f"{WHY_BEYOND_HELLO.get(package, NO_NOTE)}"
        for package in sorted(set(guest.packages()) - set(hello.packages()))
    ]


def _interfaces(world: World, package: str) -> list[str]:
    """``random`` for ``wasi:random/random@0.2.12``: the interfaces ``world`` imports from
    ``package``, without versions."""
    names = {name.split("@")[0] for name in world.imports if interface_package(name) == package}
    return sorted(name.partition("/")[2] for name in names if "/" in name)


def _predicted_packages(prediction: object) -> set[str]:
    """The learner's packages (a list or a set; interfaces and versions are cut off)."""
    if isinstance(prediction, str | bytes) or not isinstance(prediction, Iterable):
        raise Unusable(
            "give the packages as a list or a set of names, e.g. ['wasi:cli'].",
            "A package is the part of an import before '/': wasi:cli, not wasi:cli/stdout.",
        )
    return {interface_package(str(name)) for name in prediction}


#: Said of a name that is no WASI package (walk 13: a difference of the whole configs
#: picked up componentize-py's own export, `exports`).
NOT_WASI_HINT = (
    "A WASI package's name starts with 'wasi:'. A world lists what the component imports "
    "(the capabilities a host must grant) and what it exports (what it offers, which may be "
    "its tool's own names): the question is about the first."
)
#: What exercise 2 teaches, whatever the prediction (walk 21, S7: the exercise asked for
#: what section 2 had just printed; it is now a prediction written before that cell).
SERVER_LESSON = (
    "A world names what the whole guest imports: what its own code calls and what the "
    "language runtime it carries calls, so a scheduler reading it learns about the "
    "interpreter too."
)
#: Where a missed prediction's hint points: the runtime inside the guest, never a name.
SERVER_HINT = (
    "Section 2's guest is a Python program, and the component carries CPython: besides the "
    "requests the program handles, what does an interpreter ask a host for when it starts?"
)


@prediction_exercise("12 · exercise 2 (predict, then measure: what a server asks for)")
def check_server_prediction(prediction: object, guest: object, hello: object) -> CheckResult:
    """Notebook 12: the WASI packages the learner predicted section 2's ``wasi:http`` guest
    imports beyond notebook 11's hello, against the two worlds this run read."""
    given = _predicted_packages(prediction)
    if not (isinstance(guest, World) and isinstance(hello, World)):
        raise Unusable(
            "give the two worlds the cell read, kh.read_world(guest) and hello's, after your prediction."
        )
    return states_measurement(
        grade_server_packages(given, set(guest.packages()), set(hello.packages()))
    )


def grade_server_packages(given: set[str], guest: set[str], hello: set[str]) -> CheckResult:
    """The ``given`` packages against those the ``guest`` imports and ``hello`` does not;
    the reply names the measured ones (the cell printed them) and why each is there."""
    truth = guest - hello
    why = "; ".join(
        f"{package} is {WHY_BEYOND_HELLO.get(package, NO_NOTE)}" for package in sorted(truth)
    )
    measured = f"Why each is there: {why}. {SERVER_LESSON}"
    if given == truth:
        return right(f"{', '.join(sorted(truth))}, as you predicted. {measured}")
    said = ", ".join(sorted(given)) or "none"
    extra = given - truth
    groups = (
        (truth - given, "imported too"),
        (extra & hello, "in hello's world as well"),
        (extra - guest, "not imported at all"),
    )
    missed = "; ".join(
        f"{_listed(names)} {_is(len(names))} {what}" for names, what in groups if names
    )
    not_wasi = any(not name.startswith("wasi:") for name in extra)
    return wrong(
        f"you predicted {said}; this guest imports {', '.join(sorted(truth))} beyond hello's: "
        f"{missed}. {measured}",
        NOT_WASI_HINT if not_wasi else SERVER_HINT,
    )


def _listed(names: set[str]) -> str:
    """``wasi:a and wasi:b``; empty for no names."""
    ordered = sorted(names)
    return " and ".join([", ".join(ordered[:-1]), ordered[-1]] if len(ordered) > 1 else ordered)


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


SOLUTIONS = (
    Solution(
        "12",
        1,
        """
    data = kh.TYPED_CALL_TEXT.encode("utf-8")  # list<u8> takes bytes, not a str
    answer = kh.call_export(kh.typed_component().path, "sha256", data)
    kh.check_typed_call(answer)
    """,
        "The export's parameter is list<u8>, so the text must become bytes first, and the "
        "exercise names the encoding: UTF-8. wasmtime copies them into the guest's memory, "
        "and the str comes back without a byte of output to parse.",
    ),
    Solution(
        "12",
        2,
        """
    prediction = ["wasi:http", "wasi:random", "wasi:sockets"]  # written before the cell ran
    guest = kh.http_component()
    hello = kh.componentize(kh.wasm_module("hello", "c"))
    kh.check_server_prediction(prediction, kh.read_world(guest), kh.read_world(hello))
    """,
        "wasi:http is the server's own: the request it reads and the response it writes. "
        "The other two come with CPython, which the component carries: wasi:random for "
        "os.urandom and the seed of str hashes, wasi:sockets for its socket module, which "
        "this guest never uses. A world is the whole guest's list, interpreter included.",
    ),
)
