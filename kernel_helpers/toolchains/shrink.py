"""Making modules smaller: notebook 02's size ladder (introduced there, used by 03 and 07).

A wasm build gets two steps, each its own artifact remembered beside the build, so the
ladder shows what each one saves: ``stripped`` (custom sections removed by the course's
own section reader) and, where binaryen is installed, ``wasm-opt-Oz``. ``smallest`` picks
the smallest of a build and its steps (the prebuilt modules are made from it).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import replace
from pathlib import Path

from .._errors import InvalidModule, KitError
from .._system import cache_dir, find_program, write_atomically
from ..wasm.reader import read_module  # the course's own section reader (notebook 01)
from .build import WASM, Artifact, _run_compiler
from .detect import _version_line


def strip_custom_sections(module: bytes) -> bytes:
    """The module without its custom sections (names, debug info, producers)."""
    try:
        sections = read_module(module).sections
    except InvalidModule as err:
        raise KitError(f"not a WebAssembly module: {err.reason}", fix=err.fix) from err
    kept = [module[s.offset : s.offset + s.header_size + s.size] for s in sections if s.id != 0]
    return module[:8] + b"".join(kept)


#: wasm-opt must be told which features the compilers used (stripping drops the
#: target_features section it would otherwise read).
WASM_OPT_FEATURES = [
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
]


def _derived(
    artifact: Artifact,
    variant: str,
    data: bytes,
    command: list[str],
    tool: str,
    version: str,
    seconds: float,
) -> Artifact:
    path = _derived_path(artifact, variant)
    write_atomically(path, data, mode=0o755)
    return replace(
        artifact,
        path=path,
        bytes=len(data),
        command=command,
        toolchain=tool,
        version=version,
        compile_s=seconds,
        cached=False,
        variant=variant,
    )


def _stripped(artifact: Artifact) -> Artifact:
    started = time.perf_counter()
    data = strip_custom_sections(artifact.path.read_bytes())
    seconds = time.perf_counter() - started
    command = ["strip_custom_sections", str(artifact.path)]
    return _derived(artifact, "stripped", data, command, "kernel_helpers", "1", seconds)


def _wasm_opt(artifact: Artifact, wasm_opt: str) -> Artifact | None:
    # A name of its own: another kernel may be shrinking the same module right now.
    out = _derived_path(artifact, "wasm-opt-Oz").with_suffix(
        f".{os.getpid()}-{secrets.token_hex(4)}.tmp"
    )
    command = [
        wasm_opt,
        "-Oz",
        "--strip-debug",
        "--strip-producers",
        *WASM_OPT_FEATURES,
        str(artifact.path),
        "-o",
        str(out),
    ]
    started = time.perf_counter()
    ok, _output = _run_compiler(command, artifact.path.parent, dict(os.environ))
    seconds = time.perf_counter() - started
    if not ok or not out.is_file():
        return None  # binaryen too old for this module's features: leave the step out
    data = out.read_bytes()
    out.unlink()
    version = _version_line([wasm_opt]) or "unknown"
    return _derived(artifact, "wasm-opt-Oz", data, command, "binaryen", version, seconds)


def _derived_path(artifact: Artifact, variant: str) -> Path:
    name = f"{artifact.path.stem}.{variant}{artifact.path.suffix}"
    if artifact.prebuilt:
        # Never write beside a shipped module: the package folder may be read-only
        # (site-packages) and a checkout must stay clean.
        folder = cache_dir() / "prebuilt-steps" / artifact.example
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name
    return artifact.path.with_name(name)


def _earlier_step(artifact: Artifact, variant: str) -> Artifact | None:
    """A size step made before from the same bytes (its record sits beside it)."""
    record_file = _derived_path(artifact, variant).with_suffix(".json")
    try:
        step = Artifact.from_json(json.loads(record_file.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    fresh = step.path.is_file() and step.path.stat().st_mtime >= artifact.path.stat().st_mtime
    return replace(step, cached=True) if fresh else None


def _remember_step(step: Artifact) -> Artifact:
    write_atomically(step.path.with_suffix(".json"), json.dumps(step.to_json(), indent=2))
    return step


def shrink(artifact: Artifact) -> list[Artifact]:
    """The size ladder for a wasm build: ``stripped`` (custom sections removed) and,
    where binaryen is installed, ``wasm-opt-Oz``. Each step is its own artifact, so
    notebook 02's size ladder can show what each one saves. Steps are remembered like builds."""
    if artifact.target != WASM:
        raise KitError("shrink() works on wasm builds", fix="pass a wasm32-wasi artifact")
    ladder = [_earlier_step(artifact, "stripped") or _remember_step(_stripped(artifact))]
    wasm_opt = find_program("wasm-opt")
    if wasm_opt:
        optimized = _earlier_step(artifact, "wasm-opt-Oz") or _wasm_opt(artifact, wasm_opt)
        if optimized is not None:
            ladder.append(_remember_step(optimized))
    return ladder


def smallest(artifact: Artifact) -> Artifact:
    """The smallest of the artifact and its shrunk variants."""
    return min([artifact, *shrink(artifact)], key=lambda a: a.bytes)
