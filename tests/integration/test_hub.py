"""`./kit hub`: learners sign up, the instructor approves them, each gets a server running
as their own unix account with a private home; SIGTERM stops everything, a restart works.

Everything goes over HTTP (the NativeAuthenticator forms, the hub's pages, each server's
API), as a learner's browser would, without one. The unix accounts it makes are
``kitlearner-*`` and are removed afterwards.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from course_hub import accounts, rootless
from tests.conftest import free_port, need, other_address

REPO = Path(__file__).resolve().parents[2]
PREFIX = "kitlearner-"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class Hub:
    def __init__(self, state: Path, port: int, log: Path) -> None:
        self.state, self.port, self.log = state, port, log
        self.url = f"http://127.0.0.1:{port}"
        # Learners must reach their hand-in folder: not under pytest's root-only tmp folder.
        self.class_root = Path(tempfile.mkdtemp(prefix="kit-hub-class-", dir="/tmp")) / "class"
        self.class_root.parent.chmod(0o711)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300) -> None:
        env = {
            **os.environ,
            "KIT_HUB_STATE": str(self.state),
            "KIT_HUB_PORT": str(self.port),
            "KIT_HUB_CLASS": str(self.class_root),
            "KIT_HUB_USER_PREFIX": PREFIX,
            "KIT_HUB_ADMIN": "instructor",
            "KIT_DOCKER": "off",
        }
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                ["./kit", "hub"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        # The first start on a machine may build the hub's .venv (a minute); later ones take seconds.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"./kit hub exited early:\n{self.tail()}"
            try:
                if requests.get(f"{self.url}/hub/login", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the hub never answered on {self.url}:\n{self.tail()}")

    def stop(self, timeout: float = 40) -> int:
        """SIGTERM to the hub process alone (not its group): it must stop what it started."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def interrupt(self, timeout: float = 40) -> int:
        """Ctrl-C in the instructor's terminal: SIGINT to the whole process group."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        return self.proc.wait(timeout=timeout)

    def kill_all(self) -> None:
        """After a failure: SIGTERM first (the hub stops what it started), SIGKILL if it hangs,
        then the proxy by its pid file (it runs in a session of its own)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        pid_file = self.state / "proxy.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text() or 0)
            cmdline = Path(f"/proc/{pid}/cmdline")
            if pid and cmdline.exists() and b"configurable-http-proxy" in cmdline.read_bytes():
                os.kill(pid, signal.SIGKILL)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


def xsrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    page.raise_for_status()
    match = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    assert match, f"no _xsrf field on {url}"
    return match[1]


def sign_up(hub: Hub, name: str, password: str) -> None:
    session = requests.Session()
    token = xsrf(session, f"{hub.url}/hub/signup")
    answer = session.post(
        f"{hub.url}/hub/signup",
        timeout=10,
        data={
            "_xsrf": token,
            "username": name,
            "signup_password": password,
            "signup_password_confirmation": password,
        },
    )
    assert answer.status_code == 200 and "information has been sent to the admin" in answer.text, (
        answer.text[-800:]
    )


def log_in(hub: Hub, name: str, password: str) -> requests.Session | None:
    session = requests.Session()
    token = xsrf(session, f"{hub.url}/hub/login")
    session.post(
        f"{hub.url}/hub/login",
        timeout=10,
        allow_redirects=False,
        data={
            "_xsrf": token,
            "username": name,
            "password": password,
        },
    )
    return (
        session if any(c.name.startswith("jupyterhub-hub-login") for c in session.cookies) else None
    )


def spawn(hub: Hub, session: requests.Session, name: str) -> None:
    """Start the learner's server, as the 'Start' button does (the hub answers at once)."""
    session.get(f"{hub.url}/hub/spawn/{name}", timeout=30, allow_redirects=False).raise_for_status()


