"""One unix account per learner on a workshop hub, and what a learner's server runs with.

A hub name (what the learner signs up with) maps to the unix account ``PREFIX + name``
(``KIT_HUB_USER_PREFIX``, ``kit-`` by default), never to an existing system account: a
learner who signs up as ``root`` gets ``kit-root``, an ordinary user. The kit creates the
account on the first spawn (``useradd -m``) with a home no other learner can read (0700)
and marks it in the account's comment; an account of that name that the kit did not make
is refused, never borrowed.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .._errors import HubError

ACCOUNT_COMMENT = "kit hub learner"
DEFAULT_PREFIX = "kit-"
# What a learner may sign up as: short, lower case, and safe in a unix name and a URL.
NAME_PATTERN = r"[a-z][a-z0-9_-]{0,19}"
_UNIX_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def user_prefix() -> str:
    return os.environ.get("KIT_HUB_USER_PREFIX", DEFAULT_PREFIX)


def unix_name(hub_name: str, prefix: str | None = None) -> str:
    """The unix account behind the hub name ``hub_name``."""
    if not re.fullmatch(NAME_PATTERN, hub_name):
        raise HubError(
            f"{hub_name!r} is not a name the hub accepts",
            fix="sign up with 1-20 lower-case letters, digits, '-' or '_', starting with a letter",
        )
    name = (user_prefix() if prefix is None else prefix) + hub_name
    if not _UNIX_NAME.fullmatch(name):
        raise HubError(
            f"the unix account name {name!r} is not valid (too long, or a bad prefix)",
            fix="use a shorter KIT_HUB_USER_PREFIX (at most 12 characters, lower case)",
        )
    return name


def is_kit_account(entry: pwd.struct_passwd) -> bool:
    return entry.pw_gecos.split(",")[0] == ACCOUNT_COMMENT


def ensure_account(name: str) -> pwd.struct_passwd:
    """The learner's unix account, created with a private home if it is not there yet."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash",
             "--comment", ACCOUNT_COMMENT, "-K", "UMASK=0077", name],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise HubError(
                f"could not create the unix account {name}: {result.stderr.strip()}",
                fix="./kit hub must run as root (it creates one account per learner)",
            ) from None
        entry = pwd.getpwnam(name)
    if not is_kit_account(entry):
        raise HubError(
            f"the unix account {name} exists and was not made by the kit's hub",
            fix="pick another KIT_HUB_USER_PREFIX, or another name for this learner",
        )
    home = Path(entry.pw_dir)
    if not home.is_dir():
        home.mkdir(parents=True)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)  # whatever useradd's HOME_MODE was: no other learner reads it
    return entry


def subid_range(name: str, table: Path = Path("/etc/subuid")) -> range | None:
    """The subordinate ids ``name`` owns (its containers' users appear as these on the host)."""
    try:
        lines = table.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(":")
        if len(fields) == 3 and fields[0] == name and fields[1].isdigit() and fields[2].isdigit():
            return range(int(fields[1]), int(fields[1]) + int(fields[2]))
    return None


def remove_account(name: str) -> bool:
    """Delete a kit-made account and its home (for tests and after a workshop)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return False
    if not is_kit_account(entry):
        raise HubError(f"refusing to remove {name}: the kit's hub did not make it")
    stop_processes_of(entry.pw_uid, subid_range(name))
    subprocess.run(["userdel", "--remove", name], capture_output=True, check=False)
    runtime = Path("/run/user") / str(entry.pw_uid)
    if runtime.is_dir() and not runtime.is_symlink() and runtime.stat().st_uid == entry.pw_uid:
        shutil.rmtree(runtime, ignore_errors=True)
    return True


def as_account(entry: pwd.struct_passwd, *, die_with_parent: bool = False) -> Callable[[], None]:
    """A ``preexec_fn`` that turns the child into this account (groups, gid, then uid).
    ``die_with_parent``: the child gets SIGTERM if the process that started it dies, even
    by SIGKILL (a learner's server must not outlive a killed hub)."""
    groups = os.getgrouplist(entry.pw_name, entry.pw_gid)

    def demote() -> None:
        os.setgroups(groups)
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
        os.chdir(entry.pw_dir)
        if die_with_parent:
            _die_with_parent()  # after setuid: changing credentials clears the setting

    return demote


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the line above: nobody will signal us
        os._exit(1)


def kit_accounts(prefix: str | None = None) -> list[pwd.struct_passwd]:
    """Every account the kit's hub made (with this hub's prefix)."""
    start = user_prefix() if prefix is None else prefix
    return [e for e in pwd.getpwall() if is_kit_account(e) and e.pw_name.startswith(start)]


def reap_leftovers(prefix: str | None = None) -> dict[str, int]:
    """At the hub's start, stop what learners' accounts still run: nothing should, after a
    clean stop, so whatever runs was left by a hub that was killed (their servers, Docker
    daemons, containers). Returns the processes stopped, by account."""
    stopped = {}
    for entry in kit_accounts(prefix):
        also = subid_range(entry.pw_name)
        count = len(processes_of(entry.pw_uid, also))
        if count:
            stop_processes_of(entry.pw_uid, also)
            stopped[entry.pw_name] = count
    return stopped


def learner_env(entry: pwd.struct_passwd, hub_name: str, venv: Path) -> dict[str, str]:
    """What the learner's server adds to JupyterHub's environment: who they are, their own
    cache (builds, results, Docker owner id) in their home, the kit's shared `.venv` first."""
    home = entry.pw_dir
    return {
        "USER": entry.pw_name,
        "LOGNAME": entry.pw_name,
        "HOME": home,
        "SHELL": entry.pw_shell or "/bin/bash",
        "LEARNER": hub_name,
        "KIT_CACHE_DIR": f"{home}/.kit-cache",
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin",
    }


def refresh_course(entry: pwd.struct_passwd, checkout: Path, python: Path) -> str:
    """Refresh the learner's copy of the course, running as the learner (see course_copy)."""
    result = subprocess.run(
        [str(python), "-m", "kernel_helpers.hub.course_copy", str(checkout), entry.pw_dir],
        preexec_fn=as_account(entry), capture_output=True, text=True, check=False, timeout=120,
        env={"HOME": entry.pw_dir, "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if result.returncode != 0:
        raise HubError(
            f"could not copy the course into {entry.pw_dir}: {result.stderr.strip()[-500:]}",
            fix="the kit's checkout and .venv must be readable by every user (see ./kit hub's check)",
        )
    return str(json.loads(result.stdout.strip().splitlines()[-1])["summary"])


def _is_zombie(proc: Path) -> bool:
    """A process that has ended and waits for its parent to collect it: nothing runs there."""
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def processes_of(uid: int, also: range | None = None) -> list[int]:
    """Every process running as ``uid`` or, with ``also``, as one of those ids (a learner's
    subordinate ids: their containers' users, seen from the host). Read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            owner = entry.stat().st_uid
            if (owner == uid or (also is not None and owner in also)) and not _is_zombie(entry):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def stop_processes_of(uid: int, also: range | None = None, grace: float = 5.0) -> int:
    """End every process of a learner's account (and ``also`` their subordinate ids): SIGTERM,
    then SIGKILL after ``grace`` s. The hub calls it when a server stops, so nothing a
    learner started, their Docker daemon and containers included, outlives it."""
    if uid == 0 or (also is not None and 0 in also):
        raise HubError("refusing to stop every process of root")
    pids = processes_of(uid, also)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            pids = processes_of(uid, also)
            if not pids:
                return 0
            time.sleep(0.1)
    return len(processes_of(uid, also))
