"""Verdicts on the claims we test (notebook 00), computed from the learner's own numbers.

Nothing here is written in advance: every sentence is chosen by comparing a measured
figure with the claim ("milliseconds vs several seconds", "several MBs vs tens or
hundreds of MBs", "near-native speed"), so a machine where containers start in a
fraction of a second gets a verdict that says so. Introduced in notebook 06; used again
in 07, 08 and 10.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._display import ShownAsHtml, ShownAsText, format_bytes, format_seconds
from ..bench.ratio import TABLE_PLACE
from ..bench.results import (
    OCI_PACKS_NOTE,
    Measurement,
    ResultLike,
    as_result,
    component_ahead,
    fastest_of,
    headline_pair,
    recorded_label,
    sizes_of,
    variant_summaries,
)
from ..bench.slowdowns import Slowdown, native_missing, slowdowns
from ..bench.variants import (
    CLI_VARIANTS,
    CONTAINER_VARIANTS,
    EMBEDDER,
    PLATFORM_USER,
    WASM_VARIANTS,
)
from .claims import (
    ABOUT_A_SECOND_FROM_S,
    CLAIM_SIZE,
    CLAIM_SPEED,
    CLAIM_STARTUP,
    IN_LINE_UP_TO,
    MILLISECONDS_AT_MOST_S,
    PUBLISHED_SLOWDOWN,
    SEVERAL_MB,
    SEVERAL_SECONDS_FROM_S,
    TENS_OF_MB_FROM,
)
from .cold_start import COLD_START_IN_06, COLD_START_QUOTED, local_pull_sentence
from .questions import APART, Answer, answer, answers


@dataclass(repr=False)
class Verdict(ShownAsText, ShownAsHtml):
    """A claim set beside measured values, and sentences derived from them. Notebook 06."""

    topic: str
    claim: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (what, claim, measured)
    sentences: list[str] = field(default_factory=list)
    summary: str = ""
    note: str | None = None  # e.g. "container figures recorded on ..., not measured here"

    def text(self) -> str:
        lines = [f"{self.topic}: {self.summary}", f"  the claim we test: {self.claim}"]
        # A row the blog states no claim for (06's embedder and shim ratios) says only what
        # was measured: "claim ;" read as a value gone missing (walk 12).
        lines += [
            f"  - {what}: "
            + (f"claim {claim}; measured {measured}" if claim else f"measured {measured}")
            for what, claim, measured in self.rows
        ]
        lines += [f"  {sentence}" for sentence in self.sentences]
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    def html(self) -> str:
        esc = html.escape
        cell = '<td style="text-align:left">'  # JupyterLab right-aligns table cells: words read left to right
        rows = "".join(
            f"<tr>{cell}{esc(w)}</td>{cell}{esc(c)}</td>{cell}<b>{esc(m)}</b></td></tr>"
            for w, c, m in self.rows
        )
        sentences = "".join(f"<li>{esc(s)}</li>" for s in self.sentences)
        note = f"<p><i>⚠️ {esc(self.note)}</i></p>" if self.note else ""
        return (
            f"<h4>{esc(self.topic)}: {esc(self.summary)}</h4>"
            f"<p>The claim we test: <q>{esc(self.claim)}</q></p>"
            '<table><tr><th style="text-align:left">what</th><th style="text-align:left">the claim says</th>'
            '<th style="text-align:left">you measured</th></tr>'
            f"{rows}</table><ul>{sentences}</ul>{note}"
        )


def times(ratio: float) -> str:
    """A ratio as a person says it: 1.3×, 32×, 9,284×."""
    if ratio >= 100:
        return f"{ratio:,.0f}×"
    if ratio >= 10:
        return f"{ratio:.0f}×"
    return f"{ratio:.2g}×"


# --- start-up (notebook 06) -------------------------------------------------------------


def _fastest(summaries: Mapping[str, Measurement], names: Iterable[str]) -> Measurement | None:
    """:func:`fastest_of`'s summary rather than its name."""
    name = fastest_of(summaries, names)
    return summaries[name] if name is not None else None


