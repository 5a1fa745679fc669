# JupyterHub's configuration for `./kit hub` (a workshop on one machine). The kit starts
# `jupyterhub -f deploy/jupyterhub_config.py` with its working folder in the hub's state
# folder and these variables set (docs/workshop-hub.md says what each does):
#   KIT_ROOT, KIT_VENV          the kit's checkout and its .venv (shared read-only by learners)
#   KIT_HUB_STATE               database, cookie secret, admin password, proxy pid
#   KIT_HUB_CLASS               what learners hand in (default: beside the state, ...-class)
#   KIT_HUB_PORT, KIT_HUB_PUBLIC, KIT_HUB_ADMIN, KIT_HUB_PROXY, KIT_HUB_USER_PREFIX
#   KIT_HUB_PIDS_MAX, KIT_HUB_MEMORY_MAX, KIT_HUB_CPU_SHARES   each learner's limits (LIMITS)
# The accounts, homes and course copies are kernel_helpers.hub's (typed and tested there).
# ruff: noqa: F821  (`c` is JupyterHub's config object, given to this file when it runs)

from __future__ import annotations

import asyncio
import os
import pwd
import secrets
import socket
import time
from collections.abc import Sequence
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import SignUpHandler

from course_hub import accounts, classroom, rootless

ROOT = Path(os.environ["KIT_ROOT"])
VENV = Path(os.environ["KIT_VENV"])
STATE = Path(os.environ["KIT_HUB_STATE"])
ADMIN = os.environ["KIT_HUB_ADMIN"]
PORT = int(os.environ.get("KIT_HUB_PORT", "8000"))
PUBLIC = os.environ.get("KIT_HUB_PUBLIC") == "1"
CLASS = Path(os.environ.get("KIT_HUB_CLASS") or STATE.with_name(STATE.name + "-class"))
# What each learner's processes may use together (a cgroup each; see accounts.Limits).
# Defaults: 512 processes, 2 GiB, an equal CPU share. Set here or by the variables above.
LIMITS = accounts.Limits.from_env()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class KitSignUpHandler(SignUpHandler):
    """NativeAuthenticator's sign-up page, saying what was wrong with a refused name (its
    own message only lists spaces, commas and slashes)."""

    def get_result_message(self, user, human, taken, confirmed, is_admin):
        alert, message = super().get_result_message(user, human, taken, confirmed, is_admin)
        if user is None and human and confirmed and not taken:  # the one vague message
            problem = accounts.name_problem(self.get_body_argument("username", ""), ADMIN)
            message = problem or (
                f"Something went wrong! Names are {accounts.NAME_RULE}; passwords have at least "
                f"{self.authenticator.minimum_password_length} characters and are not too common."
            )
        return alert, message


