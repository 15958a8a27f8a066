"""The `uncertain:` section: priors over a scenario's numeric parameters.

Each prior kind parses; each malformed prior, each path that names no numeric parameter, each
scenario value outside its prior and each support beyond what its parameter accepts is refused
at its file, line and column with the path `uncertain.<path>`; `draw_overrides` maps the unit
cube through the priors; every built-in declares its uncertain parameters."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from crisislab.cli import main
from crisislab.scenario.loader import (
    ScenarioError,
    builtin_names,
    load_scenario,
    resolve_path,
    with_overrides,
)
from crisislab.scenario.schema import Scenario
from crisislab.scenario.uncertain import Beta, LogUniform, Normal, Uniform, draw_overrides

HEAD = """\
name: uncertain-test
start_date: 2030-01-01
dyad: {defender: WST, challenger: EST}
actors:
  WST: {role: leadership, name: Westland, nationality: WST, audience_cost: 1.0}
  EST: {role: leadership, name: Eastland, nationality: EST, type_prior: 0.6}
  RIVER:
    {role: proxy, name: River, nationality: EST, principal: EST, control: 0.5, base_hazard: 0.02,
     action: proxy_rocket_attack}
uncertain:
"""
FIRST = HEAD.count("\n") + 1  # the line of the first uncertain entry

GOOD = """\
  actors.EST.type_prior: {uniform: [0.3, 0.9]}
  logit.precision: {loguniform: [0.5, 8.0]}
  actors.WST.audience_cost: {normal: [1.0, 0.3], bounds: [0.0, 3.0]}
  actors.RIVER.control: {beta: [6, 3]}
  logit.deterrence_value.strike_state: {normal: [2.0, 1.0]}
  outcomes.end_quiet_days: {loguniform: [7, 60]}
