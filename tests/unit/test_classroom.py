"""Handing results in on a workshop hub, and the instructor's live class view.

The hub's side (accounts, group, permissions) is tested with real accounts in
tests/integration/test_hub.py; here, the learner's kit writing into ``KIT_CLASS_DIR`` and
the instructor's view reading a class folder, with synthetic results."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from course_hub.classroom import class_status, class_view
from course_hub.errors import HubError
from kernel_helpers.course.doctor import DoctorReport, collect, handed_in
from kernel_helpers.report.exports import export_results, save_result
from kernel_helpers.report.handin import CLASS_DIR_ENV, hand_in
from tests import synthetic_results


@pytest.fixture
def class_root(tmp_path: Path) -> Path:
    root = tmp_path / "class"
    root.mkdir()
    return root


def _learner(root: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = root / f"kit-{name}"
    folder.mkdir()
    monkeypatch.setenv(CLASS_DIR_ENV, str(folder))
    return folder


def test_what_the_kit_saves_is_handed_in_readable_by_the_instructors_group_only(
    tmp_path: Path, class_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _learner(class_root, "ada", monkeypatch)
    save_result(
        "startup", synthetic_results.startup("fast-containers"), folder=tmp_path / "results"
    )
    export_results(
        "ada", results=synthetic_results.all_results("fast-containers"), out_dir=tmp_path / "out"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["export.json", "export.png", "startup.json"]
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path
    assert json.loads((folder / "export.json").read_text())["learner"] == "ada"


def test_nothing_is_handed_in_off_the_hub_and_a_broken_folder_only_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CLASS_DIR_ENV, raising=False)
    assert hand_in("doctor.json", b"{}") is None
    monkeypatch.setenv(CLASS_DIR_ENV, str(tmp_path / "gone"))
    with pytest.warns(UserWarning, match="could not hand doctor.json in"):
        assert hand_in("doctor.json", b"{}") is None
    # and saving a result still works for the learner
    with pytest.warns(UserWarning, match="could not hand startup.json in"):
        saved = save_result(
            "startup", synthetic_results.startup("fast-containers"), folder=tmp_path
        )
    assert saved.is_file()


def test_the_doctor_hands_in_its_summary_and_what_is_missing() -> None:
    report = DoctorReport(collect())
    data = handed_in(report)
    assert data["summary"] == report.summary()
    assert [m["what"] for m in data["missing"]] == [r.what for r in report.missing]


def test_the_class_status_puts_who_is_stuck_first_and_draws_the_comparison(
    tmp_path: Path, class_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _learner(class_root, "zoe", monkeypatch)
    hand_in("doctor.json", json.dumps({"summary": "ok", "missing": []}).encode())
    save_result("startup", synthetic_results.startup("fast-containers"), folder=tmp_path / "z")
    _learner(class_root, "bob", monkeypatch)
    hand_in("doctor.json", json.dumps({"summary": "2 missing", "missing": [
        {"what": "Docker"}, {"what": "Rust toolchain"}]}).encode())  # fmt: skip
    _learner(class_root, "amy", monkeypatch)  # has not run notebook 00

    status = class_status(class_root)
    assert [x.name for x in status.learners] == ["amy", "bob", "zoe"]
    amy, bob, zoe = status.learners
    assert amy.stuck and "has not run the setup check" in amy.setup
    assert (
        bob.setup == "2 missing: Docker; Rust toolchain" and bob.progress == "nothing measured yet"
    )
    assert zoe.setup == "ok: nothing missing" and zoe.progress == "startup"
    assert "amy" in status.html() and "1 without a setup check" in status.text()
    # Only zoe measured start-up: the comparison has her bars, from her handed-in topic.
    assert [e["learner"] for e in status.exports()] == ["zoe"]
    png = status.figure_png()
    assert png is not None and png.startswith(b"\x89PNG")


def test_the_live_view_redraws_when_a_learner_hands_something_in(
    tmp_path: Path, class_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _learner(class_root, "ada", monkeypatch)
    view = class_view(class_root, every_s=0.1)
    try:
        assert "has not run the setup check" in view.table.value
        assert bytes(view.picture.value) == b""
        save_result("startup", synthetic_results.startup("fast-containers"), folder=tmp_path / "r")
        deadline = time.monotonic() + 60  # a starved leg drew it after more than 10 s
        while bytes(view.picture.value) == b"" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert bytes(view.picture.value).startswith(b"\x89PNG") and "startup" in view.table.value
    finally:
        view.stop()


def test_off_the_hub_the_class_view_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_CLASS_ROOT", raising=False)
    with pytest.raises(HubError, match="not the instructor's server") as caught:
        class_status()
    assert "admin" in (caught.value.fix or "")


def test_a_hand_in_that_is_no_plain_file_is_named_never_waited_on(
    class_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO would hang a plain read, a link to /dev/zero or a 1 GB file would fill the
    instructor's kernel: each is named in the view, which still shows the rest at once."""
    import os

    from kernel_helpers.report.handin import MAX_HAND_IN_BYTES

    fifo = _learner(class_root, "fifo", monkeypatch)
    os.mkfifo(fifo / "doctor.json")
    linked = _learner(class_root, "linked", monkeypatch)
    (linked / "doctor.json").symlink_to("/dev/zero")
    huge = _learner(class_root, "huge", monkeypatch)
    with (huge / "doctor.json").open("wb") as sparse:
        sparse.truncate(1 << 30)  # 1 GB, sparse: costs no disk
    (huge / "startup.json").write_bytes(b"\x00not json")
    fine = _learner(class_root, "fine", monkeypatch)
    hand_in("doctor.json", json.dumps({"summary": "ok", "missing": []}).encode())

    started = time.monotonic()
    status = class_status(class_root)
    took = time.monotonic() - started
    # A FIFO read waits forever and 1 GB of JSON takes far longer; 10 s leaves room for
    # the matrix's legs, which run at nice 19 beside CI's suite.
    assert took < 10, f"the class view took {took:.1f} s"
    problems = "\n".join(status.problems())
    assert "doctor.json in kit-fifo's hand-ins is not a regular file" in problems
    assert "doctor.json in kit-linked's hand-ins is a link, not a file" in problems
    assert "doctor.json in kit-huge's hand-ins is 1.07 GB, over the 4 MB" in problems, problems
    assert "startup.json in kit-huge's hand-ins is not readable JSON" in problems
    text = status.text()
    assert "fine: ok: nothing missing" in text and "not read: doctor.json in kit-fifo's" in text
    assert "Not read:" in status.html()
    (fine / "export.json").write_bytes(b"{}" + b" " * (MAX_HAND_IN_BYTES - 2))  # just fits
    again = class_status(class_root)
    assert len(again.problems()) == 4
    assert next(x for x in again.learners if x.name == "fine").export == {}
