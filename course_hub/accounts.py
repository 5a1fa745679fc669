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
import resource
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kernel_helpers.report.handin import HUB_LIMITS_ENV

from .errors import HubError

ACCOUNT_COMMENT = "kit hub learner"
DEFAULT_PREFIX = "kit-"
# What a learner may sign up as: short, lower case, and safe in a unix name and a URL.
NAME_PATTERN = r"[a-z][a-z0-9_-]{0,19}"
#: The rule in words, as the sign-up page and errors state it.
NAME_RULE = "1-20 characters: lower-case letters, digits, '-' or '_', starting with a letter"
#: Names a learner may not take (besides every existing system account's and ``kit-*``):
#: they would pass for the staff or for the machine's own accounts in the admin's lists.
RESERVED_NAMES = frozenset({
    "admin", "administrator", "instructor", "teacher", "tutor", "staff", "root", "kit-root",
    "jovyan", "hub", "jupyterhub", "nobody", "guest", "user", "docker", "sudo", "system",
})  # fmt: skip
_UNIX_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def user_prefix() -> str:
    return os.environ.get("KIT_HUB_USER_PREFIX", DEFAULT_PREFIX)


def name_problem(name: str, admin: str = "") -> str | None:
    """Why ``name`` cannot be signed up for (None: it can). The admin's own name is
    theirs (the hub makes that account itself), so it passes here."""
    if name == admin:
        return None
    if not re.fullmatch(NAME_PATTERN, name):
        return f"{name!r} is not a name the hub accepts: use {NAME_RULE}"
    if name in RESERVED_NAMES or name.startswith("kit-") or _is_system_account(name):
        return f"{name!r} is reserved (staff and system names are): pick another, {NAME_RULE}"
    return None


def _is_system_account(name: str) -> bool:
    try:
        return not is_kit_account(pwd.getpwnam(name))
    except KeyError:
        return False


