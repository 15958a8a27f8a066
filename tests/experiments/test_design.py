"""Designs: the full factorial of levers × futures, common random numbers, chunks."""

from pathlib import Path

import numpy as np
import pytest

from crisislab.engine.batch import BLOCK_RUNS
from crisislab.experiments import Study
from crisislab.experiments.design import policy_label, sample_seed

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def design():
    return Study.load(FIXTURES / "small.yaml").design


def test_points_are_numbered_policy_major(design):
    assert design.n_points == 6
    assert [design.locate(p) for p in range(6)] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert design.overrides(4)["actors.USA.doctrine"] == "retaliatory"
    assert design.overrides(4)["days"] == 40


def test_every_policy_meets_the_same_futures_with_the_same_seed(design):
    for sample in range(3):
        a, b = design.overrides(sample), design.overrides(3 + sample)
        assert {k: v for k, v in a.items() if k != "actors.USA.doctrine"} == {
            k: v for k, v in b.items() if k != "actors.USA.doctrine"
        }
        assert design.seed(sample) == design.seed(3 + sample)
    assert len({design.seed(s) for s in range(3)}) == 3


def test_sample_seeds_are_stable_numbers():
    assert sample_seed(3, 0) == sample_seed(3, 0) != sample_seed(3, 1)
    assert sample_seed(3, 0) != sample_seed(4, 0)


def test_integer_parameters_are_rounded_and_categorical_ones_picked(design):
    delays = [f["attribution.delay_days"] for f in design.futures]
    assert all(isinstance(d, int) and 0 <= d <= 14 for d in delays)
    assert {f["channel.kind"] for f in design.futures} <= {"none", "indirect", "hotline"}


def test_latin_hypercube_puts_one_sample_in_each_stratum(design):
    strata = np.sort(np.floor(design.unit * 3), axis=0)
    assert (strata == np.arange(3)[:, None]).all()


def test_points_are_cut_into_chunks_of_whole_blocks(design):
    chunks = design.chunks
    assert len(chunks) == 6
    assert all(c.n_blocks == 2 and c.runs == 1100 and c.first_run == 0 for c in chunks)
    assert sum(c.runs for c in chunks) == 6 * 1100


def test_large_points_span_several_chunks(monkeypatch, design):
    import crisislab.experiments.design as module

    monkeypatch.setattr(module, "MAX_CHUNK_BLOCKS", 1)
    fresh = module.Design(design.spec, design.scenario)
    point0 = [c for c in fresh.chunks if c.point == 0]
    assert [(c.first_block, c.first_run, c.runs) for c in point0] == [
        (0, 0, BLOCK_RUNS),
        (1, BLOCK_RUNS, 1100 - BLOCK_RUNS),
    ]


def test_saltelli_and_morris_designs_have_salib_sizes(tmp_path):
    base = (FIXTURES / "small.yaml").read_text("utf-8")
    saltelli = base.replace("samples: 3", "samples: 4\nsampler: saltelli")
    (tmp_path / "s.yaml").write_text(saltelli, encoding="utf-8")
    assert Study.load(tmp_path / "s.yaml").design.n_samples == 4 * (3 + 2)
    morris = base.replace("samples: 3", "samples: 2\nsampler: morris")
    (tmp_path / "m.yaml").write_text(morris, encoding="utf-8")
    assert Study.load(tmp_path / "m.yaml").design.n_samples == 2 * (3 + 1)


def test_policy_labels_are_short():
    assert policy_label({"actors.USA.doctrine": "gtft", "channel.kind": "hotline"}) == (
        "doctrine=gtft, kind=hotline"
    )
    assert policy_label({}) == "default"
