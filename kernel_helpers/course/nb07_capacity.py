"""Notebook 07 · where the seconds are (a cold pull over a shaped link) and how many fit
(instances per GiB): the live runs a notebook can afford, recorded data where no live run
is possible, the commands the kit runs, and sentences computed from each result. Issue 27."""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from typing import Any

from .._display import ShownAsHtml, ShownAsText, format_bytes, format_seconds
from .._errors import KitError
from ..bench.density import (
    DensityResult,
    format_per_gib,
    recorded_density,
    run_density,
    times_as_many_per_gib,
)
from ..bench.pull import PullResult, recorded_pull, run_pull
from ..containers.shaped_link import (
    LinkNames,
    LinkSettings,
    link_unavailable_reason,
    setup_commands,
    shape_command,
    teardown_commands,
)
from ..report.exports import save_result
from ..wasm.reader import WASM_PAGE

#: What a notebook run measures by default: the small images (a Debian one is ~15 s a
#: sample at 50 Mbit/s). ``variants=PULL_VARIANTS, repeat=5`` measures everything.
NOTEBOOK_PULL_VARIANTS = ("docker-scratch", "oci-wasm-artifact")
NOTEBOOK_PULL_REPEAT = 3
#: How long the sliders must have been still before Measure reads them. The page sends a
#: slider's next value only once the kernel has handled the last one, but a click at once,
#: so a quick click overtook the slider's last moves (walk 9, S8: measured and saved over
#: 39.8 Mbit/s while the slider said 25.1). Bounded by SLIDERS_WAIT_MOST_S.
SLIDERS_SETTLE_S = 0.6
SLIDERS_WAIT_MOST_S = 5.0
#: Instances and containers a notebook run keeps alive (the CLI's defaults: 1000 and 50).
NOTEBOOK_INSTANCES, NOTEBOOK_PROCESSES = 1000, 6


@dataclass(repr=False)
class LinkCommands(ShownAsText):
    """The ``ip`` and ``tc`` commands the kit runs for a link, as a learner could type them."""

    made: list[tuple[str, ...]]
    shaped: tuple[str, ...]
    removed: list[tuple[str, ...]]

    def text(self) -> str:
        lines = ["# make a namespace and a veth pair (names and addresses of the kit's own)"]
        lines += [" ".join(c) for c in self.made]
        lines += ["# limit what the namespace sends (the direction a pull's bytes travel)"]
        lines += [" ".join(self.shaped)]
        lines += [f"ip netns exec {self.made[0][-1]} tc qdisc show   # see the shaper"]
        lines += ["# and when the run ends (also after a crash: a watchdog does it)"]
        lines += [" ".join(c) for c in self.removed]
        return "\n".join(lines)


def link_commands(settings: LinkSettings | None = None) -> LinkCommands:
    """The commands :class:`~kernel_helpers.containers.shaped_link.ShapedLink` runs in this
    kernel's process for ``settings``. Notebook 07."""
    import os

    names = LinkNames.for_process(os.getuid(), os.getpid())
    settings = settings or LinkSettings()
    return LinkCommands(
        setup_commands(names), shape_command(names, settings), teardown_commands(names)
    )


def pull_or_recorded(
    settings: LinkSettings | None = None,
    *,
    variants: tuple[str, ...] = NOTEBOOK_PULL_VARIANTS,
    repeat: int = NOTEBOOK_PULL_REPEAT,
    on_row: Any = None,
) -> PullResult:
    """A live pull where this kernel can make a link and reach Docker; the recorded result
    (marked, with why) where it cannot. Notebook 07."""
    from ..containers.docker import docker_status

    why = link_unavailable_reason()
    status = docker_status()
    if why is None and not status.available:
        why = f"no Docker here ({status.reason})"
    if why is not None:
        return recorded_pull(why=why)
    try:
        return run_pull(
            settings, variants=list(variants), repeat=repeat, floor_repeat=1, on_row=on_row
        )
    except KitError as err:
        return recorded_pull(why=err.message)


def _link_words(result: PullResult) -> str:
    return f"{result.link.rate_mbit:g} Mbit/s and {result.link.rtt_ms:g} ms round trip"


