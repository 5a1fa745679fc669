"""Size helpers that need no compiler: sizes in words, charts, breakdowns of inline WAT."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers._figures import KitFigure, figure_png
from kernel_helpers.toolchains.sizes import bar_chart, top_with_other

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1 KB"),
        (3254, "3.25 KB"),
        (2_426_617, "2.43 MB"),
        (7e9, "7 GB"),
    ],
)
def test_format_bytes_counts_in_powers_of_1000(size: float, text: str) -> None:
    assert kh.format_bytes(size) == text


def test_top_with_other_keeps_the_total() -> None:
    values = {f"s{i}": i for i in range(1, 12)}
    shown = top_with_other(values, top=3)
    assert list(shown) == ["s11", "s10", "s9", "other"]
    assert sum(shown.values()) == sum(values.values())


@pytest.mark.parametrize("log", [False, True])
def test_bar_chart_renders_to_png_with_a_title(log: bool) -> None:
    chart = bar_chart(
        {"default": 36_000, "stripped": 3_200, "native": 760_000}, title="ladder", log=log
    )
    assert isinstance(chart, KitFigure)
    assert chart._repr_png_().startswith(PNG_MAGIC)
    assert chart.axes[0].get_title() == "ladder"
    labels = [t.get_text() for t in chart.axes[0].texts]
    assert labels == [" 36 KB", " 3.2 KB", " 760 KB"]


def test_the_other_bar_is_named_under_the_chart() -> None:
    """Walk 13: 03's Rust chart had an "other 9 B" bar that no label or prose explained;
    the line under the axis now says what it sums, computed from the values charted."""
    from kernel_helpers.toolchains.sizes import other_holds

    rust = {"C / libc": 18_027, "core": 15_636, "std": 15_417, "trait impls": 11_719,
            "alloc": 1_278, "wasi": 103, "hello": 82, "main": 13, "_start": 9}  # fmt: skip
    assert other_holds(rust) == "other: _start (9 B)"
    many = {f"p{i}": i * 1000 for i in range(1, 12)}
    assert other_holds(many) == "other: the 3 smaller ones, from p3 (3 KB) to p1 (1 KB)"
    assert other_holds({"a": 1}) == ""
    chart = kh.section_breakdown('(module (func (export "f")))', title="tiny", top=1)
    assert "\nother: " in chart.axes[0].get_xlabel()
    notebook = next((Path(__file__).resolve().parents[2] / "notebooks").glob("03-*.ipynb"))
    assert "`other` sums the packages too small for a bar" in notebook.read_text()


def test_section_breakdown_of_a_hand_written_module() -> None:
    chart = kh.section_breakdown('(module (func (export "f")))', title="tiny")
    bars = chart.axes[0].patches
    assert len(bars) == len(kh.section_sizes('(module (func (export "f")))'))
    assert figure_png(chart).startswith(PNG_MAGIC)


def test_against_claim_sorts_languages_by_the_one_megabyte_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kernel_helpers.toolchains.sizes import LanguageSize, LanguageSizes

    sizes = LanguageSizes(
        "hello",
        [
            LanguageSize("c", 36_000, 3_250, False, tmp_path / "c.wasm"),
            LanguageSize("go", 2_470_000, 2_430_000, False, tmp_path / "go.wasm"),
        ],
    )
    text = sizes.against_claim()
    assert "C:   3.25 KB stripped -> well under 1 MB" in text
    assert "Go:   2.43 MB stripped -> several MB" in text
    assert text.endswith("The claim fits Go, not C.")
    assert sizes.stripped("go") == 2_430_000 and sizes.stripped("rust") is None
    assert figure_png(sizes.figure()).startswith(PNG_MAGIC)
    assert "prebuilt" not in sizes.text()


def test_code_against_data_adds_up_to_the_stripped_module() -> None:
    """Walk 23, S3: 03's package chart counts code only, and Go's data section is a large
    share of its module; one line under the chart sets them side by side, from the sections."""

    def module(data_bytes: int) -> str:
        return (
            f'(module (memory 1) (data (i32.const 0) "{"x" * data_bytes}")'
            ' (func (export "f") (result i32) i32.const 1))'
        )

    # 8 header + 7 type + 4 function + 5 memory + 7 export + 8 code + (10 + n) data bytes
    small, large = module(300), module(3000)
    assert kh.section_sizes(small)["data"] == 310 and kh.stripped_size(small) == 349
    assert kh.code_against_data(small) == (
        "the whole module, stripped: 349 B = code 8 B (2%) + data 310 B (89%)"
        " + everything else 31 B (9%)"
    )
    assert "code 8 B (under 1%) + data 3.01 KB (99%)" in kh.code_against_data(large)


def test_03_sets_the_go_chart_s_code_against_the_module_s_data() -> None:
    """Walk 23, S3: exercise 2 said "section 4's chart is all you need", but the chart shows
    code only; the chart's cell now prints code against data, and the exercise says so."""
    notebook = next((Path(__file__).resolve().parents[2] / "notebooks").glob("03-*.ipynb"))
    cells = ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]]
    chart = next(c for c in cells if "kh.package_breakdown(go.path" in c)
    assert "kh.code_against_data(go.path)" in chart
    exercise = " ".join(next(c for c in cells if c.startswith("## Exercise 2")).split())
    assert "section 4's chart is all you need" not in exercise
    assert "the line under it" in exercise
