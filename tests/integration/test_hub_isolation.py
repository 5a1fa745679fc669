"""A curious classmate on the workshop hub (issue 24): what one learner's account can do to
another's, tried as root with two throwaway kit accounts (``kittest-*``, removed after).

- A learner's kernel talks over unix sockets in their 0700 home: another account can
  neither read its connection file nor connect to its sockets.
- A fork bomb and a memory hog stop at the learner's cgroup limits, while another
  learner's kernel keeps answering (its round trip is printed).
- A process that ignores SIGTERM and re-forks every 2 ms does not survive a stop.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from course_hub import accounts
from tests.conftest import free_port, need

REPO = Path(__file__).resolve().parents[2]


def hub_python() -> Path | None:
    """The Python learners run: the hub's .venv-hub where there is one (learners cannot run
    .venv's when it comes from root's pyenv). Looked up when a test runs, not at import: on
    a fresh clone the hub test that runs first is what makes .venv-hub."""
    return next(
        (p for p in (REPO / ".venv-hub/bin/python", REPO / ".venv/bin/python") if p.exists()), None
    )


pytestmark = [pytest.mark.integration]


@pytest.fixture
def two() -> Iterator[tuple[pwd.struct_passwd, pwd.struct_passwd]]:
    need(os.geteuid() == 0, "makes unix accounts and cgroups: run as root")
    names = [f"kittest-a{secrets.token_hex(3)}", f"kittest-b{secrets.token_hex(3)}"]
    try:
        yield accounts.ensure_account(names[0]), accounts.ensure_account(names[1])
    finally:
        for name in names:
            accounts.remove_account(name)


def learner_python(entry: pwd.struct_passwd) -> str:
    python = hub_python()
    need(python is not None, "no .venv-hub (./kit hub makes it)")
    done = subprocess.run(["runuser", "-u", entry.pw_name, "--", str(python), "-c", "import jupyter_client"],
                          capture_output=True, cwd="/", check=False)  # fmt: skip
    need(done.returncode == 0, f"{entry.pw_name} cannot run {python}")
    return str(python)


#: Run as another learner: reads the connection file, then connects to each kernel socket,
#: printing what happened to each (the name of the error, or 'read' / 'connected').
REACH_PROBE = (
    "import socket, sys\n"
    "try:\n    open(sys.argv[1]).read(); print('read')\nexcept OSError as e: print(type(e).__name__)\n"
    "for path in sys.argv[2:]:\n"
    "    s = socket.socket(socket.AF_UNIX)\n"
    "    try:\n        s.connect(path); print('connected')\n"
    "    except OSError as e: print(type(e).__name__)\n"
)


def assert_cannot_reach(
    connection: Path, sockets: list[str], *, as_user: pwd.struct_passwd
) -> None:
    """Another learner can neither read a kernel's connection file nor connect to any of
    its sockets."""
    python = learner_python(as_user)
    command = [
        "runuser",
        "-u",
        as_user.pw_name,
        "--",
        python,
        "-c",
        REACH_PROBE,
        str(connection),
        *sockets,
    ]
    tried = subprocess.run(command, capture_output=True, text=True, cwd="/", check=False)
    assert tried.stdout.split() == ["PermissionError"] * (1 + len(sockets)), (
        tried.stdout + tried.stderr
    )


def as_learner(entry: pwd.struct_passwd, code: str, cgroup: accounts.LearnerCgroup | None = None,
               stdin: int | None = None) -> subprocess.Popen[str]:  # fmt: skip
    """Run ``code`` as the learner, in their cgroup, as the hub's spawner starts their server."""
    return subprocess.Popen(
        [learner_python(entry), "-c", code],
        preexec_fn=accounts.as_account(entry, cgroup=cgroup),
        env={
            "HOME": entry.pw_dir,
            "PATH": "/usr/bin:/bin",
            "JUPYTER_RUNTIME_DIR": f"{entry.pw_dir}/.kit-run",
        },
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


#: A kernel of the learner's own over ipc (as the hub's servers start them), asked `1+1`
#: again and again: a line per phase with the median and worst round trip in ms.
KERNEL_RTT = r"""
import json, os, sys, time
from jupyter_client import KernelManager
km = KernelManager(transport="ipc", connection_file=os.path.expanduser("~/.kit-run/kernel-rtt.json"))
os.makedirs(os.path.dirname(km.connection_file), mode=0o700, exist_ok=True)
km.start_kernel()
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
def trip():
    t = time.perf_counter(); kc.execute_interactive("1+1", timeout=30, output_hook=lambda m: None)
    return (time.perf_counter() - t) * 1000
def phase(seconds):
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        times.append(trip()); time.sleep(0.05)
    times.sort()
    return {"median_ms": times[len(times) // 2], "worst_ms": times[-1], "n": len(times)}
print(json.dumps({"ready": km.connection_file}), flush=True)
print(json.dumps(phase(3)), flush=True)
sys.stdin.readline()
print(json.dumps(phase(float(os.environ.get("RTT_SECONDS", "10")))), flush=True)
kc.stop_channels(); km.shutdown_kernel(now=True)
"""


def test_another_learner_can_neither_read_nor_reach_a_kernel(
    two: tuple[pwd.struct_passwd, ...],
) -> None:
    a, b = two
    kernel = as_learner(b, KERNEL_RTT, stdin=subprocess.PIPE)
    try:
        assert kernel.stdout is not None and kernel.stdin is not None
        connection = Path(json.loads(kernel.stdout.readline())["ready"])
        info = json.loads(connection.read_text())
        assert info["transport"] == "ipc" and info["ip"].startswith(b.pw_dir), info
        sockets = [f"{info['ip']}-{info[k]}" for k in ("shell_port", "iopub_port", "control_port")]
        # No TCP port of the kernel's: nothing on 127.0.0.1 for a classmate to subscribe to.
        assert all(Path(s).is_socket() for s in sockets)
        assert_cannot_reach(connection, sockets, as_user=a)
        kernel.stdin.write("\n")
        kernel.stdin.flush()
        kernel.wait(timeout=60)
    finally:
        kernel.kill()


FORK_BOMB = r"""
import os, time
children = 0
for _ in range(3000):
    try:
        if os.fork() == 0:
            time.sleep(5); os._exit(0)
        children += 1
    except OSError as err:
        print("refused after", children, type(err).__name__); break
else:
    print("not refused:", children)
"""

MEMORY_HOG = r"""
chunks = []
for _ in range(35):
    chunks.append(bytearray(100 << 20))
    chunks[-1][::4096] = b"x" * len(chunks[-1][::4096])
print("allocated", len(chunks) * 100, "MiB")
"""


def test_a_fork_bomb_and_a_memory_hog_stop_at_the_learners_limit(
    two: tuple[pwd.struct_passwd, ...],
) -> None:
    a, b = two
    limits = accounts.Limits(pids=200, memory_bytes=512 << 20, cpu_shares=1024)
    cg_a = accounts.learner_cgroup(a.pw_name, limits)
    cg_b = accounts.learner_cgroup(b.pw_name, accounts.Limits())
    need({"pids", "memory"} <= cg_a.controllers(), f"cgroup v1 pids and memory: {cg_a.describe()}")
    print(f"\nlimits for {a.pw_name}: {cg_a.describe()}")
    kernel = as_learner(b, KERNEL_RTT, cg_b, stdin=subprocess.PIPE)
    try:
        assert kernel.stdout is not None and kernel.stdin is not None
        kernel.stdout.readline()
        before = json.loads(kernel.stdout.readline())
        kernel.stdin.write("\n")
        kernel.stdin.flush()
        started = time.monotonic()
        bomb = as_learner(a, FORK_BOMB, cg_a)
        out, err = bomb.communicate(timeout=60)
        assert out.startswith("refused after"), out + err
        assert int(out.split()[2]) < limits.pids, out
        hog = as_learner(a, MEMORY_HOG, cg_a)
        hog_out, hog_err = hog.communicate(timeout=120)
        assert hog.returncode != 0 and "allocated" not in hog_out, (
            hog.returncode,
            hog_out,
            hog_err[-300:],
        )
        during = json.loads(kernel.stdout.readline())
        kernel.wait(timeout=60)
    finally:
        kernel.kill()
    print(
        f"{a.pw_name}'s fork bomb: {out.strip()}; memory hog ended with {hog.returncode} "
        f"({hog_err.strip().splitlines()[-1] if hog_err.strip() else 'killed'}) "
        f"after {time.monotonic() - started:.1f} s"
    )
    print(
        f"{b.pw_name}'s kernel round trip: before {before['median_ms']:.1f} ms median, "
        f"during {during['median_ms']:.1f} ms median, {during['worst_ms']:.1f} ms worst ({during['n']} trips)"
    )
    assert during["median_ms"] < max(10 * before["median_ms"], 100)
    assert during["worst_ms"] < 2000


#: Ignores SIGTERM and moves to a new pid every 2 ms: a /proc snapshot is out of date at once
#: (and misses it: listing /proc takes longer). A line every 50 forks says it still runs.
ESCAPER = r"""
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
os.setsid()
forks = 0
while True:
    time.sleep(0.002)
    try:
        if os.fork():
            os._exit(0)
        forks += 1
    except OSError:  # too many processes (exited ones not yet reaped): try again
        pass
    if forks % 50 == 0:
        print(forks, flush=True)
"""


def alive(pipe: IO[str], within: float) -> bool:
    """Whether the escaper still writes (a line within ``within`` s; EOF once all are dead)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
        if ready:
            return bool(pipe.readline())
    return True  # neither a line nor EOF: a process still holds the pipe


def test_nothing_escapes_a_stop(two: tuple[pwd.struct_passwd, ...]) -> None:
    a, _ = two
    escaper = as_learner(a, ESCAPER)
    assert escaper.stdout is not None and alive(escaper.stdout, 5)
    # What the hub did before: one /proc snapshot, then SIGKILL to what it listed.
    for pid in accounts.processes_of(a.pw_uid):
        os.kill(pid, 9)
    survived = alive(escaper.stdout, 2)
    started = time.monotonic()
    assert accounts.stop_processes_of(a.pw_uid, grace=1.0) == 0
    stop_s = time.monotonic() - started
    while alive(escaper.stdout, 0.5):  # until EOF: nothing holds the pipe, all are gone
        assert time.monotonic() - started < 10, "a process of the learner escaped the stop"
    escaper.wait(timeout=10)
    print(
        f"\nre-forking every 2 ms: {'survived' if survived else 'did not survive'} a /proc snapshot and kill; "
        f"stop_processes_of left nothing ({stop_s:.1f} s)"
    )


# --- the same, through a running hub: what its spawner really does --------------------


def _kernel_of(uid: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in accounts.processes_of(uid):
            with contextlib.suppress(OSError):
                if b"ipykernel_launcher" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
        time.sleep(0.3)
    raise AssertionError(f"no kernel runs as uid {uid}")


def _tcp_listeners(pid: int) -> list[str]:
    """The TCP ports ``pid`` listens on (its socket inodes, found in /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.append(fields[1])
    return found


def _progress(hub_url: str, session: Any, name: str) -> list[str]:
    """The messages of the spawn's progress stream (what the learner's waiting page shows)."""
    hub_xsrf = next(c.value for c in session.cookies if c.name == "_xsrf" and c.path == "/hub/")
    messages = []
    with session.get(f"{hub_url}/hub/api/users/{name}/server/progress", stream=True, timeout=90,
                     headers={"X-XSRFToken": hub_xsrf}) as events:  # fmt: skip
        assert events.status_code == 200, events.text[-300:]
        for line in events.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                event = json.loads(line[5:])
                messages.append(str(event.get("message", "")))
                if event.get("ready") or event.get("failed"):
                    break
    return messages


def test_through_the_hub_kernels_are_private_limited_and_stopped(tmp_path: Path) -> None:
    from tests.integration.test_hub import PREFIX, Hub, log_in, sign_up, spawn, wait_for_server

    need(os.geteuid() == 0, "./kit hub creates unix accounts: run the test as root")
    names = [f"a{secrets.token_hex(3)}", f"b{secrets.token_hex(3)}"]
    hub = Hub(tmp_path / "hub", free_port(), tmp_path / "hub.log")
    os.environ.update(KIT_HUB_DOCKER="off", KIT_HUB_PIDS_MAX="300")
    try:
        hub.start()
        admin = log_in(hub, "instructor", (hub.state / "admin-password").read_text().strip())
        assert admin is not None
        password, sessions = secrets.token_urlsafe(12), {}
        for name in names:
            sign_up(hub, name, password)
            assert admin.get(f"{hub.url}/hub/authorize/{name}", timeout=10).status_code == 200
            session = log_in(hub, name, password)
            assert session is not None
            sessions[name] = session
        started = time.monotonic()
        for name in names:
            spawn(hub, sessions[name], name)
        steps = _progress(hub.url, sessions[names[0]], names[0])
        for name in names:
            wait_for_server(hub, sessions[name], name)
        spawn_s = time.monotonic() - started
        assert "copying the course into your home" in steps, steps
        assert "no Docker of your own here: recorded container data" in steps, steps
        print(
            f"\ntwo spawns at once took {spawn_s:.1f} s (Docker off); progress: {' / '.join(steps)}"
        )
        a, b = (pwd.getpwnam(PREFIX + n) for n in names)
        server_xsrf = next(c.value for c in sessions[names[0]].cookies
                           if c.name == "_xsrf" and c.path.startswith(f"/user/{names[0]}"))  # fmt: skip
        made = sessions[names[0]].post(f"{hub.url}/user/{names[0]}/api/kernels", json={"name": "python3"},
                                       headers={"X-XSRFToken": server_xsrf}, timeout=30)  # fmt: skip
        assert made.status_code == 201, made.text[-500:]
        kernel = _kernel_of(a.pw_uid)
        argv = Path(f"/proc/{kernel}/cmdline").read_bytes().decode().split("\0")
        connection = Path(argv[argv.index("-f") + 1])
        info = json.loads(connection.read_text())
        assert info["transport"] == "ipc" and connection.parent == Path(a.pw_dir) / ".kit-run", info
        assert not _tcp_listeners(kernel), "the kernel listens on TCP"
        assert f"{accounts.CGROUP_PREFIX}{a.pw_name}" in Path(f"/proc/{kernel}/cgroup").read_text()
        assert (
            Path(f"/proc/{kernel}/environ")
            .read_bytes()
            .count(b"KIT_HUB_LIMITS=at most 300 processes")
        )
        sockets = [f"{info['ip']}-{info[k]}" for k in ("shell_port", "iopub_port", "control_port")]
        assert_cannot_reach(connection, sockets, as_user=b)

        # A process in the learner's cgroup that ignores SIGTERM and re-forks every 2 ms,
        # then the learner's Stop button: nothing of theirs is left.
        escaper = as_learner(
            a, ESCAPER, accounts.learner_cgroup(a.pw_name, accounts.Limits.from_env())
        )
        assert escaper.stdout is not None and alive(escaper.stdout, 5)
        hub_xsrf = next(
            c.value for c in sessions[names[0]].cookies if c.name == "_xsrf" and c.path == "/hub/"
        )
        started = time.monotonic()
        stopped = sessions[names[0]].delete(f"{hub.url}/hub/api/users/{names[0]}/server",
                                            headers={"X-XSRFToken": hub_xsrf}, timeout=60)  # fmt: skip
        assert stopped.status_code in (202, 204), stopped.text[-300:]
        while alive(escaper.stdout, 0.5):
            assert time.monotonic() - started < 40, (
                f"a process escaped the hub's stop:\n{hub.tail()}"
            )
        escaper.wait(timeout=10)
        print(
            f"\nthrough the hub: kernel on ipc in {connection.parent}, in {a.pw_name}'s cgroup; "
            f"the re-forking process ended {time.monotonic() - started:.1f} s after Stop"
        )
        assert hub.stop() == 0, hub.tail()
    finally:
        hub.kill_all()
        for name in [*names, "instructor"]:
            accounts.remove_account(PREFIX + name)
        for key in ("KIT_HUB_DOCKER", "KIT_HUB_PIDS_MAX"):
            os.environ.pop(key, None)
        shutil.rmtree(hub.class_root.parent, ignore_errors=True)


def _sign_up_answer(hub_url: str, name: str, password: str) -> str:
    """The sign-up page's message for ``name`` (whatever it says)."""
    import re

    import requests

    session = requests.Session()
    page = session.get(f"{hub_url}/hub/signup", timeout=10)
    token = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    assert token, page.text[-500:]
    answer = session.post(f"{hub_url}/hub/signup", timeout=10, data={
        "_xsrf": token[1], "username": name, "signup_password": password,
        "signup_password_confirmation": password,
    })  # fmt: skip
    return answer.text


def test_the_hub_throttles_logins_and_keeps_staff_names(tmp_path: Path) -> None:
    import html

    from tests.integration.test_hub import PREFIX, Hub, log_in, sign_up

    need(os.geteuid() == 0, "./kit hub creates unix accounts: run the test as root")
    name, other = f"c{secrets.token_hex(3)}", f"d{secrets.token_hex(3)}"
    hub = Hub(tmp_path / "hub", free_port(), tmp_path / "hub.log")
    os.environ.update(KIT_HUB_DOCKER="off", KIT_HUB_LOGIN_TRIES="5", KIT_HUB_LOGIN_WAIT="300")
    try:
        hub.start()
        password = secrets.token_urlsafe(12)
        for reserved in ("admin", "root", "kit-root", "jovyan", "daemon"):
            page = html.unescape(_sign_up_answer(hub.url, reserved, password))
            assert f"'{reserved}' is reserved" in page and accounts.NAME_RULE in page, (
                reserved,
                page[-1500:],
            )
        page = html.unescape(_sign_up_answer(hub.url, "2cool", password))
        assert f"'2cool' is not a name the hub accepts: use {accounts.NAME_RULE}" in page, page[
            -1500:
        ]
        page = html.unescape(_sign_up_answer(hub.url, "instructor", password))
        assert "already in use" in page, page[page.find("alert") :][
            :600
        ]  # the admin's name: taken from the first start

        admin = log_in(hub, "instructor", (hub.state / "admin-password").read_text().strip())
        assert admin is not None
        for learner in (name, other):
            sign_up(hub, learner, password)
            assert admin.get(f"{hub.url}/hub/authorize/{learner}", timeout=10).status_code == 200
        started = time.monotonic()
        for attempt in range(25):
            assert log_in(hub, name, f"wrong-{attempt}") is None
        guessing = time.monotonic() - started
        assert log_in(hub, name, password) is None, "the right password logs in after 25 wrong ones"
        assert log_in(hub, other, password) is not None, (
            "a classmate's guessing locked another learner out"
        )
        print(
            f"\n25 wrong passwords in {guessing:.1f} s, then the right one: refused for 300 s; "
            f"reserved names and the name rule stated on the sign-up page"
        )
        assert hub.stop() == 0, hub.tail()
    finally:
        hub.kill_all()
        for learner in (name, other, "instructor"):
            accounts.remove_account(PREFIX + learner)
        for key in ("KIT_HUB_DOCKER", "KIT_HUB_LOGIN_TRIES", "KIT_HUB_LOGIN_WAIT"):
            os.environ.pop(key, None)
        shutil.rmtree(hub.class_root.parent, ignore_errors=True)


def test_removing_a_learner_removes_everything_of_theirs_and_a_reused_uid_gets_nothing() -> None:
    from course_hub import rootless

    need(os.geteuid() == 0, "makes unix accounts: run as root")
    name = f"kittest-r{secrets.token_hex(3)}"
    entry = accounts.ensure_account(name)
    runtime = rootless.runtime_dir(entry)
    leave = (
        "import os, pathlib, sys\n"
        "reg = pathlib.Path(sys.argv[1]); (reg / 'docker-config').mkdir(parents=True)\n"
        '(reg / \'docker-config\' / \'config.json\').write_text(\'{"auths": {"x": {"auth": "secret"}}}\')\n'
        "pathlib.Path(sys.argv[2]).write_text('shm'); (pathlib.Path(sys.argv[3]) / 'x.sock').write_text('')\n"
    )
    registry, shm = Path(f"/tmp/kit-registry-{name}"), Path(f"/dev/shm/{name}")
    subprocess.run(["runuser", "-u", name, "--", "/usr/bin/python3", "-c", leave, str(registry), str(shm),
                    str(runtime)], check=True, cwd="/")  # fmt: skip
    assert (registry / "docker-config" / "config.json").exists() and shm.exists()
    assert accounts.remove_account(name)
    left = [p for p in (registry, shm, runtime, Path(entry.pw_dir)) if p.exists() or p.is_symlink()]
    assert not left, f"left after remove_account: {left}"

    # userdel -r alone (not the kit's way) leaves /tmp files to whoever gets the uid next.
    stray = Path(f"/tmp/kit-registry-{name}-stray")
    again = accounts.ensure_account(name)
    stray.mkdir()
    os.chown(stray, again.pw_uid, again.pw_gid)
    subprocess.run(["userdel", "--remove", name], capture_output=True, check=True)
    try:
        third = accounts.ensure_account(name + "x")
        need(third.pw_uid == again.pw_uid, "useradd did not reuse the freed uid here")
        assert not stray.exists(), "a new account was handed a previous holder's files"
        # The previous holder's hand-ins stay for the instructor, no longer as that uid.
        from course_hub import classroom

        class_root = Path(tempfile.mkdtemp(prefix="kittest-class-", dir="/tmp"))
        try:
            class_root.chmod(0o711)
            old = class_root / name
            old.mkdir()
            (old / "doctor.json").write_text("{}")
            for path in (old, old / "doctor.json"):
                os.chown(path, third.pw_uid, -1)
            mine = classroom.hand_in_folder(class_root, third)
            assert mine.stat().st_uid == third.pw_uid
            assert {old.stat().st_uid, (old / "doctor.json").stat().st_uid} == {0}
        finally:
            shutil.rmtree(class_root)
    finally:
        accounts.remove_account(name + "x")
        if stray.exists():
            shutil.rmtree(stray)