def remeasured_text(first: PullResult, latest: PullResult) -> str:
    """What the explorer prints under its plot after a Measure: that run's table, and which
    run each reader holds. Walk 8, S7: the plot showed the new run while the table, the
    check and the story below kept the first, and notebook 10 silently took the new one."""
    return (
        f"This Measure, over {_link_words(latest)}: its table is below, and it is saved for "
        "notebook 10, which quotes the last Measure. `pull`, the table printed under this "
        f"widget, the check and kh.pull_story keep this cell's first run, over "
        f"{_link_words(first)}: the link your prediction is for.\n\n{latest.text()}"
    )


class PullExplorer:
    """Sliders for the link's rate and round trip, a Measure button and the plot of pull
    time against bytes. Moving a slider redraws the bytes-alone line at once (a
    prediction); Measure pulls over that link, each variant drawn as it is done, prints
    its table under the plot (:func:`remeasured_text`) and saves the new result as
    ``"pull"``, so notebook 10 quotes the latest run; ``first`` keeps the first."""

    def __init__(
        self, variants: tuple[str, ...], repeat: int, *, results_folder: str | None = None
    ) -> None:
        self.variants, self.repeat = variants, repeat
        #: Where each run is saved for notebook 10 (None: the kit's results folder).
        self.results_folder = results_folder
        self.result: PullResult | None = None
        #: The first run: what the notebook's ``pull`` and the cells below it read.
        self.first: PullResult | None = None
        self.settings = LinkSettings()
        self._handle: Any = None
        self._table: Any = None
        self._widgets: dict[str, Any] = {}
        self._busy = threading.Lock()
        self._moved_at = 0.0  # when a slider's value last reached the kernel (monotonic)

    def measure(self, settings: LinkSettings | None = None) -> PullResult:
        """Pull over ``settings`` (the sliders' link by default) and redraw; blocking."""
        with self._busy:
            self.settings = settings or self.settings
            partial = PullResult(self.settings, {}, {})

            def drawn(row: Any) -> None:
                partial.rows[row.name] = row
                self.redraw(partial)

            self.result = pull_or_recorded(
                self.settings, variants=self.variants, repeat=self.repeat, on_row=drawn
            )
            save_result("pull", self.result, folder=self.results_folder)
            if self.first is None:
                self.first = self.result
            elif self._table is not None:
                from IPython.display import Pretty

                self._table.update(Pretty(remeasured_text(self.first, self.result)))  # type: ignore[no-untyped-call]
            self.redraw()
            return self.result

    def redraw(self, result: PullResult | None = None) -> None:
        from .._figures import figure_png
        from ..report.capacity import pull_figure

        shown = result or self.result
        if shown is None or self._handle is None:
            return
        from IPython.display import Image

        link = self.settings if shown.recorded is None else None
        png = figure_png(pull_figure(shown, link))
        self._handle.update(Image(data=png, format="png"))  # type: ignore[no-untyped-call]

    def show(self) -> None:
        from IPython.display import Pretty, display

        controls = self._controls()
        if controls is not None:
            display(controls)  # type: ignore[no-untyped-call]
        self._handle = display("measuring...", display_id=True)  # type: ignore[no-untyped-call]
        # Empty until a Measure: the cell prints the first run's table itself.
        self._table = display(Pretty(""), display_id=True)  # type: ignore[no-untyped-call]

    def _controls(self) -> Any:
        try:
            import ipywidgets as widgets
        except ImportError:
            return None
        rate = widgets.FloatLogSlider(value=50, base=10, min=0, max=3, step=0.1,
                                      description="Mbit/s", continuous_update=False)  # fmt: skip
        rtt = widgets.IntSlider(value=20, min=0, max=300, step=10, description="RTT ms",
                                continuous_update=False)  # fmt: skip
        button = widgets.Button(description="Measure", icon="play", button_style="success")
        label = widgets.Label("move a slider: the dashed line moves; Measure: the points")

        def moved(_: Any) -> None:
            self._moved_at = time.monotonic()
            self.settings = LinkSettings(round(rate.value, 1), float(rtt.value))
            self.redraw()

        def clicked(_: Any) -> None:
            label.value = "reading the sliders..."
            threading.Thread(target=self._measure_in_background, args=(label,), daemon=True).start()

        for slider in (rate, rtt):
            slider.observe(moved, names="value")
        button.on_click(clicked)
        self._widgets = {"rate": rate, "rtt": rtt, "button": button, "label": label}
        return widgets.VBox([widgets.HBox([rate, rtt, button]), label])

    def wait_for_sliders(self) -> LinkSettings:
        """The link the sliders show once they have been still for SLIDERS_SETTLE_S (at
        most SLIDERS_WAIT_MOST_S): runs beside the kernel, which meanwhile takes in the
        moves the page sent after the click."""
        deadline = time.monotonic() + SLIDERS_WAIT_MOST_S
        time.sleep(SLIDERS_SETTLE_S)
        while time.monotonic() - self._moved_at < SLIDERS_SETTLE_S and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.settings

    def _measure_in_background(self, label: Any) -> None:
        try:
            link = self.wait_for_sliders()
            label.value = f"measuring over {link.rate_mbit:g} Mbit/s, {link.rtt_ms:g} ms..."
            done = self.measure(link)
            moved = "" if self.settings == link else (
                "; the sliders have moved since: press Measure again for that link"
            )  # fmt: skip
            label.value = (
                f"done over {_link_words(done)}: its table is under the plot; saved for "
                f"notebook 10 (the last Measure is what it quotes){moved}"
            )
        except Exception as err:  # the kernel survives whatever the run throws
            label.value = f"failed: {err}"


