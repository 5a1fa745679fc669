"""The course image (deploy/Dockerfile, built by `./kit image` from the kit's own Debian
base) starts a single-user server and runs notebooks 00 and 06 headless, as jovyan, with no
error output. The container runs hardened: no network, a read-only root, no capabilities,
no new privileges, and an empty home (what a fresh persistent volume gives a learner's
first start on Kubernetes), so the image's entry point must copy the course in.

The first build takes minutes: the test prints how long, and the image's size. An image
already built from the same inputs is kept (its inputs label), so a rerun costs seconds.
The build's output goes to test-artifacts/course-image-build.log.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course_hub.course_image import (
    DEPS_CACHE,
    DEPS_STAGE_LABEL,
    INPUTS_LABEL,
    STAGE_LABEL,
    image_reference,
)
from kernel_helpers.containers.docker import docker_status
from kernel_helpers.containers.images import OWNER_LABEL, PURPOSE_LABEL, owner_filter
from tests.conftest import REPO, need
from tests.notebooks.test_execute import errors, printed

# A first build takes minutes (the fixture's time counts against the first test's timeout).
pytestmark = [
    pytest.mark.integration,
    pytest.mark.docker,
    pytest.mark.slow,
    pytest.mark.timeout(2400),
]

LOG = REPO / "test-artifacts" / "course-image-build.log"
USER = "learner"
PREFIX = f"/user/{USER}/"
PORT = 8888


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    """`./kit image --json`: what it built (or kept)."""
    need(docker_status().available, "no Docker daemon: the course image cannot be built")
    need(shutil.which("docker") is not None, "no docker CLI: ./kit image builds with it")
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("w") as log:
        done = subprocess.run(
            ["./kit", "image", "--json"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=3000,
            check=False,
        )
    assert done.returncode == 0, f"./kit image failed; the end of {LOG}:\n{LOG.read_text()[-4000:]}"
    result: dict[str, Any] = json.loads(done.stdout)
    how = "kept (same inputs)" if result["reused"] else f"built in {result['build_seconds']:.0f} s"
    print(f"\ncourse image {result['reference']}: {how}, {result['size_bytes'] / 1e6:.0f} MB")
    return result


#: JupyterHub's API as far as a single-user server asks it: its version at start (the server
#: exits when no hub answers), and who holds a token. It runs in a second container in the
#: server's network namespace (loopback only), from the same image.
HUB_STAND_IN = """
import http.server, json, os, sys
import jupyterhub
TOKEN, USER = os.environ["HUB_TOKEN"], os.environ["HUB_USER"]
class Hub(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.rstrip("/") == "/hub/api":
            self.reply(200, {"version": jupyterhub.__version__})
        elif self.path.startswith("/hub/api/user") and self.headers.get("Authorization") == "token " + TOKEN:
            self.reply(200, {"kind": "user", "name": USER, "admin": False, "groups": [],
                             "scopes": ["access:servers!server=" + USER + "/"]})
        else:
            self.reply(403, {"status": 403, "message": "not a token of this hub"})
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-JupyterHub-Version", jupyterhub.__version__)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Hub).serve_forever()
"""
HUB_PORT = 8081
HARDENED: dict[str, Any] = {
    "read_only": True,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "pids_limit": 512,
    "labels": {"io.wasm-course.test": "course-image"},
    "detach": True,
}


@pytest.fixture(scope="module")
def server(built: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """The image's own entry point and command (tini, the course refresh,
    jupyterhub-singleuser) with the environment a hub's spawner gives it, hardened, with an
    empty home; and the token its hub gave it."""
    import docker

    client = docker.from_env(version="auto")
    token = secrets.token_hex(16)
    environment = {
        "JUPYTERHUB_API_TOKEN": token,
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{HUB_PORT}/hub/api",
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_USER": USER,
        "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{USER}",
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{PORT}{PREFIX}",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{PREFIX}oauth_callback",
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps([f"access:servers!server={USER}/"]),
    }
    started = []
    try:
        container = client.containers.run(
            built["reference"],
            network_mode="none",
            mem_limit="3g",
            environment=environment,
            tmpfs={
                "/tmp": "rw,exec,size=512m",
                "/home/jovyan": "rw,exec,uid=1000,gid=100,mode=0700,size=1g",
            },
            **HARDENED,
        )
        started.append(container)
        started.append(
            client.containers.run(
                built["reference"],
                entrypoint=["python", "-c", HUB_STAND_IN, str(HUB_PORT)],
                network_mode=f"container:{container.id}",
                mem_limit="256m",
                environment={"HUB_TOKEN": token, "HUB_USER": USER},
                **HARDENED,
            )
        )
        yield container, token
    finally:
        for each in started:
            each.remove(force=True)
        client.close()


def run(container: Any, command: str, timeout: int = 120) -> tuple[int, str]:
    code, output = container.exec_run(["timeout", str(timeout), "sh", "-c", command])
    return int(code), output.decode(errors="replace")


def test_the_image_is_the_courses_and_no_learners(built: dict[str, Any]) -> None:
    import docker

    client = docker.from_env(version="auto")
    try:
        image = client.images.get(built["reference"])
        labels, config = image.labels or {}, image.attrs["Config"]
        assert built["reference"] == image_reference()
        assert labels[INPUTS_LABEL] == built["inputs"]
        assert labels[PURPOSE_LABEL] == "course-image"
        assert OWNER_LABEL not in labels  # `bench cleanup` leaves it alone
        assert image.id not in {i.id for i in client.images.list(filters=owner_filter())}
        assert config["User"] == "1000:100"
        assert config["Cmd"] == ["jupyterhub-singleuser"]
        assert "KIT_DOCKER=off" in config["Env"]
        # The build stage (npm, the CA bundle it may have had) left nothing behind.
        assert client.images.list(filters={"dangling": True, "label": STAGE_LABEL}) == []
        # The dependency stage stays, once: the next build's cache, with no owner either.
        cache = client.images.get(DEPS_CACHE)
        stage, deps = DEPS_STAGE_LABEL.split("=")
        assert cache.labels[stage] == deps
        assert OWNER_LABEL not in cache.labels
        assert client.images.list(filters={"dangling": True, "label": DEPS_STAGE_LABEL}) == []
        # The image starts from the same system stage as the cache (its layers are shared).
        shared = {entry["Id"] for entry in client.api.history(image.id)}
        assert any(entry["Id"] in shared for entry in client.api.history(cache.id)[1:])
    finally:
        client.close()


def api(container: Any, path: str, token: str = "") -> tuple[int, str]:
    """GET the server's API from inside its container: status code and body."""
    script = (
        "import sys, urllib.request as u, urllib.error as e\n"
        f"r = u.Request('http://127.0.0.1:{PORT}{PREFIX}api{path}', headers={{'Authorization': 'token {token}'}})\n"
        "try:\n    a = u.urlopen(r, timeout=10); print(a.status); print(a.read().decode())\n"
        "except e.HTTPError as err:\n    print(err.code)\n"
    )
    code, output = container.exec_run(["python", "-c", script])
    lines = output.decode(errors="replace").strip().splitlines()
    if code != 0 or not lines or not lines[0].isdigit():
        return 0, output.decode(errors="replace")
    return int(lines[0]), "\n".join(lines[1:])


