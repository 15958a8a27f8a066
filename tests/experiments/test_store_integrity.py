"""A study directory can be neither bricked nor silently corrupted: whatever a kill during its
creation leaves is resumed, a full disk is a clear error that a later run recovers from, damaged
parts (truncated, random bytes, replaced) are found by `status` and computed again by `run`, and
an interrupted study is analysed on what it has, saying what it lacks."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import crisislab.experiments.store as store_module
from crisislab.errors import OutputError, StudyError
from crisislab.experiments import Study, StudyResults
from crisislab.experiments.store import parquet_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def study() -> Study:
    return Study.load(FIXTURES / "small.yaml")


@pytest.fixture(scope="module")
def reference(study, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("reference") / "study"
    study.run(directory)
    return directory


def copy(reference: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "copy"
    shutil.copytree(reference, directory)
    return directory


def manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text("utf-8"))


# --- the manifest --------------------------------------------------------------------------------


def test_the_manifest_records_the_sha256_and_size_of_the_design_and_every_part(reference):
    recorded = manifest(reference)
    parts = sorted((reference / "runs").glob("part-*.parquet"))
    assert sorted(recorded["parts"]) == [p.name for p in parts]
    for path in [*parts, reference / "design.parquet"]:
        entry = recorded["parts"].get(path.name) or recorded["design"]
        data = path.read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


# --- kills while the directory is created --------------------------------------------------------

# What a kill at each moment of the creation can leave, as the names of the reference's files
# present (a temporary file is what `atomic_write` had not yet renamed).
CREATION_MOMENTS = {
    "the folder made, nothing in it": [],
    "the manifest half-written": [".manifest.json.x1y2.tmp"],
    "an earlier version's study file only": ["study.yaml"],
    "an earlier version's study file and design, no manifest": [
        "study.yaml",
        "design.parquet",
        ".manifest.json.a.tmp",
    ],
    "the manifest alone (killed just after the claim)": ["manifest.json"],
    "the manifest and the study file": ["manifest.json", "study.yaml", ".design.parquet.q.tmp"],
}


@pytest.mark.parametrize("left", CREATION_MOMENTS.values(), ids=CREATION_MOMENTS.keys())
def test_a_study_killed_while_created_resumes_to_the_same_files(study, reference, tmp_path, left):
    directory = tmp_path / "killed"
    directory.mkdir()
    for name in left:
        source = reference / name
        if name.endswith(".tmp"):
            (directory / name).write_bytes(b"half")
        else:
            fresh = dict(manifest(reference), parts={}) if name == "manifest.json" else None
            data = json.dumps(fresh, indent=1).encode() if fresh else source.read_bytes()
            (directory / name).write_bytes(data)
    results = study.run(directory)
    assert results.report is not None and results.report.completed == 6
    assert files(directory) == files(reference)


def test_a_folder_with_someone_elses_file_is_still_refused_and_left_alone(study, tmp_path):
    (tmp_path / "study.yaml").write_text("name: mine\n")
    with pytest.raises(StudyError, match="not empty and holds no study"):
        study.run(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["study.yaml"]
    assert (tmp_path / "study.yaml").read_text() == "name: mine\n"


def test_a_file_where_the_directory_should_be_is_refused(study, tmp_path):
    (tmp_path / "taken").write_text("x")
    with pytest.raises(StudyError, match="exists and is not a directory"):
        study.run(tmp_path / "taken")


def test_a_design_damaged_after_the_claim_is_written_again(study, reference, tmp_path):
    directory = copy(reference, tmp_path)
    (directory / "design.parquet").write_bytes(b"PAR1 not really")
    (directory / "study.yaml").unlink()
    assert StudyResults(directory).points()["runs"].tolist() == [1100] * 6  # read from manifest
    study.run(directory)
    assert files(directory) == files(reference)


# --- a full disk ---------------------------------------------------------------------------------


def full_disk_after(monkeypatch, writes: int) -> None:
    """Let `writes` files through, then fail every write as a full disk does."""
    real = os.fsync
    count = [0]

    def fsync(fd: int) -> None:
        if sys._getframe(1).f_code.co_name == "atomic_write":  # the study's files only
            count[0] += 1
            if count[0] > writes:
                raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(store_module.os, "fsync", fsync)
    monkeypatch.setattr(store_module, "CHECKPOINT_SECONDS", 3600)  # the manifest at the end


@pytest.mark.parametrize("writes", [0, 1, 3, 5], ids=lambda n: f"after {n} files")
def test_a_full_disk_is_an_output_error_and_a_later_run_finishes_the_study(
    study, reference, tmp_path, monkeypatch, writes
):
    directory = tmp_path / "full"
    full_disk_after(monkeypatch, writes)
    with pytest.raises(OutputError, match="No space left on device") as info:
        study.run(directory)
    (problem,) = info.value.problems
    assert problem.source.startswith(str(directory)) and ".tmp" not in problem.source
    assert not list(tmp_path.rglob("*.tmp")), "a temporary file was left behind"
    monkeypatch.undo()
    study.run(directory)
    assert files(directory) == files(reference)


# --- damaged parts -------------------------------------------------------------------------------


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def randomise(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def replace_with_another_part(path: Path) -> None:
    other = path.with_name("part-000000.parquet")
    path.write_bytes(other.read_bytes())


def overwrite_like_copy(path: Path) -> None:
    """What `COPY (SELECT 1 AS x) TO 'runs/part-….parquet'` did before queries became read-only."""
    path.write_bytes(parquet_bytes(pa.table({"x": [1]})))


DAMAGE = {
    "truncated": truncate,
    "random bytes": randomise,
    "another chunk's part": replace_with_another_part,
    "overwritten by a query": overwrite_like_copy,
}


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "not yet recorded"])
@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_parts_are_found_by_status_and_computed_again_by_run(
    study, reference, tmp_path, damage, recorded
):
    directory = copy(reference, tmp_path)
    if not recorded:  # killed before the manifest's checkpoint: the part is checked by decoding
        entry = manifest(directory)
        entry["parts"].pop("part-000003.parquet")
        (directory / "manifest.json").write_text(json.dumps(entry, indent=1))
    damage(directory / "runs" / "part-000003.parquet")

    status = StudyResults(directory).status()
    assert (status["completed"], status["damaged"]) == (5, 1)
    assert status["runs"] == 5500
    assert [d["part"] for d in status["damaged_parts"]] == ["part-000003.parquet"]
    assert StudyResults(directory).sql("SELECT count(*) FROM runs").fetchall() == [(5500,)]

    results = study.run(directory)
    assert results.report is not None
    assert list(results.report.repaired) == ["part-000003.parquet"]
    assert (results.report.skipped, results.report.completed) == (5, 1)
    assert files(directory) == files(reference)


def test_a_stray_part_that_no_chunk_has_is_removed(study, reference, tmp_path):
    directory = copy(reference, tmp_path)
    shutil.copy(
        directory / "runs" / "part-000001.parquet", directory / "runs" / "part-000099.parquet"
    )
    assert StudyResults(directory).status()["damaged"] == 1
    results = study.run(directory)
    assert results.report is not None and results.report.completed == 0
    assert files(directory) == files(reference)


def test_parts_stored_after_the_last_checkpoint_are_accepted_and_recorded(
    study, reference, tmp_path
):
    directory = copy(reference, tmp_path)
    entry = manifest(directory)
    entry["parts"] = {}
    (directory / "manifest.json").write_text(json.dumps(entry, indent=1))
    results = study.run(directory)
    assert results.report is not None and results.report.skipped == 6
    assert files(directory) == files(reference)


# --- an interrupted study ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def interrupted(reference, tmp_path_factory) -> Path:
    """The study with only its first policy's three chunks, and one of those damaged."""
    directory = tmp_path_factory.mktemp("interrupted") / "study"
    shutil.copytree(reference, directory)
    for chunk in (3, 4, 5):
        (directory / "runs" / f"part-{chunk:06d}.parquet").unlink()
    truncate(directory / "runs" / "part-000002.parquet")
    return directory


