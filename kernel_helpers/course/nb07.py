"""Notebook 07 · sizes and portability: the module to compare, shrunk sizes, the image's platform."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._display import (
    ShownAsHtml,
    ShownAsText,
    describe_machine,
    format_bytes,
    format_seconds,
    format_span,
    in_words,
)
from .._errors import KitError
from .checks import (
    IN_NOTEBOOK,
    CheckResult,
    Solution,
    exercise,
    grade_prediction,
    not_yet,
    prediction_exercise,
    right,
    states_measurement,
    wrong,
)

#: What a prediction far above a small image's pull likely counted: its bytes as many.
PULL_TOO_HIGH = (
    "Where it went, part by part, is above: a small image's bytes cross the link in a "
    "fraction of a second (size × 8 / rate), and what is left is round trips and Docker's "
    "own work."
)
PULL_HINT = (
    "The bytes are one part: size × 8 / rate. Each HTTP exchange of the pull also waits a "
    "round trip (about ten of them), and Docker's own pull + run costs what notebook 06 "
    "measured, link or no link."
)


@prediction_exercise("07 · exercise 2 (predict, then measure: a small image's pull)", measured_at=1)
def check_pull_prediction(
    prediction: object, pull: Any, variant: str = "docker-scratch"
) -> CheckResult:
    """Notebook 07: the learner's prediction, in seconds, of ``variant``'s cold pull + run
    over the run's link, against the median ``pull`` (a PullResult) measured or recorded.
    It judges the result it is given, never a new pull: re-checking a prediction must not
    move the target (walk 7, S18)."""
    from .checks import number

    try:
        guess = number(prediction)
    except (TypeError, ValueError):
        return wrong(f"answer with a number of seconds, not {prediction!r}.")
    row = pull.rows.get(variant)
    if row is None:
        return not_yet(f"the run above has no {variant} row to compare with.")
    source = "recorded (not measured here)" if pull.recorded is not None else "measured"
    low, high = row.interval_s
    against = (
        f"{format_seconds(row.median_s)} {source}, the median of the {len(row.samples_s)} "
        f"samples in `pull` ({format_span(low, high)}), over "
        f"{pull.link.rate_mbit:g} Mbit/s and {pull.link.rtt_ms:g} ms round trip"
    )
    # The reply says what kh.pull_story says, with the same numbers (walk 13): the
    # estimate's parts as shares of it, and the guess graded on them.
    from .nb07_capacity import PullParts, download_guess_said, estimate_said

    parts, kind = PullParts.of(row, pull.link), source.split(" ")[0]  # measured | recorded
    where = estimate_said(parts, pull.link, row, kind)
    # The course's factor of 2 either way: a link, a registry and a daemon are too noisy
    # for closer.
    return grade_prediction(
        guess,
        row.median_s,
        said=format_seconds,
        measurement=f"the pull took {against}",
        lesson=f"Where it went: {where}. {download_guess_said(variant, parts, kind)}"
        f"{_load_said(pull)}",
        missed=(PULL_TOO_HIGH, PULL_HINT),
    )


def _load_said(pull: Any) -> str:
    """How busy the machine was while it pulled: on a shared machine the same pull can take
    twice as long a minute later, so the median is read beside the load."""
    from ..report.verdicts import busy_machine_note

    machine = getattr(pull, "machine", None) or {}
    busy = busy_machine_note(machine)
    if busy:
        return f" This pull was {busy}."
    loads = [
        load[0] for load in (machine.get("load_average"), machine.get("load_average_end")) if load
    ]
    if not loads or not machine.get("cores"):
        return ""
    return (
        f" The machine was not busy while it pulled: load average up to {max(loads):.1f} on "
        f"{machine['cores']} cores."
    )


#: Exercise 1's four kinds of artifact, by the name ``artifact_kind`` gives each size's
#: label, and what each one carries besides hello's own code: the lesson the check says.
KINDS = {
    "wasm module": (
        "wasm",
        "only the bits of libc it calls (the host brings the rest through WASI)",
    ),
    "native binary": (
        "native",
        "libc's code for every system call it makes (a static build)",
    ),
    "container image": ("image", "a binary (and maybe an OS's files) in a gzip'd tar layer"),
    "OCI artifact": (
        "oci-wasm",
        "the module's bytes (gzip'd in the image shape), a manifest and a config",
    ),
}
_KIND_HINT = (
    "Ask what each kind must carry besides hello's own code: a C library? an operating "
    "system's files? a tar and a manifest? The section after the chart says it."
)


@prediction_exercise(
    "07 · exercise 1 (predict, then measure: the lightest artifact)", measured_at=1
)
def check_smallest_artifact(prediction: object, sizes: Mapping[str, int]) -> CheckResult:
    """Notebook 07: the kind of artifact (one of ``KINDS``) the learner predicted would be
    the lightest, before the cell that weighs them, against what that cell measured. Either
    reply states the lightest and what it carries: the first prediction graded stands."""
    from ..bench.results import artifact_kind

    given = str(prediction).strip() if isinstance(prediction, str) else None
    if given not in KINDS:
        return wrong(f"answer with one of: {', '.join(repr(k) for k in KINDS)}.")
    least = min(sizes.values())
    lightest = sorted(name for name, size in sizes.items() if size == least)[0]
    measured_kind = next(
        (kind for kind, (key, _) in KINDS.items() if key == artifact_kind(lightest)), None
    )
    measured = f"this run weighed {lightest} lightest, {format_bytes(least)}"
    if given == measured_kind:
        return states_measurement(
            right(f"{measured}, as you predicted: it carries {KINDS[given][1]}.")
        )
    own = _lightest_of_kind(sizes, KINDS[given][0])
    of_yours = f"; the lightest {given} weighed {format_bytes(own)}" if own else ""
    lesson = f"{_a(given).capitalize()} {given} carries {KINDS[given][1]}." + (
        f" The lightest, {_a(measured_kind)} {measured_kind}, carries {KINDS[measured_kind][1]}."
        if measured_kind
        else ""
    )
    return states_measurement(
        wrong(f"you predicted {_a(given)} {given}; {measured}{of_yours}. {lesson}", _KIND_HINT)
    )


def _a(kind: str) -> str:
    """The article for ``kind``: it follows the sound ("an OCI artifact"), and every kind
    sounds as it is spelt."""
    return "an" if kind[0] in "aeiouAEIOU" else "a"


def _lightest_of_kind(sizes: Mapping[str, int], kind: str) -> int | None:
    from ..bench.results import artifact_kind

    of_kind = [size for name, size in sizes.items() if artifact_kind(name) == kind]
    return min(of_kind) if of_kind else None


@dataclass(frozen=True)
class Machine:
    """A machine exercise 3 wants ``hello`` to run on, and the platform it pulls."""

    name: str
    #: ``os/architecture``, as an image's config and an image index name it.
    platform: str
    #: Where its platform comes from, when the run read it (this machine's image).
    source: str = ""


#: Exercise 3's machines besides this one, each with the platform its CPU needs.
OTHER_MACHINES = (
    Machine("a Raspberry Pi 5", "linux/arm64"),
    Machine("an AWS Graviton server", "linux/arm64"),
    Machine("a RISC-V board (a StarFive VisionFive 2)", "linux/riscv64"),
)


@dataclass(repr=False)
class Fleet(ShownAsText):
    """The machines of exercise 3, this one first. Notebook 07.

    The answer is computed from them, never written down: one image per distinct platform
    (so it depends on this machine's, which the run inspected), one artifact for all."""

    machines: tuple[Machine, ...]

    @property
    def platforms(self) -> list[str]:
        """The distinct platforms, in the order the machines name them."""
        return list(dict.fromkeys(m.platform for m in self.machines))

    def sharing(self) -> list[str]:
        """Each platform two or more machines share: ``"A and B share linux/arm64"``."""
        said = []
        for platform in self.platforms:
            names = [m.name for m in self.machines if m.platform == platform]
            if len(names) > 1:
                said.append(f"{in_words(names)} share {platform}")
        return said

    def text(self) -> str:
        rows = [f"{m.name:42} {m.platform:14} {m.source}".rstrip() for m in self.machines]
        return "\n".join(rows)


def fleet(platform: str) -> Fleet:
    """Exercise 3's machines: this one (whose image is ``platform``) and the others, each
    with the platform it would pull. Notebook 07."""
    here = Machine("this machine", platform, "(the image inspected above)")
    return Fleet((here, *OTHER_MACHINES))


_IMAGES_HINT = (
    "An image's config names one os/architecture, as the one above does, and its machine "
    "code runs on that platform only. An index lists one image per platform: which of "
    "the machines, this one included, could pull the same image?"
)
_ARTIFACTS_HINT = (
    "Read the platform the wasm OCI artifact's config names above: does it name a CPU? "
    "Who turns its bytes into machine code, and when?"
)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _two_counts(answer: object) -> tuple[int, int] | None:
    """``(images, artifacts)`` as two whole numbers, or None for any other answer."""
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in answer):
        return None
    return answer[0], answer[1]


