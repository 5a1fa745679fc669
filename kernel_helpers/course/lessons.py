"""The few calls notebooks 06-09 make, each with its friendly fallback.

Every helper here does the real thing when the machine allows it (Docker, the local
registry, compilers) and otherwise falls back to recorded data or to an in-memory path,
saying so in plain words. Nothing here raises into a notebook for a missing component.
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._display import ShownAsText, describe_machine
from .._errors import KitError
from ..report.plots import LiveStartupPlot

#: Small by default so a headless run of notebook 06 stays well under 90 s; the learner's
#: Start button runs again with as many repetitions as they like.
NOTEBOOK_REPEAT = 5
NOTEBOOK_WARMUP = 1


def lesson_module(example: str = "hello", lang: str = "c") -> Path:
    """The ``.wasm`` of an example (built here, or a prebuilt stand-in). Notebook 07."""
    from ..toolchains.builds import example_builds

    return example_builds(example, lang).wasm


def live_startup(
    example: str = "hello", *, repeat: int = NOTEBOOK_REPEAT, warmup: int = NOTEBOOK_WARMUP,
    run: bool = True,
) -> LiveStartupPlot[Any]:
    """Show the live start-up plot with Start/Stop and run it once in this cell (notebook 06).

    If the run fails (Docker went away mid-run, a build failed), the plot shows the
    recorded reference data instead and ``live.error`` says what happened.
    """
    from ..bench.startup import VARIANTS, run_startup

    names = [v.name for v in VARIANTS]
    live: LiveStartupPlot[Any] = LiveStartupPlot(
        names, expected_samples=len(names) * repeat, title=f"Start-up of '{example}', live"
    )

    def runner(on_sample: Any, stop: Any) -> Any:
        return run_startup(example, repeat=repeat, warmup=warmup, on_sample=on_sample, stop=stop,
                           progress=False)

    live.show()
    if run:
        live.run(runner, blocking=True)
        if live.error is not None:
            fall_back_to_recorded(live, example)
    else:
        live.set_runner(runner)
    return live


def fall_back_to_recorded(live: LiveStartupPlot[Any], example: str = "hello") -> None:
    """Put the recorded reference result in ``live.result`` and on the plot, and say why."""
    from ..bench.reference import recorded_result

    reason = str(live.error).splitlines()[0] if live.error else "no measurement"
    print(f"The live run did not finish ({reason}).")
    try:
        live.result = recorded_result("startup", example)
    except KitError as err:
        print(f"No recorded data either: {err}")
        return
    print("Showing the recorded reference run instead: every figure below is recorded, not measured here.")
    for measurement in live.result.variants.values():
        measurement.source = "recorded"
    live.result.recorded = {"machine": live.result.machine, "date": live.result.machine.get("date_utc")}
    live.show_result(live.result)
    live.state = "failed; recorded data shown"
    live.redraw()


def shrunk_sizes(example: str = "hello") -> dict[str, int]:
    """Each language's module stripped and, where binaryen is here, ``wasm-opt -Oz``'d
    (notebook 07 adds these to the size chart). A language that cannot build is left out."""
    from ..toolchains.build import shrink, wasm_module
    from ..toolchains.detect import LANGUAGES

    sizes: dict[str, int] = {}
    for lang in LANGUAGES:
        try:
            steps = shrink(wasm_module(example, lang))
        except KitError:
            continue
        for step in steps:
            sizes[f"{example}.wasm ({lang}, {step.variant})"] = step.bytes
    return sizes


# --- notebook 07: the image's platform ----------------------------------------------------


@dataclass(repr=False)
class ImagePlatform(ShownAsText):
    """Which os/architecture an image's config names, and where that came from. Notebook 07."""

    reference: str
    os: str
    architecture: str
    source: str  # "measured" or "recorded on ..."
    config_excerpt: dict[str, Any] = field(default_factory=dict)

    @property
    def platform(self) -> str:
        return f"{self.os}/{self.architecture}"

    def text(self) -> str:
        where = "" if self.source == "measured" else f" ({self.source}, not inspected here)"
        return f"{self.reference}: {self.platform}{where}"

    def _repr_html_(self) -> str:
        return f"<p>image <code>{html.escape(self.reference)}</code>: <b>{html.escape(self.platform)}</b>" + (
            "" if self.source == "measured" else f" <i>({html.escape(self.source)}, not inspected here)</i>"
        ) + "</p>"


GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "amd64": "amd64"}


def image_platform(example: str = "hello") -> ImagePlatform:
    """Inspect the FROM scratch image of ``example`` (building it if needed); without
    Docker, the platform of the machine that recorded the reference data. Notebook 07."""
    from .._errors import DockerUnavailable
    from ..containers.docker import connect

    tag = f"kit-{example}-scratch:bench"
    try:
        client = connect()
    except DockerUnavailable:
        return _recorded_platform(tag)
    try:
        try:
            image = client.images.get(tag)
        except Exception:  # not built yet: notebook 07 may run before 06
            from ..containers.images import scratch_image
            from ..toolchains.builds import example_builds

            scratch_image(example_builds(example, "c").require_native(), tag, client=client)
            image = client.images.get(tag)
        attrs = image.attrs
        excerpt = {key: attrs.get(key) for key in ("Os", "Architecture", "Variant", "Size") if attrs.get(key)}
        return ImagePlatform(tag, str(attrs.get("Os")), str(attrs.get("Architecture")), "measured", excerpt)
    finally:
        client.close()


def _recorded_platform(tag: str) -> ImagePlatform:
    from ..bench.reference import recorded_result

    machine = recorded_result("startup", "hello").machine
    arch = GO_ARCH.get(str(machine.get("machine")), str(machine.get("machine")))
    date = str(machine.get("date_utc", ""))[:10]
    return ImagePlatform(tag, "linux", arch, f"recorded on {describe_machine(machine)}, {date}",
                         {"Os": "linux", "Architecture": arch})


# --- notebook 09: a module through a registry ----------------------------------------------


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
