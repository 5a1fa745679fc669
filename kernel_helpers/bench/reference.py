"""Recorded reference results for machines with no Docker (Binder, laptops, ``KIT_DOCKER=off``).

The files in ``kernel_helpers/data/reference/`` were produced by this same harness
(``python -m kernel_helpers bench startup --json ...``) on a machine with Docker; each
keeps that machine's metadata and date. Whatever comes from them is marked
``source: "recorded"``. Introduced in notebook 06.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .._errors import BenchmarkError
from .._system import DATA_DIR
from .results import RECORDED, BenchResult, Sizes

REFERENCE_DIR = DATA_DIR / "reference"


def reference_path(kind: str = "startup", example: str = "hello") -> Path:
    return REFERENCE_DIR / f"{kind}-{example}.json"


def recorded_result(kind: str = "startup", example: str = "hello") -> BenchResult:
    """The recorded result of benchmark ``kind`` on ``example``, every variant and size
    marked ``recorded`` and ``result.recorded`` naming the machine and date it came from."""
    path = reference_path(kind, example)
    if not path.is_file():
        available = sorted(p.stem for p in REFERENCE_DIR.glob("*.json"))
        raise BenchmarkError(
            f"no recorded {kind} data for {example!r}",
            fix=f"recorded datasets: {', '.join(available) or 'none'}",
        )
    result = BenchResult.load(path)
    for measurement in result.variants.values():
        measurement.source = RECORDED
    result.sizes = Sizes(replace(row, recorded=True) for row in result.sizes.rows())
    result.recorded = {"machine": result.machine, "date": result.machine.get("date_utc")}
    return result
