"""Where the kit keeps its cache: the variable, then a writable checkout, then the platform's folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from kernel_helpers import _system


def test_kit_cache_dir_overrides_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path / "mine"))
    assert _system.cache_dir() == tmp_path / "mine"
    assert (tmp_path / "mine").is_dir()


def test_a_checkout_keeps_its_cache_inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_CACHE_DIR", raising=False)
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.setattr(_system, "REPO_ROOT", tmp_path)
    assert _system.cache_dir() == tmp_path / ".kit-cache"


def test_an_installed_kit_uses_the_platforms_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIT_CACHE_DIR", raising=False)
    monkeypatch.setattr(_system, "REPO_ROOT", tmp_path / "site-packages")  # no pyproject.toml there
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # Linux; macOS ignores it
    expected = Path(platformdirs.user_cache_dir(_system.CACHE_NAME, appauthor=False))
    assert _system.cache_dir() == expected
    assert expected.name == "wasm-vs-containers"


def test_an_atomic_write_sets_the_mode_before_the_file_appears(tmp_path: Path) -> None:
    target = _system.write_atomically(tmp_path / "new" / "module.wasm", b"\0asm", mode=0o640)
    assert target.read_bytes() == b"\0asm" and target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["module.wasm"]


def test_a_failed_atomic_write_keeps_the_old_file_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "artifact.json"
    target.write_text("old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_system.os, "replace", refuse)
    with pytest.raises(OSError):
        _system.write_atomically(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["artifact.json"]


def test_an_install_hint_offers_sudo_only_where_it_can_help(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_system, "has_apt", lambda: True)
    monkeypatch.setattr(_system, "is_root", lambda: False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setattr(_system.shutil, "which", lambda name: "/usr/bin/sudo")
    assert _system.install_hint("skopeo", "brew install skopeo") == "sudo apt-get install -y skopeo"
    # A learner's server on a hub: no root, and the machine (or image) is the instructor's.
    monkeypatch.setenv("JUPYTERHUB_USER", "learner1")
    hint = _system.install_hint("skopeo", "brew install skopeo")
    assert (
        hint.startswith("ask your instructor")
        and "sudo" not in hint
        and "apt-get install -y skopeo" in hint
    )
    monkeypatch.delenv("JUPYTERHUB_USER")
    monkeypatch.setattr(_system.shutil, "which", lambda name: None)
    assert "sudo" not in _system.install_hint("skopeo", "x") and "as root" in _system.install_hint(
        "skopeo", "x"
    )
    monkeypatch.setattr(_system, "is_root", lambda: True)
    assert _system.install_hint("skopeo", "x") == "apt-get install -y skopeo"
    monkeypatch.setattr(_system, "has_apt", lambda: False)
    assert _system.install_hint("skopeo", "brew install skopeo") == "brew install skopeo"
