"""Event records: one observed, dated event from a real-world source, on common code scales.

Records are what every importer yields, whatever the source (the project's CSV, GDELT, PLOVER or
POLECAT), so replay and analysis code reads one shape. They hold what a source *reported* and
nothing the model infers: actor codes stay as the source wrote them (``USAMIL``, ``IRQ_KH``), and a
timeline's ``actor_aliases`` maps them to scenario actors later. This keeps reported facts apart
from the model's perceived and true fields (model reference, section 3).

The severity table (:func:`default_severity`, ``crisislab/history/data/severity.csv``) says how
high on the 0-14 ladder an act stands, by CAMEO code and the kind of target it hit; replay reads
records with it, and a timeline may override rows of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files

from crisislab.errors import Problem, TimelineError
from crisislab.scenario.codebooks import cameo_label, is_cameo_code

__all__ = [
    "CHANNELS",
    "CLAIMS",
    "HITS_OF_KIND",
    "QUAD_CLASSES",
    "SEVERITY_COLUMNS",
    "TARGET_KINDS",
    "EventRecord",
    "Severity",
    "SeverityTable",
    "default_severity",
    "parse_severity",
    "quad_class",
]

#: The four CAMEO quad classes, as numbered in GDELT's ``QuadClass`` column.
QUAD_CLASSES: dict[int, str] = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}


def quad_class(code: str) -> int:
    """Quad class (1-4) of a CAMEO code from its root: 01-05, 06-08, 09-13, 14-20.

    This is the grouping GDELT uses for ``QuadClass``; it lets records from sources without a
    quad column be aggregated the same way.
    """
    root = int(code[:2])
    if not 1 <= root <= 20:
        raise ValueError(f"CAMEO root {code[:2]!r} is not in 01-20")
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One reported event, coded in CAMEO with its PLOVER category and Goldstein score.

    Frozen (and slotted, so millions of them stay small) because a record is evidence: replay
    and fork read records and must never change them.

    Fields:

    - ``date``: the day the event happened, as the source dates it.
    - ``actor``, ``target``: actor codes exactly as in the source (``target`` may be empty when
      the source names no recipient); timelines map them to scenario actors.
    - ``cameo``: the CAMEO code as a string. ``"010"`` (make statement) and ``"10"`` (demand) are
      different codes, so codes are never numbers.
    - ``plover``, ``plover_mode``: the PLOVER category (upper case, e.g. ``"ASSAULT"``) and mode
      (lower case, ``""`` when none). ``plover`` is ``None`` for CAMEO 01 and 02 (statements,
      appeals), which PLOVER dropped.
    - ``goldstein``: the Goldstein conflict-cooperation score (-10 ... +10) of ``cameo`` from the
      packaged codebook, so records from every source sit on one scale.
    - ``description``: free text from the source (empty if it has none).
    - ``source``: the URL the event was reported at, or the file label when the row has none.
    - ``line``: the line in the source file where the record starts, so any record can be traced
      back and checked; ``file`` is the label of that file.
    - ``quad``: CAMEO quad class 1-4 (see :data:`QUAD_CLASSES`), from the source where it has one.
    - ``score``: the PLOVER conflict-cooperation score of (``plover``, ``plover_mode``), or
      ``None`` when there is no PLOVER category.
    - ``action``: the project's action id where the source has one (own CSV), e.g.
      ``"missile_strike"``; empty otherwise.
    - ``event_id``: the source's identifier (GDELT ``GLOBALEVENTID``, PLOVER ``id``), if any.
    - ``deaths``, ``victims``, ``warned``: what the own CSV may add (optional columns): deaths
      caused, the victims' nationality code, and whether the act was telegraphed in advance.
      Replay uses them for casualty reports, red lines and the warned variant of a strike.

    Event data version 2 (optional columns of the own CSV; empty in every other source):

    - ``extra_targets``: the targets after the first when the row names several (``target``
      holds the first); :attr:`targets` gives them all.
    - ``target_kinds``: what was struck, one of :data:`TARGET_KINDS` per target (``""`` when the
      row does not say); it selects the act's severity.
    - ``ordered_by``: the code of the leadership that ordered the act, ``"none"`` when the row
      says nobody did, ``""`` when it is not known.
    - ``claimed``: ``"claimed"``, ``"denied"`` or ``"none"`` (nobody claimed it); ``""`` unknown.
    - ``attribution_ambiguity``: how hard the act was to attribute, 0-1, or ``None``.
    - ``channel``: the channel a message went over, ``"none"`` (public), ``"indirect"`` or
      ``"hotline"``; ``""`` when the row does not say.
    - ``severity``: the severity table of the timeline the record was loaded with (``None``: the
      package's table); not compared, not shown.
    """

    date: dt.date
    actor: str
    target: str
    cameo: str
    plover: str | None
    plover_mode: str
    goldstein: float
    description: str = ""
    source: str = ""
    line: int = 0
    file: str = ""
    quad: int | None = None
    score: float | None = None
    action: str = ""
    event_id: str = ""
    deaths: int = 0
    victims: str = ""
    warned: bool = False
    extra_targets: tuple[str, ...] = ()
    target_kinds: tuple[str, ...] = ()
    ordered_by: str = ""
    claimed: str = ""
    attribution_ambiguity: float | None = None
    channel: str = ""
    severity: SeverityTable | None = field(default=None, compare=False, repr=False)

    @property
    def targets(self) -> tuple[str, ...]:
        """Every target code of the row, the first (``target``) first; ``()`` when none."""
        return (self.target, *self.extra_targets) if self.target else self.extra_targets

    def kind_of(self, index: int = 0) -> str:
        """The target kind of the ``index``-th target, ``""`` when the row gives none."""
        kinds = self.target_kinds
        if not kinds:
            return ""
        return kinds[index] if index < len(kinds) else kinds[-1]

    @property
    def cameo_label(self) -> str:
        """The CAMEO 1.1b3 label of ``cameo``, e.g. ``"Employ aerial weapons"``."""
        return cameo_label(self.cameo)

    @property
    def root(self) -> str:
        """The two-digit CAMEO root (cue category), e.g. ``"19"`` for ``"195"``."""
        return self.cameo[:2]

    @property
    def where(self) -> str:
        """``file:line``, for messages that point at the record's origin."""
        return f"{self.file}:{self.line}" if self.file else f"line {self.line}"


