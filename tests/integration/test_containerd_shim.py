"""Modules run by a real containerd shim (the kit's containerd-shim-wasmtime-v1) and by
runc, through ``ctr``, against the machine's containerd (issue 26).

Skipped with the reason where there is no containerd or no shim built; CI builds the shim
(``KIT_SHIM=1``) and sets ``KIT_REQUIRE_ALL``, so there they run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import wasmtime

from kernel_helpers._errors import ContainerdError, KitError, TimeoutExceeded, Trap
from kernel_helpers.containers.containerd import (
    WASM_RUNTIME,
    built_shim,
    containerd_address,
    containerd_status,
    kit_objects,
    run_in_containerd,
)
from kernel_helpers.course.checks import Solution
from kernel_helpers.course.solutions import all_solutions
from kernel_helpers.toolchains.detect import LANGUAGES
from kernel_helpers.toolchains.prebuilt import wasm_module
from kernel_helpers.wasm.runner import run_wasm
from tests.conftest import need
from tests.unit.test_solutions import run_solution

pytestmark = pytest.mark.integration

TEXT = "the quick brown fox\njumps over\n\nthe lazy dog\n"

TRAPS = '(module (memory (export "memory") 1) (func (export "_start") unreachable))'
EXITS_7 = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 7))))"""
LOOPS = '(module (memory (export "memory") 1) (func (export "_start") (loop br 0)))'


@pytest.fixture(scope="module")
def containerd() -> None:
    address = containerd_address()
    need(address is not None, "no containerd socket (start Docker: ./kit setup)")
    need(os.access(str(address), os.W_OK), f"this user may not use {address} (run as root)")


@pytest.fixture(scope="module")
def shim(containerd: None) -> None:
    found = containerd_status()["runtimes"][WASM_RUNTIME] or built_shim()
    need(found is not None, "no containerd wasm shim built: KIT_SHIM=1 ./kit setup")


@pytest.fixture
def untouched(containerd: None) -> Iterator[None]:
    """The kit's containerd namespace holds the same objects after the test as before."""
    before = kit_objects()
    yield
    assert kit_objects() == before


def _module(example: str, lang: str) -> Path:
    try:
        return wasm_module(example, lang).path
    except KitError as err:
        need(False, f"no {example} module in {lang}: {err}")
        raise


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hello_prints_through_the_shim_what_run_wasm_prints(
    lang: str, shim: None, untouched: None
) -> None:
    module = _module("hello", lang)
    expected = run_wasm(module)
    got = run_in_containerd(module)
    assert (got.stdout, got.exit_code) == (expected.stdout, expected.exit_code)
    assert got.stdout.strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wordcount_reads_stdin_through_the_shim(lang: str, shim: None, untouched: None) -> None:
    # The guest sees EOF when ctr closes its end: the shim gives the guest a read-only
    # descriptor of the stdin fifo, not the library's read-write one (shim/src/main.rs).
    module = _module("wordcount", lang)
    expected = run_wasm(module, stdin=TEXT)
    got = run_in_containerd(module, stdin=TEXT)
    assert (got.stdout, got.exit_code) == (expected.stdout, expected.exit_code)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wordcount_reads_the_image_root(
    lang: str, shim: None, untouched: None, tmp_path: Path
) -> None:
    module = _module("wordcount", lang)
    # The image's root (the module alone, at /app.wasm) is what the shim preopens as /.
    (tmp_path / "app.wasm").write_bytes(module.read_bytes())
    expected = run_wasm(module, ["/app.wasm"], dirs={str(tmp_path): "/"})
    got = run_in_containerd(module, ["/app.wasm"])
    assert (got.stdout, got.exit_code) == (expected.stdout, expected.exit_code)


def test_a_trap_is_a_trap(shim: None, untouched: None) -> None:
    with pytest.raises(Trap, match="unreachable"):
        run_in_containerd(wasmtime.wat2wasm(TRAPS))


def test_the_exit_code_is_the_guests(shim: None, untouched: None) -> None:
    assert run_in_containerd(wasmtime.wat2wasm(EXITS_7)).exit_code == 7


def test_a_module_that_never_ends_is_killed_at_the_timeout(shim: None, untouched: None) -> None:
    with pytest.raises(TimeoutExceeded):
        run_in_containerd(wasmtime.wat2wasm(LOOPS), timeout=5)


def test_runc_refuses_a_wasm_image_in_one_line(untouched: None) -> None:
    with pytest.raises(ContainerdError, match="runc cannot run a wasm image") as caught:
        run_in_containerd(_module("hello", "c"), runtime="runc")
    assert caught.value.fix and "wasmtime" in caught.value.fix


@pytest.fixture(scope="module")
def linux_image(containerd: None) -> Iterator[str]:
    """A scratch image holding the static native hello, on the kit's Docker."""
    from kernel_helpers.containers.docker import connect, docker_status
    from kernel_helpers.containers.images import owner_tag, scratch_image
    from kernel_helpers.toolchains.pairs import example_builds

    need(docker_status().available, "no Docker daemon to build a Linux image with")
    try:
        native = example_builds("hello", "c").require_native()
    except KitError as err:
        need(False, f"no native hello: {err}")
        raise
    tag = owner_tag("kit-containerd-hello")
    scratch_image(native, tag)
    yield tag
    import contextlib

    import docker.errors

    client = connect()  # only this image: the learner's other kit images stay cached
    # `bench cleanup` (a test of this module) may have removed it with the learner's others.
    with contextlib.suppress(docker.errors.NotFound):
        client.images.remove(tag, force=True)
    client.close()


