"""The two builds a benchmark compares: a static native binary and a ``.wasm``.

Both come from ``build`` (notebooks 02-03): the module may be the shipped prebuilt
one where no compiler exists, and the native binary may be missing (it has no prebuilt
fallback), in which case ``native`` is None and ``native_missing`` says why; the
benchmarks then leave out (or fill from recorded data) what needs it. Notebooks 06-08.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._errors import ToolchainMissing
from .build import Artifact, native_binary
from .prebuilt import wasm_module


@dataclass(frozen=True)
class Builds:
    """The module and the native binary of one example, and how each was made."""

    example: str
    lang: str
    wasm: Path
    native: Path | None
    built_by: str
    native_missing: str | None = None

    def require_native(self) -> Path:
        if self.native is None:
            raise ToolchainMissing(
                self.lang,
                "native",
                f"no native build of {self.example}: {self.native_missing}",
                fix="install a C compiler (apt-get install gcc) or pip install ziglang",
            )
        return self.native


def _describe(artifact: Artifact) -> str:
    origin = "prebuilt, shipped with the kit" if artifact.prebuilt else artifact.version
    return f"{artifact.target}: {artifact.toolchain} ({origin})"


def example_builds(example: str = "hello", lang: str = "c") -> Builds:
    """Native and wasm builds of ``example`` in ``lang`` (cached by ``build``)."""
    wasm = wasm_module(example, lang)
    try:
        native: Artifact | None = native_binary(example, lang)
        missing = None
    except ToolchainMissing as err:
        native, missing = None, err.message
    described = [_describe(a) for a in (wasm, native) if a is not None]
    return Builds(
        example, lang, wasm.path, native.path if native else None, "; ".join(described), missing
    )
