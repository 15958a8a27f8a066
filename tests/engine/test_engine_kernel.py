"""The compiled day loop (engine/kernel.py) computes exactly what the numpy day loop computes.

Both draw the same random numbers in the same order, so every column must be identical, whatever
the levers; the numpy loop stays the reference (and serves scripts, traces and daily series)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from crisislab.engine import native
from crisislab.engine.compiled import compile_scenario
from crisislab.engine.kernel import marked_runs, next_slot
from crisislab.engine.step import Engine
from crisislab.scenario.loader import load_scenario

SCENARIO = "us-iran-2020"
LEVERS = [
    {},
    {"actors.USA.doctrine": "proportional", "channel.carries_c2": True},
    {"actors.USA.doctrine": "gtft", "actors.USA.rhetoric": "inflammatory"},
    {
        "actors.USA.doctrine": "retaliatory",
        "actors.USA.decision": "logit",
        "channel.kind": "hotline",
        "attribution.confirmation_bias": 0.5,
    },
    {
        "actors.USA.doctrine": "proportional",
        "channel.kind": "none",
        "fronts.host.withdrawal_lag_days": 20,
        "fronts.host.days_above": 1,
        "fronts.nuclear.breakout_months": 3.5,
        "fronts.nuclear.preventive_strike": True,
        "fronts.nuclear.step_days": 10,
    },
    {"fronts.host.actor": None, "fronts.maritime.actor": None, "fronts.nuclear.enabled": False},
]


def columns(levers: dict, use_kernel: bool, days: int = 120) -> dict[str, np.ndarray]:
    scenario = load_scenario(SCENARIO, {**levers, "days": days})
    return Engine(compile_scenario(scenario), 7, 3, 2, native=use_kernel).run()


@pytest.mark.parametrize("levers", LEVERS, ids=range(len(LEVERS)))
def test_kernel_gives_the_numpy_columns(levers):
    fast, reference = columns(levers, True), columns(levers, False)
    assert fast.keys() == reference.keys()
    for name in reference:
        assert fast[name].dtype == reference[name].dtype, name
        assert np.array_equal(fast[name], reference[name]), name


def test_the_compared_ensembles_are_busy():
    c = columns(LEVERS[1], True)
    assert np.any(c["outcome"] == 2) and c["red_line_firings"].sum() > 0
    assert c["proxy_strikes"].sum() > 0 and c["misperceptions"].sum() > 0


def test_scripts_traces_and_daily_series_use_the_numpy_loop():
    scenario = load_scenario(SCENARIO, {"days": 5})
    compiled = compile_scenario(scenario)
    assert native.supported(Engine(compiled, 1, 0, 1))
    assert not native.supported(Engine(compiled, 1, 0, 1, trace_run=3))
    assert not native.supported(Engine(compiled, 1, 0, 1, daily=True))


def test_a_generator_state_it_cannot_reach_sends_runs_to_the_numpy_loop(monkeypatch):
    compiled = compile_scenario(load_scenario(SCENARIO, {"days": 20}))
    kernel_columns = Engine(compiled, 7, 3, 1).run()
    monkeypatch.setattr(native, "pcg64_words", lambda generator: None)
    engine = Engine(compiled, 7, 3, 1)
    assert not native.supported(engine)
    columns = engine.run()
    for name in kernel_columns:
        assert np.array_equal(columns[name], kernel_columns[name]), name


def test_unpacking_restores_the_engine_state_exactly():
    scenario = load_scenario(SCENARIO, {"days": 5})
    engine = Engine(compile_scenario(scenario), 1, 0, 1)
    engine.initialise()
    before = engine.views[1].belief.copy(), engine.world.grievance.copy()
    native.unpack(engine, native.pack(engine))
    assert np.array_equal(engine.views[1].belief, before[0])
    assert np.array_equal(engine.world.grievance, before[1])


@njit
def _marked(marks, lo, out):
    return marked_runs(marks, lo, marks.size, out)


@njit
def _visited(mask):
    slots = [0][:0]
    while mask:
        k, mask = next_slot(mask)
        slots.append(k)
    return slots


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 1024, 1027])
def test_marked_runs_lists_the_marked_runs_in_order(n):
    marks = np.random.default_rng(n).random(n) < 0.1
    marks[-1:] = True  # a mark in the tail past the last whole eight
    out = np.empty(n, np.int64)
    count = _marked(marks, 5_000, out)
    assert out[:count].tolist() == (5_000 + np.flatnonzero(marks)).tolist()


@pytest.mark.parametrize("mask", [1, 0b10110010, 0b11111111, 0b10000000])
def test_next_slot_visits_the_active_slots_in_order(mask):
    assert list(_visited(mask)) == [k for k in range(8) if mask >> k & 1]
