"""Notebook 08 · steady-state compute: the slowdown of wasm against native, why, a program
of the learner's own timed both ways, and the same kernels beside JavaScript in the
learner's browser (:func:`beside_javascript`)."""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from textwrap import indent
from typing import Any

from .._display import ShownAsText, format_seconds, wrap_note
from .._figures import figure_png
from ..bench.compute import (
    NO_PAGE,
    SIDE_LABELS,
    SIDES,
    browser_cases,
    browser_ratio_outliers,
    browser_ratios,
)
from ..bench.compute import beside_javascript as beside_javascript_result
from ..bench.ratio import FarSamples, Ratio
from ..bench.results import BenchResult, as_result
from ..bench.slowdowns import Slowdown, native_missing, slowdowns
from ..report.claims import PUBLISHED_SLOWDOWN
from ..report.compute_plots import beside_javascript_figure
from ..report.exports import save_result
from ..toolchains.build import NATIVE, Artifact
from .checks import (
    IN_NOTEBOOK,
    CheckResult,
    EarlyAnswer,
    Solution,
    close,
    exercise,
    grade_prediction,
    number,
    prediction_exercise,
    right,
    wrong,
)
from .programs import (
    ProgramRun,
    compile_program,
    exit_code_hint,
    program_text,
    run_native,
    run_wasi,
    with_arguments,
)

#: A prediction within this factor of the measured slowdown counts as right: the ratio
#: itself moves by a few hundredths between runs on a shared machine (walk 3, S24).
PREDICTION_FACTOR = 1.3
#: Exercise 1's lesson for fib, said whatever the prediction: what its slowdown is made of.
FIB_LESSON = (
    "fib is calls and integer additions that barely touch memory, so the sandbox's bounds "
    "checks cost it little: what is left is how well each compiler optimised it. "
)
#: Why the same ratio moves between runs, said where the learner compares it.
WHY_IT_MOVES = (
    "Run it again and this ratio moves: each median is of a few runs on a machine shared "
    "with other programs, so it carries whatever else ran then (the interval shows how much)."
)
#: Points at what the run shows (the figure below), never at the section that answers
#: exercise 2, which asks the learner to reason before reading it (walk 8, S10).
_SLOWDOWN_HINT = (
    "Compare the kinds of program: fib is calls and integer additions with almost no memory "
    "traffic; sha256 reads every byte of its input; SPEC is big programs full of loads and "
    "stores. In the figure below, which lands nearer 1 and which nearer the pale green band? "
    "Exercise 2 then asks why."
)


@prediction_exercise("08 · exercise 1 (predict the slowdown)", measured_at=1)
def check_slowdown(prediction: object, compute: Any, example: str = "fib") -> CheckResult:
    """Notebook 08: the learner's prediction of wasm time / native time for ``example`` at
    its largest N, written before the measuring cell, against what that cell measured."""
    rows = [r for r in slowdowns(compute) if r.example == example]
    if not rows:
        if native_missing(compute, example):
            return wrong(
                "this machine has no compiler for a native build, so there is no slowdown to compare "
                "(wasm alone was timed, from the prebuilt module).",
                "Notebook 00 shows how to get a C compiler (pip install ziglang works anywhere); "
                "then run the measurement cell again.",
            )
        return wrong(
            f"the compute result has no rows for {example!r}; run the measurement cell first."
        )
    steady = max(rows, key=lambda r: r.n)
    guess = number(prediction)
    measured = (
        f"this run measured {steady.point_text()} for {example} at N={steady.n} "
        f"({steady.spread_text()})"
    )
    if guess <= 0:
        return wrong("a slowdown is a ratio of two times, above 0.", _SLOWDOWN_HINT)
    near = _near_slowdown(guess, steady)
    return grade_prediction(
        guess,
        steady.ratio,
        said=lambda ratio: f"{ratio:.2f}×",
        measurement=measured,
        lesson=f"{'' if near else _what_it_missed(guess, steady.ratio, example)}"
        f"{FIB_LESSON if example == 'fib' else ''}{WHY_IT_MOVES}",
        missed=(_SLOWDOWN_HINT, _SLOWDOWN_HINT),
        factor=PREDICTION_FACTOR,
        near=near,
    )


