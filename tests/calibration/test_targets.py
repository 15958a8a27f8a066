"""The ICB calibration targets: the package data loads, reproduces MODEL.md §15's figures, and
is what benchmarks/icb_targets.py computes from the ICB v15 files when they are at hand."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crisislab.calibration import Target, load_targets
from crisislab.cli import main

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
# the ICB v15 files: CRISISLAB_ICB_DIR, else the reference folder next to the checkout
REFERENCE = Path(os.environ.get("CRISISLAB_ICB_DIR", ROOT.parent / "shared/data/reference"))

# MODEL.md §15 (and the reference data's README) as quoted: value and the decimals it is given to
QUOTED: dict[str, tuple[float, int]] = {
    "war": (0.083, 3),
    "war_since_1945": (0.07, 2),
    "war_since_1990": (0.13, 2),
    "war_after_violent_trigger": (0.06, 2),
    "war_us_actor": (0.14, 2),
    "violent_answer_after_violent_trigger": (0.59, 2),
    "violent_answer_after_indirect_trigger": (0.41, 2),
    "actor_duration_median": (69, 0),
    "actor_within_year": (0.91, 2),
    "termination_unilateral": (0.37, 2),
    "termination_formal_agreement": (0.21, 2),
    "termination_semi_formal_agreement": (0.13, 2),
    "termination_faded": (0.09, 2),
    "termination_imposed": (0.06, 2),
    "termination_tacit": (0.06, 2),
    "recurrence_5y_all_crises": (0.47, 2),
}
QUOTED_N = {
    "war": 410,
    "violent_answer_after_violent_trigger": 315,
    "violent_answer_after_indirect_trigger": 95,
}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def test_the_targets_load_typed_with_their_source():
    targets = load_targets()
    assert "ICB" in targets.source and "Brecher" in targets.citation
    assert "iwcmb = 1" in targets.reference_class
    assert len(targets) == len(list(targets)) >= len(QUOTED)
    for name, t in targets.items():
        assert isinstance(t, Target) and t.name == name
        assert t.kind in ("share", "median") and t.level in ("crisis", "actor")
        assert t.interval[0] <= t.value <= t.interval[1], name
        assert t.variables and t.filter and t.measure
        if t.kind == "share":
            assert t.successes is not None and t.value == pytest.approx(t.successes / t.n, abs=1e-6)
            assert t.interval[0] >= 0.0 and t.interval[1] <= 1.0


@pytest.mark.parametrize("name", sorted(QUOTED))
def test_each_figure_rounds_to_the_one_quoted(name: str):
    value, decimals = QUOTED[name]
    assert round(load_targets()[name].value, decimals) == pytest.approx(value)
    if name in QUOTED_N:
        assert load_targets()[name].n == QUOTED_N[name]


def test_recurrence_in_the_reference_class_is_below_the_all_crises_figure():
    """MODEL.md quotes 47% recurrence within five years: that is over all crises (228 of 483);
    over the reference class it is 174 of 398, 43.7%, whose interval still holds 47%."""
    targets = load_targets()
    ref, everything = targets["recurrence_5y"], targets["recurrence_5y_all_crises"]
    assert ref.reference_class and not everything.reference_class
    assert (ref.successes, ref.n) == (174, 398)
    assert ref.interval[0] < 0.47 < ref.interval[1]


def test_targets_json_is_the_package_data(capsys):
    code, out, err = cli(capsys, "targets", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["targets"]["war"]["n"] == 410
    assert set(data["targets"]) == set(load_targets())
    assert data["targets"]["actor_duration_median"]["unit"] == "days"


def test_targets_table_names_every_target(capsys):
    code, out, err = cli(capsys, "targets")
    assert code == 0, err
    for name in load_targets():
        assert name in out
    assert "8.3%" in out and "69 d" in out


@pytest.fixture(scope="module")
def script() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("icb_targets")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.skipif(
    not (REFERENCE / "icb1v15.csv").is_file(), reason="the ICB v15 files are not at hand"
)
def test_the_script_reproduces_the_package_data(script: ModuleType):
    written = (ROOT / "src/crisislab/calibration/data/icb_targets.yaml").read_text("utf-8")
    assert script.as_yaml(script.targets(REFERENCE)) == written


def test_the_median_interval_is_the_order_statistic_one(script: ModuleType):
    import numpy as np

    # n = 10: the Binomial(10, 1/2) 2.5% quantile is 2, so x_(2) … x_(9) (97.9% coverage)
    assert script.median_interval(np.arange(1.0, 11.0)) == (2.0, 9.0)
    lo, hi = script.jeffreys(0, 10)
    assert lo == 0.0 and 0.0 < hi < 0.25
