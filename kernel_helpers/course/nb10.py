"""Notebook 10 · conclusions: decide module or container, and hand in the export."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .checks import IN_NOTEBOOK, CheckResult, Solution, exercise, right, wrong

DECISION_SCENARIOS = {
    "thumbnail images per request at the edge": "module",
    "run PostgreSQL with its extensions": "container",
    "let customers upload plugins into a SaaS app": "module",
    "lift an existing Java service with native libraries": "container",
    "add short-lived functions beside existing services on Kubernetes": "both",
}
CHOICES = ("module", "container", "both")


@exercise("10 · exercise 1 (decide)")
def check_decisions(answer: object) -> CheckResult:
    """Notebook 10: a dict mapping each scenario in ``DECISION_SCENARIOS`` to module, container or both."""
    if not isinstance(answer, Mapping):
        return wrong("answer with a dict: {scenario: 'module' | 'container' | 'both'}.")
    missing = [s for s in DECISION_SCENARIOS if s not in answer]
    if missing:
        return wrong(f"{len(missing)} scenario(s) have no answer yet, e.g. {missing[0]!r}.")
    bad = [v for v in answer.values() if v not in CHOICES]
    if bad:
        return wrong(f"{bad[0]!r} is not one of {', '.join(CHOICES)}.")
    differing = [s for s, truth in DECISION_SCENARIOS.items() if answer[s] != truth]
    if not differing:
        return right("all five match the guide: start-up, isolation and dependencies decide.")
    # How many, never which (walk 7, S33): with three choices, naming the scenario that
    # differs all but gives its answer.
    return wrong(
        f"{len(differing)} of {len(DECISION_SCENARIOS)} differ from the guide.",
        "Ask three questions: does it need a whole OS and long life (container)? Fast, sandboxed "
        "starts (module)? Or is it new wasm work on a cluster that already runs containers, where "
        "a RuntimeClass (notebook 09) lets each workload keep its own kind (both)?",
    )


@exercise("10 · exercise 2 (what your export says)")
def check_export(answer: object, export: object) -> CheckResult:
    """Notebook 10: how many start-up variants in the learner's JSON export were measured
    on this machine, not recorded: the bars the instructor's plot draws in the learner's
    colour (walk 3, S29: the exercise gave its answer, ``export.json_path``, in its prompt)."""
    from ..bench.results import as_result

    file = Path(str(getattr(export, "json_path", export)))
    if export is None or not file.is_file():
        return wrong("there is no export yet.", "Run the export cell above first, then this one.")
    data = json.loads(file.read_text())
    if not isinstance(data, dict) or "startup" not in (data.get("results") or {}):
        return wrong("that export holds no start-up result.", "Give the export cell's export.")
    variants = as_result(data["results"]["startup"]).variants
    measured = [name for name, m in variants.items() if not m.recorded]
    if isinstance(answer, bool) or not isinstance(answer, int):
        return wrong(f"answer with a whole number, not {type(answer).__name__}.")
    if answer == len(measured):
        return right(_what_the_instructor_sees(file, data, len(measured), len(variants)))
    hint = (
        "Each variant in data['results']['startup']['variants'] says its 'source': count "
        "the ones that are 'measured'."
    )
    if answer == len(variants):
        return wrong("that counts every variant, the recorded ones too.", hint)
    # Not "{answer} of them were not measured": that read as a count of recorded ones (walk 5).
    # Nor the total: where Docker runs, every variant is measured and the total is the answer
    # (walk 7, S33).
    return wrong(
        f"{answer} is not how many of your export's start-up variants were measured here.",
        hint,
    )


def _what_the_instructor_sees(file: Path, data: Mapping[str, Any], mine: int, total: int) -> str:
    topics = ", ".join(sorted(data.get("results") or {}))
    borrowed = total - mine
    also = (
        f"; the other {borrowed} came from the reference machine and are drawn pale and hatched"
        if borrowed
        else ": none of them was borrowed from the reference machine"
    )
    return (
        f"{mine} of {total} start-up variants ran on this machine, drawn in your colour on "
        f"your instructor's plot{also}. Ready to hand in: {file.name} carries {topics}."
    )


SOLUTIONS = (
    Solution(
        "10",
        1,
        """
    answer = dict(kh.DECISION_SCENARIOS)
    kh.check_decisions(answer)
    """,
        "Per-request and untrusted code favour modules; whole services with OS dependencies, containers.",
    ),
    Solution(
        "10",
        2,
        """
    import json
    from pathlib import Path

    data = json.loads(Path(export.json_path).read_text())
    variants = data["results"]["startup"]["variants"]
    answer = sum(1 for variant in variants.values() if variant["source"] == "measured")
    kh.check_export(answer, export)
    """,
        "The JSON is what the aggregator reads: each variant carries its source, so a "
        "recorded one is never passed off as yours.",
        IN_NOTEBOOK,
    ),
)
