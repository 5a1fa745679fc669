"""A workshop, end to end: `./kit hub`, three learners who log in with Chromium and run
notebook 06 at the same time, each on their own account and Docker daemon.

Each learner must get a result of their own (saved in their home and handed in to the
instructor), with nothing a learner would stumble on in the page; one learner's `bench
cleanup` must leave the others' images; and no learner can read another's home or use
another's Docker socket. A screenshot of each learner's notebook goes to test-artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from course_hub import accounts, rootless
from tests.browser.driver import finish_notebook, problems, screenshot, start_notebook
from tests.conftest import free_port, need
from tests.integration.test_hub import PREFIX, Hub, log_in, run_as, server_environ, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1500)]

NOTEBOOK = "06-startup-vs-containers.ipynb"
#: Three runs of notebook 06 share two cores: each takes several times its lone time.
CLASS_RUN_TIMEOUT_MS = 900_000


@pytest.fixture
def learners() -> Any:
    names = [f"{letter}{secrets.token_hex(3)}" for letter in "abc"]
    yield names
    for name in [*names, "instructor"]:
        accounts.remove_account(PREFIX + name)


def _log_in_with_the_browser(page: Any, hub: Hub, name: str, password: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(lambda url: "/hub/login" not in url, timeout=60_000)


def _as_learner(unix: str, *command: str) -> subprocess.CompletedProcess[str]:
    """A command as the learner, with their server's environment (their DOCKER_HOST)."""
    env = server_environ(unix)
    return subprocess.run(
        ["runuser", "-u", unix, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *command],
        capture_output=True, text=True, timeout=120, cwd="/",
    )  # fmt: skip


def _kit_images(unix: str) -> list[str]:
    listed = _as_learner(
        unix, "docker", "images", "--filter", "label=io.wasm-course.kit=1", "--format", "{{.ID}}"
    )
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.split()


def test_three_learners_run_notebook_06_at_once_each_on_their_own(
    chromium: Any, tmp_path: Path, learners: list[str]
) -> None:
    need(os.geteuid() == 0, "./kit hub creates unix accounts: run the test as root")
    hub = Hub(tmp_path / "hub", free_port(), tmp_path / "hub.log")
    password = secrets.token_urlsafe(12)
    contexts: list[Any] = []
    try:
        hub.start()
        admin = log_in(hub, "instructor", (hub.state / "admin-password").read_text().strip())
        assert admin is not None
        for name in learners:
            sign_up(hub, name, password)
            assert admin.get(f"{hub.url}/hub/authorize/{name}", timeout=10).status_code == 200

        pages = {}
        for name in learners:
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            contexts.append(context)
            page = context.new_page()
            _log_in_with_the_browser(page, hub, name, password)
            page.goto(f"{hub.url}/hub/spawn/{name}")
            # The spawn page sends the browser on to the server once it answers.
            page.wait_for_url(f"**/user/{name}/**", timeout=120_000)
            pages[name] = page
        for name, page in pages.items():  # Run All in the three notebooks, then wait for all
            url = f"{hub.url}/user/{name}/lab/tree/notebooks/{NOTEBOOK}?reset"
            start_notebook(page, url, NOTEBOOK)
        for name, page in pages.items():
            finish_notebook(page, CLASS_RUN_TIMEOUT_MS)
            cells = page.evaluate("() => window.__kitReport()")
            assert problems(cells) == [], (name, problems(cells))
            screenshot(page, f"hub-learner-{name[0]}-06")  # the whole notebook, from the top

        units = [PREFIX + name for name in learners]
        for unix in units:  # each got a result of their own, saved and handed in
            home = Path(pwd.getpwnam(unix).pw_dir)
            saved = json.loads((home / ".kit-cache" / "results" / "startup.json").read_text())
            measured = {n for n, v in saved["variants"].items() if v["source"] == "measured"}
            # on their own rootless daemon: containers measured, only its pull left out
            assert {"wasm-instantiate", "docker-scratch", "docker-debian"} <= measured, (
                unix,
                saved["skipped"],
            )
            assert (hub.class_root / unix / "startup.json").is_file(), unix

        a, b, c = units
        need(not rootless.missing(a), f"rootless Docker: {rootless.missing(a)}")
        others_before = {unix: _kit_images(unix) for unix in (b, c)}
        assert all(others_before.values()), (
            f"notebook 06 left no kit image to keep: {others_before}"
        )
        cleanup = _as_learner(a, "python", "-m", "kernel_helpers", "bench", "cleanup")
        assert cleanup.returncode == 0, cleanup.stderr[-800:]
        assert _kit_images(a) == []
        assert {unix: _kit_images(unix) for unix in (b, c)} == others_before

        for unix, other in ((a, b), (b, c), (c, a)):
            assert run_as(unix, "ls", pwd.getpwnam(other).pw_dir).returncode != 0
            theirs = server_environ(other)["DOCKER_HOST"]
            refused = run_as(unix, "docker", "-H", theirs, "version")
            assert refused.returncode != 0 and "permission denied" in refused.stderr.lower()
        assert hub.stop() == 0, hub.tail()
    finally:
        for context in contexts:
            context.close()
        hub.kill_all()
        shutil.rmtree(hub.class_root.parent, ignore_errors=True)
