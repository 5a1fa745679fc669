"""``python -m course_hub COMMAND``: the workshop's commands (``./kit image`` runs ``image``;
``./kit hub remove NAME`` runs ``python -m course_hub.accounts remove NAME``)."""

from __future__ import annotations

import sys

from . import image

COMMANDS = {"image": (image.main, "build the course image for a JupyterHub on Kubernetes")}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in COMMANDS:
        print("usage: python -m course_hub COMMAND [ARGS...]", file=sys.stderr)
        for name, (_, what) in COMMANDS.items():
            print(f"  {name:<8} {what}", file=sys.stderr)
        return 2
    run, _ = COMMANDS[args[0]]
    return run(args[1:])


if __name__ == "__main__":
    sys.exit(main())
