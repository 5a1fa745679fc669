"""The one results model: what a benchmark found, live, recorded or exported.

:class:`Stats` summarises samples, :class:`Measurement` is one variant's samples and
summary, :class:`BenchResult` a whole run (its variants, sizes, what was skipped and where
recorded data stood in). The harness writes them; :meth:`BenchResult.from_json` reads
them back from any JSON the kit ever wrote: a saved run, the recorded reference dataset,
a learner's export, or a hand-written summary with only medians. :func:`as_result` takes
whatever a notebook holds (a result, its dict or its JSON text), so plots, verdicts and
exports read every result through this one model. Introduced in notebook 06.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import IO, Any, NamedTuple

from .._display import describe_machine
from .._errors import BenchmarkError
from .ratio import (
    Ratio,
    Side,
    far_sample_note,
    ratio_of_medians,
)
from .variants import (
    BY_NAME,
    CLI_VARIANTS,
    CONTAINER_VARIANTS,
    IN_PROCESS,
    PROCESS,
    WASM_VARIANTS,
    in_order,
    label_of,
)

#: How outliers are counted, written into every result so a reader knows the rule.
OUTLIER_RULE = (
    "Tukey's fences: a sample below Q1 - 1.5*IQR or above Q3 + 1.5*IQR "
    "(quartiles by linear interpolation, as numpy.percentile)"
)

#: ``Measurement.source``: measured here and now, or taken from the recorded reference dataset.
MEASURED = "measured"
RECORDED = "recorded"

#: The note a sizes run (``run_sizes``) leaves to say which module its OCI packagings hold.
OCI_PACKS_NOTE = "oci_packs"


@dataclass(frozen=True)
class Stats:
    """Summary of timing samples, in seconds. ``outliers`` counts samples outside Tukey's
    fences (see :data:`OUTLIER_RULE`); they are counted, never dropped."""

    median_s: float
    q1_s: float
    q3_s: float
    min_s: float
    max_s: float
    n: int
    mean_s: float
    stdev_s: float
    outliers: int

    @classmethod
    def from_samples(cls, samples: list[float]) -> Stats:
        if not samples:
            raise BenchmarkError("no samples to summarise", fix="measure at least one run")
        ordered = sorted(samples)
        q1, median, q3 = _quartiles(ordered)
        fence = 1.5 * (q3 - q1)
        outliers = sum(1 for s in ordered if s < q1 - fence or s > q3 + fence)
        return cls(
            median_s=median,
            q1_s=q1,
            q3_s=q3,
            min_s=ordered[0],
            max_s=ordered[-1],
            n=len(ordered),
            mean_s=statistics.fmean(ordered),
            stdev_s=statistics.stdev(ordered) if len(ordered) > 1 else 0.0,
            outliers=outliers,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Stats:
        """The figures as written (a recorded file, an export, a hand-written summary with
        only ``median_s``). A figure that is missing comes from ``samples_s`` when there
        are samples, else from the median (no spread known)."""
        samples = [float(s) for s in data.get("samples_s") or ()]
        if data.get("median_s") is None:
            return cls.from_samples(samples)
        median = float(data["median_s"])
        base = (
            cls.from_samples(samples)
            if samples
            else cls(median, median, median, median, median, 0, median, 0.0, 0)
        )
        given: dict[str, Any] = {
            f.name: (int if f.name in ("n", "outliers") else float)(data[f.name])
            for f in fields(cls)
            if data.get(f.name) is not None
        }
        return replace(base, **given)


def _quartiles(ordered: list[float]) -> tuple[float, float, float]:
    """Q1, median and Q3 by linear interpolation between closest ranks (numpy's default,
    hyperfine's too: ``method="inclusive"``). One sample is all three."""
    if len(ordered) == 1:  # statistics.quantiles wants two points before Python 3.13
        return ordered[0], ordered[0], ordered[0]
    q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return q1, median, q3


@dataclass
class Measurement:
    """The samples of one variant and their summary.

    ``kind`` is ``"process"`` (a whole process timed from the parent; ``command`` is its
    exact argv) or ``"in-process"``. ``source`` is ``"measured"`` (here, now) or
    ``"recorded"`` (from the reference dataset of another machine). ``stopped`` is True
    when a Stop button or an interrupt ended the run early.
    """

    name: str
    kind: str
    samples_s: list[float]
    stats: Stats
    source: str = MEASURED
    command: list[str] | None = None
    note: str | None = None
    stopped: bool = False

    @classmethod
    def from_samples(cls, name: str, kind: str, samples: list[float], **extra: Any) -> Measurement:
        return cls(name, kind, list(samples), Stats.from_samples(samples), **extra)

    @property
    def recorded(self) -> bool:
        """True when this variant was not measured here (drawn grey, hatched)."""
        return self.source == RECORDED

    @property
    def median_s(self) -> float:
        """The figure every comparison reads: ``stats.median_s``."""
        return self.stats.median_s

    def ratio_over(self, fast: Measurement) -> Ratio:
        """This median over ``fast``'s, with its 95% bootstrap interval (the medians alone
        where a side kept no samples, as an export's summary does)."""
        return ratio_of_medians(
            self.samples_s or [self.median_s], fast.samples_s or [fast.median_s]
        )

    @property
    def label(self) -> str:
        """What this variant pays for, in one line (its name if it is not a start-up variant)."""
        return label_of(self.name)

    def to_json(self) -> dict[str, Any]:
        s = self.stats
        return {
            "median_s": s.median_s,
            "q1_s": s.q1_s,
            "q3_s": s.q3_s,
            "min_s": s.min_s,
            "max_s": s.max_s,
            "mean_s": s.mean_s,
            "stdev_s": s.stdev_s,
            "n": s.n,
            "outliers": s.outliers,
            "source": self.source,
            "kind": self.kind,
            "command": self.command,
            "note": self.note,
            "stopped": self.stopped,
            "samples_s": self.samples_s,
        }

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> Measurement:
        command = list(data["command"]) if data.get("command") else None
        return cls(
            name=name,
            kind=str(data.get("kind") or (PROCESS if command else IN_PROCESS)),
            samples_s=[float(x) for x in data.get("samples_s") or ()],
            stats=Stats.from_json(data),
            source=str(data.get("source") or MEASURED),
            command=command,
            note=data.get("note"),
            stopped=bool(data.get("stopped", False)),
        )


@dataclass(frozen=True)
class SizeRow:
    """One artifact's size: its ``kind`` (a variant's artifact: ``"wasm"``, ``"component"``,
    ``"native"``, ``"image"``, ``"oci-wasm"``; or ``"other"``), the ``label`` a plot shows,
    its ``bytes``, and whether it was ``recorded`` elsewhere (None: not said, a hand-made
    or older result)."""

    kind: str
    label: str
    bytes: int
    recorded: bool | None = None


class Sizes(dict[str, int]):
    """Bytes by label, read as results always were (``result.sizes["hello.wasm"]``), with a
    :class:`SizeRow` behind each label: the kit's benchmarks say each artifact's kind and
    whether it was recorded with :meth:`add`. A label set the plain way (``sizes[label] =
    n``: a hand-made result, an older file) has its kind read from its words
    (:func:`artifact_kind`), the only place a label is parsed."""

    def __init__(self, sizes: Mapping[str, int] | Iterable[SizeRow | tuple[str, int]] = ()) -> None:
        super().__init__()
        self._rows: dict[str, SizeRow] = {}
        if isinstance(sizes, Mapping):
            for label, size in sizes.items():
                self[label] = int(size)
                if isinstance(sizes, Sizes) and label in sizes._rows:
                    self._rows[label] = sizes._rows[label]
            return
        for item in sizes:  # records, or (label, bytes) pairs as dict() and copy.copy give
            if isinstance(item, SizeRow):
                self.add(item.kind, item.label, item.bytes, recorded=item.recorded)
            else:
                self[item[0]] = int(item[1])

    def add(self, kind: str, label: str, size: int, *, recorded: bool | None = False) -> None:
        """Record ``label`` as an artifact of ``kind`` weighing ``size`` bytes."""
        self._rows[label] = SizeRow(kind, label, int(size), recorded)
        self[label] = int(size)

    def rows(self) -> list[SizeRow]:
        """Every size as a record, in insertion order."""
        rows = []
        for label, size in self.items():
            row = self._rows.get(label)
            rows.append(
                replace(row, bytes=size)
                if row is not None
                else SizeRow(artifact_kind(label), label, size)
            )
        return rows


@dataclass
class BenchResult:
    """Every variant of one benchmark, the sizes involved, and where it all came from.

    ``recorded`` is None when everything was measured here; otherwise it holds the
    machine and date of the reference dataset that stood in for the missing variants.
    Notebooks 06-08 plot it; ``save`` writes JSON (or CSV for a ``.csv`` path).
    """

    machine: dict[str, Any]
    example: str
    variants: dict[str, Measurement] = field(default_factory=dict)
    sizes: Sizes = field(default_factory=Sizes)
    skipped: dict[str, str] = field(default_factory=dict)
    recorded: dict[str, Any] | None = None
    benchmark: str = "startup"
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        given: Mapping[str, int] = self.sizes  # callers and tests may give a plain dict
        if not isinstance(given, Sizes):  # labels only: kinds read from their words
            self.sizes = Sizes(given)

    def ratio(self, a: str, b: str) -> float:
        """How many times longer ``a``'s median is than ``b``'s (both from this result)."""
        for name in (a, b):
            if name not in self.variants:
                reason = self.skipped.get(name, "it was not part of this run")
                raise BenchmarkError(f"no variant {name!r}: {reason}")
        return self.variants[a].stats.median_s / self.variants[b].stats.median_s

    def ratio_interval(self, a: str, b: str) -> Ratio:
        """``ratio(a, b)`` with its 95% bootstrap interval from both variants' samples."""
        self.ratio(a, b)  # the same clear error for a missing variant
        return self.variants[a].ratio_over(self.variants[b])

    def ratios(self) -> dict[str, float]:
        """The headline comparisons present in this result, ``"a/b"`` -> ratio."""
        return {key: self.ratio(*key.split("/", 1)) for key in self._ratio_keys()}

    def ratio_intervals(self) -> dict[str, Ratio]:
        """The headline comparisons with their intervals, ``"a/b"`` -> :class:`Ratio`."""
        return {key: self.ratio_interval(*key.split("/", 1)) for key in self._ratio_keys()}

    def far_sample_notes(self) -> dict[str, str]:
        """For each of :meth:`ratio_intervals` whose interval a far sample stretches, what
        that sample was and the ratio without it (:func:`~.ratio.far_sample_note`), keyed
        like the ratios; the others are left out. Notebook 06's table of ratios."""
        notes = {}
        for key, whole in self.ratio_intervals().items():
            slow, fast = (self.variants[name] for name in key.split("/", 1))
            note = far_sample_note(
                Side(slow.name, slow.samples_s), Side(fast.name, fast.samples_s), whole
            )
            if note is not None:
                notes[key] = note
        return notes

    def _ratio_keys(self) -> list[str]:
        pairs = [
            ("docker-scratch", "wasm-cached"),
            ("docker-scratch", "wasm-instantiate"),
            ("docker-scratch", "native"),
            ("docker-debian", "docker-scratch"),
            ("wasm-compile", "wasm-cached"),
            ("wasm-cached", "wasm-instantiate"),
            ("wasmtime-cli", "native"),
            ("docker-pull-run", "docker-scratch"),
            # What a Docker or Kubernetes user sees (the embedder's ratio is the second
            # pair above), and what Docker adds on top of containerd and runc.
            ("containerd-wasmtime", "containerd-runc"),
            ("docker-scratch", "containerd-runc"),
        ]
        # Every ratio 06's verdict quotes has its row (walk 20, S2: the verdict's
        # "docker-scratch / wasmtime-cli-aot" was nowhere in the table above it).
        pairs += [pair for pair in verdict_pairs(self.variants) if pair not in pairs]
        # Compute benchmarks pair "wasm <case>" with "native <case>".
        pairs += [(n, "native " + n[5:]) for n in self.variants if n.startswith("wasm ")]
        return [f"{a}/{b}" for a, b in pairs if a in self.variants and b in self.variants]

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "machine": self.machine,
            "example": self.example,
            "variants": {name: m.to_json() for name, m in self.variants.items()},
            "ratios": self.ratios(),
            "ratio_intervals": {key: r.to_json() for key, r in self.ratio_intervals().items()},
            "sizes": dict(self.sizes),
            "size_rows": [asdict(row) for row in Sizes(self.sizes).rows()],
            "skipped": dict(self.skipped),
            "notes": dict(self.notes),
            "recorded": self.recorded,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str | bytes) -> BenchResult:
        """Any result the kit wrote: only ``variants`` entries need a ``median_s`` or samples;
        a missing machine, example, size or note reads as empty."""
        if isinstance(data, (str, bytes)):
            data = json.loads(data)
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a benchmark result, got {type(data).__name__}")
        return cls(
            machine=dict(data.get("machine") or {}),
            example=str(data.get("example") or ""),
            variants={
                k: Measurement.from_json(k, v) for k, v in (data.get("variants") or {}).items()
            },
            sizes=_sizes_from_json(data),
            skipped={k: str(v) for k, v in (data.get("skipped") or {}).items()},
            recorded=data.get("recorded") or None,
            benchmark=str(data.get("benchmark") or "startup"),
            notes={k: str(v) for k, v in (data.get("notes") or {}).items()},
        )

    @classmethod
    def load(cls, path: str | Path) -> BenchResult:
        return cls.from_json(Path(path).read_text())

    def save(self, path: str | Path) -> Path:
        """Write JSON, or CSV when ``path`` ends in ``.csv``; returns the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".csv":
            self.to_csv(target)
            return target
        target.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        return target

    CSV_COLUMNS = (
        "variant",
        "source",
        "kind",
        "n",
        "median_s",
        "q1_s",
        "q3_s",
        "min_s",
        "max_s",
        "mean_s",
        "stdev_s",
        "outliers",
        "command",
    )

    def to_csv(self, path: str | Path | IO[str]) -> Path | None:
        """One row per variant: its summary and the exact command (space-joined)."""
        if isinstance(path, (str, Path)):
            with open(path, "w", newline="") as handle:
                self._write_csv(handle)
            return Path(path)
        self._write_csv(path)
        return None

    def _write_csv(self, handle: IO[str]) -> None:
        writer = csv.writer(handle)
        writer.writerow(self.CSV_COLUMNS)
        for name, m in self.variants.items():
            row = {"variant": name, **m.to_json()}
            row["command"] = " ".join(m.command) if m.command else ""
            writer.writerow([row[c] for c in self.CSV_COLUMNS])


def _sizes_from_json(data: Mapping[str, Any]) -> Sizes:
    """``size_rows`` where the file has them (the kit writes both), else the plain
    ``sizes`` mapping of an older or hand-made file."""
    rows = data.get("size_rows")
    if rows:
        return Sizes(
            SizeRow(str(r["kind"]), str(r["label"]), int(r["bytes"]), r.get("recorded"))
            for r in rows
        )
    return Sizes({str(k): int(v) for k, v in (data.get("sizes") or {}).items()})


# --- reading any result: a BenchResult, its dict or its JSON text ---------------------------

#: What a notebook may hold of a result: the model, its dict (a saved file, an export) or its
#: JSON text. The report's public functions take any of these and read it into a
#: :class:`BenchResult` once, with :func:`as_result`; everything below them takes the model.
ResultLike = BenchResult | Mapping[str, Any] | str | bytes


def as_dict(result: Any) -> dict[str, Any]:
    """The JSON form of a result: a dict, a JSON string, or anything with ``to_json()``."""
    if hasattr(result, "to_json"):
        result = result.to_json()
    if isinstance(result, (str, bytes)):
        result = json.loads(result)
    if not isinstance(result, Mapping):
        raise TypeError(f"expected a benchmark result, got {type(result).__name__}")
    return dict(result)


def as_result(result: ResultLike) -> BenchResult:
    """``result`` as the model: itself, or read from its dict or JSON text."""
    return result if isinstance(result, BenchResult) else BenchResult.from_json(as_dict(result))


def variant_summaries(result: BenchResult) -> dict[str, Measurement]:
    """Every variant of a start-up result, in reading order (see ``bench.variants``;
    unknown ones last)."""
    variants = result.variants
    return {name: variants[name] for name in in_order(variants)}


def headline_pair(variants: Mapping[str, Measurement]) -> tuple[str, str] | None:
    """The comparison the course takes home: a container start (docker-scratch, else the
    fastest container) against the fastest wasm start; None until both are there."""
    wasm = [n for n in WASM_VARIANTS if n in variants]
    containers = [n for n in CONTAINER_VARIANTS if n in variants]
    if not wasm or not containers:
        return None
    container = (
        "docker-scratch"
        if "docker-scratch" in variants
        else min(containers, key=lambda n: variants[n].median_s)
    )
    return container, min(wasm, key=lambda n: variants[n].median_s)


def fastest_of(variants: Mapping[str, Measurement], names: Iterable[str]) -> str | None:
    """Which of ``names`` present in ``variants`` has the lowest median, or None."""
    found = [n for n in names if n in variants]
    return min(found, key=lambda n: variants[n].median_s) if found else None


def component_ahead(variants: Mapping[str, Measurement], wasm: str) -> str | None:
    """The fastest component that started ahead of the core module ``wasm``, or None: the
    start-up verdict sets the two side by side (walk 5, S7)."""
    components = [n for n in variants if n in BY_NAME and BY_NAME[n].artifact == "component"]
    ahead = [n for n in components if variants[n].median_s < variants[wasm].median_s]
    return fastest_of(variants, ahead)


def verdict_pairs(variants: Mapping[str, Measurement]) -> list[tuple[str, str]]:
    """The (slow, fast) pairs the start-up verdict quotes a ratio of: the headline, the
    module against a component ahead of it, and the container against the fastest CLI
    (process against process). ``BenchResult.ratio_intervals`` gives each a row."""
    pair = headline_pair(variants)
    if pair is None:
        return []
    container, wasm = pair
    pairs = [pair]
    component = component_ahead(variants, wasm)
    if component is not None:
        pairs.append((wasm, component))
    cli = fastest_of(variants, CLI_VARIANTS)
    if cli is not None and cli != wasm:
        pairs.append((container, cli))
    return pairs


def recorded_label(result: BenchResult) -> str | None:
    """ "recorded on <machine>, <date>" when any part of ``result`` was not measured here."""
    recorded = result.recorded
    if not recorded:
        return None
    machine = recorded.get("machine") or {}
    date = str(recorded.get("date") or machine.get("date_utc") or "an earlier date")[:10]
    return f"recorded on {describe_machine(machine)}, {date}"


def artifact_kind(name: str) -> str:
    """Sort an artifact name from ``result["sizes"]`` into wasm, component, native, image or oci-wasm."""
    lowered = name.lower()
    if "oci" in lowered:
        return "oci-wasm"
    if "component" in lowered:
        return "component"
    if any(word in lowered for word in ("image", "docker", "scratch", "debian", "busybox")):
        return "image"
    if "wasm" in lowered:
        return "wasm"
    if "native" in lowered:
        return "native"
    return "other"


class SizeTable(NamedTuple):
    """The sizes a plot or a verdict reads: bytes by artifact, the names that were recorded
    (image sizes from the reference dataset, without Docker), where they were recorded, the
    result's notes (which module the OCI packagings hold) and each artifact's kind."""

    sizes: dict[str, int]
    recorded: list[str]
    recorded_label: str | None
    notes: dict[str, str]
    kinds: dict[str, str]


def sizes_of(result: ResultLike) -> SizeTable:
    """The :class:`SizeTable` of a sizes result (or its dict or JSON) or of a plain
    ``{artifact: bytes}`` mapping."""
    if (
        isinstance(result, Mapping)
        and "sizes" not in result
        and all(isinstance(v, int) for v in result.values())
    ):
        rows = Sizes({k: int(v) for k, v in result.items()}).rows()
        return SizeTable(
            {r.label: r.bytes for r in rows}, [], None, {}, {r.label: r.kind for r in rows}
        )
    model = as_result(result)
    rows = Sizes(model.sizes).rows()  # Sizes again: a test or a learner may have set a plain dict
    # Rows that do not say (an older file): its images were the recorded part, if any was.
    recorded = [
        r.label
        for r in rows
        if r.recorded or (r.recorded is None and model.recorded and r.kind == "image")
    ]
    return SizeTable(
        {r.label: r.bytes for r in rows},
        recorded,
        recorded_label(model),
        dict(model.notes),
        {r.label: r.kind for r in rows},
    )
