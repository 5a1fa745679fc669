"""A component with a typed export, from C written against the canonical ABI by hand.

Introduced in notebook 12 ("Typed interfaces"). ``wasm_examples/sha256/component/`` holds
a WIT world, ``sha256.wit`` (``export sha256: func(data: list<u8>) -> string``), and a C
guest that implements it without a bindings generator: the export with its types lowered
to i32s, ``cabi_realloc`` and ``cabi_post_sha256`` are written out, and the hashing is the
sha256 example's own. Three real tools make the component:

1. the kit's C compiler builds a *reactor* module (no ``main``; it imports nothing),
2. ``wasm-tools component embed`` attaches the world to it,
3. ``wasm-tools component new`` wraps it, with no adapter: there is nothing to adapt.

The result is cached like every build. Without a C compiler for wasm32-wasi or wasm-tools
(or with ``KIT_TOOLCHAINS=off``), the shipped ``sha256-typed.component.wasm`` stands in,
marked prebuilt.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

from ..._errors import CompileError, InvalidModule, ToolchainMissing
from ..._system import run_quick
from ..build import (
    WASM,
    _compile_env,
    _run_compiler,
    _sha256,
    compile_command,
    examples_dir,
    toolchain_for,
)
from ..detect import Toolchain, toolchain_fix
from ..diagnostics import parse_diagnostics
from .artifact import (
    CACHE_FORMAT,
    ComponentArtifact,
    _cached_component,
    _components_dir,
    _remember_component,
)
from .shipped import PREBUILT_COMPONENTS, component_manifest, shipped_component
from .tools import COMPONENT, TOOL_TIMEOUT_S, components_hidden, tools_fix, wasm_tools_path
from .worlds import wit_text

#: The sources live beside the example they reuse: ``<examples>/sha256/component/``.
TYPED_EXAMPLE = "sha256"
WIT_FILE = "sha256.wit"
GUEST_FILE = "sha256_component.c"
TYPED_NAME = "sha256-typed"
TYPED_COMPONENT = f"{TYPED_NAME}.component.wasm"
#: On top of the kit's usual C command line: a reactor has no ``main`` and no ``_start``
#: (the host calls its exports), and wasi-libc's debug info would be most of its bytes.
REACTOR_FLAGS = ["-mexec-model=reactor", "-Wl,--strip-debug"]


def typed_sources() -> tuple[Path, Path]:
    """The WIT world and the C guest of the typed component, in the examples folder."""
    folder = examples_dir() / TYPED_EXAMPLE / "component"
    return folder / WIT_FILE, folder / GUEST_FILE


def reactor_command(tc: Toolchain, source: str, output: str) -> list[str]:
    """The kit's C command line for ``tc``, making a reactor (a library module) instead."""
    return [*compile_command(tc, WASM, source, output), *REACTOR_FLAGS]


def _built_from() -> tuple[Path, Path, Path]:
    """Every file whose bytes decide the build: the world, the guest and, since the guest
    includes it, the sha256 example's own source."""
    wit, guest = typed_sources()
    return wit, guest, guest.parent.parent / f"{TYPED_EXAMPLE}.c"


def _sources_digest() -> str:
    return _sha256("|".join(_sha256(p.read_bytes()) for p in _built_from()).encode())


def _tools() -> tuple[Toolchain, str] | ToolchainMissing:
    """The C compiler and wasm-tools, or the error that says which is missing."""
    if components_hidden():
        reason = "KIT_TOOLCHAINS hides the C compiler and wasm-tools"
        return ToolchainMissing("c", COMPONENT, reason, fix=tools_fix())
    try:
        tc = toolchain_for("c")
    except ToolchainMissing as err:
        return ToolchainMissing("c", COMPONENT, err.message, fix=toolchain_fix("c"))
    tool = wasm_tools_path()
    if tool is None:
        return ToolchainMissing("c", COMPONENT, "no wasm-tools here", fix=tools_fix())
    return tc, tool


def prebuilt_typed_component(reason: str) -> ComponentArtifact | None:
    """The shipped typed component (``reason`` says why it stands in), or None."""
    record = component_manifest()["components"].get(TYPED_COMPONENT)
    return shipped_component(TYPED_COMPONENT, record, reason) if record else None


