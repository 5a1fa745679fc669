"""Refreshing the components the kit ships (``python -m kernel_helpers component
--refresh-prebuilt``): the ones made from the shipped prebuilt modules, the typed one and
the wasi:http guest, and the manifest that records them all.

A module of its own because it sits above all three makers: ``component`` (the modules'
components), ``typed_component`` and ``http_guest`` (which build on ``component``).
"""

from __future__ import annotations

import json
from dataclasses import replace

from .component import (
    COMPONENT_MANIFEST,
    PREBUILT_COMPONENTS,
    ComponentArtifact,
    ship_module_components,
)
from .http_guest import HTTP_COMPONENT, refresh_wit, ship_http_component
from .typed_component import TYPED_COMPONENT, ship_typed_component


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
