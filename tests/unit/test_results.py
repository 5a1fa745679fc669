"""Saved as they go, exported as JSON + PNG, merged across learners."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kernel_helpers._errors import ResultsError
from kernel_helpers.report.exports import (
    EXPORT_SCHEMA,
    aggregate_exports,
    export_results,
    load_results,
    read_export,
    save_result,
)
from tests.unit.harness_json_results import (
    FAST_CONTAINERS,
    SLOW_CONTAINERS,
    compute_result,
    startup_result,
)


def test_results_are_saved_and_loaded_per_topic(tmp_path: Path) -> None:
    save_result("startup", startup_result(FAST_CONTAINERS), folder=tmp_path)
    save_result("compute", json.dumps(compute_result(1.2)), folder=tmp_path)
    (tmp_path / "sizes.json").write_text("{broken")  # a damaged file is skipped, not fatal
    loaded = load_results(tmp_path)
    assert set(loaded) == {"startup", "compute"}
    assert loaded["startup"]["variants"]["docker-scratch"]["median_s"] == pytest.approx(0.35)


def test_unknown_topic_is_refused_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(ResultsError) as err:
        save_result("speed", {}, folder=tmp_path)
    assert err.value.fix and "startup" in err.value.fix


def test_export_writes_json_and_png(tmp_path: Path) -> None:
    save_result("startup", startup_result(FAST_CONTAINERS), folder=tmp_path)
    export = export_results("Ada L.", folder=tmp_path, out_dir=tmp_path / "out")
    data = read_export(export.json_path)
    assert data["schema"] == EXPORT_SCHEMA and data["learner"] == "Ada L."
    assert data["machine"]["cpu"] == "Test CPU"
    assert export.json_path.name == "Ada_L-results.json"
    assert export.png_path.read_bytes().startswith(b"\x89PNG")


def test_export_with_nothing_saved_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="nothing to export"):
        export_results("x", folder=tmp_path)


def test_aggregator_merges_two_machines(tmp_path: Path) -> None:
    paths = []
    for learner, medians, cpu in (
        ("ada", FAST_CONTAINERS, "CPU A"),
        ("bob", SLOW_CONTAINERS, "CPU B"),
    ):
        folder = tmp_path / learner
        save_result("startup", startup_result(medians, cpu=cpu), folder=folder)
        paths.append(export_results(learner, folder=folder).json_path)
    figure, rows = aggregate_exports(paths)
    by_learner = {(r["learner"], r["variant"]): r["median_s"] for r in rows}
    assert by_learner[("ada (CPU A)", "docker-scratch")] == pytest.approx(0.35)
    assert by_learner[("bob (CPU B)", "docker-scratch")] == pytest.approx(3.2)
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert labels == ["ada (CPU A)", "bob (CPU B)"]
    bar_labels = {t.get_text() for t in figure.axes[0].texts}
    assert {"350 ms", "3.2 s"} <= bar_labels  # each bar says its median


def test_names_keep_their_letters_lose_spaces_and_what_a_path_cannot_hold(tmp_path: Path) -> None:
    save_result("startup", startup_result(FAST_CONTAINERS), folder=tmp_path)
    for learner, stem in (
        ("Zoë O'Brien", "Zoë_O'Brien"),
        ("Newbie Learner", "Newbie_Learner"),
        ("two spaced   words", "two_spaced_words"),
        ("李明", "李明"),
        ("a/b\\c:d*?", "a-b-c-d"),
    ):
        export = export_results(learner, folder=tmp_path, out_dir=tmp_path / "out")
        assert export.json_path.name == f"{stem}-results.json"
        assert read_export(export.json_path)["learner"] == learner


def test_an_export_never_overwrites_another(tmp_path: Path) -> None:
    save_result("startup", startup_result(FAST_CONTAINERS), folder=tmp_path)
    names = [export_results("ada", folder=tmp_path).json_path.name for _ in range(3)]
    assert names == ["ada-results.json", "ada-2-results.json", "ada-3-results.json"]


def test_the_name_comes_from_learner_else_from_the_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kernel_helpers.report.exports import learner_name, learner_name_box, machine_id

    monkeypatch.setenv("LEARNER", "Zoë")
    assert learner_name() == "Zoë" and learner_name("  ") == "Zoë" and learner_name("Ada") == "Ada"
    assert learner_name_box().value == "Zoë"
    monkeypatch.delenv("LEARNER")
    assert learner_name() == f"learner-{machine_id()[:6]}"
    save_result("startup", startup_result(FAST_CONTAINERS), folder=tmp_path)
    assert read_export(export_results(folder=tmp_path).json_path)["machine_id"] == machine_id()


def test_two_learners_with_the_default_name_stay_apart(tmp_path: Path) -> None:
    paths = []
    for folder_name, medians in (("one", FAST_CONTAINERS), ("two", SLOW_CONTAINERS)):
        folder = tmp_path / folder_name
        save_result("startup", startup_result(medians, cpu="Same CPU"), folder=folder)
        paths.append(export_results("my-name", folder=folder).json_path)
    _, rows = aggregate_exports(paths)
    scratch = {r["learner"]: r["median_s"] for r in rows if r["variant"] == "docker-scratch"}
    assert scratch == {
        "my-name (Same CPU)": pytest.approx(0.35),
        "my-name (Same CPU) #2": pytest.approx(3.2),
    }


def test_aggregator_skips_a_file_that_is_not_an_export_and_fails_when_none_is_left(
    tmp_path: Path,
) -> None:
    stray = tmp_path / "x.json"
    stray.write_text("{}")
    save_result("startup", startup_result(FAST_CONTAINERS), folder=tmp_path / "ada")
    good = export_results("ada", folder=tmp_path / "ada").json_path
    skipped: list[str] = []
    _, rows = aggregate_exports([stray, good], on_skip=skipped.append)
    assert rows and len(skipped) == 1 and "x.json" in skipped[0]
    with pytest.warns(UserWarning, match="not a course export"):
        aggregate_exports([stray, good])
    with pytest.raises(ResultsError, match="none of them a course export"):
        aggregate_exports([stray], on_skip=skipped.append)
    with pytest.raises(ResultsError, match="nothing to aggregate"):
        aggregate_exports([])


def test_machines_are_counted_by_machine_identity(tmp_path: Path) -> None:
    paths = []
    for learner in ("ada", "bob", "cy"):  # three exports, one machine
        save_result(
            "startup", startup_result(FAST_CONTAINERS, cpu="CPU A"), folder=tmp_path / learner
        )
        paths.append(export_results(learner, folder=tmp_path / learner).json_path)
    figure, _ = aggregate_exports(paths)
    assert figure.axes[0].get_title() == "Start-up: 3 learners on 1 machine"


def test_recorded_bars_are_hatched_and_say_recorded(tmp_path: Path) -> None:
    from kernel_helpers.bench.reference import recorded_result

    export = export_results(
        "ref", out_dir=tmp_path, results={"startup": recorded_result("startup", "hello")}
    )
    figure, rows = aggregate_exports([export.json_path])
    ax = figure.axes[0]
    recorded = [r for r in rows if r["recorded"]]
    assert recorded
    assert sum(1 for bar in ax.patches if bar.get_hatch() == "///") == len(recorded)
    assert sum(1 for t in ax.texts if t.get_text().endswith("(recorded)")) == len(recorded)


def test_the_recorded_reference_run_is_no_learner_and_the_legend_shows_the_bars(
    tmp_path: Path,
) -> None:
    """Issue 28 item 6: one learner beside the reference run is "1 learner", the legend's
    patches are drawn as the bars are, and the legend and the title lie inside the figure."""
    from kernel_helpers.bench.reference import recorded_result

    reference = export_results(
        "reference machine",
        out_dir=tmp_path,
        results={"startup": recorded_result("startup", "hello")},
    )
    save_result("startup", startup_result(FAST_CONTAINERS), folder=tmp_path / "ada")
    ada = export_results("ada", folder=tmp_path / "ada", out_dir=tmp_path)
    figure, _ = aggregate_exports([reference.json_path, ada.json_path])
    ax = figure.axes[0]
    assert ax.get_title() == "Start-up: 1 learner on 1 machine,\nbeside 1 recorded run"

    def look(patch: Any) -> tuple[Any, ...]:
        return (tuple(patch.get_facecolor()), tuple(patch.get_edgecolor()), patch.get_hatch())

    legend = figure.legends[0]
    shown = {look(p) for p in legend.get_patches()}
    assert {look(bar) for bar in ax.patches} <= shown
    figure.canvas.draw()
    page = figure.bbox
    for box in (legend.get_window_extent(), ax.title.get_window_extent()):
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1


def test_aggregate_cli_writes_the_plot_and_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kernel_helpers.__main__ import main

    for learner, medians in (("ada", FAST_CONTAINERS), ("bob", SLOW_CONTAINERS)):
        save_result("startup", startup_result(medians), folder=tmp_path / learner)
        export_results(learner, folder=tmp_path / learner, out_dir=tmp_path / "class")
    (tmp_path / "class" / "notes.txt").write_text("not an export")
    png = tmp_path / "class.png"
    assert main(["aggregate", str(tmp_path / "class"), "--png", str(png), "--json"]) == 0
    out = capsys.readouterr()
    rows = json.loads(out.out)  # only JSON on stdout; the skipped file is a warning on stderr
    assert {r["learner"].split()[0] for r in rows} == {"ada", "bob"}
    assert "warning: skipped" in out.err and "notes.txt" in out.err
    assert png.read_bytes().startswith(b"\x89PNG")
    assert main(["aggregate", str(tmp_path / "nothing.json")]) == 1
    (tmp_path / "empty").mkdir()
    assert main(["aggregate", str(tmp_path / "empty"), "--png", str(tmp_path / "e.png")]) == 1
    assert "nothing to aggregate" in capsys.readouterr().err
    assert not (tmp_path / "e.png").exists()


def test_a_size_is_a_record_its_kind_said_not_read_from_its_label() -> None:
    from kernel_helpers.bench.results import BenchResult, SizeRow, sizes_of

    result = BenchResult(machine={}, example="hello", benchmark="sizes")
    result.sizes.add("image", "the one we pushed", 5_000_000, recorded=True)
    result.sizes.add("wasm", "hello.wasm (c)", 36_000)
    result.sizes["docker-debian image"] = 100_000_000  # set the plain way: kind from its words
    again = BenchResult.from_json(json.loads(json.dumps(result.to_json())))
    assert again.sizes == result.sizes  # still bytes by label
    assert again.sizes.rows() == [
        SizeRow("image", "the one we pushed", 5_000_000, True),
        SizeRow("wasm", "hello.wasm (c)", 36_000, False),
        SizeRow("image", "docker-debian image", 100_000_000, None),
    ]
    table = sizes_of(again)
    assert table.kinds["the one we pushed"] == "image" and table.recorded == ["the one we pushed"]


def test_recorded_sizes_say_so() -> None:
    from kernel_helpers.bench.reference import recorded_result

    rows = recorded_result("startup", "hello").sizes.rows()
    assert rows and all(row.recorded for row in rows)
    assert {row.kind for row in rows} >= {"wasm", "native", "image", "oci-wasm"}


def test_notebook_10s_name_box_is_wide_enough_for_its_placeholder() -> None:
    """Walk 15, S6: at ipywidgets' default width the box showed "a name or nickname for
    your". Its width, in em, holds the description and the placeholder at about 0.55 em a
    character (a proportional font's lower case), beside the box's own padding."""
    from kernel_helpers.report.exports import learner_name_box

    box = learner_name_box()
    width = box.layout.width
    assert width and width.endswith("em"), width
    needed = 0.55 * (len(box.description) + len(box.placeholder)) + 2
    assert float(width.removesuffix("em")) >= needed
