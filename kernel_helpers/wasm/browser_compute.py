"""Time a compiled module and the same kernel in plain JavaScript in the learner's page.

Notebook 08's browser comparison: the blog's browser point is that wasm runs beside
JavaScript at near-native speed. :class:`BrowserCompute` sends the ``.wasm`` bytes the
server timed, the cases and two ES modules shipped with the kit (``static/wasi_shim.js``
and ``static/compute_kernels.js``, the kernels written in JavaScript) to the page
(``static/compute_page.js``), which times both with the warm-ups and repetitions it is
given and syncs the samples and both outputs back. Nothing is fetched from the network.

As with :mod:`.browser`, a kernel reads the page's results only between cells: headless
(nbclient) no page is attached, and the widget says so rather than waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anywidget
import traitlets

from .browser import STATIC

#: The JavaScript kernels, the file the unit tests also run under Node.
KERNELS_JS = STATIC / "compute_kernels.js"


@dataclass(frozen=True)
class BrowserCase:
    """One workload as the page runs it: ``example`` (``fib`` or ``sha256``), its argv
    after the program's name, and how many random bytes its stdin gets (0: none)."""

    label: str
    example: str
    args: tuple[str, ...]
    stdin_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "example": self.example,
            "args": list(self.args),
            "stdin_bytes": self.stdin_bytes,
        }


@dataclass(frozen=True)
class BrowserTiming:
    """What the page measured for one case: both outputs and both sets of samples (s)."""

    label: str
    example: str
    wasm_stdout: str
    js_stdout: str
    wasm_error: str
    wasm_samples_s: tuple[float, ...]
    js_samples_s: tuple[float, ...]

    @property
    def agree(self) -> bool:
        """The JavaScript kernel printed exactly what the module printed, on the same input."""
        return not self.wasm_error and self.js_stdout == self.wasm_stdout

    @classmethod
    def from_page(cls, data: dict[str, Any]) -> BrowserTiming:
        return cls(
            label=str(data["label"]),
            example=str(data["example"]),
            wasm_stdout=str(data.get("wasm_stdout", "")),
            js_stdout=str(data.get("js_stdout", "")),
            wasm_error=str(data.get("wasm_error", "")),
            wasm_samples_s=tuple(float(s) for s in data.get("wasm_samples_s", ())),
            js_samples_s=tuple(float(s) for s in data.get("js_samples_s", ())),
        )


class BrowserCompute(anywidget.AnyWidget):
    """The page side of notebook 08's comparison: display it to run it in the browser."""

    _esm = (STATIC / "compute_page.js").read_text(encoding="utf-8")

    shim_source = traitlets.Unicode("").tag(sync=True)
    kernels_source = traitlets.Unicode("").tag(sync=True)
    fib_module = traitlets.Bytes(b"").tag(sync=True)
    sha256_module = traitlets.Bytes(b"").tag(sync=True)
    cases = traitlets.List(traitlets.Dict()).tag(sync=True)
    warmup = traitlets.Int(1).tag(sync=True)
    repeat = traitlets.Int(5).tag(sync=True)

    # Set by the page.
    browser_attached = traitlets.Bool(False).tag(sync=True)
    browser = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("waiting").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    results = traitlets.List(traitlets.Dict()).tag(sync=True)

    @property
    def finished(self) -> bool:
        return self.status == "done"

    def timings(self) -> list[BrowserTiming]:
        """The page's measurements, once it has finished (else an empty list)."""
        return [BrowserTiming.from_page(r) for r in self.results] if self.finished else []

    def summary(self) -> str:
        if not self.browser_attached:
            return "no page has reported yet (a headless run, or a page still starting)"
        if self.status == "failed":
            return f"the run in {self.browser} failed: {self.error}"
        if not self.finished:
            return f"still running in {self.browser}"
        return f"ran in {self.browser}"

    def __repr__(self) -> str:
        return f"<BrowserCompute {self.summary()}>"


def compute_page(
    modules: dict[str, bytes], cases: Sequence[BrowserCase], *, warmup: int, repeat: int
) -> BrowserCompute:
    """A widget that times ``modules`` (example name to ``.wasm`` bytes: ``fib``,
    ``sha256``) and the JavaScript kernels on ``cases`` in the page. Notebook 08."""
    return BrowserCompute(
        shim_source=(STATIC / "wasi_shim.js").read_text(encoding="utf-8"),
        kernels_source=KERNELS_JS.read_text(encoding="utf-8"),
        fib_module=modules.get("fib", b""),
        sha256_module=modules.get("sha256", b""),
        cases=[case.to_json() for case in cases],
        warmup=warmup,
        repeat=repeat,
    )
