"""Steady-state compute and sizes: the two other questions beside start-up.

:func:`run_compute` times the same program natively and as wasm at a few input sizes
(``fib`` at N=30 and 35, ``sha256`` over 1 and 8 MiB of stdin): the native binary as a whole
process, the module pre-instantiated in process, so both pay almost nothing but the work.
:func:`run_sizes` weighs each ``.wasm``, the native binary, the container images
(uncompressed and as a registry stores them) and the OCI artifact. Notebooks 07 and 08.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import DockerUnavailable, KitError
from ..toolchains.builds import example_builds
from .harness import BenchResult, OnSample, machine_metadata, measure_callable, measure_command
from .results import OCI_PACKS_NOTE

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

    result = BenchResult(machine=machine_metadata(docker=False), example="fib+sha256", benchmark="compute")
    options: dict[str, Any] = {"warmup": warmup, "repeat": repeat, "on_sample": on_sample, "stop": stop}
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
        "native: the static binary as a whole process (includes its ~0.5 ms start); "
        "wasm: pre-instantiated module in process (wasmtime-py), same args and stdin"
    )
    return result


def _wasm_call(prepared: Any, args: list[str], stdin: bytes | None) -> Callable[[], object]:
    return lambda: prepared.run(args, stdin=stdin).check()


def run_sizes(examples: tuple[str, ...] = ("hello",), langs: tuple[str, ...] = ("c", "cpp", "rust", "go")) -> BenchResult:
    """Bytes of every ``.wasm`` and native build, each image (uncompressed and
    compressed as pushed to a loopback registry) and the OCI artifact. Notebook 07."""
    result = BenchResult(machine=machine_metadata(), example="+".join(examples), benchmark="sizes")
    for example in examples:
        for lang in langs:
            try:
                builds = example_builds(example, lang)
            except KitError as err:
                result.skipped[f"{example}.{lang}"] = err.message
                continue
            result.sizes[f"{example}.wasm ({lang})"] = builds.wasm.stat().st_size
            result.sizes[f"{example}.wasm ({lang}, smallest)"] = _smallest_wasm(example, lang)
            native_name = f"{example} native ({lang}, static)"
            if builds.native is not None:
                result.sizes[native_name] = builds.native.stat().st_size
            else:  # no compiler here: say so rather than drop the row silently
                result.skipped[native_name] = builds.native_missing or "no native build"
    _image_sizes(result, examples[0])
    return result


def _smallest_wasm(example: str, lang: str) -> int:
    """Bytes after stripping custom sections (and wasm-opt -Oz where installed): what
    would ship, since a debug build's names and DWARF dwarf the code."""
    from ..toolchains.build import smallest, wasm_module

    return smallest(wasm_module(example, lang)).bytes


def _image_sizes(result: BenchResult, example: str) -> None:
    from ..containers.docker import connect
    from ..containers.images import distro_image, image_sizes, scratch_image
    from ..containers.oci import push_wasm
    from ..containers.registry import LocalRegistry

    builds = example_builds(example, "c")
    with contextlib.ExitStack() as stack:
        try:
            registry: LocalRegistry | None = stack.enter_context(LocalRegistry())
        except KitError as err:
            registry = None
            result.skipped["oci-wasm artifact"] = err.message
        if registry is not None:
            for style in ("artifact", "image"):
                pushed = push_wasm(builds.wasm, registry, repository=f"kit/{example}-wasm", style=style)
                result.sizes[f"oci-wasm {style}"] = pushed.size_bytes
            result.notes[OCI_PACKS_NOTE] = f"{example}.wasm (c)"  # so the verdict compares like with like
        try:
            client = connect()
        except DockerUnavailable as err:
            _recorded_image_sizes(result, err.message)
            return
        stack.callback(client.close)
        for name, build in (("docker-scratch", scratch_image), ("docker-debian", None)):
            tag = f"kit-{example}-{name.split('-')[1]}:sizes"
            if build is not None:
                build(builds.require_native(), tag, client=client)
            else:
                _, base = distro_image(builds.require_native(), tag, client=client)
                result.notes["docker-debian"] = f"base image {base.tag}: {base.description}"
            sizes = image_sizes(tag, registry=registry, client=client)
            result.sizes[f"{name} image"] = sizes["uncompressed"]
            result.sizes[f"{name} image (compressed)"] = sizes["compressed"]


def _recorded_image_sizes(result: BenchResult, reason: str) -> None:
    from .reference import recorded_result

    try:
        recorded = recorded_result("startup", "hello")
    except KitError as err:
        result.skipped["docker images"] = f"{reason}; {err.message}"
        return
    for key, value in recorded.sizes.items():
        if key.startswith("docker-"):
            result.sizes[key] = value
    result.recorded = {"machine": recorded.machine, "date": recorded.machine.get("date_utc"), "sizes": True}
    result.notes["docker images"] = f"recorded, not measured here: {reason}"
