"""The scenario schema: what a scenario file may say, with ranges, defaults and cross-checks.

Every model forbids unknown keys, so a typo in a scenario file is an error rather than a silently
ignored setting. Cross-references (principals, action ids, red-line fields) are checked after the
fields themselves, so a modeller gets every problem with its dotted path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from ruamel.yaml import YAML

from crisislab.scenario.uncertain import Prior

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Rung = Annotated[int, Field(ge=0, le=14)]
ActorId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,15}$")]

Doctrine = Literal["restraint", "targeted", "gtft", "proportional", "retaliatory", "strategic"]
Rhetoric = Literal["measured", "inflammatory"]
ChannelKind = Literal["none", "indirect", "hotline"]
RiveraCategory = Literal[
    "deescalation",
    "status_quo",
    "posturing",
    "nonviolent_escalation",
    "violent_escalation",
    "nuclear",
]
Target = Literal["forces", "territory", "senior_commander", "proxy", "shipping", "civilians"]

MAX_ACTORS = 32
MAX_DAYS = 3650


class Strict(BaseModel):
    """Base for every scenario model: unknown keys are errors, values are checked on assignment,
    and a number must be finite (`.inf` and `.nan` are refused at their field)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- actions ----------------------------------------------------------------------------------


class Lethality(Strict):
    """Chance of at least one death and the size of the toll, for one execution of an action."""

    p_kill: Probability = 0.0
    deaths_mean: Annotated[float, Field(ge=1.0)] = 1.0
    injuries_mean: NonNegative = 0.0


class WarnedVariant(Strict):
    """A telegraphed execution: lower rung, far lower lethality (Al Asad, 8 January 2020)."""

    rung: Rung
    lethality: Lethality
    signal: dict[Literal["limited", "aggressive"], Probability] | None = None


class ActionType(Strict):
    """One entry of the action catalogue, with its event-data codes."""

    label: str
    rung: Rung
    lethal_rung: Rung | None = None
    cameo: str = Field(pattern=r"^[0-9]{2,4}$")
    plover: str | None = None
    rivera: RiveraCategory
    lethality: Lethality = Lethality()
    warned: WarnedVariant | None = None
    hits: Target = "forces"
    p_detect: Probability = 1.0
    attribution_ambiguity: Probability = 0.0
    signal: dict[Literal["limited", "aggressive"], Probability] | None = None

    @field_validator("cameo")
    @classmethod
    def _known_cameo(cls, code: str) -> str:
        from crisislab.scenario import codebooks

        if not codebooks.is_cameo_code(code):
            raise ValueError(f"{code!r} is not a CAMEO event code (see the CAMEO codebook)")
        return code

    @model_validator(mode="after")
    def _lethal_rung_not_below_rung(self) -> ActionType:
        if self.lethal_rung is not None and self.lethal_rung < self.rung:
            raise ValueError("lethal_rung must not be below rung")
        return self


# --- actors -----------------------------------------------------------------------------------


class LeadershipActions(Strict):
    """Which catalogue actions a leadership uses for each kind of move."""

    strike_proxy: str | None = None
    strike_state: str | None = None
    retaliate: str | None = None
    rhetoric: str | None = None
    message: str | None = None


class ChallengerRules(Strict):
    """What a leadership's decisions do not choose (MODEL.md §5): how long a campaign of
    direct strikes lasts, and whether a retaliation's warning gets through."""

    campaign_mean_days: Annotated[float, Field(ge=1.0)] = 20.0
    p_warning_delivered: Probability = 0.9


class Leadership(Strict):
    role: Literal["leadership"]
    name: str
    nationality: ActorId
    type_prior: Probability = 0.5
    prior_trust: Probability = 0.5
    doctrine: Doctrine = "restraint"
    rhetoric: Rhetoric = "measured"
    audience_cost: NonNegative = 1.0
    enforcement: Probability = 0.5
    initial_alert: Probability = 0.0
    assumed_control: dict[str, Probability] = {}
    rules: ChallengerRules = ChallengerRules()
    actions: LeadershipActions = LeadershipActions()


class Faction(Strict):
    role: Literal["faction"]
    name: str
    nationality: ActorId
    principal: str
    control: Probability
    base_hazard: Annotated[float, Field(ge=0.0, le=1.0)]
    action: str


class Proxy(Strict):
    role: Literal["proxy"]
    name: str
    nationality: ActorId
    principal: str
    control: Probability
    base_hazard: Annotated[float, Field(ge=0.0, le=1.0)]
    action: str
    grievance: NonNegative = 0.0