def _component_aside(summaries: Mapping[str, Measurement], wasm_name: str) -> list[str]:
    """A component that started ahead of the fastest core module: said, with whether these
    runs can tell the two apart (walk 5, S7: the plot showed it first, the verdict skipped
    it). The headline keeps to core modules: what the kit's containerd shim starts."""
    ahead = component_ahead(summaries, wasm_name)
    if ahead is None:
        return []
    wasm, component = summaries[wasm_name], summaries[ahead]
    ratio = wasm.ratio_over(component)
    apart = (
        f"the module took {ratio.text()} as long"
        if ratio.measurable
        else f"{ratio.text()}: these runs cannot order the two, and the sub-millisecond "
        "rows may swap places from one run to the next"
    )
    return [
        f"A component ({component.label}) started and ran the program in {format_seconds(component.median_s)}, "
        f"ahead of that module ({apart}); notebook 11 section 5 times instantiation alone. The headline "
        "keeps to core modules, which is what the kit's containerd shim starts."
    ]


def _container_words(seconds: float) -> tuple[str, bool]:
    """How the claim "several seconds" fares against one container median."""
    if seconds >= SEVERAL_SECONDS_FROM_S:
        return f"took {format_seconds(seconds)}: several seconds, as the claim says", True
    if seconds >= ABOUT_A_SECOND_FROM_S:
        return (
            f"took about a second ({format_seconds(seconds)}): slow, but not several seconds",
            False,
        )
    return (
        f"started in a fraction of a second ({format_seconds(seconds)}), not several seconds",
        False,
    )


#: Runnable tasks per core (the 1-minute load average over the core count) from which a
#: machine counts as busy: past one, benchmark runs queue for a CPU.
BUSY_LOAD_PER_CORE = 1.0


def busy_machine_note(machine: Mapping[str, Any]) -> str | None:
    """A sentence when the 1-minute load average, at the start or the end of the run,
    exceeded the cores: other work (a class on one VM) competed with the measurement."""
    cores = machine.get("cores") or 0
    loads = [
        float(load[0])
        for load in (machine.get("load_average"), machine.get("load_average_end"))
        if load
    ]
    if not cores or not loads or max(loads) / cores <= BUSY_LOAD_PER_CORE:
        return None
    return (
        f"taken on a busy machine: load average up to {max(loads):.1f} on {cores} cores, so other "
        "work competed for the CPU; medians are higher and spreads wider than on an idle machine"
    )


