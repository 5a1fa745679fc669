"""Trying a toolchain for real: compile a one-line program to wasm32-wasi with the compiler
the kit would use, run it in wasmtime and read what it printed; and make and transpile a
tiny component with wasm-tools and jco. What the doctor's "ok" rests on (notebook 00).

A compiler on disk proves little: Debian 13's rustc was found and had its wasm std, yet
every Rust build failed because its linker (rust-lld) had moved to another package. A
check that passed is remembered under the tool's identity (``_system.recalled_check``), so
the doctor's second run is quick; one that failed is tried again next time.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from .._errors import CompileError, KitError, ToolchainMissing
from .._system import (
    Proof,
    apt_package,
    file_identity,
    find_program,
    has_apt,
    install_hint,
    recalled_check,
    remember_check,
    run_quick,
)
from ..wasm.node import transpile
from ..wasm.runner import run_wasm
from .build import EXTENSIONS, PROOF_PROGRAMS, compile_command, compile_with, toolchain_for
from .component.tools import jco
from .detect import LANGUAGE_NAMES, Toolchain

#: What every proof program prints.
EXPECTED = "wasm ok"
#: A cold Go or zig build on a busy two-core laptop takes tens of seconds; a hang must not
#: hold the doctor for ever.
PROOF_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 10.0
#: Where Debian's package (rustc on 12, rust-llvm on 13) puts rustc's wasm linker.
DEBIAN_RUST_LLD = Path("/usr/bin/rust-lld")
#: Bumped when a check changes what it does, so older remembered passes no longer count.
PROOF_FORMAT = "1"


#: Programs a compiler finds on PATH by itself: rustc its linker, clang its wasm-ld. Where
#: they are is part of a check's identity, so a linker moved away (or hidden from PATH) is
#: noticed, while a notebook's PATH and a terminal's still share one remembered pass.
HELPERS = {"rust": ("rust-lld",), "c": ("wasm-ld",), "cpp": ("wasm-ld",)}


def _identity(kind: str, *parts: str) -> list[str]:
    return [PROOF_FORMAT, kind, *parts]


def _helpers(lang: str) -> list[str]:
    return [f"{name}={file_identity(find_program(name))}" for name in HELPERS.get(lang, ())]


def _recalled(identity: list[str]) -> Proof | None:
    record = recalled_check(identity)
    if record is None:
        return None
    seconds = record.get("seconds")
    return Proof(
        True,
        str(record.get("checked_by", "")),
        None,
        seconds if isinstance(seconds, float) else 0.0,
        cached=True,
    )


def _passed(identity: list[str], checked_by: str, started: float) -> Proof:
    proof = Proof(True, checked_by, seconds=round(time.perf_counter() - started, 3))
    remember_check(identity, {"checked_by": checked_by, "seconds": proof.seconds})
    return proof


def compiler_error(err: CompileError) -> str:
    """The compiler's own first error line (``linker `rust-lld` not found``)."""
    errors = [d for d in err.diagnostics if d.severity == "error"]
    if errors:
        return errors[0].message
    lines = [line.strip() for line in err.output.splitlines() if line.strip()]
    wanted = [line for line in lines if re.search(r"error|not found|cannot|undefined", line, re.I)]
    return (wanted or lines or [err.message])[0][:300]


def _checked_by(tc: Toolchain) -> str:
    source = f"probe.{EXTENSIONS[tc.language]}"
    command = " ".join(compile_command(tc, "wasm32-wasi", source, "probe.wasm"))
    return f"compiled a one-line {LANGUAGE_NAMES[tc.language]} program ({command}) and ran it in wasmtime"


def prove_toolchain(tc: Toolchain, *, fresh: bool = False) -> Proof:
    """Compile :data:`PROOF_PROGRAMS` with ``tc`` and run it; ``fresh`` ignores an earlier pass."""
    identity = _identity(
        "toolchain",
        tc.language,
        tc.kind,
        *tc.command,
        tc.version,
        tc.target,
        file_identity(tc.command[0]),
        *_helpers(tc.language),
    )
    recalled = None if fresh else _recalled(identity)
    if recalled is not None:
        return recalled
    checked_by = _checked_by(tc)
    started = time.perf_counter()
    try:
        built = compile_with(
            tc,
            PROOF_PROGRAMS[tc.language],
            name="doctor_probe",
            cache=False,
            timeout=PROOF_TIMEOUT_S,
        )
        result = run_wasm(built.path, timeout=RUN_TIMEOUT_S, cache=False)
    except CompileError as err:
        return Proof(False, checked_by, compiler_error(err))
    except KitError as err:
        return Proof(False, checked_by, err.message)
    printed = result.stdout.decode(errors="replace").strip()
    if result.exit_code != 0 or printed != EXPECTED:
        why = f"the module exited {result.exit_code} and printed {printed[:80]!r}, not {EXPECTED!r}"
        return Proof(False, checked_by, why)
    return _passed(identity, f"{checked_by}: it printed {EXPECTED!r}", started)


