"""The %%wasm magics with real compilers: one cell in each of C, C++, Rust and Go runs under
WASI and natively (--native) with the same output; %%wat runs; a compile error points at
the cell's line. Skips a language whose compiler is missing (never in CI)."""

from __future__ import annotations

from typing import Any

import pytest

from kernel_helpers._errors import ToolchainMissing
from kernel_helpers.course.magics import CellRun
from kernel_helpers.toolchains.build import toolchain_for
from tests.conftest import need

pytestmark = [pytest.mark.integration, pytest.mark.slow]

#: Each program prints its arguments, one environment variable and the stdin it read.
PROGRAMS = {
    "c": """\
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    char line[64] = "";
    fgets(line, sizeof line, stdin);
    for (int i = 1; i < argc; i++) printf("arg %s\\n", argv[i]);
    printf("GREETING=%s stdin=%s", getenv("GREETING"), line);
    return 3;
}
""",
    "cpp": """\
#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
    std::string line;
    std::getline(std::cin, line);
    for (int i = 1; i < argc; i++) std::cout << "arg " << argv[i] << "\\n";
    std::cout << "GREETING=" << std::getenv("GREETING") << " stdin=" << line << "\\n";
    return 3;
}
""",
    "rust": """\
use std::io::BufRead;

fn main() {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).unwrap();
    for arg in std::env::args().skip(1) {
        println!("arg {}", arg);
    }
    print!("GREETING={} stdin={}", std::env::var("GREETING").unwrap(), line);
    std::process::exit(3);
}
""",
    "go": """\
package main

import (
\t"bufio"
\t"fmt"
\t"os"
)

func main() {
\tline, _ := bufio.NewReader(os.Stdin).ReadString('\\n')
\tfor _, arg := range os.Args[1:] {
\t\tfmt.Println("arg", arg)
\t}
\tfmt.Printf("GREETING=%s stdin=%s", os.Getenv("GREETING"), line)
\tos.Exit(3)
}
""",
}

EXPECTED = "arg one\narg two words\nGREETING=hello stdin=from stdin\n"


@pytest.fixture(scope="module")
def shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    assert ip.run_cell("%load_ext kernel_helpers").success
    return ip


def _need_compilers(lang: str) -> None:
    for target in ("wasm32-wasi", "native"):
        try:
            toolchain_for(lang, target)
        except ToolchainMissing as err:
            need(False, f"no {lang} compiler for {target}: {err.fix}")


@pytest.mark.parametrize("lang", ["c", "cpp", "rust", "go"])
def test_a_cell_runs_under_wasi_and_natively_alike(shell: Any, lang: str) -> None:
    _need_compilers(lang)
    line = (
        f"%%wasm {lang} --name prog_{lang} --native --show-command --env GREETING=hello"
        " --stdin 'from stdin\\n' --timeout 60 --args one 'two words'"
    )
    result = shell.run_cell(f"{line}\n{PROGRAMS[lang]}")
    assert result.success, result.error_in_exec
    run = result.result
    assert isinstance(run, CellRun)
    wasm, native = run.outcomes
    for outcome in (wasm, native):
        assert outcome.problem is None, outcome.text()
        assert (outcome.stdout, outcome.exit_code) == (EXPECTED, 3), outcome.text()
        assert outcome.command and outcome.artifact is not None
    assert shell.user_ns[f"prog_{lang}"].path.read_bytes()[:4] == b"\0asm"
    assert native.artifact is not None and native.artifact.target == "native"
    assert (
        "GOOS=wasip1 GOARCH=wasm" in wasm.command if lang == "go" else "wasm32-wasi" in wasm.command
    )
    page = run.html()
    assert page.count("<td") == 2 and "bytes" in page and "compiled in" in page


def test_the_same_cell_again_comes_from_the_cache(shell: Any) -> None:
    _need_compilers("c")
    cell = '%%wasm c\n#include <stdio.h>\nint main(void) { puts("cached"); return 0; }\n'
    shell.run_cell(cell)
    again = shell.run_cell(cell).result
    assert again.wasm.artifact.cached and "from the build cache" in again.text()


@pytest.mark.parametrize(
    ("lang", "cell", "line"),
    [
        ("c", '#include <stdio.h>\n\nint main(void) {\n    printf("%d\\n", missing);\n}\n', 5),
        ("rust", 'fn main() {\n    let x: i32 = "a";\n}\n', 3),
        ("go", "package main\n\nfunc main() {\n\tundefinedThing()\n}\n", 5),
    ],
)
def test_a_compile_error_points_at_the_cell_line(
    shell: Any, lang: str, cell: str, line: int
) -> None:
    _need_compilers(lang)
    result = shell.run_cell(f"%%wasm {lang}\n{cell}")
    assert result.success
    outcome = result.result.wasm
    assert outcome.artifact is None and "compile failed" in (outcome.problem or "")
    first = outcome.diagnostics[0]
    assert first.line == line and first.severity == "error", outcome.text()
    assert first.code == cell.splitlines()[line - 2].strip()


def test_wat_runs_end_to_end(shell: Any) -> None:
    wat = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 7))))"""
    run = shell.run_cell(f"%%wat --name seven\n{wat}").result
    assert run.wasm.exit_code == 7 and shell.user_ns["seven"].bytes == run.wasm.artifact.bytes
