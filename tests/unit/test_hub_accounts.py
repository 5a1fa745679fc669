"""The workshop hub's pieces that need no hub: names, environments, the course copy's rules,
and how `./kit hub` is wired (its pins stay out of the learner's install)."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from course_hub import accounts, course_copy, rootless
from course_hub.errors import HubError

REPO = Path(__file__).resolve().parents[2]


def test_a_hub_name_maps_to_a_prefixed_account_never_to_a_system_one() -> None:
    assert accounts.unix_name("root", prefix="kit-") == "kit-root"
    assert accounts.unix_name("zoe_2", prefix="kitlearner-") == "kitlearner-zoe_2"
    for bad in ("Root", "../etc", "", "1abc", "a" * 21, "zoë"):
        with pytest.raises(HubError):
            accounts.unix_name(bad, prefix="kit-")
    with pytest.raises(HubError, match="KIT_HUB_USER_PREFIX"):
        accounts.unix_name("a" * 20, prefix="a-much-too-long-prefix-")


def test_the_prefix_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_HUB_USER_PREFIX", "ws1-")
    assert accounts.unix_name("ana") == "ws1-ana"
    monkeypatch.delenv("KIT_HUB_USER_PREFIX")
    assert accounts.unix_name("ana") == "kit-ana"


def test_an_account_the_kit_did_not_make_is_refused() -> None:
    root = pwd.getpwuid(0)
    assert not accounts.is_kit_account(root)
    with pytest.raises(HubError, match="not made by the kit"):
        accounts.ensure_account(root.pw_name)
    with pytest.raises(HubError):
        accounts.remove_account(root.pw_name)
    with pytest.raises(HubError):
        accounts.stop_processes_of(0)


def test_a_learner_server_has_its_own_cache_name_and_the_shared_venv() -> None:
    entry = pwd.struct_passwd(
        ("kit-ana", "x", 1234, 1234, accounts.ACCOUNT_COMMENT, "/home/kit-ana", "/bin/bash")
    )
    env = accounts.learner_env(entry, "ana", Path("/srv/kit/.venv"))
    assert env["HOME"] == "/home/kit-ana" and env["USER"] == "kit-ana"
    assert env["KIT_CACHE_DIR"] == "/home/kit-ana/.kit-cache"  # builds, results, Docker owner id
    assert env["LEARNER"] == "ana"  # notebook 10 names the export after the learner
    assert env["PATH"].split(":")[0] == "/srv/kit/.venv/bin"


def _checkout(root: Path) -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "00.ipynb").write_text("v1")
    (root / "notebooks" / ".ipynb_checkpoints").mkdir()
    (root / "notebooks" / ".ipynb_checkpoints" / "00-checkpoint.ipynb").write_text("old")
    (root / "wasm_examples" / "hello" / "c").mkdir(parents=True)
    (root / "wasm_examples" / "hello" / "c" / "hello.c").write_text("int main(){}")
    return root


def test_the_course_copy_updates_what_the_learner_left_and_keeps_what_they_edited(
    tmp_path: Path,
) -> None:
    source, home = _checkout(tmp_path / "kit"), tmp_path / "home"
    home.mkdir()
    first = course_copy.refresh(source, home)
    assert sorted(first.copied) == ["notebooks/00.ipynb", "wasm_examples/hello/c/hello.c"]
    assert not (home / "notebooks" / ".ipynb_checkpoints").exists()

    # The instructor fixes both files; the learner has edited the C file meanwhile.
    (source / "notebooks" / "00.ipynb").write_text("v2")
    (source / "wasm_examples" / "hello" / "c" / "hello.c").write_text("int main(){return 0;}")
    (home / "wasm_examples" / "hello" / "c" / "hello.c").write_text("my own work")
    second = course_copy.refresh(source, home)
    assert second.updated == ["notebooks/00.ipynb"]
    assert second.kept == ["wasm_examples/hello/c/hello.c"]
    assert (home / "notebooks" / "00.ipynb").read_text() == "v2"
    assert (home / "wasm_examples" / "hello" / "c" / "hello.c").read_text() == "my own work"

    # Deleting a notebook is how a learner asks for a fresh copy; a third run changes nothing else.
    (home / "notebooks" / "00.ipynb").unlink()
    third = course_copy.refresh(source, home)
    assert third.copied == ["notebooks/00.ipynb"] and not third.updated
    assert third.kept == ["wasm_examples/hello/c/hello.c"]
    assert "1 copied, 0 updated, 1 kept" in third.summary()


def test_the_course_copy_never_follows_a_planted_symlink(tmp_path: Path) -> None:
    source, home, elsewhere = _checkout(tmp_path / "kit"), tmp_path / "home", tmp_path / "elsewhere"
    (home / "notebooks").mkdir(parents=True)
    elsewhere.write_text("not the learner's to overwrite")
    (home / "notebooks" / "00.ipynb").symlink_to(elsewhere)
    report = course_copy.refresh(source, home)
    assert "notebooks/00.ipynb" in report.kept
    assert elsewhere.read_text() == "not the learner's to overwrite"


def test_the_course_copy_runs_as_a_command(tmp_path: Path) -> None:
    source, home = _checkout(tmp_path / "kit"), tmp_path / "home"
    home.mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "course_hub.course_copy", str(source), str(home)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert json.loads(out.stdout)["summary"].startswith("2 copied")
    assert json.loads((home / course_copy.MANIFEST).read_text()).keys() == {
        "notebooks/00.ipynb",
        "wasm_examples/hello/c/hello.c",
    }


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_the_hub_is_pinned_and_installed_by_kit_hub_alone() -> None:
    hub = _pins(REPO / "requirements-hub.txt")
    assert set(hub) == {"jupyterhub", "jupyterhub-nativeauthenticator"}
    for other in ("requirements.txt", "requirements-test.txt", "requirements-dev.txt"):
        assert "jupyterhub" not in (REPO / other).read_text()
    kit = (REPO / "kit").read_text()
    assert kit.count("requirements-hub.txt") >= 2 and "setup_hub" in kit
    package = json.loads((REPO / "deploy" / "proxy" / "package.json").read_text())
    version = package["dependencies"]["configurable-http-proxy"]
    assert version[0].isdigit(), "the proxy's version is pinned exactly"
    lock = json.loads((REPO / "deploy" / "proxy" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == version


def test_the_hub_config_keeps_to_loopback_approval_and_its_own_spawner() -> None:
    config = (REPO / "deploy" / "jupyterhub_config.py").read_text()
    assert "'0.0.0.0' if PUBLIC else '127.0.0.1'" in config
    assert "c.NativeAuthenticator.open_signup = False" in config
    assert "c.JupyterHub.cleanup_servers = True" in config
    assert "class KitSpawner(LocalProcessSpawner)" in config
    compile(config, "jupyterhub_config.py", "exec")


def test_a_learner_without_rootless_docker_gets_recorded_data_never_the_root_socket() -> None:
    none = rootless.LearnerDocker(None, "no rootlesskit")
    assert none.env() == {"KIT_DOCKER": "off"}
    own = rootless.LearnerDocker(Path("/run/user/1234/docker.sock"))
    assert own.env()["DOCKER_HOST"] == "unix:///run/user/1234/docker.sock"
    assert "/var/run/docker.sock" not in json.dumps([none.env(), own.env()])


def test_rootless_docker_can_be_turned_off_and_needs_subordinate_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_HUB_DOCKER", "off")
    assert rootless.missing("kit-ana") == "KIT_HUB_DOCKER=off"
    table = tmp_path / "subuid"
    table.write_text("someone:100000:65536\nkit-ana:165536:65536\nbroken:x:1\n")
    assert accounts.subid_range("kit-ana", table) == range(165536, 231072)
    assert accounts.subid_range("broken", table) is None
    assert accounts.subid_range("nobody-here", table) is None
    with pytest.raises(HubError):
        accounts.stop_processes_of(1234, also=range(0, 10))


def test_a_daemon_is_only_taken_as_answering_when_it_pings(tmp_path: Path) -> None:
    import socket
    import threading

    path = tmp_path / "docker.sock"
    assert not rootless.answers(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def reply() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(1024)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")

    thread = threading.Thread(target=reply)
    thread.start()
    try:
        assert rootless.answers(path)
    finally:
        thread.join(5)
        server.close()


def test_processes_of_finds_this_process_and_not_others() -> None:
    me = os.getuid()
    assert os.getpid() in accounts.processes_of(me)
    assert os.getpid() not in accounts.processes_of(me + 12345)


def test_staff_and_system_names_are_reserved_and_the_rule_is_stated() -> None:
    for name in ("admin", "instructor", "root", "kit-root", "kit-ana", "jovyan", "daemon"):
        problem = accounts.name_problem(name, admin="teacher1")
        assert problem is not None and "reserved" in problem and accounts.NAME_RULE in problem, name
    assert accounts.name_problem("instructor", admin="instructor") is None  # the admin's own
    assert accounts.name_problem("ana") is None and accounts.name_problem("kitty") is None
    bad = accounts.name_problem("Ana B")
    assert bad is not None and accounts.NAME_RULE in bad


def test_limits_come_from_the_instructor_and_a_missing_pids_controller_falls_back(
    tmp_path: Path,
) -> None:
    limits = accounts.Limits.from_env({"KIT_HUB_PIDS_MAX": "64", "KIT_HUB_MEMORY_MAX": "1.5G"})
    assert limits == accounts.Limits(pids=64, memory_bytes=3 << 29, cpu_shares=1024)
    with pytest.raises(HubError, match="KIT_HUB_PIDS_MAX"):
        accounts.Limits.from_env({"KIT_HUB_PIDS_MAX": "many"})
    # A cgroup tree with memory only (no pids): the account gets RLIMIT_NPROC instead.
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "cgroup.procs").write_text("")
    group = accounts.learner_cgroup("kit-ana", limits, root=tmp_path)
    assert group.controllers() == {"memory"} and group.nproc == 64
    folder = dict(group.folders)["memory"]
    assert (folder / "memory.limit_in_bytes").read_text() == str(3 << 29)
    assert group.describe().startswith(
        "at most 64 processes (per account), 1.5 GiB of memory; no cpu limit"
    )
    child = os.fork()
    if child == 0:  # join() in a child: it moves that process and limits it
        import resource

        group.join()
        os._exit(0 if resource.getrlimit(resource.RLIMIT_NPROC) == (64, 64) else 1)
    assert os.waitpid(child, 0)[1] == 0
    assert (folder / "cgroup.procs").read_text() == str(child)
