"""The course's hello and fib, in every language, run by Chromium's own wasm engine.

A scratch notebook (in the lab's temporary copy, never in the repository) holds the
cells the course pastes into notebooks 01 and 07; each must print in the browser exactly
what wasmtime printed on the server, with both timings shown.
"""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from tests.browser.conftest import Lab
from tests.browser.driver import run_and_check

LANGUAGES = ("c", "cpp", "rust", "go")
EXAMPLES = {"hello": [], "fib": ["25"]}

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]


def example_cells() -> list[str]:
    cells = ["import kernel_helpers as kh"]
    for example, args in EXAMPLES.items():
        for lang in LANGUAGES:
            cells.append(
                f'kh.compare_in_browser(kh.wasm_module("{example}", "{lang}").path, {args!r})'
            )
    # Notebook 07's form: the module file its portability table hashes.
    cells.append('kh.compare_in_browser(kh.lesson_module("hello", "c"))')
    return cells


def test_hello_and_fib_print_in_chromium_what_wasmtime_printed(page: Any, lab: Lab) -> None:
    name = "zz-browser-examples.ipynb"
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in example_cells()],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, lab.root / "notebooks" / name)
    found, runs = run_and_check(page, lab, name)
    assert not found, "\n".join(found)
    assert len(runs) == len(EXAMPLES) * len(LANGUAGES) + 1
    assert all(run["match"] == "true" for run in runs)
    fib = [run for run in runs if run["browser"].startswith("fib(25) = ")]
    assert len(fib) == len(LANGUAGES) and {run["browser"].strip() for run in fib} == {
        "fib(25) = 75025"
    }
