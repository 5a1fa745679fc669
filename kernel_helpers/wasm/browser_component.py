"""The same component in the learner's browser: jco's JavaScript on preview2-shim (notebook 11).

Node runs a component as the JavaScript ``jco transpile`` makes of it (``node.run_in_node``);
a browser can run that JavaScript too. ``jco transpile --instantiation async`` writes an
ES module whose ``instantiate(getCoreModule, imports)`` takes the WASI 0.2 imports from its
caller, so nothing in it fetches anything. The browser gets, through the in-browser
runner widget (``wasm.browser``):

- the component's bytes, exactly as wasmtime ran them: it hashes them (the sha256 proof)
  and compiles the core modules it finds at the offsets jco's files came from;
- preview2-shim's own browser modules (``dist/browser/*.js`` of the package ``./kit setup``
  installs), the kit's ``static/component_host.js`` that wires them as the imports and
  captures stdout, and jco's glue: ES modules sent as text, linked in the page as blob:
  URLs, so the page needs no network beyond Jupyter's own.

The transpiled folder is cached in the kit's cache by the component's and jco's identity.
Without Node or jco :class:`ToolchainMissing` says, in one line, what is missing; nothing
prebuilt stands in. jco is found in the kit's npm folder (``node.find_jco``) unless the
caller passes one: ``toolchains.component.hosts`` passes the one ``KIT_TOOLCHAINS`` allows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._errors import KitError, ToolchainMissing
from .._system import cache_dir
from .browser import STATIC, BrowserRunner, compare_with_server
from .node import (
    COMPONENT,
    JCO,
    PREVIEW2_SHIM,
    SETUP_FIX,
    Jco,
    Program,
    package_dir,
    package_version,
)
from .node import transpile as jco_transpile
from .reader import core_module_spans, is_component_bytes
from .runner import run_wasm

#: What ``jco transpile`` is asked for: an ``instantiate`` taking the imports from us, no
#: Node-only code path, no TypeScript declarations.
BROWSER_FLAGS = ("--instantiation", "async", "--no-nodejs-compat", "--no-typescript")
#: The kit's module that wires preview2-shim to jco's glue, and the glue's name; the
#: widget (``static/wasi_shim.js``) loads the two by these names.
HOST_MODULE = "component_host.js"
GLUE_MODULE = "component.js"
#: ``from "./io.js"``, ``import "./io.js"``, ``import("./io.js")``: how preview2-shim's
#: browser modules import each other (``static/wasi_shim.js`` rewrites the same forms).
RELATIVE_IMPORT = re.compile(r"""\b(?:from|import)\s*\(?\s*(["'])\./([\w.-]+\.js)\1""")
#: Any other module specifier a browser could not resolve from a blob: URL.
OTHER_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^;]*?\bfrom\s*(["'])(?!\./)([^"']+)\1""", re.M
)


@dataclass(frozen=True)
class BrowserBundle:
    """Everything the widget needs to run one component in the browser."""

    #: The component's file name (its argv[0]) and bytes.
    name: str
    component: bytes
    #: ES modules as ``(name, source)``, each after the ones it imports.
    modules: list[tuple[str, str]]
    #: jco's core module file name -> ``(offset, length)`` of those bytes in ``component``.
    core_modules: dict[str, tuple[int, int]]
    #: "jco 1.x transpile + preview2-shim 0.x": what turned the component into JavaScript.
    host: str
    folder: Path
    cached: bool


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shim_sources(fix: str = SETUP_FIX) -> dict[str, str]:
    folder = package_dir(PREVIEW2_SHIM)
    browser = folder / "dist" / "browser" if folder else None
    if browser is None or not browser.is_dir():
        raise ToolchainMissing(
            "node",
            COMPONENT,
            "cannot run the component in the browser: no preview2-shim here",
            fix=fix,
        )
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(browser.glob("*.js"))}


def load_order(sources: Mapping[str, str], entry: str) -> list[str]:
    """``entry`` and every module it imports, each after its own imports: the order in
    which the page can give each one a blob: URL (which must exist before an importer's
    text names it). Refuses what a blob: URL cannot link: a cycle, a missing file, a
    package name."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in path or name not in sources:
            why = "an import cycle" if name in path else "a missing module"
            raise KitError(
                f"cannot link preview2-shim's browser modules: {why} at {' -> '.join((*path, name))}"
            )
        other = OTHER_IMPORT.search(sources[name])
        if other:
            raise KitError(
                f"cannot link {name} in the browser: it imports the package {other.group(2)!r}"
            )
        for _, target in RELATIVE_IMPORT.findall(sources[name]):
            visit(target, (*path, name))
        order.append(name)

    visit(entry, ())
    return order


def host_modules(fix: str = SETUP_FIX) -> list[tuple[str, str]]:
    """The ES modules the page loads before jco's glue, in load order: the preview2-shim
    modules the kit's host imports, then the host."""
    sources = {
        **_shim_sources(fix),
        HOST_MODULE: (STATIC / HOST_MODULE).read_text(encoding="utf-8"),
    }
    return [(name, sources[name]) for name in load_order(sources, HOST_MODULE)]


def core_module_files(folder: Path, component: bytes) -> dict[str, tuple[int, int]]:
    """Each core module jco wrote into ``folder``, by file name, at the offset where the
    very same bytes sit inside ``component``. jco copies them out of the component; should
    one ever differ, the browser could not prove it ran wasmtime's bytes, so refuse."""
    spans = core_module_spans(component)
    found: dict[str, tuple[int, int]] = {}
    for path in sorted(folder.glob("component.core*.wasm")):
        data = path.read_bytes()
        match = [span for span in spans if component[span[0] : span[0] + span[1]] == data]
        if not match:
            raise KitError(
                f"jco's {path.name} is not one of the component's core modules",
                fix="this jco changes core modules when it transpiles; run the component in Node instead",
            )
        found[path.name] = match[0]
    return found


def _component_bytes(component: Program) -> tuple[Path, bytes]:
    path = Path(component) if isinstance(component, str | Path) else component.path
    data = path.read_bytes()
    if not is_component_bytes(data):
        raise KitError(
            f"{path.name} is a core module, not a component",
            fix="componentize it first (kh.componentize(module)), or use kh.compare_in_browser for a module",
        )
    return path, data


def browser_bundle(component: Program, jco: Jco | None = None) -> BrowserBundle:
    """Transpile ``component`` for the browser (cached in the kit's cache by the component's
    sha256 and jco's version) and gather what the page loads to run it."""
    path, data = _component_bytes(component)
    versions = (
        f"jco {package_version(JCO)} transpile + preview2-shim {package_version(PREVIEW2_SHIM)}"
    )
    key = _sha256(f"{_sha256(data)}|{versions}|{' '.join(BROWSER_FLAGS)}".encode())[:16]
    folder = cache_dir() / "transpiled-browser" / key
    script, cached = jco_transpile(path, folder, BROWSER_FLAGS, jco)
    modules = [
        *host_modules(jco.fix if jco else SETUP_FIX),
        (GLUE_MODULE, script.read_text(encoding="utf-8")),
    ]
    return BrowserBundle(
        path.name, data, modules, core_module_files(folder, data), versions, folder, cached
    )


def compare_component_in_browser(
    component: Program,
    args: Sequence[str] = (),
    stdin: bytes | str = b"",
    env: Mapping[str, str] | None = None,
    *,
    jco: Jco | None = None,
) -> BrowserRunner:
    """Run a command component with wasmtime here, then in the browser (jco's JavaScript on
    preview2-shim), side by side: notebook 11's fourth host. Display the widget to run it.
    Raises :class:`ToolchainMissing` (one line: what is missing) without Node, jco or
    preview2-shim."""
    bundle = browser_bundle(component, jco)
    data = stdin.encode() if isinstance(stdin, str) else bytes(stdin)
    # The very bytes the browser gets; cache=False: both sides compile from bytes, so the
    # two compile times compare.
    server = run_wasm(bundle.component, args, env=env, stdin=data, cache=False, argv0=bundle.name)
    widget = BrowserRunner(
        kind="component",
        module=bundle.component,
        module_sha256=_sha256(bundle.component),
        name=bundle.name,
        argv=[bundle.name, *(str(a) for a in args)],
        env={str(k): str(v) for k, v in (env or {}).items()},
        stdin=data,
        modules=[list(pair) for pair in bundle.modules],
        core_modules={name: list(span) for name, span in bundle.core_modules.items()},
        host=bundle.host,
    )
    return compare_with_server(widget, server)