def wait_for_server(
    hub: Hub, session: requests.Session, name: str, timeout: float = 60
) -> dict[str, object]:
    """Wait until the learner's server answers its own API, through the learner's login."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        page = session.get(f"{hub.url}/user/{name}/lab", timeout=10)
        if page.status_code == 200 and "JupyterLab" in page.text:
            status = session.get(f"{hub.url}/user/{name}/api/status", timeout=10)
            if status.status_code == 200:
                return dict(status.json())
        last = f"{page.status_code} {page.url}"
        time.sleep(0.5)
    raise AssertionError(f"{name}'s server never answered ({last}):\n{hub.tail()}")


def server_environ(unix: str) -> dict[str, str]:
    """The environment of the learner's single-user server, read from /proc."""
    entry = pwd.getpwnam(unix)
    server = next(
        pid
        for pid in accounts.processes_of(entry.pw_uid)
        if b"jupyterhub-singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    return dict(
        item.split("=", 1)
        for item in Path(f"/proc/{server}/environ").read_text().split("\0")
        if "=" in item
    )


def run_as(unix: str, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", unix, "--", *command], capture_output=True, text=True, timeout=20, cwd="/"
    )


@pytest.fixture
def learners() -> Iterator[list[str]]:
    names = [f"a{secrets.token_hex(3)}", f"b{secrets.token_hex(3)}"]
    yield names
    for name in [*names, "instructor"]:
        accounts.remove_account(PREFIX + name)


def check_hand_ins(hub: Hub, admin: requests.Session, unix_a: str, unix_b: str) -> None:
    """Each learner hands in to a folder of their own that the instructor reads and no other
    learner can; the instructor's server has the class and the class view notebook."""
    from course_hub.classroom import CLASS_GROUP, CLASS_VIEW_NOTEBOOK

    root = hub.class_root
    folders = {unix: root / unix for unix in (unix_a, unix_b)}
    for unix, folder in folders.items():
        assert server_environ(unix)["KIT_CLASS_DIR"] == str(folder)
        assert folder.stat().st_uid == pwd.getpwnam(unix).pw_uid
        assert stat.S_IMODE(folder.stat().st_mode) == 0o2750
    hand_in = ("python", "-c", "from kernel_helpers.report.handin import hand_in; hand_in('doctor.json', "
               "b'{\"summary\": \"ok\", \"missing\": []}')")  # fmt: skip
    done = subprocess.run(["runuser", "-u", unix_a, "--", "env", "-i",
                           *(f"{k}={v}" for k, v in server_environ(unix_a).items()), *hand_in],
                          capture_output=True, text=True, timeout=60, cwd="/")  # fmt: skip
    assert done.returncode == 0 and (folders[unix_a] / "doctor.json").is_file(), done.stderr[-500:]
    assert run_as(unix_b, "ls", str(folders[unix_a])).returncode != 0, (
        "a learner lists another's hand-ins"
    )
    assert run_as(unix_b, "cat", str(folders[unix_a] / "doctor.json")).returncode != 0
    assert run_as(unix_a, "ls", str(root)).returncode != 0, "a learner lists the class"

    spawn(hub, admin, "instructor")
    wait_for_server(hub, admin, "instructor")
    teacher = PREFIX + "instructor"
    assert teacher in grp.getgrnam(CLASS_GROUP).gr_mem
    assert (Path(pwd.getpwnam(teacher).pw_dir) / CLASS_VIEW_NOTEBOOK).is_file()
    environ = server_environ(teacher)
    assert environ["KIT_CLASS_ROOT"] == str(root)
    view = subprocess.run(["runuser", "-u", teacher, "--", "env", "-i",
                           *(f"{k}={v}" for k, v in environ.items()), "python", "-c",
                           "import course_hub; print(course_hub.class_status().text())"],
                          capture_output=True, text=True, timeout=60, cwd="/")  # fmt: skip
    assert view.returncode == 0, view.stderr[-800:]
    a_name, b_name = unix_a[len(PREFIX) :], unix_b[len(PREFIX) :]
    assert f"{a_name}: ok: nothing missing" in view.stdout, view.stdout
    assert f"{b_name}: has not run the setup check" in view.stdout, view.stdout


