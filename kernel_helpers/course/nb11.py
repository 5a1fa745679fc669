"""Notebook 11 · components and WASI 0.2: read a world, make and run a component."""

from __future__ import annotations

from pathlib import Path

from ..toolchains.build import wasm_module
from ..toolchains.component import componentize, read_world
from ..wasm.component import is_component
from ..wasm.runner import run_wasm
from .checks import CheckResult, Solution, exercise, right, wrong

#: The text exercise 2 pipes into the learner's wordcount component.
WORDCOUNT_INPUT = b"components are\nthe unit runwasi schedules\n"


@exercise("11 · exercise 1 (read a world)")
def check_world_packages(answer: object) -> CheckResult:
    """Notebook 11: the WASI packages (``wasi:cli``, ...) the hello component imports."""
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return wrong("answer with a list of package names, e.g. ['wasi:cli', ...].")
    given = {str(item).split("@")[0].split("/")[0] for item in answer}
    truth = set(read_world(componentize(wasm_module("hello", "c"))).packages())
    if given == truth:
        granted = "files" if "wasi:filesystem" in truth else "no files"
        return right(
            f"{len(truth)} packages, and nothing else: no sockets, no http. It may touch {granted}, "
            "and the host still decides which directories it sees."
        )
    missing, extra = sorted(truth - given), sorted(given - truth)
    hint = f"missing {', '.join(missing)}" if missing else f"not imported: {', '.join(extra)}"
    return wrong(f"not quite: {hint}.", "Look at the lines starting with 'import' in the world.")


@exercise("11 · exercise 2 (make and run a component)")
def check_wordcount_component(answer: object) -> CheckResult:
    """Notebook 11: the path of a component made from a wordcount module; it must count
    ``WORDCOUNT_INPUT`` exactly as the module does."""
    path = Path(str(getattr(answer, "path", answer)))
    if not path.is_file():
        return wrong(f"there is no file at {path}.", "Give componentize(...)'s result or its .path.")
    if not is_component(path):
        return wrong("that is a core module, not a component.", "Pass the module to kh.componentize first.")
    expected = run_wasm(wasm_module("wordcount", "c").path, stdin=WORDCOUNT_INPUT).stdout
    got = run_wasm(path, stdin=WORDCOUNT_INPUT, timeout=10).stdout
    if got != expected:
        return wrong(f"it printed {got!r}, the module prints {expected!r}.", "Componentize wordcount, not hello.")
    return right(f"the component counts like its module: {got.decode().strip()}.")


SOLUTIONS = (
    Solution(
        "11", 1,
        """
    answer = kh.read_world(kh.componentize(kh.wasm_module("hello", "c"))).packages()
    kh.check_world_packages(answer)
    """,
        "World.packages() strips the interface and version from every import line.",
    ),
    Solution(
        "11", 2,
        """
    answer = kh.componentize(kh.wasm_module("wordcount", "c"))
    kh.check_wordcount_component(answer)
    """,
        "Any language works where a component can be made; the adapter changes nothing the program prints.",
    ),
)
