"""Crisis features for the generic crisis ensemble, from the ICB data (MODEL.md §15).

    python benchmarks/icb_features.py REFERENCE_DIR            # prints the YAML
    python benchmarks/icb_features.py REFERENCE_DIR --write    # writes the package data

REFERENCE_DIR holds the ICB v15 actor-level file `icb2v15.csv`. The package never reads it at run
time: the shares go to src/crisislab/scenario/data/icb_features.yaml, each feature with the ICB
variables, filter and n it was computed from and, per category, its codes, count and share.
`crisislab.scenario.generator.CrisisGenerator.icb()` draws a crisis from these shares for each
group of runs of the built-in scenario `generic-crisis`.

Reference class, as for the calibration targets (benchmarks/icb_targets.py): crisis actors of
crises that began short of war (actor level `iwc` = 1). Each ICB crisis actor is a state that
perceived a trigger: in the scenario it is the defender, and the triggering entity (or the state
it perceived as the source of threat) the challenger. Codes, from the ICB2 codebook v15:

- `triggr` (trigger to the foreign-policy crisis): 9 violent act, 8 indirect violent act
  (violence against an ally or client, or by an ally against the adversary), 1-7 non-violent
  (verbal, political, economic, external change, other, internal challenge, non-violent military);
- `trigent` (triggering entity): a state's code, 995 internally generated, 996 a non-state actor
  (UN, regional organisation, OPEC, PLO, rebel forces), 997 more than one state;
- `powdis` (power discrepancy): the crisis actor's power (with tight alliance partners) minus
  its principal adversary's, from six scores (population, GNP, territory, alliance capability,
  military expenditure, nuclear capability) at the onset of the crisis;
- `comlev` (level of communications among crisis actors, with allies, adversaries or third
  parties): 1 head of state, 2 head of government, 3 foreign or other minister, 4 diplomatic
  representative, 5 bureaucrat, 6 non-officials, 7 other, 8 no communications;
- `allycap` (alliance capability): 1 non-aligned or neutral, 2 informal alliance with a
  superpower or great power, 3 formal alliance with one, 4 alliance leader (itself a superpower
  or great power);
- `gravty` (gravity of the value threatened): 0 economic, 1 limited military, 2 political,
  3 territorial, 4 influence in the system, 5 grave damage, 6 existence, 7 other.

What each feature sets in the scenario, and which parts are ASSUMPTION, is said in the
generator's docstring and in docs/model.md, "The generic crisis ensemble".
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from icb_targets import CITATION, REFERENCE_CLASS, SOURCE, read  # one reference class

OUTPUT = Path(__file__).resolve().parents[1] / "src/crisislab/scenario/data/icb_features.yaml"
PARITY_BAND = 2  # |powdis| <= 2 counts as parity: roughly the middle third of the actors


@dataclass(frozen=True)
class Category:
    """One value of a feature: the ICB codes that define it, how many actors have it."""

    name: str
    codes: str
    successes: int


@dataclass(frozen=True)
class Feature:
    """A feature of a crisis: its categories' counts over `n` crisis actors."""

    name: str
    description: str
    variables: tuple[str, ...]
    filter: str
    n: int
    categories: tuple[Category, ...]
    note: str = ""


def _feature(
    name: str,
    description: str,
    frame: pd.DataFrame,
    variables: tuple[str, ...],
    filter_: str,
    categories: dict[str, tuple[pd.Series, str]],
    note: str = "",
) -> Feature:
    """A feature whose categories partition `frame` (each row in exactly one category)."""
    hits = {k: mask.reindex(frame.index, fill_value=False) for k, (mask, _) in categories.items()}
    counts = sum(m.astype(int) for m in hits.values())
    if not (counts == 1).all():
        raise ValueError(f"{name}: the categories do not partition the {len(frame)} actors")
    return Feature(
        name=name,
        description=description,
        variables=variables,
        filter=filter_,
        n=len(frame),
        categories=tuple(
            Category(k, codes, int(hits[k].sum())) for k, (_, codes) in categories.items()
        ),
        note=note,
    )