def test_runc_runs_a_linux_image(linux_image: str, untouched: None) -> None:
    got = run_in_containerd(linux_image, runtime="runc")
    assert got.exit_code == 0 and b"Hello" in got.stdout


def test_the_wasm_shim_refuses_a_linux_image_in_one_line(linux_image: str, untouched: None) -> None:
    with pytest.raises(ContainerdError, match="only WebAssembly") as caught:
        run_in_containerd(linux_image, runtime="wasmtime")
    assert caught.value.fix and "runc" in caught.value.fix


def test_the_command_line_passes_output_and_exit_code(
    shim: None, untouched: None, tmp_path: Path
) -> None:
    module = tmp_path / "exits.wasm"
    module.write_bytes(wasmtime.wat2wasm(EXITS_7))
    done = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "containerd", "run", str(module)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 7
    hello = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "containerd", "run", str(_module("hello", "c"))],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert hello.returncode == 0 and hello.stdout == run_wasm(_module("hello", "c")).stdout


def test_a_fault_on_the_command_line_is_one_line(
    shim: None, untouched: None, tmp_path: Path
) -> None:
    module = tmp_path / "traps.wasm"
    module.write_bytes(wasmtime.wat2wasm(TRAPS))
    done = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "containerd", "run", str(module)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 134
    assert done.stderr.strip().splitlines()[-1].startswith("containerd: error: the guest trapped")


@pytest.mark.parametrize(
    "solution",
    [s for s in all_solutions().values() if s.needs == "containerd"],
    ids=lambda s: f"{s.notebook}-{s.exercise}",
)
def test_solutions_that_need_the_shim_pass(shim: None, untouched: None, solution: Solution) -> None:
    result = run_solution(solution)
    assert result.ok is True, result.text()
    assert "containerd-shim-wasmtime-v1" in result.message


def test_a_program_that_differs_through_the_shim_is_told_apart(shim: None, untouched: None) -> None:
    """A program that reads its environment prints differently where the shim gives it
    the image's environment: the check shows both outputs."""
    from kernel_helpers.course.nb09 import check_own_module_through_shim

    need(_has_c_compiler(), "no C compiler for wasm here")
    source = (
        "#include <stdio.h>\n#include <stdlib.h>\n"
        "int main(int argc, char **argv) {\n    long sum = 0;\n"
        "    for (int i = 1; i < argc; i++) sum += atol(argv[i]);\n"
        '    if (getenv("PATH")) { printf("%ld PATH\\n", sum); return 0; }\n'
        '    printf("%ld\\n", sum);\n    return 0;\n}\n'
    )
    result = check_own_module_through_shim(source, "c")
    assert result.ok is False and "through the shim it printed" in result.message
    assert result.hint and "environment" in result.hint


def _has_c_compiler() -> bool:
    from kernel_helpers.toolchains.build import toolchain_for

    try:
        toolchain_for("c")
    except KitError:
        return False
    return True


def test_bench_cleanup_removes_what_a_cut_off_run_left(containerd: None, tmp_path: Path) -> None:
    """A run killed before its own cleanup leaves an image and a container behind:
    ``bench cleanup`` removes this learner's, as it does their Docker objects."""
    import json
    import uuid

    from kernel_helpers.containers.containerd import (
        _owner_labels,
        ctr,
        import_image,
        wasm_image_archive,
    )

    before = kit_objects()
    image = import_image(
        wasm_image_archive(
            _module("hello", "c"), f"kit.local/containerd/left:{uuid.uuid4().hex[:8]}", tmp_path
        ),
        "wasi/wasm",
    )
    container = f"kit-left-{uuid.uuid4().hex[:8]}"
    labels = [f"--label={key}={value}" for key, value in _owner_labels().items()]
    ctr("containers", "create", *labels, "--runtime", WASM_RUNTIME, image, container)
    assert container in kit_objects()["containers"]
    done = subprocess.run(
        [sys.executable, "-m", "kernel_helpers", "bench", "cleanup"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    removed = json.loads(done.stdout)["containerd"]
    assert removed["containers"] >= 1 and removed["images"] >= 1, removed
    after = kit_objects()
    assert container not in after["containers"] and image not in after["images"]
    assert set(after["containers"]) <= set(before["containers"])


def test_a_component_is_no_module_for_the_kits_shim(shim: None, untouched: None) -> None:
    """Notebook 12 says so (walk 3, S34): packed as 09's wasi/wasm image, a component
    never runs through the kit's shim, which runs preview-1 modules only. Walk 8, S18: its
    exit code 137 is runwasi's for a failed engine, and the error says so in its line."""
    from kernel_helpers.toolchains.component.making import componentize

    component = componentize(wasm_module("hello", "c"))
    with pytest.raises(ContainerdError) as refused:
        run_in_containerd(component.path, timeout=10)
    said = str(refused.value).splitlines()[0]
    assert "exit code 137 before the guest ran" in said and "nothing was killed" in said
    assert "preview-1 modules only" in said
