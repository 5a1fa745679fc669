"""Compile time and module size per language and example (feeds notebooks 02 and 03).

Not a test: it prints figures. Each build is compiled ``--repeat`` times with the kit's
cache bypassed ("cold" for our cache; Go and zig keep their own caches, so their first
build ever is slower still), then fetched ``--repeat`` times from the cache ("cached").
Medians with min-max spread, all from this one run.

    python benchmarks/compile_table.py [--repeat 3] [--lang c ...] [--example fib ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel_helpers._errors import ToolchainMissing
from kernel_helpers.toolchains import build as tc
from kernel_helpers.toolchains import shrink as shrinking
from kernel_helpers.toolchains.detect import LANGUAGES


def spread(samples: list[float]) -> str:
    return f"{statistics.median(samples):7.3f} ({min(samples):.3f}-{max(samples):.3f})"


def measure(example: str, lang: str, repeat: int) -> dict[str, object] | None:
    try:
        cold = [tc.build(example, lang, cache=False) for _ in range(repeat)]
    except ToolchainMissing as err:
        print(f"# {example} {lang}: skipped, {err.message}", file=sys.stderr)
        return None
    cached_s = []
    for _ in range(repeat):
        started = time.perf_counter()
        tc.build(example, lang)
        cached_s.append(time.perf_counter() - started)
    sizes = {step.variant: step.bytes for step in shrinking.shrink(cold[-1])}
    native = tc.build(example, lang, "native")
    return {
        "example": example,
        "lang": lang,
        "toolchain": f"{cold[-1].toolchain} {cold[-1].version}",
        "cold_s": [a.compile_s for a in cold],
        "cached_s": cached_s,
        "wasm_bytes": cold[-1].bytes,
        "stripped_bytes": sizes.get("stripped"),
        "wasm_opt_bytes": sizes.get("wasm-opt-Oz"),
        "native_bytes": native.bytes,
    }


def print_table(rows: list[dict[str, object]]) -> None:
    print(f"{'example':<10} {'lang':<5} {'cold compile s (min-max)':>26} "
          f"{'cached s':>9} {'wasm B':>10} {'stripped B':>11} {'wasm-opt B':>11} {'native B':>10}")  # fmt: skip
    for row in rows:
        cold = row["cold_s"]
        cached = row["cached_s"]
        assert isinstance(cold, list) and isinstance(cached, list)

        def size(key: str, row: dict[str, object] = row) -> str:
            value = row[key]
            return f"{value:,}" if isinstance(value, int) else "-"

        print(f"{row['example']:<10} {row['lang']:<5} {spread(cold):>26} "
              f"{statistics.median(cached):9.4f} {size('wasm_bytes'):>10} "
              f"{size('stripped_bytes'):>11} {size('wasm_opt_bytes'):>11} "
              f"{size('native_bytes'):>10}")  # fmt: skip
    print()
    for lang in {str(r["lang"]): r["toolchain"] for r in rows}.items():
        print(f"# {lang[0]}: {lang[1]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lang", action="append", choices=LANGUAGES)
    parser.add_argument("--example", action="append")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    rows = []
    for example in args.example or tc.examples():
        for lang in args.lang or LANGUAGES:
            row = measure(example, lang, args.repeat)
            if row:
                rows.append(row)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
