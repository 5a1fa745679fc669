"""Where the seconds are: a cold pull plus run over a shaped link, beside its estimate.

The kit's registry runs in a namespace behind a link limited to ``rate_mbit`` with a
``rtt_ms`` round trip (``containers.shaped_link``). Each sample pulls an image the machine
does not hold (removed, with its layers, before every run, untimed) and runs it:

- ``docker-debian``: the hello binary on the Debian base, flattened into one layer with a
  marker unique to the run, so no layer of it is already here (the kit's base image would
  otherwise lend its Debian layer and the pull would skip it);
- ``docker-scratch``: the same binary ``FROM scratch``, with the same marker;
- ``oci-wasm-image``: the module as an OCI image, pulled by containerd (``ctr pull``) and
  run by the real wasm shim (``io.containerd.wasmtime.v1``);
- ``oci-wasm-artifact``: the module as an OCI artifact, pulled over the registry's HTTP
  API (digests checked) and compiled and run in the worker, as a shim would.

Every sample is timed in the benchmark worker. The bytes are what the namespace sent over
the veth per pull (frames: what the token bucket counts), the round trips what the relay
counted (a handshake per connection, one per HTTP exchange). The estimate is the physics
plus what is not the link: the median of the same pull and run with the link unshaped
(measured first, in this run) + bytes / rate + round trips x RTT. Issue 27.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import tarfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._display import NOTE_WIDTH, format_bytes, format_seconds, format_span, wrap_note
from .._errors import BenchmarkError, KitError
from ..containers.registry import LocalRegistry
from ..containers.relay import RelayCounts
from ..containers.shaped_link import TBF_BURST, LinkSettings, ShapedLink
from ..wasm.reader import encode_uleb
from .results import MEASURED, RECORDED
from .variants import CallSpec, Job, OciPullSpec
from .worker import run_in_worker

PULL_VARIANTS = ("docker-debian", "docker-scratch", "oci-wasm-image", "oci-wasm-artifact")
LABELS = {
    "docker-debian": "docker pull + run, Debian base (one layer)",
    "docker-scratch": "docker pull + run, FROM scratch",
    "oci-wasm-image": "containerd pull + run, wasm OCI image, wasmtime shim",
    "oci-wasm-artifact": "HTTP API pull + run, wasm OCI artifact (as a shim would)",
}
#: The registry's port inside the namespace (the namespace is ours alone).
REGISTRY_PORT = 5000
METHOD = (
    "each sample: the image and its layers removed (untimed), then pull + run, timed in the "
    "benchmark worker; bytes: frames the registry's namespace sent over the veth per pull; "
    "round trips: connections + HTTP exchanges the relay counted; estimate: the same pull "
    "+ run with the link unshaped (median, this run) + bytes*8/rate + round trips*RTT; "
    "rate by tc tbf on the namespace's end, RTT by a user-space delay relay (no netem)"
)
#: Where the text a pull table prints wraps: at word boundaries, narrower than a notebook's
#: output area at 1400 px (walk 12, S8: one long "method:" line broke mid-word there).
TEXT_WIDTH = NOTE_WIDTH
#: What the bytes column counts beyond the image, said under the table (walk 12, S7: 07's
#: size table gave 36.8 KB for the artifact, the pull table 39.5 KB, and nothing said why).
BYTES_BEYOND_IMAGE = (
    "bytes: every frame the registry's namespace sent per pull, so more than 07's size "
    "table gives. A pull fetches the image's manifest, config and layers (the size table "
    "counts all three for the OCI wasm packs, only the compressed layers for the docker "
    "images; each copy pulled here also holds a marker unique to this run) and they come "
    "in frames, each with its Ethernet, IP and TCP headers, beside TCP's handshakes and "
    "acknowledgements and the HTTP headers of every answer, some of which carry no image "
    "byte (the registry asking a client to log in)"
)
PULL_REFERENCE = "pull-default"
#: Said of a pull over the link whose interval reaches its unshaped median (walk 7, S20:
#: an artifact took 203 ms over the link against 254 ms unshaped, unexplained).
WITHIN_NOISE = "within noise of unshaped"
WITHIN_NOISE_MEANS = (
    "the interval over the link reaches the median with the link unshaped, so what the "
    "link added to that pull is smaller than this run's noise"
)
#: Said of a pull over the link whose whole interval lies below its estimate (walk 7, S20:
#: 164 ms measured against an estimate of 216 ms, unexplained).
UNDER_ESTIMATE = "under its estimate"
UNDER_ESTIMATE_MEANS = (
    "the whole interval lies below the estimate, which adds the unshaped median (itself "
    "measured with noise), the bytes at the link's rate and every counted round trip one "
    "after another; a pull comes in under it when round trips overlap (a client with "
    f"connections side by side), when the link's {TBF_BURST.removesuffix('kb')} KiB token "
    "bucket lets the first bytes through at full speed, or when the unshaped runs met a "
    "busier machine than these"
)


@dataclass(frozen=True)
class PullRow:
    """One variant: the bytes a pull moved, its samples and the estimate beside them."""

    name: str
    bytes: int
    round_trips: int
    samples_s: tuple[float, ...]
    floor_s: float
    estimate_s: float
    source: str = MEASURED
    #: The image's own bytes as the registry holds them (manifest, config, layers); 0
    #: where not known (a result saved before it was kept).
    image_bytes: int = 0

    @property
    def median_s(self) -> float:
        return median_interval(self.samples_s)[1]

    @property
    def interval_s(self) -> tuple[float, float]:
        low, _, high = median_interval(self.samples_s)
        return low, high

    @property
    def within_noise(self) -> bool:
        """The pull over the link not measurably slower than unshaped: its interval reaches
        down to the unshaped median (what ``WITHIN_NOISE`` marks, in 07 and in 10)."""
        return self.interval_s[0] <= self.floor_s

    @property
    def under_estimate(self) -> bool:
        """Measurably faster than its estimate (``UNDER_ESTIMATE``); a pull within noise of
        unshaped is said to be that instead, which already explains it."""
        return not self.within_noise and self.interval_s[1] < self.estimate_s

    @property
    def beyond_image(self) -> str:
        """What crossed the link beyond the image itself, from this run's bytes ("" when
        the image's own size was not kept)."""
        if not self.image_bytes:
            return ""
        extra = self.bytes - self.image_bytes
        return (
            f"{self.name}: {format_bytes(self.bytes)} crossed the link for an image "
            f"(manifest, config, layers) of {format_bytes(self.image_bytes)}: "
            f"{format_bytes(extra)} ({extra / self.image_bytes:.0%}) more, the headers and "
            "exchanges that carried it"
        )

    @property
    def mark(self) -> str:
        """What the tables print after the row: within noise, under the estimate, or nothing."""
        return WITHIN_NOISE if self.within_noise else UNDER_ESTIMATE if self.under_estimate else ""

    def to_json(self) -> dict[str, Any]:
        low, high = self.interval_s
        return {
            "bytes": self.bytes, "median_s": self.median_s, "low_s": low, "high_s": high,
            "estimate_s": self.estimate_s, "round_trips": self.round_trips,
            "floor_s": self.floor_s, "samples_s": list(self.samples_s), "source": self.source,
            "image_bytes": self.image_bytes,
        }  # fmt: skip

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any], source: str) -> PullRow:
        samples = tuple(float(s) for s in data.get("samples_s") or (data["median_s"],))
        return cls(
            name, int(data["bytes"]), int(data.get("round_trips", 0)), samples,
            float(data.get("floor_s", 0.0)), float(data["estimate_s"]), source,
            int(data.get("image_bytes", 0)),
        )  # fmt: skip


