"""Writing the files the commands are asked to write (`-o`, `--plot`, `--report`).

What a path names decides how it is written:

- a regular file, or a name that does not exist yet: atomically, through a temporary file in the
  target's own folder renamed over it, so a reader sees the old file or the whole new one and a
  failure leaves no part of one;
- a symbolic link: followed, and its target written as above (the link stays a link);
- anything else that is not a folder (a named pipe, a terminal, ``/dev/stdout``, ``/dev/null``):
  written through, as a shell's ``>`` would; renaming over it would replace it with a file.

Every failure is an `OutputError` naming the path that was asked for (never the temporary name):
a missing or read-only folder, a folder given as a file, a full disk, a pipe whose reader left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crisislab.errors import OutputError, Problem

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: new files get the usual permissions, not mkstemp's private 0600

# Paths whose files stand for open descriptors (/dev/stdout, /proc/self/fd/1): always written
# through, even when the descriptor is a regular file, so the writes go where the shell sent them
SPECIAL_ROOTS = ("/dev/", "/proc/")

REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EPIPE: "the reader of the pipe went away",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENXIO: "nothing is reading it (a socket or a device that cannot be opened)",
    errno.EISDIR: "it is a folder; give a file name",
}


@dataclass(frozen=True)
class Target:
    """Where the bytes for `asked` go: `path` itself when `through`, else a temporary file in
    `path`'s folder renamed to `path`."""

    asked: str
    path: Path
    through: bool


def _fail(asked: str, message: str) -> OutputError:
    return OutputError([Problem(asked, "", message)])


def _reason(exc: OSError) -> str:
    """Why a write failed, in words that name no file (the caller names the file asked for)."""
    return REASONS.get(exc.errno or 0) or (exc.strerror or type(exc).__name__).lower()


def _is_special(path: str) -> bool:
    return path.startswith(SPECIAL_ROOTS)


def target(path: str | Path) -> Target:
    """Where and how `path` will be written; an `OutputError` if it cannot be.

    Checks what can be checked without writing (the folder exists, is a folder, can be written
    in), so a command can call it before it starts its work."""
    asked = os.fspath(path)
    if not asked:
        raise _fail("''", "no file name given")
    if asked.endswith(("/", os.sep)):
        raise _fail(asked, "names a folder; give a file name")
    try:
        info = os.stat(asked)  # follows symbolic links
    except FileNotFoundError:
        info = None  # a new file, or a link to one
    except NotADirectoryError:
        raise _fail(asked, f"{_display(Path(asked).parent)} is not a folder") from None
    except OSError as exc:
        raise _fail(asked, f"cannot write: {_reason(exc)}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _fail(asked, "is a folder; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        return Target(asked, Path(asked), through=True)  # a pipe, a terminal, a device
    if info is not None and _is_special(asked):
        return Target(asked, Path(asked), through=True)  # /dev/stdout sent to a file
    real = Path(os.path.realpath(asked))
    if info is not None:
        try:
            same = os.path.samefile(real, asked)
        except OSError:
            same = False
        if not same or _is_special(str(real)):
            return Target(asked, Path(asked), through=True)  # a descriptor's magic link
        if not os.access(real, os.W_OK):
            raise _fail(asked, "the file is read-only")
    shown = real.parent if os.path.islink(asked) else Path(asked).parent
    _check_folder(asked, real.parent, shown)
    return Target(asked, real, through=False)


def _display(folder: Path) -> str:
    text = str(folder)
    return "the current folder" if text in ("", ".") else text


def _check_folder(asked: str, folder: Path, shown: Path) -> None:
    if not folder.exists():
        raise _fail(asked, f"the folder {_display(shown)} does not exist")
    if not folder.is_dir():
        raise _fail(asked, f"{_display(shown)} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _fail(asked, f"cannot write in the folder {_display(shown)}: permission denied")


def check(path: str | Path, inputs: Iterable[str | Path] = ()) -> None:
    """Raise an `OutputError` now if `path` cannot be written (before any work is done), or is
    one of the files in `inputs` that the command reads."""
    _refuse_inputs(target(path), inputs)


def writes_through(path: str | Path, inputs: Iterable[str | Path] = ()) -> bool:
    """Whether `path` is written in place (a pipe, a device) rather than replaced atomically;
    refused as `check` refuses it."""
    where = target(path)
    _refuse_inputs(where, inputs)
    return where.through


def _refuse_inputs(where: Target, inputs: Iterable[str | Path]) -> None:
    """Refuse an output that is an input file of the command, or inside an input folder:
    writing it would destroy what is read."""
    if where.through or not where.path.exists():
        return
    for source in inputs:
        if os.path.isfile(source) and os.path.samefile(source, where.path):
            what = f"the input {os.fspath(source)} itself"
        elif os.path.isdir(source) and where.path.is_relative_to(os.path.realpath(source)):
            what = f"inside the input folder {os.fspath(source)}"
        else:
            continue
        raise _fail(
            where.asked, f"is {what}; writing it would replace what is read, give another file"
        )


@contextmanager
def open_output(
    path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO[Any]]:
    """A file object to write `path` with (``mode`` ``"w"`` or ``"wb"``), committed when the
    block ends without an exception and discarded (where it can be) when it raises."""
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": encoding, "newline": newline}
    where = target(path)
    if where.through:
        with _through(where, mode, kwargs) as handle:
            yield handle
        return
    with _atomic(where, mode, kwargs) as handle:
        yield handle


@contextmanager
def _through(where: Target, mode: str, kwargs: dict[str, Any]) -> Iterator[IO[Any]]:
    try:
        handle = open(where.path, mode, **kwargs)  # noqa: SIM115 (closed below, errors mapped)
    except OSError as exc:
        raise _fail(where.asked, f"cannot write: {_reason(exc)}") from None
    try:
        yield handle
        handle.flush()
    except OSError as exc:
        _close_quietly(handle)
        raise _fail(where.asked, f"cannot write: {_reason(exc)}") from None
    except BaseException:
        _close_quietly(handle)
        raise
    try:
        handle.close()
    except OSError as exc:
        raise _fail(where.asked, f"cannot write: {_reason(exc)}") from None


@contextmanager
def _atomic(where: Target, mode: str, kwargs: dict[str, Any]) -> Iterator[IO[Any]]:
    folder, name = where.path.parent, where.path.name
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    except OSError as exc:
        raise _fail(where.asked, f"cannot write in its folder: {_reason(exc)}") from None
    try:
        handle = os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        try:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.chmod(tmp, _mode_for(where.path))
            os.replace(tmp, where.path)
        except OSError as exc:
            raise _fail(where.asked, f"cannot write: {_reason(exc)}") from None
    finally:
        _close_quietly(handle)
        Path(tmp).unlink(missing_ok=True)


def _mode_for(path: Path) -> int:
    """The permissions of the file replaced, or the usual ones for a new file."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def _close_quietly(handle: IO[Any]) -> None:
    with contextlib.suppress(OSError):  # the error that matters is being raised already
        handle.close()


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` as described above; return `path`."""
    with open_output(path, "w") as handle:
        handle.write(text)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` as described above; return `path`."""
    with open_output(path, "wb") as handle:
        handle.write(data)
    return Path(path)


__all__ = [
    "Target",
    "check",
    "open_output",
    "target",
    "write_bytes",
    "write_text",
    "writes_through",
]