def builds_for_wasm(lang: str) -> bool:
    """True when the compiler the kit would use for ``lang`` builds a program that runs:
    the question the doctor's ✅ answers (quick after the first time). Notebook 00."""
    try:
        tc = toolchain_for(lang)
    except ToolchainMissing:
        return False
    return prove_toolchain(tc).ok


def linker_fix(cause: str | None) -> str | None:
    """The fix for a wasm linker that is missing (rust-lld, wasm-ld), on this release."""
    if cause and "rust-lld" in cause:
        if DEBIAN_RUST_LLD.is_file() and find_program("rust-lld") is None:
            # Installed, yet rustc (which looks on PATH) cannot see it: no package helps.
            return f"{DEBIAN_RUST_LLD} is installed but not on PATH: add {DEBIAN_RUST_LLD.parent} to PATH"
        if not has_apt():
            return "rustup target add wasm32-wasip1   (rustup ships rust-lld)"
        if apt_package("rust-lld") == "rustc":  # Debian 12: rustc ships it, so it was taken away
            return (
                install_hint("--reinstall rustc", "") + "   (rust-lld is in rustc on this release)"
            )
        return (
            install_hint("rust-llvm", "")
            + "   (Debian 13 moved rust-lld from rustc into rust-llvm)"
        )
    if cause and "wasm-ld" in cause:
        return install_hint("lld", "install LLVM's lld (wasm-ld)")
    return None


# --- component tools ----------------------------------------------------------------------


def prove_components(
    module: Path,
    wasm_tools: str | None,
    jco: list[str] | None,
    adapter: str | None,
    *,
    fresh: bool = False,
) -> dict[str, Proof]:
    """Make a component of ``module`` with wasm-tools and jco's adapter, then transpile it
    with jco: the two things notebook 11 asks of them. A missing tool gets no proof."""
    if wasm_tools is None or adapter is None:
        return {}
    identities = {
        "wasm-tools": _identity("wasm-tools", file_identity(wasm_tools), file_identity(adapter))
    }
    if jco is not None:
        identities["jco"] = _identity("jco", *map(file_identity, jco))
    recalled = {
        name: None if fresh else _recalled(identity) for name, identity in identities.items()
    }
    if all(recalled.values()):
        return {name: proof for name, proof in recalled.items() if proof}
    # jco needs a component to transpile: both run again, though one may have passed before.
    with tempfile.TemporaryDirectory(prefix="kit-component-") as scratch:
        component = Path(scratch) / "probe.component.wasm"
        proofs = {
            "wasm-tools": _prove_wasm_tools(
                identities["wasm-tools"], module, wasm_tools, adapter, component
            )
        }
        if jco is not None:
            proofs["jco"] = _prove_jco(identities["jco"], component, Path(scratch))
    return proofs


def _prove_wasm_tools(
    identity: list[str], module: Path, wasm_tools: str, adapter: str, out: Path
) -> Proof:
    checked_by = (
        f"made a component of a tiny module ({Path(wasm_tools).name} component new --adapt)"
    )
    started = time.perf_counter()
    done = run_quick(
        [
            wasm_tools,
            "component",
            "new",
            str(module),
            "--adapt",
            f"wasi_snapshot_preview1={adapter}",
            "-o",
            str(out),
        ],
        timeout=PROOF_TIMEOUT_S,
    )
    if not done.ok or not out.is_file():
        lines = done.stderr.strip().splitlines() or ["wasm-tools wrote no component"]
        return Proof(False, checked_by, lines[0][:300])
    return _passed(identity, checked_by, started)


def _prove_jco(identity: list[str], component: Path, scratch: Path) -> Proof:
    checked_by = "transpiled a tiny component to JavaScript (jco transpile)"
    if not component.is_file():
        return Proof(False, checked_by, "no component to transpile (wasm-tools failed)")
    started = time.perf_counter()
    try:
        script, _ = transpile(component, scratch / "js", jco=jco())
    except KitError as err:
        return Proof(False, checked_by, err.message[-300:])
    if not script.is_file():
        return Proof(False, checked_by, "jco wrote no JavaScript")
    return _passed(identity, checked_by, started)


def rustup_here() -> str | None:
    """rustup's path when it manages a rustc here (then its fix is ``rustup target add``)."""
    return find_program("rustup", Path.home() / ".cargo" / "bin" / "rustup")
