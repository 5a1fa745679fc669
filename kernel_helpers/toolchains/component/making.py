"""Making a WebAssembly component (WASI 0.2) from one of the course's preview-1 modules.

Introduced in notebook 11. ``wasm-tools component new MODULE --adapt
wasi_snapshot_preview1=ADAPTER`` wraps a core module that imports
``wasi_snapshot_preview1`` in a component whose world imports ``wasi:cli``, ``wasi:io``,
``wasi:filesystem`` ... and exports ``wasi:cli/run``. The adapter (a small core module that
implements preview 1 on top of WASI 0.2) is the one npm's ``@bytecodealliance/jco`` ships;
``./kit setup`` installs it into the kit's own folder. Where either tool is missing, or
``KIT_TOOLCHAINS`` hides the tools, the components shipped in
``data/prebuilt/components/`` stand in, marked ``prebuilt``. A Go module first gets a
block of static memory for the adapter (``go_arena``).
"""

from __future__ import annotations

import os
import shlex
import tempfile
import time
from pathlib import Path

from ..._errors import InvalidModule, KitError, ToolchainMissing
from ..._system import run_quick, write_atomically
from ...wasm.reader import check_core_module, is_component_bytes
from ..build import WASM, Artifact, _sha256, build, build_with_files, shell_command, source_path
from ..shrink import _derived, _earlier_step, _remember_step
from .artifact import (
    CACHE_FORMAT,
    ComponentArtifact,
    _cached_component,
    _components_dir,
    _remember_component,
)
from .go_arena import ARENA_FILE, ARENA_SOURCE, built_by_go, lend_arena
from .shipped import prebuilt_component
from .tools import (
    ADAPTER_FILE,
    COMPONENT,
    JCO,
    TOOL_TIMEOUT_S,
    adapter_path,
    components_hidden,
    package_version,
    tools_fix,
    wasm_tools_path,
)


def _module_bytes(module: Artifact | str | Path | bytes) -> tuple[bytes, str, str, str, str]:
    """(bytes, example, lang, variant, file name) of what the caller gave."""
    if isinstance(module, Artifact):
        return (
            module.path.read_bytes(),
            module.example,
            module.lang,
            module.variant,
            module.path.name,
        )
    if isinstance(module, bytes | bytearray):
        return bytes(module), "module", "wasm", "default", "module.wasm"
    path = Path(module)
    if not path.is_file():
        raise InvalidModule(f"no module file at {path}", fix="check the path")
    return path.read_bytes(), path.stem, "wasm", "default", path.name


def arena_build(module: Artifact) -> Artifact:
    """Go's ``module`` program built again with ``kit_adapter_arena.go``, before its
    ``cabi_realloc`` is added; cached like any build, so after :func:`componentize` it is
    read, not built (notebook 11 weighs each step)."""
    return build_with_files(
        module.example, "go", [(ARENA_FILE, ARENA_SOURCE.encode())], "adapter-arena"
    )


def _go_with_arena(module: Artifact) -> tuple[bytes, Artifact, list[list[str]]] | str:
    """Go's ``module`` built again with the adapter's arena (``go_arena``) and given the
    ``cabi_realloc`` that hands it out: (module bytes, the build, the commands). A string
    says why not (the program's source is not the course's, or Go is missing here)."""
    try:
        # Only the course's own program is built again: a learner's module that shares an
        # example's name must not turn into the course's program.
        if build(module.example, "go").path.read_bytes() != module.path.read_bytes():
            return f"it is not the kit's build of {source_path(module.example, 'go').name}"
        built = arena_build(module)
    except KitError as err:
        return f"{err.message.splitlines()[0]}"
    lent = _earlier_step(built, "lent") or _remember_step(_lent(built))
    return (
        lent.path.read_bytes(),
        built,
        [shlex.split(shell_command("go", WASM, built.command)), lent.command],
    )


def _lent(built: Artifact) -> Artifact:
    """The arena build given its ``cabi_realloc``: a step remembered beside the build, as
    notebook 02's size steps are, so a component found in the cache does not pay for it."""
    started = time.perf_counter()
    data = lend_arena(built.path.read_bytes())
    command = [
        "python",
        "-m",
        "kernel_helpers.toolchains.component.go_arena",
        built.path.name,
        "-o",
        built.path.name,
    ]
    return _derived(
        built, "lent", data, command, "kernel_helpers", "1", time.perf_counter() - started
    )


def _go_module_to_wrap(
    module: Artifact | str | Path | bytes, data: bytes, name: str, go_arena: bool
) -> tuple[bytes, str, list[list[str]], str]:
    """(module bytes, file name, commands that made them, caveat) of what the adapter wraps
    for a Go module: the course program built again with the arena, or else the module as
    it is, with a caveat that says why and what may happen."""
    lent = (
        _go_with_arena(module)
        if go_arena and isinstance(module, Artifact)
        else (
            "asked for with go_arena=False"
            if not go_arena
            else "a module file, not the kit's build of a course example"
        )
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
    module: Artifact | str | Path | bytes,
    *,
    cache: bool = True,
    prebuilt: bool = True,
    go_arena: bool = True,
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
        missing = (
            "KIT_TOOLCHAINS hides wasm-tools and jco"
            if components_hidden()
            else ("no wasm-tools here" if tool is None else "no jco adapter here (npm not set up)")
        )
        stand_in = (
            prebuilt_component(digest, missing, example=example, lang=lang) if prebuilt else None
        )
        if stand_in is not None:
            return stand_in
        raise ToolchainMissing(
            lang, COMPONENT, f"cannot make a component: {missing}", fix=tools_fix()
        )
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
        "wasm-tools",
        "component",
        "new",
        name,
        "--adapt",
        f"wasi_snapshot_preview1={ADAPTER_FILE.split('/')[-1]}",
        "-o",
        out.name,
    ]
    # Made in a private scratch folder, then renamed into place: another kernel making the
    # same component meanwhile neither removes our input nor reads our half-written output.
    with tempfile.TemporaryDirectory(dir=folder, prefix=".making-") as scratch:
        source, made = Path(scratch) / name, Path(scratch) / out.name
        source.write_bytes(data)
        began = time.perf_counter()
        done = run_quick(
            [
                tool,
                "component",
                "new",
                str(source),
                "--adapt",
                f"wasi_snapshot_preview1={adapter}",
                "-o",
                str(made),
            ],
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
        example,
        lang,
        COMPONENT,
        out,
        out.stat().st_size,
        command,
        "wasm-tools",
        version,
        took,
        variant=variant,
        module_path=module_path,
        module_bytes=len(data),
        adapter=str(adapter),
        steps=[*before, command],
        caveat=caveat,
    )
    return _remember_component(folder, artifact)
