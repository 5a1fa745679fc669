"""The hosts in ``wasm`` that need jco, given the jco ``KIT_TOOLCHAINS`` allows.

``wasm`` finds jco in the kit's npm folder by itself, but only this layer knows what the
``KIT_TOOLCHAINS`` switch hides; notebook 11's fourth host goes through here so the
bare-laptop rehearsal says, in one line, that jco is hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...wasm.browser import BrowserRunner
from ...wasm.browser_component import compare_component_in_browser as compare_with_jco
from ...wasm.node import Program
from .tools import jco


def compare_component_in_browser(
    component: Program,
    args: Sequence[str] = (),
    stdin: bytes | str = b"",
    env: Mapping[str, str] | None = None,
) -> BrowserRunner:
    """Run a command component with wasmtime here, then in the browser (jco's JavaScript on
    preview2-shim), side by side: notebook 11's fourth host. Display the widget to run it.
    Raises :class:`ToolchainMissing` (one line: what is missing) without Node, jco or
    preview2-shim, or when ``KIT_TOOLCHAINS`` hides jco."""
    return compare_with_jco(component, args, stdin, env, jco=jco())