@dataclass
class PullResult:
    """A pull run: the link, one row per variant, what failed, and where recorded data
    came from when this machine could not shape a link."""

    link: LinkSettings
    rows: dict[str, PullRow]
    failed: dict[str, str]
    recorded: dict[str, Any] | None = None
    method: str = METHOD
    #: The cores and the load averages as the run began and ended (``load_now``): how busy
    #: the machine was beside the medians. Empty for runs saved before it was kept.
    machine: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "link": {"rate_mbit": self.link.rate_mbit, "rtt_ms": self.link.rtt_ms},
            "variants": {name: row.to_json() for name, row in self.rows.items()},
            "failed": self.failed,
            "method": self.method,
        }
        if self.recorded is not None:
            data["recorded"] = self.recorded
        if self.machine:
            data["machine"] = self.machine
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, source: str = MEASURED) -> PullResult:
        link = LinkSettings(float(data["link"]["rate_mbit"]), float(data["link"]["rtt_ms"]))
        rows = {n: PullRow.from_json(n, v, source) for n, v in data["variants"].items()}
        failed = dict(data.get("failed", {}))
        return cls(
            link, rows, failed, data.get("recorded"), machine=dict(data.get("machine") or {})
        )

    def text(self) -> str:
        """The table a terminal or a notebook prints."""
        link = f"{self.link.rate_mbit:g} Mbit/s, {self.link.rtt_ms:g} ms round trip"
        head = f"cold pull + run over a shaped link ({link})"
        if self.recorded is not None:
            head += f"; RECORDED on {self.recorded.get('machine', '?')}, {self.recorded.get('date', '?')}"
        lines = [
            _wrapped(head),
            f"{'variant':<20}{'bytes':>11}{'trips':>7}{'median':>10}  interval          estimate"
            "  unshaped",
        ]
        for name, row in self.rows.items():
            low, high = row.interval_s
            lines.append(
                f"{name:<20}{format_bytes(row.bytes):>11}{row.round_trips:>7}"
                f"{format_seconds(row.median_s):>10}  {format_span(low, high):<17}"
                f"{format_seconds(row.estimate_s):>9}{format_seconds(row.floor_s):>10}"
                + (f"  {row.mark}" if row.mark else "")
            )
        return "\n".join([*lines, *map(_wrapped, self._notes())]) + "\n"

    def _notes(self) -> list[str]:
        """The sentences under the table: the marks, the bytes, failures, the method."""
        marks = {row.mark for row in self.rows.values()}
        notes = [f"{WITHIN_NOISE}: {WITHIN_NOISE_MEANS}"] if WITHIN_NOISE in marks else []
        notes += [f"{UNDER_ESTIMATE}: {UNDER_ESTIMATE_MEANS}"] if UNDER_ESTIMATE in marks else []
        if self.rows:
            notes.append(BYTES_BEYOND_IMAGE)
            notes += [row.beyond_image for row in self.rows.values() if row.beyond_image]
        notes += [f"{name}: failed: {why}" for name, why in self.failed.items()]
        notes.append(f"method: {self.method}")
        return notes


