"""A component as the kit hands it out: :class:`ComponentArtifact` (what an ``Artifact``
says, plus the module it came from, the adapter and the commands that made it) and the
cache folder each made component is remembered in, with its record beside it.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..._system import cache_dir, write_atomically
from ..build import Artifact

#: Bumped when the cache layout changes.
CACHE_FORMAT = 2


@dataclass
class ComponentArtifact(Artifact):
    """A component made from a module: everything an :class:`Artifact` says, plus the
    module it came from, so ``adapter_bytes`` is what the component model added. A
    component built from source by its language's own tool (the wasi:http guest) has no
    module: ``module_bytes`` is 0."""

    module_path: str = ""
    module_bytes: int = 0
    #: The preview-1 adapter linked in; empty for a module that imports no preview 1.
    adapter: str = ""
    wit: str | None = field(default=None, repr=False)
    #: Every command that made it, in order, as typed in the folder of its files.
    steps: list[list[str]] = field(default_factory=list)
    #: What may go wrong with this component although it was made (a Go module the kit
    #: could not give the adapter's arena, see ``go_arena``); empty when nothing.
    caveat: str = ""

    @property
    def adapter_bytes(self) -> int:
        """Bytes the adapter and the component wrapping added to the module (0 without one)."""
        return self.bytes - self.module_bytes if self.module_bytes else 0

    def summary(self) -> str:
        if self.prebuilt:
            origin = "PREBUILT component shipped with the kit"
        elif self.cached:
            origin = f"from the cache (made with {self.toolchain} in {self.compile_s:.2f} s)"
        else:
            origin = f"made now with {self.toolchain} in {self.compile_s:.2f} s"
        added = "adapter" if self.adapter else "component wrapping, no adapter"
        parts = (
            f" ({self.module_bytes:,} module + {self.adapter_bytes:,} {added})"
            if self.module_bytes
            else ""
        )
        caveat = f"\n  caveat: {self.caveat}" if self.caveat else ""
        return f"{self.path.name}: {self.bytes:,} bytes{parts}, {self.lang}, {origin}{caveat}"

    def fallback_note(self) -> str | None:
        if not self.prebuilt:
            return None
        why = self.fallback_reason or "no wasm-tools or jco adapter here"
        return (
            f"{why}: using the PREBUILT component shipped with the kit "
            f"(made with {self.version}); see kernel_helpers/data/prebuilt/components/"
        )


def _components_dir() -> Path:
    path = cache_dir() / "components"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cached_component(folder: Path, out: Path) -> ComponentArtifact | None:
    """The component made before into ``folder`` (its ``artifact.json`` beside it), if whole."""
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        record = json.loads((folder / "artifact.json").read_text())
        artifact = ComponentArtifact(**{**record, "path": Path(record["path"])})
        if out.is_file() and artifact.bytes == out.stat().st_size:
            artifact.cached = True
            return artifact
    return None


def _remember_component(folder: Path, artifact: ComponentArtifact) -> ComponentArtifact:
    write_atomically(
        folder / "artifact.json", json.dumps({**artifact.to_json(), "cached": False}, indent=2)
    )
    return artifact
