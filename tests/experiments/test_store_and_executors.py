"""The store and the executors: parts are byte-identical whoever computes them, failures are
recorded as data, and a re-run resumes."""

import shutil
from pathlib import Path

import pytest

import crisislab.experiments.runner as runner
from crisislab.errors import StudyError
from crisislab.experiments import SequentialExecutor, Study, StudyResults, open_executor

FIXTURES = Path(__file__).parent / "fixtures"


def part_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((directory / "runs").glob("part-*.parquet"))}


@pytest.fixture(scope="module")
def study():
    return Study.load(FIXTURES / "small.yaml")


@pytest.fixture(scope="module")
def reference(study, tmp_path_factory) -> Path:
    """The study run once, sequentially, start to finish."""
    directory = tmp_path_factory.mktemp("reference") / "study"
    study.run(directory)
    return directory


def test_a_study_directory_holds_spec_manifest_design_and_one_part_per_chunk(reference, study):
    names = {p.name for p in reference.iterdir()}
    assert {"study.yaml", "manifest.json", "design.parquet", "runs"} <= names
    assert len(part_bytes(reference)) == len(study.design.chunks)
    assert not list(reference.rglob(".*.tmp"))


def test_points_count_every_run_once(reference):
    points = StudyResults(reference).points()
    assert points["runs"].tolist() == [1100] * 6
    total = points[["n_stable_deescalation", "n_frozen_conflict", "n_war"]].sum(axis=1)
    assert (total == points["runs"]).all()
    assert points["p_war"].between(0, 1).all()
    assert StudyResults(reference).runs().count("*").fetchall() == [(6600,)]


@pytest.mark.parametrize("n_workers", [1, 2, 3])
def test_the_process_pool_gives_byte_identical_parts(study, reference, tmp_path, n_workers):
    with open_executor("process", workers=n_workers) as (pool, workers):
        study.run(tmp_path / "pool", pool, workers)
    assert part_bytes(tmp_path / "pool") == part_bytes(reference)


def test_outcomes_of_interest_pool_every_run_of_a_policy(reference):
    results = StudyResults(reference)
    points = results.points()
    pooled = {row["policy"]: row for row in results.outcomes_of_interest()}
    assert set(pooled) == {"doctrine=restraint", "doctrine=retaliatory"}
    for policy, rows in points.groupby("policy"):
        war = pooled[policy]["outcomes"]["war"]
        assert war["p"] == pytest.approx(rows["n_war"].sum() / rows["runs"].sum(), abs=1e-6)
        assert war["ci"][0] <= war["p"] <= war["ci"][1]
        assert pooled[policy]["runs"] == 3300


def test_dask_local_cluster_gives_byte_identical_parts(study, reference, tmp_path):
    pytest.importorskip("distributed")
    with open_executor("dask", workers=2) as (client, workers):
        study.run(tmp_path / "dask", client, workers)
    assert part_bytes(tmp_path / "dask") == part_bytes(reference)


def _worker_settings() -> tuple:
    import os
    import sys

    import dask

    return (
        os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        dask.config.get("distributed.worker.profile.enabled"),
        dask.config.get("distributed.admin.tick.interval"),
        "crisislab.engine.kernel" in sys.modules and "pandas" in sys.modules,
    )


def test_local_cluster_workers_are_warm_and_quiet():
    """Workers of crisislab's own cluster start with the day loop and the part encoding loaded,
    keep glibc's adaptive mmap threshold, and run without the profiler and 20 ms ticks."""
    pytest.importorskip("distributed")
    with open_executor("dask", workers=1) as (client, _):
        trim, profiling, tick, warm = client.submit(_worker_settings).result()
    assert (trim, profiling, tick, warm) == (None, False, "1s", True)


def test_chunk_size_does_not_change_the_runs(monkeypatch, study, reference, tmp_path):
    import crisislab.experiments.design as design_module

    monkeypatch.setattr(design_module, "MAX_CHUNK_BLOCKS", 1)
    small_chunks = Study(study.spec, study.scenario, study.text)
    small_chunks.run(tmp_path / "small")
    query = "SELECT * FROM runs ORDER BY point, run"
    a = StudyResults(tmp_path / "small").sql(query).fetchall()
    b = StudyResults(reference).sql(query).fetchall()
    assert a == b


