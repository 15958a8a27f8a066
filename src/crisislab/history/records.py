"""Event records: one observed, dated event from a real-world source, on common code scales.

Records are what every importer yields, whatever the source (the project's CSV, GDELT, PLOVER or
POLECAT), so replay and analysis code reads one shape. They hold what a source *reported* and
nothing the model infers: actor codes stay as the source wrote them (``USAMIL``, ``IRQ_KH``), and a
timeline's ``actor_aliases`` maps them to scenario actors later. This keeps reported facts apart
from the model's perceived and true fields (model reference, section 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crisislab.scenario.codebooks import cameo_label

__all__ = ["QUAD_CLASSES", "EventRecord", "quad_class"]

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
