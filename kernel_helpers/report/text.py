"""A result as plain text: the one text rendering of a :class:`~..bench.results.BenchResult`
(the terminal's ``python -m kernel_helpers bench``). A notebook shows plots and verdicts."""

from __future__ import annotations

from ..bench.results import BenchResult


def result_text(result: BenchResult) -> str:
    """Medians and quartiles, fastest first, then what was skipped, the headline ratios with
    their intervals, every size, and where recorded data stood in."""
    lines = _variant_table(result) if result.variants or result.skipped else []
    lines += [f"size {name}: {size:,} bytes" for name, size in result.sizes.items()]
    if result.recorded:
        lines.append(
            f"recorded data from {result.recorded.get('date')} stands in where marked 'recorded'"
        )
    return "".join(line + "\n" for line in lines)


def _variant_table(result: BenchResult) -> list[str]:
    rows = sorted(result.variants.items(), key=lambda item: item[1].stats.median_s)
    width = max((len(name) for name, _ in rows), default=8)
    lines = [f"{'variant':<{width}}  {'median':>10}  {'q1..q3':>21}  {'n':>4}  source"]
    for name, m in rows:
        s = m.stats
        span = f"{_ms(s.q1_s)}..{_ms(s.q3_s)}"
        lines.append(f"{name:<{width}}  {_ms(s.median_s):>10}  {span:>21}  {s.n:>4}  {m.source}")
    lines += [f"{name:<{width}}  skipped: {reason}" for name, reason in result.skipped.items()]
    lines += [f"ratio {key}: {ratio.text()}" for key, ratio in result.ratio_intervals().items()]
    return lines


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"
