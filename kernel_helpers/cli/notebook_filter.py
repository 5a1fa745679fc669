"""``python -m kernel_helpers notebook-filter``: keep run notebooks out of ``git status``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .._system import REPO_ROOT
from ..course.notebook_filter import FILTER_NAME, jupyter_config_dir, set_up


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers notebook-filter",
        description=(
            "Register, in this checkout's .git/config, the clean filter that keeps what a run "
            "adds to a notebook (outputs, counts, kernel metadata) out of git status and git "
            "diff, and the JupyterLab save hook that keeps git status quiet after a save."
        ),
    )
    parser.add_argument(
        "--jupyter-config",
        type=Path,
        default=jupyter_config_dir(),
        help="the jupyter_server_config.d folder for the save hook (default: this environment's)",
    )
    args = parser.parse_args(argv)
    if set_up(REPO_ROOT, args.jupyter_config):
        print(
            f"git filter {FILTER_NAME!r} registered in {REPO_ROOT}; save hook in {args.jupyter_config}"
        )
    else:
        print(f"{REPO_ROOT} is not a git checkout (or git is missing): nothing to register")
    return 0
