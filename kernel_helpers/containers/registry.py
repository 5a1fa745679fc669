"""A private container registry on loopback, started and stopped by the kit.

:class:`LocalRegistry` runs Debian's ``docker-registry`` (the CNCF distribution registry)
with its own configuration: it listens on ``127.0.0.1`` only, keeps its data in a
temporary folder and is stopped and wiped on exit. It asks for a password, made fresh at
every start: on a workshop machine every learner can reach every port on 127.0.0.1, and a
classmate's push must not replace the image a benchmark is about to pull. The password
stays in a file only its owner reads (:attr:`LocalRegistry.auth_file`, the ``auths`` format
that docker's ``--config``, skopeo's ``--authfile`` and oras' ``--registry-config`` read). Docker treats registries on
127.0.0.0/8 as insecure-allowed, so ``docker push 127.0.0.1:PORT/name`` works over plain
HTTP. The small HTTP API v2 client here (stdlib ``urllib``) pushes and reads what docker
cannot: OCI manifests of wasm artifacts. Introduced in notebook 06 (cold pulls) and 09
(wasm as an OCI image).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from .._errors import RegistryError
from .._system import find_program, free_port, install_hint, stop_process

START_TIMEOUT_S = 15.0

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)

_CONFIG = """\
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: {listen}
  headers:
    X-Kit-Registry: ["{nonce}"]
auth:
  htpasswd:
    realm: kit-registry
    path: {htpasswd}
"""
#: The one account of a kit registry; its password is new at every start.
USER = "kit"
#: bcrypt's cheapest cost: the registry checks the hash on every request (a pull makes
#: several), and a 24-byte random password needs no slow hash to stay unguessable.
BCRYPT_ROUNDS = 4
#: Registries this process started, by ``host``: a pull given only a reference finds its
#: password here.
_RUNNING: weakref.WeakValueDictionary[str, LocalRegistry] = weakref.WeakValueDictionary()
#: Tries at a fresh port when another registry took ours between choosing it and binding
#: (two learners' benchmarks starting at once on a workshop machine).
START_ATTEMPTS = 3


def registry_binary() -> str | None:
    """Debian's ``docker-registry``, or a ``registry`` binary from the distribution project."""
    return find_program("docker-registry", "/usr/bin/docker-registry") or find_program("registry")


def _htpasswd_line(user: str, password: str) -> str:
    try:
        import bcrypt  # the registry's htpasswd takes bcrypt hashes only
    except ImportError as err:
        raise RegistryError(
            "the registry needs a password hash, and the bcrypt package is not installed",
            fix="./kit setup installs it (or: pip install bcrypt)",
        ) from err
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()
    return f"{user}:{hashed}\n"