def _what_it_missed(guess: float, ratio: float, example: str) -> str:
    """What a prediction outside the factor likely missed, in words."""
    if guess > ratio and guess >= PUBLISHED_SLOWDOWN[0]:
        return (
            f"That is as slow as SPEC in browsers or slower, and {example} is not SPEC: "
            "wasmtime compiles a small kernel to machine code that does nearly what clang's "
            "does. "
        )
    if guess > ratio:
        return "It ran closer to native than you thought. "
    return "The sandbox is not free: the same program as wasm ran longer than you expected. "


def _near_slowdown(guess: float, steady: Any) -> str | None:
    """How a prediction counts as near the measured slowdown, if it does: the ratio moves
    by a few hundredths between runs, so its interval counts as much as the factor."""
    if close(guess, steady.ratio, PREDICTION_FACTOR - 1):
        return f"within {round((PREDICTION_FACTOR - 1) * 100)}% of the measurement"
    if steady.low <= guess <= steady.high:
        return "inside the measurement's interval"
    return None


WHY_SLOWER = {
    "a": ("every memory access is bounds-checked (or guarded by virtual memory tricks)", True),
    "b": ("no native SIMD unless the module is built for wasm SIMD", True),
    "c": ("wasmtime interprets the bytecode one instruction at a time", False),
    "d": ("the JIT optimises less aggressively than clang -O2 ahead of time", True),
    "e": ("wasm integers are 64-bit only", False),
}


@exercise("08 · exercise 2 (why slower?)")
def check_why_slower(answer: object) -> CheckResult:
    """Notebook 08: the letters of every true reason in ``WHY_SLOWER`` (a set like {"a"})."""
    if not isinstance(answer, (str, Iterable)):
        return wrong('answer with a set of letters, like {"a", "c"}.')
    items = [answer] if isinstance(answer, str) else list(answer)
    given = {str(a).strip().lower() for a in items}
    unknown = given - set(WHY_SLOWER)
    if unknown:
        return wrong(f"{', '.join(sorted(unknown))} is not one of the choices a-e.")
    truth = {k for k, (_, true) in WHY_SLOWER.items() if true}
    if given == truth:
        return right(
            "yes: bounds checks, no SIMD by default, and a faster but less thorough compiler."
        )
    not_reasons = given - truth
    if not_reasons:  # how many, never which letter: that was the answer (walk 5)
        return wrong(
            f"{len(not_reasons)} of your letters "
            + (
                "is not a reason: it describes"
                if len(not_reasons) == 1
                else "are no reasons: they describe"
            )
            + " something wasm or wasmtime does not do.",
            "How does wasmtime turn a module into code that runs (Cranelift), and which "
            "integer types did notebook 01 list? 'Why wasm is slower', just below, says.",
        )
    return wrong("there is more than that.", f"{len(truth - given)} true reason(s) are missing.")


#: The N exercise 3 checks a prime counter with, in this order: 10 tells counting 1 as a
#: prime apart from counting N itself, which the prime 13 then shows.
PRIME_PROBES = ("10", "13", "2", "100")
#: The N of the one timed run: large enough that counting, not starting, is what is timed.
#: Trying divisors up to the square root (or a sieve) counts that far in well under a
#: second; trying every divisor takes minutes, and the run's timeout stops it.
PRIMES_TIMED_N = 1_000_000

READ_N_HINT = "Read N with atoi(argv[1]) and count the numbers i with 2 <= i < N that are prime."
FASTER_HINT = (
    "Try divisors only while d * d <= i (a larger divisor pairs with a smaller one already "
    "tried), or cross out the multiples of each prime in an array (a sieve)."
)
#: The largest i whose i * i fits a 32-bit signed integer (a long on wasm32).
LARGEST_SAFE_SQUARE_ROOT = math.isqrt(2**31 - 1)
NOT_AS_WASM_HINT = (
    "It is right natively but not as wasm. Two usual causes: on wasm32 a long is 32 bits "
    f"(natively 64), so i * i overflows once i passes {LARGEST_SAFE_SQUARE_ROOT:,} (use long "
    "long); and a wasm program's stack is far smaller than a native one, so a big array "
    "belongs in static memory or on the heap (static char seen[...] or malloc), not in a local."
)


@functools.cache
def primes_below(n: int) -> int:
    """How many primes p there are with 2 <= p < n (a sieve of Eratosthenes)."""
    if n < 3:
        return 0
    composite = bytearray(n)  # 1 where the index has a divisor other than 1 and itself
    for i in range(2, math.isqrt(n - 1) + 1):
        if not composite[i]:
            composite[i * i :: i] = b"\x01" * len(range(i * i, n, i))
    return n - 2 - sum(composite[2:])


