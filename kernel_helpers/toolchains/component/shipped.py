"""The components shipped with the kit (``data/prebuilt/components/``), which stand in
where wasm-tools, jco or componentize-py are missing or hidden: their manifest, and each
one checked against it (``prebuilt`` refreshes them).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from ..._errors import KitError
from ..._system import DATA_DIR, write_atomically
from ...wasm.node import COMPONENT
from ..build import _sha256
from ..prebuilt import read_manifest
from .artifact import ComponentArtifact, _components_dir

PREBUILT_COMPONENTS = DATA_DIR / "prebuilt" / "components"
COMPONENT_MANIFEST = PREBUILT_COMPONENTS / "manifest.json"


def component_manifest() -> dict[str, Any]:
    """The shipped components: ``{"components": {"hello-c.component.wasm": {...}}}``.

    A record's ``kind`` is ``command`` (a course module made into a component with the
    adapter; the default), ``typed`` (built from a WIT world, see ``typed``) or
    ``http`` (the wasi:http guest, see ``http``)."""
    return read_manifest(COMPONENT_MANIFEST, "components")


def prebuilt_component(
    module_sha256: str, reason: str, *, example: str | None = None, lang: str | None = None
) -> ComponentArtifact | None:
    """The shipped component made from the module with this sha256; failing that, the one
    shipped for the same ``example`` and ``lang`` (made from the prebuilt module, not this
    machine's build, and ``reason`` says so); None when neither was shipped."""
    records = {
        name: record
        for name, record in component_manifest()["components"].items()
        if record.get("kind", "command") == "command"
    }
    exact = [n for n, r in records.items() if r["module_sha256"] == module_sha256]
    same_program = [n for n, r in records.items() if (r["example"], r["lang"]) == (example, lang)]
    if not exact and same_program:
        reason += (
            "; it was made from the shipped prebuilt module, not from this machine's build of it"
        )
    for name in (exact or same_program)[:1]:
        return shipped_component(name, records[name], reason)
    return None


def shipped_component(name: str, record: dict[str, Any], reason: str) -> ComponentArtifact:
    """The shipped component ``name`` as an artifact, once its bytes match the manifest."""
    path = _shipped_file(name, record)
    return ComponentArtifact(
        record["example"],
        record["lang"],
        COMPONENT,
        path,
        record["bytes"],
        record["command"],
        record.get("toolchain", "wasm-tools"),
        record["version"],
        0.0,
        cached=True,
        prebuilt=True,
        variant=record["variant"],
        fallback_reason=reason,
        module_path=record["module"],
        module_bytes=record["module_bytes"],
        adapter=record["adapter"],
        wit=record.get("wit"),
        steps=record.get("steps", [record["command"]]),
    )


def _shipped_file(name: str, record: dict[str, Any]) -> Path:
    """The shipped component's file, checked against its manifest. A big one (the wasi:http
    guest carries a Python interpreter) ships gzip'd as ``NAME.gz``, a third of its bytes
    in every clone of the course, and is unpacked into the cache once."""
    path = PREBUILT_COMPONENTS / name
    if record.get("gzip"):
        packed = PREBUILT_COMPONENTS / f"{name}.gz"
        path = _components_dir() / "prebuilt" / record["component_sha256"][:16] / name
        if not path.is_file() and packed.is_file():
            write_atomically(path, gzip.decompress(packed.read_bytes()))
    if not path.is_file() or _sha256(path.read_bytes()) != record["component_sha256"]:
        raise KitError(
            f"prebuilt component {name} does not match its manifest",
            fix="python -m kernel_helpers component --refresh-prebuilt",
        )
    return path
