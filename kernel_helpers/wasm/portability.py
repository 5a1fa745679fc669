"""Portability shown, not told: the same module bytes under two hosts (notebook 07).

A module's identity is its sha256. Notebook 07 runs one ``.wasm`` file under wasmtime
(from Python, here) and under Node's built-in WASI, and each host reports the sha256 of
the bytes it ran: equal hashes and equal output are the portability claim, checked. The
browser is a third host; the browser branch adds it to the same table. Node as a host
(for a module and for a component) is ``node``.
"""

from __future__ import annotations

import hashlib
import html
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._display import ShownAsHtml, ShownAsText
from .._errors import HostUnavailable
from .node import HostRun, run_in_node


def module_sha256(module: str | Path | bytes) -> str:
    """The sha256 of a module's bytes (a path or the bytes themselves). Notebook 07."""
    data = module if isinstance(module, bytes) else Path(module).read_bytes()
    return hashlib.sha256(data).hexdigest()


def run_in_wasmtime(module: str | Path, args: Sequence[str] = ()) -> HostRun:
    """Run the module with wasmtime-py, in this kernel."""
    from importlib.metadata import version

    from .runner import run_wasm

    began = time.perf_counter()
    result = run_wasm(module, list(args), cache=False)
    seconds = time.perf_counter() - began
    return HostRun(
        f"wasmtime-py {version('wasmtime')}",
        module_sha256(module),
        result.stdout_text,
        result.exit_code,
        seconds,
        result.stdout,
    )


#: Under the table: the wall times are not a race (walk 9, S12: Node's 223 ms beside
#: wasmtime's 22 ms stood unexplained).
WALL_TIMES = (
    "The wall times answer no speed question: Node's includes starting a whole node "
    "process, wasmtime's runs inside this kernel. Notebook 06 times start-ups fairly."
)


@dataclass(repr=False)
class PortabilityReport(ShownAsText, ShownAsHtml):
    """The same module under several hosts; ``portable`` when hashes and output agree. Notebook 07."""

    module: str
    runs: list[HostRun] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # host -> why it did not run

    @property
    def portable(self) -> bool:
        return (
            len(self.runs) >= 2 and len({(r.sha256, r.stdout, r.exit_code) for r in self.runs}) == 1
        )

    def to_json(self) -> dict[str, object]:
        """What notebook 10 reads: each host's hash, exit code and output (not its bytes)."""
        return {
            "module": self.module,
            "runs": [
                {
                    "host": r.host,
                    "sha256": r.sha256,
                    "exit_code": r.exit_code,
                    "stdout": r.stdout,
                    "seconds": r.seconds,
                }
                for r in self.runs
            ],
            "missing": dict(self.missing),
            "portable": self.portable,
        }

    def text(self) -> str:
        lines = [f"module {self.module}"]
        for run in self.runs:
            first = run.stdout.strip().splitlines()[0] if run.stdout.strip() else "(no output)"
            lines.append(
                f"  {run.host:<32} sha256 {run.sha256[:16]}…  exit {run.exit_code}  {first!r}"
            )
        lines += [f"  {host:<32} not run: {why}" for host, why in self.missing.items()]
        lines.append(self.conclusion())
        return "\n".join(lines)

    def conclusion(self) -> str:
        if self.portable:
            return (
                f"Same bytes, same output under {len(self.runs)} hosts: nothing was recompiled "
                "for Node; the module is the portable unit."
            )
        if len(self.runs) < 2:
            return "Only one host ran the module here, so portability is not shown on this machine."
        return "The hosts disagree: compare the hashes (same bytes?) and the outputs above."

    def html(self) -> str:
        esc = html.escape
        td = '<td style="text-align:left">'  # JupyterLab right-aligns cells; these read left to right
        rows = "".join(
            f"<tr>{td}{esc(r.host)}</td>{td}<code>{esc(r.sha256[:16])}…</code></td>"
            f"{td}{r.exit_code}</td>{td}<pre>{esc(r.stdout.strip()[:200])}</pre></td>"
            f"{td}{r.seconds * 1e3:.0f} ms</td></tr>"
            for r in self.runs
        )
        rows += "".join(
            f"<tr>{td}{esc(h)}</td><td colspan=4 style='text-align:left'>not run: {esc(w)}</td></tr>"
            for h, w in self.missing.items()
        )
        head = "".join(
            f'<th style="text-align:left">{name}</th>'
            for name in ("host", "sha256 of the bytes it ran", "exit", "output", "wall time")
        )
        return (
            f"<p>module <code>{esc(self.module)}</code></p><table><tr>{head}</tr>"
            f"{rows}</table><p><b>{esc(self.conclusion())}</b></p><p>{esc(WALL_TIMES)}</p>"
        )


def run_everywhere(module: str | Path, args: Sequence[str] = ()) -> PortabilityReport:
    """Run one module file under every host available here (notebook 07)."""
    report = PortabilityReport(Path(module).name)
    report.runs.append(run_in_wasmtime(module, args))
    try:
        report.runs.append(run_in_node(module, args))
    except HostUnavailable as err:
        report.missing["Node.js (node:wasi)"] = str(err)
    return report
