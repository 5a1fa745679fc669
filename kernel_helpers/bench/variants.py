"""Which start-up variants exist: the one list the benchmark, the plots, the verdicts and
the export all read.

Each :class:`Variant` says what it starts (``artifact``: native, wasm, component, image or oci-wasm),
how (``kind``: a process, in the kernel's process, or a container, which needs Docker)
and the one-line label notebook 06 shows beside the plot. :data:`VARIANTS` lists them in
the order a learner reads them, cheapest first, coldest last; plots draw them in that
order. Adding a variant: one line here, one runnable in ``startup.py``. What the
benchmark worker runs for each kind of variant is a typed spec below (:class:`Job`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

#: ``Variant.kind``: how the program is started.
PROCESS = "process"
IN_PROCESS = "in-process"
CONTAINER = "container"  # by ``docker run``: needs Docker
CONTAINERD = "containerd"  # by containerd itself with ``ctr``, runc's shim or a wasm shim


@dataclass(frozen=True)
class Variant:
    """One way of starting the program."""

    name: str
    kind: str  # PROCESS, IN_PROCESS, CONTAINER or CONTAINERD
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
        "component-instantiate",
        IN_PROCESS,
        "component",
        "wasm component (WASI 0.2), linked + instantiated (in process)",
    ),
    Variant("wasm-cached", IN_PROCESS, "wasm", "wasm, cached compiled module (in process)"),
    Variant("wasm-compile", IN_PROCESS, "wasm", "wasm, compiled from .wasm (in process)"),
    Variant("wasmtime-cli-aot", PROCESS, "wasm", "wasmtime CLI, precompiled .cwasm (a process)"),
    Variant("wasmtime-cli", PROCESS, "wasm", "wasmtime CLI (a process)"),
    Variant("containerd-wasmtime", CONTAINERD, "oci-wasm", "containerd + wasm shim, module image"),
    Variant("containerd-runc", CONTAINERD, "image", "containerd + runc, FROM scratch image"),
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
#: The two started by containerd itself: measured together or recorded together, since a
#: ratio of a figure from one machine to one from another answers nothing.
CONTAINERD_VARIANTS = tuple(v.name for v in VARIANTS if v.kind == CONTAINERD)
#: What recorded data may stand in for: the container variants, the containerd ones (root,
#: containerd and a wasm shim: not on Binder, a hub or most laptops), the OCI pull, which
#: needs a registry program that Binder and most laptops lack, and the native binary,
#: which needs a compiler a bare laptop lacks (a module has a prebuilt stand-in, a
#: per-platform binary has none).
RECORDABLE_VARIANTS = (*CONTAINER_VARIANTS, *CONTAINERD_VARIANTS, "oci-wasm-pull-run", "native")


@dataclass(frozen=True)
class Question:
    """A ratio and the question it answers: median(``slow``) / median(``fast``) is what
    ``who`` sees when they ``do``. The course keeps its two start-up ratios apart so."""

    slow: str
    fast: str
    who: str
    does: str

    @property
    def key(self) -> str:
        """How ``BenchResult.ratio_intervals`` names the pair: ``"slow/fast"``."""
        return f"{self.slow}/{self.fast}"


#: An embedder (a host program with wasmtime inside) starts a module in its own process,
#: where the alternative is launching a container with ``docker run``.
EMBEDDER = Question(
    "docker-scratch",
    "wasm-instantiate",
    "an embedder",
    "start a module inside their own program instead of a container with docker run",
)
#: A Docker or Kubernetes user keeps containerd: only the shim under the task changes.
PLATFORM_USER = Question(
    "containerd-wasmtime",
    "containerd-runc",
    "a Docker or Kubernetes user",
    "have containerd start a module through a wasm shim instead of a Linux binary through runc",
)
QUESTIONS = (EMBEDDER, PLATFORM_USER)


def label_of(name: str) -> str:
    """The plot label of variant ``name`` (the name itself for one this list does not know)."""
    known = BY_NAME.get(name)
    return known.label if known is not None else name


def in_order(names: Iterable[str]) -> list[str]:
    """``names`` in reading order: known variants as listed above, unknown ones after, sorted."""
    present = set(names)
    return [n for n in NAMES if n in present] + sorted(present - set(NAMES))


# --- what the worker runs for each kind of variant ----------------------------------------
#
# A variant becomes one of these specs in ``startup.py`` (or ``first_request.py``) and goes
# to the benchmark worker (``worker.py``) as JSON: :func:`encode_job` on the parent's side,
# :func:`decode_job` on the worker's, the one place either side sees a plain dict.


@dataclass(frozen=True)
class CommandSpec:
    """A process: ``argv`` (the exact command timed). ``image``: the local image a container
    variant runs (looked for when a run fails, to say it vanished); ``remove_image``: a
    reference untagged before every run, so each run pulls it cold."""

    argv: tuple[str, ...]
    image: str | None = None
    remove_image: str | None = None
    timeout_s: float = 120.0
    kind: Literal["command"] = "command"


#: ``WasmSpec.mode``: where compilation happens in each run.
WASM_MODES = ("compile", "cached", "instantiate")


@dataclass(frozen=True)
class WasmSpec:
    """A core module run in the worker: ``mode`` compile (every run compiles), cached (every
    run deserializes ``serialized``, a ``Module.serialize`` file) or instantiate (compiled
    and linked once); ``args`` after argv[0] and read-only ``dirs`` (host, guest)."""

    module: str
    mode: str
    serialized: str | None = None
    args: tuple[str, ...] = ()
    dirs: tuple[tuple[str, str], ...] = ()
    kind: Literal["wasm"] = "wasm"


@dataclass(frozen=True)
class ComponentSpec:
    """A WASI 0.2 command component, compiled once, linked and instantiated every run."""

    component: str
    args: tuple[str, ...] = ()
    dirs: tuple[tuple[str, str], ...] = ()
    kind: Literal["component"] = "component"


@dataclass(frozen=True)
class OciPullSpec:
    """The OCI wasm variant: pull ``reference`` over the registry's HTTP API (``auth_file``
    for its login), digests checked, then compile and run the module as runwasi would."""

    reference: str
    auth_file: str
    kind: Literal["oci-pull"] = "oci-pull"


@dataclass(frozen=True)
class CallSpec:
    """A function the worker imports by ``target`` ("module:function") and calls with
    ``args`` and ``out=``/``err=`` paths; it returns an exit status. ``before``: a function
    ("module:function") called with ``args``, untimed, before every run (a cold pull
    removes what the last one fetched). For a test, an experiment or the pull benchmark."""

    target: str
    args: tuple[str, ...] = ()
    before: str | None = None
    kind: Literal["call"] = "call"


@dataclass(frozen=True)
class FirstResponseSpec:
    """A server started from zero (``target`` "module:function", a kit context manager
    such as ``wasm.serve:serve_http_component``, given ``args``); a sample is the figure it
    reports for its first answer, which must be 200 and the job's ``expect``."""

    target: str
    args: tuple[str, ...] = ()
    kind: Literal["first-response"] = "first-response"


