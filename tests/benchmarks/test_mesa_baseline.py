"""The Mesa baseline (benchmarks/mesa_baseline) must stay the same model as the engine.

benchmarks/mesa_compare.py times the engine against a Mesa 3 rewrite of it; the comparison means
something only while both produce the same outcome distribution. This test runs a few hundred
runs of each and checks agreement with generous margins, so that a change to the engine that the
baseline does not follow (or the reverse) fails here rather than silently skewing the benchmark.
"""

from __future__ import annotations

import importlib
import multiprocessing
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("mesa")

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
MESA_RUNS = 250
ENGINE_RUNS = 4096
MAX_SHARE_GAP = 0.10  # about 3.5 standard errors of a class share at 250 runs


@pytest.fixture(scope="module")
def bench() -> tuple[ModuleType, ModuleType]:
    """The baseline and the comparison script, imported without their side effects on others.

    Importing mesa sets the multiprocessing start method to "spawn" for the whole process; the
    previous setting is restored so that other tests in this worker are unaffected.
    """
    method = multiprocessing.get_start_method(allow_none=True)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        baseline = importlib.import_module("mesa_baseline")
        compare = importlib.import_module("mesa_compare")
    finally:
        sys.path.remove(str(BENCHMARKS))
        multiprocessing.set_start_method(method, force=True)
    return baseline, compare


def test_a_seed_fixes_a_run(bench: tuple[ModuleType, ModuleType]) -> None:
    baseline, _ = bench
    first, again = baseline.run_one(11), baseline.run_one(11)
    assert first == again
    assert first["outcome"] in baseline.OUTCOMES


def test_outcome_distribution_matches_the_engine(bench: tuple[ModuleType, ModuleType]) -> None:
    baseline, compare = bench
    mesa_rows = [baseline.run_one(seed) for seed in range(MESA_RUNS)]
    engine_rows = compare.engine_sample(ENGINE_RUNS, 1, True)
    result = compare.agreement(mesa_rows, engine_rows, alpha=0.001)
    gaps = {name: x["difference"] for name, x in result["classes"].items()}
    assert result["chi_square"]["p_value"] >= 0.001, result
    assert all(abs(g) <= MAX_SHARE_GAP for g in gaps.values()), gaps
    assert abs(result["flags"]["red_line_fired"]["difference"]) <= MAX_SHARE_GAP, result
    assert result["passed"], result
