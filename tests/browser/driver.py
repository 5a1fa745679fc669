"""Drive one notebook in JupyterLab like a learner, and list what a learner would see wrong.

Run All, wait for the kernel to go idle and the widgets to draw, then compare the
notebook's model with the page: no error output, every widget rendered as a widget (not
as its text fallback), every image drawn, and every in-browser wasm run printing exactly
what wasmtime printed on the server, with both timings. A screenshot of the notebook after
its run goes to test-artifacts/browser/ for a human to look at.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import ARTIFACTS, Lab
from tests.conftest import REPO

RUN_TIMEOUT_MS = 240_000
RENDER_TIMEOUT_MS = 30_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Text a learner should never see: a widget or a figure shown as its Python repr.
TEXT_FALLBACK = re.compile(
    r"^(\w+\((children|value|layout|description|options)=|<BrowserRunner |<Figure size \d)"
)
BROKEN_WIDGET = ("Error displaying widget", "Loading widget", "Failed to load model")

CURRENT = "window.jupyterapp.shell.currentWidget"

OPENED = f"""name => {{
  const w = window.jupyterapp && {CURRENT};
  return !!(w && w.context && w.context.path.endsWith(name) && w.content && w.sessionContext);
}}"""

START_RUN_ALL = f"""async () => {{
  const panel = {CURRENT};
  await panel.context.ready;
  await panel.sessionContext.ready;
  window.jupyterapp.shell.collapseLeft();
  window.jupyterapp.shell.collapseRight();
  window.__kitRun = null;
  window.jupyterapp.commands.execute("notebook:run-all-cells").then(
    ok => {{ window.__kitRun = {{ ok }}; }},
    err => {{ window.__kitRun = {{ ok: false, error: String(err) }}; }});
}}"""

KERNEL_IDLE = f"""() => {{
  const kernel = {CURRENT}.sessionContext.session?.kernel;
  return kernel && kernel.status === "idle";
}}"""

#: What the notebook model holds against what the page shows, output by output.
#: Defined once per page as window.__kitReport, so waiting and asserting read the same.
DEFINE_REPORT = f"""() => {{ window.__kitReport = () => {{
  const cells = [];
  {CURRENT}.content.widgets.forEach((cell, index) => {{
    if (cell.model.type !== "code") return;
    const children = [...cell.outputArea.node.querySelectorAll(":scope > .jp-OutputArea-child")];
    const outputs = [];
    for (let i = 0; i < cell.model.outputs.length; i++) {{
      const model = cell.model.outputs.get(i).toJSON();
      const node = children[i]?.querySelector(".jp-OutputArea-output");
      outputs.push({{
        type: model.output_type,
        name: model.name ?? null,
        text: model.text ?? model.evalue ?? "",
        mimes: Object.keys(model.data ?? {{}}),
        rendered: node?.dataset.mimeType ?? null,
        // 2,000 characters: a magic's report (sizes, run, output, native run) is one output.
        shown: (node?.innerText ?? "").slice(0, 2000),
        // The widget renderer is a Lumino panel holding each view as a child widget;
        // the text fallback is a plain rendered-text node with no children widgets.
        widgets: node ? node.querySelectorAll(":scope > .lm-Widget, .jupyter-widgets").length : 0,
        pictures: node ? node.querySelectorAll("img, canvas, svg").length : 0,
      }});
    }}
    cells.push({{
      index, source: cell.model.sharedModel.getSource(),
      count: cell.model.executionCount, outputs,
    }});
  }});
  return cells;
}}; }}"""

#: Every widget output shows a view or some text (an error), every browser run finished.
SETTLED = f"""() => {{
  const outputs = window.__kitReport().flatMap(cell => cell.outputs);
  const drawn = outputs.every(o => !o.mimes.includes("{WIDGET_VIEW}") || o.widgets > 0 || o.shown.trim());
  const runs = [...document.querySelectorAll(".kit-browser-runner")];
  return drawn && runs.every(r => r.dataset.status === "done");
}}"""

BROWSER_RUNS = """() => [...document.querySelectorAll('.kit-browser-runner')].map(r => ({
  status: r.dataset.status,
  match: r.dataset.match,
  server: r.querySelector('.kit-stdout-server')?.innerText ?? null,
  browser: r.querySelector('.kit-stdout-browser')?.innerText ?? null,
  timings: [...r.querySelectorAll('.kit-timings')].map(t => t.innerText),
  sha256: r.querySelector('.kit-sha256')?.innerText ?? null,
}))"""

#: The page height that shows every cell: up to the last cell's bottom, not the blank
#: scroll-past-end space JupyterLab adds below it.
FIT_VIEWPORT = """() => {
  const scroller = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
  const cells = scroller.querySelectorAll('.jp-Cell');
  const last = cells[cells.length - 1];
  const bottom = last ? last.getBoundingClientRect().bottom + scroller.scrollTop
                      : scroller.getBoundingClientRect().top + scroller.scrollHeight;
  return Math.ceil(bottom + 60);
}"""


SCROLL_TO_TOP = """() => {
  document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer').scrollTop = 0;
}"""


def run_notebook(page: Any, lab: Lab, name: str) -> None:
    start_notebook(page, f"{lab.url}/lab/tree/notebooks/{name}?reset&token={lab.token}", name)
    finish_notebook(page)


def start_notebook(page: Any, url: str, name: str) -> None:
    """Open the notebook at ``url`` and press Run All; returns at once (see finish_notebook),
    so several pages can run side by side."""
    page.goto(url)
    page.wait_for_function(OPENED, arg=name, timeout=60_000)
    page.evaluate(DEFINE_REPORT)
    page.evaluate(START_RUN_ALL)


def finish_notebook(page: Any, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait for Run All to end, the kernel to go idle and the widgets to draw."""
    page.wait_for_function("() => window.__kitRun !== null", timeout=timeout_ms)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # the assertions say what did not render
        page.wait_for_function(SETTLED, timeout=RENDER_TIMEOUT_MS)


