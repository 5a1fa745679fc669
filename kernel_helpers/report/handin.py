"""Handing results in to the instructor, as they are written (a workshop hub).

On ``./kit hub`` each learner's server has ``KIT_CLASS_DIR``: a folder of their own that
only they and the instructors' group can read (see ``hub.classroom``). Whatever the kit
saves for the learner (each topic of notebooks 06-09, notebook 10's export, notebook 00's
doctor report) is also copied there, so the instructor's class view sees it at once,
with nothing to collect by hand. Outside a hub the variable is unset and nothing happens.

Handing in never gets in the learner's way: a folder that went missing or filled up is a
warning, never an error in their notebook.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from .._system import write_atomically

#: The learner's hand-in folder, set by the hub's spawner.
CLASS_DIR_ENV = "KIT_CLASS_DIR"
#: Readable by the learner and the instructors' group, nobody else.
HANDED_IN_MODE = 0o640


def hand_in_dir() -> Path | None:
    """The learner's hand-in folder on a hub, or None (not on a hub)."""
    value = os.environ.get(CLASS_DIR_ENV, "").strip()
    return Path(value) if value else None


def hand_in(name: str, data: bytes) -> Path | None:
    """Write ``data`` as ``name`` in the hand-in folder (whole or not at: written aside,
    then renamed, so the class view never reads half a file). None when not on a hub."""
    folder = hand_in_dir()
    if folder is None:
        return None
    target = folder / name
    try:
        write_atomically(target, data, mode=HANDED_IN_MODE, make_folder=False)
    except OSError as err:
        warnings.warn(f"could not hand {name} in to the instructor ({folder}): {err}", stacklevel=2)
        return None
    return target
