"""How big a learner's ``.venv`` is, and what takes the room.

Not a test: it prints figures. ``./kit setup`` (and ``./kit lab``) install the course's
pins only, and zig only where no working clang + wasi-libc was found, so on a machine with
the system toolchains the learner's environment should stay under 700 MB; ``./kit test``
adds the developer tools and zig on top.

    python benchmarks/venv_size.py [VENV] [--top 12] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 700


def tree_bytes(path: Path) -> int:
    """Bytes on disk of every regular file below ``path`` (links not followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            file = Path(folder, name)
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        raise SystemExit(f"{venv} is not a virtual environment (no lib/python3*/site-packages)")
    return found[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", nargs="?", type=Path, default=ROOT / ".venv")
    parser.add_argument(
        "--top", type=int, default=12, help="how many of the biggest packages to list"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    venv = args.venv.resolve()
    packages = site_packages(venv)
    sizes = {
        entry.name: tree_bytes(entry) if entry.is_dir() else entry.stat().st_size
        for entry in packages.iterdir()
    }
    total = tree_bytes(venv)
    stamp = (venv / ".kit-stamp").read_text().split()[0] if (venv / ".kit-stamp").exists() else "?"
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[: args.top]
    if args.json:
        print(
            json.dumps(
                {
                    "venv": str(venv),
                    "profile": stamp,
                    "total_bytes": total,
                    "biggest": dict(biggest),
                },
                indent=2,
            )
        )
        return 0
    print(
        f"{venv} ({stamp} install): {total / 1e6:.0f} MB "
        f"({'under' if total < GOAL_MB * 1e6 else 'OVER'} the {GOAL_MB} MB goal for a learner)"
    )
    for name, size in biggest:
        print(f"  {size / 1e6:7.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
