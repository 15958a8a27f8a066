"""Keyed, counter-based random numbers (engine.philox): Philox4x32-10 gives Random123's known
answers, its uniforms and normals have the right distributions, and every number is a pure
function of (seed, run, day, purpose, slot, index) that changes when any one of them does."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy import stats

from crisislab.engine.philox import (
    DAY_OFFSET,
    key_of,
    normal,
    philox4x32,
    uniform,
    uniform_pair,
    uniforms,
)

# Random123's known-answer vectors for Philox4x32-10: the three lines "philox4x32 10 ..." of
# tests/kat_vectors in the Random123 distribution (D. E. Shaw Research, github.com/DEShawResearch/
# random123), each a counter (4 words) and a key (2 words), then the expected output (4 words).
KNOWN_ANSWERS = [
    ((0x00000000, 0x00000000, 0x00000000, 0x00000000), (0x00000000, 0x00000000),
     (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF),
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]  # fmt: skip

SEED, RUN, DAY, PURPOSE, SLOT, INDEX = 20240611, 1234, 17, 3, 5, 6


@njit
def _uniform_grid(k0, k1, runs, day, purpose, slot):
    """Two uniforms per run, the run loop compiled as the kernel's is (unsigned run index)."""
    out = np.empty((2, runs))
    for r in range(np.uint64(runs)):
        out[0, r], out[1, r] = uniform_pair(k0, k1, r, day, purpose, slot, 0)
    return out


@njit
def _normal_grid(k0, k1, runs, day, purpose, slot, n):
    out = np.empty((n, runs))
    for i in range(n):
        for r in range(runs):
            out[i, r] = normal(k0, k1, r, day, purpose, slot, i)
    return out


@njit
def _pair_with_unsigned_arguments(k0, k1, run, day, purpose, slot, pair):
    return uniform_pair(
        np.uint64(k0),
        np.uint64(k1),
        np.uint64(run),
        day,
        np.uint64(purpose),
        np.uint64(slot),
        np.uint64(pair),
    )


def _unit(lo: int, hi: int) -> float:
    """The documented double of two words: the top 53 of the 64 bits lo | hi << 32, over 2**53."""
    return ((lo | hi << 32) >> 11) / 2.0**53


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox4x32_10_gives_random123s_known_answers(counter, key, expected):
    assert tuple(int(x) for x in philox4x32(*counter, *key)) == expected


def test_philox4x32_uses_only_the_low_32_bits_of_each_argument():
    counter, key, expected = KNOWN_ANSWERS[2]
    junk = 0x5A5A5 << 32
    assert tuple(int(x) for x in philox4x32(*(c | junk for c in counter), *key)) == expected
    assert tuple(int(x) for x in philox4x32(*counter, *(k | junk for k in key))) == expected


def test_key_of_is_the_seed_sequences_first_two_words():
    words = np.random.SeedSequence(SEED).generate_state(2, np.uint32)
    assert key_of(SEED) == (int(words[0]), int(words[1]))
    assert key_of(SEED) != key_of(SEED + 1)


@pytest.mark.parametrize("day", [-1, 0, 17])
def test_a_pair_is_one_philox_call_on_the_documented_counter(day):
    k0, k1 = key_of(SEED)
    x = [int(w) for w in philox4x32(RUN, day + DAY_OFFSET, PURPOSE << 16 | SLOT, INDEX, k0, k1)]
    pair = uniform_pair(k0, k1, RUN, day, PURPOSE, SLOT, INDEX)
    assert pair == (_unit(x[0], x[1]), _unit(x[2], x[3]))


def test_draws_made_before_day_0_use_day_counter_0():
    k0, k1 = key_of(SEED)
    x = [int(w) for w in philox4x32(RUN, 0, PURPOSE << 16 | SLOT, 0, k0, k1)]
    assert uniform_pair(k0, k1, RUN, -1, PURPOSE, SLOT, 0)[0] == _unit(x[0], x[1])