def test_a_single_user_server_starts_and_answers_its_hubs_tokens(server: tuple[Any, str]) -> None:
    container, token = server
    deadline = time.monotonic() + 120
    status, body = 0, ""
    while time.monotonic() < deadline:
        status, body = api(container, "")
        if status == 200:
            break
        container.reload()
        assert container.status == "running", container.logs().decode(errors="replace")[-3000:]
        time.sleep(1)
    assert status == 200, f"{body}\n{container.logs().decode(errors='replace')[-3000:]}"
    assert "version" in json.loads(body)
    # The hub's token for this learner opens the server; any other token does not.
    status, body = api(container, "/status", token)
    assert status == 200 and "last_activity" in json.loads(body), body
    assert api(container, "/status", "not-" + token)[0] == 403
    # JupyterHub's single-user server, at the major version the hub pins, under tini.
    pin = re.search(r"^jupyterhub==(\d+)\.", (REPO / "requirements-hub.txt").read_text(), re.M)
    assert pin is not None
    code, version = run(container, "python -c 'import jupyterhub; print(jupyterhub.__version__)'")
    assert code == 0 and version.strip().split(".")[0] == pin.group(1), version
    assert run(container, "tr '\\0' ' ' </proc/1/cmdline")[1].startswith("tini ")
    # It runs as jovyan, and the entry point copied the course into the empty home.
    assert run(container, "id -u")[1].strip() == "1000"
    code, listing = run(container, "ls /home/jovyan/notebooks /home/jovyan/wasm_examples")
    assert code == 0 and "00-setup-check.ipynb" in listing, listing


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", ["00-setup-check", "06-startup"])
def test_a_notebook_runs_headless_in_the_image(server: tuple[Any, str], name: str) -> None:
    container = server[0]
    matches = sorted(Path(REPO / "notebooks").glob(f"{name}*.ipynb"))
    assert matches, f"no notebook {name}"
    notebook = matches[0].name
    start = time.monotonic()
    code, output = run(
        container,
        "cd /home/jovyan/notebooks && MPLBACKEND=module://matplotlib_inline.backend_inline "
        "jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 "
        f"--output-dir /tmp/executed {notebook} 2>&1",
        timeout=800,
    )
    elapsed = time.monotonic() - start
    assert code == 0, output[-4000:]
    code, text = run(container, f"cat /tmp/executed/{notebook}")
    assert code == 0, text[-2000:]
    nb = nbformat.reads(text, as_version=4)
    assert not errors(nb), errors(nb)
    peak = container.stats(stream=False).get("memory_stats", {}).get("max_usage")  # cgroup v1 only
    print(
        f"\n{notebook} in the course image: {elapsed:.0f} s"
        + (f"; the container's peak memory so far {peak / 1e6:.0f} MB" if peak else "")
    )
    if notebook.startswith("06"):
        # No Docker in the pod: the container rows are recorded data, and say so.
        assert "recorded" in printed(nb).lower(), printed(nb)[-2000:]