"""


def write(tmp_path: Path, entries: str, head: str = HEAD, name: str = "u.yaml") -> Path:
    path = tmp_path / name
    path.write_text(head + entries, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


# --- parsing ----------------------------------------------------------------------------------


def test_each_prior_kind_parses_in_file_order(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    assert list(s.uncertain) == [
        "actors.EST.type_prior",
        "logit.precision",
        "actors.WST.audience_cost",
        "actors.RIVER.control",
        "logit.deterrence_value.strike_state",
        "outcomes.end_quiet_days",
    ]
    kinds = [type(p) for p in s.uncertain.values()]
    assert kinds == [Uniform, LogUniform, Normal, Beta, Normal, LogUniform]


def test_priors_give_support_scipy_distribution_and_description(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    u = s.uncertain
    assert u["actors.EST.type_prior"].support() == (0.3, 0.9)
    assert u["logit.precision"].support() == (0.5, 8.0)
    assert u["actors.WST.audience_cost"].support() == (0.0, 3.0)
    assert u["actors.RIVER.control"].support() == (0.0, 1.0)
    assert u["logit.deterrence_value.strike_state"].support() == (-np.inf, np.inf)

    assert u["actors.EST.type_prior"].describe() == "uniform 0.3 – 0.9"
    assert u["logit.precision"].describe() == "loguniform 0.5 – 8"
    assert u["actors.WST.audience_cost"].describe() == "normal 1 ± 0.3 within 0 – 3"
    assert u["actors.RIVER.control"].describe() == "beta(6, 3)"
    assert u["logit.deterrence_value.strike_state"].describe() == "normal 2 ± 1"

    assert u["actors.EST.type_prior"].scipy().median() == pytest.approx(0.6)
    assert u["logit.precision"].scipy().median() == pytest.approx(2.0)  # sqrt(0.5 * 8)
    assert type(u["logit.precision"].scipy().dist) is type(stats.loguniform)
    bounded = u["actors.WST.audience_cost"].scipy()
    assert type(bounded.dist) is type(stats.truncnorm)
    assert bounded.support() == pytest.approx((0.0, 3.0))
    assert u["actors.RIVER.control"].scipy().mean() == pytest.approx(6 / 9)
    assert u["logit.deterrence_value.strike_state"].scipy().std() == pytest.approx(1.0)


def test_a_scenario_without_the_section_has_no_uncertain_parameters(tmp_path):
    assert (
        load_scenario(write(tmp_path, "", head=HEAD.removesuffix("uncertain:\n"))).uncertain == {}
    )


def test_the_section_survives_a_dump_and_overrides(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    again = Scenario.model_validate(s.model_dump(mode="json"))
    assert again.uncertain == s.uncertain
    assert with_overrides(s, {"logit.precision": 3.0}).uncertain == s.uncertain


# --- malformed priors: the first pass ---------------------------------------------------------

MALFORMED = [
    ("{uniform: [0.9, 0.3]}", "", "uniform needs low < high"),
    ("{loguniform: [0, 8]}", "", "loguniform needs 0 < low < high"),
    ("{loguniform: [-1, 8]}", "", "loguniform needs 0 < low < high"),
    ("{normal: [1, 0]}", "", "normal needs sd > 0"),
    ("{normal: [1, -1]}", "", "normal needs sd > 0"),
    ("{normal: [1, 1], bounds: [3, 0]}", "", "bounds needs low < high"),
    ("{beta: [0, 3]}", "", "beta needs a > 0 and b > 0"),
    ("{beta: [2, -1]}", "", "beta needs a > 0 and b > 0"),
    ("{uniform: [0.3]}", "", "uniform takes two numbers [low, high]"),
    ("{beta: [1, 2, 3]}", "", "beta takes two numbers [a, b]"),
    ("{normal: [1, 1], bounds: 3}", "", "bounds takes two numbers [low, high]"),
    ("{unifrom: [0.3, 0.9]}", "", "unknown prior 'unifrom': a prior is one of"),
    ("0.5", "", "a prior is one of {uniform: [low, high]}"),
    ("{uniform: [0.3, 0.9], beta: [1, 1]}", "", "give one prior, not 2 (uniform, beta)"),
    ("{uniform: [0.3, 0.9], bounds: [0, 1]}", "", "bounds go with a normal prior only"),
    ("{bounds: [0, 1]}", "", "bounds need a normal prior"),
    ("{uniform: [0.3, .inf]}", ".uniform.1", "Input should be a finite number"),
    ("{uniform: [0.3, high]}", ".uniform.1", "Input should be a valid number"),
    ("{normal: [1, 1], sd: 2}", ".sd", "unknown field"),
]


@pytest.mark.parametrize(("prior", "deeper", "message"), MALFORMED)
def test_a_malformed_prior_is_refused_at_its_line(tmp_path, prior, deeper, message):
    found = problems(write(tmp_path, f"  actors.EST.type_prior: {prior}\n"))
    assert len(found) == 1, found
    where, text = found[0].split(": ", 1)
    assert re.fullmatch(rf".*u\.yaml:{FIRST}:\d+", where)
    if not deeper:
        assert where.endswith(f":{FIRST}:3")  # the entry's key
    assert text.startswith(f"uncertain.actors.EST.type_prior{deeper}: {message}"), text


def test_malformed_priors_are_reported_with_the_other_field_errors(tmp_path):
    head = HEAD.replace("type_prior: 0.6", "type_prior: 1.6")
    found = problems(write(tmp_path, "  logit.precision: {uniform: [8, 0.5]}\n", head=head))
    assert [p.split(": ", 2)[1] for p in found] == [
        "actors.EST.type_prior",
        "uncertain.logit.precision",
    ]


# --- paths, values and supports: the second pass ----------------------------------------------

SEMANTIC = [
    (
        "logit.precison: {uniform: [1, 3]}",
        "uncertain.logit.precison: not a parameter: logit has no field 'precison' (has: ",
    ),
    (
        "actors.NORTH.control: {uniform: [0.1, 0.9]}",
        "uncertain.actors.NORTH.control: not a parameter: actors has no field 'NORTH' "
        "(has: WST, EST, RIVER)",
    ),
    (
        "channel: {uniform: [0, 1]}",
        "uncertain.channel: not a parameter: this path names a section, not a single value",
    ),
    (
        "actors.WST.doctrine: {uniform: [0, 1]}",
        "uncertain.actors.WST.doctrine: not a numeric parameter: its value is 'restraint'",
    ),
    (
        "channel.carries_c2: {beta: [1, 1]}",
        "uncertain.channel.carries_c2: not a numeric parameter: its value is False",
    ),
    (
        "outcomes.base_attack_rate_per_day: {uniform: [0, 1]}",
        "uncertain.outcomes.base_attack_rate_per_day: not a numeric parameter: its value is None",
    ),
    (
        "actors.EST.type_prior: {uniform: [0.7, 0.9]}",
        "uncertain.actors.EST.type_prior: the scenario's value 0.6 lies outside "
        "uniform 0.7 – 0.9: the prior must include it",
    ),
    (
        "logit.precision: {loguniform: [3, 8]}",  # a default the file does not write
        "uncertain.logit.precision: the scenario's value 2.0 lies outside loguniform 3 – 8: "
        "the prior must include it",
    ),
    (
        "actors.WST.prior_trust: {uniform: [0.5, 1.2]}",
        "uncertain.actors.WST.prior_trust: uniform 0.5 – 1.2 reaches 1.2, which the parameter "
        "refuses: Input should be less than or equal to 1 (got 1.2)",
    ),
    (
        "attribution.confirmation_bias: {beta: [5, 1]}",
        "uncertain.attribution.confirmation_bias: beta(5, 1) reaches 0, which the parameter "
        "refuses: Input should be greater than 0 (got 0.0)",
    ),
    (
        "actors.WST.audience_cost: {normal: [1.0, 0.3]}",
        "uncertain.actors.WST.audience_cost: normal 1 ± 0.3 is unbounded below, which the "
        "parameter refuses (Input should be greater than or equal to 0): give bounds",
    ),
    (
        "outcomes.end_quiet_days: {uniform: [0.2, 60]}",
        "uncertain.outcomes.end_quiet_days: uniform 0.2 – 60 reaches 0.2 (0 as an integer), "
        "which the parameter refuses: Input should be greater than or equal to 1 (got 0)",
    ),
    (
        "days: {uniform: [30, 4000]}",
        "uncertain.days: uniform 30 – 4000 reaches 4000, which the parameter refuses: "
        "Input should be less than or equal to 3650 (got 4000)",
    ),
]


@pytest.mark.parametrize(("entry", "message"), SEMANTIC)
def test_an_entry_that_does_not_fit_the_scenario_is_refused_at_its_line(tmp_path, entry, message):
    found = problems(write(tmp_path, f"  {entry}\n"))
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path / 'u.yaml'}:{FIRST}:3: {message}"), found[0]


def test_a_parameter_named_twice_is_refused_at_the_second_entry(tmp_path):
    entries = (
        "  red_lines.r.when.1.value: {uniform: [0.5, 0.9]}\n"
        "  red_lines.r.when.01.value: {uniform: [0.6, 0.8]}\n"
    )
    head = HEAD.replace(
        "uncertain:\n",
        "red_lines:\n"
        "  r:\n"
        "    owner: WST\n"
        "    when:\n"
        "      - {field: reported_deaths.WST, op: '>=', value: 1}\n"
        "      - {field: p_ordered, op: '>=', value: 0.7}\n"
        "    response: strike_state\n"
        "uncertain:\n",
    )
    found = problems(write(tmp_path, entries, head=head))
    line = head.count("\n") + 2
    assert found == [
        f"{tmp_path / 'u.yaml'}:{line}:3: uncertain.red_lines.r.when.01.value: the same "
        "parameter as uncertain.red_lines.r.when.1.value"
    ]
    # the condition's own check refuses a threshold above 1, as it would from --set
    found = problems(write(tmp_path, "  red_lines.r.when.1.value: {uniform: [0.5, 1.5]}\n", head))
    assert found[0].endswith(
        "uniform 0.5 – 1.5 reaches 1.5, which the parameter refuses: red_lines.r.when.1: "
        "p_ordered is a probability: the value must lie in [0, 1] "
        "(got {'field': 'p_ordered', 'op': '>=', 'value': 1.5})"
    )


def test_a_support_is_checked_against_checks_between_fields(tmp_path):
    # a lethal rung below the rung breaks the action's own rule
    head = HEAD.replace(
        "uncertain:\n",
        "actions:\n"
        "  raid: {label: raid, rung: 7, lethal_rung: 9, cameo: '193', rivera: violent_escalation}\n"
        "uncertain:\n",
    )
    found = problems(write(tmp_path, "  actions.raid.lethal_rung: {uniform: [6, 10]}\n", head))
    assert len(found) == 1
    assert found[0].endswith(
        "uniform 6 – 10 reaches 6, which the parameter refuses: "
        "actions.raid: lethal_rung must not be below rung"
    )
    # a horizon that would run past the calendar's last date
    late = HEAD.replace("2030-01-01", "9999-06-01").replace(
        "uncertain:\n", "days: 100\nuncertain:\n"
    )
    found = problems(write(tmp_path, "  days: {uniform: [50, 300]}\n", late))
    assert len(found) == 1
    assert (
        "reaches 300, which the parameter refuses: start_date: 300 days from 9999-06-01"
        in (found[0])
    )


def test_every_problem_is_collected_with_the_reference_errors(tmp_path):
    head = HEAD.replace("principal: EST", "principal: NORTH")
    entries = (
        "  actors.EST.type_prior: {uniform: [0.3, 0.9]}\n"  # fine
        "  actors.RIVER.control: {uniform: [0.6, 0.9]}\n"
        "  logit.precison: {loguniform: [0.5, 8.0]}\n"
    )
    found = problems(write(tmp_path, entries, head=head))
    paths = [p.split(": ")[1] for p in found]
    assert paths == [
        "actors.RIVER.principal",
        "uncertain.actors.RIVER.control",
        "uncertain.logit.precison",
    ]
    assert f":{FIRST + 1}:3: uncertain.actors.RIVER.control: the scenario's value 0.5" in found[1]


def test_overrides_may_leave_a_prior(tmp_path):
    """A sensitivity study or --set may go beyond a prior: the section is not checked again."""
    path = write(tmp_path, GOOD)
    s = load_scenario(path, {"actors.EST.type_prior": 0.95, "logit.precision": 20.0})
    assert s.actors["EST"].type_prior == 0.95  # type: ignore[union-attr]
    assert with_overrides(s, {"outcomes.end_quiet_days": 90}).outcomes.end_quiet_days == 90
    # ... but a value the parameter refuses is still refused, blamed on --set
    with pytest.raises(ScenarioError, match=r"--set: actors\.EST\.type_prior"):
        load_scenario(path, {"actors.EST.type_prior": 1.5})


def test_paths_are_resolved_as_set_resolves_them(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    dump = s.model_dump()
    assert resolve_path(dump, "actors.RIVER.control") == (0.5, "")
    value, reason = resolve_path(dump, "logit.precison")
    assert value is None and reason.startswith("logit has no field 'precison'")
    with pytest.raises(ScenarioError, match="unknown override path: logit has no field"):
        with_overrides(s, {"logit.precison": 1.0})


# --- draws ------------------------------------------------------------------------------------


def test_u_one_half_draws_each_median(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    [draw] = draw_overrides(s, np.full((1, len(s.uncertain)), 0.5))
    assert list(draw) == list(s.uncertain)
    for path, prior in s.uncertain.items():
        if path == "outcomes.end_quiet_days":
            assert draw[path] == round(prior.scipy().median()) == 20  # sqrt(7 * 60) = 20.5
            assert isinstance(draw[path], int)
        else:
            assert draw[path] == pytest.approx(prior.scipy().median(), rel=1e-9)
            assert type(draw[path]) is float
    assert draw["actors.EST.type_prior"] == pytest.approx(0.6)
    assert draw["logit.precision"] == pytest.approx(2.0)
    assert draw["actors.WST.audience_cost"] == pytest.approx(1.0, abs=1e-3)  # truncated at 0


def test_draws_lie_in_support_and_are_valid_overrides(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    u = np.random.default_rng(5).random((200, len(s.uncertain)))
    u[0], u[1] = 0.0, 1.0  # the ends of the unit cube
    draws = draw_overrides(s, u)
    assert len(draws) == 200
    for draw in draws:
        for path, value in draw.items():
            low, high = s.uncertain[path].support()
            assert np.isfinite(value)
            assert low <= value <= high
    assert draws[0]["actors.EST.type_prior"] == pytest.approx(0.3)
    assert draws[1]["logit.precision"] == pytest.approx(8.0)
    for draw in draws[:20]:
        with_overrides(s, draw)  # every draw is a scenario


def test_draws_follow_the_columns_of_u(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    u = np.full((2, len(s.uncertain)), 0.5)
    u[1, 0] = 0.25
    first, second = draw_overrides(s, u)
    assert first["actors.EST.type_prior"] == pytest.approx(0.6)
    assert second["actors.EST.type_prior"] == pytest.approx(0.45)
    assert first["logit.precision"] == second["logit.precision"]


@pytest.mark.parametrize(
    "shape_or_value",
    [(3,), (3, 5), (3, 7), "negative", "above_one", "nan"],
)
def test_draw_overrides_refuses_a_bad_u(tmp_path, shape_or_value):
    s = load_scenario(write(tmp_path, GOOD))
    n = len(s.uncertain)
    if isinstance(shape_or_value, tuple):
        u = np.full(shape_or_value, 0.5)
    else:
        u = np.full((2, n), 0.5)
        u[1, 2] = {"negative": -0.1, "above_one": 1.5, "nan": np.nan}[shape_or_value]
    with pytest.raises(ValueError, match="u must"):
        draw_overrides(s, u)


def test_no_uncertain_parameters_draw_empty_overrides(tmp_path):
    s = load_scenario(write(tmp_path, "", head=HEAD.removesuffix("uncertain:\n")))
    assert draw_overrides(s, np.zeros((3, 0))) == [{}, {}, {}]


# --- the built-ins ----------------------------------------------------------------------------

BUILTINS = builtin_names()


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_declares_six_to_ten_uncertain_parameters_in_support(name):
    s = load_scenario(name)
    assert 6 <= len(s.uncertain) <= 10
    dump = s.model_dump()
    for path, prior in s.uncertain.items():
        value, reason = resolve_path(dump, path)
        assert not reason
        low, high = prior.support()
        assert low <= value <= high, (path, value, prior.describe())


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_priors_give_valid_scenarios_at_the_ends_and_inside(name):
    s = load_scenario(name)
    n = len(s.uncertain)
    u = np.vstack([np.zeros(n), np.ones(n), np.random.default_rng(1).random((8, n))])
    for draw in draw_overrides(s, u):
        with_overrides(s, draw)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_uncertain_entries_give_basis_and_range(name):
    text = (files("crisislab.scenario") / "builtin" / f"{name}.yaml").read_text(encoding="utf-8")
    section = text.split("\nuncertain:", 1)[1].splitlines()[1:]
    entries = [line for line in section if line.startswith("  ")]
    assert len(entries) == len(load_scenario(name).uncertain)
    for line in entries:
        assert re.search(r"# basis: .+; range: \S", line), line


def test_builtins_share_behavioural_parameters():
    shared = set.intersection(*(set(load_scenario(n).uncertain) for n in BUILTINS))
    assert {"logit.precision", "logit.answer_loss", "resolve.half_life_days"} <= shared


# --- the command line -------------------------------------------------------------------------


def test_validate_exits_2_with_the_located_message(tmp_path, capsys):
    path = write(tmp_path, "  actors.EST.type_prior: {uniform: [0.5, 1.2]}\n")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(path)])
    captured = capsys.readouterr()
    assert exit_.value.code == 2
    assert captured.out == ""
    assert (
        f"{path}:{FIRST}:3: uncertain.actors.EST.type_prior: uniform 0.5 – 1.2 reaches 1.2, "
        "which the parameter refuses: Input should be less than or equal to 1 (got 1.2)"
    ) in captured.err
    assert "Traceback" not in captured.err


def test_validate_accepts_a_scenario_with_priors(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(write(tmp_path, GOOD))])
    assert (exit_.value.code or 0) == 0
    assert "valid scenario" in capsys.readouterr().out