def _count_problem(run: ProgramRun, where: str) -> CheckResult | None:
    """What is wrong with one run of a prime counter, or None if it printed the count."""
    n = int(run.args[0])
    when = f"{where}, {with_arguments(run.args)}"
    failed = run.failure()
    if failed is not None:
        if _too_slow(run):
            return wrong(f"{when}, {failed}.", FASTER_HINT)
        return wrong(
            f"{when}, {failed}.", exit_code_hint("count") if run.exit_code else READ_N_HINT
        )
    try:
        printed = int(run.printed)
    except ValueError:
        shown = repr(run.printed) if run.printed else "nothing"
        return wrong(
            f"{when}, it printed {shown}, not a count.",
            'Print the count alone, with printf("%d\\n", count): the check reads a number.',
        )
    expected = primes_below(n)
    if printed == expected:
        return None
    said = f"{when}, it printed {printed}, but there are {expected:,} primes below {n:,}."
    if printed == expected + 1 and primes_below(n + 1) == expected:
        return wrong(said, "1 is not a prime: the first prime is 2, so start counting there.")
    if printed == primes_below(n + 1):
        return wrong(said, f"Below {n} leaves {n} itself out: loop while i < N, not i <= N.")
    return wrong(said, f"A prime has no divisor but 1 and itself. {READ_N_HINT}")


def _too_slow(run: ProgramRun) -> bool:
    return run.stopped is not None and "timeout" in run.stopped


def _run_both_ways(module: Artifact, binary: Artifact, n: str) -> tuple[ProgramRun, ProgramRun]:
    """Run the module and the native binary with ``n``; raises :class:`EarlyAnswer` unless
    both print the count. A program right only natively gets a hint of its own."""
    wasm = run_wasi(module, [n])
    wasm_problem = _count_problem(wasm, "as wasm")
    if wasm_problem is not None and _too_slow(wasm):
        raise EarlyAnswer(wasm_problem)  # no need to wait as long for the native binary too
    native = run_native(binary, [n])
    native_problem = _count_problem(native, "natively")
    if wasm_problem is not None and native_problem is None:
        raise EarlyAnswer(wrong(wasm_problem.message, NOT_AS_WASM_HINT))
    for problem in (wasm_problem, native_problem):
        if problem is not None:
            raise EarlyAnswer(problem)
    return wasm, native


@exercise("08 · exercise 3 (primes, wasm against native)")
def check_prime_count(source: object, compute: Any = None) -> CheckResult:
    """Notebook 08: a C program printing how many primes are below N (its argument), right
    as wasm and natively; one timed run of each gives this run's wasm/native ratio.
    ``compute``, the measuring cell's run, gives sha256's verdict, which a reply on a
    program ahead of native compares it with."""
    text = program_text(source, "c")
    module = compile_program(text, "c", name="primes")
    binary = compile_program(text, "c", name="primes", target=NATIVE)
    for n in PRIME_PROBES:
        _run_both_ways(module, binary, n)
    # The fastest of a few runs a side, alternating: one run each caught a stall of the
    # machine as a 30% lead (walk 11, S6), and a stall only ever adds time.
    runs = [_run_both_ways(module, binary, str(PRIMES_TIMED_N)) for _ in range(TIMED_RUNS)]
    wasm_s = min(wasm.seconds for wasm, _ in runs)
    native_s = min(native.seconds for _, native in runs)
    ratio = wasm_s / native_s
    return right(
        f"both count {primes_below(PRIMES_TIMED_N):,} primes below {PRIMES_TIMED_N:,}. The "
        f"fastest of {TIMED_RUNS} runs a side: wasm {format_seconds(wasm_s)}, native "
        f"{format_seconds(native_s)} (its process started and ended, a millisecond or two "
        f"of it): wasm/native = {ratio:.2f}. A rough figure; the measurement at the top of "
        "this notebook repeats its runs for a steadier one."
        + _level_or_ahead(ratio, _sha256_rows(compute)),
    )


