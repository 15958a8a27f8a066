"""`crisislab study …`: validate, run, resume, status, query in three formats, analyze, and the
exit codes of bad input (2) and failed chunks (3)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import crisislab.experiments.runner as runner
from crisislab.cli import main

FIXTURE = Path(__file__).parents[1] / "experiments" / "fixtures" / "small.yaml"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "small"
    with pytest.raises(SystemExit) as exit_:
        main(["study", "run", str(FIXTURE), "--dir", str(directory), "--json"])
    assert exit_.value.code == 0
    return directory


def test_validate_prints_the_size_of_the_design(capsys):
    code, out, _ = cli(capsys, "study", "validate", str(FIXTURE))
    assert code == 0
    assert "2 policies × 3 futures = 6 points × 1,100 runs = 6,600 runs (lhs sampler)" in out


def test_validate_reports_problems_with_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text("utf-8").replace("samples: 3", "samples: -3"))
    code, out, err = cli(capsys, "study", "validate", str(bad))
    assert code == 2 and out == ""
    assert f"error: {bad}:13:1: samples: Input should be greater than or equal to 1" in err
    assert "Traceback" not in err


def test_examples_lists_the_shipped_studies(capsys):
    code, out, _ = cli(capsys, "study", "examples")
    assert code == 0 and "restraint-under-weak-control:" in out


def test_run_then_run_again_resumes_with_nothing_to_do(capsys, study_dir):
    code, out, _ = cli(capsys, "study", "run", str(FIXTURE), "--dir", str(study_dir), "--json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["skipped"], summary["completed_now"], summary["completed"]) == (6, 0, 6)
    assert (summary["runs"], summary["total_runs"], summary["failed"]) == (6600, 6600, 0)


def test_status_counts_chunks_and_runs(capsys, study_dir):
    code, out, _ = cli(capsys, "study", "status", str(study_dir))
    assert code == 0 and out.strip() == "small: 6/6 chunks, 6,600/6,600 runs, 0 failed"


SQL = "SELECT policy, sum(runs) AS runs, sum(n_war) AS wars FROM points GROUP BY 1 ORDER BY 1"


def test_query_prints_a_table_csv_or_json(capsys, study_dir):
    code, table, _ = cli(capsys, "study", "query", str(study_dir), SQL)
    assert code == 0 and "doctrine=restraint" in table and "3300" in table
    code, text, _ = cli(capsys, "study", "query", str(study_dir), SQL, "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["policy", "runs", "wars"] and len(rows) == 3
    code, text, _ = cli(capsys, "study", "query", str(study_dir), SQL, "--format", "json")
    records = json.loads(text)
    assert [r["policy"] for r in records] == ["doctrine=restraint", "doctrine=retaliatory"]
    assert records[0]["runs"] == 3300 and records[0]["wars"] < records[1]["wars"]


def test_query_reads_dotted_columns_with_double_quotes(capsys, study_dir):
    sql = 'SELECT count(*) AS n FROM points WHERE "actors.KH.control" BETWEEN 0.3 AND 0.95'
    code, out, _ = cli(capsys, "study", "query", str(study_dir), sql, "-f", "json")
    assert code == 0 and json.loads(out) == [{"n": 6}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELECT * FROM nowhere"], "error: SQL: Catalog Error"),
        (["SELECT 1", "--format", "xml"], "must be table, csv or json"),
    ],
)
def test_bad_queries_are_bad_input(capsys, study_dir, args, message):
    code, out, err = cli(capsys, "study", "query", str(study_dir), *args)
    assert code == 2 and out == "" and message in err


def test_query_on_a_folder_that_is_no_study_is_bad_input(capsys, tmp_path):
    code, _, err = cli(capsys, "study", "query", str(tmp_path), "SELECT 1")
    assert code == 2 and "not a study directory" in err


def test_analyze_json_has_every_part(capsys, study_dir):
    code, out, _ = cli(capsys, "study", "analyze", str(study_dir), "--json", "--threshold", "0.2")
    result = json.loads(out)
    assert code == 0
    assert {"policies", "robustness", "sensitivity", "discovery", "warnings"} <= set(result)
    assert result["robustness"]["criterion"] == "P(war) ≤ 20%"
    assert result["robustness"]["minimax_regret"] == "doctrine=restraint"
    assert set(result["discovery"]) == {"war", "frozen_conflict"}


def test_analyze_prints_tables_and_the_discovery_sentences(capsys, study_dir):
    code, out, _ = cli(capsys, "study", "analyze", str(study_dir))
    assert code == 0
    assert "outcomes per policy" in out and "minimax regret: doctrine=restraint" in out
    assert "Scenario discovery (PRIM)" in out


def test_analyze_refuses_an_unknown_outcome(capsys, study_dir):
    code, _, err = cli(capsys, "study", "analyze", str(study_dir), "--outcome", "peace")
    assert code == 2 and "unknown outcome 'peace'" in err


def test_a_failed_chunk_gives_exit_code_3_and_a_retry_completes(capsys, monkeypatch, tmp_path):
    real = runner.simulate_chunk

    def fails_once(scenario, seed, first_block, n_blocks, *args):
        if scenario.actors["USA"].doctrine == "retaliatory":
            raise RuntimeError("lost the worker")
        return real(scenario, seed, first_block, n_blocks, *args)

    monkeypatch.setattr(runner, "simulate_chunk", fails_once)
    directory = str(tmp_path / "s")
    code, out, err = cli(capsys, "study", "run", str(FIXTURE), "--dir", directory)
    assert code == 3
    assert "3 chunk(s) failed" in err and "RuntimeError: lost the worker" in err
    monkeypatch.setattr(runner, "simulate_chunk", real)
    code, out, err = cli(capsys, "study", "run", str(FIXTURE), "--dir", directory, "--json")
    assert code == 0 and json.loads(out)["completed_now"] == 3


def test_a_directory_of_another_study_is_bad_input(capsys, study_dir, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(FIXTURE.read_text("utf-8").replace("seed: 3", "seed: 4"))
    code, _, err = cli(capsys, "study", "run", str(other), "--dir", str(study_dir))
    assert code == 2 and "different specification" in err


def test_bad_executor_options_are_bad_input(capsys, tmp_path):
    code, _, err = cli(
        capsys, "study", "run", str(FIXTURE), "--dir", str(tmp_path / "x"), "-e", "threads"
    )
    assert code == 2 and "must be one of sequential, process, dask" in err