def unix_name(hub_name: str, prefix: str | None = None) -> str:
    """The unix account behind the hub name ``hub_name``."""
    if not re.fullmatch(NAME_PATTERN, hub_name):
        raise HubError(
            f"{hub_name!r} is not a name the hub accepts",
            fix=f"sign up with {NAME_RULE}",
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
            [
                "useradd",
                "--create-home",
                "--user-group",
                "--shell",
                "/bin/bash",
                "--comment",
                ACCOUNT_COMMENT,
                "-K",
                "UMASK=0077",
                name,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise HubError(
                f"could not create the unix account {name}: {result.stderr.strip()}",
                fix="./kit hub must run as root (it creates one account per learner)",
            ) from None
        entry = pwd.getpwnam(name)
        # A new account may get the uid of one removed earlier (userdel -r left its /tmp
        # files, /run/user/UID): nothing of that previous holder is handed over.
        remove_files_of(entry.pw_uid)
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
    """Delete a kit-made account and everything of theirs: their processes, home, cgroups,
    ``/run/user/UID`` and every file they own in the temporary folders (their registries'
    ``/tmp/kit-registry-*``, with pushed data and a registry password). The way to remove a
    learner (``./kit hub remove NAME``); ``userdel -r`` alone leaves the rest to whoever
    gets the uid next."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return False
    if not is_kit_account(entry):
        raise HubError(f"refusing to remove {name}: the kit's hub did not make it")
    stop_processes_of(entry.pw_uid, subid_range(name))
    subprocess.run(["userdel", "--remove", name], capture_output=True, check=False)
    remove_cgroup(name)
    remove_files_of(entry.pw_uid)
    return True


def _open_to_all(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and bool(info.st_mode & stat.S_IWOTH)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink()


#: Where a learner's processes leave files outside their home (every user may write there).
TEMPORARY_ROOTS = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run/user"))


def remove_files_of(uid: int, roots: tuple[Path, ...] = TEMPORARY_ROOTS) -> list[Path]:
    """Remove what ``uid`` owns under ``roots`` (a folder of theirs with all inside it);
    links are removed, never followed. Returns what was removed."""
    if uid == 0:
        raise HubError("refusing to remove every file of root")
    removed = []
    for root in roots:
        for folder, dirs, files in os.walk(root, onerror=lambda _err: None):
            for name in [*dirs, *files]:
                path = Path(folder) / name
                with contextlib.suppress(OSError):
                    if path.lstat().st_uid == uid:
                        _remove(path)
                        removed.append(path)
            # Only folders every user may write to can hold a stranger's files: /tmp's big
            # trees of root's (a CI's checkout) are not walked, or a first spawn would wait.
            dirs[:] = [
                d for d in dirs if Path(folder, d) not in removed and _open_to_all(Path(folder, d))
            ]
    return removed


# --- limits per learner: a cgroup each (cgroup v1), else a process count per account ----

CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PREFIX = "kit-learner-"
#: What the learner's server is told of its limits (the doctor shows it).
LIMITS_ENV = HUB_LIMITS_ENV
_SIZES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _size(text: str) -> int:
    """``2G``, ``512M`` or a number of bytes."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _SIZES else ""
    return int(float(value[: len(value) - len(unit)]) * _SIZES[unit])


@dataclass(frozen=True)
class Limits:
    """What one learner's processes may use together (their server, kernels, builds, Docker
    daemon): an instructor sets them with ``KIT_HUB_PIDS_MAX``, ``KIT_HUB_MEMORY_MAX`` (``2G``)
    and ``KIT_HUB_CPU_SHARES`` (1024 is one equal share of the CPU against each other learner)."""

    pids: int = 512
    memory_bytes: int = 2 << 30
    cpu_shares: int = 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        try:
            return cls(
                pids=int(env.get("KIT_HUB_PIDS_MAX", cls.pids)),
                memory_bytes=_size(env.get("KIT_HUB_MEMORY_MAX", str(cls.memory_bytes))),
                cpu_shares=int(env.get("KIT_HUB_CPU_SHARES", cls.cpu_shares)),
            )
        except ValueError as err:
            raise HubError(
                f"a learner limit is not a number: {err}",
                fix="KIT_HUB_PIDS_MAX=512 KIT_HUB_MEMORY_MAX=2G KIT_HUB_CPU_SHARES=1024",
            ) from None


@dataclass(frozen=True)
class LearnerCgroup:
    """A learner's cgroup folders, one per controller in force; ``nproc`` is the process
    limit put on the account itself (RLIMIT_NPROC) where no pids controller is there."""

    limits: Limits
    folders: tuple[tuple[str, Path], ...] = ()  # (controller, folder)
    nproc: int | None = None

    def controllers(self) -> set[str]:
        return {controller for controller, _ in self.folders}

    def describe(self) -> str:
        """Which limits are in force, in words (the hub's log, the learner's doctor)."""
        have, lim = self.controllers(), self.limits
        parts = []
        if "pids" in have or self.nproc:
            parts.append(
                f"at most {lim.pids} processes" + ("" if "pids" in have else " (per account)")
            )
        if "memory" in have:
            parts.append(f"{lim.memory_bytes / (1 << 30):.1f} GiB of memory")
        if "cpu" in have:
            parts.append(f"CPU share {lim.cpu_shares}")
        left = [n for n in ("memory", "cpu") if n not in have]
        note = f"; no {' or '.join(left)} limit (no cgroup controller)" if left else ""
        return ", ".join(parts) + note if parts else "no limits (no cgroups here)"

    def join(self, pid: int = 0) -> None:
        """Move ``pid`` (0: the caller) in. Root only; the spawner's preexec runs it before
        giving up root, so the learner's server and all it starts are inside."""
        for _, folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid or os.getpid()))
        if self.nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (self.nproc, self.nproc))


