"""The Python side of a component in the browser (notebook 11, the fourth host): what the
widget is sent, the cached transpile, and the one line that says what is missing.

jco, preview2-shim and wasm-tools are the real ones ``./kit setup`` installs; the tests that
need them skip without. The JavaScript runs in tests/integration (Node) and tests/browser
(Chromium).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers.toolchains.component import tools as ctools
from kernel_helpers.wasm import browser_component as cb
from kernel_helpers.wasm.browser import TEXT_ONLY_VIEW
from kernel_helpers.wasm.component import core_module_spans
from tests.conftest import need

STDIN = "one two\nthree\n"


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One kit cache for the module: each component and transpile is made once."""
    folder = tmp_path_factory.mktemp("kit-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIT_CACHE_DIR", str(folder))
        yield folder


def tools() -> None:
    need(ctools.jco_missing() is None, f"jco transpile: {ctools.jco_missing()}")
    need(ctools.preview2_shim_dir() is not None, "preview2-shim (./kit setup installs it)")


def wordcount() -> kh.ComponentArtifact:
    return kh.componentize(kh.wasm_module("wordcount", "c"))


# --- linking ES modules as blob: URLs: the order, and what cannot be linked ----------------


def test_every_module_comes_after_the_modules_it_imports() -> None:
    sources = {
        "host.js": 'import { a } from "./a.js";\nimport { b } from "./b.js";',
        "a.js": 'export * from "./common.js";',
        "b.js": 'const lazy = () => import("./common.js");',
        "common.js": "export const x = 1;",
        "unused.js": "export const y = 2;",
    }
    assert cb.load_order(sources, "host.js") == ["common.js", "a.js", "b.js", "host.js"]


@pytest.mark.parametrize(
    "sources,complaint",
    [
        (
            {"host.js": 'import "./a.js";', "a.js": 'import "./host.js";'},
            "an import cycle at host.js -> a.js -> host.js",
        ),
        ({"host.js": 'import { a } from "./gone.js";'}, "a missing module at host.js -> gone.js"),
        (
            {"host.js": 'import * as wasi from "@bytecodealliance/preview2-shim";'},
            "imports the package",
        ),
    ],
)
def test_what_a_blob_url_cannot_link_is_refused(sources: dict[str, str], complaint: str) -> None:
    with pytest.raises(kh.KitError, match=complaint):
        cb.load_order(sources, "host.js")


def test_the_host_loads_after_the_preview2_shim_modules_it_imports() -> None:
    tools()
    names = [name for name, _ in cb.host_modules()]
    assert names[-1] == cb.HOST_MODULE
    assert {"cli.js", "io.js", "clocks.js", "random.js", "filesystem.js"} <= set(names)
    # what a command component never needs stays out: http, sockets
    assert not {"http.js", "sockets.js", "index.js"} & set(names)
    assert names.index("common.js") < names.index("io.js") < names.index("cli.js")


# --- the bundle: the component's own bytes, its core modules found in them ----------------


def test_the_bundle_holds_the_component_and_finds_jcos_core_modules_inside_it() -> None:
    tools()
    component = wordcount()
    bundle = cb.browser_bundle(component)
    assert bundle.component == component.path.read_bytes()
    assert [name for name, _ in bundle.modules][-2:] == [cb.HOST_MODULE, cb.GLUE_MODULE]
    assert "export function instantiate(getCoreModule, imports" in bundle.modules[-1][1]
    assert bundle.host == (
        f"jco {ctools.package_version(ctools.JCO)} transpile + "
        f"preview2-shim {ctools.package_version(ctools.PREVIEW2_SHIM)}"
    )
    spans = core_module_spans(bundle.component)
    assert sorted(bundle.core_modules.values()) == spans
    for name, (offset, length) in bundle.core_modules.items():
        assert (bundle.folder / name).read_bytes() == bundle.component[offset : offset + length]


def test_the_transpile_is_cached_by_the_component(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools()
    component, other = wordcount().path, kh.componentize(kh.wasm_module("hello", "c")).path
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path))  # a cache that has transpiled nothing
    first = cb.browser_bundle(component)
    assert not first.cached and first.folder.is_relative_to(tmp_path)
    modified = (first.folder / "component.js").stat().st_mtime_ns
    again = cb.browser_bundle(component)
    assert again.cached and again.folder == first.folder
    assert (again.folder / "component.js").stat().st_mtime_ns == modified
    assert cb.browser_bundle(other).folder != first.folder


def test_a_core_module_jco_changed_is_refused(tmp_path: Path) -> None:
    tools()
    component = wordcount().path.read_bytes()
    (tmp_path / "component.core.wasm").write_bytes(wasmtime.wat2wasm("(module)"))
    with pytest.raises(
        kh.KitError, match=r"component.core.wasm is not one of the component's core modules"
    ):
        cb.core_module_files(tmp_path, component)


def test_a_core_module_is_not_a_component_and_the_fix_says_what_to_do() -> None:
    module = kh.wasm_module("hello", "c")
    with pytest.raises(kh.KitError, match="is a core module, not a component") as caught:
        kh.compare_component_in_browser(module)
    assert "kh.componentize" in (caught.value.fix or "")
    with pytest.raises(kh.InvalidModule, match="not a component"):
        core_module_spans(module.path.read_bytes())


# --- the widget, headless ----------------------------------------------------------------


def test_the_widget_carries_the_server_run_and_everything_the_browser_loads() -> None:
    tools()
    component = wordcount()
    widget = kh.compare_component_in_browser(component, stdin=STDIN, env={"WHO": "learner"})
    state = widget.get_state()
    assert state["kind"] == "component"
    assert state["stdin"] == STDIN.encode()
    assert state["argv"] == [component.path.name]
    assert state["env"] == {"WHO": "learner"}
    assert [name for name, _ in state["modules"]][-1] == cb.GLUE_MODULE
    assert widget.module == component.path.read_bytes()
    assert widget.module_sha256 == hashlib.sha256(widget.module).hexdigest()
    expected = kh.run_wasm(component.path, stdin=STDIN).stdout.decode()
    assert widget.server_stdout == expected and widget.server_exit_code == 0
    assert widget.matches is None  # headless: nothing ran in a browser
    assert widget.summary() == f"{widget.name}: {TEXT_ONLY_VIEW}"


# --- what is missing, in one line ---------------------------------------------------------


def test_the_bare_mode_says_in_one_line_that_jco_is_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_TOOLCHAINS", "off")
    component = wordcount()  # the prebuilt one stands in
    assert component.prebuilt
    with pytest.raises(kh.ToolchainMissing) as caught:
        kh.compare_component_in_browser(component, stdin=STDIN)
    assert caught.value.message == "cannot transpile the component: KIT_TOOLCHAINS hides jco"
    assert "./kit setup" in (caught.value.fix or "")


def test_jco_without_preview2_shim_says_the_shim_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools()
    component = wordcount()
    # An npm folder with jco alone (linked to the real one): preview2-shim was never installed.
    npm = tmp_path / "npm" / "node_modules" / "@bytecodealliance"
    npm.mkdir(parents=True)
    os.symlink(ctools.npm_dir() / "node_modules" / ctools.JCO, npm / "jco")
    monkeypatch.setenv("KIT_NPM_DIR", str(tmp_path / "npm"))
    with pytest.raises(kh.ToolchainMissing) as caught:
        kh.compare_component_in_browser(component)
    assert caught.value.message == "cannot run the component in the browser: no preview2-shim here"