def _sha256_rows(compute: Any) -> list[Slowdown]:
    """sha256's slowdown at every size this run measured, smallest first: the rows of 08's
    verdict table, from the same result (walk 24, S1: a reply judging the largest size
    alone said "no price for memory access" beside a measurable 1.16× at 1 MiB). Empty
    without a run (or without a native build in it)."""
    if compute is None:
        return []
    return sorted(
        (row for row in slowdowns(compute) if row.example == "sha256"), key=lambda row: row.n
    )


def _level_or_ahead(ratio: float, sha256: list[Slowdown] | None = None) -> str:
    """Why a learner's own loop can come out level with native or ahead of it, after a
    notebook on why wasm is slower: nothing is broken (walk 11, S6: 0.70, every time).
    Ahead, it names what programs that touch memory did in this run (``sha256``)."""
    if ratio >= USUAL_FROM:
        return ""
    loop = (
        "the bounds checks that slow wasm down barely appear in a loop of divisions and "
        "compares, which touches almost no memory"
    )
    if ratio >= AHEAD_BELOW:
        return f" Level with native? {loop[0].upper()}{loop[1:]}."
    return (
        f" Ahead of native by {100 * (1 - ratio):.0f}%, in the fastest of {TIMED_RUNS} runs a "
        f"side, so no stall: {loop}, and clang (native) and Cranelift (wasm's machine code) "
        "compile it to different instructions; here Cranelift's ran faster. "
        + _what_memory_programs_did(sha256 or [])
    )


#: What a program that reads and writes memory is expected to do as wasm, and why.
MEMORY_PROGRAMS = (
    "Programs that read and write memory, such as sha256, are expected to be slower as "
    "wasm, since every load and store is bounds-checked"
)


def _what_memory_programs_did(sha256: list[Slowdown]) -> str:
    """:data:`MEMORY_PROGRAMS`, followed by what this run's sha256 rows said, at every size
    (walk 15, S2: "such as sha256 above, show the usual direction" beside a verdict saying
    sha256 could not be told from native; walk 24, S1: "no price" from the largest size
    beside a measurable slowdown at the smaller one)."""
    if not sha256:
        return f"{MEMORY_PROGRAMS}."
    largest = sha256[-1]
    slower = [row for row in sha256 if row.measurable and row.ratio > 1]
    if slower:
        return (
            f"{MEMORY_PROGRAMS}, and in this run sha256 above was: "
            + "; ".join(_as_long_as_natively(row) for row in slower)
            + _other_sizes([row for row in sha256 if row not in slower])
            + _start_up_cannot_explain(slower, largest)
            + "."
        )
    if largest.measurable:  # faster as wasm where start-up is amortised
        return (
            f"{MEMORY_PROGRAMS}; in this run even sha256 above ran faster as wasm ("
            + _as_long_as_natively(largest)
            + _other_sizes(sha256[:-1])
            + "): on this machine the two compilers' choices outweighed its bounds checks."
        )
    return (
        f"{MEMORY_PROGRAMS}; in this run even sha256 above could not be told from native at "
        f"{largest.label} ({largest.point_text()} as long as natively, but its "
        f"{largest.spread_text()} reaches 1×){_other_sizes(sha256[:-1])}: whatever its bounds "
        "checks cost was lost in how much its runs varied, so this run shows no price for "
        "memory access either; more repetitions in the measuring cell may show one."
    )


def _as_long_as_natively(row: Slowdown) -> str:
    """ "1.16× as long as natively at sha256 1 MiB (95% interval 1.08×-1.23×)", in the
    digits of 08's verdict table."""
    return f"{row.point_text()} as long as natively at {row.label} ({row.spread_text()})"


def _other_sizes(rows: list[Slowdown]) -> str:
    """What the sizes the reply's finding leaves out did, so it never contradicts them."""
    said = []
    for row in rows:
        shown = f"{row.point_text()}, {row.spread_text()}"
        if not row.measurable:
            said.append(
                f"at {row.label} these runs could not tell it from native ({shown} reaches 1×)"
            )
        elif row.ratio > 1:
            said.append(f"at {row.label} it ran slower as wasm ({shown})")
        else:  # the verdict: only the native process start makes a small size look faster
            said.append(
                f"at {row.label} it ran faster as wasm ({shown}), where native's time includes "
                "starting its process, which the pre-instantiated module skips"
            )
    return "".join(f"; {text}" for text in said)


