"""Keyed, counter-based random numbers: every draw is a pure function of
(seed, run, day, purpose, slot, index), so two scenarios run with the same seed share their
random numbers wherever they make the same draw (common random numbers), whatever the order in
which runs, days or phases are computed.

The generator is Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy
as 1, 2, 3", SC11, 2011; the Random123 library): a 10-round keyed bijection of a 128-bit counter
(four 32-bit words) under a 64-bit key (two 32-bit words). Each round multiplies two of the words
by 0xD2511F53 and 0xCD9E8D57 (32 x 32 -> 64 bits), and the key is bumped between rounds by the
Weyl increments 0x9E3779B9 and 0xBB67AE85.

Key: `key_of(seed)`, the two 32-bit words `np.random.SeedSequence(seed).generate_state(2,
np.uint32)`. Compiled code receives them as `k0, k1`.

Counter of one Philox call (one call gives four 32-bit words, that is two doubles):

    c0 = run & 0xffffffff             global run number (runs are numbered below 2**32)
    c1 = day + DAY_OFFSET             DAY_OFFSET = 1: draws made before day 0 (hidden types,
                                      initial noise) use day -1, counter word 0
    c2 = purpose << 16 | slot         purpose: what the number is for (< 2**16); slot: which
                                      group, scripted event, red line... (< 2**16)
    c3 = pair                         0, 1, 2, ...: which pair of doubles of that
                                      (run, day, purpose, slot) stream

Arguments out of range wrap: each word keeps its low 32 bits (purpose and slot their low 16), so
an out-of-range argument would silently share numbers with another stream; callers keep in range.

Doubles: the words (x0, x1) give the first double and (x2, x3) the second, each by numpy's own
construction from 64 random bits: with u = x0 | x1 << 32, the double is (u >> 11) * 2**-53, the
top 53 bits over 2**53, in [0, 1) on a grid of 2**-53.

`uniform(..., index)` is element `index % 2` of pair `index // 2`. `normal(..., index)` takes the
two doubles of pair `index` (u0, u1) and returns the cos branch of Box-Muller,
sqrt(-2 log(1 - u0)) * cos(2 pi u1); 1 - u0 lies in (0, 1], so the logarithm is finite. Normal
`index` and uniforms 2 index, 2 index + 1 of the same stream come from the same Philox call: a
(purpose, slot) stream is for uniforms or for normals, not both.

All arithmetic is on uint64 values holding 32-bit words, so the 32 x 32 -> 64 products are plain
64-bit multiplications of operands masked to 32 bits: in a loop over runs LLVM turns them into
packed vpmuludq and vectorises the whole generator, eight runs to a 512-bit register. It does so
only for the innermost loop: keep the loop over runs innermost, with a run's several draws written
out one after the other (six uniform_pair calls in a row, not a `for pair in range(6)` inside the
loop over runs, which leaves the generator scalar and several times slower).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

MASK32 = np.uint64(0xFFFFFFFF)
MASK16 = np.uint64(0xFFFF)
M0 = np.uint64(0xD2511F53)
M1 = np.uint64(0xCD9E8D57)
W0 = np.uint64(0x9E3779B9)
W1 = np.uint64(0xBB67AE85)
DAY_OFFSET = 1
PURPOSES = SLOTS = 1 << 16  # purpose and slot each fill 16 bits of c2

_SHIFT32 = np.uint64(32)
_SHIFT16 = np.uint64(16)
_SHIFT11 = np.uint64(11)
_ONE = np.uint64(1)
_DAY_OFFSET = np.uint64(DAY_OFFSET)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_TWO_PI = 2.0 * math.pi


@njit(inline="always", cache=True)
def _round(c0, c1, c2, c3, k0, k1):
    """One Philox4x32 round (Random123's _philox4x32round) on words whose high halves may hold
    junk: the multiplicands are masked where they are used, which a vector multiply of the low
    halves (vpmuludq) does for nothing, and the junk never reaches a product's bits. Words 1 and
    3 of the result (the low halves of the products) keep their junk for the next round."""
    p0 = M0 * (c0 & MASK32)
    p1 = M1 * (c2 & MASK32)
    return (p1 >> _SHIFT32) ^ c1 ^ k0, p1, (p0 >> _SHIFT32) ^ c3 ^ k1, p0


@njit(inline="always", cache=True)
def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1): four 32-bit words,
    as uint64 values. Only the low 32 bits of each argument count; between rounds the high halves
    are left unmasked (see _round) and the key words carry their sums' overflow, which only ever
    meets masked multiplicands, and the result is masked once at the end."""
    c0, c1, c2, c3 = np.uint64(c0), np.uint64(c1), np.uint64(c2), np.uint64(c3)
    k0, k1 = np.uint64(k0), np.uint64(k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    k0, k1 = k0 + W0, k1 + W1
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    return c0 & MASK32, c1 & MASK32, c2 & MASK32, c3 & MASK32


def key_of(seed: int) -> tuple[int, int]:
    """The two 32-bit key words of a user seed."""
    k0, k1 = np.random.SeedSequence(seed).generate_state(2, np.uint32)
    return int(k0), int(k1)


@njit(inline="always", cache=True)
def _unit(lo, hi):
    """The double in [0, 1) of the 64 bits lo | hi << 32: its top 53 bits over 2**53."""
    u = lo | (hi << _SHIFT32)
    return np.float64(np.int64(u >> _SHIFT11)) * _TO_UNIT


@njit(inline="always", cache=True)
def uniform_pair(k0, k1, run, day, purpose, slot, pair):
    """Uniforms 2 pair and 2 pair + 1 of the (run, day, purpose, slot) stream, in [0, 1), from
    one Philox call."""
    c1 = np.uint64(day) + _DAY_OFFSET
    c2 = ((np.uint64(purpose) & MASK16) << _SHIFT16) | (np.uint64(slot) & MASK16)
    x0, x1, x2, x3 = philox4x32(run, c1, c2, pair, k0, k1)
    return _unit(x0, x1), _unit(x2, x3)


@njit(inline="always", cache=True)
def uniform(k0, k1, run, day, purpose, slot, index):
    """Uniform `index` of the (run, day, purpose, slot) stream, in [0, 1). Several consecutive
    ones are cheaper by uniform_pair: each call here computes a whole pair."""
    i = np.uint64(index)
    u0, u1 = uniform_pair(k0, k1, run, day, purpose, slot, i >> _ONE)
    return u1 if i & _ONE else u0


@njit(inline="always", cache=True)
def normal(k0, k1, run, day, purpose, slot, index):
    """Standard normal `index` of the (run, day, purpose, slot) stream: Box-Muller's cos branch on
    the uniforms of pair `index`."""
    u0, u1 = uniform_pair(k0, k1, run, day, purpose, slot, index)
    return math.sqrt(-2.0 * math.log(1.0 - u0)) * math.cos(_TWO_PI * u1)


@njit(cache=True)
def _fill_uniforms(k0, k1, runs, day, purpose, slot, out):
    # the loop over runs is innermost and straight-line, so LLVM vectorises it
    n = out.shape[0]
    for p in range(n // 2):
        for r in range(runs.size):
            u0, u1 = uniform_pair(k0, k1, runs[r], day, purpose, slot, p)
            out[2 * p, r] = u0
            out[2 * p + 1, r] = u1
    if n % 2:
        for r in range(runs.size):
            out[n - 1, r] = uniform_pair(k0, k1, runs[r], day, purpose, slot, n // 2)[0]


def uniforms(seed: int, runs: np.ndarray, day: int, purpose: int, slot: int, n: int) -> np.ndarray:
    """Uniforms [n, len(runs)] for Python-side draws (hidden types at set-up...): element [i, j] is
    `uniform(*key_of(seed), runs[j], day, purpose, slot, i)`."""
    runs = np.asarray(runs, dtype=np.int64)
    if runs.ndim != 1:
        raise ValueError("runs must be one-dimensional")
    if runs.size and (runs.min() < 0 or runs.max() >= 1 << 32):
        raise ValueError("run numbers must lie in [0, 2**32)")
    if not -DAY_OFFSET <= day < (1 << 32) - DAY_OFFSET:
        raise ValueError(f"day must lie in [{-DAY_OFFSET}, 2**32 - {DAY_OFFSET})")
    if not (0 <= purpose < PURPOSES and 0 <= slot < SLOTS):
        raise ValueError("purpose and slot must lie in [0, 2**16)")
    if n < 0:
        raise ValueError("n must not be negative")
    k0, k1 = key_of(seed)
    out = np.empty((n, runs.size))
    _fill_uniforms(k0, k1, runs, day, purpose, slot, out)
    return out
