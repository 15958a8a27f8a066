"""The calibration statistics: each on hand-made per-run columns with a worked number, their
parameters checked, and every one computed on a small real simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from crisislab import simulate
from crisislab.calibration import STATISTICS, Statistic, columns_of
from crisislab.calibration.statistics import DAYS_PER_MONTH, censored_quantile, durations


def cols(**columns: list[int]) -> dict[str, np.ndarray]:
    return {name: np.array(values, np.int32) for name, values in columns.items()}


def stat(name: str) -> Statistic:
    return STATISTICS[name]


def test_the_registry_names_each_statistic_once_with_a_kind_and_a_description():
    assert {
        "war_share",
        "violence_share",
        "violent_answer_share",
        "crisis_duration_median",
        "crisis_duration_quantile",
        "ended_within",
        "end_mode_share",
        "recurrence_share",
        "attacks_per_month",
        "event_within",
    } <= set(STATISTICS)
    for name, statistic in STATISTICS.items():
        assert statistic.name == name
        assert statistic.kind in ("share", "mean", "quantile")
        assert len(statistic.description) > 40
        assert statistic.as_dict()["name"] == name


# --- violence ---------------------------------------------------------------------------------


def test_war_share_counts_runs_whose_highest_level_is_full_scale_war():
    c = cols(violence=[1, 2, 3, 4, 4])
    assert stat("war_share").compute(c) == pytest.approx(2 / 5)


def test_violence_share_is_at_least_the_level_unless_exact():
    c = cols(violence=[1, 2, 3, 4, 4])
    assert stat("violence_share").compute(c, level=3) == pytest.approx(3 / 5)
    assert stat("violence_share").compute(c, level=3, exact=True) == pytest.approx(1 / 5)
    assert stat("violence_share").compute(c, level=1) == 1.0
    assert stat("violence_share").compute(c, level=4) == stat("war_share").compute(c)


def test_outcome_share_reads_the_outcome_class():
    c = cols(outcome=[0, 1, 1, 2])  # stable, frozen, frozen, war
    assert stat("outcome_share").compute(c, outcome="frozen_conflict") == 0.5
    assert stat("outcome_share").compute(c, outcome="war") == 0.25


# --- answers ----------------------------------------------------------------------------------


ANSWERS = cols(
    first_violent_answer_day=[-1, 5, 10, 20, -1],
    first_lethal_proxy_attack_day=[-1, 3, 12, 25, 8],
    opening=[3, 3, 3, 3, 3],
)


def test_violent_answer_to_the_opening_is_a_defender_strike_within_the_window():
    # the defender's first strikes: never, day 5, day 10, day 20, never
    answer = stat("violent_answer_share")
    assert answer.compute(ANSWERS) == pytest.approx(3 / 5)  # 30 days by default
    assert answer.compute(ANSWERS, days=7) == pytest.approx(1 / 5)
    assert answer.compute(ANSWERS, days=20) == pytest.approx(3 / 5)  # day 20 is within 20 days
    assert answer.compute(ANSWERS, days=19) == pytest.approx(2 / 5)


def test_violent_answer_counts_only_runs_opened_by_that_kind_of_trigger():
    # runs 0-1 opened by a state's violent act, 2-3 by a proxy's, 4 without violence
    mixed = {**ANSWERS, "opening": np.array([3, 3, 2, 2, 1], np.int8)}
    answer = stat("violent_answer_share")
    assert answer.compute(mixed, trigger="violent_opening") == pytest.approx(1 / 2)
    assert answer.compute(mixed, trigger="indirect_opening") == pytest.approx(2 / 2)
    assert answer.compute(mixed, trigger="indirect_opening", days=15) == pytest.approx(1 / 2)


def test_violent_answer_to_a_lethal_proxy_attack_counts_only_answers_it_can_date():
    # run 0: no attack; run 1: attack on day 3, strike on day 5 (answered); runs 2 and 3: the
    # defender struck before the attack (left out); run 4: attack on day 8, no strike
    answer = stat("violent_answer_share")
    assert answer.compute(ANSWERS, trigger="lethal_proxy_attack") == pytest.approx(1 / 2)
    assert answer.compute(ANSWERS, trigger="lethal_proxy_attack", days=2) == pytest.approx(1 / 2)
    assert answer.compute(ANSWERS, trigger="lethal_proxy_attack", days=1) == 0.0
    none = {k: v[:1] for k, v in ANSWERS.items()}
    assert math.isnan(answer.compute(none, trigger="lethal_proxy_attack"))


# --- duration, endings, recurrence --------------------------------------------------------------


def test_durations_count_the_opening_day_as_day_one_and_unended_crises_as_infinite():
    c = cols(first_end_day=[9, 19, 29, -1, -1])
    assert list(durations(c)) == [10, 20, 30, math.inf, math.inf]


def test_the_median_duration_is_finite_only_when_more_than_half_ended():
    median = stat("crisis_duration_median")
    assert median.compute(cols(first_end_day=[9, 19, 29, -1, -1])) == 30.0  # 3 of 5 ended
    assert median.compute(cols(first_end_day=[9, 19, 29, -1])) == 25.0  # (20 + 30) / 2
    assert median.compute(cols(first_end_day=[9, 19, -1, -1])) == math.inf  # only half ended
    assert median.compute(cols(first_end_day=[9, 19, 29, 39])) == np.median([10, 20, 30, 40])


def test_duration_quantiles_interpolate_as_numpy_and_are_infinite_among_censored_runs():
    quantile = stat("crisis_duration_quantile")
    c = cols(first_end_day=[9, 19, 29, -1, -1])
    assert quantile.compute(c, q=0.25) == 20.0
    assert quantile.compute(c, q=0.1) == pytest.approx(14.0)  # 10 + 0.4 x (20 - 10)
    assert quantile.compute(c, q=0.9) == math.inf
    values = np.array([3.0, 1.0, 8.0, 5.0])
    for q in (0.1, 0.5, 0.77):
        assert censored_quantile(values, q) == pytest.approx(np.quantile(values, q))
    assert math.isnan(censored_quantile(np.array([]), 0.5))


def test_ended_within_counts_first_crises_that_lasted_at_most_the_days():
    c = cols(first_end_day=[9, 19, 29, -1, -1])
    assert stat("ended_within").compute(c, days=20) == pytest.approx(2 / 5)
    assert stat("ended_within").compute(c, days=19) == pytest.approx(1 / 5)  # 19 lasted 20 days
    assert stat("ended_within").compute(c, days=365) == pytest.approx(3 / 5)


def test_end_mode_share_is_among_runs_whose_crisis_stands_ended():
    c = cols(crisis_end_day=[10, 20, -1, 30], end_mode=[1, 2, 0, 2])
    assert stat("end_mode_share").compute(c, mode="agreement") == pytest.approx(2 / 3)
    assert stat("end_mode_share").compute(c, mode="tacit") == pytest.approx(1 / 3)
    assert stat("end_mode_share").compute(c, mode="imposed") == 0.0
    unended = cols(crisis_end_day=[-1], end_mode=[0])
    assert math.isnan(stat("end_mode_share").compute(unended, mode="tacit"))


def test_recurrence_share_is_among_runs_whose_first_crisis_ended():
    c = cols(first_end_day=[10, 20, -1, 30], recurrences=[0, 2, 0, 1])
    assert stat("recurrence_share").compute(c) == pytest.approx(2 / 3)


# --- counts and events ------------------------------------------------------------------------


def test_attacks_per_month_is_the_mean_count_over_the_horizon_in_months():
    c = cols(group_attacks=[3, 6, 9], direct_exchanges=[0, 0, 1])
    rate = stat("attacks_per_month")
    assert rate.compute(c, kind="group_attacks", horizon=365) == pytest.approx(6 * 30.4375 / 365)
    assert rate.compute(c, kind="direct_exchanges", horizon=61) == pytest.approx(
        (1 / 3) / (61 / DAYS_PER_MONTH)
    )


def test_event_within_counts_days_one_to_n_after_day_zero():
    c = cols(first_lethal_proxy_attack_day=[0, 1, 30, 31, -1], war_day=[-1, -1, 5, -1, -1])
    within = stat("event_within")
    assert within.compute(c, event="lethal_proxy_attack", days=30) == pytest.approx(2 / 5)
    assert within.compute(c, event="lethal_proxy_attack", days=31) == pytest.approx(3 / 5)
    assert within.compute(c, event="war", days=4) == 0.0
    assert within.compute(c, event="war", days=5) == pytest.approx(1 / 5)


# --- parameters and columns -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("war_share", {"level": 2}, "has no parameter 'level'"),
        ("violence_share", {}, "needs the parameter 'level'"),
        ("violence_share", {"level": 5}, "must be in 1..4"),
        ("violence_share", {"level": True}, "whole number"),
        ("violence_share", {"level": 2, "exact": "yes"}, "true or false"),
        ("crisis_duration_quantile", {"q": 1.0}, "strictly between"),
        ("crisis_duration_quantile", {"q": "half"}, "must be a number"),
        ("end_mode_share", {"mode": "none"}, "must be one of tacit, agreement, imposed"),
        ("ended_within", {"days": 0}, "must be 1 or more"),
        ("attacks_per_month", {"kind": "rockets", "horizon": 30}, "must be one of"),
    ],
)
def test_bad_parameters_are_refused_by_name(name, params, message):
    with pytest.raises(ValueError, match=message):
        STATISTICS[name].compute(cols(violence=[1]), **params)
    assert STATISTICS[name].problems(params)


def test_defaults_are_filled_in():
    assert stat("violent_answer_share").bind({}) == {"trigger": "violent_opening", "days": 30}
    assert stat("crisis_duration_quantile").bind({"q": 1 / 2}) == {"q": 0.5}


def test_a_missing_column_is_named():
    with pytest.raises(ValueError, match="no 'recurrences'"):
        stat("recurrence_share").compute(cols(first_end_day=[1]))


def test_columns_of_reads_a_result_or_passes_a_mapping():
    c = cols(violence=[1])
    assert columns_of(c) is c
    with pytest.raises(TypeError):
        columns_of(42)  # type: ignore[arg-type]


# --- on a real simulation ---------------------------------------------------------------------


EXAMPLE_PARAMS = {
    "violence_share": {"level": 2},
    "outcome_share": {"outcome": "frozen_conflict"},
    "crisis_duration_quantile": {"q": 0.25},
    "ended_within": {"days": 365},
    "end_mode_share": {"mode": "tacit"},
    "attacks_per_month": {"kind": "group_attacks", "horizon": 365},
    "event_within": {"event": "lethal_proxy_attack", "days": 60},
}


@pytest.fixture(scope="module")
def result():
    return simulate("us-iran-2020", runs=300, seed=1)


@pytest.mark.parametrize("name", sorted(STATISTICS))
def test_every_statistic_computes_a_number_in_range_on_a_simulation(result, name):
    statistic = STATISTICS[name]
    value = statistic.compute(result, **EXAMPLE_PARAMS.get(name, {}))
    assert math.isfinite(value)
    if statistic.kind == "share":
        assert 0.0 <= value <= 1.0
    else:
        assert value >= 0.0
    assert value == statistic.compute(columns_of(result), **EXAMPLE_PARAMS.get(name, {}))