def startup_verdict(result: ResultLike, *, quoted: bool = False) -> Verdict:
    """Put the start-up claim we test beside a start-up result: in notebook 06, or
    ``quoted`` from it by another notebook (10), which names 06 where 06 says "this"."""
    model = as_result(result)
    summaries = variant_summaries(model)
    verdict = Verdict("Start-up", CLAIM_STARTUP)
    pair = headline_pair(summaries)  # the same pair notebook 06's adaptive run tightens
    if pair is None:
        verdict.summary = "not enough measurements yet"
        verdict.sentences.append(
            "A verdict needs at least one wasm variant and one container variant; run the "
            "benchmark (or load recorded data) first."
        )
        return verdict
    container, wasm = summaries[pair[0]], summaries[pair[1]]
    # The same pairs the ratio table above prints (verdict_pairs): a quoted ratio has a row.
    cli = _fastest(summaries, CLI_VARIANTS)

    wasm_holds = wasm.median_s <= MILLISECONDS_AT_MOST_S
    verdict.rows.append(
        ("wasm start-up", "milliseconds", f"{format_seconds(wasm.median_s)} ({wasm.label})")
    )
    recorded_mark = ", recorded, not measured here" if container.recorded else ""
    verdict.rows.append(
        (
            "container start-up",
            "several seconds",
            f"{format_seconds(container.median_s)} ({container.label}{recorded_mark})",
        )
    )
    if wasm.median_s < 1e-3:
        verdict.sentences.append(
            f"The fastest wasm start ({wasm.label}) took {format_seconds(wasm.median_s)}: "
            "under a millisecond, better than the claim."
        )
    elif wasm_holds:
        verdict.sentences.append(
            f"The fastest wasm start ({wasm.label}) took {format_seconds(wasm.median_s)}: milliseconds, as claimed."
        )
    else:
        verdict.sentences.append(
            f"Even the fastest wasm start took {format_seconds(wasm.median_s)}: more than milliseconds on this machine."
        )
    verdict.sentences.extend(_component_aside(summaries, pair[1]))
    words, containers_hold = _container_words(container.median_s)
    verdict.sentences.append(f"Containers ({container.label}) {words}.")

    ratio = container.ratio_over(wasm)
    embedder, platform_user = answers(model)
    # The headline pair is the embedder's question whenever the in-process instance is
    # the fastest wasm: one row for it then, named by the question it answers.
    headline_is_embedders = pair == (EMBEDDER.slow, EMBEDDER.fast)
    verdict.rows.append(
        (embedder.what, "", embedder.measured())
        if headline_is_embedders  # the same samples, so the same ratio as the headline's
        else ("container / fastest wasm", "", ratio.text())
    )
    verdict.sentences.append(
        f"A container start cost {ratio.text()} the fastest wasm start (medians, with the "
        f"{ratio.confidence:.0%} interval the samples allow)"
        + (
            f": what {EMBEDDER.who} sees, when they {EMBEDDER.does}."
            if headline_is_embedders
            else "."
        )
    )
    if cli is not None and cli is not wasm:
        verdict.sentences.append(
            f"Process against process, which is fairer, the {cli.label} took {format_seconds(cli.median_s)}: "
            f"the container still cost {container.ratio_over(cli).text()} as much."
        )
    native = summaries.get("native")
    if native is not None:
        share = 1 - native.median_s / container.median_s
        portion = "more than 99%" if share > 0.99 else f"about {share:.0%}"
        verdict.sentences.append(
            f"A native process started in {format_seconds(native.median_s)}, so {portion} of a "
            "container start is the container machinery (namespaces, cgroups, the overlay mount), not the program."
        )
    pull = summaries.get("docker-pull-run")
    if pull is not None:
        named = COLD_START_QUOTED if quoted else COLD_START_IN_06
        verdict.sentences.append(local_pull_sentence(pull, summaries.get("docker-scratch"), named))

    _two_questions(verdict, [platform_user] if headline_is_embedders else [embedder, platform_user])
    verdict.sentences += [] if headline_is_embedders else [embedder.sentence()]
    verdict.sentences.append(platform_user.sentence())
    if platform_user.ratio is not None:
        verdict.sentences.append(APART)

    slower = f"{ratio.text()} slower" if ratio.measurable else ratio.text()
    if wasm_holds and containers_hold:
        verdict.summary = f"the claim holds here (containers {slower} to start)"
    elif wasm_holds:
        verdict.summary = (
            f"half right: wasm starts in milliseconds, but containers start in "
            f"{format_seconds(container.median_s)}, not several seconds (still {slower})"
        )
    else:
        verdict.summary = f"the claim does not hold here (containers against wasm: {ratio.text()})"
    # Native is recorded too on a machine with no compiler (a bare laptop).
    recorded = [
        kind for kind, s in (("container", container), ("native", native)) if s and s.recorded
    ]
    if platform_user.recorded:
        recorded.append("containerd")
    if recorded:
        kinds = (
            ", ".join(recorded[:-1]) + " and " + recorded[-1] if len(recorded) > 1 else recorded[0]
        )
        verdict.note = (
            f"{kinds} figures are {recorded_label(model) or 'recorded'}, not measured here"
        )
    busy = busy_machine_note(model.machine)
    if busy:
        verdict.sentences.append(f"These numbers were {busy}.")
    return verdict


def _two_questions(verdict: Verdict, rows: list[Answer]) -> None:
    """The ratios that answer the embedder's and the Docker or Kubernetes user's questions,
    each in a row of its own (see ``report.questions``)."""
    for row in rows:
        verdict.rows.append((row.what, "", row.measured()))


# --- sizes (notebook 07) ----------------------------------------------------------------


def _by_kind(sizes: Mapping[str, int], kind_of: Mapping[str, str]) -> dict[str, dict[str, int]]:
    kinds: dict[str, dict[str, int]] = {}
    for name, size in sizes.items():
        kinds.setdefault(kind_of[name], {})[name] = int(size)
    return kinds