def features(folder: Path) -> dict[str, Feature]:
    """Every feature, in the order the generator draws them."""
    actors = read(folder, "icb2v15.csv")
    ref = actors[actors["iwc"] == 1]
    base = "iwc == 1"
    found: dict[str, Feature] = {}

    trig = ref["triggr"]
    found["trigger"] = _feature(
        "trigger",
        "the trigger of the crisis actor's crisis: a violent act, an indirect violent act "
        "(against an ally or client, or by an ally against the adversary), or a non-violent one",
        ref,
        ("iwc", "triggr"),
        base,
        {
            "violent": (trig == 9, "triggr == 9"),
            "indirect": (trig == 8, "triggr == 8"),
            "non_violent": (trig.between(1, 7), "triggr in 1..7"),
        },
    )

    direct = ref[ref["triggr"] != 8]
    nonstate = direct["trigent"].isin([995, 996])
    found["proxy"] = _feature(
        "proxy",
        "an armed group backed by the challenger takes part, among crisis actors whose trigger "
        "was not an indirect violent act (after one it always does): the trigger came from a "
        "non-state actor or from inside the state",
        direct,
        ("iwc", "triggr", "trigent"),
        f"{base} and triggr != 8",
        {
            "present": (nonstate, "trigent in (995, 996)"),
            "absent": (~nonstate, "trigent not in (995, 996)"),
        },
        note="ICB codes no proxy involvement; a non-state triggering entity (996: UN, regional "
        "organisation, OPEC, PLO, rebel forces) or an internally generated trigger (995) stands "
        "for it, so the share overstates armed groups by the few organisations among 996",
    )

    known = ref[ref["powdis"].notna()]
    powdis = known["powdis"]
    band = PARITY_BAND
    found["power"] = _feature(
        "power",
        "relative capability: the challenger (the crisis actor's principal adversary) "
        f"stronger, parity (|powdis| <= {band}), or the defender (the crisis actor) stronger",
        known,
        ("iwc", "powdis"),
        f"{base} and powdis known",
        {
            "challenger_stronger": (powdis < -band, f"powdis < -{band}"),
            "parity": (powdis.abs() <= band, f"-{band} <= powdis <= {band}"),
            "defender_stronger": (powdis > band, f"powdis > {band}"),
        },
        note=f"the parity band of {band} points is an ASSUMPTION (ICB codes the score, not "
        "classes): it holds about the middle third of the actors",
    )

    coded = ref[ref["comlev"].notna()]
    comlev = coded["comlev"]
    found["channel"] = _feature(
        "channel",
        "the channel between the leaderships: heads of state or government communicated "
        "(hotline), ministers, diplomats or officials did (indirect), or no one did (none)",
        coded,
        ("iwc", "comlev"),
        f"{base} and comlev known",
        {
            "hotline": (comlev.isin([1, 2]), "comlev in (1, 2)"),
            "indirect": (comlev.between(3, 7), "comlev in 3..7"),
            "none": (comlev == 8, "comlev == 8"),
        },
        note="comlev is the highest level of the crisis actor's communications with allies, "
        "adversaries or third parties; reading it as the channel between the adversaries is "
        "an ASSUMPTION",
    )

    ally = ref["allycap"]
    found["alliance"] = _feature(
        "alliance",
        "a great power behind the defender: the crisis actor was allied (formally or "
        "informally) with a superpower or great power, or led such an alliance",
        ref,
        ("iwc", "allycap"),
        base,
        {
            "great_power": (ally.isin([2, 3, 4]), "allycap in (2, 3, 4)"),
            "none": (ally == 1, "allycap == 1"),
        },
    )

    rated = ref[ref["gravty"].between(0, 6)]
    gravity = rated["gravty"]
    found["stakes"] = _feature(
        "stakes",
        "the defender's stakes: the gravity of the value threatened, low (economic, limited "
        "military), medium (political, territorial, influence) or high (grave damage, existence)",
        rated,
        ("iwc", "gravty"),
        f"{base} and gravty in 0..6",
        {
            "low": (gravity.isin([0, 1]), "gravty in (0, 1)"),
            "medium": (gravity.isin([2, 3, 4]), "gravty in (2, 3, 4)"),
            "high": (gravity.isin([5, 6]), "gravty in (5, 6)"),
        },
    )
    return found


def number(x: float) -> str:
    return f"{round(x, 6)}"


def as_yaml(found: dict[str, Feature]) -> str:
    """The package data; strings are JSON-quoted (valid YAML double-quoted scalars)."""
    q = json.dumps
    lines = [
        "# Crisis features from ICB v15 for the generic crisis ensemble (MODEL.md §15): written by",
        "# benchmarks/icb_features.py from the ICB v15 files; do not edit by hand, run the script "
        "again.",
        f"source: {q(SOURCE)}",
        f"citation: {q(CITATION)}",
        f"reference_class: {q(REFERENCE_CLASS)}",
        "script: benchmarks/icb_features.py",
        "level: actor",
        "features:",
    ]
    for name, f in found.items():
        lines += [
            f"  {name}:",
            f"    description: {q(f.description)}",
            f"    variables: [{', '.join(f.variables)}]",
            f"    filter: {q(f.filter)}",
            f"    n: {f.n}",
        ]
        if f.note:
            lines.append(f"    note: {q(f.note)}")
        lines.append("    categories:")
        for c in f.categories:
            lines += [
                f"      {c.name}:",
                f"        codes: {q(c.codes)}",
                f"        successes: {c.successes}",
                f"        value: {number(c.successes / f.n)}",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("reference", type=Path, help="folder of icb2v15.csv")
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.name}")
    args = parser.parse_args()
    text = as_yaml(features(args.reference))
    if args.write:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"written src/crisislab/scenario/data/{OUTPUT.name}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
