"""Each cell magic, typed into real JupyterLab and run in real Chromium, as a learner sees it.

A small notebook holds, for each of ``%%wasm c``, ``cpp``, ``rust``, ``go`` and ``%%wat``,
one program that runs (with ``--native`` where a native compiler applies) and one that
does not compile. After Run All the page must show, for the good cell, what the program
printed, its exit code and the module's size, and for the bad one the compiler's complaint
at the cell's own line; nothing may raise. One screenshot per magic goes to
test-artifacts/browser/ (``magic-c.png`` ...), showing the pair of cells.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kernel_helpers._errors import ToolchainMissing
from kernel_helpers.toolchains.build import toolchain_for
from tests.browser.conftest import ARTIFACTS, Lab
from tests.browser.driver import problems, run_notebook
from tests.conftest import need

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

NOTEBOOK = "magics-tour.ipynb"

GOOD = {
    "c": '#include <stdio.h>\n\nint main(int argc, char **argv) {\n'
         '    printf("hello from C, %d args\\n", argc - 1);\n    return 3;\n}\n',
    "cpp": '#include <iostream>\n\nint main(int argc, char **argv) {\n'
           '    std::cout << "hello from C++, " << argc - 1 << " args\\n";\n    return 3;\n}\n',
    "rust": 'fn main() {\n    let n = std::env::args().count() - 1;\n'
            '    println!("hello from Rust, {} args", n);\n    std::process::exit(3);\n}\n',
    "go": 'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() {\n'
          '\tfmt.Printf("hello from Go, %d args\\n", len(os.Args)-1)\n\tos.Exit(3)\n}\n',
    "wat": '(module\n  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))\n'
           '  (memory (export "memory") 1)\n  (func (export "_start") (call $exit (i32.const 3))))\n',
}  # fmt: skip

#: One mistake per language, and the cell line (counting the magic line as 1) it is on.
BAD = {
    "c": ('#include <stdio.h>\n\nint main(void) {\n    printf("%d\\n", missing);\n}\n', 5),
    "cpp": ("#include <iostream>\n\nint main() {\n    std::cout << missing;\n}\n", 5),
    "rust": ('fn main() {\n    let x: i32 = "a";\n}\n', 3),
    "go": ("package main\n\nfunc main() {\n\tundefinedThing()\n}\n", 5),
    "wat": ('(module\n  (func (export "_start")\n    (i32.ad (i32.const 1))))\n', 4),
}

NATIVE = {"c", "cpp", "rust", "go"}
GOOD_NAMES = {"c": "C", "cpp": "C++", "rust": "Rust", "go": "Go"}


def _magic(lang: str) -> str:
    return "%%wat" if lang == "wat" else f"%%wasm {lang}"


def _good_cell(lang: str) -> str:
    native = " --native" if lang in NATIVE else ""
    return f"{_magic(lang)} --name good_{lang}{native} --timeout 120 --args one two\n{GOOD[lang]}"


def _need(lang: str) -> None:
    if lang == "wat":
        return
    for target in ("wasm32-wasi", "native"):
        try:
            toolchain_for(lang, target)
        except ToolchainMissing as err:
            need(False, f"no {lang} compiler for {target}: {err.fix}")


def _write_notebook(lab: Lab, langs: list[str]) -> None:
    def code(source: str) -> dict[str, Any]:
        return {"cell_type": "code", "metadata": {}, "execution_count": None,
                "outputs": [], "source": source}  # fmt: skip

    cells = [code("%load_ext kernel_helpers")]
    for lang in langs:
        cells += [code(_good_cell(lang)), code(f"{_magic(lang)}\n{BAD[lang][0]}")]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    (lab.root / "notebooks" / NOTEBOOK).write_text(json.dumps(notebook))


def _shown(cell: dict[str, Any]) -> str:
    return "\n".join(output["shown"] for output in cell["outputs"])


def _shoot_pair(page: Any, first_index: int, lang: str) -> None:
    """The good cell and the bad one below it, in one picture."""
    cells = page.locator(".jp-NotebookPanel .jp-Cell")
    top, bottom = cells.nth(first_index), cells.nth(first_index + 1)
    top.evaluate("node => node.scrollIntoView({block: 'start'})")  # both cells in view
    a, b = top.bounding_box(), bottom.bounding_box()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"magic-{lang}.png"),
        clip={"x": a["x"], "y": a["y"], "width": max(a["width"], b["width"]),
              "height": b["y"] + b["height"] - a["y"]},
    )  # fmt: skip


def test_each_magic_shows_output_size_and_errors_in_a_real_browser(page: Any, lab: Lab) -> None:
    langs = ["c", "cpp", "rust", "go", "wat"]
    for lang in langs:
        _need(lang)
    _write_notebook(lab, langs)
    page.set_viewport_size({"width": 1280, "height": 1400})
    run_notebook(page, lab, NOTEBOOK)
    cells = page.evaluate("() => window.__kitReport()")
    assert problems(cells) == []
    for number, lang in enumerate(langs):
        good, bad = cells[1 + 2 * number], cells[2 + 2 * number]
        shown = _shown(good)
        assert "exit code 3" in shown and "bytes" in shown, (lang, shown)
        if lang != "wat":
            assert f"hello from {GOOD_NAMES[lang]}, 2 args" in shown, (lang, shown)
        if lang in NATIVE:
            assert "native: binary" in shown, (lang, shown)
        complaint = _shown(bad)
        assert "no module" in complaint, (lang, complaint)
        assert f"cell line {BAD[lang][1]}" in complaint, (lang, complaint)
        _shoot_pair(page, good["index"], lang)
        assert (ARTIFACTS / f"magic-{lang}.png").stat().st_size > 0
