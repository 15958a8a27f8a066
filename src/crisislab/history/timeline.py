"""Timelines: curated event files with metadata pairing them to a scenario.

A timeline is an event file (any format :func:`~crisislab.history.read_events` reads) plus a
small YAML file: name, title, period, the scenario it pairs with, and ``actor_aliases`` mapping
the event file's actor codes to the scenario's actor ids. Codes with no scenario actor (a third
state, an unattributed militia) map to ``null``: they stay in the timeline and are listed by
:attr:`Timeline.unmapped_actors` (their events by :attr:`Timeline.unmapped_events`), so nothing
is hidden. A code that the event file uses but the alias map does not mention at all is a
problem of the timeline. ``target_kinds`` gives the kind of target a code stands for (a tanker:
``shipping``) where the rows do not say, and ``severity`` / ``severity_file`` override rows of
the package's severity table (``crisislab/history/data/severity.csv``) for this timeline.

Built-in timelines ship as package data in ``crisislab/history/timelines``, each with a
``.notes.md`` file giving its sources and every correction made to the compiled data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from crisislab.errors import Problem, TimelineError
from crisislab.history.importers import FORMATS, ImportReport, read_events
from crisislab.history.records import (
    TARGET_KINDS,
    EventRecord,
    Severity,
    SeverityTable,
    default_severity,
    parse_severity,
)
from crisislab.scenario.codebooks import is_cameo_code
from crisislab.scenario.loader import builtin_names, parse_yaml

__all__ = ["MAX_TIMELINE_EVENTS", "Timeline", "load_timeline", "timeline_names"]

#: A timeline is held in memory; larger event files should be streamed with read_events.
MAX_TIMELINE_EVENTS = 100_000
_MAX_META_BYTES = 200_000


class _Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: dt.date
    end: dt.date


_Rung = Annotated[int, Field(ge=0, le=14)]
_MAX_SEVERITY_BYTES = 1_000_000


class _SeverityEntry(BaseModel):
    """One row of a timeline's own severity table, as in ``severity.csv``."""

    model_config = ConfigDict(extra="forbid")
    code: str
    target: str = "*"
    rung: _Rung
    lethal_rung: _Rung | None = None
    warned_rung: _Rung | None = None
    basis: str = ""

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(
                "quote the CAMEO code ('195', '010'): codes are strings, and YAML reads 010 "
                "as the number 10"
            )
        if not is_cameo_code(value):
            raise ValueError(f"unknown CAMEO code {value!r}")
        return value

    @field_validator("target")
    @classmethod
    def _kind(cls, value: str) -> str:
        value = value.strip().lower()
        if value != "*" and value not in TARGET_KINDS:
            raise ValueError(f"unknown target kind; use * or {', '.join(TARGET_KINDS)}")
        return value

    @model_validator(mode="after")
    def _lethal(self) -> _SeverityEntry:
        if self.lethal_rung is not None and self.lethal_rung < self.rung:
            raise ValueError("lethal_rung is below rung")
        return self


class _Meta(BaseModel):
    """The metadata file's schema (unknown fields are refused, as in scenario files)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    title: str = ""
    description: str = ""
    period: _Period
    scenario: str | None = None
    events: str
    format: str = "auto"
    notes: str | None = None
    actor_aliases: dict[str, str | None] = {}
    target_kinds: dict[str, str] = {}
    severity: list[_SeverityEntry] = []
    severity_file: str | None = None

    @field_validator("target_kinds")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for code, kind in value.items():
            if kind.strip().lower() not in TARGET_KINDS:
                raise ValueError(
                    f"{code}: unknown target kind {kind!r}; use one of {', '.join(TARGET_KINDS)}"
                )
            out[code] = kind.strip().lower()
        return out

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value != "auto" and value not in FORMATS:
            raise ValueError(f"unknown format; use auto, {', '.join(FORMATS)}")
        return value

    @field_validator("events", "notes", "severity_file")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        if value is not None and (not value or "/" in value or "\\" in value or value[0] == "."):
            raise ValueError("give a file name next to the metadata file, without folders")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> _Meta:
        if self.period.end < self.period.start:
            raise ValueError("period.end is before period.start")
        return self


@dataclass(frozen=True)
class Timeline:
    """A timeline's metadata and its events, sorted by date (ties keep file order).

    ``report`` says what reading the event file found; a built-in timeline has no problems.
    """

    name: str
    title: str
    start: dt.date
    end: dt.date
    scenario: str | None
    actor_aliases: Mapping[str, str | None]
    events: tuple[EventRecord, ...]
    report: ImportReport
    description: str = ""
    source: str = ""
    notes: str | None = None
    problems: tuple[Problem, ...] = field(default=())
    target_kinds: Mapping[str, str] = field(default_factory=dict)
    severity: SeverityTable | None = None

    @property
    def actor_codes(self) -> tuple[str, ...]:
        """Every actor, target or ``ordered_by`` code the events use, sorted."""
        return tuple(sorted({c for e in self.events for c in _codes(e)}))

    @property
    def unmapped_events(self) -> tuple[EventRecord, ...]:
        """Events whose actor or one of whose targets maps to no scenario actor (``null``):
        kept in the timeline, counted, and replayed only where the rest of the row allows."""
        null = {c for c, actor in self.actor_aliases.items() if not actor}
        return tuple(e for e in self.events if null.intersection((e.actor, *e.targets)))

    @property
    def severity_table(self) -> SeverityTable:
        """The severity table this timeline's acts are read with: its own rows, then the
        package's."""
        return self.severity or default_severity()

    @property
    def unmapped_actors(self) -> tuple[str, ...]:
        """Codes the events use that map to no scenario actor (``null`` in actor_aliases)."""
        return tuple(
            c for c in self.actor_codes if c in self.actor_aliases and not self.actor_aliases[c]
        )

    @property
    def unaliased_actors(self) -> tuple[str, ...]:
        """Codes the events use that actor_aliases does not mention (a timeline problem)."""
        return tuple(c for c in self.actor_codes if c not in self.actor_aliases)

    def actor_id(self, code: str) -> str | None:
        """The scenario actor id for a timeline actor code, or None if it has none.

        Raises KeyError for a code the alias map does not list, so typos are not taken for
        deliberate ``null``\\ s.
        """
        try:
            return self.actor_aliases[code]
        except KeyError:
            raise KeyError(
                f"actor code {code!r} is not in the actor_aliases of timeline {self.name!r}"
            ) from None


