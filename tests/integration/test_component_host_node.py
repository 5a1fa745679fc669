"""static/component_host.js, run by Node on preview2-shim's browser modules: a component's
jco JavaScript must print exactly what wasmtime-py prints, with the same exit code.

A cheap check of the browser's component host without a browser: the very files the widget
links as blob: URLs (preview2-shim's ``dist/browser`` modules, the host, jco's glue from
``browser_bundle``) sit in one folder, where their relative imports resolve as they are.
tests/browser/test_component_in_lab.py runs the same in Chromium.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import wasmtime

import kernel_helpers as kh
from kernel_helpers.toolchains.component import tools as ctools
from kernel_helpers.wasm import browser_component as cb
from tests import wasi_guests as guests
from tests.conftest import need

pytestmark = pytest.mark.integration

RUNNER = """
import { readFileSync } from "node:fs";
import { runComponent } from "./component_host.js";
const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { instantiate } = await import(`./${spec.glue}`);
const bytes = new Uint8Array(readFileSync(spec.component));
const stdin = new TextEncoder().encode(spec.stdin);
const result = await runComponent(instantiate, bytes, spec.core_modules, { ...spec, stdin });
process.stdout.write(JSON.stringify(result));
"""


@pytest.fixture(scope="module")
def node_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need(ctools.jco_missing() is None, f"jco transpile: {ctools.jco_missing()}")
    need(ctools.preview2_shim_dir() is not None, "preview2-shim (./kit setup installs it)")
    folder = tmp_path_factory.mktemp("component-host")
    for name, source in cb.host_modules():
        (folder / name).write_text(source)
    (folder / "package.json").write_text('{"type": "module"}\n')
    (folder / "run.js").write_text(RUNNER)
    return folder


def run_in_node(
    folder: Path, component: Path, args: list[str], env: dict[str, str], stdin: str
) -> dict:
    """What the browser's host makes of ``component``, given what the widget is given."""
    bundle = cb.browser_bundle(component)
    glue = f"glue-{bundle.folder.name}.js"  # one per component: Node caches modules by URL
    (folder / glue).write_text(bundle.modules[-1][1])
    spec = {
        "glue": glue, "component": str(component), "core_modules": bundle.core_modules,
        "args": [component.name, *args], "env": env, "stdin": stdin,
    }  # fmt: skip
    (folder / "spec.json").write_text(json.dumps(spec))
    done = subprocess.run(
        [str(shutil.which("node")), "run.js", "spec.json"], cwd=folder, capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def component_of(wat: str) -> Path:
    need(
        ctools.wasm_tools_path() is not None and ctools.adapter_path() is not None,
        "wasm-tools and jco's adapter",
    )
    return kh.componentize(wasmtime.wat2wasm(wat)).path


def assert_same_as_server(
    node_dir: Path,
    component: Path,
    args: list[str] = [],  # noqa: B006 (read, never changed)
    env: dict[str, str] = {},  # noqa: B006 (read, never changed)
    stdin: str = "",
) -> dict:
    browser = run_in_node(node_dir, component, args, env, stdin)
    server = kh.run_wasm(component, args, env=env, stdin=stdin)
    assert browser["error"] == "", browser["error"]
    assert (browser["stdout"], browser["stderr"], browser["exit_code"]) == (
        server.stdout_text, server.stderr_text, server.exit_code,
    )  # fmt: skip
    assert browser["core_modules"] == len(cb.browser_bundle(component).core_modules)
    return browser


@pytest.mark.parametrize("lang", kh.LANGUAGES)
@pytest.mark.parametrize("example", ["hello", "wordcount"])
def test_the_course_components_print_what_wasmtime_prints(
    node_dir: Path, example: str, lang: str
) -> None:
    component = kh.componentize(kh.wasm_module(example, lang)).path
    browser = assert_same_as_server(node_dir, component, stdin="the quick brown fox\njumps over\n")
    assert browser["stdout"]


def test_args_and_environment_reach_the_component(node_dir: Path) -> None:
    browser = assert_same_as_server(node_dir, component_of(guests.print_args()), ["a b", "ü"])
    assert browser["stdout"].split("\0")[1:3] == ["a b", "ü"]
    assert (
        assert_same_as_server(node_dir, component_of(guests.print_environ()), env={"A": "1"})[
            "stdout"
        ]
        == "A=1\0"
    )


def test_stdin_ends_and_the_exit_code_is_success_or_failure(node_dir: Path) -> None:
    assert (
        assert_same_as_server(node_dir, component_of(guests.cat()), stdin="piped\n")["stdout"]
        == "piped\n"
    )
    assert assert_same_as_server(node_dir, component_of(guests.exit_with(5)))["exit_code"] == 1


def test_a_trap_is_reported_not_thrown(node_dir: Path) -> None:
    component = component_of(guests.divide_by_zero())
    with pytest.raises(kh.Trap):
        kh.run_wasm(component)
    browser = run_in_node(node_dir, component, [], {}, "")
    assert browser["exit_code"] is None
    assert (
        browser["error"].startswith("run failed: RuntimeError")
        and "divide by zero" in browser["error"]
    )
