"""Notebook 07 · sizes and portability: the module to compare, shrunk sizes, the image's platform."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._display import ShownAsHtml, ShownAsText, describe_machine, format_bytes
from .._errors import KitError
from .checks import IN_NOTEBOOK, CheckResult, Solution, exercise, right, wrong


@exercise("07 · exercise 1 (the smallest artifact)")
def check_smallest_artifact(answer: object, sizes: Mapping[str, int]) -> CheckResult:
    """Notebook 07: the name of the smallest artifact in ``sizes``; where several weigh
    the same (a stripped module that wasm-opt could not shrink further), any of them."""
    if not isinstance(answer, str):
        return wrong(f"answer with the artifact's name as a string, not {answer!r}.")
    least = min(sizes.values())
    smallest = sorted(name for name, size in sizes.items() if size == least)
    given = answer.strip()
    if given in smallest:
        others = [name for name in smallest if name != given]
        tie = f" (tied with {', '.join(others)}: the same size, so either answer is right)" if others else ""
        return right(f"yes: {given}, {format_bytes(least)}{tie}.")
    if given not in sizes:
        return wrong(f"there is no artifact called {answer!r}.", "Copy a name from the chart's labels.")
    return wrong(
        f"{answer} weighs {format_bytes(sizes[answer.strip()])}; something is lighter.",
        "The chart is sorted by kind, not by size; read the bar lengths (the axis is logarithmic).",
    )


@exercise("07 · exercise 2 (the image's platform)")
def check_image_platform(answer: object, platform: str) -> CheckResult:
    """Notebook 07: the ``os/architecture`` the container image is tied to (``platform``)."""
    if not isinstance(answer, str) or "/" not in answer:
        return wrong("answer like 'os/architecture', for example 'linux/arm64'.")
    if answer.strip().lower() == platform.lower():
        return right(
            f"yes: {platform}. That image runs only there; the .wasm above ran unchanged under two hosts."
        )
    return wrong(
        f"the image's config says something else than {answer}.",
        "Read the 'Os' and 'Architecture' fields the inspect cell printed.",
    )

def lesson_module(example: str = "hello", lang: str = "c") -> Path:
    """The ``.wasm`` of an example (built here, or a prebuilt stand-in). Notebook 07."""
    from ..toolchains.builds import example_builds

    return example_builds(example, lang).wasm


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


@dataclass(repr=False)
class ImagePlatform(ShownAsText, ShownAsHtml):
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

    def html(self) -> str:
        return f"<p>image <code>{html.escape(self.reference)}</code>: <b>{html.escape(self.platform)}</b>" + (
            "" if self.source == "measured" else f" <i>({html.escape(self.source)}, not inspected here)</i>"
        ) + "</p>"


GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "amd64": "amd64"}


def image_platform(example: str = "hello") -> ImagePlatform:
    """Inspect the FROM scratch image of ``example`` (building it if needed); without
    Docker, the platform of the machine that recorded the reference data. Notebook 07."""
    from .._errors import DockerUnavailable
    from ..containers.docker import connect
    from .nb06 import hello_image, hello_image_tag

    try:
        client = connect()
    except DockerUnavailable:
        return _recorded_platform(hello_image_tag(example))
    try:
        tag = hello_image(example, client=client)
        attrs = client.images.get(tag).attrs
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


SOLUTIONS = (
    Solution(
        "07", 1,
        """
    least = min(sizes.sizes.values())
    answer = sorted(name for name, size in sizes.sizes.items() if size == least)[0]
    kh.check_smallest_artifact(answer, sizes.sizes)
    """,
        "Find the least size first, then a name with that size: several artifacts can tie "
        "(a stripped module wasm-opt could not shrink), and any of them is right.",
        IN_NOTEBOOK,
    ),
    Solution(
        "07", 2,
        """
    answer = platform.platform
    kh.check_image_platform(answer, platform.platform)
    """,
        "An image config's Os and Architecture fields name the one platform its binaries run on.",
        IN_NOTEBOOK,
    ),
)
