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
        lambda: directory.exists(),  # while the directory is claimed
        lambda: (directory / "manifest.json").exists(),  # as soon as the study exists
        lambda: (directory / "design.parquet").exists(),  # while it is completed
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


# --- Ctrl-C and kill -9 of a study on worker processes -------------------------------------------


@pytest.fixture(scope="module")
def long_study_file(tmp_path_factory) -> Path:
    """A study far longer than the tests let it run (400 chunks)."""
    text = (FIXTURES / "small.yaml").read_text("utf-8")
    path = tmp_path_factory.mktemp("long") / "long.yaml"
    path.write_text(text.replace("days: 40", "days: 200").replace("samples: 3", "samples: 200"))
    return path


def group_members(group: int) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == group:
            members.append(int(entry.name))
    return members


def wait_until_empty(group: int, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def start_interruptible(study_file: Path, directory: Path, executor: str) -> subprocess.Popen:
    """`study run` in its own process group, with Ctrl-C delivered as a terminal would."""
    if executor == "dask":
        pytest.importorskip("distributed")
    command = [sys.executable, "-m", "crisislab", "study", "run", str(study_file)]
    command += ["--dir", str(directory), "--executor", executor, "--workers", "2"]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_a_part(process: subprocess.Popen, directory: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not list((directory / "runs").glob("part-*.parquet")):
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, "no part was stored in time"
        time.sleep(0.05)


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@linux_only
@pytest.mark.parametrize("executor", ["process", "dask"])
def test_ctrl_c_stops_a_study_with_one_line_exit_130_and_no_workers_left(
    long_study_file, tmp_path, executor
):
    directory = tmp_path / "interrupted"
    process = start_interruptible(long_study_file, directory, executor)
    wait_for_a_part(process, directory)
    os.killpg(process.pid, signal.SIGINT)  # the whole foreground group, as a terminal does
    _, stderr = process.communicate(timeout=60)
    text = stderr.decode()
    assert process.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    last = text.strip().splitlines()[-1]
    assert last.startswith("interrupted: ") and "run the same command again to resume" in last
    assert wait_until_empty(process.pid) == []
    kept = len(list((directory / "runs").glob("part-*.parquet")))
    assert f"interrupted: {kept} of 400 chunks" in last


@linux_only
@pytest.mark.parametrize("executor", ["process", "dask"])
def test_workers_exit_when_a_study_is_killed_with_sigkill(long_study_file, tmp_path, executor):
    directory = tmp_path / "killed"
    process = start_interruptible(long_study_file, directory, executor)
    wait_for_a_part(process, directory)
    assert len(group_members(process.pid)) >= 3  # the command and its two workers
    os.kill(process.pid, signal.SIGKILL)  # the command alone: its workers are orphaned
    process.communicate(timeout=60)
    assert wait_until_empty(process.pid) == [], "worker processes outlived the study"
