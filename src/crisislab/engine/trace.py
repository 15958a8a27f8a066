"""The story of a traced run: the kernel's log (kernel.record) read back as named records.

A traced batch logs every event, order, statement, message, red-line firing, decision, front
news and war start of its runs (layout.LOG names the columns, layout.WHAT the kinds) and keeps
daily series; `records` turns one run's log into the dictionaries narration reads (story.py),
with names from the scenario in place of indices.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from crisislab.engine import layout as col
from crisislab.engine.constants import RESPONSES
from crisislab.engine.draws import source_kind
from crisislab.engine.params import Setup, executable

if TYPE_CHECKING:
    from crisislab.engine.batch import Batch

BELIEF_STEP = 0.02  # a day's change of belief the story mentions


class _Index:
    """A traced batch's log grouped by run (in order within each run) and the scenario's names,
    made once per batch: `export` reads every run of a batch."""

    def __init__(self, batch: Batch) -> None:
        self.state = batch.state  # the index belongs to this state: a rerun makes a new one
        log = batch.log()
        order = np.argsort(log[:, col.LOG_RUN], kind="stable")
        self.log = log[order]
        self.starts = np.searchsorted(self.log[:, col.LOG_RUN], np.arange(batch.runs + 1))
        self.names = _Names(batch.setup)

    def rows(self, run: int) -> np.ndarray:
        return self.log[self.starts[run] : self.starts[run + 1]]


_INDEXES: weakref.WeakKeyDictionary[Batch, _Index] = weakref.WeakKeyDictionary()


def records(batch: Batch, run: int) -> list[dict[str, Any]]:
    """The records of row `run` of a traced batch, in the order they happened."""
    setup = batch.setup
    index = _INDEXES.get(batch)
    if index is None or index.state is not batch.state:
        index = _INDEXES[batch] = _Index(batch)
    names = index.names
    out: list[dict[str, Any]] = [_types(batch, run, names)]
    log = index.rows(run)
    beliefs = _belief_records(batch, run, names)
    b = 0
    for row in log:
        day = int(row[col.LOG_DAY])
        while b < len(beliefs) and beliefs[b]["day"] < day:
            out.append(beliefs[b])
            b += 1
        if day < setup.t0:
            continue  # replayed days: the record itself says what happened
        record = _decode(row, names, setup)
        if record is not None:
            out.append(record)
    out.extend(beliefs[b:])
    return out


class _Names:
    def __init__(self, setup: Setup) -> None:
        c = setup.c
        self.c = c
        self.actions = dict(enumerate(executable(setup).values()))

    def actor(self, side: int, group: int) -> str:
        return self.c.groups[group].id if group >= 0 else self.c.sides[side].id


def _types(batch: Batch, run: int, names: _Names) -> dict[str, Any]:
    c = batch.setup.c
    drawn = batch.field("resolve_drawn")[run]
    limited = drawn < 0.5  # the label: drawn resolve below 1/2
    return {
        "day": 0,
        "kind": "types",
        "types": {c.sides[i].id: ("limited" if limited[i] else "aggressive") for i in (0, 1)},
        "resolve": {c.sides[i].id: round(float(drawn[i]), 3) for i in (0, 1)},
        "beliefs": {c.sides[i].id: float(c.sides[i].prior_trust) for i in (0, 1)},
    }


def _belief_records(batch: Batch, run: int, names: _Names) -> list[dict[str, Any]]:
    """A record for each simulated day on which a belief moved by BELIEF_STEP or more."""
    setup, c = batch.setup, batch.setup.c
    series = batch.daily("belief")[run].astype(np.float64)  # [side, day]
    out = []
    for t in range(setup.t0, batch.total_days):
        for i in (0, 1):
            before = series[i, t - 1] if t > 0 else c.sides[i].prior_trust
            after = series[i, t]
            if abs(after - before) >= BELIEF_STEP:
                out.append(
                    {
                        "day": t,
                        "kind": "belief",
                        "observer": c.sides[i].id,
                        "before": float(before),
                        "after": float(after),
                    }
                )
    return out


FRONT_NEWS = {
    col.FRONT_EXPULSION: "the host orders the defender's forces out (pressure {value:.2f} above "
    "{threshold})",
    col.FRONT_WITHDRAWAL: "the defender's forces withdraw from the host nation",
    col.FRONT_FOLLOW_ON: "follow-on withdrawal from the neighbouring theatre",
    col.FRONT_PREVENTIVE_STRIKE: "the defender decides on a preventive strike",
    col.FRONT_DIALOGUE_BEGINS: "a dialogue between the two leaderships begins",
    col.FRONT_DIALOGUE_COLLAPSES: "the dialogue collapses",
    col.FRONT_BREAKOUT_CRISIS: "breakout crisis: breakout time {value:.1f} months, no dialogue",
}


def _decode(row: np.ndarray, names: _Names, setup: Setup) -> dict[str, Any] | None:
    c = setup.c
    day, what = int(row[col.LOG_DAY]), int(row[col.LOG_WHAT])
    side, group = int(row[col.LOG_SIDE]), int(row[col.LOG_GROUP])
    if what == col.WHAT_EVENT:
        action = names.actions[int(row[col.LOG_ACTION])]
        intended = action.plain.rung
        if row[col.LOG_INTENDED_WARNED] and action.warned is not None:
            intended = action.warned.rung
        detected = bool(row[col.LOG_DETECTED])
        struck = int(row[col.LOG_STRUCK_GROUP])
        return {
            "day": day,
            "kind": "event",
            "source": source_kind(int(row[col.LOG_SOURCE])),
            "actor": names.actor(side, group),
            "ordered_by": c.sides[side].id if row[col.LOG_ORDERED] else None,
            "action": action.id,
            "label": action.label,
            "target": c.groups[struck].id if struck >= 0 else None,
            "cameo": action.cameo,
            "goldstein": action.goldstein,
            "intended_rung": int(intended),
            "executed_rung": int(row[col.LOG_RUNG]),
            "warned": bool(row[col.LOG_WARNED]),
            "deaths": int(row[col.LOG_DEATHS]),
            "injuries": int(row[col.LOG_INJURIES]),
            "victims": c.nationalities[int(row[col.LOG_VICTIM])],
            "observer": c.sides[1 - side].id,
            "detected": detected,
            "perceived_rung": int(row[col.LOG_PERCEIVED]) if detected else None,
            "perceived_actor": names.actor(side, group) if detected else None,
            "p_ordered": float(row[col.LOG_P_ORDERED]) if detected else None,
        }
    if what == col.WHAT_ORDERS:
        order = "go" if row[col.LOG_VALUE] else "restrain"
        return {"day": day, "kind": "orders", "actor": c.sides[side].id, "order": order}
    if what == col.WHAT_RHETORIC:
        return {"day": day, "kind": "rhetoric", "actor": c.sides[side].id}
    if what == col.WHAT_MESSAGE:
        message = c.sides[side].message
        return {
            "day": day,
            "kind": "message",
            "actor": c.sides[side].id,
            "arrives": int(row[col.LOG_VALUE]),
            "label": message.label if message else "message",
        }
    if what == col.WHAT_RED_LINE:
        line = c.red_lines[int(row[col.LOG_LINE])]
        return {
            "day": day,
            "kind": "red_line",
            "red_line": line.id,
            "owner": c.sides[line.owner].id,
            "enforced": bool(row[col.LOG_ENFORCED]),
            "p_ordered": float(row[col.LOG_P_ORDERED]),
            "reported_deaths": int(row[col.LOG_DEATHS]),
        }
    if what == col.WHAT_DECISION:
        kind = int(row[col.LOG_RESPONSE])
        target = None
        if kind > 0:
            target = c.groups[group].id if group >= 0 and kind == 1 else c.sides[1 - side].id
        return {
            "day": day,
            "kind": "decision",
            "actor": c.sides[side].id,
            "response": RESPONSES[kind],
            "target": target,
        }
    if what == col.WHAT_FRONT:
        text = FRONT_NEWS[int(row[col.LOG_NEWS])].format(
            value=row[col.LOG_VALUE], threshold=c.scenario.fronts.host.threshold
        )
        return {"day": day, "kind": "front", "text": text}
    if what == col.WHAT_WAR:
        return {
            "day": day,
            "kind": "war",
            "exchanges": int(row[col.LOG_VALUE]),
            "battle_deaths": float(row[col.LOG_DEATHS]),
        }
    return None
