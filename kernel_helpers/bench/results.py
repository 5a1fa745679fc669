"""Reading benchmark results the way notebooks 06-10 need them.

The harness (``_bench``) writes results in one JSON schema; this module reads that
schema (or any object with ``to_json()``) without importing the harness, so the plots,
verdicts and exports work on a learner's saved results, on recorded reference data and
on a classmate's export alike. Introduced in notebook 06 (start-up vs containers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._display import describe_machine
from .variants import in_order, label_of

#: The note a sizes run (``run_sizes``) leaves to say which module its OCI packagings hold.
OCI_PACKS_NOTE = "oci_packs"

def as_dict(result: Any) -> dict[str, Any]:
    """The JSON form of a result: a dict, a JSON string, or anything with ``to_json()``."""
    if hasattr(result, "to_json"):
        result = result.to_json()
    if isinstance(result, (str, bytes)):
        result = json.loads(result)
    if not isinstance(result, Mapping):
        raise TypeError(f"expected a benchmark result, got {type(result).__name__}")
    return dict(result)


@dataclass(frozen=True)
class VariantSummary:
    """One variant's figures as the plots and verdicts use them (seconds)."""

    name: str
    median_s: float
    q1_s: float
    q3_s: float
    min_s: float
    max_s: float
    n: int
    samples_s: tuple[float, ...]
    recorded: bool

    @property
    def label(self) -> str:
        return label_of(self.name)


def variant_summaries(result: Any) -> dict[str, VariantSummary]:
    """Every variant of a start-up result, in reading order (unknown ones last)."""
    data = as_dict(result)
    variants: Mapping[str, Any] = data.get("variants") or {}
    summaries = {}
    for name in in_order(variants):
        entry = variants[name]
        median = float(entry["median_s"])
        summaries[name] = VariantSummary(
            name=name,
            median_s=median,
            q1_s=float(entry.get("q1_s", median)),
            q3_s=float(entry.get("q3_s", median)),
            min_s=float(entry.get("min_s", median)),
            max_s=float(entry.get("max_s", median)),
            n=int(entry.get("n", 0)),
            samples_s=tuple(float(s) for s in entry.get("samples_s") or ()),
            recorded=entry.get("source") == "recorded",
        )
    return summaries


def recorded_label(result: Any) -> str | None:
    """"recorded on <machine>, <date>" when any part of ``result`` was not measured here."""
    data = as_dict(result)
    recorded = data.get("recorded")
    if not recorded:
        return None
    machine = recorded.get("machine") or {}
    return f"recorded on {describe_machine(machine)}, {str(recorded.get('date') or machine.get('date_utc') or 'an earlier date')[:10]}"


def recorded_sizes(result: Any) -> list[str]:
    """The artifact sizes in ``result`` that were recorded elsewhere (images, without Docker)."""
    data = as_dict(result)
    if not data.get("recorded"):
        return []
    return [name for name in data.get("sizes") or {} if artifact_kind(name) == "image"]


def artifact_kind(name: str) -> str:
    """Sort an artifact name from ``result["sizes"]`` into wasm, native, image or oci-wasm."""
    lowered = name.lower()
    if "oci" in lowered:
        return "oci-wasm"
    if any(word in lowered for word in ("image", "docker", "scratch", "debian", "busybox")):
        return "image"
    if "wasm" in lowered:
        return "wasm"
    if "native" in lowered:
        return "native"
    return "other"


@dataclass(frozen=True)
class Slowdown:
    """How many times longer wasm took than native for one workload, with its spread.

    The spread is the conservative band from the quartiles: ``low`` pairs wasm's first
    quartile with native's third, ``high`` wasm's third with native's first.
    """

    example: str
    n: int
    label: str
    ratio: float
    low: float
    high: float
    native_s: float
    wasm_s: float
    recorded: bool = False


def _compute_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The harness's compute result pairs ``wasm <case>`` with ``native <case>`` (a case is
    like ``fib(35)`` or ``sha256 8 MiB``); turn each pair into one row."""
    if "rows" in data:
        return list(data["rows"])
    variants: Mapping[str, Any] = data.get("variants") or {}
    rows = []
    for name, wasm in variants.items():
        if not name.startswith("wasm ") or "native " + name[5:] not in variants:
            continue
        case = name[5:]
        example = re.split(r"[\s(]", case, maxsplit=1)[0]
        size = re.search(r"\d+", case[len(example):])  # "sha256 8 MiB" -> 8, not 256
        rows.append({
            "example": example,
            "n": int(size.group()) if size else 0,
            "label": case,
            "native": variants["native " + case],
            "wasm": wasm,
            "source": wasm.get("source"),
        })
    return rows


def slowdowns(compute: Any) -> list[Slowdown]:
    """Slowdown ratios from a compute result: the harness's (``run_compute``), or
    ``{"rows": [{"example", "n", "native", "wasm"}]}`` where ``native`` and ``wasm`` hold
    ``median_s``/``q1_s``/``q3_s``."""
    data = as_dict(compute)
    rows = []
    for row in _compute_rows(data):
        native, wasm = row["native"], row["wasm"]
        median_n, median_w = float(native["median_s"]), float(wasm["median_s"])
        q1_n, q3_n = float(native.get("q1_s", median_n)), float(native.get("q3_s", median_n))
        q1_w, q3_w = float(wasm.get("q1_s", median_w)), float(wasm.get("q3_s", median_w))
        rows.append(
            Slowdown(
                example=str(row["example"]),
                n=int(row["n"]),
                label=str(row.get("label") or f"{row['example']}, N={row['n']}"),
                ratio=median_w / median_n,
                low=q1_w / q3_n,
                high=q3_w / q1_n,
                native_s=median_n,
                wasm_s=median_w,
                recorded=row.get("source") == "recorded" or bool(data.get("recorded")),
            )
        )
    return rows


def native_missing(compute: Any, example: str = "") -> str | None:
    """Why a compute result has wasm timings but no native ones (a machine with no
    compiler, notebook 08), or None. ``example`` narrows it to ``fib`` or ``sha256``."""
    data = as_dict(compute)
    reasons = [
        str(why)
        for name, why in (data.get("skipped") or {}).items()
        if name.startswith(f"native {example}")
    ]
    timed_wasm = any(name.startswith(f"wasm {example}") for name in data.get("variants") or {})
    return reasons[0] if reasons and timed_wasm else None


def sizes_of(result: Any) -> tuple[dict[str, int], list[str], str | None]:
    """``(sizes, recorded names, recorded label)`` from a sizes result or a plain mapping."""
    if isinstance(result, Mapping) and "sizes" not in result and all(
        isinstance(v, int) for v in result.values()
    ):
        return {k: int(v) for k, v in result.items()}, [], None
    data = as_dict(result)
    sizes = {k: int(v) for k, v in (data.get("sizes") or {}).items()}
    return sizes, recorded_sizes(data), recorded_label(data)