class Host(Strict):
    role: Literal["host"]
    name: str
    nationality: ActorId


class Coalition(Strict):
    role: Literal["coalition"]
    name: str
    nationality: ActorId


Actor = Annotated[Leadership | Faction | Proxy | Host | Coalition, Field(discriminator="role")]


# --- channel, perception, attribution ---------------------------------------------------------


class PerKind(Strict):
    none: NonNegative
    indirect: NonNegative
    hotline: NonNegative


class Channel(Strict):
    """The line between the two leaderships (MODEL.md §6)."""

    kind: ChannelKind = "none"
    carries_c2: bool = False
    noise: PerKind = PerKind(none=1.5, indirect=1.0, hotline=0.4)
    latency_hours: PerKind = PerKind(none=0.0, indirect=12.0, hotline=0.0)
    lr_msg: PerKind = PerKind(none=1.0, indirect=1.3, hotline=2.0)
    lr_c2: Annotated[float, Field(ge=1.0, le=20.0)] = 2.0


class Perception(Strict):
    expectation_bias: NonNegative = 0.5
    report_lag_mean_days: NonNegative = 1.0
    initial_injury_share: Probability = 0.1
    misperception_gap: Annotated[int, Field(ge=1, le=14)] = 2


class Attribution(Strict):
    accuracy: Annotated[float, Field(ge=0.5, le=1.0)] = 0.75
    delay_days: Annotated[int, Field(ge=0, le=28)] = 2  # a slot is kept at most 30 days
    confirmation_bias: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    assumed_order_share: Probability = 0.5


# --- red lines --------------------------------------------------------------------------------

RED_LINE_FIELD = re.compile(
    r"^(reported_deaths|reported_injuries)\.[A-Z][A-Z0-9_]*$"
    r"|^(p_ordered|perceived_rung|target|perceived_actor_role)$"
)


class Condition(Strict):
    """One comparison on a perceived event field."""

    field: str
    op: Literal[">=", ">", "<=", "<", "==", "!="]
    value: float | str

    @model_validator(mode="after")
    def _known_field(self) -> Condition:
        if not RED_LINE_FIELD.match(self.field):
            raise ValueError(
                f"unknown perceived field {self.field!r}; red lines may read "
                "reported_deaths.<NAT>, "
                "reported_injuries.<NAT>, p_ordered, perceived_rung, target, perceived_actor_role"
            )
        categorical = self.field in ("target", "perceived_actor_role")
        if categorical != isinstance(self.value, str):
            kind = "a name" if categorical else "a number"
            raise ValueError(f"field {self.field!r} compares with {kind}, got {self.value!r}")
        if categorical and self.op not in ("==", "!="):
            raise ValueError(f"field {self.field!r} supports only == and !=")
        if self.field == "p_ordered" and not 0.0 <= float(self.value) <= 1.0:
            raise ValueError("p_ordered is a probability: the value must lie in [0, 1]")
        return self


class RedLine(Strict):
    """A commitment: when every condition holds on a perceived event, the bound response follows."""

    owner: str
    description: str = ""
    when: Annotated[list[Condition], Field(min_length=1)]
    response: Literal["strike_proxy", "strike_state", "retaliate"]
    enforcement: Probability = 0.95
    audience_cost: NonNegative = 1.0
    public: bool = True


# --- doctrines, hazards, stocks, decisions, outcomes ------------------------------------------


class Doctrines(Strict):
    attack_threshold: Rung = 7
    shipping_attack_threshold: Rung = 6


class Hazards(Strict):
    accident_per_max_alert_day: Probability = 5e-3
    accident_actor: str | None = None
    accident_action: str | None = None
    loss_of_control_per_day: Probability = 1e-4
    loss_of_control_actor: str | None = None
    loss_of_control_action: str | None = None
    ordered_multiplier: Annotated[float, Field(ge=1.0)] = 4.0
    enforcement_effect: Probability = 0.35


class Stocks(Strict):
    grievance_sensitivity: NonNegative = 0.5
    grievance_per_strike: NonNegative = 1.0
    grievance_per_inflammatory_day: NonNegative = 0.02
    grievance_half_life_days: Annotated[float, Field(gt=0.0)] = 30.0
    alert_per_hostile_event: Probability = 0.25
    alert_half_life_days: Annotated[float, Field(gt=0.0)] = 10.0
    commitment_per_inflammatory_day: NonNegative = 0.05
    commitment_half_life_days: Annotated[float, Field(gt=0.0)] = 60.0
    hostility_half_life_days: Annotated[float, Field(gt=0.0)] = 30.0
    suppression_effect: NonNegative = 2.0
    suppression_half_life_days: Annotated[float, Field(gt=0.0)] = 7.0


