"""`crisislab study …`: validate, run, resume, status, query in three formats, analyze, and the
exit codes of bad input (2) and failed chunks (3)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

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


def test_query_prints_brackets_in_values_and_names_as_they_are(capsys, study_dir):
    sql = """SELECT '[/]' AS "[bold]", '[red]x[/red]' AS y"""
    code, out, err = cli(capsys, "study", "query", str(study_dir), sql)
    assert code == 0, err
    assert "[bold]" in out and "[/]" in out and "[red]x[/red]" in out


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


# --- `study query` is read-only and confined to the study --------------------------------------


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under `directory` by relative path, with its SHA-256."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


SECRET = "the contents of a private file"
ATTACKS = {
    "COPY over a part": (
        "COPY (SELECT 1 AS x) TO '{study}/runs/part-000000.parquet' (FORMAT parquet)"
    ),
    "COPY over a part by a relative path": "COPY (SELECT 1 AS x) TO 'runs/part-000001.parquet'",
    "COPY anywhere": "COPY (SELECT 42 AS x) TO '{elsewhere}/out.csv'",
    "COPY into the working directory": "COPY (SELECT 42 AS x) TO 'here.csv'",
    "read_text of a file": "SELECT * FROM read_text('{secret}')",
    "read_text of /etc/shadow": "SELECT * FROM read_text('/etc/shadow')",
    "read_csv of a file": "SELECT * FROM read_csv('{secret}')",
    "read_blob of a file": "SELECT * FROM read_blob('{secret}')",
    "listing a folder": "SELECT * FROM glob('{elsewhere}/*')",
    "INSTALL an extension": "INSTALL httpfs",
    "LOAD an extension": "LOAD httpfs",
    "the network": "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    "ATTACH a database": "ATTACH '{elsewhere}/x.duckdb' AS x",
    "SET a setting back": "SET enable_external_access = true",
    "a second statement": "SELECT 1; COPY (SELECT 1) TO '{elsewhere}/two.csv'",
    "CREATE a table": "CREATE TABLE t AS SELECT 1",
    "EXPORT the database": "EXPORT DATABASE '{elsewhere}/export'",
    "COPY inside query()": "SELECT * FROM query('COPY (SELECT 1) TO ''{elsewhere}/q.csv''')",
    "a PRAGMA": "PRAGMA enable_profiling",
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_query_refuses_every_write_read_elsewhere_or_network_access(
    capsys, monkeypatch, study_dir, tmp_path, attack
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    secret = elsewhere / "secret.txt"
    secret.write_text(f"name\n{SECRET}\n")
    monkeypatch.chdir(study_dir)  # relative paths would land in the study itself
    before, around = snapshot(study_dir), snapshot(tmp_path)
    sql = attack.format(study=study_dir, elsewhere=elsewhere, secret=secret)
    code, out, err = cli(capsys, "study", "query", str(study_dir), sql, "--format", "csv")
    assert code == 2, (out, err)
    assert out == "" and err.startswith("error: SQL: ") and err.count("\n") == 1
    assert SECRET not in err
    assert snapshot(study_dir) == before, "the study directory changed"
    assert snapshot(tmp_path) == around, "a file was written outside the study"


def test_queries_can_still_read_the_studys_own_files(capsys, study_dir):
    sql = f"SELECT count(*) AS n FROM read_parquet('{study_dir}/runs/part-000000.parquet')"
    code, out, _ = cli(capsys, "study", "query", str(study_dir), sql, "-f", "json")
    assert code == 0 and json.loads(out) == [{"n": 1100}]
    for sql in (
        "WITH w AS (SELECT * FROM runs) SELECT count(*) FROM w",
        "FROM design",
        "DESCRIBE runs",
    ):
        code, _, err = cli(capsys, "study", "query", str(study_dir), sql, "-f", "csv")
        assert code == 0, err


def test_the_python_connection_is_confined_and_locked_too(study_dir, tmp_path):
    import duckdb

    from crisislab.errors import StudyError
    from crisislab.experiments import StudyResults

    results = StudyResults(study_dir)
    with pytest.raises(StudyError, match="COPY is not allowed"):
        results.sql(f"COPY (SELECT 1) TO '{tmp_path}/x.csv'")
    con = results.connect()
    with pytest.raises(duckdb.PermissionException):
        con.execute(f"COPY (SELECT 1 AS x) TO '{study_dir}/runs/part-000000.parquet'")
    with pytest.raises(duckdb.Error, match="locked"):
        con.execute("SET enable_external_access = true")
    assert not list(tmp_path.iterdir())


# --- damaged and interrupted studies -------------------------------------------------------------


@pytest.fixture
def damaged_copy(study_dir, tmp_path) -> Path:
    """The study with the retaliatory policy's parts gone and one part of the other truncated."""
    directory = tmp_path / "damaged"
    shutil.copytree(study_dir, directory)
    for chunk in (3, 4, 5):
        (directory / "runs" / f"part-{chunk:06d}.parquet").unlink()
    part = directory / "runs" / "part-000002.parquet"
    part.write_bytes(part.read_bytes()[:1000])
    return directory