def _wrapped(note: str) -> str:
    return wrap_note(note, TEXT_WIDTH)


def median_interval(samples: tuple[float, ...] | list[float]) -> tuple[float, float, float]:
    """(low, median, high): the median with a distribution-free ~95 % interval from order
    statistics (the binomial ranks around n/2; the whole range below six samples)."""
    ordered = sorted(samples)
    n = len(ordered)
    if n == 0:
        raise BenchmarkError("no samples to summarise", fix="measure at least one run")
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    spread = math.ceil(1.96 * math.sqrt(n) / 2)
    low_rank, high_rank = max(0, (n - 1) // 2 - spread), min(n - 1, n // 2 + spread)
    return ordered[low_rank], median, ordered[high_rank]


def estimate_s(floor_s: float, size: int, round_trips: int, link: LinkSettings) -> float:
    """What the link adds to an unshaped pull: the bytes at its rate, a round trip each."""
    return floor_s + size / link.bytes_per_s + round_trips * link.rtt_ms / 1000


# --- what the worker calls (by name, in its own process) --------------------------------------


def docker_pull_run(reference: str, docker_config: str, *, out: str, err: str) -> int:
    """``docker run --pull=always`` of ``reference`` (hardened, no network): pull and run."""
    from ..containers.images import hardened_run_command

    command = hardened_run_command(reference, pull=True, docker_config=Path(docker_config))
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        return subprocess.run(command, stdout=stdout, stderr=stderr, timeout=600).returncode


def forget_docker_image(reference: str, docker_config: str) -> None:
    """Remove ``reference`` and its layers (nothing else holds them), before a cold pull."""
    from .._system import find_program

    subprocess.run([find_program("docker") or "docker", "image", "rm", "-f", reference],
                   capture_output=True, timeout=120, check=False)  # fmt: skip


def containerd_pull_run(reference: str, auth_file: str, *, out: str, err: str) -> int:
    """``ctr images pull`` over plain HTTP, then ``ctr run`` with the wasmtime shim."""
    from ..containers.containerd import WASM_PLATFORM, WASM_RUNTIME, ctr, runtime_argument
    from ..containers.registry import read_auths

    user, password = read_auths(auth_file, reference.split("/", 1)[0]) or ("", "")
    login = ["--user", f"{user}:{password}"] if user else []
    pulled = ctr("images", "pull", "--plain-http", *login, "--platform", WASM_PLATFORM,
                 reference, check=False, timeout=600)  # fmt: skip
    if pulled.returncode != 0:
        Path(err).write_text(pulled.stderr)
        return pulled.returncode
    container = f"kit-pull-{uuid.uuid4().hex[:12]}"
    ran = ctr("run", "--rm", "--read-only", "--runtime", runtime_argument(WASM_RUNTIME),
              "--platform", WASM_PLATFORM, reference, container, check=False)  # fmt: skip
    Path(out).write_text(ran.stdout)
    Path(err).write_text(ran.stderr)
    return ran.returncode


def forget_containerd_image(reference: str, auth_file: str) -> None:
    from ..containers.containerd import ctr

    ctr("images", "rm", "--sync", reference, check=False)


# --- the parent's side ------------------------------------------------------------------------


class _Stopped(Exception):
    """A stop or an interrupt cut a variant's samples short."""


@dataclass
class _Prepared:
    jobs: dict[str, Job]
    failed: dict[str, str]
    #: Each variant's image as the registry holds it, in bytes (what a pull must fetch).
    image_bytes: dict[str, int] = field(default_factory=dict)


def registry_image_bytes(registry: LocalRegistry, repository: str, tag: str) -> int:
    """The bytes of ``repository:tag`` in ``registry``: its manifest as stored, plus the
    config and layers it lists (for an index, each manifest it lists, counted the same
    way): the image itself, without what carries it over a network."""
    body, _, _ = registry.manifest_bytes(repository, tag)
    manifest = json.loads(body)
    listed = [manifest["config"], *manifest.get("layers", [])] if "config" in manifest else []
    children = [
        registry_image_bytes(registry, repository, entry["digest"])
        for entry in manifest.get("manifests", [])
    ]
    return len(body) + sum(int(d["size"]) for d in listed) + sum(children)


def _flat_copy(client: Any, source: str, target: str, entrypoint: str, marker: str) -> None:
    """``target``: ``source``'s files as one layer plus a marker file (new bytes each run)."""
    container = client.containers.create(source)
    try:
        exported = b"".join(container.export())
    finally:
        container.remove(force=True)
    buffer = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(exported)) as original,
        tarfile.open(fileobj=buffer, mode="w") as flat,
    ):
        for member in original:
            flat.addfile(member, original.extractfile(member) if member.isfile() else None)
        info = tarfile.TarInfo(".kit-pull-marker")
        info.size = len(marker)
        flat.addfile(info, io.BytesIO(marker.encode()))
    repository, _, tag = target.rpartition(":")
    client.api.import_image_from_data(
        buffer.getvalue(), repository=repository, tag=tag,
        changes=[f'ENTRYPOINT ["{entrypoint}"]'],
    )  # fmt: skip


