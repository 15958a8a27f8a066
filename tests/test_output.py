"""Outputs write through what they name: regular files atomically in their own folder, symbolic
links followed, pipes and devices written in place; every failure an OutputError naming the path
asked for, never a temporary name."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from crisislab.errors import OutputError
from crisislab.output import open_output, target, write_bytes, write_text, writes_through


def no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_new_regular_file_is_written_whole_with_the_usual_permissions(tmp_path):
    path = tmp_path / "out.csv"
    write_text(path, "a,b\n1,2\n")
    assert path.read_text() == "a,b\n1,2\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert no_temporaries(tmp_path)


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    path.chmod(0o640)
    write_text(path, "new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError), open_output(path) as handle:
        handle.write("half of the new")
        raise RuntimeError("the work failed")
    assert path.read_text() == "old"
    assert no_temporaries(tmp_path)


def test_an_interrupt_while_writing_leaves_no_file(tmp_path):
    path = tmp_path / "out.txt"
    with pytest.raises(KeyboardInterrupt), open_output(path) as handle:
        handle.write("part")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "data" / "real.csv"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert not writes_through(link)
    write_text(link, "new")
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text() == "new"
    assert no_temporaries(tmp_path) and no_temporaries(real.parent)


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "made.csv")
    write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "made.csv").read_text() == "x"


def test_a_named_pipe_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    try:
        assert writes_through(fifo)
        write_bytes(fifo, b"through the pipe\n")
    finally:
        reader.join(timeout=30)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe, not replaced by a file


def test_a_character_device_is_written_through():
    assert writes_through("/dev/null")
    write_text("/dev/null", "nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_is_an_output_error_naming_the_path():
    with pytest.raises(OutputError) as exc:
        write_text("/dev/full", "x" * 100_000)
    assert str(exc.value) == "/dev/full: cannot write: no space left on the device"


def test_a_missing_folder_is_named(tmp_path):
    path = tmp_path / "missing" / "out.csv"
    with pytest.raises(OutputError) as exc:
        target(path)
    assert f"the folder {path.parent} does not exist" in str(exc.value)
    assert str(exc.value).startswith(str(path))
    assert ".tmp" not in str(exc.value)


def test_a_path_under_a_file_is_named(tmp_path):
    (tmp_path / "file").write_text("")
    path = tmp_path / "file" / "out.csv"
    with pytest.raises(OutputError) as exc:
        write_text(path, "x")
    assert f"{tmp_path / 'file'} is not a folder" in str(exc.value)


def test_a_folder_is_not_a_file_name(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        write_text(tmp_path, "x")
    with pytest.raises(OutputError, match="names a folder"):
        write_text(f"{tmp_path}/new/", "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_a_read_only_folder_is_named_and_never_a_temporary_name(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError) as exc:
            write_text(folder / "out.csv", "x")
    finally:
        folder.chmod(0o755)
    message = str(exc.value)
    assert message.startswith(str(folder / "out.csv")) and "permission denied" in message
    assert ".tmp" not in message
