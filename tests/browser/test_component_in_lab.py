"""A WASI 0.2 component run by Chromium, as jco's JavaScript on preview2-shim (notebook 11).

A scratch notebook (in the lab's temporary copy, never in the repository) runs the C hello
and wordcount components (wordcount with stdin) with wasmtime on the server and in the
browser; then notebook 11 itself runs top to bottom. Every in-browser run must print
exactly what wasmtime printed, from the same bytes (the driver's checks), and the browser
must say it compiled the component's own core modules.
"""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from kernel_helpers.toolchains.component import tools as ctools
from tests.browser.conftest import Lab
from tests.browser.driver import run_and_check
from tests.conftest import need

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

STDIN = "the quick brown fox\njumps over the lazy dog\n"
CELLS = [
    "import kernel_helpers as kh",
    'kh.compare_component_in_browser(kh.componentize(kh.wasm_module("hello", "c")))',
    f'kh.compare_component_in_browser(kh.componentize(kh.wasm_module("wordcount", "c")), stdin={STDIN!r})',
]


def tools() -> None:
    need(ctools.jco_missing() is None, f"jco transpile: {ctools.jco_missing()}")
    need(ctools.preview2_shim_dir() is not None, "preview2-shim (./kit setup installs it)")


def component_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [run for run in runs if "core modules inside them" in (run["sha256"] or "")]


def test_hello_and_wordcount_components_print_in_chromium_what_wasmtime_printed(
    page: Any, lab: Lab
) -> None:
    tools()
    name = "zz-browser-components.ipynb"
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in CELLS],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, lab.root / "notebooks" / name)
    found, runs = run_and_check(page, lab, name)
    assert not found, "\n".join(found)
    assert len(component_runs(runs)) == len(runs) == 2
    hello, wordcount = runs
    assert hello["browser"].strip() == "Hello from WebAssembly and containers!"
    assert wordcount["browser"].split() == ["2", "9", str(len(STDIN))]


def test_notebook_11_runs_its_component_in_the_browser(page: Any, lab: Lab) -> None:
    tools()
    found, runs = run_and_check(page, lab, "11-components.ipynb")
    assert not found, "\n".join(found)
    assert len(component_runs(runs)) == 1
