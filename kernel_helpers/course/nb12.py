"""Notebook 12 · typed interfaces, wasi:http and components as OCI: call a typed export,
and read what a component's OCI config tells a scheduler."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

from .._errors import WrongArgument
from ..containers.oci import package_wasm
from ..toolchains.component.http import http_component
from ..toolchains.component.making import componentize
from ..toolchains.component.worlds import World
from ..toolchains.prebuilt import wasm_module
from ..wasm.component import recent_export_calls
from .checks import CheckResult, Solution, Unusable, exercise, right, wrong
from .nb11 import WORDCOUNT_INPUT, package_of

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
    names = {name.split("@")[0] for name in world.imports if package_of(name) == package}
    return sorted(name.partition("/")[2] for name in names if "/" in name)


def _config_imports(component_path: Path) -> list[str]:
    """What the OCI config of the component at ``component_path`` lists as its imports."""
    packed = package_wasm(component_path, style="component")
    config = json.loads(packed.blobs[packed.manifest["config"]["digest"]])
    return list(config["component"]["imports"])


def _config_packages(component_path: Path) -> set[str]:
    """The WASI packages (``wasi:cli``, ...) the component's OCI config names."""
    return {package_of(name) for name in _config_imports(component_path)}


def _given_packages(answer: object) -> set[str]:
    """The learner's packages (a list or a set; interfaces and versions are cut off), or
    every package named in a packed artifact they gave instead."""
    if hasattr(answer, "manifest") and hasattr(answer, "blobs"):
        config = json.loads(answer.blobs[answer.manifest["config"]["digest"]])
        answer = config.get("component", {}).get("imports", [])
    if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
        raise Unusable(
            "give the package names as a list or a set, e.g. {'wasi:cli'}.",
            "Package each component with kh.package_wasm(..., style='component') and read "
            "config['component']['imports'].",
        )
    return {package_of(name) for name in answer}


#: Where exercise 2's hints point: a config has one line per interface, and the question
#: is what this config says beyond hello's.
PACKAGES_HINT = (
    "An import reads package/interface@version, one line per interface: compare the "
    "packages (the part before '/') of the two configs, as notebook 11's exercise 1 read a world. "
    "A config lists its component's world, and section 2 compared the two worlds."
)


@exercise("12 · exercise 2 (what a scheduler reads from a config)")
def check_http_oci_packages(answer: object) -> CheckResult:
    """Notebook 12: the WASI packages that the OCI config of section 2's ``wasi:http``
    component (``kh.http_component()``) names and hello's config does not."""
    given = _given_packages(answer)
    http = _config_packages(http_component().path)
    hello = _config_packages(componentize(wasm_module("hello", "c")).path)
    return grade_packages(given, http, hello)


#: Said of a name that is no WASI package (walk 13: a difference of the whole configs
#: picked up componentize-py's own export, `exports`).
NOT_WASI_HINT = (
    "A WASI package's name starts with 'wasi:'. A config lists what the component imports "
    "(the capabilities a host must grant) and what it exports (what it offers, which may be "
    "its tool's own names): the question is about the first."
)


def grade_packages(given: set[str], http: set[str], hello: set[str]) -> CheckResult:
    """The learner's ``given`` packages against the wasi:http component's (``http``) that
    hello's config (``hello``) does not name; a wrong answer says what kind of name is
    wrong, never which packages are right."""
    truth = http - hello
    if given == truth:
        why = "; ".join(
            f"{package} is {WHY_BEYOND_HELLO.get(package, NO_NOTE)}" for package in sorted(truth)
        )
        return right(
            f"{', '.join(sorted(truth))}: capabilities hello's config never asked for. A "
            "scheduler reads them from the registry before it downloads a byte of code, and "
            f"can refuse this component, or place it where they are allowed. Why each is "
            f"there (section 2): {why}."
        )
    if given == http:
        return wrong(
            "that is every package the wasi:http component imports; hello's config names some of them too.",
            "The question is what this config tells a scheduler beyond hello's: leave out what both name.",
        )
    if given == hello:
        return wrong(
            "that is hello's list, from the cell above.",
            "Package section 2's component, kh.http_component().path, and compare its config with hello's.",
        )
    extra, missing = given - truth, len(truth - given)
    not_wasi = {name for name in extra if not name.startswith("wasi:")}
    # What kind each wrong name is, never which name: the hint must not give the answer.
    groups = (
        (
            len(not_wasi),
            "name you gave",
            "not a WASI package" if len(not_wasi) == 1 else "no WASI packages",
        ),
        (len(extra & hello), "package you gave", "in hello's config too"),
        (len(extra - not_wasi - hello), "package you gave", "not imported by the component"),
        (missing, "package new in its config", "missing"),
    )
    kinds = [
        f"{count} {_plural(count, who)} {_is(count)} {what}" for count, who, what in groups if count
    ]
    return wrong(
        f"not quite: {', '.join(kinds)}.",
        NOT_WASI_HINT if not_wasi else PACKAGES_HINT,
    )


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


def _plural(count: int, words: str) -> str:
    """``name you gave``, ``names you gave``: the first word takes the count's number."""
    first, _, rest = words.partition(" ")
    return f"{first}{'s' * (count != 1)} {rest}"


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
    import json

    def packages(path):
        packed = kh.package_wasm(path, style="component")
        config = json.loads(packed.blobs[packed.manifest["config"]["digest"]])
        return {name.split("/")[0] for name in config["component"]["imports"]}

    hello = kh.componentize(kh.wasm_module("hello", "c"))
    answer = packages(kh.http_component().path) - packages(hello.path)
    kh.check_http_oci_packages(answer)
    """,
        "The kit reads each component's world while packaging and writes its imports into "
        "the config, one line per interface. Cut each to its package and take away hello's: "
        "what is left is what this component may reach that a command printing a greeting "
        "never could, readable before the code is downloaded.",
    ),
)
