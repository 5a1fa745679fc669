"""The doctor checks by doing: a compiler whose wasm build fails, a rustc without a wasm32
std first on PATH, a docker command that is missing or reaches no engine, Node missing.
Each time the row is not ok, names the cause and this release's fix, and nothing crashes.
The tools are hidden with PATH and wrapper scripts, never by moving a system file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kernel_helpers import _system
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.containers.proof import prove_docker_command
from kernel_helpers.course import doctor
from kernel_helpers.course.doctor import DoctorReport, Row
from kernel_helpers.toolchains import build, detect, proof
from kernel_helpers.toolchains.proof import prove_toolchain
from tests.conftest import need


@pytest.fixture(autouse=True)
def fresh_detection() -> Iterator[None]:
    """Each test picks compilers under its own PATH; none may leave its choice behind."""
    build.forget_toolchains()
    yield
    build.forget_toolchains()


def script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def release(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, codename: str) -> None:
    """Pretend to be Debian ``codename`` (the package names of fixes depend on it)."""
    os_release = tmp_path / f"os-release-{codename}"
    os_release.write_text(f'NAME="Debian GNU/Linux"\nVERSION_CODENAME={codename}\n')
    monkeypatch.setattr(_system, "OS_RELEASE", os_release)


def bare_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *keep: str) -> Path:
    """A PATH of one folder holding an apt-get that is never run (so fixes are apt's) and
    links to the ``keep`` programs; nothing else of the system's bin folders."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    script(folder, "apt-get", "exit 1")
    for name in keep:
        found = _system.find_program(name)
        if found:
            (folder / name).symlink_to(found)
    monkeypatch.setenv("PATH", str(folder))
    return folder


def wasm_rustc() -> detect.Toolchain:
    """A rustc here whose wasm build links (skips without one)."""
    for tc in detect.rust_toolchains():
        if prove_toolchain(tc).ok:
            return tc
    need(False, "no rustc here builds for wasm")
    raise AssertionError  # unreachable


def row_of(entry: dict[str, Any], lang: str) -> Row:
    return doctor._toolchain_row(lang, entry)


# --- Rust ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codename", "package"), [("trixie", "rust-llvm"), ("bookworm", "--reinstall rustc")]
)
def test_rustc_without_its_wasm_linker_is_not_ok(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, codename: str, package: str
) -> None:
    """Debian 13's case: rustc and its wasm std are there, rust-lld is not (on PATH)."""
    rustc = wasm_rustc()
    release(monkeypatch, tmp_path, codename)
    bare_path(monkeypatch, tmp_path)  # rustc finds rust-lld through PATH: now it cannot
    monkeypatch.setattr(detect, "_rustc_candidates", lambda: [rustc.command[0]])
    monkeypatch.setattr(proof, "DEBIAN_RUST_LLD", tmp_path / "not-installed" / "rust-lld")
    entry = doctor._checked_toolchain("rust")
    assert entry["available"] is False
    assert entry["cause"] == "linker `rust-lld` not found"
    assert (
        entry["probe"]["ok"] is False and "compiled a one-line Rust program" in entry["checked_by"]
    )
    row = row_of(entry, "rust")
    assert not row.ok and "linker `rust-lld` not found" in row.found
    assert f"apt-get install -y {package}" in row.fix