def typed_component(*, cache: bool = True, prebuilt: bool = True) -> ComponentArtifact:
    """The component of ``sha256.wit`` made from the hand-written C guest (notebook 12).

    Built here where a C compiler for wasm32-wasi and wasm-tools exist, and cached by the
    sources', the compiler's and wasm-tools' identity. Elsewhere the shipped component
    stands in (``prebuilt=True``, ``fallback_note()`` says why); with ``prebuilt=False``,
    :class:`ToolchainMissing` says what to install. ``steps`` holds the three commands.
    """
    tools = _tools()
    if isinstance(tools, ToolchainMissing):
        stand_in = prebuilt_typed_component(tools.message) if prebuilt else None
        if stand_in is None:
            raise ToolchainMissing(
                "c",
                COMPONENT,
                f"cannot make the typed component: {tools.message}",
                fix=tools.fix or "",
            )
        return stand_in
    tc, tool = tools
    version = f"{tc.version}; {run_quick([tool, '--version']).first_line}"
    flags = reactor_command(tc, "SRC", "OUT")
    key = _sha256(f"{CACHE_FORMAT}|{_sources_digest()}|{tc.kind}|{version}|{flags}".encode())[:24]
    folder = _components_dir() / f"typed-{key}"
    out = folder / TYPED_COMPONENT
    hit = _cached_component(folder, out) if cache else None
    if hit is not None:
        return hit
    folder.mkdir(parents=True, exist_ok=True)
    return _remember_component(folder, _build(tc, tool, folder, version))


def _build(tc: Toolchain, tool: str, folder: Path, version: str) -> ComponentArtifact:
    wit, guest = typed_sources()
    module = folder / f"{TYPED_NAME}.wasm"
    embedded = folder / f"{TYPED_NAME}.embedded.wasm"
    out = folder / TYPED_COMPONENT
    # As a person types them in the sources' folder; the runs below write into the cache.
    steps = [
        reactor_command(tc, guest.name, module.name),
        ["wasm-tools", "component", "embed", wit.name, module.name, "-o", embedded.name],
        ["wasm-tools", "component", "new", embedded.name, "-o", out.name],
    ]
    began = time.perf_counter()
    compiled, output = _run_compiler(
        reactor_command(tc, guest.name, str(module)), guest.parent, _compile_env(tc, WASM)
    )
    if not compiled or not module.is_file():
        raise CompileError("c", steps[0], output, parse_diagnostics("c", output))
    _wasm_tools(tool, "component", "embed", str(wit), str(module), "-o", str(embedded))
    _wasm_tools(tool, "component", "new", str(embedded), "-o", str(out))
    took = time.perf_counter() - began
    embedded.unlink()
    return ComponentArtifact(
        TYPED_EXAMPLE,
        "c",
        COMPONENT,
        out,
        out.stat().st_size,
        steps[-1],
        f"{tc.kind} + wasm-tools",
        version,
        took,
        variant="typed",
        module_path=str(module),
        module_bytes=module.stat().st_size,
        steps=steps,
    )


def _wasm_tools(tool: str, *args: str) -> None:
    done = run_quick([tool, *args], timeout=TOOL_TIMEOUT_S)
    if not done.ok:
        # wasm-tools ends with a numbered chain of causes; the last is the one to act on.
        last = done.stderr.strip().splitlines()[-1:] or ["no message"]
        cause = re.sub(r"^\s*(\d+:\s*)?(error:\s*)?", "", last[0])
        raise InvalidModule(
            f"wasm-tools {args[0]} {args[1]} failed: {cause}",
            fix=f"check {WIT_FILE} and the exports of {GUEST_FILE} against each other",
        )


def ship_typed_component() -> tuple[dict[str, Any], ComponentArtifact]:
    """Build the typed component here (never a stand-in), copy it into the shipped set and
    return its manifest record (maintainers: ``component --refresh-prebuilt``)."""
    artifact = typed_component(cache=False, prebuilt=False)
    destination = PREBUILT_COMPONENTS / TYPED_COMPONENT
    shutil.copyfile(artifact.path, destination)
    record = {
        "kind": "typed",
        "example": TYPED_EXAMPLE,
        "lang": "c",
        "sources": {
            f"wasm_examples/{p.relative_to(examples_dir()).as_posix()}": _sha256(p.read_bytes())
            for p in _built_from()
        },
        "module": f"{TYPED_NAME}.wasm",
        "module_sha256": _sha256(Path(artifact.module_path).read_bytes()),
        "module_bytes": artifact.module_bytes,
        "component_sha256": _sha256(destination.read_bytes()),
        "bytes": artifact.bytes,
        "command": artifact.command,
        "steps": artifact.steps,
        "version": artifact.version,
        "variant": artifact.variant,
        "adapter": "",
        "wit": wit_text(destination),
    }
    return record, artifact