def test_status_names_damaged_parts(capsys, damaged_copy):
    code, out, err = cli(capsys, "study", "status", str(damaged_copy))
    assert code == 0
    assert out.strip() == "small: 2/6 chunks, 2,200/6,600 runs, 0 failed, 1 damaged"
    assert "part-000002.parquet (1,000 bytes where" in err and "truncated" in err


def test_run_says_it_computes_damaged_parts_again(capsys, damaged_copy):
    args = ["study", "run", str(FIXTURE), "--dir", str(damaged_copy)]
    code, out, err = cli(capsys, *args)
    assert code == 0
    assert "warning: 1 damaged part(s)" in err and "part-000002.parquet" in err
    assert "1 damaged computed again" in out
    code, out, _ = cli(capsys, *args, "--json")
    assert code == 0 and json.loads(out)["repaired"] == []


def test_analyze_and_report_of_an_interrupted_study_use_what_is_done(capsys, damaged_copy):
    code, out, err = cli(capsys, "study", "analyze", str(damaged_copy))
    assert code == 0, err
    assert "(2,200 of 6,600 runs)" in out and "no runs yet" in out
    assert "warning: the study is not finished: 2,200 of 6,600 runs" in err
    code, out, _ = cli(capsys, "study", "analyze", str(damaged_copy), "--json")
    result = json.loads(out)
    assert code == 0 and result["missing"]["policies_without_runs"] == ["doctrine=retaliatory"]
    page = damaged_copy.parent / "report.html"
    code, _, err = cli(capsys, "report", str(damaged_copy), "-o", str(page))
    assert code == 0, err
    assert "the study is not finished" in page.read_text("utf-8")


def test_analyze_gives_the_same_intervals_every_time(capsys, study_dir):
    first = cli(capsys, "study", "analyze", str(study_dir), "--json")
    assert first[0] == 0 and cli(capsys, "study", "analyze", str(study_dir), "--json") == first


# --- progress -----------------------------------------------------------------------------------


def terminal(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)


def test_the_progress_line_is_readable_at_80_columns(monkeypatch):
    import crisislab.cli_study as cli_study

    console = terminal(80)
    monkeypatch.setattr(cli_study, "err", console)
    bar = cli_study._progress(quiet=False)
    task = bar.add_task("restraint-under-weak-control-with-a-long-name", total=102_400, rate="")
    bar.update(task, completed=51_200, rate="1,234,567 runs/s")
    console.print(bar.get_renderable())
    (line,) = console.file.getvalue().splitlines()
    assert len(line) <= 80 and "…" not in line
    assert "51200/102400 chunks" in line and "1,234,567 runs/s" in line and "left" in line


def test_a_refused_directory_shows_no_progress(capsys, monkeypatch, tmp_path):
    import crisislab.cli_study as cli_study

    console = terminal(80)
    monkeypatch.setattr(cli_study, "err", console)
    (tmp_path / "notes.txt").write_text("mine")
    code, out, err = cli(capsys, "study", "run", str(FIXTURE), "--dir", str(tmp_path))
    assert code == 2 and "not empty and holds no study" in err
    assert console.file.getvalue() == "" and out == ""


def test_bad_executor_options_write_nothing(capsys, tmp_path):
    target = tmp_path / "x"
    code, _, _ = cli(capsys, "study", "run", str(FIXTURE), "--dir", str(target), "-e", "threads")
    assert code == 2 and not target.exists()


def test_a_full_disk_is_exit_2_naming_the_file_and_the_study_resumes(capsys, monkeypatch, tmp_path):
    import errno
    import os

    import crisislab.experiments.store as store_module

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to name the file being written")
    real, parts = store_module.os.fsync, []

    def fsync(fd: int) -> None:
        # the disk fills up at the second part written, whichever chunk finishes first
        path = os.readlink(f"/proc/self/fd/{fd}")
        if "/runs/.part-" in path:
            parts.append(path)
            if len(parts) == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(store_module, "CHECKPOINT_SECONDS", 3600)  # the manifest at the end
    monkeypatch.setattr(store_module.os, "fsync", fsync)
    directory = tmp_path / "full"
    code, _, err = cli(capsys, "study", "run", str(FIXTURE), "--dir", str(directory))
    assert code == 2
    failed = Path(parts[1]).name.split(".")[1]  # the temporary name is .<part>.parquet.<random>.tmp
    assert f"error: {directory}/runs/{failed}.parquet: cannot write: No space left" in err
    assert ".tmp" not in err and "Traceback" not in err
    monkeypatch.undo()
    code, out, _ = cli(capsys, "study", "run", str(FIXTURE), "--dir", str(directory), "--json")
    assert code == 0 and (json.loads(out)["skipped"], json.loads(out)["completed"]) == (1, 6)
