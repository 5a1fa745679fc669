"""Docker + Wasm, drawn and written down (notebook 09).

How a wasm workload reaches a node: Docker or the kubelet asks containerd, containerd
starts a shim per container, and a runwasi shim (``containerd-shim-wasmtime-v1`` and
friends) runs the module with a wasm runtime instead of runc starting a Linux process.
This module draws that path and writes the Kubernetes manifests that select it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from matplotlib.figure import Figure

from .containerd import RUNTIMES, WASM_RUNTIME
from .shim_tour import DOCKER_WITH_WASM, DockerWasmPath

#: The runtime name the kit registered for its shim (``--runtime wasmtime`` on its command
#: line, :data:`~.containerd.RUNTIMES`): on a node, the key of containerd's CRI runtime
#: table whose runtime_type is the shim's, and so the RuntimeClass's ``handler``.
RUNTIME_CLASS_HANDLER = next(name for name, full in RUNTIMES.items() if full == WASM_RUNTIME)


def containerd_runtime_config(handler: str = RUNTIME_CLASS_HANDLER) -> str:
    """The lines a node's /etc/containerd/config.toml (version 2) needs for the kubelet to
    reach the shim under ``handler`` (notebook 09)."""
    return (
        f'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{handler}]\n'
        f'  runtime_type = "{WASM_RUNTIME}"\n'
    )


def wasm_runtime_class(
    name: str = RUNTIME_CLASS_HANDLER, handler: str = RUNTIME_CLASS_HANDLER
) -> dict[str, Any]:
    """A Kubernetes RuntimeClass that sends Pods to containerd's wasm shim (notebook 09)."""
    return {
        "apiVersion": "node.k8s.io/v1",
        "kind": "RuntimeClass",
        "metadata": {"name": name},
        "handler": handler,
    }


def wasm_pod(
    runtime_class: Mapping[str, Any],
    *,
    image: str = "127.0.0.1:5000/kit/hello-wasm:latest",
    name: str = "hello-wasm",
    args: Sequence[str] = (),
) -> dict[str, Any]:
    """A Pod that runs a wasm OCI image on ``runtime_class`` (notebook 09)."""
    container: dict[str, Any] = {"name": name, "image": image}
    if args:
        container["args"] = list(args)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"runtimeClassName": runtime_class["metadata"]["name"], "containers": [container]},
    }


def to_yaml(document: Any) -> str:
    """Block YAML, keys in the order written: what ``kubectl apply -f`` reads. Notebook 09."""
    return yaml.safe_dump(document, sort_keys=False)


def docker_engine_note(docker: DockerWasmPath | None) -> str:
    """What the diagram writes beside ``docker run``: which kinds of workload this machine's
    engine can start (walk 8, S12: the diagram said "either kind" where Docker 20.10 ran
    containers only), or, with no engine asked, which engines can start wasm."""
    if docker is None:
        return f"wasm needs Docker {DOCKER_WITH_WASM}+\nwith containerd's image store"
    if docker.engine is None:
        return "no Docker engine here"
    engine = docker.engine.split("+")[0]  # Debian's "20.10.24+dfsg1": the version is enough
    return f"Docker {engine} here:\n{'both kinds' if docker.possible else 'containers only'}"


def docker_wasm_diagram(docker: DockerWasmPath | None = None) -> Figure:
    """The two paths from ``docker run`` / the kubelet to a running workload; beside
    ``docker run``, what ``docker`` (:func:`~.shim_tour.docker_wasm_path`) says this
    machine's engine can start. Notebook 09."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from .._figures import new_figure

    figure = new_figure(10, 5.2)
    ax = figure.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6)
    ax.set_axis_off()

    def box(x: float, y: float, text: str, colour: str, width: float = 2.4) -> None:
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - 0.38),
                width,
                0.76,
                boxstyle="round,pad=0.05",
                facecolor=colour,
                edgecolor="#333333",
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=8.5)

    def arrow(a: tuple[float, float], b: tuple[float, float], label: str = "") -> None:
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=12, color="#333333"))
        if label:  # labels sit on the outer side of the arrow, away from the other path
            leftwards = b[0] < a[0]
            ax.text(
                (a[0] + b[0]) / 2 + (-0.15 if leftwards else 0.15),
                (a[1] + b[1]) / 2,
                label,
                fontsize=7.5,
                color="#555555",
                ha="right" if leftwards else "left",
                va="center",
            )

    # Above the dashed line: what both paths share. Below it: the container path on the
    # left, the wasm path on the right (notebook 09's text says the same).
    box(1.6, 5.4, "docker run", "#e8eef7", width=1.8)
    box(4.5, 5.4, "ctr / nerdctl", "#e8eef7", width=1.8)
    box(7.2, 5.4, "kubelet (Kubernetes, CRI)", "#e8eef7", width=2.4)
    box(1.6, 4.2, "dockerd\n(Docker's daemon)", "#f2f2f2", width=1.9)
    box(5.0, 4.2, "containerd\n(pulls the OCI image, unpacks layers)", "#f2f2f2", width=3.6)
    box(8.7, 4.2, "registry\n(images and modules)", "#f2f2f2", width=2.0)
    arrow((1.6, 5.0), (1.6, 4.6))
    can_run_wasm = docker is not None and docker.possible
    ax.text(
        1.72,
        4.8,
        docker_engine_note(docker),
        fontsize=7,
        color="#2a7a2a" if can_run_wasm else "#a33",
        ha="left",
        va="center",
    )
    arrow((2.55, 4.2), (3.15, 4.2))
    arrow((4.6, 5.0), (4.8, 4.6))
    arrow((6.9, 5.0), (5.8, 4.6))
    arrow((7.7, 4.2), (6.85, 4.2))
    ax.text(7.27, 4.3, "pull", fontsize=7.5, color="#555555", ha="center", va="bottom")
    ax.plot([0.1, 9.9], [3.6, 3.6], linestyle="--", color="#999999", linewidth=0.8)
    ax.text(0.1, 3.62, "shared by both paths", fontsize=7.5, color="#555555", va="bottom")
    ax.text(0.1, 3.56, "one shim per path", fontsize=7.5, color="#555555", va="top")
    box(2.5, 2.8, "containerd-shim-runc-v2", "#fde3e3")
    box(7.5, 2.8, "containerd-shim-wasmtime-v1\n(runwasi)", "#e3f5e3", width=3.0)
    arrow((4.2, 3.8), (2.8, 3.2), "runtime io.containerd.runc.v2 (default)")
    arrow((5.8, 3.8), (7.2, 3.2), "runtime io.containerd.wasmtime.v1 (RuntimeClass)")
    box(
        2.5, 1.5, "runc: namespaces, cgroups,\noverlayfs, exec a Linux binary", "#fde3e3", width=3.4
    )
    box(
        7.5,
        1.5,
        "wasmtime: compile (or load cached)\n+ instantiate the .wasm, WASI",
        "#e3f5e3",
        width=3.4,
    )
    arrow((2.5, 2.4), (2.5, 1.9))
    arrow((7.5, 2.4), (7.5, 1.9))
    ax.text(
        2.5,
        0.55,
        "container path\nimage: linux/amd64 filesystem layers",
        ha="center",
        fontsize=8,
        color="#a33",
    )
    ax.text(
        7.5,
        0.45,
        "wasm path\nimage: wasi/wasm, one layer application/wasm\n(or a FROM scratch fs with the .wasm)",
        ha="center",
        fontsize=8,
        color="#2a7a2a",
    )
    ax.set_title("Docker + Wasm: same registry, same containerd, a different shim")
    return figure