def _start_up_cannot_explain(slower: list[Slowdown], largest: Slowdown) -> str:
    """Why a slowdown at a smaller size is the work's, not start-up's: there native's time
    includes starting its process, a larger share of a short run, and the module is
    pre-instantiated, so start-up can only flatter wasm."""
    if all(row is largest for row in slower):
        return ""
    return (
        ". At a smaller size native's time includes starting its process, which the "
        "pre-instantiated module skips: start-up can only flatter wasm there, so that "
        "slowdown is the work's"
    )


#: How many timed runs a side the prime counter gets: the fastest of them is quoted.
TIMED_RUNS = 3
#: From this wasm/native ratio on, the usual direction: nothing to explain. Below
#: AHEAD_BELOW, wasm is ahead and the reply says how that can be; between, level.
USUAL_FROM = 1.05
AHEAD_BELOW = 0.95


SOLUTIONS = (
    Solution(
        "08",
        1,
        """
    prediction = 1.25  # written before the measuring cell ran: a little slower than native
    kh.check_slowdown(prediction, compute, "fib")  # compute: the measuring cell's run
    """,
        "fib is calls and integer additions with almost no memory traffic: it pays for the "
        "JIT's lighter optimisation, hardly for bounds checks, so it lands nearer native than "
        "SPEC's 1.45-1.55×. The largest N amortises the native process start.",
        IN_NOTEBOOK,
    ),
    Solution(
        "08",
        2,
        """
    answer = {"a", "b", "d"}
    kh.check_why_slower(answer)
    """,
        "wasmtime compiles to machine code (so not c), and wasm has 64-bit integers too (not e).",
    ),
    Solution(
        "08",
        3,
        r"""
    answer = r'''#include <stdio.h>
    #include <stdlib.h>

    int main(int argc, char **argv) {
        long n = argc > 1 ? atol(argv[1]) : 0;
        long count = 0;
        for (long i = 2; i < n; i++) {
            int prime = 1;
            for (long d = 2; d * d <= i; d++)
                if (i % d == 0) { prime = 0; break; }
            count += prime;
        }
        printf("%ld\n", count);
        return 0;
    }
    '''
    kh.check_prime_count(answer, compute)  # compute: the measuring cell's run
    """,
        "Trial division up to the square root: every i below N that no d with d * d <= i "
        "divides is a prime. d * d stays far below what a 32-bit long holds, so the same "
        "program is right as wasm and natively.",
        needs="toolchains",
    ),
)


# --- beside JavaScript, in the browser -------------------------------------------------------


def _cell(result: BenchResult, name: str) -> str:
    measured = result.variants.get(name)
    if measured is None:
        return "not measured"
    s = measured.stats
    return f"{format_seconds(s.median_s)} ({format_seconds(s.q1_s)}-{format_seconds(s.q3_s)})"


@dataclass(frozen=True, repr=False)
class BesideJavaScript(ShownAsText):
    """Notebook 08's four sides per case, as a table: median (quartiles) per side, whether
    JavaScript printed what the module printed, and the ratios with their intervals."""

    result: BenchResult
    page_summary: str

    @functools.cached_property
    def _ratios(self) -> dict[str, tuple[dict[str, Ratio], dict[str, FarSamples]]]:
        """Each case's ratios and the notes on far samples, bootstrapped once: the table is
        shown as text and as HTML, and again at each redraw, from the same result."""
        computed = {}
        for case in browser_cases():
            ratios = browser_ratios(self.result, case.label)
            computed[case.label] = (ratios, browser_ratio_outliers(self.result, case.label, ratios))
        return computed

    def text(self) -> str:
        lines = [f"browser: {self.page_summary}", ""]
        if NO_PAGE in self.result.skipped.values():
            lines[1:1] = [f"{NO_PAGE}. Below is what this kernel measured."]
        elif any(key.startswith("browser-") for key in self.result.skipped):
            lines[1:1] = [WAITING]
        for case in browser_cases():
            lines.append(f"{case.label}")
            for side in SIDES:
                name = f"{side} {case.label}"
                why = self.result.skipped.get(name, "")
                if why == NO_PAGE:  # said once, at the top
                    why = "comes from the page (none has reported)"
                shown = _cell(self.result, name) if not why else f"not measured: {why}"
                lines.append(f"  {SIDE_LABELS[side]:44} {shown}")
            outputs = self.result.notes.get(f"outputs {case.label}")
            if outputs:
                lines.append(f"  JavaScript against the module: {outputs}")
            ratios, stretched = self._ratios[case.label]
            for question, ratio in ratios.items():
                far = stretched.get(question)
                lines.append(f"  {question}: {ratio.with_interval(far=far)}")  # as 08's verdict
                if far is not None:  # at words: one line broke mid-word (walk 16, S4)
                    lines.append(indent(wrap_note(f"({far.note})", 88), "    "))
            lines.append("")
        lines.append(
            wrap_note(
                "Times are medians with quartiles; ratios are medians' ratios with a 95% "
                "bootstrap interval; warm-ups and repetitions as in the first cell."
            )
        )
        if self.result.notes.get("method"):
            lines.append(wrap_note(f"Method: {self.result.notes['method']}"))
        return "\n".join(lines)


