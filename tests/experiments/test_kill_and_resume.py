"""A study killed with SIGKILL at any moment and run again gives byte-for-byte the results of an
uninterrupted run: no chunk lost, none duplicated. Tested by killing a real `crisislab` process."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crisislab.experiments import Study

FIXTURES = Path(__file__).parent / "fixtures"


def files(directory: Path) -> dict[str, bytes]:
    """Every file of a study directory but the copy of the study file, by relative path."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def start(study_file: Path, directory: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "crisislab", "study", "run", str(study_file)]
    command += ["--dir", str(directory), "--executor", "process", "--workers", "2", "--json"]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )


def kill_when(process: subprocess.Popen, ready, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers, at once
    process.wait()


@pytest.fixture(scope="module")
def study_file(tmp_path_factory) -> Path:
    text = (FIXTURES / "small.yaml").read_text("utf-8")
    path = tmp_path_factory.mktemp("kill") / "longer.yaml"
    path.write_text(text.replace("days: 40", "days: 150").replace("samples: 3", "samples: 5"))
    return path


def test_killed_study_resumes_to_byte_identical_results(study_file, tmp_path):
    reference = tmp_path / "reference"
    Study.load(study_file).run(reference)
    total = len(list((reference / "runs").glob("part-*.parquet")))
    assert total == 10

    directory = tmp_path / "killed"
    parts = lambda: list((directory / "runs").glob("part-*.parquet"))  # noqa: E731
    moments = [
        lambda: True,  # while the command is still starting
        lambda: (directory / "manifest.json").exists(),  # as soon as the study exists
        lambda: len(parts()) >= 1,
        lambda: len(parts()) >= total // 2,
    ]
    progress = []
    for ready in moments:
        kill_when(start(study_file, directory), ready)
        progress.append(len(parts()) if directory.exists() else 0)
    assert progress[-1] < total, "the last kill came too late to interrupt anything"

    finish = start(study_file, directory)
    _, stderr = finish.communicate(timeout=300)
    assert finish.returncode == 0, stderr.decode()
    assert files(directory) == files(reference)
