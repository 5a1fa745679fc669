"""The two variants of a ratio share the machine's moments: their timed samples alternate.

Timing every sample of one variant and then every sample of the next lets slow drift on
the machine (containerd's snapshot state, the page cache, another process starting) land
on one side of a ratio only, and two runs of the same comparison then disagree. So the
benchmark worker runs the variants of each ratio the course reports (the pairs in
``variants.QUESTIONS``, and the pair ``startup`` tightens with more rounds) as one group:
each is checked first, then their warm-ups and timed samples alternate in one loop,
:func:`interleaved`. Every other variant is a group of its own and runs as before.

Every timed run follows an untimed run of the same variant, in a group as alone. A
variant timed alone always follows itself, its code and data still in the CPU's caches;
one timed right after its partner did not, and paid for that: ``wasm-instantiate``
(about 130 µs back to back) took about 400 µs after each ``docker run`` it alternated
with, and its median, in that slow cluster, put it behind ``wasm-cached`` (walk 10, S5).
So a run whose partner ran last is preceded by one more untimed run of its own.

This module knows nothing of the worker's pipe: it orders the groups and runs the loop;
``worker.py`` turns what comes back into its events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field


@dataclass
class Contender:
    """One variant in an interleaved loop: how to time it once (seconds), the samples it
    gave so far, and the message of the error that took it out of the loop, if one did."""

    name: str
    time_one: Callable[[], float]
    samples: list[float] = field(default_factory=list)
    error: str | None = None


def groups(names: Sequence[str], together: Iterable[Sequence[str]]) -> list[tuple[int, ...]]:
    """``names`` (the plan's variants, in its order) cut into the groups the worker runs,
    as indices into ``names``: a group of ``together`` whose every member is present and in
    no earlier group runs at the place of its first member; every other variant alone."""
    first_index: dict[str, int] = {}
    for index, name in enumerate(names):
        first_index.setdefault(name, index)
    group_of: dict[int, tuple[int, ...]] = {}
    for members in together:
        indices = [first_index.get(name) for name in members]
        if len(indices) < 2 or None in indices:
            continue
        found = tuple(sorted(i for i in indices if i is not None))
        if len(set(found)) == len(found) and not any(i in group_of for i in found):
            group_of.update(dict.fromkeys(found, found))
    cut: list[tuple[int, ...]] = []
    for index in range(len(names)):
        group = group_of.get(index, (index,))
        if group[0] == index:  # a group runs where its first member stands
            cut.append(group)
    return cut


def schedule(count: int, rounds: int) -> Iterator[int]:
    """Which of ``count`` contenders runs next, ``rounds`` times each: A B, B A, A B, ...

    ABBA rather than strictly A B A B: in strict alternation B always runs one slot after
    A, so a machine that drifts one way (a cache filling, a snapshotter's state growing)
    always lands a little more on B. Reversing every other round gives both the same mean
    moment every two rounds, and each variant follows the other about half the time, so
    what one leaves behind (its pages in the cache) falls on both alike."""
    forwards = list(range(count))
    for round_ in range(rounds):
        yield from forwards if round_ % 2 == 0 else reversed(forwards)


def interleaved(
    contenders: Sequence[Contender],
    warmup: int,
    repeat: int,
    stop: threading.Event,
    on_sample: Callable[[Contender], None],
) -> bool:
    """``warmup`` untimed then ``repeat`` timed runs of every contender, in the order
    :func:`schedule` gives, each timed run right after a run of its own (an untimed one
    added when its partner ran last); ``on_sample`` hears each timed sample. A
    contender whose run raises is out with its message; the others go on. Returns True
    when ``stop`` (or the kernel's interrupt) ended the loop early."""
    last = contenders[-1] if contenders else None  # the worker checked each, in order
    try:
        for phase_rounds, timed in ((warmup, False), (repeat, True)):
            for index in schedule(len(contenders), phase_rounds):
                if stop.is_set():
                    return True
                contender = contenders[index]
                if contender.error is not None:  # out: its partner keeps its turns
                    continue
                if timed and last is not contender:  # as warm as a variant timed alone
                    _run_once(contender, False, on_sample)
                _run_once(contender, timed, on_sample)
                last = contender
    except KeyboardInterrupt:  # the notebook's interrupt: keep what was measured
        stop.set()
        return True
    return False


def _run_once(contender: Contender, timed: bool, on_sample: Callable[[Contender], None]) -> None:
    if contender.error is not None:
        return
    try:
        seconds = contender.time_one()
    except Exception as err:  # reported for this variant; its partner keeps its turns
        contender.error = str(err).replace("\n", " ") or type(err).__name__
        return
    if timed:
        contender.samples.append(seconds)
        on_sample(contender)
