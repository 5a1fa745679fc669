"""The first request from zero: a wasi:http component under ``wasmtime serve`` against a
container answering the same GET /. Notebook 11.

Scale from zero means nothing runs when the request arrives. Each sample starts the
server, asks GET / until the first answer comes (it must be 200 and the greeting), and
stops it; the figure runs from asking for the server to that answer, so it holds the
start, the listening and the first request, not the stopping. Both artifacts are already
on this machine, as on a node that ran them before: the component compiled ahead of time
(``wasm.serve.precompile_component``), the container's image built (``FROM scratch`` and a static C
server answering the same bytes). The container shares the host's network: the kit's
dockerd has no bridge, so there is no other way to 127.0.0.1 (``SERVE_NETWORK``).

Timed in the benchmark worker like every start-up figure, warm-up first; the ratio of
medians comes with its bootstrap interval. Without Docker, the wasm side alone, and
``no_container`` says why.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from .._display import format_seconds
from .._errors import BenchmarkError, DockerUnavailable, KitError
from ..containers.docker import connect, docker_disabled
from ..containers.images import SERVE_NETWORK, owner_tag, run_images, scratch_image
from ..toolchains.build import NATIVE, Artifact, compile_source
from ..toolchains.component.http import GREETING, http_sources
from ..wasm.serve import precompile_component
from .ratio import Ratio, ratio_of_medians
from .results import Measurement
from .variants import PROCESS, FirstResponseSpec, Job
from .worker import run_in_worker

WASM = "wasi:http component (wasmtime serve, precompiled)"
CONTAINER = f"container (static C server, FROM scratch, network={SERVE_NETWORK})"
IMAGE = "kit-hello-http"


@dataclass
class FirstRequest:
    """Both sides' samples; ``ratio`` is container / component, None without a container."""

    wasm: Measurement
    container: Measurement | None
    ratio: Ratio | None
    no_container: str | None = None

    def lines(self) -> list[str]:
        """One line per side (median, quartiles, runs), then the ratio or why there is none."""
        lines = [_line(m) for m in (self.wasm, self.container) if m is not None]
        if self.ratio is not None:
            lines.append(f"container / component: {self.ratio.text()}")
        else:
            lines.append(f"no container side: {self.no_container}")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _line(m: Measurement) -> str:
    s = m.stats
    return (
        f"{m.name:<62} median {format_seconds(s.median_s)} "
        f"(quartiles {format_seconds(s.q1_s)}-{format_seconds(s.q3_s)}, {s.n} runs)"
    )


def _variant(name: str, target: str, argument: str) -> Job:
    return Job(name, FirstResponseSpec(target, (argument,)), GREETING.decode())


def _container_image(stack: contextlib.ExitStack) -> tuple[str | None, str | None]:
    """(the tag of the serving image, None), or (None, why there is none). The image is
    removed when ``stack`` closes."""
    try:
        client = connect()
    except DockerUnavailable:
        return None, "no Docker here" + (" (KIT_DOCKER=off)" if docker_disabled() else "")
    try:
        server = compile_source(http_sources()[2], "c", NATIVE, name="hello_http")
        labels = stack.enter_context(run_images(client))
        tag = owner_tag(IMAGE)
        scratch_image(server.path, tag, labels=labels, client=client)
    except KitError as err:
        return None, err.message
    return tag, None


def measure_first_request(
    component: Artifact | str | Path, *, warmup: int = 1, repeat: int = 5
) -> FirstRequest:
    """Time the first request from zero, ``repeat`` times after ``warmup``, for the
    component (``kh.http_component()``) and, where Docker is here, for the container."""
    path = component.path if isinstance(component, Artifact) else Path(component)
    variants = [
        _variant(
            WASM, "kernel_helpers.wasm.serve:serve_http_component", str(precompile_component(path))
        )
    ]
    with contextlib.ExitStack() as stack:
        tag, why = _container_image(stack)
        if tag is not None:
            variants.append(
                _variant(CONTAINER, "kernel_helpers.containers.images:serve_container", tag)
            )
        outcome = run_in_worker(variants, warmup=warmup, repeat=repeat)
    if WASM not in outcome.samples:
        raise BenchmarkError(f"the component did not serve: {outcome.failed.get(WASM, 'stopped')}")
    wasm = Measurement.from_samples(WASM, PROCESS, outcome.samples[WASM])
    if CONTAINER not in outcome.samples:
        return FirstRequest(wasm, None, None, why or outcome.failed.get(CONTAINER, "stopped"))
    container = Measurement.from_samples(CONTAINER, PROCESS, outcome.samples[CONTAINER])
    return FirstRequest(wasm, container, ratio_of_medians(container.samples_s, wasm.samples_s))
