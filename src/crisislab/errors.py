"""The problems crisislab reports to its users, under one base class.

Every problem of the user's input or environment is a `CrisislabError`: the CLI prints its
message (one line per located problem: file:line:column: field: message) and exits 2. Anything
else is a bug, and exits 1. Catch the subclass you mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    source: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class CrisislabError(Exception):
    """A problem of the user's input or environment; `problems` lists every finding."""

    def __init__(self, problems: Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("crisislab", "", problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class BadInput(CrisislabError, ValueError):
    """An input is invalid: a scenario, an override, a timeline, a study, an option."""


class ScenarioError(BadInput):
    """A scenario (or an override of it) is invalid."""


class TimelineError(BadInput):
    """An event timeline or event-data file is invalid."""


class StudyError(BadInput):
    """A study specification or study directory is invalid."""


class ResourceLimit(CrisislabError):
    """A request exceeds a limit checked before the work starts (runs, days, file size...)."""


class OutputError(CrisislabError):
    """An output cannot be written where it was asked (a missing or read-only folder, a full
    disk)."""


__all__ = [
    "BadInput",
    "CrisislabError",
    "OutputError",
    "Problem",
    "ResourceLimit",
    "ScenarioError",
    "StudyError",
    "TimelineError",
]
