"""Which start-up variants exist: the one list the benchmark, the plots, the verdicts and
the export all read.

Each :class:`Variant` says what it starts (``artifact``: native, wasm, component, image or oci-wasm),
how (``kind``: a process, in the kernel's process, or a container, which needs Docker)
and the one-line label notebook 06 shows beside the plot. :data:`VARIANTS` lists them in
the order a learner reads them, cheapest first, coldest last; plots draw them in that
order. Adding a variant: one line here, one runnable in ``startup.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: ``Variant.kind``: how the program is started.
PROCESS = "process"
IN_PROCESS = "in-process"
CONTAINER = "container"


@dataclass(frozen=True)
class Variant:
    """One way of starting the program."""

    name: str
    kind: str  # PROCESS, IN_PROCESS or CONTAINER
    artifact: str  # what is started: "native", "wasm", "component", "image" or "oci-wasm"
    label: str  # what it pays for, in one line (beside the plot)

    @property
    def needs_docker(self) -> bool:
        return self.kind == CONTAINER

    @property
    def timed_as(self) -> str:
        """The harness's ``Measurement.kind``: a container is timed as its ``docker run`` process."""
        return IN_PROCESS if self.kind == IN_PROCESS else PROCESS


VARIANTS = (
    Variant("native", PROCESS, "native", "native binary (a process)"),
    Variant("wasm-instantiate", IN_PROCESS, "wasm", "wasm, pre-instantiated (in process)"),
    Variant(
        "component-instantiate", IN_PROCESS, "component",
        "wasm component (WASI 0.2), linked + instantiated (in process)",
    ),
    Variant("wasm-cached", IN_PROCESS, "wasm", "wasm, cached compiled module (in process)"),
    Variant("wasm-compile", IN_PROCESS, "wasm", "wasm, compiled from .wasm (in process)"),
    Variant("wasmtime-cli-aot", PROCESS, "wasm", "wasmtime CLI, precompiled .cwasm (a process)"),
    Variant("wasmtime-cli", PROCESS, "wasm", "wasmtime CLI (a process)"),
    Variant("docker-scratch", CONTAINER, "image", "docker run, FROM scratch image"),
    Variant("docker-debian", CONTAINER, "image", "docker run, distro base image"),
    Variant("docker-pull-run", CONTAINER, "image", "docker pull + run (local registry)"),
    Variant("oci-wasm-pull-run", IN_PROCESS, "oci-wasm", "OCI wasm: pull + run as a shim would"),
)

BY_NAME = {v.name: v for v in VARIANTS}
NAMES = tuple(BY_NAME)
#: The wasm variants the start-up verdict compares containers with, and the CLI ones among them.
WASM_VARIANTS = tuple(v.name for v in VARIANTS if v.artifact == "wasm")
CLI_VARIANTS = tuple(v.name for v in VARIANTS if v.artifact == "wasm" and v.kind == PROCESS)
CONTAINER_VARIANTS = tuple(v.name for v in VARIANTS if v.needs_docker)
#: What recorded data may stand in for: the container variants, the OCI pull, which
#: needs a registry program that Binder and most laptops lack, and the native binary,
#: which needs a compiler a bare laptop lacks (a module has a prebuilt stand-in, a
#: per-platform binary has none).
RECORDABLE_VARIANTS = (*CONTAINER_VARIANTS, "oci-wasm-pull-run", "native")


def label_of(name: str) -> str:
    """The plot label of variant ``name`` (the name itself for one this list does not know)."""
    known = BY_NAME.get(name)
    return known.label if known is not None else name


def in_order(names: Iterable[str]) -> list[str]:
    """``names`` in reading order: known variants as listed above, unknown ones after, sorted."""
    present = set(names)
    return [n for n in NAMES if n in present] + sorted(present - set(NAMES))
