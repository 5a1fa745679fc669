"""Notebook 10 · conclusions: decide module or container, and hand in the export."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._display import format_seconds
from .checks import IN_NOTEBOOK, CheckResult, Solution, exercise, not_yet, right, wrong

if TYPE_CHECKING:  # only named in annotations: the check imports the model when it runs
    from ..bench.results import Stats

# The guide's answers stay here, out of kh's public names (walk 19, S1): a learner who
# printed the scenarios saw every answer, and passing them back passed the check.
_GUIDE_ANSWERS = {
    "thumbnail images per request at the edge": "module",
    "run PostgreSQL with its extensions": "container",
    "let customers upload plugins into a SaaS app": "module",
    "lift an existing Java service with native libraries": "container",
    "add short-lived functions beside existing services on Kubernetes": "both",
}
#: The scenarios of exercise 1, without their answers.
DECISION_SCENARIOS = tuple(_GUIDE_ANSWERS)
CHOICES = ("module", "container", "both")


@exercise("10 · exercise 1 (decide)")
def check_decisions(answer: object) -> CheckResult:
    """Notebook 10: a dict mapping each scenario of ``DECISION_SCENARIOS`` to module, container or both."""
    if not isinstance(answer, Mapping):
        return wrong("answer with a dict: {scenario: 'module' | 'container' | 'both'}.")
    missing = [s for s in DECISION_SCENARIOS if s not in answer]
    if missing:
        return wrong(f"{len(missing)} scenario(s) have no answer yet, e.g. {missing[0]!r}.")
    if any(v is Ellipsis for v in answer.values()):  # the starter's placeholders, still in place
        return not_yet(
            "Replace each ... with 'module', 'container' or 'both', then run this cell again."
        )
    bad = [v for v in answer.values() if v not in CHOICES]
    if bad:
        return wrong(f"{bad[0]!r} is not one of {', '.join(CHOICES)}.")
    differing = [s for s, truth in _GUIDE_ANSWERS.items() if answer[s] != truth]
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


#: How exercise 2 measures a variant's spread: its middle half, relative to its median.
SPREAD_HINT = (
    "For every variant in data['results']['startup']['variants'] whose 'source' is "
    "'measured', compute (q3_s - q1_s) / median_s, and take the largest."
)


@exercise("10 · exercise 2 (what your export says)")
def check_export(answer: object, export: object) -> CheckResult:
    """Notebook 10: the start-up variant measured on this machine whose samples spread
    widest relative to its median, read from the learner's JSON export: the bar on the
    instructor's plot to compare with most care. Walk 8, S14: "how many were measured here"
    was simply "all" on a machine where everything ran; the widest spread differs per run."""
    from ..bench.results import as_result

    file = Path(str(getattr(export, "json_path", export)))
    if export is None or not file.is_file():
        return wrong("there is no export yet.", "Run the export cell above first, then this one.")
    data = json.loads(file.read_text())
    if not isinstance(data, dict) or "startup" not in (data.get("results") or {}):
        return wrong("that export holds no start-up result.", "Give the export cell's export.")
    variants = as_result(data["results"]["startup"]).variants
    spreads = {name: _spread(m.stats) for name, m in variants.items() if not m.recorded}
    if not isinstance(answer, str):
        return wrong(
            f"answer with a variant's name, such as 'native', not {type(answer).__name__}."
        )
    if answer not in variants:
        return wrong(
            f"your export has no start-up variant named {answer!r}.",
            "The names are the keys of data['results']['startup']['variants'].",
        )
    if answer not in spreads:
        return wrong(
            f"{answer} was recorded on the reference machine, not measured here: its spread "
            "says nothing about this machine.",
            SPREAD_HINT,
        )
    widest = max(spreads.values())
    if spreads[answer] == widest:
        return right(_widest_said(file, data, answer, spreads, variants[answer].stats))
    in_seconds = max(spreads, key=lambda name: _iqr(variants[name].stats))
    if answer == in_seconds:
        return wrong(
            f"{answer} spreads widest in seconds, but its median is long too: relative to "
            "its median, another measured variant spreads wider.",
            SPREAD_HINT,
        )
    return wrong(
        f"{answer}'s middle half spans {spreads[answer]:.0%} of its median; another "
        "measured variant spreads wider.",
        SPREAD_HINT,
    )


def _iqr(stats: Stats) -> float:
    return float(stats.q3_s - stats.q1_s)


def _spread(stats: Stats) -> float:
    """The middle half of the samples, relative to their median."""
    return _iqr(stats) / stats.median_s if stats.median_s > 0 else 0.0


def _widest_said(
    file: Path, data: Mapping[str, Any], name: str, spreads: Mapping[str, float], stats: Stats
) -> str:
    others = sorted((s for n, s in spreads.items() if n != name), reverse=True)
    runner_up = f"; the next spans {others[0]:.0%}" if others else ""
    topics = ", ".join(sorted(data.get("results") or {}))
    return (
        f"{name}: its middle half ({format_seconds(stats.q1_s)}-{format_seconds(stats.q3_s)}) "
        f"spans {spreads[name]:.0%} of its median {format_seconds(stats.median_s)}, the widest "
        f"of your {len(spreads)} measured variants{runner_up}. On your instructor's plot its "
        "median is the one to compare with most care: another machine's bar within that "
        "spread is no faster or slower for sure. Recorded variants were left out, as the "
        f"plot draws them pale and hatched. Ready to hand in: {file.name} carries {topics}."
    )


SOLUTIONS = (
    Solution(
        "10",
        1,
        """
    answer = {
        "thumbnail images per request at the edge": "module",
        "run PostgreSQL with its extensions": "container",
        "let customers upload plugins into a SaaS app": "module",
        "lift an existing Java service with native libraries": "container",
        "add short-lived functions beside existing services on Kubernetes": "both",
    }
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
    spreads = {
        name: (v["q3_s"] - v["q1_s"]) / v["median_s"]
        for name, v in variants.items()
        if v["source"] == "measured"
    }
    answer = max(spreads, key=spreads.get)
    kh.check_export(answer, export)
    """,
        "The JSON is what the aggregator reads: each variant carries its source, so a "
        "recorded one is never passed off as yours, and its quartiles, so the median's "
        "reliability travels with it.",
        IN_NOTEBOOK,
    ),
)
