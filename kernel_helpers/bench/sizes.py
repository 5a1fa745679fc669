"""Sizes: what each packaging of the same program weighs on disk and in a registry.

:func:`run_sizes` weighs each ``.wasm`` (as built and at its smallest), the native binary,
the container images (uncompressed and as a registry stores them) and the OCI artifact;
without Docker the image sizes come from the recorded reference dataset. Each size is a
record (``results.SizeRow``: kind, label, bytes, recorded), not a label to parse. Notebook 07.
"""

from __future__ import annotations

import contextlib
from typing import Any

from .._errors import DockerUnavailable, KitError
from ..toolchains.pairs import example_builds
from .harness import machine_metadata
from .results import OCI_PACKS_NOTE, BenchResult, Sizes


def run_sizes(
    examples: tuple[str, ...] = ("hello",),
    langs: tuple[str, ...] = ("c", "cpp", "rust", "go"),
    *,
    progress: bool = True,
) -> BenchResult:
    """Bytes of every ``.wasm`` and native build, each image (uncompressed and
    compressed as pushed to a loopback registry) and the OCI artifact. Notebook 07.

    Builds and images can take tens of seconds the first time, so a progress bar names
    each step as it starts (``progress=False``: none)."""
    from tqdm.auto import tqdm

    result = BenchResult(machine=machine_metadata(), example="+".join(examples), benchmark="sizes")
    with tqdm(
        total=len(examples) * len(langs) + 1, disable=not progress, unit="step", leave=True
    ) as bar:
        _module_sizes(result, examples, langs, bar)
        bar.set_description("images and the OCI artifact")
        _image_sizes(result, examples[0])
        bar.update(1)
    return result


def _module_sizes(
    result: BenchResult, examples: tuple[str, ...], langs: tuple[str, ...], bar: Any
) -> None:
    for example in examples:
        for lang in langs:
            bar.set_description(f"{example} ({lang}): build and weigh")
            try:
                builds = example_builds(example, lang)
            except KitError as err:
                result.skipped[f"{example}.{lang}"] = err.message
                bar.update(1)
                continue
            result.sizes.add("wasm", f"{example}.wasm ({lang})", builds.wasm.stat().st_size)
            result.sizes.add(
                "wasm", f"{example}.wasm ({lang}, smallest)", _smallest_wasm(example, lang)
            )
            native_name = f"{example} native ({lang}, static)"
            if builds.native is not None:
                result.sizes.add("native", native_name, builds.native.stat().st_size)
            else:  # no compiler here: say so rather than drop the row silently
                result.skipped[native_name] = builds.native_missing or "no native build"
            bar.update(1)


def _smallest_wasm(example: str, lang: str) -> int:
    """Bytes after stripping custom sections (and wasm-opt -Oz where installed): what
    would ship, since a debug build's names and DWARF dwarf the code."""
    from ..toolchains.prebuilt import wasm_module
    from ..toolchains.shrink import smallest

    return smallest(wasm_module(example, lang)).bytes


def _image_sizes(result: BenchResult, example: str) -> None:
    from ..containers.docker import connect
    from ..containers.images import distro_image, image_sizes, owner_tag, run_images, scratch_image
    from ..containers.oci import push_wasm
    from ..containers.registry import LocalRegistry

    builds = example_builds(example, "c")
    with contextlib.ExitStack() as stack:
        try:
            registry: LocalRegistry | None = stack.enter_context(LocalRegistry())
        except KitError as err:
            registry = None
            result.skipped["oci-wasm artifact"] = err.message
        if registry is not None:
            for style in ("artifact", "image"):
                pushed = push_wasm(
                    builds.wasm, registry, repository=f"kit/{example}-wasm", style=style
                )
                result.sizes.add("oci-wasm", f"oci-wasm {style}", pushed.size_bytes)
            result.notes[OCI_PACKS_NOTE] = (
                f"{example}.wasm (c)"  # so the verdict compares like with like
            )
        try:
            client = connect()
        except DockerUnavailable as err:
            _recorded_image_sizes(result, err.message)
            return
        stack.callback(client.close)
        labels = stack.enter_context(run_images(client))  # the images go when the run ends
        for name, build in (("docker-scratch", scratch_image), ("docker-debian", None)):
            tag = owner_tag(f"kit-{example}-{name.split('-')[1]}-sizes")
            if build is not None:
                build(builds.require_native(), tag, labels=labels, client=client)
            else:
                _, base = distro_image(builds.require_native(), tag, labels=labels, client=client)
                result.notes["docker-debian"] = f"base image {base.tag}: {base.description}"
            sizes = image_sizes(tag, registry=registry, client=client)
            result.sizes.add("image", f"{name} image", sizes["uncompressed"])
            result.sizes.add("image", f"{name} image (compressed)", sizes["compressed"])


def _recorded_image_sizes(result: BenchResult, reason: str) -> None:
    from .reference import recorded_result

    try:
        recorded = recorded_result("startup", "hello")
    except KitError as err:
        result.skipped["docker images"] = f"{reason}; {err.message}"
        return
    for row in Sizes(recorded.sizes).rows():
        if row.label.startswith("docker-"):
            result.sizes.add(row.kind, row.label, row.bytes, recorded=True)
    result.recorded = {**(recorded.recorded or {}), "sizes": True}
    result.notes["docker images"] = f"recorded, not measured here: {reason}"