class RhetoricEffects(Strict):
    inflammatory_likelihood_ratio: Annotated[float, Field(gt=0.0, le=1.0)] = 0.97
    daily_probability: Probability = 0.3


class Resolve(Strict):
    """Hidden resolve r = stake / (stake + 1) of each leadership (MODEL.md §1): drawn per run from
    a two-point mixture by `type_prior` (Beta around each mean), moving slowly afterwards."""

    limited_mean: Annotated[float, Field(gt=0.0, lt=0.5)] = 0.3
    aggressive_mean: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.7
    concentration: Annotated[float, Field(ge=2.0)] = 20.0
    half_life_days: Annotated[float, Field(gt=0.0)] = 21.0
    rally: Annotated[float, Field(ge=0.0, le=0.5)] = 0.1
    death_slope: Annotated[float, Field(ge=0.0, le=0.5)] = 0.03
    belief_half_life_days: Annotated[float, Field(gt=0.0)] = 90.0


class Logit(Strict):
    """Weights of the quantal-response decisions (MODEL.md §5), in units of an action's cost."""

    precision: NonNegative = 2.0
    proxy_risk_share: Probability = 0.25
    deterrence_value: dict[Literal["none", "strike_proxy", "strike_state"], float] = {
        "none": 0.0,
        "strike_proxy": 1.0,
        "strike_state": 2.0,
    }
    action_cost: dict[Literal["none", "strike_proxy", "strike_state"], NonNegative] = {
        "none": 0.0,
        "strike_proxy": 0.3,
        "strike_state": 1.5,
    }
    order_value: NonNegative = 0.5
    order_cost: NonNegative = 1.0
    answer_loss: NonNegative = 3.0
    grievance_weight: NonNegative = 0.5
    occasion_days: Annotated[float, Field(ge=1.0, le=365.0)] = 7.0
    obligation: dict[Doctrine, NonNegative] = {
        "restraint": 0.0,
        "targeted": 1.0,
        "proportional": 1.5,
        "gtft": 0.5,
        "retaliatory": 2.5,
        "strategic": 0.0,
    }
    credibility_half_life_days: Annotated[float, Field(gt=0.0)] = 180.0
    campaign_value: NonNegative = 1.0
    campaign_cost: NonNegative = 6.0
    planning_median_days: Annotated[float, Field(ge=1.0, le=365.0)] = 3.0
    planning_sigma: Annotated[float, Field(ge=0.0, le=4.0)] = 1.8


class Outcomes(Strict):
    war_exchange_window_days: Annotated[int, Field(ge=1, le=365)] = 30
    war_rung: Rung = 12
    declared_war_days: Annotated[int, Field(ge=1, le=365)] = 7
    stable_window_days: Annotated[int, Field(ge=7, le=365)] = 90
    stable_rung: Rung = 4
    base_attack_rate_per_day: NonNegative | None = None
    reprisal_cycle_exchanges: Annotated[int, Field(ge=1)] = 2
    casualty_sigma: Annotated[float, Field(gt=0.0, le=4.0)] = 1.57
    threat_half_life_days: Annotated[float, Field(gt=0.0)] = 10.0
    end_margin: Annotated[float, Field(ge=1.0)] = 1.5
    end_quiet_days: Annotated[int, Field(ge=1, le=365)] = 21
    war_end_median_days: Annotated[float, Field(gt=0.0)] = 75.0


class Dyad(Strict):
    defender: str
    challenger: str


# --- strategic fronts -------------------------------------------------------------------------


class HostFront(Strict):
    """Expulsion pressure in the host nation (MODEL.md §10); off when `actor` is not set."""

    actor: str | None = None
    diplomacy: Probability = 0.0
    sanctions_threat: bool = False
    initial_pressure: NonNegative = 0.55
    per_strike: NonNegative = 0.08
    per_host_death: NonNegative = 0.01
    half_life_days: Annotated[float, Field(gt=0.0)] = 90.0
    diplomacy_effect: NonNegative = 0.004
    sanctions_effect: NonNegative = 0.003
    threshold: Annotated[float, Field(gt=0.0)] = 1.0
    days_above: Annotated[int, Field(ge=1, le=365)] = 14
    withdrawal_lag_days: Annotated[int, Field(ge=0, le=3650)] = 180
    dependence: Probability = 0.6
    theatre_value: NonNegative = 0.5
    follow_on_lag_days: Annotated[int, Field(ge=0, le=3650)] = 90
    soil_targets: list[Target] = ["proxy"]
    presence_after_withdrawal: Probability = 0.2
    deterrence_loss: NonNegative = 0.5


