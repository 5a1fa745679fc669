"""The package installs from the repository into a brand-new venv and works there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_fresh_venv_install_from_the_repo(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    # Run from an empty folder, so the checkout cannot shadow the installed package.
    probe = subprocess.run(
        [
            str(py),
            "-c",
            "import kernel_helpers, pathlib; "
            "print(pathlib.Path(kernel_helpers.__file__).parent.joinpath('py.typed').exists())",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert probe.stdout.strip() == "True"
    # The data a machine without compilers or Docker relies on ships inside the package.
    shipped = subprocess.run(
        [
            str(py),
            "-c",
            "import kernel_helpers, pathlib; root = pathlib.Path(kernel_helpers.__file__).parent; "
            "print(all((root / p).is_file() for p in ('data/prebuilt/manifest.json', "
            "'data/prebuilt/hello/hello-c.wasm', 'data/reference/startup-hello.json', 'wasm/static/wasi_shim.js', "
            "'data/examples/hello/hello.c')))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert shipped.stdout.strip() == "True", (
        "prebuilt modules, recorded data, JS or examples were not packaged"
    )
    doctor = subprocess.run(
        [str(py), "-m", "kernel_helpers", "doctor", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert doctor.returncode == 0, doctor.stderr
    assert json.loads(doctor.stdout)["wasmtime"]["available"] is True
