"""The WASI probe: one small C program that asks for one capability at a time.

Notebook 04 runs it under WASI to show what a module is given (arguments, environment,
clocks, randomness, stdin/stdout, exit codes, the folders it was handed) and what it is
refused (any other file, ``..``). The same source, built as a static native binary in a
``FROM scratch`` image, shows what a container sees by default. Without a C compiler the
shipped ``data/wasi_probe.wasm`` runs instead; without Docker the container side is a
recording, marked as such.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._display import ShownAsHtml
from .._errors import DockerUnavailable, KitError, ToolchainMissing
from .._system import DATA_DIR
from ..containers.docker import connect
from ..containers.images import owner_tag, scratch_image
from ..toolchains.build import NATIVE, compile_source
from ..wasm.runner import WasiResult, run_wasm

DATA = DATA_DIR
PROBE_SOURCE = DATA / "wasi_probe.c"
#: Built from PROBE_SOURCE with clang + wasi-libc, custom sections stripped; used only
#: where no C compiler for wasm exists.
PROBE_PREBUILT = DATA / "wasi_probe.wasm"
#: What the container side printed on the machine the course was written on.
CONTAINER_RECORDING = DATA / "container_probe_recorded.json"

#: The probe image's repository; its tag is the learner's owner id (see ``probe_image``).
PROBE_REPOSITORY = "kit-course1-wasi-probe"
#: Lines of each answer shown; /proc alone lists dozens of entries.
SHOWN_LINES = 10

#: The questions notebook 04 asks a container, to set beside the wasm module's answers.
CONTAINER_QUESTIONS: tuple[tuple[str, ...], ...] = (
    ("ls", "/"),
    ("ls", "/sys/class/net"),
    ("cat", "/etc/hostname"),
    ("ls", "/proc"),
)


def probe_module() -> Path:
    """The probe as a wasm module: built here (cached), or the shipped prebuilt one."""
    try:
        return compile_source(PROBE_SOURCE, "c", name="wasi_probe").path
    except ToolchainMissing:
        return PROBE_PREBUILT


def probe(*args: str, **run_options: Any) -> WasiResult:
    """Notebook 04: run the probe under WASI, e.g. ``probe("cat", "/data/poem.txt", dirs=...)``.

    ``run_options`` go to :func:`run_wasm` (``env``, ``dirs``, ``stdin``, ``timeout``...).
    """
    run_options.setdefault("timeout", 10)
    return run_wasm(probe_module(), list(args), **run_options)


@dataclass
class ContainerView(ShownAsHtml):
    """What the probe printed inside a default-hardened container, per question."""

    answers: list[tuple[tuple[str, ...], int, str]] = field(default_factory=list)
    recorded: str | None = None
    reason: str | None = None
    #: The image the answers were asked of, live, now (None for a recording).
    image: str | None = None

    def _banner(self) -> list[str]:
        if not self.recorded:
            where = f" of {self.image}" if self.image else ""
            return [
                f"LIVE, asked now: a container{where} on this machine's Docker "
                "(no network, read-only root, no capabilities)."
            ]
        lines = [f"RECORDED, not measured here ({self.recorded})."]
        if self.reason:
            lines.append(f"Live Docker unavailable: {self.reason}")
        return lines

    def _answers(self) -> list[str]:
        lines = []
        for question, code, output in self.answers:
            lines.append(f"$ wasi_probe {' '.join(question)}   (exit {code})")
            shown = output.strip().splitlines()
            lines += [f"  {line}" for line in shown[:SHOWN_LINES]]
            if len(shown) > SHOWN_LINES:
                lines.append(f"  ... {len(shown) - SHOWN_LINES} more lines")
        return lines

    def text(self) -> str:
        return "\n".join(self._banner() + self._answers())

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def html(self) -> str:
        banner = "<br>".join(html.escape(line) for line in self._banner())
        colour = "#a05a00" if self.recorded else "#2e7d32"  # recorded is shown differently
        banner = f"<p style='color:{colour}'>{banner}</p>" if banner else ""
        return banner + f"<pre>{html.escape(chr(10).join(self._answers()))}</pre>"


def _ask_container(image: str, question: Sequence[str], client: Any) -> tuple[int, str]:
    from ..containers.images import run_container

    # The kit's hardened run: no network, read-only root, no capabilities, limits, removed.
    run = run_container(image, list(question), client=client)
    return run.exit_code, (run.stdout + run.stderr).decode("utf-8", "replace")


def probe_image(client: Any) -> str:
    """The tag of a ``FROM scratch`` image holding only the static native probe, built
    (labelled, so ``kh.cleanup()`` removes it) and tagged with your owner id. Notebooks 04
    and 06."""
    binary = compile_source(PROBE_SOURCE, "c", NATIVE, name="wasi_probe").path
    image = owner_tag(PROBE_REPOSITORY)  # another learner on this daemon has their own
    scratch_image(binary, image, client=client)
    return image


def container_view(questions: Sequence[Sequence[str]] = CONTAINER_QUESTIONS) -> ContainerView:
    """Notebook 04: the probe's answers inside a container (no network, read-only, no caps).

    Builds a ``FROM scratch`` image holding only the static native probe. Without Docker
    (or with ``KIT_DOCKER=off``) it returns the recording, marked ``recorded``. Never raises.
    """
    try:
        client = connect()
        image = probe_image(client)
        answers = [(tuple(q), *_ask_container(image, q, client)) for q in questions]
        view = ContainerView(answers, image=image)
        client.close()
        return view
    except DockerUnavailable as err:
        return recorded_container_view(err.reason)
    except (KitError, OSError) as err:
        return recorded_container_view(str(err).splitlines()[0])
    except Exception as err:  # the docker SDK raises many types; the notebook must go on
        return recorded_container_view(
            f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        )


def recorded_container_view(reason: str | None = None) -> ContainerView:
    """The container side as recorded when the course was written (no Docker needed)."""
    try:
        data = json.loads(CONTAINER_RECORDING.read_text())
    except (OSError, ValueError):
        return ContainerView([], recorded="no recording shipped", reason=reason)
    answers = [
        (tuple(a["question"]), int(a["exit_code"]), str(a["output"])) for a in data["answers"]
    ]
    return ContainerView(answers, recorded=str(data["recorded"]), reason=reason)
