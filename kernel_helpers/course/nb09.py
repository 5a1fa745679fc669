"""Notebook 09 · Docker + Wasm: a module through a registry, its media type, a wasm Pod.

Every helper here does the real thing when the machine allows it (the local registry,
skopeo) and otherwise takes an in-memory path, saying so in plain words.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._display import ShownAsText
from .._errors import KitError
from .checks import CheckResult, Solution, exercise, not_yet, right, wrong

WASM_LAYER_TYPES = ("application/wasm", "application/vnd.wasm.content.layer.v1+wasm")


@exercise("09 · exercise 1 (the layer's media type)")
def check_wasm_media_type(answer: object) -> CheckResult:
    """Notebook 09: the media type that marks a layer as a wasm module, as runwasi reads it."""
    if not isinstance(answer, str):
        return wrong(f"answer with the media type as a string, not {answer!r}.")
    given = answer.strip().lower()
    if given in WASM_LAYER_TYPES:
        return right(f"yes: {given}. A shim finds the module by this type, not by a file name.")
    if "tar" in given:
        return wrong("that is an ordinary filesystem layer.", "Look for the layer whose type names wasm.")
    return wrong("not quite.", "Read the 'layers' list of the artifact-style manifest above.")


@exercise("09 · exercise 2 (a Pod on a wasm runtime)")
def check_pod_runtime_class(pod: object, runtime_class: Mapping[str, Any]) -> CheckResult:
    """Notebook 09: a Pod manifest (dict) that runs on the given RuntimeClass."""
    if not isinstance(pod, Mapping):
        return wrong(f"expected the Pod manifest as a dict, got {type(pod).__name__}.")
    wanted = runtime_class["metadata"]["name"]
    spec = pod.get("spec") or {}
    given = spec.get("runtimeClassName")
    if given is Ellipsis:  # the skeleton's placeholder, still in place
        return not_yet()
    if given == wanted:
        return right(
            f"yes: the kubelet asks containerd for handler {runtime_class['handler']!r}, the wasm shim."
        )
    if given is None:
        return wrong("the Pod names no runtime class.", "Add 'runtimeClassName' under 'spec'.")
    if given == runtime_class.get("handler"):
        return wrong(
            "that is the handler, not the RuntimeClass's name.",
            "A Pod names the RuntimeClass object: read its metadata in the YAML printed above.",
        )
    return wrong(
        f"there is no RuntimeClass called {given!r} here.",
        "Read the RuntimeClass printed above: which field gives the object its name?",
    )

@dataclass(repr=False)
class OciRoundTrip(ShownAsText):
    """One packaging of a module: pushed, pulled back, validated, run as a shim would. Notebook 09."""

    style: str
    reference: str
    how: str  # "registry on 127.0.0.1 (skopeo)" or "in memory (no registry here)"
    manifest: dict[str, Any]
    config: dict[str, Any]
    checks: list[str]
    stdout: str
    exit_code: int

    @property
    def platform(self) -> str:
        return f"{self.config.get('os')}/{self.config.get('architecture')}"

    def text(self) -> str:
        lines = [f"{self.style}: {self.reference} via {self.how}", f"  platform {self.platform}"]
        lines += [f"  layer {layer['mediaType']}, {layer['size']:,} bytes" for layer in self.manifest["layers"]]
        lines += [f"  ✓ {check}" for check in self.checks]
        lines.append(f"  ran as a shim would: exit {self.exit_code}, printed {self.stdout.strip()!r}")
        return "\n".join(lines)


def oci_round_trip(module: Path, style: str, registry: Any | None) -> OciRoundTrip:
    """Package ``module`` as ``style``, push it to ``registry`` and pull it back with
    skopeo (or, with no registry, validate the same blobs in memory), then run it. Notebook 09."""
    # What was pulled lives only as long as the run: the round trip keeps its text, not files.
    with tempfile.TemporaryDirectory(prefix=f"kit-oci-{style}-") as folder:
        if registry is not None:
            return _through_registry(module, style, registry, Path(folder))
        return _in_memory(module, style, Path(folder))


def _through_registry(module: Path, style: str, registry: Any, folder: Path) -> OciRoundTrip:
    from ..containers.oci import pull_wasm, push_wasm, run_pulled

    pushed = push_wasm(module, registry, repository=f"kit/{module.stem}-wasm", style=style)
    pulled = pull_wasm(pushed.reference, folder, tool="skopeo" if _has_skopeo() else "http")
    result = run_pulled(pulled)
    how = f"registry on 127.0.0.1, pulled with {pulled.tool}"
    return OciRoundTrip(style, pushed.reference, how, pulled.manifest, pulled.config, pulled.checks,
                        result.stdout_text, result.exit_code)


def _in_memory(module: Path, style: str, folder: Path) -> OciRoundTrip:
    from ..containers.oci import package_wasm, validate
    from ..wasm.runner import Preopen, run_wasm

    packaged = package_wasm(module, style=style)
    checks: list[str] = []
    config, path, rootfs, argv = validate(packaged.manifest, packaged.blobs.__getitem__, folder / "rootfs", checks)
    dirs = [Preopen(rootfs, "/")] if rootfs is not None else None
    result = run_wasm(path, argv[1:], dirs=dirs, cache=False)
    return OciRoundTrip(style, f"(not pushed) kit/{module.stem}-wasm:{style}", "in memory: no registry here",
                        packaged.manifest, config, checks, result.stdout_text, result.exit_code)


def _has_skopeo() -> bool:
    from .._system import find_program

    return find_program("skopeo") is not None


def start_registry() -> Any | None:
    """A registry on 127.0.0.1 (stop it with ``.stop()`` or ``with``), or None with a reason. Notebook 09."""
    from ..containers.registry import LocalRegistry

    try:
        registry = LocalRegistry().start()
    except KitError as err:
        print(f"No local registry here ({err.message}); packaging and checks run in memory instead.")
        if err.fix:
            print(f"  How to fix: {err.fix}")
        return None
    return registry


SOLUTIONS = (
    Solution(
        "09", 1,
        """
    answer = "application/wasm"
    kh.check_wasm_media_type(answer)
    """,
        "The artifact-style manifest's one layer carries the module itself under this media type.",
    ),
    Solution(
        "09", 2,
        """
    runtime_class = kh.wasm_runtime_class()
    pod = kh.wasm_pod(runtime_class)
    kh.check_pod_runtime_class(pod, runtime_class)
    """,
        "spec.runtimeClassName names the RuntimeClass; its handler names the containerd shim.",
    ),
)
