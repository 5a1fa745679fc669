"""Notebook 09 · exercise 3: what a plain WASI runtime makes of each shape's layer, as the
registry stores it. The learner predicts, then the check runs both layers.

Apart from ``nb09`` so that module stays within the size every module keeps to.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..containers.oci import MODULE_STYLES, layout_layer
from .checks import (
    IN_NOTEBOOK,
    CheckResult,
    Solution,
    Unusable,
    not_yet,
    prediction_exercise,
    right,
    states_measurement,
    wrong,
)
from .programs import ProgramRun, run_wasi

#: Where a wrong prediction is sent: the section that says what each shape's layer holds.
LAYER_HINT = (
    "Section 'Package, push, pull, check, run': what is inside each shape's one layer? And "
    "what must a file start with to be a WebAssembly module (notebook 01's first bytes)?"
)
#: What the first bytes of a layer say it is.
MAGIC = {b"\0asm": "a WebAssembly module (\\0asm)", b"\x1f\x8b": "gzip (1f 8b): a tar to unpack"}


def layer_blob(layout: Any, style: str) -> Path:
    """The one layer of ``style``'s manifest in ``layout`` (notebook 09's OciLayout or its
    folder), as stored by digest."""
    return layout_layer(str(layout), style)


def _kind(blob: Path) -> str:
    head = blob.read_bytes()[:4]
    return next((said for magic, said in MAGIC.items() if head.startswith(magic)), repr(head))


def _ran(run: ProgramRun) -> bool:
    return run.stopped is None and run.exit_code == 0 and bool(run.stdout.strip())


def _predicted(prediction: object) -> dict[str, bool]:
    shape = 'answer with a dict like {"image": True, "artifact": False}: True if it runs as is.'
    if not isinstance(prediction, Mapping):
        raise Unusable(shape)
    given = {style: prediction.get(style) for style in MODULE_STYLES}
    if not all(isinstance(value, bool) for value in given.values()):
        raise Unusable(shape)
    return {style: bool(value) for style, value in given.items()}


#: Exercise 3's lesson, said whatever the prediction (the first one graded is the answer).
LAYER_LESSON = (
    "The artifact's one layer is the module itself, so anything that runs wasm can run it "
    "from the registry's bytes; the image's layer is a filesystem, so a shim unpacks it first "
    "and reads the entrypoint from the config, as containerd does for every image."
)


@prediction_exercise("09 · exercise 3 (predict, then measure: a layer as the registry stores it)")
def check_layer_prediction(prediction: object, layout: Any) -> CheckResult:
    """Notebook 09: for each shape, whether a plain WASI runtime (no shim, no unpacking)
    runs its layer blob as it is, predicted, against running both blobs of ``layout``."""
    given = _predicted(prediction)
    if not (Path(str(layout)) / "index.json").is_file():
        return not_yet(
            "the layout's folder is gone (the Tidying up cell removes it).",
            "Run the cells of 'Open the box' again, then this one.",
        )
    blobs = {style: layer_blob(layout, style) for style in MODULE_STYLES}
    measured = {style: _ran(run_wasi(blob)) for style, blob in blobs.items()}
    return grade_layers(given, measured, {style: _kind(blob) for style, blob in blobs.items()})


def grade_layers(
    given: Mapping[str, bool], measured: Mapping[str, bool], kinds: Mapping[str, str]
) -> CheckResult:
    """The predictions against the runs, shape by shape, and the lesson; ``kinds`` says
    what each layer's first bytes are."""
    said = {True: "runs as it is", False: "does not run"}
    measured_said = {s: f"the {s}'s layer {said[measured[s]]} ({kinds[s]})" for s in MODULE_STYLES}
    missed = [style for style in MODULE_STYLES if given[style] != measured[style]]
    if not missed:
        found = "; ".join(measured_said.values())
        return states_measurement(right(f"as you predicted: {found}. {LAYER_LESSON}"))
    compared = "; ".join(
        measured_said[s]
        + (f", you predicted it {said[given[s]]}" if s in missed else ", as you predicted")
        for s in MODULE_STYLES
    )
    return states_measurement(wrong(f"measured: {compared}. {LAYER_LESSON}", LAYER_HINT))


LAYERS_SOLUTION = Solution(
    "09",
    3,
    """
    layer_prediction = {"image": False, "artifact": True}  # written before the measuring cell
    kh.check_layer_prediction(layer_prediction, layout)
    """,
    "The artifact's layer (application/wasm) is the module's bytes, \\0asm first; the image's "
    "layer is a gzip'd tar holding /app.wasm, which no WASI runtime reads as a module until "
    "someone unpacks it: the shim's job for the image shape.",
    IN_NOTEBOOK,
)
