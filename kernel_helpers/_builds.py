"""The two builds a benchmark compares: a static native binary and a ``.wasm``.

A thin adapter: it asks ``_toolchains`` (issue 3: ``native_binary``/``wasm_module``)
where that module exists, and otherwise compiles the C version of the example itself
(clang or zig for wasm32-wasi, cc -static for native), cached by content. Once
``_toolchains`` is merged everywhere the fallback can go. Used by notebooks 06-08.
"""

from __future__ import annotations

import hashlib
import importlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ._errors import CompileError, ToolchainMissing
from ._system import REPO_ROOT, cache_dir, find_program, install_hint
from ._toolchain_detect import find_toolchain

EXAMPLES_DIR = REPO_ROOT / "wasm_examples"
EXTENSIONS = {"c": "c", "cpp": "cpp", "rust": "rs", "go": "go"}


@dataclass(frozen=True)
class Builds:
    """Paths of the native binary and the module for one example, and who built them."""

    example: str
    lang: str
    native: Path
    wasm: Path
    built_by: str


def example_builds(example: str = "hello", lang: str = "c") -> Builds:
    """Native and wasm builds of ``example``: from ``_toolchains`` when present."""
    try:
        toolchains = importlib.import_module("kernel_helpers._toolchains")
    except ImportError:
        return _own_builds(example, lang)
    native = toolchains.native_binary(example, lang)
    wasm = toolchains.wasm_module(example, lang)
    return Builds(example, lang, Path(native.path), Path(wasm.path), "kernel_helpers._toolchains")


def _source(example: str, lang: str) -> Path:
    source = EXAMPLES_DIR / example / f"{example}.{EXTENSIONS.get(lang, lang)}"
    if not source.is_file():
        raise CompileError(lang, [], f"no source at {source}", [])
    return source


def _own_builds(example: str, lang: str) -> Builds:
    if lang != "c":
        raise ToolchainMissing(
            lang, "wasm32-wasi", f"the benchmark's own builds cover C only, not {lang}",
            fix="merge the toolchains branch (kernel_helpers._toolchains), or use lang='c'",
        )
    source = _source(example, lang)
    toolchain = find_toolchain("c")
    if toolchain is None:
        raise ToolchainMissing("c", "wasm32-wasi", "no C compiler for wasm32-wasi",
                               fix=install_hint("clang lld wasi-libc", "pip install ziglang"))
    wasm_cmd = [*toolchain.command, *_wasm_flags(toolchain.kind, toolchain.target, toolchain.sysroot)]
    native_cmd = _native_command(toolchain.kind, toolchain.command)
    key = hashlib.sha256(source.read_bytes() + repr((wasm_cmd, native_cmd)).encode()).hexdigest()
    folder = cache_dir() / "bench-builds" / f"{example}-{lang}-{key[:16]}"
    folder.mkdir(parents=True, exist_ok=True)
    wasm, native = folder / f"{example}.wasm", folder / example
    for command, output in ((wasm_cmd, wasm), (native_cmd, native)):
        if not output.exists():
            _compile([*command, "-O2", "-o", str(output), str(source)], output, lang)
    return Builds(example, lang, native, wasm, f"{toolchain.kind} {toolchain.version}")


def _wasm_flags(kind: str, target: str, sysroot: str | None) -> list[str]:
    if kind == "zig":
        return ["-target", "wasm32-wasi"]
    flags = [f"--target={target or 'wasm32-wasi'}"]
    return [*flags, f"--sysroot={sysroot}"] if sysroot else flags


def _native_command(kind: str, compiler: tuple[str, ...]) -> list[str]:
    """The native build uses the same compiler as the wasm one where it can, so a
    compute comparison measures the target, not gcc against clang."""
    if kind == "clang":
        return [*compiler, "-static"]
    if kind == "zig":
        return [*compiler, "-target", "x86_64-linux-musl", "-static"]
    for name in ("cc", "gcc", "clang"):
        found = find_program(name)
        if found:
            return [found, "-static"]
    raise ToolchainMissing("c", "native", "no native C compiler", fix=install_hint("gcc", "pip install ziglang"))


def _compile(command: list[str], output: Path, lang: str) -> None:
    partial = output.with_name(output.name + ".partial")
    command = [partial.as_posix() if part == str(output) else part for part in command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise CompileError(lang, command, done.stdout + done.stderr, [])
    partial.replace(output)