def live_pull(
    *, variants: tuple[str, ...] = NOTEBOOK_PULL_VARIANTS, repeat: int = NOTEBOOK_PULL_REPEAT
) -> PullExplorer:
    """Notebook 07: show the sliders and the plot, and measure once at the default link."""
    explorer = PullExplorer(variants, repeat)
    explorer.show()
    explorer.measure()
    return explorer


# --- sentences computed from a result -----------------------------------------------------


@dataclass(repr=False)
class Story(ShownAsText, ShownAsHtml):
    """Sentences a notebook shows under a result, every number taken from that result."""

    sentences: list[str]

    def text(self) -> str:
        return "\n".join(f"- {s}" for s in self.sentences)

    def html(self) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        return f"<ul>{items}</ul>"


def pull_story(result: PullResult) -> Story:
    """Where each variant's seconds went: the bytes, the round trips, the rest. Notebook 07."""
    link = result.link
    source = "recorded" if result.recorded is not None else "measured"
    # Which run this is, first: a Measure in the explorer makes another (walk 8, S7).
    said = [f"Every figure here is from the run over {_link_words(result)} ({source})."]
    for name, row in result.rows.items():
        wire = row.bytes / link.bytes_per_s
        trips = row.round_trips * link.rtt_ms / 1000
        share = wire / row.median_s
        said.append(
            f"{name}: {format_bytes(row.bytes)} crossed the link, {format_seconds(wire)} at "
            f"{link.rate_mbit:g} Mbit/s, {share:.0%} of its {format_seconds(row.median_s)} "
            f"({source} median of {len(row.samples_s)}); {row.round_trips} round trips add "
            f"{format_seconds(trips)}; the pull + run with no link took {format_seconds(row.floor_s)}."
        )
        said.append(_mostly_the_download(name, wire + trips, row.median_s, source))
    if result.rows:
        said.append(_where_bytes_weigh_most(result))
    for name, why in result.failed.items():
        said.append(f"{name} was not measured: {why}")
    return Story(said)


def _mostly_the_download(name: str, link_s: float, median_s: float, source: str) -> str:
    """The section's guess, that a container's seconds are mostly the pull's download, judged
    for one variant by its own numbers: the link's part (bytes and round trips) against
    half of its median. The prose states the guess; only this says whether it held."""
    share = link_s / median_s
    held = "holds" if share > 0.5 else "does not hold"
    rest = "" if share > 0.5 else ": most of it is work that no faster link shortens"
    return (
        f'The guess "mostly the download" {held} for {name} ({source}): the link\'s part, '
        f"bytes and round trips, is {format_seconds(link_s)}, {share:.0%} of its "
        f"{format_seconds(median_s)}{rest}."
    )