class KitAuthenticator(NativeAuthenticator):
    """Sign-up with the instructor's approval. The admin account exists from the first start,
    with the password in KIT_HUB_STATE/admin-password, so nobody can claim the admin's name
    by signing up first; staff and system names are reserved (accounts.name_problem)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not self.user_exists(ADMIN):
            password = (STATE / "admin-password").read_text().strip()
            if self.create_user(ADMIN, password) is None:
                raise SystemExit(f"[kit] could not create the admin account {ADMIN}")

    def validate_username(self, username):
        return accounts.name_problem(username, ADMIN) is None and super().validate_username(
            username
        )

    def get_handlers(self, app):
        return [
            (path, KitSignUpHandler if handler is SignUpHandler else handler, *rest)
            for path, handler, *rest in super().get_handlers(app)
        ]


class KitSpawner(LocalProcessSpawner):
    """A learner's server runs as their own unix account (``kit-NAME``), in their home with a
    fresh copy of the course, from the kit's shared .venv, with a rootless Docker daemon of
    their own (or recorded container data, KIT_DOCKER=off, where that cannot run); when it
    stops, so does everything that account was running."""

    learner_docker: rootless.LearnerDocker | None = None
    hand_in: Path | None = None
    cgroup: accounts.LearnerCgroup | None = None

    @property
    def unix_name(self) -> str:
        return accounts.unix_name(self.user.name)

    def make_preexec_fn(self, name):
        # A hub killed outright (SIGKILL, OOM) takes the learner's server with it.
        # It enters the learner's cgroup while still root: all it starts stays inside.
        return accounts.as_account(
            pwd.getpwnam(self.unix_name), die_with_parent=True, cgroup=self.cgroup
        )

    def user_env(self, env):
        entry = pwd.getpwnam(self.unix_name)
        env.update(accounts.learner_env(entry, self.user.name, VENV))
        if self.cgroup is not None:
            env[accounts.LIMITS_ENV] = self.cgroup.describe()  # the learner's doctor shows it
        if self.hand_in is not None:
            env["KIT_CLASS_DIR"] = str(self.hand_in)
        if self.user.name == ADMIN:
            env[classroom.CLASS_ROOT_ENV] = str(CLASS)
        if self.learner_docker is not None:
            env.update(self.learner_docker.env())
        return env

    async def start(self):
        self.steps = []  # what the spawn page shows (progress) and the log times
        self._step("making your account and its limits")
        entry = await asyncio.to_thread(accounts.ensure_account, self.unix_name)
        self.cgroup = await asyncio.to_thread(accounts.learner_cgroup, entry.pw_name, LIMITS)
        self.log.info("limits for %s: %s", self.user.name, self.cgroup.describe())
        self._step("copying the course into your home")
        summary = await asyncio.to_thread(
            accounts.refresh_course, entry, ROOT, VENV / "bin" / "python"
        )
        self.log.info("course for %s (%s): %s", self.user.name, entry.pw_name, summary)
        # What the kit saves for the learner is handed in here too: the instructor's view.
        self.hand_in = await asyncio.to_thread(classroom.hand_in_folder, CLASS, entry)
        if self.user.name == ADMIN:
            await asyncio.to_thread(classroom.make_instructor, entry, ROOT)
        no_docker = await asyncio.to_thread(rootless.missing, entry.pw_name)
        self._step("no Docker of your own here: recorded container data" if no_docker
                   else "starting your own Docker daemon")  # fmt: skip
        self.learner_docker = await asyncio.to_thread(rootless.start, entry, cgroup=self.cgroup)
        if self.learner_docker.socket:
            self.log.info(
                "Docker for %s: their own rootless daemon, %s",
                self.user.name,
                self.learner_docker.socket,
            )
        elif self.learner_docker.reason == "KIT_HUB_DOCKER=off":  # the instructor's choice
            self.log.info(
                "Docker for %s: off (KIT_HUB_DOCKER=off); recorded container data", self.user.name
            )
        else:
            self.log.warning(
                "Docker for %s: none of their own (%s); recorded container data",
                self.user.name,
                self.learner_docker.reason,
            )
        self._step("starting JupyterLab")
        self.notebook_dir = entry.pw_dir
        return await super().start()

    steps: Sequence[tuple[str, float]] = ()  # a list of its own from each start
    STEPS = 4  # the _step calls in start, for the progress bar

    def _step(self, message):
        now = time.monotonic()
        if self.steps:
            last, since = self.steps[-1]
            self.log.info("spawn of %s: %s took %.1f s", self.user.name, last, now - since)
        self.steps.append((message, now))

    async def progress(self):
        """One line per step of the spawn on the learner's waiting page, as it happens."""
        shown, deadline = 0, time.monotonic() + c.Spawner.start_timeout
        while shown < self.STEPS and time.monotonic() < deadline:
            for message, _ in self.steps[shown:]:
                shown += 1
                yield {"progress": 10 + 80 * shown // (self.STEPS + 1), "message": message}
            await asyncio.sleep(0.2)

    async def stop(self, now=False):
        await super().stop(now=now)
        try:
            uid = pwd.getpwnam(self.unix_name).pw_uid
        except KeyError:
            return
        # Their Docker daemon and containers too (containers' users are their subordinate ids).
        also = accounts.subid_range(self.unix_name)
        left = await asyncio.to_thread(accounts.stop_processes_of, uid, also)
        if self.learner_docker is not None:
            await asyncio.to_thread(self.learner_docker.reap)
            self.learner_docker = None
        if left:
            self.log.warning("%d processes of %s would not stop", left, self.unix_name)


# After a clean stop no learner's process runs; any that does was left by a killed hub.
for _name, _count in accounts.reap_leftovers().items():
    print(f"[kit] stopped {_count} processes {_name} had left running (a hub killed earlier?)")

c.JupyterHub.authenticator_class = KitAuthenticator
c.Authenticator.admin_users = {ADMIN}
c.Authenticator.username_pattern = "^" + accounts.NAME_PATTERN + "$"
# NativeAuthenticator's own gate: a login succeeds only for a learner the instructor has
# approved on /hub/authorize (open_signup is off). JupyterHub's second list would refuse
# every approved learner who is not in it, so it lets through whoever passed that gate.
c.Authenticator.allow_all = True
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.minimum_password_length = 8
# Guessing a password: after KIT_HUB_LOGIN_TRIES (5) wrong ones for a name, that name cannot
# log in for KIT_HUB_LOGIN_WAIT s (300), not even with the right one (counted in the hub's
# memory; a restart forgets). A classmate can so lock someone out for 5 minutes, no more.
c.NativeAuthenticator.allowed_failed_logins = int(os.environ.get("KIT_HUB_LOGIN_TRIES", "5"))
c.NativeAuthenticator.seconds_before_next_try = int(os.environ.get("KIT_HUB_LOGIN_WAIT", "300"))

c.JupyterHub.spawner_class = KitSpawner
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
# window.jupyterapp in the learner's own page: what the kit's browser tests drive (and an
# instructor's scripts may); it gives the page nothing it could not already do.
c.Spawner.args = [
    "--LabApp.expose_app_in_browser=True",
    # Kernels on unix sockets in the learner's runtime folder (JUPYTER_RUNTIME_DIR, in their
    # 0700 home), not on 127.0.0.1's TCP ports, where any account could subscribe to a
    # kernel's output (the HMAC key only stops forged requests).
    "--KernelManager.transport=ipc",
]
c.Spawner.default_url = "/lab/tree/notebooks/00-setup-check.ipynb"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.LocalProcessSpawner.interrupt_timeout = 5
c.LocalProcessSpawner.term_timeout = 5

c.JupyterHub.bind_url = f"http://{'0.0.0.0' if PUBLIC else '127.0.0.1'}:{PORT}"
# The hub's own API and the proxy's API stay on loopback, on ports free right now (two hubs,
# or a hub and a test, on one machine do not collide).
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [os.environ["KIT_HUB_PROXY"]]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.auth_token = secrets.token_hex(32)
c.JupyterHub.cleanup_servers = True  # SIGTERM or Ctrl-C stops every learner's server
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.template_paths = [
    str(Path(__import__("nativeauthenticator").__file__).parent / "templates")
]