def _folder() -> Traversable:
    return files("crisislab.history") / "timelines"


def timeline_names() -> list[str]:
    """Names of the timelines shipped with crisislab."""
    return sorted(
        p.name.removesuffix(".yaml")
        for p in _folder().iterdir()
        if p.name.endswith(".yaml") and not p.name.startswith(".")
    )


def load_timeline(name_or_path: str | Path, *, strict: bool = False) -> Timeline:
    """Load a built-in timeline by name, or a timeline metadata YAML file by path.

    The events file named by the metadata is read next to it. Problems in the metadata raise
    TimelineError with file and line. Problems in the events (rejected rows, actor codes missing
    from ``actor_aliases``, events outside the period) are listed in ``Timeline.problems`` and
    ``Timeline.report``; with ``strict=True`` they raise TimelineError instead.
    """
    ref = str(name_or_path)
    if ref in timeline_names():
        label = f"{ref}.yaml"
        text = (_folder() / label).read_text(encoding="utf-8")
        meta, at = _parse_meta(label, text)
        if meta.name != ref:
            raise TimelineError([Problem(label, "name", f"must be {ref!r}, the file's name")])
        with as_file(_folder() / meta.events) as events_path:
            return _build(meta, label, events_path, meta.events, strict, at, _folder())
    path = Path(ref)
    if path.is_dir():
        raise TimelineError([Problem(ref, "", "is a folder; give a timeline's metadata YAML file")])
    if not path.is_file():
        hint = f" (built-in timelines: {', '.join(timeline_names())})"
        raise TimelineError([Problem(ref, "", f"no such built-in timeline or file{hint}")])
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise TimelineError(
            [Problem(ref, "", "give the timeline's metadata YAML file, which names its events")]
        )
    if path.stat().st_size > _MAX_META_BYTES:
        raise TimelineError([Problem(ref, "", "this metadata file is too large to be one")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TimelineError([Problem(ref, "", f"not UTF-8 text (byte {exc.start})")]) from None
    meta, at = _parse_meta(ref, text)
    if meta.scenario is not None and meta.scenario not in builtin_names():
        # a scenario file is found next to the metadata file, as the events file is
        scenario = Path(meta.scenario)
        meta = meta.model_copy(
            update={"scenario": str(scenario if scenario.is_absolute() else path.parent / scenario)}
        )
    events_path = path.parent / meta.events
    return _build(meta, ref, events_path, str(events_path), strict, at, path.parent)


def _parse_meta(label: str, text: str) -> tuple[_Meta, tuple[int | None, int | None]]:
    """The metadata and the (line, column) of its `events` field."""
    data, positions = parse_yaml(label, text, TimelineError)
    if not isinstance(data, dict):
        raise TimelineError([Problem(label, "", "timeline metadata must be a YAML mapping")])
    try:
        return _Meta.model_validate(data), positions.get(("events",), (None, None))
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            where = None
            for n in range(len(loc), 0, -1):
                where = (
                    positions.get(tuple(loc[:n]))
                    or positions.get(  # type: ignore[arg-type]
                        tuple(str(p) for p in loc[:n])
                    )
                )
                if where:
                    break
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown field (check the spelling)"
            problems.append(
                Problem(label, ".".join(map(str, loc)), message, *(where or (None, None)))
            )
        raise TimelineError(problems) from None


def _build(
    meta: _Meta,
    label: str,
    events_path: Path,
    events_label: str,
    strict: bool,
    at: tuple[int | None, int | None] = (None, None),
    folder: Traversable | Path | None = None,
) -> Timeline:
    if not events_path.is_file():
        raise TimelineError(
            [Problem(label, "events", f"events file {meta.events!r} not found", *at)]
        )
    table = _severity(meta, label, folder)
    kinds = meta.target_kinds
    stream = read_events(events_path, meta.format, label=events_label)
    events: list[EventRecord] = []
    with stream:
        for record in stream:
            if kinds and not record.target_kinds and kinds.keys() & set(record.targets):
                record = replace(
                    record, target_kinds=tuple(kinds.get(t, "") for t in record.targets)
                )
            if table is not None:
                record = replace(record, severity=table)
            events.append(record)
            if len(events) > MAX_TIMELINE_EVENTS:
                raise TimelineError(
                    [
                        Problem(
                            events_label,
                            "",
                            f"more than {MAX_TIMELINE_EVENTS:,} events; stream large files "
                            "with read_events instead of loading them as a timeline",
                        )
                    ]
                )
    if not events:
        raise TimelineError([_no_events(meta, label, stream.report, at)])
    events.sort(key=lambda e: (e.date, e.line))
    problems: list[Problem] = list(stream.report.problems)
    if stream.report.omitted:
        problems.append(stream.report.error().problems[-1])
    for record in events:
        if not meta.period.start <= record.date <= meta.period.end:
            problems.append(
                Problem(
                    events_label,
                    "date",
                    f"{record.date} is outside the period {meta.period.start} … "
                    f"{meta.period.end} given in {label}",
                    record.line,
                )
            )
    timeline = Timeline(
        name=meta.name,
        title=meta.title,
        start=meta.period.start,
        end=meta.period.end,
        scenario=meta.scenario,
        actor_aliases=dict(meta.actor_aliases),
        events=tuple(events),
        report=stream.report,
        description=meta.description.strip(),
        source=label,
        notes=meta.notes,
        target_kinds=dict(kinds),
        severity=table,
    )
    for code in timeline.unaliased_actors:
        first = next(e for e in events if code in _codes(e))
        problems.append(
            Problem(
                label,
                "actor_aliases",
                f"actor code {code!r} (first used at {first.where}) is not in actor_aliases; "
                "map it to a scenario actor id or to null",
            )
        )
    if strict and problems:
        raise TimelineError(problems)
    return replace(timeline, problems=tuple(problems))


def _no_events(
    meta: _Meta, label: str, report: ImportReport, at: tuple[int | None, int | None]
) -> Problem:
    """Why a timeline has no events: every row was rejected (the first one's reason, at its
    line), or the events file has no rows at all."""
    if report.problems:
        first = report.problems[0]
        if report.rejected == 1:
            why = f"the only row was rejected: {first.message}"
        else:
            why = f"all {report.rejected:,} rows were rejected; the first: {first.message}"
        return Problem(first.source, first.path, f"no events: {why}", first.line, first.column)
    return Problem(label, "events", f"{meta.events!r} holds no events (a header only?)", *at)


def _codes(event: EventRecord) -> tuple[str, ...]:
    """The actor codes a row names: actor, targets, and who ordered it."""
    ordered = event.ordered_by if event.ordered_by not in ("", "none") else ""
    return tuple(c for c in (event.actor, *event.targets, ordered) if c)


def _severity(meta: _Meta, label: str, folder: Traversable | Path | None) -> SeverityTable | None:
    """The timeline's own severity rows (its file's, then its inline ones) over the package
    table, or None when it has none. A bad row is an error with its file and line."""
    rows: dict[tuple[str, str], Severity] = {}
    if meta.severity_file is not None:
        where = folder / meta.severity_file if folder is not None else None
        if where is None or not where.is_file():
            raise TimelineError(
                [Problem(label, "severity_file", f"{meta.severity_file!r} not found")]
            )
        name = str(where) if isinstance(where, Path) else meta.severity_file
        try:
            data = where.read_bytes()
            if len(data) > _MAX_SEVERITY_BYTES:
                raise TimelineError([Problem(name, "", "too large for a severity table")])
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TimelineError([Problem(name, "", f"not UTF-8 text (byte {exc.start})")]) from None
        found, problems = parse_severity(text, name)
        if problems:
            raise TimelineError(problems)
        rows.update(found)
    inline: set[tuple[str, str]] = set()
    for i, entry in enumerate(meta.severity):
        key = (entry.code, entry.target)
        if key in inline:
            raise TimelineError(
                [Problem(label, f"severity.{i}", f"a second row for {key[0]} on {key[1]}")]
            )
        inline.add(key)
        rows[key] = Severity(
            entry.rung,
            entry.rung if entry.lethal_rung is None else entry.lethal_rung,
            entry.warned_rung,
            entry.basis,
            f"{label}: severity",
        )
    return default_severity().over(rows, label) if rows else None