def size_verdict(
    result: ResultLike, *, recorded: Iterable[str] = (), recorded_note: str | None = None
) -> Verdict:
    """Put the size claim we test beside measured artifact sizes (notebook 07).

    ``result`` is ``run_sizes()``'s result or a plain ``{artifact: bytes}`` mapping, with
    ``recorded`` naming the sizes that were not measured here (images without Docker).
    """
    sizes, found_recorded, found_note, notes, kind_of = sizes_of(result)
    recorded = [*recorded, *found_recorded]
    recorded_note = recorded_note or found_note
    kinds = _by_kind(sizes, kind_of)
    verdict = Verdict("Size", CLAIM_SIZE)
    modules, images = kinds.get("wasm", {}), kinds.get("image", {})
    # Compare like with like: an image as it sits on disk, not as a registry compresses it.
    images = {n: b for n, b in images.items() if "compressed" not in n} or images
    if not modules or not images:
        verdict.summary = "not enough sizes yet"
        verdict.sentences.append("A verdict needs at least one .wasm module and one image size.")
        return verdict

    small_name, small = min(modules.items(), key=lambda kv: kv[1])
    big_name, big = max(modules.items(), key=lambda kv: kv[1])
    lean_name, lean = min(images.items(), key=lambda kv: kv[1])
    fat_name, fat = max(images.items(), key=lambda kv: kv[1])
    span = format_bytes(small) if small == big else f"{format_bytes(small)} to {format_bytes(big)}"
    verdict.rows.append(("wasm module", "several MBs", span))
    images_recorded = bool(set(recorded) & set(images))
    verdict.rows.append(
        (
            "container image",
            "tens or hundreds of MBs",
            f"{format_bytes(lean)} to {format_bytes(fat)}"
            + (" (recorded, not measured here)" if images_recorded else ""),
        )
    )

    if big < SEVERAL_MB[0]:
        which = (
            f"{small_name}: {format_bytes(small)}"
            if len(modules) == 1
            else (f"{format_bytes(small)} for {small_name} to {format_bytes(big)} for {big_name}")
        )
        verdict.sentences.append(
            f"{'The module is' if len(modules) == 1 else 'Every module is'} under a megabyte ({which}): "
            "smaller than the claim's several MBs."
        )
        modules_hold = True
    elif big <= SEVERAL_MB[1]:
        verdict.sentences.append(
            f"Modules range from {format_bytes(small)} ({small_name}) to {format_bytes(big)} ({big_name}): "
            "the biggest are indeed MBs, mostly a language runtime (Go and Rust carry theirs) and, "
            "before stripping, debug information"
            + (", while the smallest are well under a megabyte." if small < SEVERAL_MB[0] else ".")
        )
        modules_hold = True
    else:
        verdict.sentences.append(
            f"The biggest module, {big_name}, weighs {format_bytes(big)}: more than several MBs."
        )
        modules_hold = False

    if fat >= TENS_OF_MB_FROM:
        verdict.sentences.append(
            f"The largest image ({fat_name}) is {format_bytes(fat)}: tens of MBs or more, as claimed, because it "
            "carries an operating system's files."
        )
    else:
        verdict.sentences.append(
            f"Even the largest image ({fat_name}) is only {format_bytes(fat)}: not tens of MBs."
        )
    if lean < TENS_OF_MB_FROM:
        verdict.sentences.append(
            f"A FROM scratch image ({lean_name}) is {format_bytes(lean)}: an image weighs what you put in it, "
            "so the claim is about distro-based images, not containers as such."
        )
    images_hold = lean >= TENS_OF_MB_FROM
    verdict.sentences.append(
        f"The smallest image weighs {times(lean / small)} the smallest module, the largest image "
        f"{times(fat / small)} it."
    )
    oci = kinds.get("oci-wasm", {})
    if oci:
        verdict.sentences += _oci_sentences(oci, modules, notes.get(OCI_PACKS_NOTE))

    if modules_hold and images_hold:
        verdict.summary = "the claim holds here"
    elif modules_hold:
        verdict.summary = "half right: modules are small, but so is a FROM scratch image"
    else:
        verdict.summary = "the claim does not hold here"
    if images_recorded:
        verdict.note = f"image sizes are {recorded_note or 'recorded'}, not measured here"
    return verdict