def test_a_rust_lld_installed_but_off_path_is_told_apart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A package would not help when rust-lld is installed and PATH does not reach it."""
    installed = script(tmp_path, "rust-lld", "exit 1")
    monkeypatch.setattr(proof, "DEBIAN_RUST_LLD", installed)
    bare_path(monkeypatch, tmp_path)
    fix = proof.linker_fix("linker `rust-lld` not found")
    assert fix == f"{installed} is installed but not on PATH: add {tmp_path} to PATH"


def test_a_rustc_that_does_not_link_is_passed_over_for_one_that_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rustc = wasm_rustc()
    # Same rustc, same wasm std, a linker that is not there: first in line, yet not chosen.
    broken = script(
        tmp_path, "rustc", f'exec {rustc.command[0]} "$@" -C linker=/nonexistent/rust-lld'
    )
    monkeypatch.setattr(detect, "_rustc_candidates", lambda: [str(broken), rustc.command[0]])
    assert build.toolchain_for("rust").command == rustc.command
    # kh.find_toolchain (notebook 03's target question) names the same rustc the build uses.
    found = detect.find_toolchain("rust")
    assert found is not None and found.command == rustc.command
    entry = doctor._checked_toolchain("rust")
    assert entry["available"] is True and entry["tool"] == rustc.command[0]
    assert (
        f"{broken} ({rustc.version}) has a wasm std, but its wasm build does not link"
        in entry["note"]
    )


@pytest.mark.parametrize("lang", ["c", "cpp"])
def test_the_clang_fix_names_the_llvm_version_this_release_packages(
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """Debian 12's clang 14 cannot build libc++ 19's headers: the fix names the newest LLVM
    whose wasm32 runtime this release packages, as ./kit setup installs it."""
    packaged = {"libclang-rt-16-dev-wasm32", "libclang-rt-14-dev-wasm32"}
    monkeypatch.setattr(detect, "apt_has_package", lambda name: name in packaged)
    packages = detect.clang_wasm_packages(lang)
    assert "libclang-rt-16-dev-wasm32" in packages and "clang-16" in packages
    assert ("libc++-16-dev-wasm32" in packages) == (lang == "cpp")
    assert not any("-14" in package for package in packages)


def fake_rustup_rustc(folder: Path) -> Path:
    """A rustc like rustup's on a laptop: it runs, but its sysroot has no wasm32 library."""
    sysroot = folder / "sysroot"
    (sysroot / "lib" / "rustlib" / "x86_64-unknown-linux-gnu" / "lib").mkdir(parents=True)
    return script(
        folder,
        "rustc",
        f"""case "$*" in
  *--print*sysroot*) echo {sysroot} ;;
  *--version*) echo "rustc 9.99.0 (rustup, no wasm32)" ;;
  *) echo "error[E0463]: can't find crate for std" >&2; exit 1 ;;
esac""",
    )


def rustup_rustc_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[detect.Toolchain, Path]:
    """A laptop's PATH: rustup's rustc without wasm32 first, then the rustc that builds for
    wasm here. Returns that rustc's toolchain and the fake rustup rustc."""
    rustc = wasm_rustc()
    folder = tmp_path / "first"
    folder.mkdir()
    first = fake_rustup_rustc(folder)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(detect, "_rustc_candidates", lambda: [str(first), rustc.command[0]])
    return rustc, first


def test_a_rustc_without_wasm32_first_on_path_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rustc, first = rustup_rustc_first(monkeypatch, tmp_path)
    entry = doctor._checked_toolchain("rust")
    assert entry["available"] is True and entry["tool"] == rustc.command[0]
    assert (
        f"he rustc first on PATH ({first}, rustc 9.99.0 (rustup, no wasm32)) has no wasm32 standard library"
        in entry["note"]
    )
    row = row_of(entry, "rust")
    assert (
        row.ok and row.note in DoctorReport({**doctor_data(), "toolchains": {"rust": entry}}).text()
    )


@pytest.mark.parametrize("rustup", [True, False])
def test_an_ok_rust_row_says_its_note_asks_for_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rustup: bool
) -> None:
    """Walk 3, S1: the row is ok, yet its note read like a task. It says first that the
    course needs nothing, and that the rustup command is only for using rustup's rustc."""
    rustc, _ = rustup_rustc_first(monkeypatch, tmp_path)
    monkeypatch.setattr(doctor, "rustup_here", lambda: "/usr/bin/rustup" if rustup else None)
    note = doctor._checked_toolchain("rust")["note"]
    assert note.startswith(f"nothing to do for the course: it builds with {rustc.command[0]}")
    assert "which can build for wasm" in note
    if rustup:
        assert note.endswith("only to use that one: rustup target add wasm32-wasip1")
    else:
        assert "target add" not in note and note.endswith("so the kit passes it by")