@exercise("07 · exercise 3 (one program, four machines)")
def check_image_platform(answer: object, platform: str) -> CheckResult:
    """Notebook 07: how many images an image index must list, and how many wasm OCI
    artifacts a registry must hold, for ``hello`` to run on the machines of :func:`fleet`
    (this one's image is ``platform``). Walk 3, S21 and walk 10, S11: asked which of the
    two runs on arm64, the learner read the answer off the two platforms printed above
    it; now the count follows from them only by reasoning about every machine."""
    counts = _two_counts(answer)
    if counts is None:
        return wrong(
            f"answer with two whole numbers, (images, artifacts), not {answer!r}.",
            "For example (5, 5) would say: five images and five artifacts.",
        )
    machines = fleet(platform)
    images, artifacts = len(machines.platforms), 1
    given_images, given_artifacts = counts
    if counts == (images, artifacts):
        shared = "; ".join(machines.sharing()) or "no two machines share one"
        return right(
            f"{counts}: an image holds machine code for one platform, so the index lists "
            f"one per platform among {', '.join(machines.platforms)} ({shared}); the "
            "artifact says wasi/wasm, bytecode that each host's runtime compiles for its "
            f"own CPU, so one serves all {len(machines.machines)} machines. That is "
            "portability, in bytes."
        )
    problems, hints = [], []
    if given_images != images:
        counted = (
            " (machines that share a platform can pull one image)"
            if (given_images == len(machines.machines))
            else ""
        )
        problems.append(f"not {_count(given_images, 'image')}{counted}")
        hints.append(_IMAGES_HINT)
    if given_artifacts != artifacts:
        problems.append(f"not {_count(given_artifacts, 'artifact')}")
        hints.append(_ARTIFACTS_HINT)
    return wrong("; ".join(problems) + ".", " ".join(hints))


