"""Which Debian packages `./kit setup` asks apt for, on Debian 12 and Debian 13.

`./kit _course_packages` and `./kit _system_packages` run with a stub `apt-cache` that
knows only the packages a test names, and a PATH holding only what a test puts there
(so this machine's own node, npm and docker do not decide the answer).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kernel_helpers import _system
from kernel_helpers.toolchains import detect

REPO = Path(__file__).resolve().parents[2]
#: What the kit's package functions call besides apt-cache, node, npm and docker.
TOOLS = ("dirname", "mkdir", "grep", "cut", "head", "cat", "sed", "awk", "sort", "tr")

APT_CACHE = """#!/bin/sh
# show [--no-all-versions] NAME: a record for a known package; nothing (and success) for
# any other name, as apt-cache does for a name another package only mentions.
case "$1" in
  show) for name; do case " $KNOWN " in *" $name "*) echo "Package: $name";; esac; done; exit 0 ;;
  depends) echo "clang"; echo "  Depends: clang-19" ;;
esac
"""


def kit_packages(
    tmp_path: Path,
    task: str,
    known: str,
    on_path: tuple[str, ...] = (),
    script: Path = REPO / "kit",
) -> list[str]:
    """The words `./kit TASK` (or ``script``) prints, with apt knowing ``known``
    (space-separated) and ``on_path`` (node, npm, docker) present and working."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    stub = bin_dir / "apt-cache"
    stub.write_text(APT_CACHE)
    stub.chmod(0o755)
    for program in on_path:
        path = bin_dir / program
        path.write_text("#!/bin/sh\necho 1.0.0\n")
        path.chmod(0o755)
    bash = shutil.which("bash")
    assert bash
    done = subprocess.run(
        [bash, str(script), *([task] if task else [])],
        env={
            "PATH": str(bin_dir),
            "HOME": str(tmp_path),
            "KNOWN": known,
            "KIT_CACHE_DIR": str(tmp_path / "cache"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


BOOKWORM = "libclang-rt-14-dev-wasm32 clang rustc docker.io nodejs npm"
TRIXIE = "libclang-rt-19-dev-wasm32 clang rustc rust-llvm docker.io docker-cli nodejs npm"


def test_debian_13_gets_rust_lld_for_the_course(tmp_path: Path) -> None:
    packages = kit_packages(tmp_path, "_course_packages", TRIXIE)
    assert "rust-llvm" in packages and "rustc" in packages
    assert "libclang-rt-19-dev-wasm32" in packages


def test_debian_12_has_no_rust_llvm_to_ask_for(tmp_path: Path) -> None:
    # Debian 12's apt-cache "shows" rust-llvm (another package mentions it) with no record.
    packages = kit_packages(tmp_path, "_course_packages", BOOKWORM)
    assert "rust-llvm" not in packages and "rustc" in packages


def test_debian_13_without_node_or_docker_gets_docker_cli_nodejs_and_npm(tmp_path: Path) -> None:
    packages = kit_packages(tmp_path, "_system_packages", TRIXIE)
    assert {"rust-llvm", "docker.io", "docker-cli", "nodejs", "npm"} <= set(packages)
    assert "docker-buildx" not in packages


def test_debian_12_docker_io_brings_its_own_cli(tmp_path: Path) -> None:
    packages = kit_packages(tmp_path, "_system_packages", BOOKWORM)
    assert "docker.io" in packages and "docker-cli" not in packages


@pytest.mark.parametrize("known", [BOOKWORM, TRIXIE])
def test_a_working_npm_node_and_docker_already_here_are_kept(tmp_path: Path, known: str) -> None:
    # NodeSource's nodejs ships npm and conflicts with Debian's npm; /usr/local/bin/docker stays.
    packages = kit_packages(tmp_path, "_system_packages", known, on_path=("node", "npm", "docker"))
    assert "npm" not in packages and "nodejs" not in packages
    assert "docker-cli" not in packages and "docker.io" in packages


def test_a_broken_npm_on_path_does_not_count(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    broken = bin_dir / "npm"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    packages = kit_packages(tmp_path, "_system_packages", TRIXIE, on_path=("node",))
    assert "npm" in packages and "nodejs" not in packages


# The hints the Python side prints name the same packages.


def stub_apt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, known: str) -> None:
    bin_dir = tmp_path / "apt-bin"
    bin_dir.mkdir()
    stub = bin_dir / "apt-cache"
    stub.write_text(APT_CACHE)
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("KNOWN", known)
    monkeypatch.setattr(_system, "_APT_HAS", {})


@pytest.mark.parametrize(
    ("known", "cli", "both"),
    [
        (TRIXIE, "docker-cli", "docker.io docker-cli"),
        (BOOKWORM, "docker.io", "docker.io"),
    ],
)
def test_docker_hints_name_this_releases_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, known: str, cli: str, both: str
) -> None:
    stub_apt(tmp_path, monkeypatch, known)
    assert _system.docker_cli_package() == cli
    assert _system.docker_packages() == both


@pytest.mark.parametrize(("known", "wanted"), [(TRIXIE, True), (BOOKWORM, False)])
def test_the_rust_hint_names_rust_llvm_where_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, known: str, wanted: bool
) -> None:
    stub_apt(tmp_path, monkeypatch, known)
    monkeypatch.setattr(_system, "has_apt", lambda: True)
    monkeypatch.setattr(_system, "is_root", lambda: True)
    hint = detect.toolchain_fix("rust")
    assert "libstd-rust-dev-wasm32" in hint
    assert ("rust-llvm" in hint) is wanted


@pytest.mark.parametrize("known", [BOOKWORM, TRIXIE])
def test_the_course_images_package_file_alone_says_what_kit_says(
    tmp_path: Path, known: str
) -> None:
    # deploy/Dockerfile runs this file alone in its apt layer (an edit elsewhere in the kit
    # then keeps that layer cached): it must print what ./kit setup installs for the course.
    script = REPO / "deploy" / "course-packages.sh"
    alone = kit_packages(tmp_path / "alone", "", known, script=script)
    assert alone == kit_packages(tmp_path / "kit", "_course_packages", known)
    assert "rustc" in alone
