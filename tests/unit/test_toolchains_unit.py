"""Hermetic tests of the toolchain layer: diagnostics, cache keys, CLI arguments,
custom-section stripping, and the missing-toolchain path. No compiler runs here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import wasmtime

from kernel_helpers._errors import KitError, ToolchainMissing
from kernel_helpers.cli.build import parse_args
from kernel_helpers.toolchains import build as tc
from kernel_helpers.toolchains import prebuilt
from kernel_helpers.toolchains import shrink as shrinking
from kernel_helpers.toolchains.detect import Toolchain
from kernel_helpers.toolchains.diagnostics import parse_diagnostics

CLANG_OUTPUT = """\
bad.c:3:12: error: use of undeclared identifier 'y'
    3 |     return y;
      |            ^
bad.c:2:9: warning: unused variable 'x' [-Wunused-variable]
1 error generated.
"""

RUSTC_OUTPUT = """\
error[E0425]: cannot find value `y` in this scope
 --> bad.rs:3:20
  |
3 |     println!("{}", y);
  |                    ^ help: a local variable with a similar name exists: `x`

error: aborting due to previous error
"""

GO_OUTPUT = """\
# command-line-arguments
./bad.go:4:9: undefined: y
"""


def test_clang_diagnostics_keep_file_line_column_and_severity() -> None:
    found = parse_diagnostics("c", CLANG_OUTPUT)
    assert [(d.file, d.line, d.column, d.severity) for d in found] == [
        ("bad.c", 3, 12, "error"),
        ("bad.c", 2, 9, "warning"),
    ]
    assert found[0].message == "use of undeclared identifier 'y'"


def test_rustc_diagnostics_take_the_location_from_the_arrow_line() -> None:
    found = parse_diagnostics("rust", RUSTC_OUTPUT)
    assert len(found) == 1, "the 'aborting due to' summary is not a diagnostic"
    assert (found[0].file, found[0].line, found[0].column) == ("bad.rs", 3, 20)
    assert found[0].message == "cannot find value `y` in this scope"


def test_go_diagnostics_are_errors_without_the_dot_slash() -> None:
    found = parse_diagnostics("go", GO_OUTPUT)
    assert [str(d) for d in found] == ["bad.go:4:9: error: undefined: y"]


def _toolchain(version: str = "clang 19") -> Toolchain:
    return Toolchain("c", "clang", ("/usr/bin/clang",), version, "wasm32-wasi", "/usr")


def test_cache_key_changes_with_source_flags_and_version_only() -> None:
    base = tc.cache_key(b"int main(){}", "c", "wasm32-wasi", _toolchain(), ["-O2"])
    assert base == tc.cache_key(b"int main(){}", "c", "wasm32-wasi", _toolchain(), ["-O2"])
    others = {
        tc.cache_key(b"int main(){ }", "c", "wasm32-wasi", _toolchain(), ["-O2"]),
        tc.cache_key(b"int main(){}", "c", "native", _toolchain(), ["-O2"]),
        tc.cache_key(b"int main(){}", "c", "wasm32-wasi", _toolchain("clang 18"), ["-O2"]),
        tc.cache_key(b"int main(){}", "c", "wasm32-wasi", _toolchain(), ["-Oz"]),
    }
    assert base not in others and len(others) == 4


def test_clang_wasm_command_uses_the_sysroot_and_the_wasi_target() -> None:
    command = tc.compile_command(_toolchain(), "wasm32-wasi", "fib.c", "fib-c.wasm")
    assert command == [
        "/usr/bin/clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-o", "fib-c.wasm",
        "fib.c",
    ]  # fmt: skip


def test_native_commands_are_static() -> None:
    gcc = Toolchain("cpp", "gcc", ("g++",), "g++ 12", "native")
    rust = Toolchain("rust", "rustc", ("rustc",), "rustc 1.95", "native")
    assert "-static" in tc.compile_command(gcc, "native", "a.cpp", "a")
    assert "target-feature=+crt-static" in tc.compile_command(rust, "native", "a.rs", "a")


def test_the_dynamic_build_links_the_system_c_library_and_only_for_c() -> None:
    """Notebook 07's exercise needs a binary that fails on FROM scratch for lack of its loader."""
    gcc = Toolchain("c", "gcc", ("gcc",), "gcc 12", "native")
    zig = Toolchain("c", "zig", ("zig", "cc"), "0.13.0", "native")
    assert "-static" not in tc.compile_command(gcc, tc.NATIVE_DYNAMIC, "a.c", "a")
    assert tc.compile_command(zig, tc.NATIVE_DYNAMIC, "a.c", "a")[3].endswith("-linux-gnu")
    assert tc.compile_command(zig, "native", "a.c", "a")[3].endswith("-linux-musl")
    with pytest.raises(KitError, match="unknown target"):
        tc.build("hello", "go", tc.NATIVE_DYNAMIC)


