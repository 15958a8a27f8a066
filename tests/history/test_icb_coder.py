"""The ICB coder: recorded crises coded as ICB codes them, and the rule's boundaries worked out."""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest

from crisislab.engine.constants import (
    SERIOUS_BATTLE_DEATHS,
    SERIOUS_WINDOW_DAYS,
    WAR_BATTLE_DEATHS,
    WAR_CAMPAIGN_DAYS,
    WAR_WINDOW_DAYS,
)
from crisislab.history import load_timeline
from crisislab.history.icb_coder import Act, code_acts, code_timeline

CASES = Path(__file__).parent / "fixtures/icb_cases"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(os.environ.get("CRISISLAB_ICB_DIR", ROOT.parent / "shared/data/reference"))
SIDES = ({"A"}, {"B"})


def cases() -> list[dict[str, str]]:
    with (CASES / "cases.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def deaths(text: str) -> dict[str, int]:
    pairs = (item.split(":") for item in text.split(";") if item.strip())
    return {nat.strip(): int(n) for nat, n in pairs}


def read_case(name: str) -> list[Act]:
    """A case file's rows as acts, days counted from its first row; a `through` row is one act
    a day, its deaths on the first."""
    with (CASES / name).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    start = dt.date.fromisoformat(rows[0]["date"])
    acts = []
    for row in rows:
        first = dt.date.fromisoformat(row["date"])
        last = dt.date.fromisoformat(row["through"]) if row["through"] else first
        act = Act(
            day=(first - start).days,
            actor=row["actor"],
            own_forces=row["role"] in ("leadership", "faction"),
            direct=row["direct"] == "1",
            violent=row["violent"] == "1",
            deaths=deaths(row["deaths"]),
            proxy_deaths=int(row["proxy_deaths"] or 0),
            declared_war=row["declared_war"] == "1",
        )
        acts.append(act)
        for k in range(1, (last - first).days + 1):
            acts.append(replace(act, day=act.day + k, deaths={}, proxy_deaths=0))
    return acts


@pytest.mark.parametrize("case", cases(), ids=lambda c: c["case"])
def test_each_recorded_crisis_is_coded_as_icb_codes_it(case: dict[str, str]):
    sides = (set(case["side_a"].split()), set(case["side_b"].split()))
    coded = code_acts(read_case(case["file"]), sides)
    assert coded.level == int(case["icb_viol"]), coded


def test_every_fixture_row_cites_a_source():
    for case in cases():
        with (CASES / case["file"]).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                assert row["source"].strip() and row["description"].strip(), (case["file"], row)


@pytest.mark.skipif(
    not (REFERENCE / "icb1v15.csv").is_file(), reason="the ICB v15 files are not at hand"
)
def test_the_expected_codes_are_icbs():
    import pandas as pd

    icb = pd.read_csv(REFERENCE / "icb1v15.csv", encoding="utf-8-sig").set_index("crisno")
    for case in cases():
        row = icb.loc[int(case["icb_crisno"])]
        assert row["crisname"] == case["icb_crisname"]
        assert int(row["viol"]) == int(case["icb_viol"])


def test_the_cases_reach_their_levels_the_documented_way():
    gulf = code_acts(read_case("gulf-war-1990.csv"), ({"USA"}, {"IRQ"}))
    assert gulf.battle_deaths_in_year == 20_028 and gulf.campaign_days == 43
    strike = code_acts(read_case("desert-strike-1996.csv"), ({"USA"}, {"IRQ"}))
    assert (strike.battle_deaths_in_year, strike.direct_strikes_in_window) == (149, 2)
    pulwama = code_acts(read_case("pulwama-balakot-2019.csv"), ({"IND"}, {"PAK"}))
    assert pulwama.direct_strikes_in_window == 3 and not pulwama.lethal_both_sides
    assert pulwama.battle_deaths_in_year == 7 and pulwama.other_deaths == 40


def test_abqaiq_is_minor_clashes_whoever_launched_it():
    acts = read_case("abqaiq-2019.csv")
    as_houthi = [replace(a, actor="HOUTHI", own_forces=False, direct=False) for a in acts]
    assert code_acts(as_houthi, ({"SAU", "USA"}, {"IRN"})).level == 2


def test_the_builtin_timeline_codes_as_minor_clashes():
    """us-iran-2019-2020 read through its scenario: proxies' acts and the dead of strikes on
    proxies are reported apart; PS752 (a third state's airliner) is no act of the dyad."""
    coded = code_timeline(load_timeline("us-iran-2019-2020"))
    assert coded.level == 2
    assert coded.direct_strikes_in_window == 2  # 3 and 8 January 2020
    assert coded.battle_deaths_in_year == 10  # the strike at Baghdad airport, as the row has it
    assert coded.other_deaths == 1 + 25 + 2 + 6


# --- the rule's boundaries, worked ------------------------------------------------------------


def strike(day: int, actor: str, **dead: int) -> Act:
    return Act(day=day, actor=actor, direct=True, violent=True, deaths=dead)


def level(*acts: Act) -> int:
    return code_acts(acts, SIDES).level


def test_no_violence_is_level_one_and_any_violence_two():
    assert level() == 1
    assert level(Act(day=0, actor="A")) == 1
    assert level(Act(day=0, actor="P", own_forces=False, violent=True)) == 2


def test_two_direct_strikes_with_deaths_on_both_sides_are_minor_clashes():
    assert level(strike(0, "A", B=5), strike(1, "B", A=5)) == 2


def test_three_direct_strikes_in_a_window_with_deaths_on_both_sides_are_serious_clashes():
    last = SERIOUS_WINDOW_DAYS - 1  # the window's last day
    assert level(strike(0, "A", B=1), strike(10, "B", A=1), strike(last, "A")) == 3
    # one day later the third strike falls outside the window
    assert level(strike(0, "A", B=1), strike(10, "B", A=1), strike(last + 1, "A")) == 2
    # deaths on one side only
    assert level(strike(0, "A", B=1), strike(10, "B"), strike(20, "A", B=1)) == 2


def test_battle_deaths_999_are_serious_clashes_and_1000_war():
    assert WAR_BATTLE_DEATHS == 1000 and SERIOUS_BATTLE_DEATHS == 100
    assert level(Act(day=0, actor="A", violent=True, deaths={"B": 99})) == 2
    assert level(Act(day=0, actor="A", violent=True, deaths={"B": 100})) == 3
    assert level(Act(day=0, actor="A", violent=True, deaths={"B": 999})) == 3
    assert level(Act(day=0, actor="A", violent=True, deaths={"B": 999, "A": 1})) == 4


def test_battle_deaths_count_within_a_year():
    half = Act(day=0, actor="A", violent=True, deaths={"B": 500})
    assert level(half, replace(half, day=WAR_WINDOW_DAYS - 1)) == 4
    assert level(half, replace(half, day=WAR_WINDOW_DAYS)) == 3


def test_proxy_deaths_do_not_count():
    by_proxy = Act(day=0, actor="P", own_forces=False, violent=True, deaths={"A": 5000})
    on_proxy = Act(day=1, actor="A", violent=True, proxy_deaths=5000)
    coded = code_acts([by_proxy, on_proxy], SIDES)
    assert coded.level == 2 and coded.battle_deaths_in_year == 0
    assert coded.other_deaths == 10_000


def test_third_states_dead_are_not_battle_deaths():
    coded = code_acts([Act(day=0, actor="A", violent=True, deaths={"C": 2000})], SIDES)
    assert coded.level == 2 and coded.other_deaths == 2000


def test_a_declared_war_is_war():
    assert level(Act(day=0, actor="A", declared_war=True)) == 4


def test_a_campaign_of_direct_strikes_becomes_war_on_its_last_day():
    days = WAR_CAMPAIGN_DAYS
    assert level(*(strike(d, "A") for d in range(days - 1))) == 2
    assert level(*(strike(d, "A") for d in range(days))) == 4
    # a day's pause breaks the campaign; two sides' strikes do not add up to one
    assert level(*(strike(d, "A") for d in range(days + 1) if d != days // 2)) == 2
    alternate = [strike(d, "A" if d % 2 else "B") for d in range(days)]
    assert code_acts(alternate, SIDES).campaign_days == 1


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="two sides"):
        code_acts([], ({"A"},))
    with pytest.raises(ValueError, match="both sides"):
        code_acts([], ({"A"}, {"A"}))
    with pytest.raises(ValueError, match="own forces"):
        code_acts([Act(day=0, actor="P", own_forces=False, direct=True, violent=True)], SIDES)
