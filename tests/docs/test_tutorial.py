"""The study tutorial stays true: its study file is the shipped example, its commands and SQL run,
and its Python example works (on a small study, so that the test stays quick)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from crisislab.cli import main
from crisislab.experiments import Study
from crisislab.experiments.spec import example_names

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = (ROOT / "docs" / "tutorial-restraint.md").read_text("utf-8")
EXAMPLE = ROOT / "src/crisislab/experiments/examples/restraint-under-weak-control.yaml"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TUTORIAL, flags=re.S)


def commands() -> list[list[str]]:
    """Every `crisislab …` command of the shell blocks, split as the shell would."""
    found = []
    for block in blocks("sh"):
        text = re.sub(r"\\\n", " ", block)  # line continuations
        for line in re.split(r"\n(?=crisislab )", text):
            if line.startswith("crisislab "):
                code = "\n".join(p for p in line.splitlines() if not p.lstrip().startswith("#"))
                found.append(shlex.split(code, comments=True))
    return found


def test_the_study_file_shown_is_the_shipped_example():
    [shown] = blocks("yaml")
    shipped = YAML(typ="safe").load(EXAMPLE.read_text("utf-8"))
    shipped.pop("description")
    assert YAML(typ="safe").load(shown) == shipped
    assert "restraint-under-weak-control" in example_names()


def test_the_validate_output_shown_is_what_validate_prints(capsys):
    block = next(b for b in blocks("sh") if "study validate" in b)
    shown = " ".join(line.lstrip("# ").strip() for line in block.splitlines()[1:])
    with pytest.raises(SystemExit):
        main(["study", "validate", "restraint-under-weak-control"])
    assert capsys.readouterr().out.strip() == shown


@pytest.fixture(scope="module")
def small_file(tmp_path_factory) -> Path:
    """The tutorial's study, cut down: 8 futures, 256 runs per point, 30 days."""
    text = EXAMPLE.read_text("utf-8")
    for old, new in [
        ("samples: 256", "samples: 8"),
        ("runs_per_point: 1024", "runs_per_point: 256"),
        ("days: 365", "days: 30"),
    ]:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("tutorial") / "small.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_study(small_file) -> Path:
    directory = small_file.parent / "small"
    Study.load(small_file).run(directory)
    return directory


def test_every_query_of_the_tutorial_runs(capsys, small_study):
    queries = [c for c in commands() if c[:3] == ["crisislab", "study", "query"]]
    assert len(queries) == 2
    for command in queries:
        with pytest.raises(SystemExit) as exit_:
            main(["study", "query", str(small_study), command[4], "--format", "json"])
        assert exit_.value.code == 0, capsys.readouterr().err
        assert capsys.readouterr().out.startswith("[")


def test_every_command_of_the_tutorial_is_a_known_command():
    from crisislab.cli import app

    known = {c.name or c.callback.__name__ for c in app.registered_commands} | {"study"}
    for command in commands():
        assert command[1] in known, command


def test_the_python_example_runs(small_file, small_study, monkeypatch, capsys):
    """It runs, and gives what the tutorial says: a table of the design points, a scatter plot of
    P(war) under restraint against KH's control, and a sentence for each policy's box."""
    [code] = blocks("python")
    code = code.replace('"restraint-under-weak-control"', repr(str(small_file)))
    code = code.replace('"studies/restraint-under-weak-control"', repr(str(small_study)))
    monkeypatch.setattr("matplotlib.pyplot.show", lambda *a, **k: None)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    namespace: dict[str, Any] = {}
    exec(compile(code, "tutorial", "exec"), namespace)
    points, restraint = namespace["points"], namespace["restraint"]
    assert len(points) == Study.load(small_file).spec.n_points  # one row per design point
    assert {"policy", "actors.KH.control", "p_war"} <= set(points.columns)
    assert points["p_war"].between(0.0, 1.0).all()
    assert len(restraint) > 0 and set(restraint["policy"]) == {"doctrine=restraint"}
    [axes] = plt.gcf().axes
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("actors.KH.control", "p_war")
    assert len(axes.collections[0].get_offsets()) == len(restraint)
    plt.close("all")
    boxes = namespace["analysis"]["discovery"]["war"]["policies"]
    printed = capsys.readouterr().out.splitlines()
    assert len(boxes) >= 1 and len(printed) == len(boxes)
    for line, box in zip(printed, boxes, strict=True):
        assert line.startswith(f"{box['policy']} ") and len(line) > len(box["policy"]) + 1


def test_the_study_file_of_the_studies_reference_is_valid(tmp_path):
    text = (ROOT / "docs" / "studies.md").read_text("utf-8")
    [example] = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    path = tmp_path / "reference.yaml"
    path.write_text(example, encoding="utf-8")
    study = Study.load(path)
    assert study.spec.n_points == 4 * 64