def _own_cgroup(controller: str) -> str:
    """This process's cgroup for ``controller`` (learners' go below the hub's own, so
    whatever limits the hub runs under hold for them too)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if controller in names.split(","):
                return path.lstrip("/")
    return ""


def _cgroup_folder(base: Path, controller: str, name: str) -> Path:
    """The learner's folder in one controller: below the hub's own cgroup where that is
    there (a VM's hub is at the top anyway), else at the controller's top."""
    own = base / _own_cgroup(controller)
    return (own if own.is_dir() else base) / (CGROUP_PREFIX + name)


def _settings(controller: str, limits: Limits) -> list[tuple[str, str]]:
    """What to write, the limit that must hold last (read back to check it took)."""
    if controller == "pids":
        return [("pids.max", str(limits.pids))]
    if controller == "memory":
        # memsw too, where swap is accounted (no escape into swap); it must stay >= the
        # limit, so it is written on both sides of it, whichever way the limit moves.
        mem = str(limits.memory_bytes)
        return [("memory.memsw.limit_in_bytes", mem), ("memory.memsw.limit_in_bytes", mem),
                ("memory.limit_in_bytes", mem), ("memory.memsw.limit_in_bytes", mem),
                ("memory.limit_in_bytes", mem)]  # fmt: skip
    if controller == "cpu":
        return [("cpu.shares", str(limits.cpu_shares))]
    return []


def _limit(folder: Path, settings: list[tuple[str, str]]) -> bool:
    """Write the settings; whether the last one reads back as written."""
    for key, value in settings:
        with contextlib.suppress(OSError):
            (folder / key).write_text(value)
    if not settings:
        return True
    key, value = settings[-1]
    try:
        return (folder / key).read_text().strip() == value
    except OSError:
        return False


def learner_cgroup(name: str, limits: Limits, root: Path = CGROUP_ROOT) -> LearnerCgroup:
    """Make (or update) the cgroup ``kit-learner-NAME`` in each v1 controller there is."""
    folders = []
    for controller in ("pids", "memory", "cpu"):
        base = root / controller
        if not (base / "cgroup.procs").is_file():
            continue
        folder = _cgroup_folder(base, controller, name)
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            continue  # a read-only cgroupfs (a container): the next controller may do
        if _limit(folder, _settings(controller, limits)):
            folders.append((controller, folder))
    have = {controller for controller, _ in folders}
    return LearnerCgroup(limits, tuple(folders), None if "pids" in have else limits.pids)


def remove_cgroup(name: str, root: Path = CGROUP_ROOT) -> None:
    """Remove the learner's cgroups (empty once their processes are gone)."""
    for controller in ("pids", "memory", "cpu"):
        folder = _cgroup_folder(root / controller, controller, name)
        with contextlib.suppress(OSError):
            folder.rmdir()


def as_account(
    entry: pwd.struct_passwd, *, die_with_parent: bool = False, cgroup: LearnerCgroup | None = None
) -> Callable[[], None]:
    """A ``preexec_fn`` that turns the child into this account (groups, gid, then uid).
    ``die_with_parent``: the child gets SIGTERM if the process that started it dies, even
    by SIGKILL (a learner's server must not outlive a killed hub). ``cgroup``: the child
    enters the learner's cgroup first, while it is still root."""
    groups = os.getgrouplist(entry.pw_name, entry.pw_gid)

    def demote() -> None:
        if cgroup is not None:
            cgroup.join()
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
        # Connection files and the kernels' unix sockets (transport=ipc): in the 0700 home,
        # and short, as a socket's path must be (at most 107 bytes).
        "JUPYTER_RUNTIME_DIR": f"{home}/.kit-run",
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin",
    }


def refresh_course(entry: pwd.struct_passwd, checkout: Path, python: Path) -> str:
    """Refresh the learner's copy of the course, running as the learner (see course_copy)."""
    result = subprocess.run(
        [str(python), "-m", "course_hub.course_copy", str(checkout), entry.pw_dir],
        preexec_fn=as_account(entry),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
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
    then, after ``grace`` s, SIGKILL to all of them at once from a process of that uid (see
    :func:`kill_all_of`). The hub calls it when a server stops and at its next start, so
    nothing a learner started, their Docker daemon and containers included, outlives it."""
    if uid == 0 or (also is not None and 0 in also):
        raise HubError("refusing to stop every process of root")
    for pid in processes_of(uid, also):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while processes_of(uid, also) and time.monotonic() < deadline:
        time.sleep(0.1)
    # Their containers' users (subordinate ids) die with the uid's processes (the learner
    # owns their user namespace, so kill(-1) reaches them too); the rest is for a stray one.
    for _ in range(50):
        kill_all_of(uid)
        pids = processes_of(uid, also)
        if not pids:
            return 0
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    return len(processes_of(uid, also))


def kill_all_of(uid: int, sweeps: int = 20) -> None:
    """SIGKILL every process of ``uid`` with nothing left to escape: a child of ours turns
    into that uid and calls ``kill(-1, SIGKILL)``, which signals every process the uid owns
    in one sweep; a process with SIGKILL pending cannot fork, so a process that re-forks
    every few ms is caught too, which a /proc snapshot followed by kills is not (listing
    /proc takes longer than its pid lives). A few sweeps, not one until none is left:
    killed processes stay as zombies until their parent collects them, and kill(-1)
    still counts those."""
    if uid == 0:
        raise HubError("refusing to stop every process of root")
    child = os.fork()
    if child == 0:  # only system calls from here on: this may be a threaded process
        code = 0
        try:
            os.setgroups([])
            os.setgid(65534)  # nobody's group: the uid alone decides what may be signalled
            os.setuid(uid)
            for _ in range(sweeps):
                os.kill(-1, signal.SIGKILL)
                time.sleep(0.001)
        except ProcessLookupError:
            pass  # nothing of the uid is left (kill(-1) never signals the caller)
        except BaseException:  # the child must never return into the hub
            code = 2
        os._exit(code)
    os.waitpid(child, 0)


def main(argv: list[str] | None = None) -> int:
    """``python -m course_hub.accounts remove NAME...`` (``./kit hub remove``)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[0] != "remove":
        print("usage: python -m course_hub.accounts remove NAME...", file=sys.stderr)
        return 2
    for name in args[1:]:
        unix = name if name.startswith(user_prefix()) else unix_name(name)
        print(
            f"{unix}: {'removed, with all of theirs' if remove_account(unix) else 'no such account'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