#: Each learner's scratch image on their own daemon, and their module pushed to their own
#: registry and pulled back over its HTTP API, both learners at once.
BENCH = (
    "import json; from kernel_helpers.bench.startup import run_startup; "
    "r = run_startup('hello', variants=['docker-scratch', 'docker-pull-run', 'oci-wasm-pull-run'], "
    "repeat=3, warmup=1, progress=False); "
    "print(json.dumps({n: m.source for n, m in r.variants.items()})); print(r.notes.get('docker-pull-run'))"
)


def check_benchmarks_side_by_side(environments: dict[str, dict[str, str]]) -> None:
    """Two learners benchmark at once, each on their own daemon and registry: both measure
    what their rootless daemon can, and say why the daemon's own pull is left out."""
    runs = {
        unix: subprocess.Popen(
            [
                "runuser",
                "-u",
                unix,
                "--",
                "env",
                "-i",
                *(f"{k}={v}" for k, v in env.items()),
                "python",
                "-c",
                BENCH,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd="/",
        )
        for unix, env in environments.items()
    }
    for unix, run in runs.items():
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-1500:]
        sources, note = out.splitlines()[-2:]
        assert json.loads(sources) == {
            "docker-scratch": "measured",
            "oci-wasm-pull-run": "measured",
            "docker-pull-run": "recorded",
        }, (unix, out, err[-800:])
        assert "left out on a rootless Docker daemon" in note, note