def screenshot(page: Any, name: str) -> Path:
    """The whole notebook in one picture: grow the viewport to the notebook's height."""
    height = min(page.evaluate(FIT_VIEWPORT), 16_000)
    page.set_viewport_size({"width": 1280, "height": max(height, 900)})
    page.evaluate(SCROLL_TO_TOP)  # Run All leaves the notebook scrolled to its last cell
    page.wait_for_timeout(300)  # let layout and canvases settle at the new size
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{Path(name).stem}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def problems(cells: list[dict[str, Any]]) -> list[str]:
    """Everything a learner would stumble on, one line each."""
    found = []
    for cell in cells:
        where = f"cell {cell['index']}"
        if cell["source"].strip() and cell["count"] is None:
            found.append(f"{where} did not run (an earlier cell stopped Run All?)")
        for output in cell["outputs"]:
            found += output_problems(where, output)
    return found


def output_problems(where: str, output: dict[str, Any]) -> list[str]:
    text = output["text"] if isinstance(output["text"], str) else "".join(output["text"])
    if output["type"] == "error":
        return [f"{where} raised: {text}"]
    if output["name"] == "stderr" and ("Traceback" in text or "Warning" in text):
        return [f"{where} printed to stderr: {text[:300]}"]
    if WIDGET_VIEW in output["mimes"]:
        if output["rendered"] == "text/plain" or output["widgets"] == 0:
            return [f"{where}: a widget rendered as text: {output['shown'][:200]!r}"]
        if any(sign in output["shown"] for sign in BROKEN_WIDGET):
            return [f"{where}: a widget failed to render: {output['shown'][:200]!r}"]
    elif any(m.startswith("image/") for m in output["mimes"]) and output["pictures"] == 0:
        return [f"{where}: an image output shows no picture"]
    if output["rendered"] == "text/plain" and TEXT_FALLBACK.match(output["shown"].strip()):
        return [f"{where}: an object shown as its text repr: {output['shown'][:120]!r}"]
    return []


def browser_run_problems(runs: list[dict[str, Any]]) -> list[str]:
    found = []
    for number, run in enumerate(runs):
        where = f"in-browser run {number}"
        if run["status"] != "done":
            found.append(f"{where} did not finish (status {run['status']!r})")
            continue
        if not any("ms" in timing for timing in run["timings"]):
            found.append(f"{where} shows no timings")
        if run["server"] is not None:
            if run["browser"] != run["server"]:
                found.append(
                    f"{where}: browser printed {run['browser']!r}, server {run['server']!r}"
                )
            if run["match"] != "true":
                found.append(f"{where}: the widget says the runs differ")
            if len(run["timings"]) != 2:
                found.append(f"{where} does not show both timings")
            if not run["sha256"] or "the same bytes" not in run["sha256"]:
                found.append(f"{where}: no proof the browser ran the same bytes: {run['sha256']!r}")
    return found


def run_and_check(page: Any, lab: Lab, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Run notebooks/``name`` in the lab; what a learner would stumble on, and the
    in-browser wasm runs the page shows."""
    # Uncaught exceptions in the page: a widget's front end that broke says so here.
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    run_notebook(page, lab, name)
    picture = screenshot(page, name)
    cells = page.evaluate("() => window.__kitReport()")
    runs = page.evaluate(BROWSER_RUNS)
    outputs = [o for c in cells for o in c["outputs"]]
    print(
        f"{name}: {len(cells)} code cells, {len(outputs)} outputs, "
        f"{sum(o['widgets'] > 0 for o in outputs)} widget views, "
        f"{sum(o['pictures'] for o in outputs)} pictures, {len(runs)} in-browser runs; "
        f"screenshot {picture.relative_to(REPO)}"
    )
    found = problems(cells) + browser_run_problems(runs)
    found += [f"uncaught error in the page: {error[:300]}" for error in page_errors]
    outcome = page.evaluate("() => window.__kitRun")
    if not outcome.get("ok") and not found:
        found.append(f"Run All did not complete: {outcome}")
    return found, runs