@pytest.mark.parametrize("rustup", [True, False])
def test_no_rustc_for_wasm_names_rustup_or_the_packages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rustup: bool
) -> None:
    release(monkeypatch, tmp_path, "trixie")
    folder = bare_path(monkeypatch, tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.cargo/bin/rustup
    first = fake_rustup_rustc(folder)
    if rustup:
        script(folder, "rustup", "exit 1")
    monkeypatch.setattr(detect, "_rustc_candidates", lambda: [str(first)])
    entry = doctor._checked_toolchain("rust")
    assert entry["available"] is False and entry["probe"] is None
    if rustup:
        assert entry["fix"].startswith("rustup target add wasm32-wasip1")
        assert "rustup target add wasm32-wasip1" in entry["note"]
    else:
        assert "apt-get install -y rustc libstd-rust-dev-wasm32 rust-llvm" in entry["fix"]
    assert not row_of(entry, "rust").ok


# --- every language, for real ---------------------------------------------------------------


@pytest.mark.parametrize("lang", detect.LANGUAGES)
def test_every_compiler_here_builds_and_runs_for_wasm(lang: str) -> None:
    """The compiler the kit would use really builds a program that runs. A remembered pass
    counts only for the same compiler and the same linker found on PATH, so a hidden or
    removed rust-lld makes this fail (checked with PATH=<no rust-lld> ./kit unit)."""
    try:
        tc = build.toolchain_for(lang)
    except build.ToolchainMissing as err:
        need(False, f"no {lang} compiler for wasm: {err.fix}")
        return
    proof = prove_toolchain(tc)
    assert proof.ok, f"{lang}: {tc.command[0]} was found but its wasm build fails: {proof.cause}"


# --- Docker ---------------------------------------------------------------------------------


def doctor_data() -> dict[str, Any]:
    """A report's data without running any probe: just enough for the rows."""
    return {
        "python": {"version": "3.11.7"},
        "platform": {"system": "Linux", "machine": "x86_64"},
        "wasmtime": {"available": True, "version": "x"},
        "toolchains": {},
        "docker": {"available": True, "server_version": "20.10", "wasm_shims": [], "runtimes": []},
        "wasmtime_cli": {"available": True},
        "registry": {"available": True},
        "browser": {"available": True},
        "tools": {},
        "components": {},
    }


@pytest.mark.parametrize(
    ("codename", "package"), [("trixie", "docker-cli"), ("bookworm", "docker.io")]
)
def test_docker_command_missing_while_the_daemon_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, codename: str, package: str
) -> None:
    monkeypatch.delenv("KIT_DOCKER", raising=False)
    need(docker_status().available, "no Docker daemon here")
    release(monkeypatch, tmp_path, codename)
    bare_path(monkeypatch, tmp_path)
    command = prove_docker_command()
    assert command.available is False and command.cause == "the docker command is missing"
    data = doctor_data()
    data["docker"] = {**docker_status().to_json(), "command": command.to_json()}
    rows = {r.what: r for r in DoctorReport(data).rows}
    assert rows["Docker daemon"].ok
    assert (
        not rows["docker command"].ok
        and "the docker command is missing" in rows["docker command"].found
    )
    assert f"apt-get install -y {package}" in rows["docker command"].fix


@pytest.mark.parametrize("available", [True, False])
def test_docker_command_row_names_only_the_notebooks_that_run_it(available: bool) -> None:
    """Notebook 00's exercise 2 says 08 starts no container; the doctor's row, shown just
    above it, must not say 08 times containers through the command (walk 7, S1). 06 times
    start-ups with it, 07 cold pulls (docker run --pull=always)."""
    from kernel_helpers.course.nb00 import CONTAINER_NOTEBOOKS

    command = {
        "available": available,
        "path": "/usr/bin/docker",
        "client_version": "20.10",
        "server_version": "20.10",
        "image": "busybox",
        "cause": None if available else "the docker command is missing",
    }
    data = doctor_data()
    data["docker"] = {**data["docker"], "command": command}
    means = {r.what: r for r in DoctorReport(data).rows}["docker command"].means
    assert "06" in means and "07" in means and "pull" in means
    assert "08" not in means and "06-08" not in means
    assert {6, 7} <= CONTAINER_NOTEBOOKS