@dataclass(frozen=True)
class ContainerdSpec:
    """A container started by containerd through ``ctr`` (the argv prefix with containerd's
    socket and the kit's namespace). Each run: ``ctr containers create`` of ``image`` with
    ``options`` (the runtime and the locks) under a fresh id, untimed; then, timed, ``ctr
    tasks start`` (containerd has the runtime's shim create the task, runs it to its exit,
    and deletes it); then ``ctr containers rm``, untimed, which removes its snapshot too."""

    ctr: tuple[str, ...]
    image: str
    options: tuple[str, ...]
    timeout_s: float = 60.0
    kind: Literal["containerd"] = "containerd"


Spec = (
    CommandSpec | WasmSpec | ComponentSpec | OciPullSpec | CallSpec | FirstResponseSpec
    | ContainerdSpec
)  # fmt: skip
SPEC_TYPES: dict[str, type[Spec]] = {
    "command": CommandSpec, "wasm": WasmSpec, "component": ComponentSpec, "oci-pull": OciPullSpec,
    "call": CallSpec, "first-response": FirstResponseSpec, "containerd": ContainerdSpec,
}  # fmt: skip


@dataclass(frozen=True)
class Job:
    """One variant as the worker gets it: its name, its spec, and what it must print
    (checked once, untimed, before timing; None: not checked)."""

    name: str
    spec: Spec
    expect: str | None = None


def encode_job(job: Job) -> dict[str, Any]:
    """The JSON form of ``job``: ``{"name", "expect", "kind", ...the spec's fields}``."""
    return {"name": job.name, "expect": job.expect, **asdict(job.spec)}


def decode_job(data: dict[str, Any]) -> Job:
    """The job :func:`encode_job` wrote (lists back to tuples); an unknown kind is refused."""
    fields_ = dict(data)
    name, expect, kind = (
        str(fields_.pop("name")),
        fields_.pop("expect", None),
        str(fields_.get("kind")),
    )
    spec_type = SPEC_TYPES.get(kind)
    if spec_type is None:
        raise ValueError(f"unknown variant kind {kind!r}; known: {', '.join(SPEC_TYPES)}")
    values = {key: _tupled(value) for key, value in fields_.items()}
    return Job(name, spec_type(**values), None if expect is None else str(expect))


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
