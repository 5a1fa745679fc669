"""Notebook 07 · where the seconds are (a cold pull over a shaped link) and how many fit
(instances per GiB): the live runs a notebook can afford, recorded data where no live run
is possible, the commands the kit runs, and sentences computed from each result. Issue 27."""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from typing import Any

from .._display import ShownAsHtml, ShownAsText, format_bytes, format_seconds, in_words
from .._errors import KitError
from ..bench.density import (
    DensityResult,
    DensityRow,
    format_per_gib,
    format_times_as_many,
    recorded_density,
    run_density,
    times_as_many_per_gib,
)
from ..bench.pull import PullResult, PullRow, recorded_pull, run_pull
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


@dataclass(frozen=True)
class PullParts:
    """One variant's estimate, part by part, beside its median: the link's rate (its bytes
    ÷ the rate), the link's round trips (count × RTT) and the pull + run with no link. The
    shares are of the estimate, which is their sum, so they add up to 100% (walk 13: as
    shares of the median they added up to 119%, and two parts each read as "most")."""

    rate_s: float
    trips_s: float
    floor_s: float
    median_s: float

    @classmethod
    def of(cls, row: PullRow, link: LinkSettings) -> PullParts:
        return cls(
            row.bytes / link.bytes_per_s, row.round_trips * link.rtt_ms / 1000, row.floor_s,
            row.median_s,
        )  # fmt: skip

    @property
    def estimate_s(self) -> float:
        return self.rate_s + self.trips_s + self.floor_s

    @property
    def link_s(self) -> float:
        return self.rate_s + self.trips_s

    def share(self, part_s: float) -> float:
        return part_s / self.estimate_s if self.estimate_s > 0 else 0.0

    @property
    def percents(self) -> tuple[int, int, int]:
        """The rate's, the round trips' and the no-link work's shares in whole percents that
        add up to 100 as printed (the largest remainders take the rounding)."""
        return _whole_percents([self.share(self.rate_s), self.share(self.trips_s),
                                self.share(self.floor_s)])  # fmt: skip

    @property
    def mostly_the_download(self) -> bool:
        """The section's guess, graded: the link's part (rate and round trips) is more than
        half of the estimate."""
        return self.share(self.link_s) > 0.5


