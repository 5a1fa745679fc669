"""Steady-state compute: the same program natively and as wasm, once start-up is paid.

:func:`run_compute` times each case of :data:`COMPUTE_CASES` (``fib`` at N=30 and 35,
``sha256`` over 1 and 8 MiB of stdin): the native binary as a whole process, the module
pre-instantiated in process, so both pay almost nothing but the work. Notebook 08.

:func:`compute_in_browser` times the same modules, and the same kernels written in
JavaScript, in the learner's page; :func:`beside_javascript` puts the four sides together.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import KitError
from ..toolchains.pairs import example_builds
from .harness import OnSample, machine_metadata, measure_callable, measure_command
from .ratio import (
    HELD_UP_BY_MACHINE,
    MACHINE_STALL,
    FarSamples,
    Ratio,
    Side,
    far_samples_in,
    ratio_of_medians,
)
from .results import BenchResult, Measurement

if TYPE_CHECKING:  # the widget (anywidget, traitlets) loads only where a page is wanted
    from ..wasm.browser_compute import BrowserCase, BrowserCompute

#: (example, label, argv after the program, stdin size in bytes or 0)
COMPUTE_CASES = (
    ("fib", "fib(30)", ["30"], 0),
    ("fib", "fib(35)", ["35"], 0),
    ("sha256", "sha256 1 MiB", ["-"], 1 << 20),
    ("sha256", "sha256 8 MiB", ["-"], 8 << 20),
)


def run_compute(
    *,
    repeat: int = 10,
    warmup: int = 2,
    lang: str = "c",
    on_sample: OnSample | None = None,
    stop: threading.Event | None = None,
) -> BenchResult:
    """Native vs wasm on the same work, ``native <case>`` and ``wasm <case>`` variants;
    ``result.ratios()`` gives wasm/native per case. Notebook 08."""
    from ..wasm.runner import prepare

    result = BenchResult(
        machine=machine_metadata(docker=False), example="fib+sha256", benchmark="compute"
    )
    options: dict[str, Any] = {
        "warmup": warmup,
        "repeat": repeat,
        "on_sample": on_sample,
        "stop": stop,
    }
    with tempfile.TemporaryDirectory(prefix="kit-compute-") as folder:
        for example, label, args, stdin_size in COMPUTE_CASES:
            names = (f"native {label}", f"wasm {label}")
            if stop is not None and stop.is_set():
                result.skipped.update(dict.fromkeys(names, "the run was stopped before this case"))
                continue
            stdin_path = Path(folder) / f"input-{stdin_size}"
            if not stdin_path.exists():
                stdin_path.write_bytes(os.urandom(stdin_size))
            try:
                builds = example_builds(example, lang)
                result.notes[f"builds {example}"] = builds.built_by
                if builds.native is None:
                    # No compiler (a bare laptop): the wasm side still runs from the
                    # prebuilt module; only the native side, and so the ratio, is missing.
                    result.skipped[names[0]] = f"no native build: {builds.native_missing}"
                else:
                    result.variants[names[0]] = measure_command(
                        [str(builds.native), *args], name=names[0], stdin=str(stdin_path), **options
                    )
                stdin_bytes = stdin_path.read_bytes() if stdin_size else None
                result.variants[names[1]] = measure_callable(
                    _wasm_call(prepare(builds.wasm), args, stdin_bytes), name=names[1], **options
                )
            except KitError as err:  # one case failing must not lose the others
                result.skipped.update({n: err.message for n in names if n not in result.variants})
                continue
    result.notes["method"] = (
        "native: the static binary as a whole process (its time includes starting that process, "
        "notebook 06's 'native' row); "
        "wasm: pre-instantiated module in process (wasmtime-py), same args and stdin"
    )
    return result


def _wasm_call(prepared: Any, args: list[str], stdin: bytes | None) -> Callable[[], object]:
    return lambda: prepared.run(args, stdin=stdin).check()


# --- beside JavaScript, in the learner's page -------------------------------------------------

#: The four sides of notebook 08's browser comparison, in the order tables and plots show.
SIDES = ("native", "wasmtime", "browser-wasm", "browser-js")
SIDE_LABELS = {
    "native": "native binary (whole process)",
    "wasmtime": "wasm in wasmtime (pre-instantiated)",
    "browser-wasm": "wasm in the browser (instantiate + _start)",
    "browser-js": "JavaScript in the browser (the same kernel)",
}
#: Why the browser rows are empty before a page has reported: said, never filled in. The
#: kernel cannot tell a headless run from a page that has not answered yet (it reads the
#: page's messages only between cells), so it says both.
NO_PAGE = (
    "the browser rows come from the page, and no page has reported to this kernel yet: in "
    "JupyterLab they fill themselves in when the widget above is done; a headless run "
    "(no browser) has no page"
)


#: What each browser sample contains, for the table's footer and the saved result.
BROWSER_METHOD = (
    "in the page, wasm: the module compiled once, each sample a fresh instance running "
    "_start (its stdin copied in through fd_read, as under wasmtime); JavaScript: each sample "
    "one call of the kernel on the same bytes, where they lie; performance.now() in the "
    "page, rounded by the browser to about 0.1 ms"
)


def browser_cases() -> list[BrowserCase]:
    """:data:`COMPUTE_CASES` as the page runs them: the same argv and stdin sizes."""
    from ..wasm.browser_compute import BrowserCase

    return [BrowserCase(label, ex, tuple(args), size) for ex, label, args, size in COMPUTE_CASES]


def compute_in_browser(*, repeat: int = 10, warmup: int = 2, lang: str = "c") -> BrowserCompute:
    """The widget that times the very modules :func:`run_compute` timed, and the kernels in
    JavaScript, in the learner's page, with the same warm-ups and repetitions. Notebook 08."""
    from ..wasm.browser_compute import compute_page

    modules = {ex: example_builds(ex, lang).wasm.read_bytes() for ex in ("fib", "sha256")}
    return compute_page(modules, browser_cases(), warmup=warmup, repeat=repeat)


