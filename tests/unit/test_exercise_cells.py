"""Every exercise cell hands its check the names it asks the learner to fill: a cell that asked
for `my_source` while its check read `answer` checked the previous exercise's leftover
(walk 3, S25)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import kernel_helpers as kh

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[01]*.ipynb"))


def exercise_cells(path: Path) -> list[ast.Module]:
    """The code cells that set a name to the `...` placeholder and call a kh.check_*."""
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    trees = [
        ast.parse(source)
        for source in sources
        if "kh.check_" in source and not source.lstrip().startswith(("%", "!"))
    ]
    return [tree for tree in trees if placeholders(tree)]


def placeholders(tree: ast.Module) -> set[str]:
    """The names the cell sets to `...`: the ones the learner replaces."""
    return {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and node.value.value is Ellipsis
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def names_checked(tree: ast.Module) -> set[str]:
    """Every name read by the arguments of the cell's kh.check_* calls."""
    return {
        name.id
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr.startswith("check_")
        for argument in [*call.args, *(k.value for k in call.keywords)]
        for name in ast.walk(argument)
        if isinstance(name, ast.Name)
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_check_reads_the_names_its_cell_asks_for(path: Path) -> None:
    for tree in exercise_cells(path):
        missing = placeholders(tree) - names_checked(tree)
        assert not missing, f"{path.name}: the check never reads {missing}:\n{ast.unparse(tree)}"


def test_09_exercise_4_asks_for_what_its_check_and_its_solution_use() -> None:
    """Walk 3, S25: the cell asked for `my_source`, its check and its solution used `answer`."""
    path = next(p for p in NOTEBOOKS if p.name.startswith("09"))
    cell = next(
        t for t in exercise_cells(path) if "check_own_module_through_shim" in ast.unparse(t)
    )
    solution = ast.parse(kh.solution("09", 4).code)
    assert placeholders(cell) == {"answer"}
    assert any(
        isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "answer" for t in node.targets)
        for node in ast.walk(solution)
    )


def measuring_cell(notebook: str, check: str) -> ast.Module:
    """The code cell of ``notebook`` that measures and calls ``check`` on the prediction."""
    path = next(p for p in NOTEBOOKS if p.name.startswith(notebook))
    cells = json.loads(path.read_text())["cells"]
    source = next(
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and f"kh.{check}(prediction" in "".join(c["source"])
    )
    return ast.parse(source)


def prints_outside_a_prediction_guard(tree: ast.Module) -> list[str]:
    """The print calls not under ``if prediction is not ...:``, each as its source."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "prediction is not ...":
            guarded |= {id(inner) for inner in ast.walk(node)}
    return [
        ast.unparse(call)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", "") == "print"
        and id(call) not in guarded
        and "No component" not in ast.unparse(call)  # a missing tool says so, never a result
    ]


@pytest.mark.parametrize(
    ("notebook", "check"), [("00", "check_argc_prediction"), ("11", "check_exit_prediction")]
)
def test_a_measuring_cell_shows_its_result_only_after_the_prediction(
    notebook: str, check: str
) -> None:
    """Walk 7, S3: under Run All the measuring cell printed "argc = 2" (00) and "component
    exit code: 1" (11) while the prediction was still `...`: the answer before the guess."""
    assert not prints_outside_a_prediction_guard(measuring_cell(notebook, check))


def test_00_s_measuring_cell_prints_nothing_before_a_prediction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same, run: with the placeholder the cell prints nothing and the check says not yet;
    with a prediction it prints the module's line."""
    cell = compile(measuring_cell("00", "check_argc_prediction"), "cell", "exec")
    for prediction, shown in ((..., False), (1, True)):
        namespace: dict[str, object] = {"kh": kh, "prediction": prediction}
        exec(cell, namespace)
        assert ("argc = 2" in capsys.readouterr().out) is shown


def shows_a_measurement(tree: ast.Module) -> bool:
    """Whether the cell prints outside a prediction guard or ends in a value that is shown
    (anything but a check's verdict)."""
    last = tree.body[-1] if tree.body else None
    shown = isinstance(last, ast.Expr) and "kh.check_" not in ast.unparse(last)
    return shown or bool(prints_outside_a_prediction_guard(tree))


def predictions_shown_under_run_all() -> dict[str, str]:
    """Each ``*prediction = ...`` cell whose next code cell shows the measurement as soon as
    it runs, by notebook and name, with the markdown just before the prediction cell."""
    found = {}
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells]
        for i, cell in enumerate(cells):
            name = sources[i].split("=")[0].strip()
            if cell["cell_type"] != "code" or not name.endswith("prediction"):
                continue
            if not sources[i].split("=", 1)[1].lstrip().startswith("..."):
                continue
            after = next(j for j in range(i + 1, len(cells)) if cells[j]["cell_type"] == "code")
            if shows_a_measurement(ast.parse(sources[after])):
                before = max(j for j in range(i) if cells[j]["cell_type"] == "markdown")
                found[f"{path.name[:2]} {name}"] = sources[before]
    return found


def test_a_prediction_run_all_would_spoil_says_how_to_keep_it_honest() -> None:
    """Walk 10, S8: under Run All, 03, 06, 07 and 08 printed each measurement before the
    learner wrote the prediction. Each such prompt, and the index, says to run cell by cell
    up to the exercise or to write the prediction first."""
    found = predictions_shown_under_run_all()
    assert set(found) == {
        "03 size_prediction",
        "06 startup_prediction",
        "07 lightest_prediction",
        "07 prediction",
        "08 prediction",
    }
    for where, prompt in found.items():
        told = " ".join(prompt.split())
        assert "*Run All* runs" in told and "run cell by cell up to here" in told, where
        assert "write your prediction first" in told, where
    index = json.loads((NOTEBOOKS[0].parent / "index.ipynb").read_text())["cells"][0]["source"]
    told = " ".join("".join(index).split())
    assert "run the notebook cell by cell (Shift+Enter) up to the exercise" in told
    numbers = sorted({where[:2] for where in found})  # the index names every such notebook
    named = f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    assert f"in notebooks {named} that cell prints the measurement" in told