def _packed_module(
    oci: Mapping[str, int], modules: Mapping[str, int], packs: str | None
) -> tuple[str, int] | None:
    """The module the OCI packagings hold: named by the sizes run, or else the biggest
    module that fits in the biggest packaging (an uncompressed layer holds it whole)."""
    if packs is not None and packs in modules:
        return packs, modules[packs]
    ceiling = max(oci.values())
    fitting = [(name, size) for name, size in modules.items() if size <= ceiling]
    return max(fitting, key=lambda kv: kv[1]) if fitting else None


def _oci_sentences(
    oci: Mapping[str, int], modules: Mapping[str, int], packs: str | None
) -> list[str]:
    """What shipping the module through a registry costs, against the very module that was
    packaged (not the smallest one), from the sizes rather than assumed."""
    packed = _packed_module(oci, modules, packs)
    if packed is None:
        shipped = ", ".join(f"{name} {format_bytes(size)}" for name, size in sorted(oci.items()))
        return [f"Shipped through a registry: {shipped}."]
    module_name, module_size = packed
    sentences = []
    for name, size in sorted(oci.items()):
        extra = size - module_size
        if extra >= 0:
            sentences.append(
                f"Shipped through a registry as {name}, {module_name} ({format_bytes(module_size)}) weighs "
                f"{format_bytes(size)}: the manifest and config add {extra:,} bytes."
            )
        else:
            sentences.append(
                f"Shipped as {name}, {module_name} ({format_bytes(module_size)}) weighs only "
                f"{format_bytes(size)}: that packaging gzips the layer."
            )
    return sentences


# --- compute (notebook 08) --------------------------------------------------------------


def _times2(ratio: float) -> str:
    """A slowdown as the compute table prints it: 1.27×. Headlines quote the same strings,
    and its interval (:meth:`~..bench.slowdowns.Slowdown.spread_text`) takes these digits."""
    return f"{ratio:.{-TABLE_PLACE}f}×"


def steady_slowdowns(compute: ResultLike | list[Slowdown]) -> list[Slowdown]:
    """One row per program, at its largest size, where start-up is amortised: the rows
    the compute verdict's headline and the decision guide both quote, so a page carries one
    compute figure. Accepts a compute result or the rows :func:`slowdowns` gave."""
    rows = compute if isinstance(compute, list) else slowdowns(compute)
    steady: dict[str, Slowdown] = {}
    for row in rows:
        if row.example not in steady or row.n > steady[row.example].n:
            steady[row.example] = row
    return list(steady.values())


def slowdown_span(steady: list[Slowdown]) -> str:
    """ "1.27×" for one program, "1.08-1.27×" for several: each number as the table prints it."""
    low, high = min(r.ratio for r in steady), max(r.ratio for r in steady)
    if f"{low:.2f}" == f"{high:.2f}":
        return _times2(low)
    return f"{low:.2f}-{_times2(high)}"


def _unless_within_spread(row: Slowdown) -> str:
    """The end of a slowdown's sentence: "." or, when its interval reaches 1×, that these
    runs cannot tell it from native (the table beside JavaScript then says "no measurable
    difference" for the same pair, from the same interval)."""
    if not row.measurable:
        return f", but its {row.spread_text()} reaches 1×: these runs cannot tell it from native."
    return "."


def _beside_published(steady: list[Slowdown]) -> str:
    """Where each program's slowdown lies against the published range, said per program
    from its interval: "fib 1.80× above the published 1.45-1.55×; sha256 0.98× below it,
    not told apart from native (largest sizes)". Walk 20, S3: "not measurably closer to
    native than published (0.98-1.80× ...)" took three reads for a range that straddled
    the published one."""
    low_pub, high_pub = PUBLISHED_SLOWDOWN
    said: list[str] = []
    for row in steady:
        published = "it" if said else f"the published {low_pub}-{high_pub}×"
        if row.high < low_pub:
            where = f"below {published}" + (
                "" if row.measurable else ", not told apart from native"
            )
        elif row.low > high_pub:
            where = f"above {published}"
        else:
            where = f"not told apart from {published}"
        said.append(f"{row.example} {_times2(row.ratio)} {where}")
    return f"{'; '.join(said)} (largest sizes)"


