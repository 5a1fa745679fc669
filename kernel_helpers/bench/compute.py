"""Steady-state compute: the same program natively and as wasm, once start-up is paid.

:func:`run_compute` times each case of :data:`COMPUTE_CASES` (``fib`` at N=30 and 35,
``sha256`` over 1 and 8 MiB of stdin): the native binary as a whole process, the module
pre-instantiated in process, so both pay almost nothing but the work. Notebook 08.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import KitError
from ..toolchains.pairs import example_builds
from .harness import OnSample, machine_metadata, measure_callable, measure_command
from .results import BenchResult

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
