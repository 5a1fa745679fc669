"""Notebook 10 · conclusions: decide module or container, and hand in the export."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

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
    first = differing[0]
    return wrong(
        f"{len(differing)} of {len(DECISION_SCENARIOS)} differ from the guide, e.g. {first!r}.",
        "Ask three questions: does it need a whole OS and long life (container)? Fast, sandboxed "
        "starts (module)? Or is it new wasm work on a cluster that already runs containers, where "
        "a RuntimeClass (notebook 09) lets each workload keep its own kind (both)?",
    )


@exercise("10 · exercise 2 (your export)")
def check_export(path: object) -> CheckResult:
    """Notebook 10: the path of the JSON export; it must read back with the results in it."""
    from ..report.exports import EXPORT_SCHEMA

    file = Path(str(path))
    if not file.is_file():
        return wrong(f"there is no file at {file}.", "Use export.json_path from the export cell.")
    data = json.loads(file.read_text())
    if data.get("schema") != EXPORT_SCHEMA:
        return wrong(
            "that file is not a course export.", "Give the *-results.json file, not the PNG."
        )
    topics = sorted(data.get("results") or {})
    return right(f"ready to hand in: {file.name} carries {', '.join(topics) or 'no'} results.")


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
    answer = export.json_path
    kh.check_export(answer)
    """,
        "The export cell returns both paths; the JSON is the one the aggregator reads.",
        IN_NOTEBOOK,
    ),
)
