"""Self-checking exercises for notebooks 06-10 (course part 2).

Same contract as ``_exercises`` (part 1): every check returns a :class:`CheckResult`,
says "not yet" kindly to the placeholder ``...``, gives a specific hint on a wrong
answer, and never raises. Checks that grade a measured number take the learner's own
result as a second argument, so the right answer is the one *their* machine produced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._display import format_bytes, format_seconds
from ..bench.results import native_missing, slowdowns, variant_summaries
from ..report.verdicts import SEVERAL_SECONDS_FROM_S
from .exercises import PLACEHOLDER_MESSAGE, CheckResult, _exercise, _right, _wrong
from .solutions import _add as _add_solution

RATIO_TOLERANCE = 0.05


def _number(answer: object) -> float:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, str)):
        raise ValueError(f"expected a number, got {type(answer).__name__}")
    return float(str(answer).strip().rstrip("x×"))


def _close(given: float, truth: float, tolerance: float = RATIO_TOLERANCE) -> bool:
    return abs(given - truth) <= tolerance * abs(truth)


# --- notebook 06: start-up --------------------------------------------------------------


@_exercise("06 · exercise 1 (the start-up ratio)")
def check_startup_ratio(answer: object, result: Any) -> CheckResult:
    """Notebook 06: docker-scratch's median divided by wasm-instantiate's, from ``result``."""
    summaries = variant_summaries(result)
    if "docker-scratch" not in summaries or "wasm-instantiate" not in summaries:
        return _wrong("this result lacks docker-scratch or wasm-instantiate; run the benchmark cell first.")
    container, wasm = summaries["docker-scratch"].median_s, summaries["wasm-instantiate"].median_s
    truth = container / wasm
    given = _number(answer)
    if _close(given, truth):
        return _right(f"yes: about {truth:,.0f}×. A container start costs that many wasm starts here.")
    if _close(given, 1 / truth):
        return _wrong("you divided the other way round.", "Put the container's median on top: the slower one.")
    return _wrong(
        f"{given:,.3g} is not the ratio of the two medians.",
        f"Divide result.variants['docker-scratch'].stats.median_s ({format_seconds(container)}) by "
        f"result.variants['wasm-instantiate'].stats.median_s ({format_seconds(wasm)}).",
    )


@_exercise("06 · exercise 2 (does the claim hold?)")
def check_several_seconds(answer: object, result: Any) -> CheckResult:
    """Notebook 06: True if docker-scratch took several seconds (>= 2 s) in ``result``."""
    if not isinstance(answer, bool):
        return _wrong(f"answer True or False, not {answer!r}.")
    container = variant_summaries(result).get("docker-scratch")
    if container is None:
        return _wrong("this result has no docker-scratch variant; run the benchmark cell first.")
    truth = container.median_s >= SEVERAL_SECONDS_FROM_S
    if answer == truth:
        if truth:
            return _right(f"right: {format_seconds(container.median_s)} is several seconds; the claim holds here.")
        return _right(
            f"right: {format_seconds(container.median_s)} is a fraction of a second; the claim overstates it here."
        )
    return _wrong(
        f"look at the docker-scratch row again: its median is {format_seconds(container.median_s)}.",
        f"'Several seconds' means at least {SEVERAL_SECONDS_FROM_S:g} s.",
    )


# --- notebook 07: size and portability -------------------------------------------------


@_exercise("07 · exercise 1 (the smallest artifact)")
def check_smallest_artifact(answer: object, sizes: Mapping[str, int]) -> CheckResult:
    """Notebook 07: the name of the smallest artifact in ``sizes``."""
    if not isinstance(answer, str):
        return _wrong(f"answer with the artifact's name as a string, not {answer!r}.")
    smallest = min(sizes, key=lambda name: sizes[name])
    if answer.strip() == smallest:
        return _right(f"yes: {smallest}, {format_bytes(sizes[smallest])}.")
    if answer.strip() not in sizes:
        return _wrong(f"there is no artifact called {answer!r}.", "Copy a name from the chart's labels.")
    return _wrong(
        f"{answer} weighs {format_bytes(sizes[answer.strip()])}; something is lighter.",
        "The chart is sorted by kind, not by size; read the bar lengths (the axis is logarithmic).",
    )


@_exercise("07 · exercise 2 (the image's platform)")
def check_image_platform(answer: object, platform: str) -> CheckResult:
    """Notebook 07: the ``os/architecture`` the container image is tied to (``platform``)."""
    if not isinstance(answer, str) or "/" not in answer:
        return _wrong("answer like 'os/architecture', for example 'linux/arm64'.")
    if answer.strip().lower() == platform.lower():
        return _right(
            f"yes: {platform}. That image runs only there; the .wasm above ran unchanged under two hosts."
        )
    return _wrong(
        f"the image's config says something else than {answer}.",
        "Read the 'Os' and 'Architecture' fields the inspect cell printed.",
    )


# --- notebook 08: compute ----------------------------------------------------------------


@_exercise("08 · exercise 1 (the slowdown)")
def check_slowdown(answer: object, compute: Any, example: str = "fib") -> CheckResult:
    """Notebook 08: wasm time / native time for ``example`` at its largest N."""
    rows = [r for r in slowdowns(compute) if r.example == example]
    if not rows:
        if native_missing(compute, example):
            return _wrong(
                "this machine has no compiler for a native build, so there is no slowdown to compute "
                "(wasm alone was timed, from the prebuilt module).",
                "Notebook 00 shows how to get a C compiler (pip install ziglang works anywhere); "
                "then run the measurement cell again.",
            )
        return _wrong(f"the compute result has no rows for {example!r}; run the measurement cell first.")
    steady = max(rows, key=lambda r: r.n)
    given = _number(answer)
    if _close(given, steady.ratio):
        return _right(f"yes: {steady.ratio:.2f}× at N={steady.n} (spread {steady.low:.2f}-{steady.high:.2f}×).")
    if _close(given, 1 / steady.ratio):
        return _wrong("you divided native by wasm.", "A slowdown puts wasm's time on top.")
    return _wrong(
        f"{given:.3g} is not the slowdown at N={steady.n}.",
        f"Divide the wasm median ({format_seconds(steady.wasm_s)}) by the native median "
        f"({format_seconds(steady.native_s)}) on the {example} row with the largest N.",
    )


WHY_SLOWER = {
    "a": ("every memory access is bounds-checked (or guarded by virtual memory tricks)", True),
    "b": ("no native SIMD unless the module is built for wasm SIMD", True),
    "c": ("wasmtime interprets the bytecode one instruction at a time", False),
    "d": ("the JIT optimises less aggressively than clang -O2 ahead of time", True),
    "e": ("wasm integers are 64-bit only", False),
}


@_exercise("08 · exercise 2 (why slower?)")
def check_why_slower(answer: object) -> CheckResult:
    """Notebook 08: the letters of every true reason in ``WHY_SLOWER`` (a set like {"a"})."""
    if not isinstance(answer, (str, Iterable)):
        return _wrong('answer with a set of letters, like {"a", "c"}.')
    items = [answer] if isinstance(answer, str) else list(answer)
    given = {str(a).strip().lower() for a in items}
    unknown = given - set(WHY_SLOWER)
    if unknown:
        return _wrong(f"{', '.join(sorted(unknown))} is not one of the choices a-e.")
    truth = {k for k, (_, true) in WHY_SLOWER.items() if true}
    if given == truth:
        return _right("yes: bounds checks, no SIMD by default, and a faster but less thorough compiler.")
    wrong = given - truth
    if wrong:
        letter = sorted(wrong)[0]
        reason = {
            "c": "wasmtime compiles the module to machine code with Cranelift before it runs.",
            "e": "wasm has i32 and i64 (and f32, f64); the examples use i32 and i64 like C does.",
        }[letter]
        return _wrong(f"({letter}) is not a reason.", reason)
    return _wrong("there is more than that.", f"{len(truth - given)} true reason(s) are missing.")


# --- notebook 09: Docker + Wasm --------------------------------------------------------

WASM_LAYER_TYPES = ("application/wasm", "application/vnd.wasm.content.layer.v1+wasm")


@_exercise("09 · exercise 1 (the layer's media type)")
def check_wasm_media_type(answer: object) -> CheckResult:
    """Notebook 09: the media type that marks a layer as a wasm module, as runwasi reads it."""
    if not isinstance(answer, str):
        return _wrong(f"answer with the media type as a string, not {answer!r}.")
    given = answer.strip().lower()
    if given in WASM_LAYER_TYPES:
        return _right(f"yes: {given}. A shim finds the module by this type, not by a file name.")
    if "tar" in given:
        return _wrong("that is an ordinary filesystem layer.", "Look for the layer whose type names wasm.")
    return _wrong("not quite.", "Read the 'layers' list of the artifact-style manifest above.")


@_exercise("09 · exercise 2 (a Pod on a wasm runtime)")
def check_pod_runtime_class(pod: object, runtime_class: Mapping[str, Any]) -> CheckResult:
    """Notebook 09: a Pod manifest (dict) that runs on the given RuntimeClass."""
    if not isinstance(pod, Mapping):
        return _wrong(f"expected the Pod manifest as a dict, got {type(pod).__name__}.")
    wanted = runtime_class["metadata"]["name"]
    spec = pod.get("spec") or {}
    given = spec.get("runtimeClassName")
    if given is Ellipsis:  # the skeleton's placeholder, still in place
        return CheckResult("", None, PLACEHOLDER_MESSAGE)
    if given == wanted:
        return _right(
            f"yes: the kubelet asks containerd for handler {runtime_class['handler']!r}, the wasm shim."
        )
    if given is None:
        return _wrong("the Pod names no runtime class.", "Add 'runtimeClassName' under 'spec'.")
    if given == runtime_class.get("handler"):
        return _wrong("that is the handler, not the RuntimeClass's name.", f"Use {wanted!r}.")
    return _wrong(f"there is no RuntimeClass called {given!r} here.", f"Use {wanted!r}.")


# --- notebook 10: the verdict ------------------------------------------------------------

DECISION_SCENARIOS = {
    "thumbnail images per request at the edge": "module",
    "run PostgreSQL with its extensions": "container",
    "let customers upload plugins into a SaaS app": "module",
    "lift an existing Java service with native libraries": "container",
    "add short-lived functions beside existing services on Kubernetes": "both",
}
CHOICES = ("module", "container", "both")


@_exercise("10 · exercise 1 (decide)")
def check_decisions(answer: object) -> CheckResult:
    """Notebook 10: a dict mapping each scenario in ``DECISION_SCENARIOS`` to module, container or both."""
    if not isinstance(answer, Mapping):
        return _wrong("answer with a dict: {scenario: 'module' | 'container' | 'both'}.")
    missing = [s for s in DECISION_SCENARIOS if s not in answer]
    if missing:
        return _wrong(f"{len(missing)} scenario(s) have no answer yet, e.g. {missing[0]!r}.")
    bad = [v for v in answer.values() if v not in CHOICES]
    if bad:
        return _wrong(f"{bad[0]!r} is not one of {', '.join(CHOICES)}.")
    wrong = [s for s, truth in DECISION_SCENARIOS.items() if answer[s] != truth]
    if not wrong:
        return _right("all five match the guide: start-up, isolation and dependencies decide.")
    first = wrong[0]
    return _wrong(
        f"{len(wrong)} of {len(DECISION_SCENARIOS)} differ from the guide, e.g. {first!r}.",
        "Ask: does it need a whole OS and long life (container), or fast, sandboxed starts (module)?",
    )


@_exercise("10 · exercise 2 (your export)")
def check_export(path: object) -> CheckResult:
    """Notebook 10: the path of the JSON export; it must read back with the results in it."""
    from ..report.exports import EXPORT_SCHEMA

    file = Path(str(path))
    if not file.is_file():
        return _wrong(f"there is no file at {file}.", "Use export.json_path from the export cell.")
    data = json.loads(file.read_text())
    if data.get("schema") != EXPORT_SCHEMA:
        return _wrong("that file is not a course export.", "Give the *-results.json file, not the PNG.")
    topics = sorted(data.get("results") or {})
    return _right(f"ready to hand in: {file.name} carries {', '.join(topics) or 'no'} results.")


# --- solutions (revealed by kh.solution("08", 2) and friends) --------------------------

_add_solution(
    "08", 2,
    """