def test_an_interrupted_study_is_analysed_on_its_runs_and_says_what_is_missing(interrupted):
    result = StudyResults(interrupted).analyze()
    assert (result["runs"], result["total_runs"], result["complete"]) == (2200, 6600, False)
    assert result["missing"] == {
        "chunks": 4,
        "runs": 4400,
        "failed_chunks": 0,
        "damaged_parts": 1,
        "points_without_runs": 4,
        "policies_without_runs": ["doctrine=retaliatory"],
    }
    first = result["warnings"][0]
    assert first.startswith("the study is not finished: 2,200 of 6,600 runs, 2 of 6 chunks")
    assert "no runs yet for doctrine=retaliatory" in first
    assert any("robustness: no runs yet for doctrine=retaliatory" in w for w in result["warnings"])
    restraint, retaliatory = result["policies"]
    assert restraint["runs"] == 2200 and restraint["outcomes"]["war"]["ci"] is not None
    assert retaliatory["runs"] == 0 and retaliatory["outcomes"]["war"]["p"] is None
    json.dumps(result)


def test_the_analysis_of_a_study_is_the_same_every_time(reference):
    results = StudyResults(reference)
    assert results.analyze() == results.analyze()


@pytest.mark.parametrize("name", ["runs/part-000003.parquet", "design.parquet"])
def test_a_file_of_the_study_replaced_by_a_link_is_never_read(reference, tmp_path, name):
    """Even with a manifest forged to match, a link cannot lead a query out of the study."""
    import duckdb

    directory = copy(reference, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("the contents of a private file\n")
    entry = manifest(directory)
    forged = {"sha256": hashlib.sha256(secret.read_bytes()).hexdigest(), "bytes": 31}
    if name == "design.parquet":
        entry["design"] = forged
    else:
        entry["parts"][Path(name).name] = forged
    (directory / "manifest.json").write_text(json.dumps(entry, indent=1))
    (directory / name).unlink()
    (directory / name).symlink_to(secret)

    results = StudyResults(directory)
    assert results.points()["runs"].sum() == 6600 - (1100 if name.startswith("runs") else 0)
    with pytest.raises(duckdb.PermissionException):
        results.sql(f"SELECT * FROM read_text('{directory / name}')").fetchall()
