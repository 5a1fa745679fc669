"""Each C example's header says how to build it by hand; that command works as written."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

import kernel_helpers as kh
from tests.conftest import need

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    p.name for p in (REPO / "wasm_examples").iterdir() if (p / f"{p.name}.c").is_file()
)

pytestmark = pytest.mark.integration


def by_hand_command(source: Path) -> list[str]:
    match = re.search(r"wasm:\s+(clang .+)$", source.read_text(), re.M)
    assert match, f"{source.name} has no 'wasm: clang ...' line in its header"
    return shlex.split(match[1])


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_by_hand_build_in_the_header_works(example: str, tmp_path: Path) -> None:
    need(shutil.which("clang") is not None, "no plain clang on PATH (apt-get install clang)")
    source = REPO / "wasm_examples" / example / f"{example}.c"
    shutil.copy(source, tmp_path)
    done = subprocess.run(
        by_hand_command(source),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    module = tmp_path / f"{example}.wasm"
    expected = kh.run_wasm(kh.wasm_module(example, "c").path).stdout
    assert kh.run_wasm(module).stdout == expected