# --- event data version 2: target kinds, claims, channels and the severity table --------------

#: What an act strikes, for its severity: the engine's six target kinds, plus ``energy`` (oil
#: and gas facilities, replayed as the engine's ``shipping``, the maritime front's "ships and
#: energy") and ``materiel`` (unmanned assets and equipment: a drone, replayed as ``forces``).
TARGET_KINDS = (
    "forces",
    "territory",
    "senior_commander",
    "proxy",
    "shipping",
    "civilians",
    "energy",
    "materiel",
)
#: The engine's target kind (an action's ``hits``) each target kind is replayed as.
HITS_OF_KIND: dict[str, str] = {
    **{kind: kind for kind in TARGET_KINDS[:6]},
    "energy": "shipping",
    "materiel": "forces",
}
#: Values of the ``claimed`` column.
CLAIMS = ("claimed", "denied", "none")
#: Values of the ``channel`` column (the scenario's channel kinds).
CHANNELS = ("none", "indirect", "hotline")
#: Columns of a severity table.
SEVERITY_COLUMNS = ("code", "target", "rung", "lethal_rung", "warned_rung", "basis")
_TOP_RUNG = 14


@dataclass(frozen=True, slots=True)
class Severity:
    """The rungs of an act on the 0-14 ladder: plain, when it kills, when it was telegraphed
    (``None``: the act has no warned form); ``basis`` says why, ``source`` where the row is."""

    rung: int
    lethal_rung: int
    warned_rung: int | None = None
    basis: str = ""
    source: str = ""