def beside_javascript(compute: BenchResult, page: BrowserCompute) -> BenchResult:
    """One result with the four sides per case (``SIDE case``: ``native fib(35)``,
    ``wasmtime fib(35)``, ``browser-wasm fib(35)``, ``browser-js fib(35)``): the kernel's
    measurements from ``compute`` and the page's from ``page``. A side with nothing
    measured is in ``skipped`` with the reason; ``notes["outputs <case>"]`` says whether
    JavaScript printed what the module printed. Notebook 08."""
    result = BenchResult(machine=compute.machine, example="fib+sha256", benchmark="compute-browser")
    result.notes["browser"] = page.browser or page.summary()
    result.notes["method"] = BROWSER_METHOD
    timings = {t.label: t for t in page.timings()}
    for case in browser_cases():
        for side, name in (("native", "native"), ("wasmtime", "wasm")):
            measured = compute.variants.get(f"{name} {case.label}")
            if measured is not None:
                result.variants[f"{side} {case.label}"] = measured
            else:
                result.skipped[f"{side} {case.label}"] = compute.skipped.get(
                    f"{name} {case.label}", "not in this compute result"
                )
        timing = timings.get(case.label)
        if timing is None:
            why = NO_PAGE if not page.browser_attached else page.summary()
            for side in ("browser-wasm", "browser-js"):
                result.skipped[f"{side} {case.label}"] = why
            continue
        result.notes[f"outputs {case.label}"] = (
            "same output"
            if timing.agree
            else f"DIFFER: wasm {timing.wasm_stdout!r}"
            f"{' (' + timing.wasm_error + ')' if timing.wasm_error else ''}, "
            f"JavaScript {timing.js_stdout!r}"
        )
        for side, samples in (
            ("browser-wasm", timing.wasm_samples_s),
            ("browser-js", timing.js_samples_s),
        ):
            result.variants[f"{side} {case.label}"] = Measurement.from_samples(
                f"{side} {case.label}", "in-page", list(samples), note=page.browser
            )
    return result


