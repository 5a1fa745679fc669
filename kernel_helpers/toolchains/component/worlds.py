"""A component's WIT world, read and printed: what it imports and exports (notebook 11).

``wasm-tools component wit`` prints it where wasm-tools is here; else a prebuilt
component's recorded WIT, else the names wasmtime reads from the component.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._errors import InvalidModule
from ..._system import run_quick
from ...wasm.component import world_names
from ..build import Artifact
from .artifact import ComponentArtifact
from .tools import TOOL_TIMEOUT_S, wasm_tools_path


def interface_package(name: object) -> str:
    """``wasi:io/streams@0.2.0`` -> ``wasi:io``: the package, without interface or version
    (also what the exercises cut a learner's names to)."""
    return str(name).split("@")[0].split("/")[0]


@dataclass
class World:
    """A component's WIT world: what it imports and exports (notebook 11).

    ``imports``/``exports`` are interface names (``wasi:cli/stdout@0.2.12``); ``wit`` is
    the text ``wasm-tools component wit`` prints, when wasm-tools (or the shipped copy of a
    prebuilt component's) is here; ``source`` says which."""

    imports: list[str]
    exports: list[str]
    wit: str | None
    source: str

    def packages(self) -> list[str]:
        """The WASI packages imported, without versions: ``wasi:cli``, ``wasi:io`` ..."""
        return sorted({interface_package(name) for name in self.imports})

    def imports_capability(self, word: str) -> bool:
        """True if any import names ``word`` (``filesystem``, ``sockets``, ``http``...)."""
        return any(word in name for name in self.imports)

    def __str__(self) -> str:
        lines = [f"world ({self.source}):"]
        lines += [f"  import {name};" for name in self.imports]
        lines += [f"  export {name};" for name in self.exports]
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


#: A world's item on one line: ``export sha256: func(data: list<u8>) -> string;``.
WORLD_ITEM = re.compile(r"\s*(import|export) ([^;]+);")
#: An item that defines its interface in place, over many lines: only its name counts.
INLINE_INTERFACE = re.compile(r"\s*(import|export) ([^\s:]+): interface \{")


def world_from_wit(text: str) -> tuple[list[str], list[str]]:
    """The imports and exports of the first ``world`` block in WIT text: each item as it is
    written (a function with its signature), an interface defined in place by its name
    only (``export exports: interface { ... }``, as componentize-py's worlds have it),
    never the records and functions of its body."""
    block = re.search(r"world [\w-]+ \{(.*?)\n\}", text, re.S)
    imports: list[str] = []
    exports: list[str] = []
    depth = 0
    for line in (block.group(1) if block else "").splitlines():
        item = (INLINE_INTERFACE.match(line) or WORLD_ITEM.match(line)) if depth == 0 else None
        if item:
            (imports if item.group(1) == "import" else exports).append(item.group(2).strip())
        depth += line.count("{") - line.count("}")
    return imports, exports


def wit_text(component: str | Path) -> str | None:
    """``wasm-tools component wit COMPONENT``, or None without wasm-tools."""
    tool = wasm_tools_path()
    if tool is None:
        return None
    done = run_quick([tool, "component", "wit", str(component)], timeout=TOOL_TIMEOUT_S)
    if not done.ok:
        raise InvalidModule(f"wasm-tools cannot read this component: {done.stderr.strip()[:300]}")
    return done.stdout


def read_world(component: ComponentArtifact | str | Path) -> World:
    """The WIT world of a component: by ``wasm-tools component wit`` where it is here, else
    the names wasmtime reads from the component (and a prebuilt one's recorded WIT)."""
    path = component.path if isinstance(component, Artifact) else Path(component)
    text = wit_text(path)
    if text is not None:
        imports, exports = world_from_wit(text)
        return World(imports, exports, text, "wasm-tools component wit")
    recorded = component.wit if isinstance(component, ComponentArtifact) else None
    if recorded:
        imports, exports = world_from_wit(recorded)
        return World(imports, exports, recorded, "WIT recorded with the prebuilt component")
    imports, exports = world_names(path)
    return World(imports, exports, None, "wasmtime (names only: no wasm-tools here)")
