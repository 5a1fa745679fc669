"""Notebook 12's stretch goal says whether a rustc here is new enough for wasm32-wasip2
(walk 24, S4): the comparison against Rust 1.82 is computed from ``rustc --version``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kernel_helpers.toolchains import rust_wasip2
from kernel_helpers.toolchains.rust_wasip2 import has_wasip2, rust_for_wasip2, rust_release


@pytest.mark.parametrize(
    ("line", "new_enough"),
    [
        ("rustc 1.95.0 (59807616e 2026-04-14)", True),
        ("rustc 1.82.0 (f6e511eec 2024-10-15)", True),
        ("rustc 1.81.0 (eeb90cda1 2024-09-04)", False),
        ("rustc 1.63.0", False),
        ("rustc 2.0.0", True),
        ("rustc 1.100.0-nightly", True),  # compared as numbers, not as text
        ("error: no such command", False),
    ],
)
def test_the_release_is_compared_with_1_82_as_numbers(line: str, new_enough: bool) -> None:
    assert has_wasip2(rust_release(line)) is new_enough


def fake_rustc(folder: Path, version: str, *, with_target: bool) -> Path:
    """A rustc that answers --version and --print sysroot like a real one."""
    folder.mkdir(parents=True)
    sysroot = folder / "sysroot"
    target = "wasm32-wasip2" if with_target else "x86_64-unknown-linux-gnu"
    (sysroot / "lib" / "rustlib" / target / "lib").mkdir(parents=True)
    rustc = folder / "rustc"
    rustc.write_text(
        f'#!/bin/sh\ncase "$*" in\n  *sysroot*) echo {sysroot} ;;\n  *) echo "{version}" ;;\nesac\n'
    )
    rustc.chmod(rustc.stat().st_mode | stat.S_IXUSR)
    return rustc


def here(monkeypatch: pytest.MonkeyPatch, rustcs: list[Path], rustup: Path | None) -> str:
    monkeypatch.setattr(rust_wasip2, "_rustc_candidates", lambda: [str(r) for r in rustcs])
    monkeypatch.setattr(rust_wasip2, "rustup_here", lambda: str(rustup) if rustup else None)
    return str(rust_for_wasip2())


def test_a_new_rustup_rustc_is_named_with_the_command_that_adds_the_target(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = fake_rustc(tmp_path / "debian", "rustc 1.63.0 (debian)", with_target=False)
    new = fake_rustc(tmp_path / "cargo", "rustc 1.95.0 (59807616e 2026-04-14)", with_target=False)
    said = here(monkeypatch, [old, new], tmp_path / "cargo" / "rustup")
    assert said.startswith(
        f"Your rustc at {new} (rustc 1.95.0 (59807616e 2026-04-14)) is new enough"
    )
    assert "rustup target add wasm32-wasip2" in said


def test_a_rustc_with_the_target_asks_only_for_wit_bindgen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ready = fake_rustc(tmp_path / "cargo", "rustc 1.90.0", with_target=True)
    said = here(monkeypatch, [ready], tmp_path / "cargo" / "rustup")
    assert "already has the wasm32-wasip2 target" in said and "rustup target add" not in said


@pytest.mark.parametrize("rustup", [True, False])
def test_an_old_rustc_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rustup: bool
) -> None:
    old = fake_rustc(tmp_path / "bin", "rustc 1.63.0 (debian)", with_target=False)
    said = here(monkeypatch, [old], tmp_path / "bin" / "rustup" if rustup else None)
    assert f"Your rustc at {old} (rustc 1.63.0 (debian)) predates wasm32-wasip2" in said
    assert ("rustup update" in said) is rustup and ("install rustup" in said) is not rustup


def test_no_rustc_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    said = here(monkeypatch, [], None)
    assert said.startswith("No rustc here: install rustup (Rust 1.82 or later)")