def test_two_learners_get_their_own_accounts_and_the_hub_stops_cleanly(
    tmp_path: Path, learners: list[str]
) -> None:
    need(os.geteuid() == 0, "./kit hub creates unix accounts: run the test as root")
    hub = Hub(tmp_path / "hub", free_port(), tmp_path / "hub.log")
    password = secrets.token_urlsafe(12)
    try:
        hub.start()
        admin_password = (hub.state / "admin-password").read_text().strip()
        address = other_address()
        if address:  # without --public, the room cannot reach it
            with pytest.raises(OSError):
                socket.create_connection((address, hub.port), timeout=2).close()
        assert log_in(hub, "instructor", "wrong password") is None
        admin = log_in(hub, "instructor", admin_password)
        assert admin is not None, "the instructor's account does not log in"

        for name in learners:
            sign_up(hub, name, password)
            assert log_in(hub, name, password) is None, (
                "a learner logged in before the instructor approved them"
            )
        # Signing up as the admin is refused: the account exists from the first start.
        assert log_in(hub, "instructor", password) is None
        for name in learners:
            assert admin.get(f"{hub.url}/hub/authorize/{name}", timeout=10).status_code == 200

        sessions = {}
        for name in learners:
            session = log_in(hub, name, password)
            assert session is not None, f"{name} cannot log in after approval"
            sessions[name] = session
        started = time.monotonic()
        for name in learners:  # both at once, as a room does
            spawn(hub, sessions[name], name)
        for name in learners:
            wait_for_server(hub, sessions[name], name)
        spawn_seconds = time.monotonic() - started
        assert spawn_seconds < 45, f"two spawns took {spawn_seconds:.1f} s"

        a, b = learners
        unix_a, unix_b = PREFIX + a, PREFIX + b
        for name in learners:
            entry = pwd.getpwnam(PREFIX + name)
            home = Path(entry.pw_dir)
            assert home.stat().st_mode & 0o777 == 0o700
            notebook = home / "notebooks" / "00-setup-check.ipynb"
            assert notebook.stat().st_uid == entry.pw_uid, "the course copy is not the learner's"
            # The server runs as the learner, in their home, with the course's notebooks.
            listing = (
                sessions[name]
                .get(f"{hub.url}/user/{name}/api/contents/notebooks", timeout=10)
                .json()
            )
            assert "00-setup-check.ipynb" in {item["name"] for item in listing["content"]}
            assert accounts.processes_of(entry.pw_uid), f"nothing runs as {entry.pw_name}"

        # A kernel starts in the learner's server, as the learner, from the shared .venv.
        server_xsrf = next(
            c.value
            for c in sessions[a].cookies
            if c.name == "_xsrf" and c.path.startswith(f"/user/{a}")
        )
        kernel = sessions[a].post(
            f"{hub.url}/user/{a}/api/kernels",
            json={"name": "python3"},
            headers={"X-XSRFToken": server_xsrf},
            timeout=30,
        )
        assert kernel.status_code == 201, kernel.text[-500:]
        uid_a = pwd.getpwnam(unix_a).pw_uid
        deadline = time.monotonic() + 30
        while not [
            pid
            for pid in accounts.processes_of(uid_a)
            if b"ipykernel_launcher" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]:
            assert time.monotonic() < deadline, f"no kernel runs as {unix_a}"
            time.sleep(0.3)

        # A learner's session does not open another learner's server...
        assert sessions[a].get(f"{hub.url}/user/{b}/api/contents", timeout=10).status_code == 403
        page = sessions[a].get(f"{hub.url}/user/{b}/lab", timeout=10)
        assert page.status_code == 403 and "You do not have permission" in page.text, page.url
        # ...nor, on the machine, another learner's home.
        home_b = pwd.getpwnam(unix_b).pw_dir
        assert run_as(unix_a, "ls", home_b).returncode != 0, f"{unix_a} can list {home_b}"
        assert run_as(unix_a, "cat", f"{home_b}/notebooks/00-setup-check.ipynb").returncode != 0
        assert run_as(unix_b, "cat", f"{home_b}/notebooks/00-setup-check.ipynb").returncode == 0

        check_hand_ins(hub, admin, unix_a, unix_b)

        # Each learner's server talks to a Docker daemon of their own, never to the root socket,
        # and one learner cannot reach another's.
        need(not rootless.missing(unix_a), f"rootless Docker: {rootless.missing(unix_a)}")
        sockets, environments = {}, {}
        for unix in (unix_a, unix_b):
            entry = pwd.getpwnam(unix)
            environ = server_environ(unix)
            sockets[unix], environments[unix] = environ["DOCKER_HOST"], environ
            assert sockets[unix] == f"unix:///run/user/{entry.pw_uid}/docker.sock", environ.get(
                "KIT_DOCKER"
            )
            assert "KIT_DOCKER" not in environ
        own = run_as(
            unix_a, "docker", "-H", sockets[unix_a], "version", "--format", "{{.Server.Version}}"
        )
        assert own.returncode == 0 and own.stdout.strip(), own.stderr
        # The kit itself, in the learner's environment, lands on their rootless daemon.
        probe = subprocess.run(
            [
                "runuser",
                "-u",
                unix_a,
                "--",
                "env",
                "-i",
                *(f"{k}={v}" for k, v in environments[unix_a].items()),
                "python",
                "-c",
                "from kernel_helpers.containers.docker import connect; "
                "from kernel_helpers.containers.docker import docker_status; "
                "info = connect(10).info(); print(info['SecurityOptions']); print(info.get('CgroupDriver')); "
                "status = docker_status(); print('limits enforced:', status.limits_enforced, status.limits_note)",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )
        assert probe.returncode == 0 and "rootless" in probe.stdout, probe.stderr[-800:]
        if probe.stdout.splitlines()[1] == "none":
            # No cgroup driver (these machines): the kit says the limits are not enforced.
            assert "limits enforced: False This Docker daemon has no cgroup driver" in probe.stdout
        theirs = run_as(unix_a, "docker", "-H", sockets[unix_b], "version")
        assert theirs.returncode != 0 and "permission denied" in theirs.stderr.lower(), (
            theirs.stderr
        )
        if Path("/var/run/docker.sock").exists():
            assert (
                run_as(unix_a, "docker", "-H", "unix:///var/run/docker.sock", "version").returncode
                != 0
            )
        check_benchmarks_side_by_side(environments)

        proxy_pid = int((hub.state / "proxy.pid").read_text())
        ids = [
            (pwd.getpwnam(u).pw_uid, accounts.subid_range(u))
            for u in (unix_a, unix_b, PREFIX + "instructor")
        ]
        stopped = time.monotonic()
        assert hub.stop() == 0, hub.tail()
        stop_seconds = time.monotonic() - stopped
        assert not Path(f"/proc/{proxy_pid}").exists(), "the proxy outlived the hub"
        left = {uid: accounts.processes_of(uid, also) for uid, also in ids}
        assert not any(left.values()), f"learners' processes outlived the hub: {left}"
        assert stop_seconds < 30

        # A second start on the same state: the instructor and the learners are still there.
        hub.start(timeout=60)
        assert log_in(hub, "instructor", admin_password) is not None
        assert log_in(hub, a, password) is not None
        proxy_pid = int((hub.state / "proxy.pid").read_text())
        assert hub.interrupt() == 0, hub.tail()
        assert not Path(f"/proc/{proxy_pid}").exists(), "the proxy outlived Ctrl-C"
        print(
            f"\nhub: two spawns at once took {spawn_seconds:.1f} s, SIGTERM stopped everything in {stop_seconds:.1f} s"
        )
    finally:
        hub.kill_all()
        shutil.rmtree(hub.class_root.parent, ignore_errors=True)


def _servers_of(unix: str) -> list[int]:
    uid = pwd.getpwnam(unix).pw_uid
    return [pid for pid in accounts.processes_of(uid)
            if b"jupyterhub-singleuser" in Path(f"/proc/{pid}/cmdline").read_bytes()]  # fmt: skip


def test_a_killed_hub_takes_the_servers_with_it_and_the_next_start_reaps_the_rest(
    tmp_path: Path, learners: list[str]
) -> None:
    need(os.geteuid() == 0, "./kit hub creates unix accounts: run the test as root")
    hub = Hub(tmp_path / "hub", free_port(), tmp_path / "hub.log")
    name, password = learners[0], secrets.token_urlsafe(12)
    unix = PREFIX + name
    try:
        hub.start()
        admin = log_in(hub, "instructor", (hub.state / "admin-password").read_text().strip())
        assert admin is not None
        sign_up(hub, name, password)
        assert admin.get(f"{hub.url}/hub/authorize/{name}", timeout=10).status_code == 200
        session = log_in(hub, name, password)
        assert session is not None
        spawn(hub, session, name)
        wait_for_server(hub, session, name)
        assert _servers_of(unix)
        old_proxy = int((hub.state / "proxy.pid").read_text())

        assert hub.proc is not None
        hub.proc.kill()  # SIGKILL: the hub gets no chance to stop anything itself
        hub.proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _servers_of(unix) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _servers_of(unix), "the learner's server outlived the killed hub"

        hub.start(timeout=120)  # reaps what the account still ran (its Docker daemon)
        uid = pwd.getpwnam(unix).pw_uid
        assert not accounts.processes_of(uid, accounts.subid_range(unix)), hub.tail()
        assert not Path(f"/proc/{old_proxy}").exists() or b"configurable-http-proxy" not in Path(
            f"/proc/{old_proxy}/cmdline").read_bytes(), "the old proxy still runs"  # fmt: skip
        session = log_in(hub, name, password)
        assert session is not None
        spawn(hub, session, name)  # and the learner starts again as usual
        wait_for_server(hub, session, name)
        assert hub.stop() == 0, hub.tail()
    finally:
        hub.kill_all()
        shutil.rmtree(hub.class_root.parent, ignore_errors=True)
