"""The shipped prebuilt probe under the real WASI runner: given what it is handed,
refused the rest. No compiler needed (that is the point of the prebuilt module)."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers.course.probe import PROBE_PREBUILT, recorded_container_view


def run(*args: str, **options: object) -> kh.WasiResult:
    return kh.run_wasm(PROBE_PREBUILT, list(args), timeout=10, **options)  # type: ignore[arg-type]


@pytest.fixture
def data(tmp_path: Path) -> kh.Preopen:
    (tmp_path / "poem.txt").write_text("one two\nthree\n")
    return kh.Preopen(tmp_path, "/data")


def test_prebuilt_probe_is_a_stripped_wasi_module() -> None:
    info = kh.read_module(PROBE_PREBUILT)
    assert info.import_modules() == ["wasi_snapshot_preview1"]
    assert not [s for s in info.sections if s.id == 0], "prebuilt should carry no custom sections"


def test_arguments_environment_and_exit_code() -> None:
    assert "argv[1] = args\nargv[2] = a b" in run("args", "a b").stdout_text
    assert run("env").stdout_text.strip() == "(no environment variables)"
    assert run("env", env={"X": "1"}).stdout_text.strip() == "X=1"
    assert run("exit", "3").exit_code == 3
    assert run("stdin", stdin="a\nb\n").stdout_text.strip() == "read 4 bytes, 2 lines from stdin"


def test_random_differs_between_runs() -> None:
    first, second = run("random").stdout_text, run("random").stdout_text
    assert len(first.strip()) == 32 and first != second


def test_reads_a_preopened_folder_but_not_outside_it(data: kh.Preopen) -> None:
    assert run("cat", "/data/poem.txt", dirs=[data]).stdout_text == "one two\nthree\n"
    for path in ("/etc/passwd", "/data/../etc/passwd", "/data/../../etc/passwd"):
        refused = run("cat", path, dirs=[data])
        assert refused.exit_code == 1 and path in refused.stderr_text


def test_read_only_refuses_writes_and_writable_allows_them(
    data: kh.Preopen, tmp_path: Path
) -> None:
    assert run("write", "/data/new.txt", "hi", dirs=[data]).exit_code == 1
    assert not (tmp_path / "new.txt").exists()
    writable = kh.Preopen(data.host, "/data", writable=True)
    assert run("write", "/data/new.txt", "hi", dirs=[writable]).exit_code == 0
    assert (tmp_path / "new.txt").read_text() == "hi\n"


def test_the_recording_is_marked_and_readable() -> None:
    view = recorded_container_view("no daemon")
    assert view.recorded and "Docker" in view.recorded
    assert "RECORDED" in view.text() and "no daemon" in view.text()
    assert "RECORDED" in view._repr_html_()
    assert any(question == ("ls", "/") for question, _, _ in view.answers)


def test_container_view_with_docker_off_is_the_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")
    view = kh.container_view()
    assert view.recorded and "KIT_DOCKER=off" in (view.reason or "")


def test_a_live_view_says_it_is_live_and_where() -> None:
    """Issue 28, stumble 15: a learner could not tell a live container view from the
    recording. A live one says so, names its image, and is coloured apart."""
    from kernel_helpers.course.probe import ContainerView

    live = ContainerView([(("ls", "/"), 0, "wasi_probe\n")], image="kit-probe:me")
    assert live.text().startswith("LIVE, asked now: a container of kit-probe:me")
    assert "RECORDED" not in live.text() and "#2e7d32" in live._repr_html_()
    assert "#a05a00" in recorded_container_view()._repr_html_()


def _path_opens_asked(*args: str) -> tuple[str, list[str]]:
    """The probe's stderr, and the paths it asked the host's path_open for, with path_open
    replaced by one that records its path and refuses (ENOTCAPABLE)."""
    engine = wasmtime.Engine()
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    linker.allow_shadowing = True
    asked: list[str] = []

    def path_open(caller: wasmtime.Caller, *params: int) -> int:
        memory = caller["memory"]
        assert isinstance(memory, wasmtime.Memory)
        pointer, length = params[2], params[3]
        asked.append(memory.read(caller, pointer, pointer + length).decode())
        return 76  # ENOTCAPABLE

    i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()
    signature = wasmtime.FuncType([i32, i32, i32, i32, i32, i64, i64, i32, i32], [i32])
    linker.define_func("wasi_snapshot_preview1", "path_open", signature, path_open, True)
    with tempfile.TemporaryDirectory() as folder:
        wasi = wasmtime.WasiConfig()
        wasi.argv = ["wasi_probe", *args]
        wasi.preopen_dir(folder, "/data")
        wasi.stderr_file = str(Path(folder) / "stderr")
        store = wasmtime.Store(engine)
        store.set_wasi(wasi)
        instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(PROBE_PREBUILT)))
        with contextlib.suppress(wasmtime.ExitTrap):  # the probe exits 1 after refusing
            instance.exports(store)["_start"](store)  # type: ignore[operator]
        return (Path(folder) / "stderr").read_text(), asked


def test_04s_two_refusals_come_from_where_the_notebook_says(data: kh.Preopen) -> None:
    """Walk 3, S11: four refusals, two messages. A path no preopen's name begins is refused
    by wasi-libc inside the module (the host is never asked); a `..` path is asked of the
    host, and wasmtime refuses it as climbing out of the folder."""
    for args in (("cat", "/etc/passwd"), ("ls", "/")):
        said, asked = _path_opens_asked(*args)
        assert asked == [] and "Capabilities insufficient" in said
    said, asked = _path_opens_asked("cat", "/data/../etc/passwd")
    assert asked == ["../etc/passwd"]
    for path in ("/data/../etc/passwd", "/data/../data/poem.txt"):
        assert "Operation not permitted" in run("cat", path, dirs=[data]).stderr_text
    notebook = next((Path(__file__).parents[2] / "notebooks").glob("04-*.ipynb"))
    told = " ".join(
        " ".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]).split()
    )
    for words in (
        "by its C library",
        "never asks the host",
        "`path_open` in `/data`",
        "**wasmtime** refuses",
    ):
        assert words in told, words