@dataclass(frozen=True)
class SeverityTable:
    """Rungs by CAMEO code and target kind; tables later in ``layers`` are read only when the
    earlier ones have no row for the act (a timeline's rows come before the package's).

    Within one layer a row for the act's target kind wins over a row for any kind (``*``), and
    among rows of the same kind the longest code wins (``195`` before ``19``): a jammed drone
    (195 on ``materiel``) finds the row ``19,materiel``, not one for 195 on any target.
    """

    layers: tuple[Mapping[tuple[str, str], Severity], ...]
    source: str = ""

    def lookup(self, code: str, kind: str = "") -> Severity:
        """The severity of CAMEO ``code`` on a target of ``kind`` (``""`` or ``*``: unknown)."""
        kinds = (kind, "*") if kind and kind != "*" else ("*",)
        for layer in self.layers:
            for k in kinds:
                for n in range(len(code), 1, -1):
                    found = layer.get((code[:n], k))
                    if found is not None:
                        return found
        raise KeyError(f"no severity for CAMEO {code!r} on {kind or 'any target'}")

    def over(self, rows: Mapping[tuple[str, str], Severity], source: str) -> SeverityTable:
        """This table with ``rows`` read first (a timeline's overrides)."""
        return SeverityTable((rows, *self.layers), source)


def parse_severity(text: str, label: str) -> tuple[dict[tuple[str, str], Severity], list[Problem]]:
    """The rows of a severity table in CSV (:data:`SEVERITY_COLUMNS`; ``basis`` and the rung
    columns after ``rung`` may be left empty) and the problems found, each with its line."""
    rows: dict[tuple[str, str], Severity] = {}
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header: list[str] | None = None
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            missing = [c for c in ("code", "target", "rung") if c not in header]
            unknown = [c for c in header if c not in SEVERITY_COLUMNS]
            if missing or unknown:
                why = f"missing column(s) {', '.join(missing)}" if missing else ""
                why += ("; " if why else "") + (
                    f"unknown column(s) {', '.join(unknown)}" if unknown else ""
                )
                problems.append(
                    Problem(label, "", f"{why}; the columns are {', '.join(SEVERITY_COLUMNS)}", 1)
                )
                return rows, problems
            continue
        if len(record) != len(header):
            problems.append(
                Problem(label, "", f"expected {len(header)} fields, found {len(record)}", line)
            )
            continue
        values = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        key, severity, found = _severity_row(values, f"{label}:{line}")
        problems += [Problem(label, path, message, line) for path, message in found]
        if key is None or severity is None:
            continue
        if key in rows:
            problems.append(Problem(label, "code", f"a second row for {key[0]} on {key[1]}", line))
            continue
        rows[key] = severity
    if header is None:
        problems.append(Problem(label, "", "the severity table is empty"))
    return rows, problems


def _severity_row(
    values: Mapping[str, str], source: str
) -> tuple[tuple[str, str] | None, Severity | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    code = values.get("code", "")
    if not code:
        problems.append(("code", "the CAMEO code is missing"))
    elif not is_cameo_code(code):
        problems.append(("code", f"unknown CAMEO code {code!r} (codes are strings: '01', '195')"))
    kind = values.get("target", "").lower() or "*"
    if kind != "*" and kind not in TARGET_KINDS:
        problems.append(
            ("target", f"unknown target kind {kind!r}; use * or {', '.join(TARGET_KINDS)}")
        )

    def rung(name: str, required: bool) -> int | None:
        text = values.get(name, "")
        if not text:
            if required:
                problems.append((name, "the rung is missing"))
            return None
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not number.is_integer() or not 0 <= number <= _TOP_RUNG:
            problems.append((name, f"expected a rung 0-{_TOP_RUNG}, got {text!r}"))
            return None
        return int(number)

    plain, lethal, warned = (
        rung("rung", True),
        rung("lethal_rung", False),
        rung("warned_rung", False),
    )
    if plain is not None and lethal is not None and lethal < plain:
        problems.append(("lethal_rung", f"{lethal} is below the rung {plain}"))
    if problems or plain is None:
        return None, None, problems
    severity = Severity(
        plain, plain if lethal is None else lethal, warned, values.get("basis", ""), source
    )
    return (code, kind), severity, problems


@functools.cache
def default_severity() -> SeverityTable:
    """The package's severity table (``crisislab/history/data/severity.csv``)."""
    label = "severity.csv"
    text = (files("crisislab.history") / "data" / label).read_text(encoding="utf-8")
    rows, problems = parse_severity(text, label)
    if problems:  # a packaging fault, caught by the tests
        raise TimelineError(problems)
    return SeverityTable((rows,), label)