def test_docker_command_that_reaches_no_engine_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KIT_DOCKER", raising=False)
    need(_system.find_program("docker") is not None, "no docker command here")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    command = prove_docker_command()
    assert command.available is False and command.client_version
    assert (
        command.cause and "reaches no engine" in command.cause and "no-engine.sock" in command.cause
    )
    assert command.fix


def test_the_docker_command_on_path_runs_a_hardened_container() -> None:
    need(docker_status().available, "no Docker daemon here")
    command = prove_docker_command()
    assert command.available, command.cause
    assert command.client_version and command.server_version and command.image


# --- Node -----------------------------------------------------------------------------------


@pytest.mark.parametrize("root", [True, False])
def test_no_node_gives_a_fix_that_installs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, root: bool
) -> None:
    bare_path(monkeypatch, tmp_path, "wasm-tools")
    monkeypatch.setattr(doctor, "is_root", lambda: root)
    monkeypatch.setattr(_system, "is_root", lambda: root)
    jco = doctor._components()["jco"]
    assert jco["available"] is False
    if root:
        assert jco["fix"].startswith("./kit setup") and "nodejs and npm" in jco["fix"]
    else:
        assert "apt-get install -y nodejs npm" in jco["fix"] and "./kit setup" in jco["fix"]


# --- release-aware package names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("codename", "lld", "docker"),
    [
        ("bookworm", "rustc", "docker.io"),
        ("trixie", "rust-llvm", "docker-cli"),
        ("forky", "rust-llvm", "docker-cli"),
    ],
)
def test_apt_package_follows_the_release(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, codename: str, lld: str, docker: str
) -> None:
    release(monkeypatch, tmp_path, codename)
    # Without apt-cache to ask (apt's answer wins where it exists: test_kit_packages), the
    # release's codename decides.
    monkeypatch.setenv("PATH", str(tmp_path / "no-apt"))
    assert _system.apt_package("rust-lld") == lld
    assert _system.apt_package("docker") == docker


def test_a_tool_that_cannot_say_its_version_is_not_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found is not working: the trixie leg's doctor once printed "ok Chromium" beside the
    line saying its --version had timed out."""
    from kernel_helpers.course import doctor

    broken = tmp_path / "skopeo"
    broken.write_text(
        "#!/bin/sh\necho 'skopeo: error while loading shared libraries' >&2\nexit 127\n"
    )
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    report = doctor._skopeo()
    assert report.available is False
    assert report.path == str(broken)
    assert report.fix and "does not run" in report.fix and "shared libraries" in report.fix


# --- the containerd wasm shim ---------------------------------------------------------------


def shim_reachable() -> None:
    from kernel_helpers.containers.containerd import (
        WASM_RUNTIME,
        built_shim,
        containerd_status,
    )

    status = containerd_status()
    need(status["address"] is not None, "no containerd socket here")
    need(status["runtimes"][WASM_RUNTIME] or built_shim(), "no containerd wasm shim here")


def test_the_shim_row_runs_hello_through_the_shim_and_remembers_it() -> None:
    from kernel_helpers.containers.proof import prove_shim

    shim_reachable()
    proof = prove_shim(fresh=True)
    assert proof is not None and proof.ok, proof
    assert "ran hello through containerd" in proof.checked_by and not proof.cached
    again = prove_shim()
    assert again is not None and again.ok and again.cached


def test_a_shim_that_does_not_run_hello_fails_the_row(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kernel_helpers.containers import containerd
    from kernel_helpers.containers.proof import prove_shim

    shim_reachable()
    broken = script(tmp_path, "containerd-shim-wasmtime-v1", "echo 'no shim here' >&2; exit 1")
    monkeypatch.setattr(containerd, "runtime_binary", lambda runtime: str(broken))
    monkeypatch.setattr(containerd, "runtime_argument", lambda runtime: str(broken))
    proof = prove_shim()  # a new shim file: nothing remembered counts for it
    assert proof is not None and not proof.ok and proof.cause
    data = {
        **doctor_data(),
        "containerd": {**containerd.containerd_status(), "probe": proof.to_json()},
    }
    row = {r.what: r for r in DoctorReport(data).rows}["containerd wasm shim"]
    assert not row.ok and "failed" in row.found and row.fix
