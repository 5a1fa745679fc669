"""Refreshing the components the kit ships (``python -m kernel_helpers component
--refresh-prebuilt``): the ones made from the shipped prebuilt modules, the typed one and
the wasi:http guest, and the manifest that records them all.

A module of its own because it sits above all three makers: ``making`` (the modules'
components), ``typed`` and ``http``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from typing import Any

from ..build import _sha256
from ..prebuilt import prebuilt_module
from .artifact import ComponentArtifact
from .http import HTTP_COMPONENT, refresh_wit, ship_http_component
from .making import componentize
from .shipped import COMPONENT_MANIFEST, PREBUILT_COMPONENTS
from .tools import ADAPTER_FILE, JCO, package_version
from .typed import TYPED_COMPONENT, ship_typed_component
from .worlds import wit_text

#: What ``--refresh-prebuilt`` ships: small ones only (Go's runtime makes 2.4 MB components).
SHIPPED = [(example, lang) for example in ("hello", "wordcount") for lang in ("c", "rust")]


def ship_module_components() -> tuple[dict[str, Any], list[ComponentArtifact]]:
    """Make the shipped components of :data:`SHIPPED` from the shipped prebuilt modules:
    their manifest records and the artifacts (:func:`refresh_prebuilt_components` adds
    the typed one and the wasi:http guest and writes the manifest)."""
    PREBUILT_COMPONENTS.mkdir(parents=True, exist_ok=True)
    records: dict[str, Any] = {}
    made = []
    for example, lang in SHIPPED:
        module = prebuilt_module(example, lang)
        artifact = componentize(module, cache=False, prebuilt=False)
        name = f"{example}-{lang}.component.wasm"
        destination = PREBUILT_COMPONENTS / name
        shutil.copyfile(artifact.path, destination)
        records[name] = {
            "example": example,
            "lang": lang,
            "module": f"{example}/{module.path.name}",
            "module_sha256": _sha256(module.path.read_bytes()),
            "module_bytes": module.bytes,
            "component_sha256": _sha256(destination.read_bytes()),
            "bytes": artifact.bytes,
            "command": artifact.command,
            "version": artifact.version,
            "variant": module.variant,
            "adapter": f"{JCO}@{package_version(JCO)}/{ADAPTER_FILE}",
            "wit": wit_text(destination),
        }
        made.append(replace(artifact, path=destination, prebuilt=True))
    return records, made


def refresh_prebuilt_components() -> list[ComponentArtifact]:
    """Make the shipped components from the shipped prebuilt modules, the typed one and the
    wasi:http guest from their sources (needs wasm-tools, jco's adapter, a C compiler and
    componentize-py)."""
    records, made = ship_module_components()
    records[TYPED_COMPONENT], typed = ship_typed_component()
    made.append(replace(typed, path=PREBUILT_COMPONENTS / TYPED_COMPONENT, prebuilt=True))
    refresh_wit()
    records[HTTP_COMPONENT], guest = ship_http_component()
    made.append(guest)
    COMPONENT_MANIFEST.write_text(json.dumps({"format": 1, "components": records}, indent=2) + "\n")
    return made