answer = {"a", "b", "d"}
kh.check_why_slower(answer)
""",
    "wasmtime compiles to machine code (so not c), and wasm has 64-bit integers too (not e).",
)
_add_solution(
    "09", 1,
    """
answer = "application/wasm"
kh.check_wasm_media_type(answer)
""",
    "The artifact-style manifest's one layer carries the module itself under this media type.",
)
_add_solution(
    "09", 2,
    """
runtime_class = kh.wasm_runtime_class()
pod = kh.wasm_pod(runtime_class)
kh.check_pod_runtime_class(pod, runtime_class)
""",
    "spec.runtimeClassName names the RuntimeClass; its handler names the containerd shim.",
)
_add_solution(
    "10", 1,
    """
answer = dict(kh.DECISION_SCENARIOS)
kh.check_decisions(answer)
""",
    "Per-request and untrusted code favour modules; whole services with OS dependencies, containers.",
)
# These read the learner's own measurements, so they run inside the notebook only.
_IN_NOTEBOOK = "the notebook's own measurements"
_add_solution(
    "06", 1,
    """
answer = result.variants["docker-scratch"].stats.median_s / result.variants["wasm-instantiate"].stats.median_s
kh.check_startup_ratio(answer, result)
""",
    "The slower start goes on top; result.ratio('docker-scratch', 'wasm-instantiate') gives the same.",
    _IN_NOTEBOOK,
)
_add_solution(
    "06", 2,
    """
