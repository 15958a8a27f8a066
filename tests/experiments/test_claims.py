"""`crisislab claims`: the analysis's claims as paired contrasts, reported either way."""

from __future__ import annotations

import json

import pytest

from crisislab.cli import main
from crisislab.experiments.claims import CLAIMS, claims, settings, verdict

NO_FRONTS = {
    "fronts.host.actor": None,
    "fronts.maritime.actor": None,
    "fronts.nuclear.enabled": False,
}


@pytest.fixture(scope="module")
def found():
    return claims("us-iran-2020", runs=1500, seed=2, days=120)


def test_every_claim_is_measured_or_says_why_not(found):
    assert [c["id"] for c in found["claims"]] == [c.id for c in CLAIMS]
    for c in found["claims"]:
        if not c["measured"]:
            assert c["reason"]
            continue
        for name in ("war", "stable_deescalation", c["measure"]):
            effect = c["effects"][name]
            assert effect["ci"][0] <= effect["diff"] <= effect["ci"][1]
        assert c["verdict"] in {"as claimed", "against the claim", "no clear effect"}
        assert c["base"] != c["alternative"]


def test_restraint_against_proportional_lowers_direct_exchanges_with_an_interval(found):
    """The mechanism's own measure: fewer direct exchanges under restraint, an interval that
    excludes zero (war itself is rare under both doctrines: its difference is not asserted)."""
    restraint = next(c for c in found["claims"] if c["id"] == "restraint")
    assert restraint["effects"]["direct_exchanges"]["ci"][1] < 0.0
    assert restraint["effects"]["war"]["diff"] <= 0.0


def test_a_scenario_without_fronts_says_so_for_the_front_claims():
    found = claims("us-iran-2020", runs=200, seed=1, overrides=NO_FRONTS, days=30)
    reasons = {c["id"]: c.get("reason") for c in found["claims"]}
    assert reasons["host_diplomacy"] == "the scenario has no host nation"
    assert reasons["maritime_posture"] == "the scenario has no maritime front"
    assert reasons["dialogue"] == "the scenario has no nuclear front"


def test_the_verdict_reads_the_intervals_against_the_expected_signs():
    down = {"diff": -0.1, "ci": [-0.15, -0.05]}
    up = {"diff": 0.1, "ci": [0.05, 0.15]}
    flat = {"diff": 0.0, "ci": [-0.01, 0.01]}
    assert verdict({"war": down}, {"war": -1}) == "as claimed"
    assert verdict({"war": up}, {"war": -1}) == "against the claim"
    assert verdict({"war": flat}, {"war": -1}) == "no clear effect"
    assert verdict({"war": down, "m": flat}, {"war": -1, "m": -1}) == "no clear effect"
    assert verdict({"war": down, "m": up}, {"war": -1, "m": -1}) == "against the claim"


def test_the_cli_prints_the_claims_as_json(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["claims", "us-iran-2020", "-n", "300", "-d", "30", "--json"])
    assert exit_.value.code == 0
    found = json.loads(capsys.readouterr().out)
    assert found["runs"] == 300 and len(found["claims"]) == len(CLAIMS)


def test_settings_counts_the_two_settings_of_each_claim_the_scenario_can_measure():
    assert settings("us-iran-2020") == 2 * len(CLAIMS)  # every claim is measured
    # without fronts the host, maritime and nuclear claims are not measured
    assert settings("us-iran-2020", NO_FRONTS, days=30) == 2 * (len(CLAIMS) - 4)
