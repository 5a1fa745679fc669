"""Saved as they go, exported as JSON + PNG, merged across learners."""

from __future__ import annotations

import json
from pathlib import Path

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
from tests.unit.course2_data import FAST_CONTAINERS, SLOW_CONTAINERS, compute_result, startup_result


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
    assert export.json_path.name == "Ada-L.-results.json"
    assert export.png_path.read_bytes().startswith(b"\x89PNG")


def test_export_with_nothing_saved_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="nothing to export"):
        export_results("x", folder=tmp_path)


def test_aggregator_merges_two_machines(tmp_path: Path) -> None:
    paths = []
    for learner, medians, cpu in (("ada", FAST_CONTAINERS, "CPU A"), ("bob", SLOW_CONTAINERS, "CPU B")):
        folder = tmp_path / learner
        save_result("startup", startup_result(medians, cpu=cpu), folder=folder)
        paths.append(export_results(learner, folder=folder).json_path)
    figure, rows = aggregate_exports(paths)
    by_learner = {(r["learner"], r["variant"]): r["median_s"] for r in rows}
    assert by_learner[("ada (CPU A)", "docker-scratch")] == pytest.approx(0.35)
    assert by_learner[("bob (CPU B)", "docker-scratch")] == pytest.approx(3.2)
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels == ["ada (CPU A)", "bob (CPU B)"]
    bar_labels = {t.get_text() for t in figure.axes[0].texts}
    assert {"350 ms", "3.2 s"} <= bar_labels  # each bar says its median


def test_two_learners_with_the_default_name_stay_apart(tmp_path: Path) -> None:
    paths = []
    for folder_name, medians in (("one", FAST_CONTAINERS), ("two", SLOW_CONTAINERS)):
        folder = tmp_path / folder_name
        save_result("startup", startup_result(medians, cpu="Same CPU"), folder=folder)
        paths.append(export_results("my-name", folder=folder).json_path)
    _, rows = aggregate_exports(paths)
    scratch = {r["learner"]: r["median_s"] for r in rows if r["variant"] == "docker-scratch"}
    assert scratch == {"my-name (Same CPU)": pytest.approx(0.35), "my-name (Same CPU) #2": pytest.approx(3.2)}


def test_aggregator_rejects_a_file_that_is_not_an_export(tmp_path: Path) -> None:
    stray = tmp_path / "x.json"
    stray.write_text("{}")
    with pytest.raises(ResultsError, match="not a course export"):
        aggregate_exports([stray])


def test_aggregate_cli_writes_the_plot_and_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kernel_helpers.__main__ import main

    for learner, medians in (("ada", FAST_CONTAINERS), ("bob", SLOW_CONTAINERS)):
        save_result("startup", startup_result(medians), folder=tmp_path / learner)
        export_results(learner, folder=tmp_path / learner, out_dir=tmp_path / "class")
    png = tmp_path / "class.png"
    assert main(["aggregate", str(tmp_path / "class"), "--png", str(png), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["learner"].split()[0] for r in rows} == {"ada", "bob"}
    assert png.read_bytes().startswith(b"\x89PNG")
    assert main(["aggregate", str(tmp_path / "nothing.json")]) == 1
