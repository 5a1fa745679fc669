"""The kit works installed as a wheel (not editable), run from outside the checkout.

Built and installed offline: the wheel is built with this environment's setuptools
(``--no-build-isolation --no-index``) from a copy of the sources, and the new venv
borrows this environment's site-packages for the dependencies, so nothing downloads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import need

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROBE = """
import json, pathlib
import kernel_helpers as kh
from kernel_helpers._system import cache_dir
from kernel_helpers.toolchains.build import examples_dir

package = pathlib.Path(kh.__file__).parent
result = kh.run_wasm(package / "data" / "prebuilt" / "hello" / "hello-c.wasm")
print(json.dumps({
    "package": str(package),
    "stdout": result.stdout_text,
    "exit_code": result.exit_code,
    "examples": kh.examples(),
    "examples_dir": str(examples_dir()),
    "hello_c": kh.source_path("hello", "c").read_text(),
    "cache": str(cache_dir()),
}))
"""


def _setuptools_major() -> int:
    try:
        return int(version("setuptools").split(".")[0])
    except Exception:
        return 0


def _copy_sources(dest: Path) -> None:
    """What a wheel is built from, without the checkout's venv, caches or build leftovers."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    # symlinks=True keeps kernel_helpers/data/examples a link to wasm_examples, as in git.
    shutil.copytree(REPO / "kernel_helpers", dest / "kernel_helpers", symlinks=True, ignore=skip)
    shutil.copytree(REPO / "wasm_examples", dest / "wasm_examples", ignore=skip)


def test_wheel_install_runs_a_module_and_finds_the_examples(tmp_path: Path) -> None:
    need(
        _setuptools_major() >= 77,
        "setuptools>=77 (requirements-dev.txt) to build the wheel offline",
    )
    source, wheels, outside = tmp_path / "src", tmp_path / "wheels", tmp_path / "elsewhere"
    for folder in (source, wheels, outside):
        folder.mkdir()
    _copy_sources(source)
    offline = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run(
        [
            *offline,
            "wheel",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("kernel_helpers-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    installed = subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    # The dependencies (wasmtime, matplotlib, ...) come from this environment: a plain path
    # line, so this environment's own .pth files (its editable kit) are not run.
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "KIT_CACHE_DIR", "KIT_EXAMPLES_DIR")
    }
    env["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")
    env["HOME"] = str(tmp_path / "home")
    probe = subprocess.run(
        [str(py), "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=outside,
        env=env,
        timeout=300,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    seen = json.loads(probe.stdout)

    package = Path(seen["package"])
    assert package.is_relative_to(venv), f"imported {package}, not the installed copy"
    assert seen["exit_code"] == 0 and "Hello" in seen["stdout"]
    checkout = sorted(p.name for p in (REPO / "wasm_examples").iterdir() if p.is_dir())
    assert seen["examples"] == checkout
    assert Path(seen["examples_dir"]) == package / "data" / "examples"
    assert seen["hello_c"] == (REPO / "wasm_examples" / "hello" / "hello.c").read_text()
    assert not Path(seen["examples_dir"]).is_symlink(), "the wheel holds copies, not a link"
    # Outside a checkout the cache goes to the platform's per-user folder.
    assert Path(seen["cache"]).is_relative_to(tmp_path)
