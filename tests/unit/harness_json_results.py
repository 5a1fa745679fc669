"""Synthetic results in the harness's JSON schema, for the unit tests of notebooks 06-10."""

from __future__ import annotations

import random
from typing import Any

FAST_CONTAINERS = {
    "native": 0.0008,
    "wasm-instantiate": 0.00004,
    "wasm-cached": 0.0009,
    "wasm-compile": 0.03,
    "wasmtime-cli": 0.012,
    "docker-scratch": 0.35,
    "docker-debian": 0.42,
    "docker-pull-run": 0.6,
    "oci-wasm-pull-run": 0.05,
}
SLOW_CONTAINERS = {
    **FAST_CONTAINERS,
    "docker-scratch": 3.2,
    "docker-debian": 4.1,
    "docker-pull-run": 9.0,
}


def stats(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    last = len(ordered) - 1

    def at(p: float) -> float:
        return ordered[round(p * last)]

    return {
        "median_s": at(0.5),
        "q1_s": at(0.25),
        "q3_s": at(0.75),
        "min_s": ordered[0],
        "max_s": ordered[-1],
        "n": len(ordered),
        "outliers": 0,
    }


def startup_result(
    medians: dict[str, float],
    *,
    recorded: tuple[str, ...] = (),
    cpu: str = "Test CPU",
    seed: int = 1,
) -> dict[str, Any]:
    rnd = random.Random(seed)
    variants = {}
    for name, median in medians.items():
        # symmetric spread around the exact median, in a shuffled (arrival) order
        samples = [median * (1 + d) for d in (-0.1, -0.06, -0.03, 0.0, 0.03, 0.06, 0.1)]
        rnd.shuffle(samples)
        entry = stats(samples)
        entry.update(
            samples_s=samples,
            source="recorded" if name in recorded else "measured",
            kind="process",
            command=None,
        )
        variants[name] = entry
    return {
        "machine": {"cpu": cpu, "hostname": "box", "date": "2026-11-24T04:00:00+00:00"},
        "example": "hello",
        "variants": variants,
        "sizes": {},
        "skipped": {},
        "recorded": {"machine": {"hostname": "ci-box"}, "date": "2026-11-20T10:00:00Z"}
        if recorded
        else None,
    }


def compute_result(ratio: float) -> dict[str, Any]:
    rows = []
    for example in ("fib", "sha256"):
        for n in (1, 2, 4):
            native = 0.01 * n
            rows.append(
                {
                    "example": example,
                    "n": n,
                    "native": {"median_s": native, "q1_s": native * 0.95, "q3_s": native * 1.05},
                    "wasm": {
                        "median_s": native * ratio,
                        "q1_s": native * ratio * 0.95,
                        "q3_s": native * ratio * 1.05,
                    },
                }
            )
    return {"machine": {"cpu": "Test CPU"}, "rows": rows}


SIZES_CLAIM_HOLDS = {
    "hello.c.wasm": 2_500_000,
    "hello.go.wasm": 3_000_000,
    "image docker-scratch": 40_000_000,
    "image docker-debian": 120_000_000,
}
SIZES_SCRATCH = {
    "hello.c.wasm": 38_000,
    "hello.go.wasm": 2_300_000,
    "native hello.c": 780_000,
    "image docker-scratch": 790_000,
    "image docker-debian": 78_000_000,
    "oci-wasm hello": 38_900,
}