def _docker_jobs(
    link: ShapedLink,
    registry: LocalRegistry,
    native: Path,
    expect: str,
    stack: contextlib.ExitStack,
    wanted: list[str],
    image_bytes: dict[str, int],
) -> dict[str, Job]:
    from ..containers.docker import connect
    from ..containers.images import distro_image, owner_tag, push_image, run_images, scratch_image

    client = connect()
    stack.callback(client.close)
    labels = stack.enter_context(run_images(client))
    marker = uuid.uuid4().hex
    jobs = {}
    for name, build, entry in (
        ("docker-debian", distro_image, f"/usr/local/bin/{native.name}"),
        ("docker-scratch", scratch_image, f"/{native.name}"),
    ):
        if name not in wanted:
            continue  # flattening and pushing the Debian image costs seconds: only if asked
        built, flat = owner_tag(f"kit-pull-{name}"), owner_tag(f"kit-pull-{name}-flat")
        link.remember(docker_image=built)  # gone with the link even if we die before the end
        link.remember(docker_image=flat)
        build(native, built, labels=labels, client=client)
        _flat_copy(client, built, flat, entry, f"{name} {marker}\n")
        repository = f"kit/{name}-{marker[:8]}"
        reference = push_image(flat, registry, repository, client=client)
        link.remember(docker_image=reference)
        image_bytes[name] = registry_image_bytes(registry, repository, "latest")
        for tag in (flat, reference):  # the pull must find none of its layers here
            client.images.remove(tag, force=True)
        args = (reference, str(registry.docker_config_dir))
        target = "kernel_helpers.bench.pull:"
        jobs[name] = Job(
            name, CallSpec(target + "docker_pull_run", args, target + "forget_docker_image"), expect
        )
    return jobs


