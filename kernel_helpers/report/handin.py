"""Handing results in to the instructor, as they are written (a workshop hub).

On ``./kit hub`` each learner's server has ``KIT_CLASS_DIR``: a folder of their own that
only they and the instructors' group can read (see ``course_hub.classroom``). Whatever the kit
saves for the learner (each topic of notebooks 06-09, notebook 10's export, notebook 00's
doctor report) is also copied there, so the instructor's class view sees it at once,
with nothing to collect by hand. Outside a hub the variable is unset and nothing happens.

Handing in never gets in the learner's way: a folder that went missing or filled up is a
warning, never an error in their notebook.
"""

from __future__ import annotations

import errno
import os
import stat
import warnings
from pathlib import Path

from .._display import format_bytes
from .._errors import HandInRefused
from .._system import write_atomically

#: The learner's hand-in folder, set by the hub's spawner.
CLASS_DIR_ENV = "KIT_CLASS_DIR"
#: The limits the hub holds the learner to, in words, set by its spawner (the doctor shows it).
HUB_LIMITS_ENV = "KIT_HUB_LIMITS"
#: Readable by the learner and the instructors' group, nobody else.
HANDED_IN_MODE = 0o640
#: The most the class view reads of one hand-in (an export of every topic is far smaller).
MAX_HAND_IN_BYTES = 4_000_000


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


def read_handed_in(path: Path, limit: int = MAX_HAND_IN_BYTES) -> bytes:
    """A hand-in's bytes, read by the instructor without trusting the learner who wrote it:
    never through a link (O_NOFOLLOW), never waiting on a FIFO (O_NONBLOCK, then fstat:
    regular files only), never more than ``limit`` bytes (a 1 GB or endless file).
    Raises ``FileNotFoundError`` when it is not there, :class:`HandInRefused` when it is
    not a plain file of a sensible size."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _refused(path, "a link, not a file") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(path, "not a regular file (a FIFO, socket or device)")
        if info.st_size > limit:
            raise _refused(
                path,
                f"{format_bytes(info.st_size)}, over the {format_bytes(limit)} a hand-in may be",
            )
        data = os.read(fd, limit + 1)
        while len(data) <= limit and (more := os.read(fd, limit + 1 - len(data))):
            data += more  # a file still growing while read: no more than the limit either
        if len(data) > limit:
            raise _refused(path, f"over the {format_bytes(limit)} a hand-in may be")
        return data
    finally:
        os.close(fd)


def _refused(path: Path, why: str) -> HandInRefused:
    return HandInRefused(
        f"{path.name} in {path.parent.name}'s hand-ins is {why}: not read",
        fix=f"the learner (or you) removes {path}; the kit hands it in again as a plain file",
    )
