"""Studies that draw their parameters from a calibration's posterior: the study file's
`posterior:` and `study run --posterior`, the `parameter_draw` column, identical results on every
executor, resuming only with the same posterior, and refusals before any chunk runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crisislab.cli import main
from crisislab.errors import BadInput, StudyError
from crisislab.experiments import Study, StudyResults, open_executor
from crisislab.scenario.parameters import GROUP_RUNS, read_posterior, write_posterior

NAMES = ("actors.IRN.type_prior", "logit.precision")
STUDY = """\
name: drawn
description: Two doctrines, two futures, parameters from a posterior.
scenario: us-iran-2020
days: 60
levers:
  actors.USA.doctrine: [restraint, retaliatory]
uncertainties:
  actors.KH.control: {low: 0.3, high: 0.95}
runs_per_point: 128
samples: 2
seed: 5
"""


def posterior_at(path: Path, seed: int = 0, particles: int = 12) -> Path:
    rng = np.random.default_rng(seed)
    values = np.column_stack([rng.uniform(0.2, 0.8, particles), rng.uniform(0.5, 5.0, particles)])
    write_posterior(path, NAMES, values, rng.uniform(0.5, 1.5, particles), {"method": "test"})
    return path


def part_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((directory / "runs").glob("part-*.parquet"))}


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """A folder holding the study file, which names `posterior.parquet` beside it, the posterior,
    another posterior, and the study file without a posterior."""
    root = tmp_path_factory.mktemp("drawn")
    posterior_at(root / "posterior.parquet")
    posterior_at(root / "other.parquet", seed=1)
    (root / "study.yaml").write_text(STUDY + "posterior: posterior.parquet\n", "utf-8")
    (root / "plain.yaml").write_text(STUDY, "utf-8")
    return root


@pytest.fixture(scope="module")
def study(files) -> Study:
    return Study.load(files / "study.yaml")


@pytest.fixture(scope="module")
def reference(study, tmp_path_factory) -> Path:
    """The study run once, sequentially."""
    directory = tmp_path_factory.mktemp("reference") / "study"
    study.run(directory)
    return directory


def test_the_posterior_is_found_beside_the_study_file(study, files):
    assert study.posterior is not None
    assert study.posterior.names == NAMES
    assert Path(study.spec.posterior or "") == files / "posterior.parquet"
    assert study.posterior.digest == read_posterior(files / "posterior.parquet").digest


def test_every_run_stores_the_draw_of_its_group(study, reference):
    results = StudyResults(reference)
    runs = results.sql("SELECT point, run, parameter_draw FROM runs ORDER BY point, run").df()
    assert len(runs) == study.spec.n_points * study.spec.runs_per_point
    assert study.posterior is not None
    for (point, group), rows in runs.groupby(["point", runs["run"] // GROUP_RUNS]):
        expected, _ = study.posterior.draw(study.design.seed(int(point)), int(group))
        assert set(rows["parameter_draw"]) == {expected}
    # the policies of one future share its seed, so they draw the same parameters
    by_point = runs.groupby("point")["parameter_draw"].apply(list)
    per_policy = study.spec.n_samples
    for sample in range(per_policy):
        assert by_point[sample] == by_point[per_policy + sample]
    # a draw index is no outcome to average in the points view
    assert "mean_parameter_draw" not in results.points().columns


def test_the_draws_change_the_runs(files, reference, tmp_path):
    plain = Study.load(files / "plain.yaml").run(tmp_path / "plain")
    assert "parameter_draw" not in {c for c, *_ in plain.sql("DESCRIBE runs").fetchall()}
    drawn = StudyResults(reference).points()["mean_goldstein"].tolist()
    assert drawn != plain.points()["mean_goldstein"].tolist()


def test_the_manifest_status_and_analysis_name_the_posterior(study, reference):
    manifest = json.loads((reference / "manifest.json").read_text("utf-8"))
    assert study.posterior is not None
    assert manifest["posterior"] == study.posterior.describe()
    assert manifest["posterior"]["sha256"] == study.posterior.digest
    assert "posterior" not in manifest["spec"]  # where the file lay is not what the study is
    results = StudyResults(reference)
    assert results.status()["posterior"]["posterior"] == "posterior.parquet"
    assert results.analyze()["posterior"]["parameters"] == list(NAMES)


def test_the_process_pool_gives_byte_identical_parts(study, reference, tmp_path):
    with open_executor("process", workers=2) as (pool, workers):
        study.run(tmp_path / "pool", pool, workers)
    assert part_bytes(tmp_path / "pool") == part_bytes(reference)


def test_dask_gives_byte_identical_parts(study, reference, tmp_path):
    pytest.importorskip("distributed")
    with open_executor("dask", workers=2) as (client, workers):
        study.run(tmp_path / "dask", client, workers)
    assert part_bytes(tmp_path / "dask") == part_bytes(reference)


def test_a_study_resumes_with_the_same_posterior_even_moved(files, reference, tmp_path):
    directory = tmp_path / "resumed"
    shutil.copytree(reference, directory)
    moved = shutil.copy(files / "posterior.parquet", tmp_path / "renamed.parquet")
    resumed = Study.load(files / "plain.yaml", moved).run(directory)
    assert resumed.report is not None
    assert (resumed.report.skipped, resumed.report.completed) == (len(resumed.design.chunks), 0)
    assert part_bytes(directory) == part_bytes(reference)


@pytest.mark.parametrize("given", ["other.parquet", None])
def test_resuming_with_another_posterior_or_none_is_refused(files, reference, tmp_path, given):
    directory = tmp_path / "study"
    shutil.copytree(reference, directory)
    before = (directory / "manifest.json").read_bytes()
    if given is None:
        changed = Study.load(files / "plain.yaml")
        words = "no posterior"
    else:
        changed = Study.load(files / "study.yaml", files / given)
        words = f"the posterior {given}"
    with pytest.raises(StudyError) as caught:
        changed.run(directory)
    message = str(caught.value)
    assert "resumes only with the posterior it started with" in message
    assert "the posterior posterior.parquet" in message and words in message
    assert (directory / "manifest.json").read_bytes() == before


def test_a_study_with_a_posterior_does_not_take_over_a_plain_one(files, tmp_path):
    directory = tmp_path / "plain"
    Study.load(files / "plain.yaml").prepare(directory)
    with pytest.raises(StudyError, match="run with no posterior"):
        Study.load(files / "study.yaml").check_directory(directory)


def test_the_command_line_runs_resumes_and_refuses_another_posterior(files, tmp_path, capsys):
    directory = tmp_path / "cli"
    args = ["study", "run", str(files / "plain.yaml"), "--dir", str(directory), "--json"]
    code, out, _ = cli(capsys, *args, "--posterior", str(files / "posterior.parquet"))
    assert code == 0
    summary = json.loads(out)
    assert summary["posterior"]["posterior"] == "posterior.parquet"
    assert summary["posterior"]["parameters"] == list(NAMES)
    assert summary["completed_now"] == summary["chunks"]
    # --posterior replaces the study file's own
    code, out, err = cli(
        capsys,
        "study",
        "run",
        str(files / "study.yaml"),
        "--dir",
        str(directory),
        "--json",
        "--posterior",
        str(files / "other.parquet"),
    )
    assert code == 2 and out == ""
    assert "run with the posterior posterior.parquet" in err
    assert "this run has the posterior other.parquet" in err
    # the study file's own posterior is the one it started with: it resumes, and says so
    code, out, err = cli(capsys, "study", "run", str(files / "study.yaml"), "--dir", str(directory))
    assert code == 0 and "0 computed now" in out
    assert "parameters drawn from the posterior posterior.parquet" in err
    code, _, err = cli(capsys, *args)
    assert code == 2
    assert "resumes only with the posterior it started with" in err
    code, out, _ = cli(capsys, "study", "status", str(directory))
    assert code == 0 and "posterior posterior.parquet" in out


def test_a_posterior_naming_an_unknown_parameter_is_refused_before_any_chunk(
    files, tmp_path, capsys
):
    bad = tmp_path / "unknown.parquet"
    write_posterior(bad, ("actors.NOBODY.type_prior",), np.array([[0.5]]), np.ones(1), {})
    directory = tmp_path / "never"
    code, out, err = cli(
        capsys,
        "study",
        "run",
        str(files / "plain.yaml"),
        "--dir",
        str(directory),
        "--posterior",
        str(bad),
    )
    assert code == 2 and out == ""
    assert "unknown.parquet" in err and "actors.NOBODY" in err
    assert "Traceback" not in err
    assert not directory.exists()


def test_a_bad_posterior_file_names_the_file_and_the_column(files, tmp_path, capsys):
    bad = tmp_path / "bad.parquet"
    table = pa.table({"logit.precision": [1.0, 2.0], "weight": [1.0, float("nan")]})
    pq.write_table(table.replace_schema_metadata({b"crisislab": b"{}"}), bad)
    code, _, err = cli(
        capsys, "study", "validate", str(files / "plain.yaml"), "--posterior", str(bad)
    )
    assert code == 2
    assert f"{bad}: weight: must be finite" in err
    # named by the study file: the study file's field is blamed too
    study_file = tmp_path / "study.yaml"
    study_file.write_text(STUDY + "posterior: missing.parquet\n", "utf-8")
    code, _, err = cli(capsys, "study", "validate", str(study_file))
    assert code == 2
    assert f"{study_file}:" in err and "posterior: cannot use 'missing.parquet'" in err
    assert f"{tmp_path / 'missing.parquet'}: no such file" in err


def test_a_posterior_parameter_the_study_sets_itself_is_refused(files, tmp_path):
    clash = tmp_path / "clash.parquet"
    write_posterior(clash, ("actors.KH.control",), np.array([[0.5], [0.6]]), np.ones(2), {})
    with pytest.raises(BadInput, match=r"actors\.KH\.control: is also set by the study"):
        Study.load(files / "plain.yaml", clash)


def test_validate_names_the_posterior(files, capsys):
    code, out, _ = cli(capsys, "study", "validate", str(files / "study.yaml"))
    assert code == 0
    assert "parameters drawn from the posterior posterior.parquet (12 particles" in out


def test_the_study_report_says_which_posterior(reference):
    from crisislab.report import study_page

    results = StudyResults(reference)
    header = "".join(study_page._header(results, results.analyze(), str(reference)))
    assert "drawn from the posterior posterior.parquet" in header
    assert results.posterior is not None
    assert results.posterior["sha256"][:12] in header
