"""A lethal event opens a new episode when the last one is older than the exchange window.

Worked case: run 0 has had no lethal event when, on day 40, an accident (an unordered act) kills
one person. 40 days after "never" is more than the 30-day window, so a new episode opens and it is
unordered: a war it leads to counts as inadvertent. In int32, 40 minus the initial -(2**31 - 1)
overflowed to a negative number, so only day 0 could open a first episode. Both day loops (numpy,
and the kernel with the same code) must now record it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from crisislab.engine import kernel, native
from crisislab.engine.compiled import compile_scenario
from crisislab.engine.step import Engine
from crisislab.scenario.loader import load_scenario

DAY = 40


def engine(use_kernel: bool) -> Engine:
    compiled = compile_scenario(load_scenario("us-iran-2020", {"days": 60}))
    e = Engine(compiled, 1, 0, 1, native=use_kernel)
    e.initialise()
    return e


def test_first_lethal_event_after_day_0_opens_an_unordered_episode():
    e = engine(use_kernel=False)
    c = e.c
    group = c.groups[c.accident_group]
    only_run_0 = np.arange(e.runs) == 0
    assert e.ledger.last_lethal_day[0] < -(2**30) and not e.ledger.episode_unordered[0]
    e.emit(
        DAY,
        only_run_0,
        group.side,
        c.accident_group,
        c.accident_action,
        ordered=np.zeros(e.runs, bool),
        forced_deaths=1,
        kind="accident",
    )
    assert e.ledger.last_lethal_day[0] == DAY
    assert e.ledger.episode_unordered[0]
    assert not e.ledger.episode_unordered[1:].any()


@njit
def _truth(S, P, t, j, side, group, role, act, victim):
    kernel.truth(S, P, t, j, side, group, role, act, 9, 1, 0, victim, False, False)


def test_the_kernel_opens_the_same_episode():
    e = engine(use_kernel=True)
    c = e.c
    state, params = native.pack(e), native.parameters(e)
    group_i = params[5]
    g = c.accident_group
    side = int(group_i[g, native.col.GI_SIDE])
    act = int(group_i[g, native.col.GI_ACTION])
    role = int(group_i[g, native.col.GI_ROLE])
    victim = c.sides[1 - side].nationality
    _truth(state, params, DAY, 0, side, g, role, act, victim)
    native.unpack(e, state)
    assert e.ledger.last_lethal_day[0] == DAY
    assert e.ledger.episode_unordered[0]
    assert not e.ledger.episode_unordered[1:].any()