def test_uniform_is_the_element_of_its_pair():
    k0, k1 = key_of(SEED)
    for index in range(6):
        pair = uniform_pair(k0, k1, RUN, DAY, PURPOSE, SLOT, index // 2)
        assert uniform(k0, k1, RUN, DAY, PURPOSE, SLOT, index) == pair[index % 2]


def test_normal_is_box_mullers_cos_branch_on_its_pair():
    k0, k1 = key_of(SEED)
    for index in range(4):
        u0, u1 = uniform_pair(k0, k1, RUN, DAY, PURPOSE, SLOT, index)
        expected = math.sqrt(-2.0 * math.log(1.0 - u0)) * math.cos(2.0 * math.pi * u1)
        assert normal(k0, k1, RUN, DAY, PURPOSE, SLOT, index) == pytest.approx(expected, rel=1e-12)


def test_uniforms_lie_in_0_1_on_the_53_bit_grid_with_mean_one_half_and_variance_one_twelfth():
    k0, k1 = key_of(SEED)
    u = _uniform_grid(k0, k1, 500_000, DAY, PURPOSE, SLOT).ravel()  # 10**6 draws
    assert u.min() >= 0.0 and u.max() < 1.0
    assert np.all(u * 2.0**53 == np.floor(u * 2.0**53))
    # standard errors: 2.9e-4 for the mean, 7.5e-5 for the variance
    assert abs(u.mean() - 0.5) < 0.002
    assert abs(u.var() - 1 / 12) < 0.001


def test_uniforms_across_runs_and_along_a_stream_pass_ks_and_chi_square():
    across_runs = uniforms(SEED, np.arange(100_000), DAY, PURPOSE, SLOT, 1)[0]
    along_stream = uniforms(SEED, np.array([RUN]), DAY, PURPOSE, SLOT, 100_000)[:, 0]
    for u in (across_runs, along_stream):
        assert stats.kstest(u, "uniform").pvalue > 1e-3
        counts = np.bincount((u * 100).astype(np.int64), minlength=100)
        assert stats.chisquare(counts).pvalue > 1e-3


def test_normals_have_mean_0_sd_1_and_pass_ks():
    k0, k1 = key_of(SEED)
    z = _normal_grid(k0, k1, 250_000, DAY, PURPOSE, SLOT, 4).ravel()  # 10**6 draws
    assert np.all(np.isfinite(z))
    assert abs(z.mean()) < 0.006  # standard error 1e-3
    assert abs(z.std() - 1.0) < 0.005  # standard error 7e-4
    assert stats.kstest(z[:100_000], "norm").pvalue > 1e-3
    # the tails are there: about 63 of 10**6 beyond 4 standard deviations
    assert 20 < np.sum(np.abs(z) > 4.0) < 150


def test_the_same_arguments_give_the_same_number():
    k0, k1 = key_of(SEED)
    args = (RUN, DAY, PURPOSE, SLOT, INDEX)
    assert uniform(k0, k1, *args) == uniform(*key_of(SEED), *args)
    assert normal(k0, k1, *args) == normal(*key_of(SEED), *args)
    assert uniform_pair(k0, k1, *args) == _pair_with_unsigned_arguments(k0, k1, *args)


@pytest.mark.parametrize("changed", ["seed", "run", "day", "purpose", "slot", "index"])
def test_changing_any_one_argument_changes_the_number(changed):
    base = {"seed": SEED, "run": RUN, "day": DAY, "purpose": PURPOSE, "slot": SLOT, "index": INDEX}

    def draws(a):
        k0, k1 = key_of(a["seed"])
        args = (a["run"], a["day"], a["purpose"], a["slot"], a["index"])
        return uniform(k0, k1, *args), normal(k0, k1, *args)

    for step in (1, 2, 100):
        moved = {**base, changed: base[changed] + step}
        assert draws(moved)[0] != draws(base)[0]
        assert draws(moved)[1] != draws(base)[1]


def test_day_minus_1_and_day_0_are_different_streams():
    k0, k1 = key_of(SEED)
    assert uniform(k0, k1, RUN, -1, PURPOSE, SLOT, 0) != uniform(k0, k1, RUN, 0, PURPOSE, SLOT, 0)


def test_purpose_and_slot_are_not_interchangeable():
    k0, k1 = key_of(SEED)
    assert uniform(k0, k1, RUN, DAY, 1, 2, 0) != uniform(k0, k1, RUN, DAY, 2, 1, 0)


@pytest.mark.parametrize("n", [0, 1, 2, 5])
@pytest.mark.parametrize("day", [-1, 0, 9])
def test_python_side_uniforms_equal_the_scalar_function(n, day):
    runs = np.array([0, 3, 1000, 77, 2**32 - 1])
    k0, k1 = key_of(SEED)
    got = uniforms(SEED, runs, day, PURPOSE, SLOT, n)
    assert got.shape == (n, runs.size)
    for i in range(n):
        for j, run in enumerate(runs):
            assert got[i, j] == uniform(k0, k1, int(run), day, PURPOSE, SLOT, i)


def test_a_run_draws_the_same_whatever_other_runs_are_drawn_with_it():
    alone = uniforms(SEED, np.array([RUN]), DAY, PURPOSE, SLOT, 3)
    among = uniforms(SEED, np.arange(RUN - 10, RUN + 10), DAY, PURPOSE, SLOT, 3)
    assert np.array_equal(alone[:, 0], among[:, 10])


@pytest.mark.parametrize(
    "bad",
    [
        {"runs": np.array([-1])},
        {"runs": np.array([2**32])},
        {"runs": np.zeros((2, 2), dtype=np.int64)},
        {"day": -2},
        {"purpose": 2**16},
        {"slot": -1},
        {"n": -1},
    ],
)
def test_python_side_uniforms_refuse_arguments_outside_the_counter_layout(bad):
    args = {"runs": np.arange(3), "day": DAY, "purpose": PURPOSE, "slot": SLOT, "n": 2}
    with pytest.raises(ValueError):
        uniforms(SEED, **{**args, **bad})
