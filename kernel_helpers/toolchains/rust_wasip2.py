"""Whether a rustc here could build notebook 12's stretch goal: a ``wasi:http`` guest in
Rust needs the ``wasm32-wasip2`` target, which came with Rust 1.82 and which the kit does
not install. Walk 24, S4: notebook 00's doctor had found rustup's rustc 1.95 on PATH, and
notebook 12 only said "Rust 1.82 or later from rustup"; it now says what this machine has."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .._system import run_quick
from .detect import _rustc_candidates, rust_wasi_target
from .proof import rustup_here

WASIP2_TARGET = "wasm32-wasip2"
#: The first Rust release with the ``wasm32-wasip2`` target (tier 2).
FIRST_WASIP2_RUST = (1, 82)
ADD_TARGET = f"rustup target add {WASIP2_TARGET}"
INSTALL_RUSTUP = f"install rustup (Rust {FIRST_WASIP2_RUST[0]}.{FIRST_WASIP2_RUST[1]} or later), then {ADD_TARGET}"


def rust_release(version_line: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) from ``rustc --version`` output such as
    ``rustc 1.95.0 (59807616e 2026-04-14)``; None when the line says no version."""
    found = re.search(r"\brustc (\d+)\.(\d+)\.(\d+)", version_line)
    if found is None:
        return None
    major, minor, patch = (int(part) for part in found.groups())
    return major, minor, patch


def has_wasip2(release: tuple[int, int, int] | None) -> bool:
    """Whether this Rust release ships the ``wasm32-wasip2`` target."""
    return release is not None and release[:2] >= FIRST_WASIP2_RUST


@dataclass(frozen=True)
class RustForWasip2:
    """One rustc here, as far as the stretch goal is concerned; ``rustc`` is None when
    there is none. ``rustup`` is rustup's path when rustup manages this rustc."""

    rustc: str | None
    version: str = ""
    target_installed: bool = False
    rustup: str | None = None

    @property
    def new_enough(self) -> bool:
        return has_wasip2(rust_release(self.version))

    def _compared(self) -> str:
        release = rust_release(self.version)
        first = ".".join(map(str, FIRST_WASIP2_RUST))
        return f"{release[0]}.{release[1]} >= {first}" if release else f"{first} or later"

    def __str__(self) -> str:
        if self.rustc is None:
            return f"No rustc here: {INSTALL_RUSTUP}."
        yours = f"Your rustc at {self.rustc} ({self.version or 'version unknown'})"
        if self.new_enough and self.target_installed:
            return f"{yours} already has the {WASIP2_TARGET} target: add wit-bindgen and write the guest."
        if self.new_enough and self.rustup:
            return f"{yours} is new enough ({self._compared()}): {ADD_TARGET}   (needs internet access)"
        if self.new_enough:
            return f"{yours} is new enough, but rustup does not manage it: {INSTALL_RUSTUP}."
        if self.rustup:
            return f"{yours} predates {WASIP2_TARGET} (Rust 1.82): rustup update, then {ADD_TARGET}"
        return f"{yours} predates {WASIP2_TARGET} (Rust 1.82): {INSTALL_RUSTUP}."


def _target_installed(rustc: str) -> bool:
    return rust_wasi_target(rustc, (WASIP2_TARGET,)) is not None


def _managed_by(rustc: str, rustup: str | None) -> str | None:
    """rustup's path when it sits beside this rustc (both in ~/.cargo/bin)."""
    return rustup if rustup and Path(rustup).parent == Path(rustc).parent else None


def rust_for_wasip2() -> RustForWasip2:
    """The rustc here closest to building for ``wasm32-wasip2``: one with the target,
    else a new enough one (rustup's first), else the first on PATH."""
    rustup = rustup_here()
    found = []
    for rustc in _rustc_candidates():
        version = run_quick([rustc, "--version"], timeout=10)
        line = version.first_line if version.ok else ""
        found.append(
            RustForWasip2(rustc, line, _target_installed(rustc), _managed_by(rustc, rustup))
        )
    if not found:
        return RustForWasip2(None)
    return max(
        found, key=lambda r: (r.new_enough and r.target_installed, r.new_enough, bool(r.rustup))
    )
