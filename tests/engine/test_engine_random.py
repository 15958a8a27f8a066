"""The compiled day loop draws its uniforms from numpy's PCG64 state itself (kernel.draw_into):
the very numbers, in the very order, that the block's Generator would give, and the Generator
left exactly where its own draws would leave it, so its normals stay in step."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from crisislab.engine.kernel import draw_into, jump_of, skip_draws, uniforms
from crisislab.engine.random import pcg64_words


@njit
def _draw(words, out):
    draw_into(words, out)


@njit
def _skip(words, steps):
    skip_draws(words, jump_of(steps))


@njit
def _uniforms_then_normal(gen, words, rows, m):
    out = uniforms((gen, words), rows, m)
    return out, gen.standard_normal()


def _pair(seed: int = 11, block: int = 3) -> tuple[np.random.Generator, np.random.Generator]:
    def make():
        bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,)))
        return np.random.Generator(bits)

    return make(), make()


def test_the_words_are_the_state_the_generator_reports():
    gen = np.random.default_rng(5)
    words = pcg64_words(gen)
    reported = gen.bit_generator.state["state"]
    assert int(words[0, 0]) + (int(words[0, 1]) << 64) == reported["state"]
    assert int(words[1, 0]) + (int(words[1, 1]) << 64) == reported["inc"]
    gen.random()  # the view follows the generator: it is the generator's own memory
    assert int(words[0, 0]) + (int(words[0, 1]) << 64) == gen.bit_generator.state["state"]["state"]


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 8, 1024, 1027])
def test_draw_into_gives_the_generators_numbers_and_leaves_it_where_they_would(n):
    ours, reference = _pair()
    out = np.empty(n)
    _draw(pcg64_words(ours), out)
    assert np.array_equal(out, reference.random(n))
    assert ours.bit_generator.state == reference.bit_generator.state
    assert np.array_equal(ours.random(7), reference.random(7))


def test_uniforms_then_normals_keep_in_step_with_the_generator():
    ours, reference = _pair(seed=2, block=0)
    words = pcg64_words(ours)
    for rows, m in [(8, 3), (2, 1), (12, 1024), (1, 0), (8, 5)]:
        out, normal = _uniforms_then_normal(ours, words, rows, m)
        assert np.array_equal(out, reference.random((rows, m)))
        assert normal == reference.standard_normal()
    assert ours.bit_generator.state == reference.bit_generator.state


def test_a_strided_row_is_filled_in_place():
    ours, reference = _pair()
    out = np.zeros((3, 20))
    _draw(pcg64_words(ours), out[1, :16])
    assert np.array_equal(out[1, :16], reference.random(16))
    assert not out[0].any() and not out[2].any() and not out[1, 16:].any()


def test_other_bit_generators_are_not_drawn_inline():
    assert pcg64_words(np.random.Generator(np.random.Philox(1))) is None
    assert pcg64_words(np.random.Generator(np.random.PCG64DXSM(1))) is None


@pytest.mark.parametrize("n", [0, 1, 5, 1024, 12_345])
def test_skipping_draws_leaves_the_generator_where_drawing_them_would(n):
    ours, reference = _pair(seed=4, block=9)
    _skip(pcg64_words(ours), n)
    reference.random(n)
    assert ours.bit_generator.state == reference.bit_generator.state
    assert np.array_equal(ours.random(3), reference.random(3))