def lesson_module(example: str = "hello", lang: str = "c") -> Path:
    """The ``.wasm`` of an example (built here, or a prebuilt stand-in). Notebook 07."""
    from ..toolchains.pairs import example_builds

    return example_builds(example, lang).wasm


def shrunk_sizes(example: str = "hello") -> dict[str, int]:
    """Each language's module stripped and, where binaryen is here, ``wasm-opt -Oz``'d
    (notebook 07 adds these to the size chart). A language that cannot build is left out."""
    from ..toolchains.detect import LANGUAGES
    from ..toolchains.prebuilt import wasm_module
    from ..toolchains.shrink import shrink

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
        return (
            f"<p>image <code>{html.escape(self.reference)}</code>: <b>{html.escape(self.platform)}</b>"
            + (
                ""
                if self.source == "measured"
                else f" <i>({html.escape(self.source)}, not inspected here)</i>"
            )
            + "</p>"
        )


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
        excerpt = {
            key: attrs.get(key)
            for key in ("Os", "Architecture", "Variant", "Size")
            if attrs.get(key)
        }
        return ImagePlatform(
            tag, str(attrs.get("Os")), str(attrs.get("Architecture")), "measured", excerpt
        )
    finally:
        client.close()


def _recorded_platform(tag: str) -> ImagePlatform:
    from ..bench.reference import recorded_result

    machine = recorded_result("startup", "hello").machine
    arch = GO_ARCH.get(str(machine.get("machine")), str(machine.get("machine")))
    date = str(machine.get("date_utc", ""))[:10]
    return ImagePlatform(
        tag,
        "linux",
        arch,
        f"recorded on {describe_machine(machine)}, {date}",
        {"Os": "linux", "Architecture": arch},
    )


SOLUTIONS = (
    Solution(
        "07",
        1,
        """
    lightest_prediction = "wasm module"  # written before the sizes cell ran
    kh.check_smallest_artifact(lightest_prediction, sizes.sizes)  # sizes: that cell's run
    """,
        "A C module carries only the bits of libc it calls, and no OS: the host brings the "
        "rest through WASI. A static binary carries libc's code for its system calls, an "
        "image wraps a binary in a tar, an artifact adds a manifest and a config.",
        IN_NOTEBOOK,
    ),
    Solution(
        "07",
        2,
        """
    prediction = 0.36e6 * 8 / 50e6 + 10 * 0.020 + 0.5  # bytes, ~10 round trips, docker's own work
    kh.check_pull_prediction(prediction, pull)  # pull: the measuring cell's run
    """,
        "The scratch image's few hundred kilobytes take a few tens of milliseconds at 50 Mbit/s; "
        "the round trips of the registry's HTTP exchanges and Docker's own pull + run take the "
        "rest. The bytes dominate only for images of tens of megabytes.",
        IN_NOTEBOOK,
    ),
    Solution(
        "07",
        3,
        """
    # One image per distinct platform (machine code for one CPU); one artifact for all.
    machines = kh.fleet(platform.platform)
    answer = (len({m.platform for m in machines.machines}), 1)
    kh.check_image_platform(answer, platform.platform)
    """,
        "An image config's Os and Architecture name the one CPU its binaries run on, so an "
        "index needs one image per platform, and machines that share one share it; a module "
        "says wasi/wasm, and each host compiles it for its own CPU.",
        IN_NOTEBOOK,
    ),
    Solution(
        "07",
        4,
        """
    answer = 'FROM scratch\\nCOPY hello /hello\\nUSER 65534\\nENTRYPOINT ["/hello"]\\n'
    kh.check_small_dockerfile(answer)
    """,
        "An empty base and the static build: the image is the program. hello-dynamic would need the "
        "system's C library and its loader, which scratch lacks; hello.wasm is no Linux program at all. "
        "USER by number: scratch has no /etc/passwd to look a name such as nobody up in.",
        needs="docker",
    ),
)