class MaritimeFront(Strict):
    """Attacks on shipping and energy, deterred by a partner coalition's posture."""

    actor: str | None = None
    action: str = "ship_seizure"
    posture: Probability = 0.5
    base_hazard: Probability = 0.005
    hostility_sensitivity: NonNegative = 0.5
    deterrence_effect: Probability = 0.5


class NuclearFront(Strict):
    """Breakout time, eroded without a dialogue and restored with one."""

    enabled: bool = False
    dialogue: bool = False
    breakout_months: NonNegative = 6.0
    step_months: NonNegative = 0.5
    step_days: Annotated[int, Field(ge=1, le=365)] = 60
    max_months: NonNegative = 12.0
    crisis_threshold_months: NonNegative = 3.0
    dialogue_start_daily: Probability = 0.0005
    dialogue_start_after_quiet: Probability = 0.01
    quiet_days_for_opportunity: Annotated[int, Field(ge=1, le=365)] = 90
    dialogue_collapse_daily: Probability = 0.002
    preventive_strike: bool = False
    preventive_strike_probability: Probability = 0.5
    step_value: NonNegative = 1.0
    step_cost: NonNegative = 0.6


class Fronts(Strict):
    host: HostFront = HostFront()
    maritime: MaritimeFront = MaritimeFront()
    nuclear: NuclearFront = NuclearFront()


class InitialEvent(Strict):
    """The event that opens the scenario on day 0 (for us-iran-2020, the warned Al Asad strike)."""

    actor: str
    action: str
    warned: bool = False
    deaths: Annotated[int, Field(ge=0)] = 0


# --- the scenario -----------------------------------------------------------------------------


