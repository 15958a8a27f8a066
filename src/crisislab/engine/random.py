"""Random streams keyed by block of runs, so results never depend on how runs are chunked.

Runs are grouped in blocks of BLOCK_RUNS. Block b draws from its own generator, seeded by
`SeedSequence(seed, spawn_key=(b,))` (the b-th child of `SeedSequence(seed).spawn`). A chunk is any
whole number of blocks; each day every block fills its slice of one array of uniforms and one of
normals, so a run's random numbers depend only on the seed, its block and the day.
"""

from __future__ import annotations

import ctypes

import numpy as np
from numpy.lib.stride_tricks import as_strided

BLOCK_RUNS = 1024


class DrawPlan:
    """Names the rows of the daily uniform and normal arrays, fixed once per compiled scenario."""

    def __init__(self) -> None:
        self.uniform_rows = 0
        self.normal_rows = 0

    def uniforms(self, n: int = 1) -> slice:
        start, self.uniform_rows = self.uniform_rows, self.uniform_rows + n
        return slice(start, start + n)

    def normals(self, n: int = 1) -> slice:
        start, self.normal_rows = self.normal_rows, self.normal_rows + n
        return slice(start, start + n)


class BlockStreams:
    """Daily random numbers for a chunk made of consecutive blocks."""

    def __init__(self, seed: int, first_block: int, n_blocks: int, plan: DrawPlan) -> None:
        self.generators = [
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(b,))))
            for b in range(first_block, first_block + n_blocks)
        ]
        runs = n_blocks * BLOCK_RUNS
        self.plan = plan
        self._u = np.empty((plan.uniform_rows, runs))
        self._z = np.empty((max(plan.normal_rows, 1), runs))
        self._edges = np.arange(n_blocks + 1) * BLOCK_RUNS

    def initial(self, rows: int) -> np.ndarray:
        """Uniforms for the draws made once per run before day 0 (types, initial noise)."""
        out = np.empty((rows, len(self.generators) * BLOCK_RUNS))
        for b, gen in enumerate(self.generators):
            out[:, b * BLOCK_RUNS : (b + 1) * BLOCK_RUNS] = gen.random((rows, BLOCK_RUNS))
        return out

    def sparse(
        self, idx: np.ndarray, n_uniform: int, n_normal: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Uniforms [n_uniform, len(idx)] and normals [n_normal, len(idx)] for the listed runs only.

        `idx` must be sorted. Each block draws for its own runs, so what a run gets depends only
        on its block's history: rare events cost random numbers only where they happen.
        """
        u = np.empty((n_uniform, idx.size))
        z = np.empty((n_normal, idx.size))
        cuts = np.searchsorted(idx, self._edges)
        for b, gen in enumerate(self.generators):
            lo, hi = cuts[b], cuts[b + 1]
            if hi > lo:
                u[:, lo:hi] = gen.random((n_uniform, hi - lo))
                if n_normal:
                    z[:, lo:hi] = gen.standard_normal((n_normal, hi - lo))
        return u, z

    def day(self) -> tuple[np.ndarray, np.ndarray]:
        """Fresh uniforms [rows, runs] and standard normals [rows, runs] for one day."""
        nu, nz = self.plan.uniform_rows, self.plan.normal_rows
        for b, gen in enumerate(self.generators):
            cols = slice(b * BLOCK_RUNS, (b + 1) * BLOCK_RUNS)
            self._u[:, cols] = gen.random((nu, BLOCK_RUNS))
            if nz:
                self._z[:nz, cols] = gen.standard_normal((nz, BLOCK_RUNS))
        return self._u, self._z


def words_of(value: int) -> tuple[int, int]:
    """A 128-bit integer as its (low, high) 64-bit words."""
    return value & (2**64 - 1), value >> 64


def pcg64_words(generator: np.random.Generator) -> np.ndarray | None:
    """The generator's PCG64 state as a writable view [[state low, high], [increment low, high]]
    onto the generator's own memory, for compiled code to draw from (kernel.draw_into) and
    leave the generator where its own draws would. None for another bit generator, or where the
    memory does not hold the state the generator reports in either order of its 64-bit words
    (low first: a native 128-bit integer on a little-endian machine; high first: numpy's
    fallback struct). The view is valid while the generator lives."""
    bit_generator = generator.bit_generator
    if not isinstance(bit_generator, np.random.PCG64):
        return None
    reported = bit_generator.state["state"]
    expected = [*words_of(reported["state"]), *words_of(reported["inc"])]
    # ctypes.state_address is numpy's pcg64_state, whose first member points to the state words
    address = ctypes.c_void_p.from_address(bit_generator.ctypes.state_address).value
    if not address:
        return None
    raw = np.ctypeslib.as_array((ctypes.c_uint64 * 4).from_address(address))
    for first, step in ((0, 8), (1, -8)):
        words = as_strided(raw[first:], shape=(2, 2), strides=(16, step))
        if words.ravel().tolist() == expected:
            return words
    return None
