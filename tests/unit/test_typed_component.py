"""The typed component of notebook 11 (``sha256: func(data: list<u8>) -> string``), as
shipped: its world shows the typed export, a call from Python matches hashlib across
SHA-256's block boundaries, and a value of the wrong type is refused with a clear error.
Hermetic: the shipped component, wasmtime and the shipped sha256 command only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import wasmtime
import wasmtime.component as wc

import kernel_helpers as kh
from kernel_helpers.toolchains.component import shipped as cshipped
from kernel_helpers.toolchains.component import typed
from kernel_helpers.wasm.component import world_names

SIGNATURE = "sha256: func(data: list<u8>) -> string"
#: Around the lengths where SHA-256's padding needs a second block (55/56) and where the
#: message itself fills one (64), two, or many.
LENGTHS = [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70_001]


@pytest.fixture(autouse=True)
def bare_laptop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No compiler and no wasm-tools, as on a bare laptop: the shipped component stands in."""
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path / "kit-cache"))
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")


@pytest.fixture
def shipped() -> Path:
    component = kh.typed_component()
    assert component.prebuilt and component.path.is_relative_to(cshipped.PREBUILT_COMPONENTS)
    return component.path


def sample(length: int) -> bytes:
    return bytes((i * 37 + 11) % 256 for i in range(length))


def test_the_bare_mode_uses_the_shipped_component_and_says_so() -> None:
    component = kh.typed_component()
    assert "PREBUILT" in (component.fallback_note() or "")
    assert "KIT_TOOLCHAINS" in (component.fallback_note() or "")
    assert not component.adapter and "no adapter" in component.summary()
    assert [step[:3] for step in component.steps[1:]] == [
        ["wasm-tools", "component", "embed"],
        ["wasm-tools", "component", "new"],
    ]
    with pytest.raises(kh.ToolchainMissing) as caught:
        kh.typed_component(prebuilt=False)
    assert "KIT_TOOLCHAINS" in str(caught.value)


def test_the_world_shows_the_typed_export_and_no_import(shipped: Path) -> None:
    world = kh.read_world(kh.typed_component())
    assert world.source.startswith("WIT recorded")
    assert (world.imports, world.exports) == ([], [SIGNATURE])
    # wasmtime reads the same signature from the component's own type, without any WIT text
    assert world_names(shipped) == ([], [SIGNATURE])


@pytest.mark.parametrize("length", LENGTHS)
def test_a_typed_call_matches_hashlib(shipped: Path, length: int) -> None:
    data = sample(length)
    digest = kh.call_export(shipped, "sha256", data)
    assert isinstance(digest, str)
    assert digest == hashlib.sha256(data).hexdigest()


def test_one_instance_called_again_and_again_keeps_no_memory(shipped: Path) -> None:
    """The guest frees each argument, and cabi_post_sha256 (which wasmtime calls after
    copying the string out) each result: under a memory limit a little above the guest's
    own, calls that would leak several times that limit all succeed."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_limits(memory_size=384 << 10)  # the guest starts with 128 KiB
    instance = wc.Linker(engine).instantiate(store, wc.Component.from_file(engine, str(shipped)))
    sha256 = instance.get_func(store, "sha256")
    assert sha256 is not None
    for data in [sample(8 << 10)] * 100 + [b""] * 10_000:  # 800 KiB of arguments, 640 KB of results
        assert sha256(store, data) == hashlib.sha256(data).hexdigest()


def test_the_typed_route_and_the_stdout_route_agree(shipped: Path) -> None:
    data = sample(1000)
    printed = kh.run_wasm(kh.wasm_module("sha256", "c").path, ["-"], stdin=data).stdout
    assert printed == kh.call_export(shipped, "sha256", data).encode() + b"\n"


@pytest.mark.parametrize(
    "value,words",
    [
        (
            "abc",
            ["refused a str for data", "list<u8>", "bytes", "bytes you have go in as they are"],
        ),
        (bytearray(b"abc"), ["refused a bytearray", "bytes(data)"]),
        ([97, 98, 99], ["refused a list", "bytes(data)"]),
        (None, ["refused a NoneType", "pass data as bytes"]),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_clearly(
    shipped: Path, value: object, words: list[str]
) -> None:
    with pytest.raises(kh.WrongArgument) as caught:
        kh.call_export(shipped, "sha256", value)
    assert caught.value.signature == SIGNATURE
    for word in words:
        assert word in str(caught.value), str(caught.value)


def test_a_wrong_number_of_arguments_or_an_unknown_export_is_refused_clearly(shipped: Path) -> None:
    with pytest.raises(kh.WrongArgument) as caught:
        kh.call_export(shipped, "sha256", b"a", b"b")
    assert "takes 1 argument(s), it was given 2" in str(caught.value) and SIGNATURE in str(
        caught.value
    )
    with pytest.raises(kh.InvalidModule) as unknown:
        kh.call_export(shipped, "md5", b"a")
    assert "no function 'md5'" in str(unknown.value) and SIGNATURE in str(unknown.value)


def test_limits_reach_a_typed_call(shipped: Path) -> None:
    with pytest.raises(kh.FuelExhausted):
        kh.call_export(shipped, "sha256", bytes(10_000), fuel=10_000)
    with pytest.raises(kh.MemoryLimitExceeded):
        kh.call_export(shipped, "sha256", bytes(256 << 10), max_memory=192 << 10)


def test_the_shipped_component_was_made_from_the_sources_in_the_checkout() -> None:
    """Editing the WIT, the guest or sha256.c without refreshing the shipped set fails here."""
    record = cshipped.component_manifest()["components"][typed.TYPED_COMPONENT]
    repo = Path(__file__).resolve().parents[2]
    for relative, digest in record["sources"].items():
        assert hashlib.sha256((repo / relative).read_bytes()).hexdigest() == digest, relative
    assert record["kind"] == "typed" and record["adapter"] == ""


def test_the_typed_component_never_stands_in_for_the_sha256_command() -> None:
    # The manifest holds it under example "sha256"; a command component of sha256 was not shipped.
    with pytest.raises(kh.ToolchainMissing):
        kh.componentize(kh.wasm_module("sha256", "c"))


def test_a_manifest_without_kinds_still_reads_as_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = json.loads(cshipped.COMPONENT_MANIFEST.read_text())
    del records["components"][typed.TYPED_COMPONENT]
    older = tmp_path / "manifest.json"
    older.write_text(json.dumps(records))
    monkeypatch.setattr(cshipped, "COMPONENT_MANIFEST", older)
    hello = kh.componentize(kh.wasm_module("hello", "c"))
    assert hello.prebuilt and hello.adapter
    assert typed.prebuilt_typed_component("test") is None
