"""The ICB climatology of `crisislab backtest`: computed once here, shipped as package data.

    python benchmarks/icb_climatology.py REFERENCE_DIR            # prints the YAML
    python benchmarks/icb_climatology.py REFERENCE_DIR --write    # writes the package data

REFERENCE_DIR holds the International Crisis Behavior v15 files `icb1v15.csv` (crisis level) and
`icb2v15.csv` (actor level). The package never reads them at run time: the few shares below go to
src/crisislab/history/data/climatology.yaml, with their source, n and how each was computed.

Reference class: crises that began short of war, neither intra-war nor begun by the outbreak of
war (crisis level `iwcmb` = 1, actor level `iwc` = 1), as in MODEL.md §15. Codes, from the ICB
codebooks: `viol` 1 no violence, 2 minor clashes, 3 serious clashes, 4 full-scale war; `majres`
8 violent military act, 9 multiple including a violent military act.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from icb_targets import REFERENCE_CLASS, read  # the reference class, read one way

OUTPUT = Path(__file__).resolve().parents[1] / "src/crisislab/history/data/climatology.yaml"
SOURCE = (
    "International Crisis Behavior (ICB) Project, v15 (Brecher, Wilkenfeld, Beardsley, James, "
    "Quinn): icb1v15.csv (crisis level) and icb2v15.csv (actor level)"
)


def shares(folder: Path) -> dict[str, dict[str, object]]:
    """Each backtest event's share of the reference class, with its n and rule."""
    crises = read(folder, "icb1v15.csv")
    crises = crises[crises["iwcmb"] == 1]
    actors = read(folder, "icb2v15.csv")
    actors = actors[actors["iwc"] == 1]
    rules = {
        "state_strike": (
            actors["majres"].isin([8, 9]),
            "share of crisis actors (icb2, iwc = 1) whose major response (majres) was a violent "
            "military act (codes 8-9)",
        ),
        "lethal_proxy_attack": (
            crises["viol"] >= 2,
            "share of crises (icb1, iwcmb = 1) with violence of minor clashes or worse (viol >= 2)",
        ),
        "war": (
            crises["viol"] == 4,
            "share of crises (icb1, iwcmb = 1) that reached full-scale war (viol = 4)",
        ),
    }
    return {
        name: {"p": round(float(hit.mean()), 6), "n": len(hit), "computed": rule}
        for name, (hit, rule) in rules.items()
    }


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def as_yaml(found: dict[str, dict[str, object]]) -> str:
    lines = [
        "# ICB climatology for `crisislab backtest`: written by benchmarks/icb_climatology.py from",
        "# the ICB v15 files; do not edit by hand, run the script again.",
        f"source: {quoted(SOURCE)}",
        f"reference_class: {quoted(REFERENCE_CLASS)}",
        "script: benchmarks/icb_climatology.py",
        'scope: "shares over a whole crisis (median actor crisis 69 days), used as the forecast '
        'of every window"',
        "outcomes:",
    ]
    for name, entry in found.items():
        lines += [
            f"  {name}:",
            f"    p: {entry['p']}",
            f"    n: {entry['n']}",
            f"    computed: {quoted(str(entry['computed']))}",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="folder of icb1v15.csv and icb2v15.csv")
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.name}")
    args = parser.parse_args()
    text = as_yaml(shares(args.reference))
    if args.write:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"written src/crisislab/history/data/{OUTPUT.name}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