def test_a_rerun_recomputes_only_missing_parts(study, reference, tmp_path):
    directory = tmp_path / "resumed"
    shutil.copytree(reference, directory)
    for name in ("part-000001.parquet", "part-000004.parquet"):
        (directory / "runs" / name).unlink()
    (directory / "runs" / ".part-000002.parquet.x.tmp").write_bytes(b"half a part")
    results = study.run(directory)
    assert results.report.skipped == 4 and results.report.completed == 2
    assert part_bytes(directory) == part_bytes(reference)
    assert not list(directory.rglob(".*.tmp"))


def test_a_failing_chunk_is_recorded_and_the_study_goes_on(monkeypatch, study, reference, tmp_path):
    real = runner.simulate_chunk

    def flaky(scenario, seed, first_block, n_blocks, *args):
        if scenario.actors["USA"].doctrine == "retaliatory" and seed == study.design.seed(1):
            raise RuntimeError("worker ran out of luck")
        return real(scenario, seed, first_block, n_blocks, *args)

    monkeypatch.setattr(runner, "simulate_chunk", flaky)
    results = study.run(tmp_path / "flaky", SequentialExecutor())
    assert (results.report.completed, results.report.failed) == (5, 1)
    [failure] = results.store.failures()
    assert (failure.chunk, failure.point, failure.error) == (4, 4, "RuntimeError")
    assert "worker ran out of luck" in failure.message
    assert results.sql("SELECT chunk, error FROM failures").fetchall() == [(4, "RuntimeError")]
    assert results.points().set_index("point").loc[4, "runs"] == 0

    monkeypatch.setattr(runner, "simulate_chunk", real)
    retried = study.run(tmp_path / "flaky")
    assert (retried.report.completed, retried.report.failed) == (1, 0)
    assert retried.store.failures() == []
    assert part_bytes(tmp_path / "flaky") == part_bytes(reference)


def test_a_directory_of_another_study_is_refused(study, reference, tmp_path):
    directory = tmp_path / "other"
    shutil.copytree(reference, directory)
    changed = study.spec.model_copy(update={"seed": 4})
    with pytest.raises(StudyError, match="different specification"):
        Study(changed, study.scenario).run(directory)


def test_a_non_empty_folder_is_not_taken_over(study, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StudyError, match="not empty"):
        study.run(tmp_path)


def test_bad_executor_settings_are_bad_input():
    with pytest.raises(StudyError, match="must be one of"):
        open_executor("threads").__enter__()
    with pytest.raises(StudyError, match="only the dask executor"):
        open_executor("process", scheduler="tcp://127.0.0.1:1").__enter__()


def test_a_dask_scheduler_address_gives_byte_identical_parts(reference, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    from crisislab.cli import main

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        args = ["study", "run", str(FIXTURES / "small.yaml"), "--dir", str(tmp_path / "remote")]
        args += ["--executor", "dask", "--scheduler", cluster.scheduler_address, "--json"]
        with pytest.raises(SystemExit) as exit_:
            main(args)
    assert exit_.value.code == 0, capsys.readouterr().err
    assert part_bytes(tmp_path / "remote") == part_bytes(reference)


def test_an_unreachable_scheduler_is_bad_input(capsys, tmp_path):
    pytest.importorskip("distributed")
    from crisislab.cli import main

    args = ["study", "run", str(FIXTURES / "small.yaml"), "--dir", str(tmp_path / "x")]
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert exit_.value.code == 2
    assert "cannot reach a scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_a_study_started_by_another_version_is_not_resumed(study, reference, tmp_path):
    import json

    directory = tmp_path / "old"
    shutil.copytree(reference, directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["crisislab"] = "0.0.1"
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StudyError, match=r"started by crisislab 0\.0\.1"):
        study.run(directory)
