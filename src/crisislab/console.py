"""The two consoles of the command line: results on stdout, messages and progress on stderr."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console

from crisislab.errors import OutputError, Problem


def stdout_closed() -> OutputError:
    """The error for a stdout whose reader went away (`crisislab … | head`): exit 2, as for any
    output that cannot be written, not Rich's or Click's silent exit 1. What is still buffered
    for stdout is dropped, so that the exit does not fail again when Python flushes it."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return OutputError([Problem("stdout", "", "cannot write: the reader of the pipe went away")])


@contextlib.contextmanager
def writing_stdout() -> Iterator[None]:
    """Write to sys.stdout inside the block; a reader that went away is `stdout_closed`."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise stdout_closed() from None


class _Stdout(Console):
    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise stdout_closed()


# No Rich markup by default: what is printed (a timeline's name, a lever's value, a query's
# rows) is the user's text, and a bracket in it must print as itself, not style or break the
# output; a print that styles its own text asks for markup=True
out = _Stdout(
    highlight=False, markup=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160
)
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def print_json(obj: Any) -> None:
    """One JSON object on stdout and nothing else there."""
    with writing_stdout():
        sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