#: What the table says while the page measures: the cell ran before the page reported
#: (under Run All every cell does, since a kernel reads the page only between cells).
WAITING = (
    "The page above is still measuring: this table and the figure below fill themselves in "
    "when it is done, and are saved for notebook 10 again (no need to run them again)."
)


class LiveOutput:
    """One cell output that the page's report redraws: in JupyterLab an Output widget whose
    ``outputs`` the kernel sets when the page's message arrives (no cell has to run), in a
    headless run the plain text or PNG of the moment."""

    def __init__(self, draw: Callable[[], dict[str, Any]]) -> None:
        self._draw = draw
        self._box: Any = None

    def redraw(self) -> None:
        if self._box is not None:
            self._box.outputs = (self._draw(),)

    def _repr_mimebundle_(self, **_: Any) -> dict[str, Any]:
        import ipywidgets

        drawn = self._draw()
        self._box = ipywidgets.Output()
        self._box.outputs = (drawn,)
        view = {"model_id": self._box.model_id, "version_major": 2, "version_minor": 0}
        bundle = dict(drawn.get("data", {"text/plain": drawn.get("text", "")}))
        bundle["application/vnd.jupyter.widget-view+json"] = view
        return bundle


class BesideJavaScriptView:
    """Notebook 08's table beside JavaScript, kept current: shown with what the kernel
    measured, and again (saved again too, when ``save_as`` names a topic) when the page
    reports. ``result`` and ``text()`` are always the latest; :meth:`figure` draws
    :func:`kh.beside_javascript_figure` the same way."""

    def __init__(self, compute: BenchResult, page: Any, save_as: str | None) -> None:
        self._compute, self._page, self._save_as = compute, page, save_as
        self._shown: list[LiveOutput] = []
        self.table = self._measure()
        if page.status not in ("done", "failed"):
            page.observe(self._on_page, names="status")

    @property
    def result(self) -> BenchResult:
        return self.table.result

    def text(self) -> str:
        return self.table.text()

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def _measure(self) -> BesideJavaScript:
        page = self._page
        table = BesideJavaScript(beside_javascript_result(self._compute, page), page.summary())
        if self._save_as:
            save_result(self._save_as, table.result)
        return table

    def _on_page(self, change: dict[str, Any]) -> None:
        if change["new"] not in ("done", "failed"):
            return
        self._page.unobserve(self._on_page, names="status")
        self.table = self._measure()
        for shown in self._shown:
            shown.redraw()

    def _table_output(self) -> dict[str, Any]:
        return {"output_type": "stream", "name": "stdout", "text": self.text()}

    def _figure_output(self) -> dict[str, Any]:
        png = figure_png(beside_javascript_figure(self.result))
        return {
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"},
            "metadata": {},
        }

    def _live(self, draw: Callable[[], dict[str, Any]]) -> LiveOutput:
        shown = LiveOutput(draw)
        self._shown.append(shown)
        return shown

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return self._live(self._table_output)._repr_mimebundle_(**kwargs)

    def figure(self) -> LiveOutput:
        """The figure beside JavaScript, redrawn when the page reports. Notebook 08."""
        return self._live(self._figure_output)


def beside_javascript(
    compute: Any, page: Any, *, save_as: str | None = None
) -> BesideJavaScriptView:
    """Notebook 08: the kernel's native and wasmtime timings beside the page's wasm and
    JavaScript timings (:func:`kh.compute_in_browser`), with intervals; headless, the
    browser rows say why they are missing. In JupyterLab the table fills itself in when the
    page reports; ``save_as`` (``"compute-browser"``) saves it for notebook 10, now and then."""
    return BesideJavaScriptView(as_result(compute), page, save_as)