def throughput_verdict(compute: ResultLike) -> Verdict:
    """Compare the measured native-vs-wasm slowdown with published figures (notebook 08)."""
    rows: list[Slowdown] = slowdowns(compute)
    low_pub, high_pub = PUBLISHED_SLOWDOWN
    verdict = Verdict("Speed", CLAIM_SPEED)
    if not rows:
        why_no_native = native_missing(compute)
        if why_no_native:
            # A bare laptop: wasm was timed from the prebuilt modules, native could not be.
            verdict.summary = "wasm measured, but no native build here to compare it with"
            verdict.sentences.append(why_no_native)
        else:
            verdict.summary = "no compute measurements yet"
        return verdict
    for row in rows:
        verdict.rows.append(
            (
                row.label,
                f"near native (published: {low_pub}-{high_pub}×)",
                row.text(),
            )
        )
    # Walk 10, S10: "0.49×-4.6×" beside tight quartiles needs the sample that did it named.
    verdict.sentences.extend(f"{row.label}: {row.stretched}." for row in rows if row.stretched)
    steady = steady_slowdowns(rows)
    typical = statistics.median(r.ratio for r in steady)
    span = slowdown_span(steady)
    for row in steady:
        verdict.sentences.append(
            f"At its largest size ({row.label}), {row.example} ran {row.point_text()} as long under wasm as natively"
            + _unless_within_spread(row)
        )
    if len(steady) > 1 and all(r.measurable for r in steady):  # never rank noise
        best, worst = min(steady, key=lambda r: r.ratio), max(steady, key=lambda r: r.ratio)
        verdict.sentences.append(
            f"Of these programs, {worst.example} paid the most for running as wasm ({_times2(worst.ratio)}) "
            f"and {best.example} the least ({_times2(best.ratio)})."
        )
    if any(r.ratio < 1 and r not in steady for r in rows):
        verdict.sentences.append(
            "At the small sizes wasm can look faster only because the native time includes starting "
            "a process and the module runs pre-instantiated; the largest sizes are the fair comparison."
        )
    versus = f"{span} at the largest sizes vs {low_pub}-{high_pub}×"
    verdict.sentences.append(
        f"The published figures: Jangda et al. (USENIX ATC 2019) measured {low_pub}-{high_pub}× "
        "slower on SPEC in browsers."
    )
    if not any(r.measurable for r in steady):
        # Walk 7, S26: "wasm was faster here (0.63-0.71×)" from intervals that reached 1×.
        verdict.summary = f"could not be told apart from native here ({span} at the largest sizes)"
        verdict.sentences.append(
            "Every interval at the largest sizes reaches 1×: these runs cannot say whether "
            "wasm was slower or faster; more repetitions, or a quieter machine, may."
        )
    elif typical < 1.0:
        verdict.summary = f"wasm was faster here ({span} at the largest sizes)"
        verdict.sentences.append(
            "wasm came out faster: possible when the native build and the JIT pick different "
            "optimisations; check the interval before you believe it."
        )
    elif typical < low_pub and any(r.high >= low_pub for r in steady):  # walk 9, S10
        verdict.summary = _beside_published(steady)
        verdict.sentences.append("The medians lie below the published range, but an interval at the "
                                 "largest sizes reaches into it: these runs cannot say they beat it.")  # fmt: skip
    elif typical < low_pub:
        verdict.summary = f"closer to native than published ({versus})"
        verdict.sentences.append(
            "Small integer kernels like these suffer less than SPEC: few memory accesses to "
            "bounds-check, no SIMD to miss."
        )
    elif typical <= high_pub:
        verdict.summary = f"in line with published figures ({versus})"
    elif typical <= IN_LINE_UP_TO:  # a noisy laptop's "in line": say above, not inside, the range
        verdict.summary = f"close to published figures, a little slower ({versus})"
    else:
        verdict.summary = f"slower than published figures ({versus})"
        verdict.sentences.append(
            "Bounds checks on every memory access, no native SIMD by default and a JIT that optimises "
            "less than an ahead-of-time compiler all cost here."
        )
    if any(r.recorded for r in rows):
        verdict.note = "some compute figures are recorded, not measured here"
    return verdict


# --- shipping (notebook 09) -------------------------------------------------------------

