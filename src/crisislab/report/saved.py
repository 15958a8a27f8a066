"""What a saved replay or fork JSON must hold before `crisislab report` draws it.

The files are written by `crisislab replay --json` and `crisislab fork --json`, but a report may be
asked of any file: every field the pages read is checked here (numbers finite, probabilities in
[0, 1], dates ISO dates, series of one length), so a bad file is refused with the field named
(``days[3].sides.USA.belief``) instead of drawn. Keys may be added to the files: unknown keys are
allowed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from crisislab.errors import BadInput, Problem
from crisislab.scenario.outcomes import OUTCOMES


def _iso_date(text: str) -> str:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {text!r}") from None
    return text


Finite = Annotated[float, Field(allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]  # a probability or share
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]
IsoDate = Annotated[str, AfterValidator(_iso_date)]


class _Saved(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class ReplaySide(_Saved):
    perceived_rung: NonNegative
    belief: Share
    red_line_fired: Share


class ReplayDay(_Saved):
    date: IsoDate
    events: Count
    goldstein: Finite
    rivera: Finite
    sides: dict[str, ReplaySide]


class SavedReplay(_Saved):
    timeline: str
    scenario: str
    runs: Annotated[int, Field(ge=1)]
    seed: Count
    start: IsoDate
    end: IsoDate
    not_replayed: list[str]
    days: list[ReplayDay]

    @model_validator(mode="after")
    def _same_sides_every_day(self) -> SavedReplay:
        if self.days:
            sides = set(self.days[0].sides)
            for i, day in enumerate(self.days):
                if set(day.sides) != sides:
                    raise ValueError(
                        f"days[{i}].sides: {sorted(day.sides)}, but days[0] has {sorted(sides)}"
                    )
        return self


Interval = Annotated[list[Share], Field(min_length=2, max_length=2)]


class Probability(_Saved):
    p: Share
    ci: Interval


class Fork(_Saved):
    timeline: str
    at: IsoDate


class CalibrationEvent(_Saved):
    description: str
    forecast: Share
    ci: Interval
    observed: bool | None  # None: the timeline covers no day after the fork
    brier: Share | None
    log_score: NonNegative | None


class Calibration(_Saved):
    events: dict[str, CalibrationEvent]
    window_days: Count
    requested_window_days: Count | None = None
    timeline_covers_days: Count
    mean_brier: Share | None
    mean_log_score: NonNegative | None


class GoldsteinSeries(_Saved):
    dates: list[IsoDate]
    observed: list[Finite]
    at_war: list[Share]
    q05: list[Finite]
    q25: list[Finite]
    q50: list[Finite]
    q75: list[Finite]
    q95: list[Finite]

    @model_validator(mode="after")
    def _one_length(self) -> GoldsteinSeries:
        n = len(self.dates)
        for name in ("observed", "at_war", "q05", "q25", "q50", "q75", "q95"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} values, dates {n}")
        return self


class SavedFork(_Saved):
    scenario: str
    runs: Annotated[int, Field(ge=1)]
    seed: Count
    days: Annotated[int, Field(ge=1)]
    overrides: dict[str, Any]
    outcomes: dict[str, Probability]
    war_kinds: dict[str, Share]
    fork: Fork
    calibration: Calibration
    goldstein_series: GoldsteinSeries

    @model_validator(mode="after")
    def _every_outcome(self) -> SavedFork:
        missing = [name for name in OUTCOMES if name not in self.outcomes]
        if missing:
            raise ValueError(f"outcomes: missing {', '.join(missing)}")
        return self


MODELS: dict[str, type[_Saved]] = {"replay": SavedReplay, "fork": SavedFork}


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a field path: ``days[3].sides.USA.belief``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _message(error: Any) -> str:
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    if error["type"] not in ("missing", "value_error") and "input" in error:
        shown = repr(error["input"])
        message += f", got {shown if len(shown) <= 40 else shown[:37] + '...'}"
    return message


def check_saved(source: str, kind: str, data: Any) -> None:
    """Refuse a replay or fork JSON whose fields the report cannot draw: one message naming the
    first bad field, and how many more there are."""
    try:
        MODELS[kind].model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        rest = len(errors) - 1
        more = f" (and {rest} more problem{'s' if rest > 1 else ''})" if rest else ""
        message = f"malformed {kind} JSON: {_message(first)}{more}"
        raise BadInput([Problem(source, _where(first["loc"]), message)]) from None
