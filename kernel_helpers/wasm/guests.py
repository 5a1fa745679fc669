"""Guests that misbehave on purpose, and a way to run them that always comes back.

Notebook 05 runs each of these hand-written WASI modules under a limit and shows what
stopped it: an endless loop (timeout, fuel), a memory bomb (``max_memory``), a trap deep
in a call chain (its backtrace), an output flood (``output_limit``). Each guest prints a
line per step, so the output kept before the stop says how far it got.
:func:`run_guarded` turns every outcome into an :class:`Outcome` instead of an
exception, and :func:`limit_slider` lets a learner move a limit and watch the stopping
point move. The notebook kernel survives all of it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._display import ShownAsHtml, ShownAsText
from .._errors import KitError, LimitExceeded, Trap
from .runner import WasiResult, run_wasm

_WASI_WRITE = """
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; say(ptr, len): write len bytes at ptr to stdout (iovec at 0, count at 8)
  (func $say (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
"""

#: Counts forever; prints "tick" every million iterations.
ENDLESS_LOOP = f"""(module{_WASI_WRITE}
  (data (i32.const 64) "tick\\n")
  (func (export "_start") (local $i i32)
    (loop $forever
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 1000000)))
        (then (call $say (i32.const 64) (i32.const 5))))
      (br $forever))))
"""

#: Grows its memory one MiB (16 pages) at a time, saying so, until a grow is refused;
#: then it gives up the way C's abort() would, with `unreachable`.
MEMORY_BOMB = f"""(module{_WASI_WRITE}
  (data (i32.const 64) "+1 MiB\\n")
  (func (export "_start")
    (loop $more
      (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1))
        (then unreachable))
      (call $say (i32.const 64) (i32.const 7))
      (br $more))))
"""

#: main -> parse -> divide, and divide divides by zero: a trap three calls deep.
DEEP_TRAP = """(module
  (func $divide (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))
  (func $parse (param $x i32) (result i32)
    (call $divide (local.get $x) (i32.sub (local.get $x) (local.get $x))))
  (func $main (result i32)
    (call $parse (i32.const 42)))
  (func $_start (export "_start")
    (drop (call $main))))
"""

#: Prints 20,000 lines of 64 bytes (1.28 MB) and exits normally.
OUTPUT_FLOOD = f"""(module{_WASI_WRITE}
  (data (i32.const 64) "flood flood flood flood flood flood flood flood flood flood ...\\n")
  (func (export "_start") (local $i i32)
    (loop $again
      (call $say (i32.const 64) (i32.const 64))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 20000))))))
"""


@dataclass(repr=False)
class Outcome(ShownAsText, ShownAsHtml):
    """How a guarded run ended: ``stopped_by`` is ``timeout``/``fuel``/``max_memory``,
    ``trap``, another error's class name, or None when the guest finished by itself."""

    stopped_by: str | None
    message: str
    result: WasiResult | None
    error: KitError | None = None

    @property
    def lines(self) -> int:
        """Lines the guest printed before it stopped (its progress)."""
        return self.result.stdout.count(b"\n") if self.result else 0

    @property
    def kept_bytes(self) -> int:
        return len(self.result.stdout) if self.result else 0

    @property
    def dropped_bytes(self) -> int:
        return self.result.stdout_dropped if self.result else 0

    def text(self) -> str:
        head = "finished by itself" if self.stopped_by is None else f"stopped ({self.stopped_by})"
        lines = [f"{head}: {self.message}"]
        if self.kept_bytes or self.dropped_bytes:
            lines.append(
                f"printed {self.lines:,} line(s) before the end "
                f"({self.kept_bytes:,} bytes kept, {self.dropped_bytes:,} dropped)"
            )
        return "\n".join(lines)

    def html(self) -> str:
        colour = "#e9f7ec" if self.stopped_by is None else "#fff4e0"
        body = "<br>".join(html.escape(line) for line in self.text().splitlines())
        return (
            f"<div style='background:{colour};padding:6px 10px;white-space:pre-wrap'>{body}</div>"
        )


def run_guarded(guest: str | bytes, args: Sequence[str] = (), **limits: Any) -> Outcome:
    """Notebook 05: run ``guest`` under ``limits`` (``timeout``, ``fuel``, ``max_memory``,
    ``output_limit``...) and describe how it ended. Never raises for what the guest does."""
    try:
        result = run_wasm(guest, args, **limits)
    except LimitExceeded as err:
        return Outcome(err.limit, err.message, getattr(err, "result", None), err)
    except Trap as err:
        return Outcome("trap", str(err), getattr(err, "result", None), err)
    except KitError as err:
        return Outcome(type(err).__name__, str(err), getattr(err, "result", None), err)
    if result.memory_limit_reached:
        message = (
            f"exit code {result.exit_code}, chosen by the guest after a memory.grow was refused "
            "at the memory limit (memory.grow returned -1)"
        )
        return Outcome("max_memory", message, result)
    if result.truncated:
        message = f"exit code {result.exit_code}; the output limit kept the first bytes only"
    else:
        message = f"exit code {result.exit_code}"
    return Outcome(None, message, result)


def limit_label(limit: str, value: int) -> str:
    """How a slider shows one value of ``limit``: "8 MiB" for a memory cap (not 8,388,608),
    "50,000,000" for fuel."""
    mib = 1024 * 1024
    if limit == "max_memory" and value % mib == 0:
        return f"{value // mib:,} MiB"
    return f"{value:,}"


def limit_slider(
    guest: str,
    limit: str,
    *,
    values: Sequence[int],
    default: int,
    describe: Callable[[Outcome], str] | None = None,
) -> Any:
    """An ipywidgets slider over ``values`` for one limit; each move reruns the guest.

    Notebook 05: ``limit_slider(kh.ENDLESS_LOOP, "fuel", values=[...], default=...)``.
    The first result (for ``default``) is shown at once, so the widget is never empty.
    """
    import ipywidgets as widgets

    describe = describe or (lambda outcome: outcome.text())
    slider = widgets.SelectionSlider(
        options=[(limit_label(limit, v), v) for v in values],
        value=default,
        description=limit,
        continuous_update=False,
        layout=widgets.Layout(width="80%"),
        style={"description_width": "initial"},  # "max_memory" must not be cut short
    )
    output = widgets.Output()

    def show(value: int) -> None:
        outcome = run_guarded(guest, (), **{limit: value})
        # Set the outputs directly (not `with output: print`) so it also works outside
        # a running kernel, e.g. in tests.
        output.outputs = ()
        output.append_stdout(f"{limit} = {limit_label(limit, value)}: {describe(outcome)}\n")

    slider.observe(lambda change: show(change["new"]), names="value")
    show(default)
    return widgets.VBox([slider, output])