def test_artifact_json_round_trip() -> None:
    artifact = tc.Artifact("fib", "c", "wasm32-wasi", Path("/x/fib-c.wasm"), 10, ["cc"],
                           "clang", "19", 0.5)  # fmt: skip
    record = json.loads(json.dumps(artifact.to_json()))
    assert record["path"] == "/x/fib-c.wasm" and record["variant"] == "default"
    assert tc.Artifact.from_json(record) == artifact


def test_summary_says_when_a_module_is_prebuilt() -> None:
    artifact = tc.Artifact("fib", "go", "wasm32-wasi", Path("/x/fib-go.wasm"), 2_410_338,
                           ["go"], "go", "1.27", 0.0, cached=True, prebuilt=True)  # fmt: skip
    assert "PREBUILT" in artifact.summary() and "2,410,338 bytes" in artifact.summary()
    fresh = tc.Artifact("fib", "c", "native", Path("/x/fib-c"), 10, ["cc"], "gcc", "12", 0.25)
    assert "compiled now with gcc in 0.25 s" in fresh.summary()


def _custom_section(name: bytes, payload: bytes) -> bytes:
    body = bytes([len(name)]) + name + payload
    return bytes([0, len(body)]) + body


def test_strip_custom_sections_keeps_a_valid_module() -> None:
    module = wasmtime.wat2wasm('(module (func (export "f") (result i32) i32.const 7))')
    noisy = module + _custom_section(b"producers", b"clang 19")
    stripped = shrinking.strip_custom_sections(noisy)
    assert stripped == module
    wasmtime.Module(wasmtime.Engine(), stripped)  # still loads


def test_strip_rejects_bytes_that_are_not_wasm() -> None:
    with pytest.raises(KitError, match="not a WebAssembly module"):
        shrinking.strip_custom_sections(b"\x7fELF....")


def test_build_cli_defaults_to_everything() -> None:
    args = parse_args([])
    assert (args.lang, args.example, args.target, args.json) == (None, None, "all", False)
    args = parse_args(["--lang", "rust", "--lang", "go", "--example", "fib", "--json"])
    assert (args.lang, args.example, args.json) == (["rust", "go"], ["fib"], True)
    with pytest.raises(SystemExit):
        parse_args(["--lang", "cobol"])


def test_a_missing_toolchain_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tc, "find_toolchain", lambda lang: None)
    tc.forget_toolchains()
    try:
        with pytest.raises(ToolchainMissing) as caught:
            tc.build("fib", "rust")
    finally:
        tc.forget_toolchains()
    assert caught.value.language == "rust" and caught.value.fix
    assert "How to fix:" in str(caught.value)


def test_unknown_example_and_language_are_kit_errors() -> None:
    with pytest.raises(KitError, match="no c source"):
        tc.source_path("no-such-example", "c")
    with pytest.raises(KitError, match="unknown language"):
        tc.build("fib", "cobol")


def test_every_example_exists_in_all_four_languages_with_a_build_comment() -> None:
    assert {"hello", "fib", "wordcount", "sha256"} <= set(tc.examples())
    for example in tc.examples():
        for lang in ("c", "cpp", "rust", "go"):
            header = tc.source_path(example, lang).read_text()[:1500]
            assert "Build by hand" in header, f"{example}.{lang} lacks its build command"


def test_prebuilt_modules_were_built_from_the_current_sources() -> None:
    stale = [
        relative
        for relative, record in prebuilt.prebuilt_manifest()["modules"].items()
        if tc._sha256(tc.source_path(record["example"], record["lang"]).read_bytes())
        != record["source_sha256"]
    ]
    assert stale == [], "run: python -m kernel_helpers build --refresh-prebuilt"


def test_refresh_keeps_modules_it_cannot_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"modules": {"fib/fib-rust.wasm": {"lang": "rust"}}}))
    monkeypatch.setattr(prebuilt, "MANIFEST", manifest)
    monkeypatch.setattr(prebuilt, "PREBUILT_DIR", tmp_path)
    monkeypatch.setattr(prebuilt, "build_all", lambda **_: [])  # no compiler at all
    assert prebuilt.refresh_prebuilt(progress=False) == []
    assert "fib/fib-rust.wasm" in json.loads(manifest.read_text())["modules"]


def test_examples_come_from_kit_examples_dir_then_the_checkout_then_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIT_EXAMPLES_DIR", raising=False)
    assert tc.examples_dir() == tc.CHECKOUT_EXAMPLES  # run from a checkout
    assert tc.SHIPPED_EXAMPLES.resolve() == tc.CHECKOUT_EXAMPLES.resolve()  # one set of files
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "mine.c").write_text("int main(void) { return 0; }\n")
    monkeypatch.setenv("KIT_EXAMPLES_DIR", str(tmp_path))
    assert tc.examples() == ["mine"]
    assert tc.source_path("mine", "c") == tmp_path / "mine" / "mine.c"
    monkeypatch.setenv("KIT_EXAMPLES_DIR", str(tmp_path / "nowhere"))
    assert tc.examples() == []
    with pytest.raises(KitError, match="nowhere does not exist") as caught:
        tc.source_path("hello", "c")
    assert "KIT_EXAMPLES_DIR" in (caught.value.fix or "")