def with_marker(module: bytes, marker: str) -> bytes:
    """``module`` with a custom section ``kit-pull`` holding ``marker`` (runs the same)."""
    name, payload = b"kit-pull", marker.encode()
    body = encode_uleb(len(name)) + name + payload
    return module + b"\x00" + encode_uleb(len(body)) + body


def _wasm_jobs(
    link: ShapedLink,
    registry: LocalRegistry,
    wasm: Path,
    expect: str,
    image_bytes: dict[str, int],
) -> dict[str, Job]:
    from ..containers.oci import push_wasm

    marker = uuid.uuid4().hex[:8]
    # New bytes each run, so containerd holds no blob of it already (another image of the
    # same module would lend its layer, and the pull would skip it).
    module = with_marker(wasm.read_bytes(), marker)
    image = push_wasm(module, registry, repository=f"kit/pull-wasm-{marker}", style="image")
    artifact = push_wasm(module, registry, repository=f"kit/pull-wasm-{marker}", style="artifact")
    link.remember(containerd_image=image.reference)
    image_bytes.update(
        {"oci-wasm-image": image.size_bytes, "oci-wasm-artifact": artifact.size_bytes}
    )
    target = "kernel_helpers.bench.pull:"
    auth = str(registry.auth_file)
    return {
        "oci-wasm-image": Job(
            "oci-wasm-image",
            CallSpec(
                target + "containerd_pull_run",
                (image.reference, auth),
                target + "forget_containerd_image",
            ),
            expect,
        ),
        "oci-wasm-artifact": Job(
            "oci-wasm-artifact", OciPullSpec(artifact.reference, auth), expect
        ),
    }


def _prepare(
    link: ShapedLink, registry: LocalRegistry, names: list[str], stack: contextlib.ExitStack
) -> _Prepared:
    from ..toolchains.build import NATIVE, build
    from ..wasm.runner import run_wasm

    wasm = build("hello", "c").path
    expect = run_wasm(wasm).check().stdout.decode()
    prepared = _Prepared({}, {})
    if any(n.startswith("docker-") for n in names):
        try:
            prepared.jobs.update(
                _docker_jobs(
                    link,
                    registry,
                    build("hello", "c", NATIVE).path,
                    expect,
                    stack,
                    names,
                    prepared.image_bytes,
                )
            )
        except KitError as err:
            prepared.failed.update({n: err.message for n in names if n.startswith("docker-")})
    if any(n.startswith("oci-") for n in names):
        prepared.jobs.update(_wasm_jobs(link, registry, wasm, expect, prepared.image_bytes))
    return prepared