#: The ratios notebook 08's browser table prints, each answering one question.
BROWSER_RATIOS = (
    ("browser-js", "browser-wasm", "JavaScript / wasm, same page (above 1: wasm is faster there)"),
    ("browser-wasm", "wasmtime", "browser / wasmtime, same bytes: one engine against another"),
    ("wasmtime", "native", "wasmtime / native: wasm's cost outside the browser"),
)


def browser_ratios(result: BenchResult, case: str) -> dict[str, Ratio]:
    """The :data:`BROWSER_RATIOS` measured for ``case`` (``fib(35)``), keyed by their
    question; a ratio with a side missing is left out. Notebooks 08 and 10."""
    ratios = {}
    for slow, fast, question in BROWSER_RATIOS:
        a, b = result.variants.get(f"{slow} {case}"), result.variants.get(f"{fast} {case}")
        if a is not None and b is not None:
            ratios[question] = ratio_of_medians(a.samples_s, b.samples_s)
    return ratios


#: What a far sample of the browser table is: the page or the machine stalled, not the kernel.
PAGE_STALL = "a stall of the page or the machine rather than the kernel"
#: What a browser table's sample far below its median says: the others were held up.
PAGE_HELD_UP = "the other samples were likely held up by the page or other work on the machine"


def browser_ratio_outliers(
    result: BenchResult, case: str, ratios: Mapping[str, Ratio]
) -> dict[str, FarSamples]:
    """For each of ``case``'s ``ratios`` (:func:`browser_ratios`, already bootstrapped)
    whose interval a far sample stretches (:func:`far_samples_in`), what that sample was
    and the ratio without it; the other questions are left out. A stall of the page or the
    machine, not of the kernel (walk 8, S11). Notebook 08."""
    notes = {}
    for slow, fast, question in BROWSER_RATIOS:
        a, b = result.variants.get(f"{slow} {case}"), result.variants.get(f"{fast} {case}")
        whole = ratios.get(question)
        if a is None or b is None or whole is None:
            continue
        # Only a ratio with a side in the page can blame the page (walk 16, S4: a native
        # stall was called "a stall of the page or the machine").
        in_page = any(side.startswith("browser-") for side in (slow, fast))
        stall, held_up = (
            (PAGE_STALL, PAGE_HELD_UP) if in_page else (MACHINE_STALL, HELD_UP_BY_MACHINE)
        )
        far = far_samples_in(_side(slow, a), _side(fast, b), whole, stall=stall, held_up=held_up)
        if far is not None:
            notes[question] = far
    return notes


def _side(side: str, measured: Measurement) -> Side:
    """A browser table's side as its outlier note names it: "JavaScript in the browser"."""
    return Side(SIDE_LABELS[side].split(" (")[0], measured.samples_s)


def same_compute_run(browser: BenchResult, compute: BenchResult) -> bool:
    """True when ``browser`` (:func:`beside_javascript`'s result) holds the very native and
    wasmtime samples of ``compute``: the two were saved from one run. Notebook 10 drops the
    browser rows otherwise (walk 7, S32: re-running 08's measuring cell for exercise 1 left
    the browser rows of the first run beside the verdict of the second)."""
    pairs = [
        (browser.variants.get(f"{side} {case.label}"), compute.variants.get(f"{name} {case.label}"))
        for case in browser_cases()
        for side, name in (("native", "native"), ("wasmtime", "wasm"))
    ]
    kept = [(saved, measured) for saved, measured in pairs if saved is not None]
    return all(
        measured is not None and list(saved.samples_s) == list(measured.samples_s)
        for saved, measured in kept
    )
