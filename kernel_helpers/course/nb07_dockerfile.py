"""Notebook 07, exercise 4 · an image under a megabyte: the learner's Dockerfile read,
built, run and weighed, with a hint for each way it can go wrong."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._display import ShownAsText, format_bytes
from .._errors import KitError
from .checks import (
    CheckResult,
    Unusable,
    exercise,
    not_yet,
    right,
    wrong,
)

#: The exercise's limit: a FROM scratch image of the static hello fits, any distribution base does not.
SIZE_LIMIT_BYTES = 1_000_000


@dataclass(repr=False)
class BuildContext(ShownAsText):
    """The folder exercise 4's check builds in: each file's name, path and what it is, and
    the files left out (no compiler for them here) with why. Notebook 07."""

    files: dict[str, tuple[Path, str]]
    left_out: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        lines = [
            f"{name:14} {format_bytes(path.stat().st_size):>9}  {what}"
            for name, (path, what) in self.files.items()
        ]
        lines += [f"{name:14} {'-':>9}  left out: {why}" for name, why in self.left_out.items()]
        return "\n".join(lines)


def dockerfile_context(example: str = "hello") -> BuildContext:
    """``hello`` (static), ``hello-dynamic`` (linked against the system's C library) and
    ``hello.wasm``: the files a Dockerfile in exercise 4 may COPY. Notebook 07."""
    from ..toolchains.build import dynamic_native_binary, native_binary
    from ..toolchains.prebuilt import wasm_module

    context = BuildContext({})
    makers = {
        example: (native_binary, "the static native build: everything it needs is inside it"),
        f"{example}-dynamic": (
            dynamic_native_binary,
            "the same program linked against this system's shared C library",
        ),
        f"{example}.wasm": (wasm_module, "the wasm module of notebook 02"),
    }
    for name, (make, what) in makers.items():
        try:
            context.files[name] = (make(example, "c").path, what)
        except KitError as err:
            context.left_out[name] = err.message
    return context


@dataclass(frozen=True)
class DockerfileReading:
    """What a Dockerfile says, read without building it: its bases, what it copies, and
    whether it names a program to start (and in which form)."""

    bases: tuple[str, ...]
    sources: tuple[str, ...]
    starts: str  # "json", "shell" or "" (no ENTRYPOINT or CMD)
    user: str = ""  # the last USER's argument: "" (none) runs as root, Docker's default

    @classmethod
    def of(cls, text: str) -> DockerfileReading:
        bases: list[str] = []
        sources: list[str] = []
        starts = user = ""
        for instruction, arguments in _instructions(text):
            if instruction == "FROM":
                words = [w for w in arguments.split() if not w.startswith("--")]
                bases.append(words[0].lower() if words else "")
            elif instruction in ("COPY", "ADD"):
                sources += _copy_sources(arguments)
            elif instruction in ("ENTRYPOINT", "CMD"):
                starts = "json" if arguments.lstrip().startswith("[") else "shell"
            elif instruction == "USER":
                user = arguments.strip()
        return cls(tuple(bases), tuple(sources), starts, user)

    @property
    def runs_as_root(self) -> bool:
        """No USER, or one naming root (by name or uid 0, with any group)."""
        return self.user.split(":")[0].strip() in ("", "root", "0")


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) for each line, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        words = line.strip().split(maxsplit=1)
        if words and not words[0].startswith("#"):
            found.append((words[0].upper(), words[1] if len(words) > 1 else ""))
    return found


def _copy_sources(arguments: str) -> list[str]:
    if arguments.lstrip().startswith("["):
        try:
            listed = [str(word) for word in json.loads(arguments)]
        except ValueError:
            listed = []
    else:
        listed = [w for w in arguments.split() if not w.startswith("--")]
    return [source.lstrip("./") or "." for source in listed[:-1]]


def _dockerfile_text(answer: object) -> str:
    if not isinstance(answer, str) or not answer.strip():
        raise Unusable(
            "answer with the Dockerfile as text, a string.",
            'For example "FROM ...\\nCOPY ... ...\\nENTRYPOINT [...]\\n".',
        )
    if not any(instruction == "FROM" for instruction, _ in _instructions(answer)):
        raise Unusable(
            "a Dockerfile starts with FROM, naming the image it builds on.",
            "FROM scratch starts from an empty image.",
        )
    return answer


def _read_hint(reading: DockerfileReading, context: BuildContext) -> tuple[str, str] | None:
    """A problem the Dockerfile shows without being built, and its hint; None if none shows."""
    names = ", ".join(context.files)
    for source in reading.sources:
        if source != "." and source not in context.files:
            return (
                f"there is no {source!r} in the build context.",
                f"The context holds only: {names}.",
            )
    if not reading.starts:
        return (
            "nothing tells docker run what to start.",
            'Add ENTRYPOINT ["/hello"], naming the path you copied the program to.',
        )
    if reading.bases[-1] == "scratch" and reading.starts == "shell":
        return (
            "the shell form of ENTRYPOINT or CMD runs /bin/sh -c, and scratch has no shell.",
            'Use the JSON form, ENTRYPOINT ["/hello"], which execs the program itself.',
        )
    if reading.runs_as_root:  # cell 2's Dockerfile, copied, stops here (walk 7, S24)
        return (
            "this image would run hello as root, Docker's default, as cell 2's did; the "
            "exercise asks for an unprivileged user.",
            "Add a USER line naming a user other than root.",
        )
    return None


@exercise("07 · exercise 4 (an image under a megabyte)")
def check_small_dockerfile(answer: object) -> CheckResult:
    """Notebook 07: a Dockerfile whose image runs hello and weighs under
    :data:`SIZE_LIMIT_BYTES`. With Docker the check builds it in :func:`dockerfile_context`,
    runs it hardened, reads its size and removes it; without, it reads it."""
    from .._errors import DockerUnavailable
    from ..containers.docker import connect

    dockerfile = _dockerfile_text(answer)
    reading = DockerfileReading.of(dockerfile)
    context = dockerfile_context()
    found = _read_hint(reading, context)
    if found is not None:
        return wrong(*found)
    try:
        client = connect()
    except DockerUnavailable as err:
        base = (
            ""
            if reading.bases[-1] == "scratch"
            else f" It builds on {reading.bases[-1]}: count on more than a megabyte."
        )
        return not_yet(
            f"Docker is not here, so this Dockerfile was read but not built.{base}",
            f"To build it: {err.fix}" if err.fix else None,
        )
    with contextlib.closing(client):
        return _build_run_and_weigh(client, dockerfile, reading, context)


def _build_run_and_weigh(
    client: Any, dockerfile: str, reading: DockerfileReading, context: BuildContext
) -> CheckResult:
    from ..containers.images import build_image, owner_tag, run_container, run_images
    from .nb06 import hello_output

    tag = owner_tag("kit-exercise-07")
    with run_images(client) as labels:  # the learner's image goes when the check ends
        files = {name: path for name, (path, _) in context.files.items()}
        try:
            build_image(tag, files, dockerfile, purpose="exercise", labels=labels, client=client)
        except KitError as err:
            return _build_failed(err.message, reading, client)
        try:
            run = run_container(tag, client=client)
        except KitError as err:
            return _start_failed(err.message)
        size = int(client.images.get(tag).attrs["Size"])
    printed = run.stdout.decode("utf-8", "replace")
    if run.exit_code != 0 or printed != hello_output():
        return _run_failed(run.exit_code, printed, run.stderr.decode("utf-8", "replace"), reading)
    if size > SIZE_LIMIT_BYTES:
        return wrong(
            f"it runs, but the image weighs {format_bytes(size)} (measured): over the limit of "
            f"{format_bytes(SIZE_LIMIT_BYTES)}.",
            _base_hint(reading.bases[-1], client),
        )
    return right(
        f"yes: it printed {printed.strip()!r} as user {reading.user}, and weighs "
        f"{format_bytes(size)}, under {format_bytes(SIZE_LIMIT_BYTES)}: the image is the "
        "program and next to nothing else."
    )


def _base_hint(base: str, client: Any) -> str:
    from ..containers.images import DEBIAN_BASE

    if base == "scratch":
        return "Copy only the program: every other file counts too."
    measured = _kit_base_size(client) if base != DEBIAN_BASE else ""
    return (
        f"{base} brings a distribution's files{measured}; "
        "FROM scratch starts empty, and the static hello needs nothing else."
    )


def _kit_base_size(client: Any) -> str:
    """The kit's Debian base as measured here, when this daemon has it: a real figure for the hint."""
    import docker.errors

    from ..containers.images import DEBIAN_BASE

    try:
        size = int(client.images.get(DEBIAN_BASE).attrs["Size"])
    except docker.errors.ImageNotFound:
        return ""
    return f" (the kit's Debian base here weighs {format_bytes(size)})"


def _build_failed(said: str, reading: DockerfileReading, client: Any) -> CheckResult:
    words = said.split(" failed: ", 1)[-1]
    if "/bin/sh" in words:
        return wrong(
            "RUN runs its command with /bin/sh inside the image, and scratch has no shell.",
            "Leave RUN out: hello is already built; COPY it in.",
        )
    if reading.bases[-1] != "scratch" and (
        "registry" in words or "pull access" in words or "not found" in words
    ):
        return wrong(
            f"Docker could not fetch {reading.bases[-1]}: {words}",
            _base_hint(reading.bases[-1], client),
        )
    return wrong(
        f"docker build failed: {words}",
        "Read Docker's words above: they name the line it stopped at.",
    )


def _start_failed(said: str) -> CheckResult:
    if "No command specified" in said:
        return wrong("the image does not say what to start.", 'Add ENTRYPOINT ["/hello"].')
    unknown_user = re.search(r"unable to find user ([^:]+): no matching entries in passwd", said)
    if unknown_user:
        return wrong(
            f"Docker could not find the user {unknown_user[1]!r}: it looks names up in the "
            "image's /etc/passwd, and scratch has none.",
            "Name the user by number: any uid but 0 is unprivileged (nobody is 65534).",
        )
    missing_file = re.search(r'exec: "([^"]+)": stat [^:]+: no such file or directory', said)
    if missing_file:
        return wrong(
            f"the image has no {missing_file[1]} to start.",
            "ENTRYPOINT must name the path inside the image that you copied the program to.",
        )
    return wrong(f"the container could not start: {said}")


def _run_failed(code: int, printed: str, stderr: str, reading: DockerfileReading) -> CheckResult:
    said = (
        stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {code}, printed {printed!r}"
    )
    if "exec format error" in stderr:
        return wrong(
            f"Linux could not run it: {said}.",
            "hello.wasm is not a Linux program: runc cannot exec it (a wasm shim can: notebook 09). "
            "Copy the native build.",
        )
    if "no such file or directory" in stderr and any(
        s.endswith("-dynamic") for s in reading.sources
    ):
        return wrong(
            f"Linux could not start it: {said}.",
            "The file is there, but a dynamically linked program needs the system's C library and its "
            "loader (/lib64/ld-linux-...), which scratch does not have. Which file in the list "
            "needs nothing else?",
        )
    if "no such file or directory" in stderr:
        return wrong(
            f"Linux could not start it: {said}.",
            "ENTRYPOINT must name the path inside the image that you copied the program to.",
        )
    return wrong(f"the container ran but did not print hello's line: {said}.")