def _measure(
    link: ShapedLink,
    relay_counts: Callable[[], RelayCounts],
    job: Job,
    *,
    repeat: int,
    floor_repeat: int,
    image_bytes: int = 0,
) -> PullRow:
    """The unshaped floor, then the shaped samples with the bytes and round trips per pull."""
    link.unshape()
    floor = run_in_worker([job], warmup=0, repeat=floor_repeat)
    if job.name not in floor.samples:
        raise BenchmarkError(floor.failed.get(job.name, "stopped"))
    if floor.stopped:
        raise _Stopped(job.name)
    link.shape()
    bytes_before, counts_before = link.bytes_downloaded(), relay_counts()
    shaped = run_in_worker([job], warmup=0, repeat=repeat)
    if job.name not in shaped.samples:
        raise BenchmarkError(shaped.failed.get(job.name, "stopped"))
    if shaped.stopped:
        raise _Stopped(job.name)
    pulls = len(shaped.samples[job.name]) + 1  # and the untimed check, a cold pull too
    size = round((link.bytes_downloaded() - bytes_before) / pulls)
    trips = round((relay_counts() - counts_before).round_trips / pulls)
    floor_s = median_interval(floor.samples[job.name])[1]
    return PullRow(
        job.name, size, trips, tuple(shaped.samples[job.name]), floor_s,
        estimate_s(floor_s, size, trips, link.settings), image_bytes=image_bytes,
    )  # fmt: skip


def run_pull(
    settings: LinkSettings | None = None,
    *,
    variants: list[str] | None = None,
    repeat: int = 5,
    floor_repeat: int = 3,
    on_row: Callable[[PullRow], None] | None = None,
) -> PullResult:
    """Measure every variant over the shaped link (or, where none can be made here, the
    recorded result, marked). ``repeat`` shaped samples per variant after one untimed check;
    ``on_row`` hears of each variant as it is done (a live plot draws it)."""
    from .._errors import LinkUnavailable

    settings = settings or LinkSettings()
    names = variants or list(PULL_VARIANTS)
    unknown = sorted(set(names) - set(PULL_VARIANTS))
    if unknown:
        raise BenchmarkError(
            f"unknown pull variant {unknown[0]!r}", fix=f"use {', '.join(PULL_VARIANTS)}"
        )
    try:
        with contextlib.ExitStack() as stack:
            link = stack.enter_context(ShapedLink(settings))
            return _run_on(
                link, names, stack, repeat=repeat, floor_repeat=floor_repeat, on_row=on_row
            )
    except LinkUnavailable as err:
        return recorded_pull(why=err.message)


def _run_on(
    link: ShapedLink,
    names: list[str],
    stack: contextlib.ExitStack,
    *,
    repeat: int,
    floor_repeat: int,
    on_row: Callable[[PullRow], None] | None = None,
) -> PullResult:
    relay = link.relay_to(REGISTRY_PORT)
    registry = LocalRegistry(
        port=relay.port, listen=f"{link.names.ns_address}:{REGISTRY_PORT}", launcher=link.launcher
    )
    stack.enter_context(registry)
    link.remember(folder=str(registry.folder))
    prepared = _prepare(link, registry, names, stack)
    result = PullResult(link.settings, {}, dict(prepared.failed), machine=load_now())
    for name in names:
        if name not in prepared.jobs:
            continue
        try:
            result.rows[name] = _measure(
                link,
                lambda: relay.counts,
                prepared.jobs[name],
                repeat=repeat,
                floor_repeat=floor_repeat,
                image_bytes=prepared.image_bytes.get(name, 0),
            )
            if on_row is not None:
                on_row(result.rows[name])
        except _Stopped:  # the learner's interrupt: no more variants, the link goes
            result.failed[name] = "stopped before its samples were all taken"
            break
        except KitError as err:
            result.failed[name] = err.message
    result.machine["load_average_end"] = load_now()["load_average"]
    return result


def load_now() -> dict[str, Any]:
    """The cores and the 1-, 5- and 15-minute load averages now, in the shape
    ``busy_machine_note`` reads: a pull's median moves with the machine's other work."""
    load = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return {"cores": os.cpu_count(), "load_average": load}


def recorded_pull(*, why: str = "") -> PullResult:
    """The pull result recorded on a machine that could shape a link, marked recorded."""
    from .reference import reference_path

    path = reference_path("pull", "default")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise BenchmarkError(
            f"no shaped link here ({why}) and no recorded pull data: {err}"
        ) from err
    result = PullResult.from_json(data, source=RECORDED)
    result.recorded = {**(data.get("recorded") or {}), "why": why}
    return result
