"""Streaming readers for event data: the project's CSV, GDELT 2.0 exports, PLOVER and POLECAT.

Every reader is a generator over the file's lines, so memory stays bounded by one row whatever
the file's size; zipped and gzipped files are decompressed on the fly, never extracted to disk.
A bad row is never dropped silently: it becomes a :class:`~crisislab.errors.Problem`
naming the file and line, counted and kept (up to a cap) in an :class:`ImportReport`, so a caller
can show what was rejected. With ``strict=True`` the stream raises
:class:`~crisislab.errors.TimelineError` at its end if any row was rejected (the CLI
turns that into exit code 2).

>>> from crisislab.history import read_events
>>> events = read_events("20200108.export.CSV.zip")            # doctest: +SKIP
>>> attacks = [e for e in events if e.root == "19"]            # doctest: +SKIP
>>> print(events.report.summary())                             # doctest: +SKIP

Formats (``format=`` or detected from the file's first line and name):

``crisislab``
    The project's CSV: ``date, actor, target, action, description, source_url, cameo_code,
    cameo_label, goldstein`` with a header row; ``date``, ``actor``, ``target`` and
    ``cameo_code`` are required columns, the others optional. Optional columns: ``deaths``,
    ``victims``, ``warned`` and, in event data version 2, ``ordered_by``, ``claimed``,
    ``attribution_ambiguity``, ``channel`` and ``target_kind``; ``target`` may name several
    codes separated by ``;``. A bad value in any of them rejects its row, with its line.
``gdelt``
    GDELT 2.0 event exports: 61 tab-separated columns, no header in the published files (a header
    row, tab- or comma-separated, is accepted, as BigQuery exports have one). GDELT 1.0 files
    (57 or 58 columns) are refused with a clear message.
``plover``
    PLOVER JSON lines (fields ``id, date, actor, recipient, event, mode, ...`` as in the PLOVER
    manual, chapter 6) or POLECAT-style CSV/TSV with a header (``Event Date, Event Type,
    Event Mode, Actor Country, Recipient Country, ...``; names are matched case- and
    space-insensitively).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import io
import json
import math
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple, cast

from crisislab.errors import Problem, TimelineError
from crisislab.history.records import (
    CHANNELS,
    CLAIMS,
    TARGET_KINDS,
    EventRecord,
    quad_class,
)
from crisislab.scenario.codebooks import (
    all_cameo_codes,
    cameo_label,
    goldstein,
    is_cameo_code,
    plover_category,
    plover_score,
)

__all__ = [
    "CRISISLAB_COLUMNS",
    "CRISISLAB_OPTIONAL_COLUMNS",
    "CRISISLAB_V2_COLUMNS",
    "FORMATS",
    "GDELT_COLUMNS",
    "MAX_PROBLEMS",
    "EventStream",
    "ImportReport",
    "detect_format",
    "plover_to_cameo",
    "read_events",
]

#: Formats ``read_events`` understands (plus ``"auto"``).
FORMATS = ("crisislab", "gdelt", "plover")

#: Problems kept in memory per report; the rest are only counted.
MAX_PROBLEMS = 1000

#: A physical line longer than this is rejected (and skipped) rather than read into memory.
MAX_LINE_BYTES = 1_000_000

#: Columns of the project's own event CSV, in their usual order.
CRISISLAB_COLUMNS = (
    "date",
    "actor",
    "target",
    "action",
    "description",
    "source_url",
    "cameo_code",
    "cameo_label",
    "goldstein",
)
#: Optional columns of event data version 2: the leadership that ordered the act, whether it
#: was claimed, how ambiguous its attribution was, the channel a message went over, and the
#: kind of target struck (``target`` itself may hold several codes separated by ``;``).
CRISISLAB_V2_COLUMNS = (
    "ordered_by",
    "claimed",
    "attribution_ambiguity",
    "channel",
    "target_kind",
)
#: Optional columns of the own CSV: deaths caused, victims' nationality, warned in advance, and
#: the version-2 columns.
CRISISLAB_OPTIONAL_COLUMNS = ("deaths", "victims", "warned", *CRISISLAB_V2_COLUMNS)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_CRISISLAB_REQUIRED = ("date", "actor", "target", "cameo_code")

#: The 61 columns of a GDELT 2.0 event export, in file order (GDELT 2.0 Event Codebook).
GDELT_COLUMNS = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
)
_GDELT_INDEX = {name.lower(): i for i, name in enumerate(GDELT_COLUMNS)}
_GDELT_HEADER_ALIASES = {"day": "sqldate", "globaleventid": "globaleventid"}

_QUADS = {
    "verbal cooperation": 1,
    "material cooperation": 2,
    "verbal conflict": 3,
    "material conflict": 4,
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- the report -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import read, kept and rejected, with the problems found (capped in memory).

    ``read`` counts data rows (not headers or blank lines); every row is either ``kept`` or
    ``rejected``; a rejected row has one or more problems. ``problems`` holds the first
    ``max_problems`` of them and ``problem_count`` counts all. ``warnings`` are notes on rows
    that were kept (a Goldstein score or label that differs from the codebook, an unknown
    PLOVER mode, several actors where one was used).
    """

    source: str
    format: str = ""
    read: int = 0
    kept: int = 0
    rejected: int = 0
    problem_count: int = 0
    warning_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    max_problems: int = MAX_PROBLEMS

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.problem_count == 0

    @property
    def omitted(self) -> int:
        """Problems counted but not kept in memory."""
        return self.problem_count - len(self.problems)

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(problem)

    def add_warning(self, warning: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < self.max_problems:
            self.warnings.append(warning)

    def summary(self) -> str:
        """One line, e.g. ``x.csv: read 12 rows, kept 10, rejected 2 (3 problems, 0 warnings)``."""
        return (
            f"{self.source}: read {self.read} rows, kept {self.kept}, rejected {self.rejected} "
            f"({self.problem_count} problems, {self.warning_count} warnings)"
        )

    def error(self) -> TimelineError:
        """A TimelineError listing the kept problems (and how many more there were)."""
        problems = list(self.problems)
        if self.omitted:
            problems.append(
                Problem(self.source, "", f"... and {self.omitted} more problems not listed")
            )
        return TimelineError(problems)

    def raise_for_problems(self) -> None:
        """Raise :meth:`error` if any row was rejected."""
        if self.problem_count:
            raise self.error()


# --- reading lines ----------------------------------------------------------------------------


class _Lines:
    """Decoded lines of a binary stream, one at a time, remembering where each line was bad.

    Lines are decoded separately so one undecodable byte rejects one row rather than the whole
    file, and are read with a length cap so a file with no newlines cannot fill memory. ``line``
    is the number of the last line handed out. ``peek()`` returns the first non-blank line and
    hands it out again on the next ``next()``.
    """

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self.line = 0
        self.errors: dict[int, str] = {}
        self._pushed: str | None = None

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pushed is not None:
            text, self._pushed = self._pushed, None
            self.line += 1
            return text
        raw = self._stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            raise StopIteration
        self.line += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while chunk := self._stream.readline(MAX_LINE_BYTES):
                if chunk.endswith(b"\n"):
                    break
            self.errors[self.line] = f"line is longer than {MAX_LINE_BYTES:,} bytes; skipped"
            return "\n"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.errors[self.line] = f"not UTF-8 text (undecodable byte at column {exc.start + 1})"
            text = raw.decode("utf-8", errors="replace")
        if self.line == 1:
            text = text.removeprefix("\ufeff")
        return text

    def peek(self) -> str | None:
        """The first non-blank line (blank lines before it are consumed), or None at the end."""
        for text in self:
            if text.strip() or self.line in self.errors:
                self._pushed = text
                self.line -= 1
                return text
        return None

    def take_errors(self, start: int, end: int) -> list[tuple[int, str]]:
        """Errors on lines start..end, removed so the dict never grows beyond one row."""
        if not self.errors:
            return []
        found = [(n, msg) for n, msg in self.errors.items() if start <= n <= end]
        self.errors.clear()
        return found


def _rows(
    lines: _Lines, delimiter: str, quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL
) -> Iterator[Any]:
    """Yield ``(start_line, end_line, fields | csv.Error, line_errors)`` for each record."""
    reader = csv.reader(lines, delimiter=delimiter, quoting=quoting)
    previous = lines.line
    while True:
        try:
            row: list[str] | csv.Error = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row = exc
        start, end = previous + 1, lines.line
        previous = end
        yield start, end, row, lines.take_errors(start, end)


def _norm(name: str) -> str:
    """Column name as a key: ``"Event Date"`` -> ``"event_date"``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


# --- opening files ----------------------------------------------------------------------------


def _check_path(path: Path, label: str) -> None:
    if not path.exists():
        raise TimelineError([Problem(label, "", "no such file")])
    if not path.is_file():
        raise TimelineError([Problem(label, "", "not a file")])


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def _is_data_member(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    base = name.rsplit("/", 1)[-1]
    return not info.is_dir() and not name.startswith("__MACOSX/") and not base.startswith(".")


@contextmanager
def _open_zip(path: Path, label: str) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise TimelineError([Problem(label, "", f"not a readable zip file: {exc}")]) from None
    with archive:
        yield archive


def _streams(path: Path, label: str) -> Generator[tuple[str, str, IO[bytes]], None, None]:
    """Yield ``(member label, member name, binary stream)`` for a file, zip or gzip, lazily."""
    magic = _magic(path)
    if magic.startswith(b"PK\x03\x04") or (path.suffix.lower() == ".zip" and magic[:2] == b"PK"):
        with _open_zip(path, label) as archive:
            members = [info for info in archive.infolist() if _is_data_member(info)]
            if not members:
                raise TimelineError([Problem(label, "", "the zip file holds no data file")])
            for info in members:
                with archive.open(info) as stream:
                    yield f"{label}[{info.filename}]", info.filename, stream
    elif magic.startswith(b"\x1f\x8b"):
        with gzip.open(path, "rb") as gz:
            yield label, path.name.removesuffix(".gz"), cast(IO[bytes], gz)
    else:
        with path.open("rb") as stream:
            yield label, path.name, stream


def detect_format(path: str | os.PathLike[str], label: str | None = None) -> str:
    """Guess a file's format (one of :data:`FORMATS`) from its first line and its name.

    Raises TimelineError when the file is missing or the format cannot be told.
    """
    path = Path(path)
    label = label or str(path)
    _check_path(path, label)
    streams = _streams(path, label)
    try:
        member, name, stream = next(streams)
        first = _Lines(stream).peek()
    except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as exc:
        raise TimelineError([Problem(label, "", f"cannot read or decompress: {exc}")]) from None
    finally:
        streams.close()
    if first is None:
        raise TimelineError([Problem(member, "", "the file is empty")])
    found = _sniff(first, name)
    if found is None:
        raise TimelineError(
            [
                Problem(
                    member,
                    "",
                    "cannot tell the event-data format from the first line; pass a format "
                    f"({', '.join(FORMATS)})",
                    1,
                )
            ]
        )
    return found


def _sniff(first: str, name: str) -> str | None:
    text = first.strip()
    if text.startswith("{"):
        return "plover"
    try:
        fields = text.split("\t") if "\t" in text else next(csv.reader([text]))
    except csv.Error:  # a bare carriage return, say: the reader of the format says where
        fields = text.split(",")
    names = {_norm(f) for f in fields}
    wide = "\t" in text and len(fields) > 40  # GDELT's, of a wrong width: its reader says so
    if fields[0].strip().isdigit() and (len(fields) in (57, 58, 61) or wide):
        return "gdelt"
    if names & {"globaleventid", "sqldate"}:
        return "gdelt"
    if "cameo_code" in names:
        return "crisislab"
    if names & {"event_type", "event"} and names & {"date", "event_date"}:
        return "plover"
    if name.lower().endswith((".jsonl", ".ndjson")):
        return "plover"
    return None


# --- the entry point --------------------------------------------------------------------------


class EventStream(Iterator[EventRecord]):
    """An iterator of records that fills ``report`` as it goes.

    Iterate it once. Use it as a context manager (or call :meth:`close`) to release the file
    early when you stop before the end. In strict mode the iterator raises TimelineError after
    the last row if any row was rejected; records yielded before then should be discarded.
    """

    def __init__(self, path: Path, fmt: str, label: str, strict: bool, report: ImportReport):
        self.path = path
        self.format = fmt
        self.label = label
        self.strict = strict
        self.report = report
        self._records = self._run()

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> EventRecord:
        return next(self._records)

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading and close the file."""
        self._records.close()

    def _run(self) -> Generator[EventRecord, None, None]:
        reader = _READERS[self.format]
        try:
            for member, _name, stream in _streams(self.path, self.label):
                yield from reader(_Lines(stream), member, self.report)
        except (EOFError, OSError, zipfile.BadZipFile, zlib.error) as exc:
            raise TimelineError(
                [Problem(self.label, "", f"cannot read or decompress: {exc}")]
            ) from None
        if self.strict:
            self.report.raise_for_problems()


def read_events(
    path: str | os.PathLike[str],
    format: str = "auto",
    *,
    strict: bool = False,
    max_problems: int = MAX_PROBLEMS,
    label: str | None = None,
) -> EventStream:
    """Stream the events of a file as :class:`EventRecord`\\ s; ``.report`` says what was rejected.

    ``format`` is ``"auto"`` (detect) or one of :data:`FORMATS`. Zip files (every data member,
    in order) and gzip files are read through, without extracting them. ``label`` names the file
    in problems (default: the path as given). A missing or unrecognisable file raises
    TimelineError at once; bad rows are reported in ``.report`` and, with ``strict=True``, raise
    TimelineError when the stream ends.
    """
    path = Path(path)
    label = label or str(path)
    _check_path(path, label)
    if format == "auto":
        format = detect_format(path, label)
    elif format not in FORMATS:
        raise TimelineError(
            [Problem(label, "format", f"unknown format {format!r}; use auto, {', '.join(FORMATS)}")]
        )
    report = ImportReport(source=label, format=format, max_problems=max_problems)
    return EventStream(path, format, label, strict, report)


# --- shared row handling ----------------------------------------------------------------------


@functools.cache
def _code_facts(code: str) -> tuple[str | None, str, float, int, float | None]:
    """(PLOVER category, mode, Goldstein, quad, PLOVER score) of a known CAMEO code."""
    try:
        category, mode = plover_category(code)
    except KeyError:
        return None, "", goldstein(code), quad_class(code), None
    try:
        score = plover_score(category, mode)
    except KeyError:
        score = None
    return category, mode, goldstein(code), quad_class(code), score


def _code_problem(code: str) -> str | None:
    """Why ``code`` is not a usable CAMEO code, or None."""
    if not code:
        return "the CAMEO code is missing"
    if is_cameo_code(code):
        return None
    hint = ""
    if code.isdigit() and is_cameo_code("0" + code):
        hint = (
            f"; did a spreadsheet drop a leading zero? '0{code}' is "
            f"'{cameo_label('0' + code)}' (codes are strings: '010' and '10' differ)"
        )
    return f"unknown CAMEO code {code!r}{hint}"


class _Row:
    """Collects the problems and warnings of one row, then reports them or the record."""

    def __init__(self, label: str, line: int, report: ImportReport):
        self.label, self.line, self.report = label, line, report
        self.problems: list[tuple[str, str]] = []
        self.warnings: list[tuple[str, str]] = []
        report.read += 1

    def problem(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append((path, message))

    def date(self, path: str, text: str, pattern: str = "YYYY-MM-DD") -> dt.date | None:
        text = text.strip()
        try:
            if pattern == "YYYYMMDD" and re.fullmatch(r"\d{8}", text):
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
            if pattern == "YYYY-MM-DD" and _ISO_DATE.match(text):
                return dt.date.fromisoformat(text[:10])
        except ValueError as exc:
            self.problem(path, f"invalid date {text!r}: {exc}")
            return None
        shown = f"{text!r}" if text else "empty"
        self.problem(path, f"expected a date as {pattern}, got {shown}")
        return None

    def reject(self) -> None:
        """Report the row as rejected (it must have at least one problem)."""
        self.finish(None)

    def finish(self, build: Callable[[], EventRecord] | None) -> EventRecord | None:
        """Report the problems (row rejected) or the warnings and ``build()`` (row kept)."""
        if self.problems or build is None:
            self.report.rejected += 1
            for path, message in self.problems:
                self.report.add_problem(Problem(self.label, path, message, self.line))
            return None
        for path, message in self.warnings:
            self.report.add_warning(Problem(self.label, path, message, self.line))
        self.report.kept += 1
        return build()


def _file_problem(label: str, message: str, line: int | None = None) -> TimelineError:
    return TimelineError([Problem(label, "", message, line)])


def _reject_raw(row: _Row, fields: Any, line_errors: list[tuple[int, str]]) -> bool:
    """Report line-level and CSV-level errors; True if the row cannot be read further."""
    for n, message in line_errors:
        row.problem("", message if n == row.line else f"line {n}: {message}")
    if isinstance(fields, csv.Error):
        row.problem("", f"malformed row: {fields}")
    bad = bool(line_errors) or isinstance(fields, csv.Error)
    if bad:
        row.reject()
    return bad


def _span(start: int, end: int) -> str:
    return f"; the row runs over lines {start}-{end}: an unbalanced quote?" if end > start else ""


def _is_blank(fields: Any) -> bool:
    return isinstance(fields, list) and not any(f.strip() for f in fields)


def _header(lines: _Lines, label: str, delimiter: str) -> tuple[list[str], int] | None:
    """The normalized header names and the header's line, or None for an empty file."""
    for start, _end, fields, errors in _rows(lines, delimiter):
        if errors or isinstance(fields, csv.Error):
            why = errors[0][1] if errors else str(fields)
            raise _file_problem(label, f"unreadable header row: {why}", start)
        if _is_blank(fields):
            continue
        names = [_norm(f) for f in fields]
        duplicated = sorted(n for n, k in Counter(names).items() if k > 1 and n)
        if duplicated:
            raise _file_problem(label, f"duplicate columns: {', '.join(duplicated)}", start)
        return names, start
    return None


# --- the project's CSV ------------------------------------------------------------------------


def _read_crisislab(lines: _Lines, label: str, report: ImportReport) -> Iterator[EventRecord]:
    found = _header(lines, label, ",")
    if found is None:
        return
    names, header_line = found
    missing = [c for c in _CRISISLAB_REQUIRED if c not in names]
    if missing:
        raise _file_problem(
            label,
            f"missing column(s) {', '.join(missing)}; the header must name "
            f"{', '.join(_CRISISLAB_REQUIRED)} (and may name {', '.join(CRISISLAB_COLUMNS)})",
            header_line,
        )
    yield from _table_records(lines, ",", names, label, report, _crisislab_record)


def _table_records(
    lines: _Lines,
    delimiter: str,
    names: list[str],
    label: str,
    report: ImportReport,
    build: Callable[[_Row, Mapping[str, str]], EventRecord | None],
) -> Iterator[EventRecord]:
    """Records of a delimited table with a header: each row checked for width, then built."""
    width = len(names)
    for start, end, fields, line_errors in _rows(lines, delimiter):
        if _is_blank(fields) and not line_errors:
            continue
        row = _Row(label, start, report)
        if _reject_raw(row, fields, line_errors):
            continue
        if len(fields) != width:
            row.problem("", f"expected {width} fields, found {len(fields)}{_span(start, end)}")
            row.reject()
            continue
        record = build(row, dict(zip(names, fields, strict=True)))
        if record is not None:
            yield record


def _crisislab_record(row: _Row, v: Mapping[str, str]) -> EventRecord | None:
    date = row.date("date", v["date"])
    actor = v["actor"].strip()
    if not actor:
        row.problem("actor", "the actor is missing")
    targets = _targets(row, v["target"])
    code = v["cameo_code"].strip()
    bad_code = _code_problem(code)
    if bad_code:
        row.problem("cameo_code", bad_code)
    label_given = " ".join(v.get("cameo_label", "").split())
    if not bad_code and label_given and label_given.lower() != cameo_label(code).lower():
        padded = "0" + code
        if (
            code.isdigit()
            and is_cameo_code(padded)
            and label_given.lower() == (cameo_label(padded).lower())
        ):
            row.problem(
                "cameo_code",
                f"code {code!r} is '{cameo_label(code)}' but the label is that of {padded!r}: "
                "a leading zero was lost",
            )
        else:
            row.warn(
                "cameo_label",
                f"label {label_given!r} differs from the codebook's {cameo_label(code)!r} "
                f"for {code}",
            )
    given = v.get("goldstein", "").strip()
    if given:
        try:
            value = float(given)
        except ValueError:
            row.problem("goldstein", f"not a number: {given!r}")
        else:
            if not bad_code and abs(value - goldstein(code)) > 1e-9:
                row.warn(
                    "goldstein",
                    f"Goldstein {value} differs from the codebook's {goldstein(code)} for "
                    f"{code}; the codebook value is used",
                )

    deaths_text = (v.get("deaths") or "").strip()
    deaths = 0
    if deaths_text:
        if deaths_text.isdigit():
            deaths = int(deaths_text)
        else:
            row.problem("deaths", f"not a whole number of deaths: {deaths_text!r}")
    warned_text = (v.get("warned") or "").strip().lower()
    if warned_text not in ("", "true", "false", "yes", "no", "1", "0"):
        row.problem("warned", f"expected true or false, got {warned_text!r}")
    kinds = _target_kinds(row, v.get("target_kind") or "", len(targets))
    ordered_by = _ordered_by(row, v.get("ordered_by") or "")
    claimed = _choice(row, "claimed", v.get("claimed") or "", CLAIMS)
    channel = _choice(row, "channel", v.get("channel") or "", CHANNELS)
    ambiguity = _ambiguity(row, v.get("attribution_ambiguity") or "")

    def build() -> EventRecord:
        category, mode, gold, quad, score = _code_facts(code)
        return EventRecord(
            date=date,  # type: ignore[arg-type]
            actor=actor,
            target=targets[0] if targets else "",
            cameo=code,
            plover=category,
            plover_mode=mode,
            goldstein=gold,
            description=v.get("description", "").strip(),
            source=v.get("source_url", "").strip() or row.label,
            line=row.line,
            file=row.label,
            quad=quad,
            score=score,
            action=v.get("action", "").strip(),
            deaths=deaths,
            victims=(v.get("victims") or "").strip(),
            warned=warned_text in ("true", "yes", "1"),
            extra_targets=tuple(targets[1:]),
            target_kinds=kinds,
            ordered_by=ordered_by,
            claimed=claimed,
            attribution_ambiguity=ambiguity,
            channel=channel,
        )

    return row.finish(build)


def _targets(row: _Row, text: str) -> list[str]:
    """The row's target codes: none, one, or several separated by ``;``."""
    text = text.strip()
    if not text:
        return []
    codes = [code.strip() for code in text.split(";")]
    if any(not code for code in codes):
        row.problem("target", f"an empty code in {text!r}; separate several targets by ';'")
        return [code for code in codes if code]
    doubled = sorted({code for code in codes if codes.count(code) > 1})
    if doubled:
        row.problem("target", f"{', '.join(doubled)} named twice")
    return codes


def _target_kinds(row: _Row, text: str, targets: int) -> tuple[str, ...]:
    """One kind for every target, or one per target (``;``-separated), or none."""
    text = text.strip().lower()
    if not text:
        return ()
    kinds = [kind.strip() for kind in text.split(";")]
    bad = [kind for kind in kinds if kind not in TARGET_KINDS]
    if bad:
        row.problem(
            "target_kind",
            f"unknown target kind {bad[0]!r}; use one of {', '.join(TARGET_KINDS)}",
        )
        return ()
    if len(kinds) > 1 and len(kinds) != targets:
        row.problem(
            "target_kind",
            f"{len(kinds)} kinds for {targets} target(s); give one kind, or one per target",
        )
        return ()
    return tuple(kinds)


def _ordered_by(row: _Row, text: str) -> str:
    """The code of the leadership that ordered the act, ``"none"``, or ``""`` (unknown)."""
    text = text.strip()
    if text.lower() == "none":
        return "none"
    if text and not _CODE.fullmatch(text):
        row.problem(
            "ordered_by",
            f"expected one actor code (letters, digits, _ . -), 'none' or nothing, got {text!r}",
        )
        return ""
    return text


def _choice(row: _Row, column: str, text: str, allowed: tuple[str, ...]) -> str:
    value = text.strip().lower()
    if value and value not in allowed:
        row.problem(column, f"expected {', '.join(allowed)} or nothing, got {text.strip()!r}")
        return ""
    return value


def _ambiguity(row: _Row, text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # NaN fails too
        row.problem("attribution_ambiguity", f"expected a number from 0 to 1, got {text!r}")
        return None
    return value


# --- GDELT 2.0 --------------------------------------------------------------------------------


def _read_gdelt(lines: _Lines, label: str, report: ImportReport) -> Iterator[EventRecord]:
    first = lines.peek()
    if first is None:
        return
    head = {_norm(name) for name in re.split(r"[\t,]", first)}
    delimiter, width = "\t", len(GDELT_COLUMNS)
    if head & {"globaleventid", "sqldate", "eventcode"}:  # a header (BigQuery exports have one)
        delimiter = "\t" if "\t" in first else ","
        found = _header(lines, label, delimiter)
        assert found is not None
        names, header_line = found
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            index.setdefault(_GDELT_HEADER_ALIASES.get(name, name), i)
        missing = [n for n in ("sqldate", "eventcode") if n not in index]
        if missing:
            raise _file_problem(
                label,
                f"this header has no {' or '.join(missing)} column; is it a GDELT 2.0 event file?",
                header_line,
            )
        width = len(names)
    else:
        index = dict(_GDELT_INDEX)
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    # Column positions; a column the header lacks reads the "" appended to every row (-1).
    at = _GdeltColumns(*(index.get(name, -1) for name in _GdeltColumns._fields))
    for start, end, fields, line_errors in _rows(lines, delimiter, quoting):
        if not line_errors and type(fields) is list and len(fields) == width:
            fields.append("")
            record = _gdelt_fast(fields, at, label, start)
            if record is None:  # something to report: the careful path says what
                record = _gdelt_checked(_Row(label, start, report), fields, at)
            else:  # the common case: a clean row
                report.read += 1
                report.kept += 1
            if record is not None:
                yield record
            continue
        if _is_blank(fields) and not line_errors:
            continue
        row = _Row(label, start, report)
        if _reject_raw(row, fields, line_errors):
            continue
        message = f"expected {width} tab-separated fields, found {len(fields)}"
        if delimiter == "\t" and width == 61 and len(fields) in (57, 58):
            message += " (this looks like a GDELT 1.0 file; only GDELT 2.0 is supported)"
        row.problem("", message + _span(start, end))
        row.reject()


class _GdeltColumns(NamedTuple):
    globaleventid: int
    sqldate: int
    actor1code: int
    actor1name: int
    actor2code: int
    actor2name: int
    eventcode: int
    quadclass: int
    goldsteinscale: int
    sourceurl: int


@functools.lru_cache(maxsize=4096)
def _yyyymmdd(text: str) -> dt.date | None:
    """A GDELT SQLDATE, or None; cached because a file holds few distinct days."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@functools.cache
def _known(code: str) -> tuple[str | None, str, float, int, float | None, str] | None:
    """``_code_facts`` plus the label for a known code; None for anything else."""
    if not is_cameo_code(code):
        return None
    return (*_code_facts(code), cameo_label(code))


def _gdelt_fast(fields: list[str], at: _GdeltColumns, label: str, line: int) -> EventRecord | None:
    """The record of a row that passes every check, else None (the careful path reports why)."""
    code = fields[at.eventcode].strip()
    facts = _known(code) if len(code) <= 4 else None
    date = _yyyymmdd(fields[at.sqldate].strip())
    if facts is None or date is None:
        return None
    gold = facts[2]
    given = fields[at.goldsteinscale].strip()
    if given:
        try:
            if abs(float(given) - gold) > 1e-6:
                return None
        except ValueError:
            return None
    return _gdelt_build(fields, at, label, line, code, date, facts)


def _gdelt_build(
    fields: list[str],
    at: _GdeltColumns,
    label: str,
    line: int,
    code: str,
    date: dt.date,
    facts: tuple[str | None, str, float, int, float | None, str],
) -> EventRecord:
    category, mode, gold, computed_quad, score, name = facts
    actor, target = fields[at.actor1code].strip(), fields[at.actor2code].strip()
    who = fields[at.actor1name].strip() or actor or "?"
    whom = fields[at.actor2name].strip() or target or "?"
    quad = fields[at.quadclass].strip()
    return EventRecord(
        date=date,
        actor=actor,
        target=target,
        cameo=code,
        plover=category,
        plover_mode=mode,
        goldstein=gold,
        description=f"{who} → {whom}: {name}",
        source=fields[at.sourceurl].strip() or label,
        line=line,
        file=label,
        quad=int(quad) if quad in ("1", "2", "3", "4") else computed_quad,
        score=score,
        event_id=fields[at.globaleventid].strip(),
    )


def _gdelt_checked(row: _Row, fields: list[str], at: _GdeltColumns) -> EventRecord | None:
    """A row the fast path refused: find and report every problem, or keep it with warnings."""
    date = row.date("SQLDATE", fields[at.sqldate], "YYYYMMDD")
    code = fields[at.eventcode].strip()
    bad_code = _code_problem(code)
    if bad_code:
        row.problem("EventCode", bad_code)
    given = fields[at.goldsteinscale].strip()
    if given and not bad_code:
        try:
            value = float(given)
        except ValueError:
            row.problem("GoldsteinScale", f"not a number: {given!r}")
        else:
            if abs(value - goldstein(code)) > 1e-6:
                row.warn(
                    "GoldsteinScale",
                    f"Goldstein {value} differs from the codebook's {goldstein(code)} for "
                    f"{code}; the codebook value is used",
                )
    return row.finish(
        lambda: _gdelt_build(fields, at, row.label, row.line, code, date, _known(code))  # type: ignore[arg-type]
    )


# --- PLOVER and POLECAT -----------------------------------------------------------------------


@functools.cache
def _polecat_table() -> tuple[dict[str, int], frozenset[tuple[str, str]]]:
    """POLECAT event type -> quad class, and the known (type, mode) pairs (lower case)."""
    text = (files("crisislab.scenario") / "data" / "polecat_types_modes.csv").read_text("utf-8")
    quads: dict[str, int] = {}
    modes: set[tuple[str, str]] = set()
    for row in csv.DictReader(io.StringIO(text)):
        kind = row["event_type"].strip().lower()
        quads.setdefault(kind, _QUADS[row["quad_category"].strip().lower()])
        if row["mode"].strip():
            modes.add((kind, row["mode"].strip().lower()))
    return quads, frozenset(modes)


#: Modes of POLECAT's ASSAULT with no code in the 2021 CAMEO→PLOVER table: both are attacks
#: from the air, CAMEO 195 "Employ aerial weapons", whose root is 19.
_MODE_ROOTS = {("ASSAULT", "aerial"): "19", ("ASSAULT", "drone"): "19"}


@functools.cache
def _plover_roots() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """PLOVER category -> its main CAMEO root, and (category, mode) -> root where unambiguous."""
    per_category: dict[str, Counter[str]] = {}
    per_mode: dict[tuple[str, str], list[str]] = {}
    for code in all_cameo_codes():
        try:
            category, mode = plover_category(code)
        except KeyError:
            continue
        per_category.setdefault(category, Counter())[code[:2]] += 1
        if mode:
            roots = per_mode.setdefault((category, mode), [])
            if code[:2] not in roots:
                roots.append(code[:2])
    main = {
        category: min(counts, key=lambda root: (-counts[root], root))
        for category, counts in per_category.items()
    }
    by_mode = {
        (category, mode): root
        for (category, mode), (root, *others) in per_mode.items()
        if not others and _root_category(root) == category
    }
    return main, {**by_mode, **_MODE_ROOTS}


def _root_category(root: str) -> str | None:
    try:
        return plover_category(root)[0]
    except KeyError:
        return None


def plover_to_cameo(category: str, mode: str = "") -> str:
    """A representative CAMEO code for a PLOVER category (and mode): always a two-digit root.

    PLOVER kept only CAMEO's two-digit cue categories (PLOVER manual, chapter 7), so the root is
    the honest counterpart; a finer code would claim detail the source does not have. The
    CAMEO→PLOVER table is inverted: every CAMEO code maps to a (category, mode); a category's
    representative root is the root holding most of the codes that map to it (ACCUSE: 11
    "Disapprove" rather than 09 "Investigate"; ASSAULT: 18 "Assault" rather than 19 or 20;
    COERCE: 17), ties going to the lower root. When the mode's codes all sit under one root,
    that root is used instead, provided the root itself maps to the category
    (ASSAULT/heavy-weapons -> 19 "Fight", ASSAULT/massacre -> 20, ACCUSE/investigate -> 09,
    but not ASSAULT/seize -> 17, an oddity of the table); POLECAT's ASSAULT modes ``aerial``
    and ``drone``, which the 2021 table lacks, also go to 19. CONCEDE and RETREAT both map to
    08 "Yield". Goldstein scores of such records are those of the root code.

    >>> plover_to_cameo("THREATEN"), plover_to_cameo("assault", "heavy-weapons")
    ('13', '19')
    """
    main, by_mode = _plover_roots()
    key = category.strip().upper()
    if key not in main:
        raise KeyError(f"unknown PLOVER category {category!r}; known: {', '.join(sorted(main))}")
    return by_mode.get((key, mode.strip().lower()), main[key])


_PLOVER_KEYS = {
    "date": ("event_date", "date"),
    "type": ("event_type", "event", "type", "plover_type", "category"),
    "mode": ("event_mode", "mode"),
    "actor": ("actor", "actor_code", "actor_country", "actor_name", "source_actor"),
    "target": (
        "recipient",
        "target",
        "recipient_code",
        "recipient_country",
        "recipient_name",
    ),
    "id": ("event_id", "id"),
    "url": ("source_url", "url", "citeinfo", "source"),
    "text": ("description", "headline", "text", "eventtext", "event_text"),
}


def _pick(row: _Row, values: Mapping[str, Any], what: str) -> str:
    """The first non-empty value among the field's names, as text (lists give their first)."""
    for key in _PLOVER_KEYS[what]:
        value = values.get(key)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            if len(value) > 1 and what in ("type", "mode", "actor", "target"):
                row.warn(key, f"{len(value)} values; the first is used")
            value = value[0]
        if isinstance(value, dict):  # PLOVER entity or citeinfo objects
            value = value.get("code") or value.get("url") or value.get("entitytext") or ""
        if not isinstance(value, str | int | float):
            row.problem(key, f"expected text, got {type(value).__name__}")
            return ""
        return str(value).strip()
    return ""


def _read_plover(lines: _Lines, label: str, report: ImportReport) -> Iterator[EventRecord]:
    first = lines.peek()
    if first is None:
        return
    if first.lstrip().startswith("{"):
        yield from _read_plover_jsonl(lines, label, report)
        return
    delimiter = "\t" if "\t" in first else ","
    found = _header(lines, label, delimiter)
    assert found is not None
    names, header_line = found
    present = set(names)
    for what in ("date", "type"):
        if not present & set(_PLOVER_KEYS[what]):
            raise _file_problem(
                label,
                f"no {what} column; expected one of {', '.join(_PLOVER_KEYS[what])}",
                header_line,
            )
    yield from _table_records(lines, delimiter, names, label, report, _plover_record)


def _read_plover_jsonl(lines: _Lines, label: str, report: ImportReport) -> Iterator[EventRecord]:
    for text in lines:
        if not text.strip() and lines.line not in lines.errors:
            continue
        row = _Row(label, lines.line, report)
        if _reject_raw(row, None, lines.take_errors(lines.line, lines.line)):
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            row.problem("", f"malformed JSON: {exc.msg} (column {exc.colno})")
            row.reject()
            continue
        except RecursionError:
            row.problem("", "JSON nested too deeply to be an event")
            row.reject()
            continue
        if not isinstance(obj, dict):
            row.problem("", f"expected a JSON object per line, got {type(obj).__name__}")
            row.reject()
            continue
        record = _plover_record(row, {_norm(str(k)): v for k, v in obj.items()})
        if record is not None:
            yield record


def _plover_record(row: _Row, values: Mapping[str, Any]) -> EventRecord | None:
    quads, known_modes = _polecat_table()
    date = row.date("date", _pick(row, values, "date"))
    kind = _pick(row, values, "type").lower()
    mode = _pick(row, values, "mode").lower()
    if not kind:
        row.problem("event_type", "the PLOVER event type is missing")
    elif kind not in quads:
        row.problem(
            "event_type", f"unknown PLOVER event type {kind!r}; known: {', '.join(sorted(quads))}"
        )
    elif mode and (kind, mode) not in known_modes:
        row.warn("event_mode", f"mode {mode!r} is not a POLECAT mode of {kind!r}; kept as given")
    actor = _pick(row, values, "actor")
    if not actor:
        row.problem("actor", "the actor is missing")
    target = _pick(row, values, "target")
    event_id = _pick(row, values, "id")
    url = _pick(row, values, "url")
    text = _pick(row, values, "text")

    def build() -> EventRecord:
        category = kind.upper()
        code = plover_to_cameo(category, mode)
        try:
            score = plover_score(category, mode)
        except KeyError:
            score = None
        return EventRecord(
            date=date,  # type: ignore[arg-type]
            actor=actor,
            target=target,
            cameo=code,
            plover=category,
            plover_mode=mode,
            goldstein=goldstein(code),
            description=text,
            source=url or row.label,
            line=row.line,
            file=row.label,
            quad=quads[kind],
            score=score,
            event_id=event_id,
        )

    return row.finish(build)


_READERS: dict[str, Callable[[_Lines, str, ImportReport], Iterator[EventRecord]]] = {
    "crisislab": _read_crisislab,
    "gdelt": _read_gdelt,
    "plover": _read_plover,
}
