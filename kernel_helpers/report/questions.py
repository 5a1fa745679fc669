"""Which question each start-up ratio answers, answered from one result (notebooks 06, 10).

Two ratios are easy to mix up. ``docker run`` of a container against a module
instantiated inside the worker compares a whole container lifecycle with an in-process
call: what an *embedder* (a program with wasmtime inside) gains by not launching a
container. containerd with the wasm shim against containerd with runc keeps everything a
*Docker or Kubernetes user* has (containerd, a shim process, a task) and changes only the
runtime: the choice they actually make. :func:`answers` gives each with its interval
(``bench.variants.QUESTIONS`` names the pairs); the start-up verdict and the decision
guide quote them from here, so the two are never merged into one number.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..bench.ratio import Ratio
from ..bench.results import BenchResult, recorded_label
from ..bench.variants import QUESTIONS, Question, label_of


@dataclass(frozen=True)
class Answer:
    """One :class:`~kernel_helpers.bench.variants.Question` answered: its ratio with the
    interval, or ``missing`` saying why this result cannot answer it; ``recorded`` names
    where and when the figures were recorded when they were not measured here."""

    question: Question
    ratio: Ratio | None
    recorded: str | None = None
    missing: str | None = None

    @property
    def what(self) -> str:
        """The row's first column: who sees it, and which pair it divides."""
        return f"what {self.question.who} sees: {self.question.slow} / {self.question.fast}"

    def measured(self) -> str:
        """The row's last column: the ratio with its interval, marked when recorded."""
        if self.ratio is None:
            return "not in this run"
        mark = f"; {self.recorded}, not measured here" if self.recorded else ""
        return f"{self.ratio.text()}{mark}"

    def sentence(self) -> str:
        """What the ratio says, in the words of the question it answers."""
        q = self.question
        if self.ratio is None:
            return f"What {q.who} sees, when they {q.does}, this result cannot say: {self.missing}."
        slow, fast, ratio = label_of(q.slow), label_of(q.fast), self.ratio
        if not ratio.measurable:
            said = f"{slow} and {fast} could not be told apart: {ratio.text()}"
        else:
            which = "more" if ratio.value > 1 else "less"
            said = f"{slow} took {ratio.text()} as long as {fast}, so it cost {which}"
        source = f" ({self.recorded}, not measured here)" if self.recorded else ""
        return f"What {q.who} sees, when they {q.does}: {said}{source}."

    def in_brief(self) -> str:
        """The ratio with who measured it, for the decision guide: "you measured: about
        1.2× (1.1×-1.3×)", or "recorded: ..."; empty when this result cannot answer."""
        if self.ratio is None:
            return ""
        return f"{'recorded' if self.recorded else 'you measured'}: {self.ratio.text()}"


def answer(result: BenchResult, question: Question) -> Answer:
    """``question`` answered from ``result``, or why it cannot be (a variant left out)."""
    found = [result.variants.get(question.slow), result.variants.get(question.fast)]
    slow, fast = found
    if slow is None or fast is None:
        absent = question.slow if slow is None else question.fast
        why = result.skipped.get(absent, "it was not part of this run")
        return Answer(question, None, missing=f"no {absent} row ({why})")
    recorded = (recorded_label(result) or "recorded") if slow.recorded or fast.recorded else None
    return Answer(question, slow.ratio_over(fast), recorded)


def answers(result: BenchResult) -> list[Answer]:
    """Both questions, the embedder's first."""
    return [answer(result, question) for question in QUESTIONS]


#: Why the two are kept apart, said once under them.
APART = (
    "The two ratios answer different questions: an embedder's sets a whole container "
    "lifecycle against a call inside a running program; a Docker or Kubernetes user's keeps "
    "containerd, a shim process and a task on both sides and changes only the runtime under them."
)
