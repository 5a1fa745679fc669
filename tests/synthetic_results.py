"""Synthetic result sets in the kit's own formats (``BenchResult`` objects), for running
notebooks 06-10 and the solutions against numbers nobody measured.

Three sets, each chosen to flip a verdict: containers that start in a fraction of a second,
containers that take several seconds, and wasm that runs slower than native. Under
containerd, the wasm shim starts a little slower than runc, twice as fast, and no
measurably different, in that order. Every
number is deterministic, so a test can look for it on the page.
"""

from __future__ import annotations

from typing import Any

from kernel_helpers.bench.compute import COMPUTE_CASES
from kernel_helpers.bench.results import BenchResult, Measurement

MACHINE = {
    "cpu": "Synthetic CPU",
    "cores": 2,
    "hostname": "synthetic",
    "os": "Linux",
    "python": "3.11",
}

STARTUP = {
    "fast-containers": {
        "native": 0.0011,
        "wasm-instantiate": 0.00062,
        "wasm-cached": 0.0019,
        "wasm-compile": 0.031,
        "wasmtime-cli": 0.0129,
        "wasmtime-cli-aot": 0.0103,
        "containerd-wasmtime": 0.128,
        "containerd-runc": 0.105,
        "docker-scratch": 0.37,
        "docker-debian": 0.42,
        "docker-pull-run": 0.61,
        "oci-wasm-pull-run": 0.052,
    },
    "slow-containers": {
        "native": 0.0009,
        "wasm-instantiate": 0.00041,
        "wasm-cached": 0.0016,
        "wasm-compile": 0.027,
        "wasmtime-cli": 0.0112,
        "wasmtime-cli-aot": 0.0094,
        "containerd-wasmtime": 0.95,
        "containerd-runc": 1.9,
        "docker-scratch": 3.4,
        "docker-debian": 4.6,
        "docker-pull-run": 11.2,
        "oci-wasm-pull-run": 0.061,
    },
    "wasm-slower": {
        "native": 0.0012,
        "wasm-instantiate": 0.0021,
        "wasm-cached": 0.0052,
        "wasm-compile": 0.048,
        "wasmtime-cli": 0.0231,
        "wasmtime-cli-aot": 0.0188,
        "containerd-wasmtime": 0.31,
        "containerd-runc": 0.30,
        "docker-scratch": 0.91,
        "docker-debian": 1.05,
        "docker-pull-run": 1.9,
        "oci-wasm-pull-run": 0.083,
    },
}

#: wasm time / native time per compute case, in COMPUTE_CASES order.
SLOWDOWN = {
    "fast-containers": (0.93, 1.27, 1.31, 1.08),
    "slow-containers": (1.35, 1.49, 1.52, 1.61),
    "wasm-slower": (2.10, 2.60, 3.05, 3.40),
}

#: A few bytes differ per set so the size verdict's numbers change with the data.
IMAGE_DEBIAN = {
    "fast-containers": 117_000_000,
    "slow-containers": 244_000_000,
    "wasm-slower": 8_400_000,
}

SETS = tuple(STARTUP)


def _measurement(name: str, median: float, kind: str = "process") -> Measurement:
    samples = [median * (1 + d) for d in (-0.08, -0.05, -0.02, 0.0, 0.02, 0.05, 0.08)]
    return Measurement.from_samples(name, kind, samples)


def startup(which: str) -> BenchResult:
    result = BenchResult(machine=dict(MACHINE), example="hello", benchmark="startup")
    for name, median in STARTUP[which].items():
        result.variants[name] = _measurement(name, median)
    return result


def compute(which: str) -> BenchResult:
    result = BenchResult(machine=dict(MACHINE), example="fib+sha256", benchmark="compute")
    for (_, label, _, _), ratio in zip(COMPUTE_CASES, SLOWDOWN[which], strict=True):
        native = 0.05 if "30" in label or "1 MiB" in label else 0.4
        result.variants[f"native {label}"] = _measurement(f"native {label}", native)
        result.variants[f"wasm {label}"] = _measurement(
            f"wasm {label}", native * ratio, "in-process"
        )
    result.notes["method"] = "synthetic: no program was run"
    return result


def sizes(which: str) -> BenchResult:
    result = BenchResult(machine=dict(MACHINE), example="hello", benchmark="sizes")
    modules = {"c": 36_100, "cpp": 612_000, "rust": 5_830_000, "go": 2_550_000}
    stripped = {"c": 3_254, "cpp": 186_000, "rust": 75_400, "go": 2_430_000}
    for lang, size in modules.items():
        result.sizes[f"hello.wasm ({lang})"] = size
        result.sizes[f"hello.wasm ({lang}, stripped)"] = stripped[lang]
        result.sizes[f"hello.wasm ({lang}, wasm-opt-Oz)"] = (
            stripped[lang] if lang == "c" else stripped[lang] - 900
        )
        result.sizes[f"hello.wasm ({lang}, smallest)"] = min(
            result.sizes[f"hello.wasm ({lang}, stripped)"],
            result.sizes[f"hello.wasm ({lang}, wasm-opt-Oz)"],
        )
        result.sizes[f"hello native ({lang}, static)"] = 780_000 + 1000 * len(lang)
    result.sizes["oci-wasm artifact"] = 36_777
    result.sizes["oci-wasm image"] = 12_400
    result.sizes["docker-scratch image"] = 791_000
    result.sizes["docker-scratch image (compressed)"] = 402_000
    result.sizes["docker-debian image"] = IMAGE_DEBIAN[which]
    result.sizes["docker-debian image (compressed)"] = IMAGE_DEBIAN[which] // 3
    result.notes["oci_packs"] = "hello.wasm (c)"
    return result


def all_results(which: str) -> dict[str, Any]:
    """The three measured topics of one set, as notebooks 06-08 would have saved them."""
    return {"startup": startup(which), "sizes": sizes(which), "compute": compute(which)}
