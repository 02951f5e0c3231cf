"""8-bit pixels: rounding and clipping in place gives what doing it into new arrays gives, and noise drawn as
whole levels lands on each level with the normal distribution's chance."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.pixels import to_uint8, with_normal_noise


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from([np.float32, np.float64]), ndim=st.integers(1, 3))
def test_to_uint8_rounds_halves_to_even_and_clips(seed: int, dtype: type, ndim: int) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 9, ndim))
    values = (rng.uniform(-40, 300, shape) // 0.5 * 0.5).astype(dtype)  # many exact halves
    original = values.copy()
    got = to_uint8(values)
    assert got.dtype == np.uint8
    assert np.array_equal(got, np.clip(np.rint(original), 0, 255).astype(np.uint8))
    assert np.array_equal(values, original), "the input is left as it was"


@settings(max_examples=25, deadline=None)
@given(sigma=st.floats(0.3, 128), seed=st.integers(0, 2**64 - 1))
def test_normal_noise_lands_on_each_level_with_the_normals_chance(sigma: float, seed: int) -> None:
    """The share of draws at or below each level, against the normal's: within the sampling error of 120,000
    draws (2.5 / sqrt(n) misses once in 100,000 runs) and the table's 2^-16. Mid-grey clips only the ends."""
    grey = np.full((200, 200, 3), 128, np.uint8)
    noise = with_normal_noise(grey, sigma, np.random.default_rng(seed)).astype(np.int64) - 128
    levels = np.arange(-128, 127)
    below = np.searchsorted(np.sort(noise.ravel()), levels, side="right") / noise.size
    normal = np.array([NormalDist(0, sigma).cdf(level + 0.5) for level in levels])
    assert np.abs(below - normal).max() < 2.5 / np.sqrt(noise.size) + 2**-16


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**64 - 1),
    shape=st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple),
    sigma=st.floats(0, 128),
)
def test_normal_noise_comes_from_the_generator_alone(seed: int, shape: tuple[int, ...], sigma: float) -> None:
    """Any shape; the same generator state gives the same pixels; values stay 8-bit and within 4.4 sigma."""
    pixels = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    noisy = with_normal_noise(pixels, sigma, np.random.default_rng(seed))
    assert noisy.shape == pixels.shape and noisy.dtype == np.uint8
    assert np.array_equal(noisy, with_normal_noise(pixels, sigma, np.random.default_rng(seed)))
    assert np.abs(noisy.astype(np.int64) - pixels).max() <= np.ceil(4.4 * sigma)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**64 - 1), sigma=st.floats(0, 128))
def test_normal_noise_is_the_table_of_rounded_quantiles(seed: int, sigma: float) -> None:
    """The compiled loop gives numpy's sum: each pick's level from a table of rounded quantiles, added, clipped."""
    pixels = np.random.default_rng(seed).integers(0, 256, (7, 11, 3), dtype=np.uint8)
    slices = 1 << 16
    quantiles = np.array([NormalDist().inv_cdf((index + 0.5) / slices) for index in range(slices)])
    picks = np.random.default_rng(seed).bit_generator.random_raw(-(-pixels.size // 4)).view("<u2")[: pixels.size]
    levels = np.rint(sigma * quantiles).astype(np.int16)
    expected = np.clip(levels[picks].reshape(pixels.shape) + pixels, 0, 255).astype(np.uint8)
    assert np.array_equal(with_normal_noise(pixels, sigma, np.random.default_rng(seed)), expected)