class Scenario(Strict):
    """A validated, immutable crisis scenario."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    title: str = ""
    description: str = ""
    start_date: dt.date
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 365
    dyad: Dyad
    actors: Annotated[dict[ActorId, Actor], Field(min_length=2, max_length=MAX_ACTORS)]
    actions: dict[str, ActionType] = {}
    initial_event: InitialEvent | None = None
    channel: Channel = Channel()
    perception: Perception = Perception()
    attribution: Attribution = Attribution()
    red_lines: dict[str, RedLine] = {}
    doctrines: Doctrines = Doctrines()
    hazards: Hazards = Hazards()
    stocks: Stocks = Stocks()
    rhetoric: RhetoricEffects = RhetoricEffects()
    logit: Logit = Logit()
    resolve: Resolve = Resolve()
    outcomes: Outcomes = Outcomes()
    fronts: Fronts = Fronts()
    # parameter path -> its prior, in file order; the loader checks the paths and supports
    uncertain: dict[str, Prior] = {}
    # a family of generated crises: each group of runs draws its crisis (scenario/generator.py)
    ensemble: Literal["icb-crisis-features"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _merge_default_catalogue(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("actions", {}), dict):
            return {**data, "actions": {**default_catalogue(), **data.get("actions", {})}}
        return data

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Scenario:
        if info.context and info.context.get("defer_references"):
            return self
        errors = list(cross_reference_errors(self))
        if errors:
            raise ValueError("; ".join(f"{path}: {msg}" for path, msg in errors))
        return self


# Fields of model version 1 that version 2 replaced: a scenario that sets one fails with this
# message at its line (scenario/loader.py), one message per field, rather than loading with a
# setting that would change nothing (docs/scenario-format.md, "Version 1 scenarios").
VERSION_1_FIELDS = {
    "decision": "removed in model version 2: every leadership decides by quantal response "
    "(docs/model.md §5.13); delete the line",
    "retaliation": "removed in model version 2: a retaliation follows from the red line's "
    "commitment and the owner's choice (§5.12a, §5.13); delete it",
    "campaign_order_daily": "removed in model version 2: orders are decided on decision "
    "occasions (logit.order_value, order_cost, answer_loss; §5.2); delete it",
    "gtft_forgiveness": "removed in model version 2: set logit.obligation.gtft instead (§5.13)",
    "retaliatory_trust_threshold": "removed in model version 2: set "
    "logit.obligation.retaliatory instead (§5.13)",
    "war_cost": "removed in model version 2: the loss of an answer is logit.answer_loss (§5.13)",
    "war_exchanges": "removed in model version 2: three direct strikes with deaths on both sides "
    "are ICB's serious clashes, not war (§6.1); delete it",
    "war_battle_deaths": "removed in model version 2: full-scale war is 1,000 battle deaths "
    "(Correlates of War, §6.1); delete it",
    "stable_quiet_share": "removed in model version 2: a crisis ends by outcomes.end_quiet_days "
    "and end_margin (§6.2)",
    "follow_on_probability": "removed in model version 2: the follow-on withdrawal is the "
    "defender's decision (fronts.host.dependence and theatre_value, §5.16)",
}


@cache
def default_catalogue() -> dict[str, dict]:
    """The shipped action catalogue (catalogue.yaml), as plain data."""
    text = (files("crisislab.scenario") / "catalogue.yaml").read_text(encoding="utf-8")
    return _plain(YAML(typ="safe", pure=True).load(text))


def _plain(node: object) -> dict:
    return dict(node) if isinstance(node, dict) else {}


def cross_reference_errors(s: Scenario) -> Iterator[tuple[str, str]]:
    """Yield (dotted path, message) for references that point nowhere, and for a horizon that
    runs past the calendar's last date (its days could not be dated)."""
    if (dt.date.max - s.start_date).days < s.days - 1:
        yield (
            "start_date",
            f"{s.days} days from {s.start_date} run past {dt.date.max}, the calendar's last date",
        )
    leaders = {k for k, a in s.actors.items() if isinstance(a, Leadership)}
    for side in ("defender", "challenger"):
        ref = getattr(s.dyad, side)
        if ref not in leaders:
            yield (
                f"dyad.{side}",
                f"{ref!r} is not a leadership actor (leaderships: {sorted(leaders)})",
            )
    if s.dyad.defender == s.dyad.challenger:
        yield "dyad", "defender and challenger must differ"

    def action(path: str, ref: str | None):
        if ref is not None and ref not in s.actions:
            return path, f"unknown action type {ref!r}"
        return None

    checks: list[tuple[str, str | None]] = []
    for aid, actor in s.actors.items():
        if isinstance(actor, Faction | Proxy):
            if actor.principal not in leaders:
                yield (
                    f"actors.{aid}.principal",
                    (
                        f"{actor.principal!r} is not a leadership actor "
                        f"(leaderships: {sorted(leaders)})"
                    ),
                )
            checks.append((f"actors.{aid}.action", actor.action))
        if isinstance(actor, Leadership):
            for move, ref in actor.actions.model_dump().items():
                checks.append((f"actors.{aid}.actions.{move}", ref))
            for ref in actor.assumed_control:
                if ref not in s.actors:
                    yield f"actors.{aid}.assumed_control.{ref}", f"unknown actor {ref!r}"
    for path, ref in checks:
        problem = action(path, ref)
        if problem:
            yield problem
    for rid, line in s.red_lines.items():
        if line.owner not in leaders:
            yield f"red_lines.{rid}.owner", f"{line.owner!r} is not a leadership actor"
    for which in ("accident", "loss_of_control"):
        actor_ref = getattr(s.hazards, f"{which}_actor")
        if actor_ref is not None:
            hazard_actor = s.actors.get(actor_ref)
            if not isinstance(hazard_actor, Faction | Proxy):
                yield f"hazards.{which}_actor", f"{actor_ref!r} is not a faction or proxy actor"
            elif hazard_actor.principal not in (s.dyad.defender, s.dyad.challenger):
                yield (
                    f"hazards.{which}_actor",
                    (f"{actor_ref!r} serves {hazard_actor.principal!r}, which is not in the dyad"),
                )
        problem = action(f"hazards.{which}_action", getattr(s.hazards, f"{which}_action"))
        if problem:
            yield problem
    host = s.fronts.host.actor
    if host is not None and not isinstance(s.actors.get(host), Host):
        yield "fronts.host.actor", f"{host!r} is not a host actor"
    sea = s.fronts.maritime.actor
    if sea is not None:
        if not isinstance(s.actors.get(sea), Faction | Proxy):
            yield "fronts.maritime.actor", f"{sea!r} is not a faction or proxy actor"
        problem = action("fronts.maritime.action", s.fronts.maritime.action)
        if problem:
            yield problem
    if s.initial_event is not None:
        if s.initial_event.actor not in s.actors:
            yield "initial_event.actor", f"unknown actor {s.initial_event.actor!r}"
        problem = action("initial_event.action", s.initial_event.action)
        if problem:
            yield problem