#: The title question of the blog post (notebooks 00 and 09 ask it in these words).
CLAIM_SHIPPING = "does wasm replace the container toolchain, or ride on it?"


def oci_verdict(oci: Mapping[str, Any]) -> Verdict:
    """What the OCI round trips of notebook 09 showed: ``{style: {platform, how, ...}}``."""
    verdict = Verdict("Shipping", CLAIM_SHIPPING)
    trips = {k: v for k, v in oci.items() if isinstance(v, Mapping) and "platform" in v}
    if not trips:
        verdict.summary = "no OCI round trip saved yet (notebook 09)"
        return verdict
    for style, trip in trips.items():
        # The layer alone: the size verdict weighs the whole packaging (manifest and config too).
        verdict.rows.append(
            (
                f"OCI {style}",
                "replace or ride on?",
                f"{trip['platform']}, one {trip.get('layer_media_type')} layer of "
                f"{format_bytes(int(trip.get('layer_bytes', 0)))} (manifest and config not "
                f"counted), exit {trip.get('exit_code')}",
            )
        )
    ran = [s for s, t in trips.items() if t.get("exit_code") == 0]
    through_registry = [s for s, t in trips.items() if str(t.get("how", "")).startswith("registry")]
    if len(ran) == len(trips):
        verdict.sentences.append(
            f"Every packaging ({', '.join(trips)}) was checked as a shim checks it and ran: a module ships "
            "as an OCI image with platform wasi/wasm."
        )
    else:
        verdict.sentences.append(
            f"Only {', '.join(ran) or 'none'} of {', '.join(trips)} ran to exit 0."
        )
    if through_registry:
        verdict.sentences.append(
            "It went through an ordinary registry: the same one that stores container images."
        )
        verdict.summary = "it rides on it: the container registry shipped the module too"
    else:
        verdict.summary = "packaging works; the registry path was not tried here"
        verdict.note = (
            "no local registry was available, so the manifest and blobs were checked in memory"
        )
    return verdict


# --- the decision guide (notebook 10) ------------------------------------------------


def _measured_pair(wasm: Measurement, container: Measurement) -> str:
    """ "you measured 1.77 ms vs 350 ms", or, where a figure is recorded, which one:
    recorded figures are never "you measured"."""
    if not wasm.recorded and not container.recorded:
        return (
            f"you measured {format_seconds(wasm.median_s)} vs {format_seconds(container.median_s)}"
        )

    def said(m: Measurement) -> str:
        return f"{format_seconds(m.median_s)} {'recorded' if m.recorded else 'measured here'}"

    return f"wasm {said(wasm)} vs a container {said(container)}"


def decision_guide(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """When a module, when a container, when both, with the learner's numbers in the reasons. Notebook 10."""
    startup = variant_summaries(as_result(results["startup"])) if "startup" in results else {}
    wasm = _fastest(startup, WASM_VARIANTS)
    container = startup.get("docker-scratch") or _fastest(startup, CONTAINER_VARIANTS)
    gap = f" ({_measured_pair(wasm, container)})" if wasm and container else ""
    platform_user = answer(as_result(results["startup"]), PLATFORM_USER) if startup else None
    through_containerd = platform_user.in_brief() if platform_user else ""
    shim = (
        f"; a wasm shim's start against runc's, {through_containerd}" if through_containerd else ""
    )
    steady = steady_slowdowns(results["compute"]) if "compute" in results else []
    cost = ""
    if steady:
        seen = "recorded" if any(r.recorded for r in steady) else "you measured"
        cost = f" ({seen} {slowdown_span(steady)} native at the largest sizes)"
    return [
        (
            "a wasm module",
            "many short-lived, untrusted or per-request functions, plugins inside another program, "
            f"the same bytes on server, edge and browser: start-up and isolation are cheap{gap}.",
        ),
        (
            "a container",
            "a whole existing service with its OS dependencies, threads, sockets and files, long-running "
            f"work where start-up is paid once and native speed matters{cost}.",
        ),
        (
            "both",
            "wasm modules shipped as OCI images and scheduled by Kubernetes through a containerd shim "
            f"(RuntimeClass{shim}): one registry, one orchestrator, two kinds of workload.",
        ),
    ]
