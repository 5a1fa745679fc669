"""The prebuilt fallback: modules shipped with the kit for machines without a compiler.

``wasm_module`` (notebook 04 on) builds an example here when a compiler exists and
otherwise hands out the shipped module of ``data/prebuilt/`` (``prebuilt=True``);
``refresh_prebuilt`` (``python -m kernel_helpers build --refresh-prebuilt``) rebuilds
those modules, each the smallest of its size steps, and their manifest.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._errors import BuildInProgress, KitError, ToolchainMissing, ToolchainSlow
from .._system import DATA_DIR
from .build import WASM, Artifact, _sha256, build_all, examples_dir, patient_build, source_path
from .detect import toolchain_fix
from .shrink import smallest

PREBUILT_DIR = DATA_DIR / "prebuilt"
MANIFEST = PREBUILT_DIR / "manifest.json"


def read_manifest(path: Path, key: str) -> dict[str, Any]:
    """A shipped manifest (``{key: {name: record}}``); an empty one when it is missing or
    unreadable, so a damaged install falls back to "nothing shipped", never a traceback."""
    try:
        loaded: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {key: {}}
    return loaded


def prebuilt_manifest() -> dict[str, Any]:
    """The shipped modules: ``{"modules": {"fib/fib-c.wasm": {...}}}``."""
    return read_manifest(MANIFEST, "modules")


def prebuilt_module(example: str, lang: str = "c") -> Artifact:
    """The shipped module of ``example`` in ``lang``, checked against its manifest."""
    relative = f"{example}/{example}-{lang}.wasm"
    record = prebuilt_manifest()["modules"].get(relative)
    path = PREBUILT_DIR / relative
    if record is None or not path.is_file():
        raise ToolchainMissing(
            lang,
            WASM,
            f"no {lang} compiler for wasm32-wasi and no prebuilt {relative}",
            fix=toolchain_fix(lang),
        )
    if _sha256(path.read_bytes()) != record["module_sha256"]:
        raise KitError(
            f"prebuilt {relative} does not match its manifest",
            fix="python -m kernel_helpers build --refresh-prebuilt",
        )
    return Artifact(
        example,
        lang,
        WASM,
        path,
        record["bytes"],
        record["command"],
        record["toolchain"],
        record["version"],
        0.0,
        cached=True,
        prebuilt=True,
        variant=record["variant"],
    )


def wasm_module(example: str, lang: str = "c") -> Artifact:
    """A runnable module of ``example``: built here if a compiler exists, else the shipped
    prebuilt one (``prebuilt=True``, say so in the notebook with ``fallback_note()``).
    Introduced in notebook 04."""
    try:
        return patient_build(example, lang, WASM)
    except (BuildInProgress, ToolchainSlow) as err:  # a compiler may be here: say why not now
        return replace(prebuilt_module(example, lang), fallback_reason=err.message)
    except ToolchainMissing:
        return prebuilt_module(example, lang)


def refresh_prebuilt(progress: bool = True) -> list[Artifact]:
    """Rebuild the shipped modules from source (smallest variant) and their manifest.

    A language with no compiler here keeps its shipped modules and manifest entries:
    a refresh on a machine missing Rust must not delete the Rust modules."""
    modules: dict[str, Any] = dict(prebuilt_manifest()["modules"])
    shipped: list[Artifact] = []
    for artifact in build_all(targets=(WASM,), progress=progress):
        best = smallest(artifact)
        relative = f"{artifact.example}/{artifact.example}-{artifact.lang}.wasm"
        destination = PREBUILT_DIR / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(best.path, destination)
        data = destination.read_bytes()
        source = source_path(artifact.example, artifact.lang)
        modules[relative] = {
            "example": artifact.example,
            "lang": artifact.lang,
            "source": f"wasm_examples/{source.relative_to(examples_dir()).as_posix()}",
            "source_sha256": _sha256(source.read_bytes()),
            "toolchain": artifact.toolchain,
            "version": artifact.version,
            "command": artifact.command,
            "variant": best.variant,
            "module_sha256": _sha256(data),
            "bytes": len(data),
        }
        shipped.append(replace(best, path=destination, prebuilt=True))
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps({"format": 1, "modules": modules}, indent=2) + "\n")
    return shipped