answer = result.variants["docker-scratch"].stats.median_s >= 2.0
kh.check_several_seconds(answer, result)
""",
    "'Several seconds' starts at two; compare the median, not one lucky or unlucky sample.",
    _IN_NOTEBOOK,
)
_add_solution(
    "07", 1,
    """
answer = min(sizes.sizes, key=sizes.sizes.get)
kh.check_smallest_artifact(answer, sizes.sizes)
""",
    "min with key= picks the name whose size is smallest.",
    _IN_NOTEBOOK,
)
_add_solution(
    "07", 2,
    """
answer = platform.platform
kh.check_image_platform(answer, platform.platform)
""",
    "An image config's Os and Architecture fields name the one platform its binaries run on.",
    _IN_NOTEBOOK,
)
_add_solution(
    "08", 1,
    """
answer = compute.variants["wasm fib(35)"].stats.median_s / compute.variants["native fib(35)"].stats.median_s
kh.check_slowdown(answer, compute, "fib")
""",
    "The largest N amortises the native process start, so it is the fair steady-state ratio.",
    _IN_NOTEBOOK,
)
_add_solution(
    "10", 2,
    """
answer = export.json_path
kh.check_export(answer)
""",
    "The export cell returns both paths; the JSON is the one the aggregator reads.",
    _IN_NOTEBOOK,
)