def _whole_percents(shares: list[float]) -> tuple[int, int, int]:
    """Shares that add up to 1 as whole percents adding up to 100."""
    exact = [share * 100 for share in shares]
    whole = [int(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - whole[i], reverse=True)
    for i in by_remainder[: max(0, 100 - sum(whole)) if sum(exact) > 0 else 0]:
        whole[i] += 1
    return whole[0], whole[1], whole[2]


def estimate_said(parts: PullParts, link: LinkSettings, row: PullRow, source: str) -> str:
    """The estimate as the sum of its parts, each a share of it, and where the median fell."""
    rate, trips, floor = parts.percents
    return (
        f"its estimate, {format_seconds(parts.estimate_s)}, is {format_seconds(parts.rate_s)} "
        f"for the link's rate ({format_bytes(row.bytes)} at {link.rate_mbit:g} Mbit/s, {rate}%), "
        f"{format_seconds(parts.trips_s)} for the link's {row.round_trips} round trips at "
        f"{link.rtt_ms:g} ms ({trips}%) and {format_seconds(parts.floor_s)} for the pull + run "
        f"with no link ({floor}%); the {source} median of {len(row.samples_s)} samples, "
        f"{format_seconds(parts.median_s)}, is {_off_the_estimate(parts)}"
    )


def _off_the_estimate(parts: PullParts) -> str:
    gap = parts.median_s - parts.estimate_s
    if parts.estimate_s <= 0 or abs(gap) < 0.005 * parts.estimate_s:
        return "the estimate to within half a percent"
    way = "above" if gap > 0 else "below"
    return f"{format_seconds(abs(gap))} ({abs(gap) / parts.estimate_s:.0%}) {way} it"


def download_guess_said(name: str, parts: PullParts, source: str) -> str:
    """The section's guess, "mostly the download", judged for one variant on its estimate,
    with the link's two parts kept apart: a faster link shortens only the rate's part."""
    rate, trips, _ = parts.percents
    held = "holds" if parts.mostly_the_download else "does not hold"
    verdict = (
        f'The guess "mostly the download" {held} for {name} ({source}): the link\'s part, its '
        f"rate and its round trips, is {format_seconds(parts.link_s)}, {rate + trips}% of the "
        f"estimate ({'more' if parts.mostly_the_download else 'not more'} than half)"
    )
    if parts.trips_s > parts.rate_s:
        # "Holds" beside "round trips weigh most" read as a contradiction (walk 16, S5):
        # the download here is the link's waiting, not its bytes.
        waiting = "so mostly the link, its round trips more than its bytes: " * bool(
            parts.mostly_the_download
        )
        weighs = (
            f"{waiting}of it the round trips weigh most ({trips}% against the rate's {rate}%): "
            f"a nearer registry would save more than a faster link"
        )
    else:
        weighs = (
            f"of it the rate weighs most ({rate}% against the round trips' {trips}%): a "
            f"faster link shortens it"
        )
    return f"{verdict}; {weighs}."


def pull_story(result: PullResult) -> Story:
    """Where each variant's seconds went: the bytes, the round trips, the rest. Notebook 07."""
    link = result.link
    source = "recorded" if result.recorded is not None else "measured"
    # Which run this is, first: a Measure in the explorer makes another (walk 8, S7).
    said = [f"Every figure here is from the run over {_link_words(result)} ({source})."]
    for name, row in result.rows.items():
        parts = PullParts.of(row, link)
        said.append(
            f"{name}: {format_bytes(row.bytes)} crossed the link; "
            f"{estimate_said(parts, link, row, source)}."
        )
        said.append(download_guess_said(name, parts, source))
    if result.rows:
        said.append(_where_bytes_weigh_most(result))
    for name, why in result.failed.items():
        said.append(f"{name} was not measured: {why}")
    return Story(said)


def _where_bytes_weigh_most(result: PullResult) -> str:
    """The variant whose estimate the bytes take the largest share of, and which part of it
    is the largest: a faster link shortens only the bytes' part (walk 3, S18)."""
    link = result.link
    by_row = {name: PullParts.of(row, link) for name, row in result.rows.items()}
    most = max(result.rows.values(), key=lambda r: by_row[r.name].share(by_row[r.name].rate_s))
    parts = by_row[most.name]
    named = {
        "the bytes": parts.rate_s,
        "the round trips": parts.trips_s,
        "the work with no link at all": parts.floor_s,
    }
    largest = max(named, key=lambda part: named[part])
    percent = f"{parts.percents[0]}%"
    total = f"estimate, {format_seconds(parts.estimate_s)}"
    # Across variants first, then within the pull (walk 5, S9 read "the largest share ...
    # yet only 4%" as a contradiction: the share was the variants', not the parts').
    where = (
        f"Of the variants, the bytes weigh most in {most.name}'s estimate: {percent} of its "
        f"{format_seconds(parts.estimate_s)}"
        if len(result.rows) > 1
        else f"The bytes are {percent} of {most.name}'s {total}"
    )
    if largest == "the bytes":
        return f"{where}, its largest part: a faster link shortens it most."
    return (
        f"{where}; its largest part is {largest} ({format_seconds(named[largest])}), so a "
        f"faster link would save at most {format_seconds(parts.rate_s)} of it."
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
    return [
        "A Docker or Kubernetes user, who runs the module as a container through the wasm "
        f"shim, sees another ratio{_recorded_figures(shim, container)}: each wasm container held "
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
            f"One GiB holds about {format_times_as_many(ratio)} times as many wasm instances in one process "
            f"as idle containers{_recorded_figures(wasm, container)}: an instance is a store "
            "and its linear memory, a container a process, its cgroup and a shim."
        )
    said.extend(_declared_against_weighed(result))
    said.extend(_as_a_platform_user_sees_it(result))
    for name, why in result.skipped.items():
        said.append(f"{name} was not measured: {why}")
    return Story(said)


def _recorded_figures(*rows: DensityRow) -> str:
    """ " (the container figure is recorded, not measured here)" for a sentence built on
    ``rows``, naming the recorded ones; "" when all were measured. Walk 19, S2: the "212
    times as many" sentence stood on a recorded container row and did not say so."""
    recorded = [row.name for row in rows if row.recorded]
    if not recorded:
        return ""
    figures = "figure is" if len(recorded) == 1 else "figures are"
    return f" (the {in_words(recorded)} {figures} recorded, not measured here)"


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
            f"{format_bytes(row.bytes_per_instance)}{_recorded_figures(row)}. wasmtime reserves that memory as "
            "address space; the kernel gives a page RAM only when the program first touches "
            "it, and PSS counts only pages in RAM. Pages never touched weigh nothing."
        )
    return said