def _where_bytes_weigh_most(result: PullResult) -> str:
    """The variant whose time the bytes take the largest share of, and which part of its
    time is the largest: a faster link shortens only the bytes' part (walk 3, S18)."""
    link = result.link
    most = max(result.rows.values(), key=lambda r: r.bytes / link.bytes_per_s / r.median_s)
    wire = most.bytes / link.bytes_per_s
    parts = {
        "the bytes": wire,
        "the round trips": most.round_trips * link.rtt_ms / 1000,
        "the work with no link at all": most.floor_s,
    }
    largest = max(parts, key=lambda part: parts[part])
    percent, total = f"{wire / most.median_s:.0%}", format_seconds(most.median_s)
    # Across variants first, then within the pull (walk 5, S9 read "the largest share ...
    # yet only 4%" as a contradiction: the share was the variants', not the parts').
    where = (
        f"Of the variants, the bytes weigh most in {most.name}'s time: {percent} of its {total}"
        if len(result.rows) > 1
        else f"The bytes are {percent} of {most.name}'s {total}"
    )
    if largest == "the bytes":
        return f"{where}, its largest part: a faster link shortens it most."
    return (
        f"{where}; its largest part is {largest} ({format_seconds(parts[largest])}), so a "
        f"faster link would save at most {format_seconds(wire)} of it."
    )


def density_or_recorded(
    *, instances: int = NOTEBOOK_INSTANCES, processes: int = NOTEBOOK_PROCESSES
) -> DensityResult:
    """Every variant this kernel can run, live; the recorded row (marked) for the rest."""
    measured = run_density(instances=instances, processes=processes)
    if not measured.skipped:
        return measured
    try:
        return measured.with_recorded(recorded_density())
    except KitError:
        return measured


def _as_a_platform_user_sees_it(result: DensityResult) -> list[str]:
    """The other question (06's two ratios): a Docker or Kubernetes user runs a module as a
    container through the shim, not as an instance in their own process (walk 5, S10)."""
    shim, container = result.rows.get("containerd-wasmtime"), result.rows.get("container")
    if not shim or not container:
        return []
    ratio = shim.bytes_per_instance / max(1, container.bytes_per_instance)
    recorded = " (recorded rows among them)" if shim.recorded or container.recorded else ""
    return [
        "A Docker or Kubernetes user, who runs the module as a container through the wasm "
        f"shim, sees another ratio{recorded}: each wasm container held "
        f"{format_bytes(shim.bytes_per_instance)} against a runc container's "
        f"{format_bytes(container.bytes_per_instance)}, {ratio:.2g}× as much. The shim process, "
        "with the wasmtime it embeds, is paid once per container."
    ]


def density_story(result: DensityResult) -> Story:
    """How many fit, per variant, and the ratio the course's question asks. Notebook 07."""
    said = []
    for name, row in result.rows.items():
        source = "recorded" if row.recorded else "measured here"
        said.append(
            f"{name}: {row.count} alive at once, {format_bytes(row.bytes_per_instance)} each "
            f"({source}): about {format_per_gib(row.per_gib)} in one GiB."
        )
    wasm, container = result.rows.get("wasm-instance"), result.rows.get("container")
    if wasm and container:
        ratio = times_as_many_per_gib(wasm.bytes_per_instance, container.bytes_per_instance)
        said.append(
            f"One GiB holds about {ratio:,.0f} times as many wasm instances in one process "
            "as idle containers: an instance is a store and its linear memory, a container "
            "a process, its cgroup and a shim."
        )
    said.extend(_declared_against_weighed(result))
    said.extend(_as_a_platform_user_sees_it(result))
    for name, why in result.skipped.items():
        said.append(f"{name} was not measured: {why}")
    return Story(said)


def _declared_against_weighed(result: DensityResult) -> list[str]:
    """Why an instance can weigh less than the linear memory its module declares (walk 8,
    S8: 14.3 KB each beside notebook 02's 128 KiB at start, unexplained), from the run."""
    said = []
    for row in result.rows.values():
        declared = row.declared_memory_bytes
        if declared is None or row.bytes_per_instance >= declared:
            continue
        said.append(
            f"{row.name}: the module declares {format_bytes(declared)} of linear memory at "
            f"start ({declared // WASM_PAGE} pages of 64 KiB), yet an instance weighs "
            f"{format_bytes(row.bytes_per_instance)}. wasmtime reserves that memory as "
            "address space; the kernel gives a page RAM only when the program first touches "
            "it, and PSS counts only pages in RAM. Pages never touched weigh nothing."
        )
    return said