def auths_json(host: str, user: str, password: str) -> str:
    """A docker/containers ``auths`` file giving ``user``'s password for ``host``."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return json.dumps({"auths": {host: {"auth": token}}}, indent=1)


def read_auths(auth_file: Path | str, host: str) -> tuple[str, str] | None:
    """The user and password ``auth_file`` holds for ``host``, if it holds one."""
    try:
        entry = json.loads(Path(auth_file).read_text())["auths"][host]
        user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return user, password


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _release(process: subprocess.Popen[bytes], folder: Path) -> None:
    """Stop a registry process and delete its folder (idempotent)."""
    stop_process(process)
    shutil.rmtree(folder, ignore_errors=True)


class LocalRegistry:
    """``with LocalRegistry() as registry:`` a registry at ``registry.host``
    (``127.0.0.1:PORT``), gone afterwards with everything pushed to it. Notebook 06."""

    def __init__(
        self,
        *,
        binary: str | None = None,
        port: int | None = None,
        listen: str | None = None,
        launcher: Sequence[str] = (),
    ) -> None:
        """``listen`` and ``launcher``: where the registry itself binds and the command
        prefix that starts it, when clients reach it at ``host`` through something else (a
        shaped link's namespace and relay, ``containers.shaped_link``)."""
        self.binary = binary or registry_binary()
        self._listen = listen
        self._launcher = list(launcher)
        self._fixed_port = port is not None
        self._use_port(port or free_port())
        self._dir: Path | None = None
        self._nonce = ""
        self._password = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._release: weakref.finalize[Any, Any] | None = None

    # --- lifetime -----------------------------------------------------------------------

    def _use_port(self, port: int) -> None:
        self.port = port
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"

    def start(self) -> LocalRegistry:
        if self.binary is None:
            raise RegistryError(
                "no registry program found (docker-registry)",
                fix=install_hint(
                    "docker-registry", "run the registry:2 image, or use recorded data"
                ),
            )
        for attempt in range(START_ATTEMPTS):
            if self._start_once():
                return self
            if self._fixed_port or attempt == START_ATTEMPTS - 1:
                break
            self._use_port(free_port())
        log = self.log_tail()
        self.stop()
        raise RegistryError(
            f"the registry did not answer on {self.host} within {START_TIMEOUT_S:g} s: {log}",
            fix="check that docker-registry runs: docker-registry --version",
        )

    def _start_once(self) -> bool:
        """Start the registry at ``self.port``; False if it did not come up there."""
        self.stop()
        # Our registry answers with this header: another one on the same port does not.
        self._nonce = secrets.token_hex(8)
        self._password = secrets.token_urlsafe(24)
        self._dir = Path(tempfile.mkdtemp(prefix="kit-registry-"))  # mode 0700: ours alone
        htpasswd = self._dir / "htpasswd"
        htpasswd.write_text(_htpasswd_line(USER, self._password))
        self.docker_config_dir.mkdir(mode=0o700)
        self.auth_file.write_text(auths_json(self.host, USER, self._password))
        os.chmod(self.auth_file, 0o600)
        config = self._dir / "config.yml"
        config.write_text(
            _CONFIG.format(
                root=self._dir / "data",
                listen=self._listen or self.host,
                nonce=self._nonce,
                htpasswd=htpasswd,
            )
        )
        log = open(self._dir / "registry.log", "wb")  # noqa: SIM115 - lives with the process
        self._process = subprocess.Popen(
            [*self._launcher, str(self.binary), "serve", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        # Also stopped and deleted when the registry is forgotten or Python exits (a notebook
        # cell that failed before .stop(), a kernel restart): nothing stays in /tmp.
        self._release = weakref.finalize(self, _release, self._process, self._dir)
        # Reaped the moment it ends: a kernel asked to shut down signals its children and
        # waits until they are gone, and an unreaped one never is, so the kernel was killed
        # before Python's exit could delete the registry's folder.
        threading.Thread(target=self._process.wait, name="kit-registry-reaper", daemon=True).start()
        if not self._wait_until_ready():
            return False
        _RUNNING[self.host] = self
        return True

    def _wait_until_ready(self) -> bool:
        """Until our own registry answers (its header), or its process ends (the port was taken)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                return False
            try:
                asked = urllib.request.Request(self.url + "/v2/", headers=self.auth_header())
                with urllib.request.urlopen(asked, timeout=1) as answer:
                    if answer.status == 200 and answer.headers.get("X-Kit-Registry") == self._nonce:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        return False

    def log_tail(self) -> str:
        if self._dir is None or not (self._dir / "registry.log").exists():
            return ""
        lines = (self._dir / "registry.log").read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:])

    def stop(self) -> None:
        if _RUNNING.get(self.host) is self:
            del _RUNNING[self.host]
        if self._release is not None:
            self._release()
        elif self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._release, self._process, self._dir = None, None, None

    @property
    def folder(self) -> Path | None:
        """The registry's temporary folder (its data, log and password), while it runs."""
        return self._dir

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> LocalRegistry:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- credentials ----------------------------------------------------------------------

    @property
    def docker_config_dir(self) -> Path:
        """A folder for ``docker --config``: its ``config.json`` is :attr:`auth_file`."""
        if self._dir is None:
            raise RegistryError(
                "the registry is not running", fix="start it first: registry.start()"
            )
        return self._dir / "docker-config"

    @property
    def auth_file(self) -> Path:
        """This registry's password for this host, readable by its owner only: pass it to
        ``skopeo --dest-authfile``/``--src-authfile`` or ``oras --registry-config``."""
        return self.docker_config_dir / "config.json"

    @property
    def auth_config(self) -> dict[str, str]:
        """The credentials as the docker SDK takes them (``images.push(..., auth_config=)``)."""
        return {"username": USER, "password": self._password}

    def use_credentials(self, user: str, password: str) -> LocalRegistry:
        """Talk to a registry started elsewhere (another process) with its credentials."""
        self._password = password
        return self

    @classmethod
    def client_for(cls, host: str, auth_file: Path | str | None = None) -> LocalRegistry:
        """A client of the kit registry at ``host``: the one this process started, else one
        using the password in ``auth_file`` (a benchmark worker's pull)."""
        running = _RUNNING.get(host)
        if running is not None and auth_file is None:
            return running
        client = cls(port=int(host.rsplit(":", 1)[1]))
        credentials = read_auths(auth_file, host) if auth_file is not None else None
        if credentials is None and running is not None:
            credentials = (USER, running._password)
        return client.use_credentials(*credentials) if credentials else client

    def auth_header(self) -> dict[str, str]:
        """HTTP Basic credentials for a request of your own (urllib), as a header."""
        if not self._password:
            return {}
        token = base64.b64encode(f"{USER}:{self._password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def ref(self, repository: str, tag: str = "latest") -> str:
        """``127.0.0.1:PORT/repository:tag``, the name docker and skopeo use."""
        return f"{self.host}/{repository}:{tag}"

    # --- the HTTP API v2 ----------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        url = path if path.startswith("http") else self.url + path
        headers = {**self.auth_header(), **(headers or {})}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.read(), dict(answer.headers.items())
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8", "replace")[:300]
            raise RegistryError(f"{method} {path} -> HTTP {err.code}: {body}") from err
        except (urllib.error.URLError, OSError) as err:
            raise RegistryError(
                f"{method} {path}: no answer from {self.host} ({err})",
                fix="is the registry still running? use it inside 'with LocalRegistry()'",
            ) from err

    def push_blob(self, repository: str, data: bytes) -> str:
        """Monolithic upload (POST then PUT with the digest); returns the digest."""
        digest = sha256_digest(data)
        _, headers = self._request("POST", f"/v2/{repository}/blobs/uploads/")
        location = headers.get("Location", "")
        if location.startswith("/"):
            location = self.url + location
        separator = "&" if "?" in location else "?"
        self._request(
            "PUT",
            f"{location}{separator}digest={digest}",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        return digest

    def push_manifest(self, repository: str, tag: str, manifest: dict[str, Any]) -> str:
        body = json.dumps(manifest, separators=(",", ":")).encode()
        media_type = str(manifest.get("mediaType", OCI_MANIFEST))
        _, headers = self._request(
            "PUT",
            f"/v2/{repository}/manifests/{tag}",
            data=body,
            headers={"Content-Type": media_type},
        )
        return headers.get("Docker-Content-Digest", sha256_digest(body))

    def manifest(self, repository: str, reference: str) -> tuple[dict[str, Any], str, str]:
        """The manifest as JSON, its digest and its media type."""
        body, digest, media_type = self.manifest_bytes(repository, reference)
        return json.loads(body), digest, media_type

    def manifest_bytes(self, repository: str, reference: str) -> tuple[bytes, str, str]:
        """The manifest exactly as stored (its digest covers these bytes)."""
        body, headers = self._request(
            "GET",
            f"/v2/{repository}/manifests/{reference}",
            headers={"Accept": ", ".join(MANIFEST_TYPES)},
        )
        digest = headers.get("Docker-Content-Digest", sha256_digest(body))
        if digest != sha256_digest(body):
            raise RegistryError(f"manifest of {repository}:{reference} does not match its digest")
        return body, digest, headers.get("Content-Type", "")

    def forget(self, repository: str, tag: str) -> bool:
        """Delete the manifest ``tag`` names (and with it every tag naming the same one), if
        there is one; True if something went. A check clears a tag this way before a push,
        so that what it reads back is that push and not an earlier one."""
        try:
            _, digest, _ = self.manifest_bytes(repository, tag)
        except RegistryError:
            return False
        self._request("DELETE", f"/v2/{repository}/manifests/{digest}")
        return True

    def blob(self, repository: str, digest: str) -> bytes:
        """A blob, checked against its digest (a registry must never be trusted blindly)."""
        data, _ = self._request("GET", f"/v2/{repository}/blobs/{digest}")
        if sha256_digest(data) != digest:
            raise RegistryError(f"blob {digest[:19]} of {repository} does not match its digest")
        return data

    def compressed_size(self, repository: str, tag: str = "latest") -> int:
        """Sum of the layer sizes in the pushed manifest: what the registry stores and a
        node downloads (layers are gzip'd by docker push)."""
        manifest, _, _ = self.manifest(repository, tag)
        return sum(int(layer["size"]) for layer in manifest.get("layers", []))
