"""Notebook 11 · components and WASI 0.2: read a world, make a component and predict its
adapter, predict what its exit code becomes. (Typed exports, wasi:http and OCI are
notebook 12's.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._display import ShownAsText, format_seconds
from .._errors import KitError
from ..bench.ratio import Ratio, Side, far_sample_note
from ..bench.results import BenchResult, Measurement
from ..report.exports import load_results
from ..toolchains.build import Artifact
from ..toolchains.component.artifact import ComponentArtifact
from ..toolchains.component.go_arena import ARENA_FILE
from ..toolchains.component.making import arena_build, componentize
from ..toolchains.component.worlds import interface_package, read_world
from ..toolchains.prebuilt import wasm_module
from ..wasm.runner import run_wasm
from .checks import (
    CheckResult,
    Solution,
    exercise,
    grade_prediction,
    positive_number,
    prediction_exercise,
    right,
    states_measurement,
    whole_number,
    wrong,
)

#: The text exercise 2 pipes into the learner's wordcount component.
WORDCOUNT_INPUT = b"components are\nthe unit runwasi schedules\n"


def wrapped_module_note(module: Artifact, made: ComponentArtifact) -> str | None:
    """One line when the component wraps another build than ``module`` (Go's, built again
    with the adapter's arena and given a ``cabi_realloc``): how many bytes more than the
    module notebook 03 built, and which step added them, weighed from the builds. None when
    the adapter wrapped ``module`` as it is. Walk 11: only a code comment said so."""
    if not made.module_bytes or made.module_bytes == module.bytes or made.prebuilt:
        return None
    said = (
        f"{module.lang} {module.example}: the module column shows the kit's build the adapter "
        f"wrapped, {_bytes_more(made.module_bytes - module.bytes)} than notebook 03's "
        f"{module.bytes:,}"
    )
    try:
        built = arena_build(module)
    except KitError:
        return said + " (why: Under the hood, at the end)"
    return (
        f"{said}: {built.bytes - module.bytes:+,} from {ARENA_FILE}, "
        f"{made.module_bytes - built.bytes:+,} from the cabi_realloc the kit adds "
        "(why: Under the hood, at the end)"
    )


def _bytes_more(difference: int) -> str:
    return f"{abs(difference):,} bytes {'more' if difference > 0 else 'fewer'}"


@exercise("11 · exercise 1 (read a world)")
def check_world_packages(answer: object, socket_package: object = None) -> CheckResult:
    """Notebook 11: the WASI packages (``wasi:cli``, ...) the hello component imports, and
    which of them could open a socket (``None`` when none could)."""
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return wrong("answer with a list of package names, e.g. ['wasi:cli', ...].")
    given = {interface_package(item) for item in answer}
    truth = set(read_world(componentize(wasm_module("hello", "c"))).packages())
    if given != truth:
        missing, extra = sorted(truth - given), sorted(given - truth)
        hint = f"missing {', '.join(missing)}" if missing else f"not imported: {', '.join(extra)}"
        return wrong(
            f"not quite: {hint}.", "Look at the lines starting with 'import' in the world."
        )
    return _socket_verdict(socket_package, truth)


#: The one WASI 0.2 package whose interfaces make sockets (tcp, udp, name lookup).
SOCKETS = "wasi:sockets"


def _socket_verdict(socket_package: object, truth: set[str]) -> CheckResult:
    """The second half of exercise 1: a component can reach only what its world imports
    (walk 3, S31: the question was asked and never checked)."""
    named = None if socket_package is None else interface_package(socket_package)
    could = SOCKETS if SOCKETS in truth else None
    if named == could:
        granted = "files" if "wasi:filesystem" in truth else "no files"
        return right(
            f"{len(truth)} packages, and nothing else: no sockets, no http. It may touch "
            f"{granted}, and the host still decides which directories it sees. A component "
            "can call only what its world imports, so reading the world is reading its reach."
            if could is None
            else f"{len(truth)} packages, {SOCKETS} among them: this component may open sockets, "
            "and only a host that grants them lets it."
        )
    if named is not None and named in truth:
        return wrong(
            f"{named} is imported, but none of its interfaces opens a socket.",
            # Not "Answer None if none of them could": after "none of its interfaces opens
            # a socket", that named the answer (walk 7, S36).
            "WASI 0.2 puts sockets in a package of their own: is it among the imports?",
        )
    return wrong(
        f"{named} is not among the packages the world imports: a component can call only "
        "what it imports."
        if named is not None
        else "one of the imported packages makes sockets.",
        "Answer with the imported package that could, or None if none of them could.",
    )


_ADAPTER_HINT = (
    "Section 3: does the adapter grow with the program it wraps? Compare its column for "
    "hello and wordcount in one language."
)
#: A prediction of the adapter's bytes counts within this factor: section 3's adapter
#: column varies by the WASI calls each program makes, by about that much.
ADAPTER_FACTOR = 1.5


@prediction_exercise("11 · exercise 2 (predict, then measure: sha256 made a component)")
def check_component_prediction(adapter_prediction: object, answer: object) -> CheckResult:
    """Notebook 11: a component of ``sha256`` (a program section 3 did not wrap), which must
    hash like its module, and the adapter bytes the learner predicted it would add."""
    given = positive_number(adapter_prediction, "a number of bytes, like 100000")
    if not isinstance(answer, ComponentArtifact):
        return wrong(
            "give kh.componentize(...)'s result: the check reads what the adapter added.",
            "Section 3's cell shows the call.",
        )
    if answer.example != "sha256":
        return wrong(
            f"that is a component of {answer.example or 'a module of your own'}; this exercise "
            "asks for sha256, which section 3 did not make.",
            "kh.wasm_module takes the example's name first, then the language.",
        )
    module = wasm_module("sha256", answer.lang)
    expected = run_wasm(module.path, ["-"], stdin=WORDCOUNT_INPUT).stdout  # "-": read stdin
    got = run_wasm(answer.path, ["-"], stdin=WORDCOUNT_INPUT, timeout=10).stdout
    if got != expected:
        return wrong(f"it printed {got!r}, the module prints {expected!r}.", _ADAPTER_HINT)
    return grade_adapter_prediction(given, answer.adapter_bytes, answer.module_bytes)


def grade_adapter_prediction(given: float, adapter: int, module: int) -> CheckResult:
    """The predicted adapter bytes against the ``adapter`` bytes measured on a ``module``."""
    # A prediction of the module's order may have counted the program, not the calls: say
    # how it compares, computed (walk 13: 80,000 bytes was called "near" 128,047).
    of_module = (
        f" ({given / module:.0%} of the module's {module:,} bytes)" if given >= module / 2 else ""
    )
    return grade_prediction(
        given,
        adapter,
        said=lambda size: f"{size:,.0f} bytes{of_module}",
        measurement=f"the adapter added {adapter:,} bytes to a {module:,}-byte module, and the "
        "component hashes like its module",
        lesson="The adapter translates WASI 0.1 calls into WASI 0.2 ones, so its size follows "
        "the calls a program makes (wasm-tools drops the rest), not the size of the program.",
        missed=(_ADAPTER_HINT, _ADAPTER_HINT),
        factor=ADAPTER_FACTOR,
    )


#: What ``wasi:cli/exit``'s ``exit(status: result)`` leaves of any non-zero exit: ``err``,
#: which every host reports as exit code 1.
COMPONENT_FAILURE_CODE = 1
#: Exercise 3's lesson, said whatever the prediction: what the interface can carry.
EXIT_LESSON = (
    "wasi:cli/exit's exit takes a result, ok or err, not a number: any non-zero code becomes "
    "err, which the host reports as 1. A script that tells failures apart by code loses that "
    "at the boundary."
)
#: Where the lesson is: the world of the probe made a component.
_EXIT_HINT = (
    "Print the probe component's world (kh.read_world) and find the function `exit`: "
    "what type does its status have?"
)


@prediction_exercise("11 · exercise 3 (predict, then measure: a component's exit code)")
def check_exit_prediction(prediction: object, measured: object) -> CheckResult:
    """Notebook 11: the exit code the learner predicted for the probe, made a component,
    ending with ``proc_exit(5)``, against the code this run ``measured`` (None where no
    component could be made: then the interface's rule stands in)."""
    guess = whole_number(prediction, "your prediction")
    ran = measured is not None
    truth = whole_number(measured, "the measured code") if ran else COMPONENT_FAILURE_CODE
    source = "this run measured" if ran else "no component could be made here; the interface gives"
    if guess == truth:
        return states_measurement(
            right(f"{truth}, as you predicted ({source} {truth}). {EXIT_LESSON}")
        )
    if guess == 5:
        missed = "The module's number did not cross into the component's world. "
    elif guess == 0:
        missed = "The program still failed: only how much of the failure reaches the host changed. "
    else:
        missed = ""
    said = {5: "the module's 5", 0: "success"}.get(guess, str(guess))
    return states_measurement(
        wrong(f"you predicted {said}; {source} {truth}. {missed}{EXIT_LESSON}", _EXIT_HINT)
    )


#: Notebook 06's two in-process rows that section 5's figures are read against.
_STARTUP_MODULE, _STARTUP_COMPONENT = "wasm-instantiate", "component-instantiate"


@dataclass(frozen=True, repr=False)
class InstantiationSpans(ShownAsText):
    """Section 5's two figures beside notebook 06's module and component rows, with what
    each span times (walk 8, S16: 06 put the component ahead, 11 behind, and neither said
    that they time different work)."""

    program: str
    module: Measurement
    component: Measurement
    startup: BenchResult | None

    def text(self) -> str:
        here = self.component.ratio_over(self.module)
        lines = [
            f"Here: a new Store with a WASI context, then instantiation of {self.program}, "
            "linked anew every time on both sides, in this kernel. The program never runs.",
            f"  core module {format_seconds(self.module.stats.median_s)}, "
            f"component {format_seconds(self.component.stats.median_s)}: "
            f"component / module {here.text()}",
            *_far(("component", self.component), ("core module", self.module), here),
        ]
        rows = self._startup_rows()
        if rows is None:
            return "\n".join([*lines, _NO_STARTUP])
        module, component = rows
        there = component.ratio_over(module)
        example = self.startup.example if self.startup and self.startup.example else "its program"
        lines += [
            f"Notebook 06 timed more, in its bench worker: the same Store and WASI context "
            f"(output to /dev/null), instantiation, and then {example} run to its end "
            "(_start for the module, wasi:cli/run for the component). Its module row is "
            "pre-instantiated (linked once, before the clock), its component is linked every run.",
            f"  {module.label} {format_seconds(module.stats.median_s)}, "
            f"{component.label} {format_seconds(component.stats.median_s)}: "
            f"component / module {there.text()}",
            *_far((component.label, component), (module.label, module), there),
            _order(here, there),
        ]
        return "\n".join(lines)

    def _startup_rows(self) -> tuple[Measurement, Measurement] | None:
        variants = self.startup.variants if self.startup else {}
        if _STARTUP_MODULE in variants and _STARTUP_COMPONENT in variants:
            return variants[_STARTUP_MODULE], variants[_STARTUP_COMPONENT]
        return None


_NO_STARTUP = (
    "Notebook 06 has no saved run with its module and component rows on this machine yet: "
    "run it, then this cell again, to read its figures beside these."
)


def _far(slow: tuple[str, Measurement], fast: tuple[str, Measurement], whole: Ratio) -> list[str]:
    """The line naming a far sample that stretches ``whole``, as notebooks 06 and 08 name
    theirs, or none (walk 10, S7: 06's five starts with one 20 ms among 2 ms ones read
    "0.026×-1.5×" here, unexplained)."""
    (slow_name, slow_run), (fast_name, fast_run) = slow, fast
    note = far_sample_note(
        Side(slow_name, slow_run.samples_s), Side(fast_name, fast_run.samples_s), whole
    )
    return [] if note is None else [f"  ({note})"]


def _order(here: Ratio, there: Ratio) -> str:
    """What the two ratios say together, from their intervals, never from a fixed story."""
    if not (here.measurable and there.measurable):
        return (
            "One of the two spans cannot order module and component (its interval holds 1×), "
            "so these runs do not say whether the run to the end changes the order."
        )
    if (here.value > 1) == (there.value > 1):
        side = "component" if here.value > 1 else "module"
        return f"Both spans put the {side} behind: the run to the end keeps the order."
    behind_here = "component" if here.value > 1 else "module"
    behind_there = "module" if behind_here == "component" else "component"
    return (
        f"The order turns: instantiation alone puts the {behind_here} behind; notebook 06's "
        "span (its module linked before the clock, then the run to the end: preview 1 for "
        f"the module, the adapter's wasi:cli for the component) puts the {behind_there} "
        "behind. Each answers its own question: 06 what a whole start costs, this cell what "
        "instantiation alone costs."
    )


def instantiation_spans(
    module: Measurement,
    component: Measurement,
    program: str,
    saved: Mapping[str, Mapping[str, Any]] | None = None,
) -> InstantiationSpans:
    """Notebook 11, section 5: the two measurements beside notebook 06's saved start-up rows
    (``saved``: :func:`load_results` by default), each with what it times."""
    found = (load_results() if saved is None else saved).get("startup")
    startup = BenchResult.from_json(found) if found else None
    return InstantiationSpans(program, module, component, startup)


SOLUTIONS = (
    Solution(
        "11",
        1,
        """
    answer = kh.read_world(kh.componentize(kh.wasm_module("hello", "c"))).packages()
    socket_package = None  # wasi:sockets is not imported, and nothing else makes a socket
    kh.check_world_packages(answer, socket_package)
    """,
        "World.packages() strips the interface and version from every import line; a "
        "component reaches only what it imports, and sockets would need wasi:sockets.",
    ),
    Solution(
        "11",
        2,
        """
    adapter_prediction = 30_000  # written before the check ran: about section 3's adapter column
    answer = kh.componentize(kh.wasm_module("sha256", "c"))
    kh.check_component_prediction(adapter_prediction, answer)
    """,
        "The adapter turns WASI 0.1 calls into WASI 0.2 ones; wasm-tools keeps only the "
        "functions a module calls, so every program that reads stdin and prints gets about "
        "the same few tens of KB, whatever its own size. The hash is the same: the adapter "
        "changes nothing the program computes.",
        needs="toolchains",  # wasm-tools makes the component (no wheel for Python 3.10)
    ),
    Solution(
        "11",
        3,
        """
    prediction = 1  # written before the measuring cell ran
    probe = kh.componentize(kh.probe_module())
    measured = kh.run_wasm(probe.path, ["exit", "5"], timeout=10).exit_code
    kh.check_exit_prediction(prediction, measured)
    """,
        "The module's proc_exit(5) goes through the adapter to wasi:cli/exit, whose exit "
        "takes a result without a payload: err, so 1, whichever host runs the component.",
        needs="toolchains",
    ),
)
