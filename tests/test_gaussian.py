"""The Gaussian blur: a true Gaussian cut at 3 sigma, reaching no further than the planner leaves room for."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.effects.gaussian import convolve_valid, gaussian_blur, gaussian_kernel
from ocrgen.pixels import to_uint8

sigmas = st.floats(min_value=0.05, max_value=6.0)


@settings(max_examples=40, deadline=None)
@given(sigma=sigmas, value=st.integers(0, 255), channels=st.sampled_from([None, 1, 3]))
def test_a_flat_picture_stays_flat(sigma: float, value: int, channels: int | None) -> None:
    shape = (9, 14) if channels is None else (9, 14, channels)
    flat = np.full(shape, value, np.uint8)
    assert np.array_equal(gaussian_blur(flat, sigma), flat)


@settings(max_examples=40, deadline=None)
@given(sigma=sigmas)
def test_a_dot_spreads_exactly_ceil_3_sigma_and_keeps_its_ink(sigma: float) -> None:
    reach = max(1, math.ceil(3 * sigma))
    size = 2 * reach + 11
    dot = np.zeros((size, size), np.uint8)
    dot[size // 2, size // 2] = 255
    blurred = gaussian_blur(dot, sigma).astype(np.int64)
    rows, cols = np.nonzero(blurred)
    assert max(np.abs(rows - size // 2).max(), np.abs(cols - size // 2).max()) <= reach
    assert abs(int(blurred.sum()) - 255) <= (2 * reach + 1) ** 2 / 2  # each pixel it reaches rounds by at most 1/2
    assert np.array_equal(blurred, blurred.T) and np.array_equal(blurred, blurred[::-1])


@settings(max_examples=25, deadline=None)
@given(sigma=sigmas, seed=st.integers(0, 2**32 - 1))
def test_it_is_the_2d_gaussian_with_repeated_edges(sigma: float, seed: int) -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, (12, 17, 3), dtype=np.uint8)
    kernel = gaussian_kernel(sigma)
    reach = len(kernel) // 2
    padded = np.pad(pixels, ((reach, reach), (reach, reach), (0, 0)), mode="edge").astype(np.float64)
    weights = np.outer(kernel, kernel)
    expected = np.zeros(pixels.shape)
    for dy in range(len(kernel)):
        for dx in range(len(kernel)):
            expected += weights[dy, dx] * padded[dy : dy + 12, dx : dx + 17]
    assert np.abs(gaussian_blur(pixels, sigma) - expected).max() <= 0.5 + 1e-3


def test_sigma_zero_changes_nothing() -> None:
    pixels = np.random.default_rng(1).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    assert gaussian_blur(pixels, 0) is pixels


def _blurred_everywhere(pixels: np.ndarray, sigma: float) -> np.ndarray:
    """The blur worked out for every pixel: what `gaussian_blur` must give, bit for bit."""
    kernel = gaussian_kernel(sigma).astype(np.float32)
    reach = len(kernel) // 2
    spread = ((reach, reach), (reach, reach), *[(0, 0)] * (pixels.ndim - 2))
    return to_uint8(convolve_valid(np.pad(pixels, spread, mode="edge").astype(np.float32), kernel))


@settings(max_examples=80, deadline=None)
@given(sigma=sigmas, seed=st.integers(0, 2**32 - 1), channels=st.sampled_from([None, 3]), plain=st.booleans())
def test_blurring_near_the_ink_only_changes_no_bit(sigma: float, seed: int, channels: int | None, plain: bool) -> None:
    """A patch on a plain background (a line of text), or noise everywhere: the same bits as blurring every pixel."""
    rng = np.random.default_rng(seed)
    height, width = (int(n) for n in rng.integers(1, 60, 2))
    shape = (height, width) if channels is None else (height, width, channels)
    pixels = np.full(shape, rng.integers(0, 256), np.uint8) if plain else rng.integers(0, 256, shape, np.uint8)
    y0, x0 = int(rng.integers(0, height)), int(rng.integers(0, width))
    y1, x1 = int(rng.integers(y0, height + 1)), int(rng.integers(x0, width + 1))
    pixels[y0:y1, x0:x1] = rng.integers(0, 256, pixels[y0:y1, x0:x1].shape, np.uint8)
    assert np.array_equal(gaussian_blur(pixels, sigma), _blurred_everywhere(pixels, sigma))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float32, np.float64]),
    channels=st.sampled_from([(), (1,), (2,), (3,)]),
    taps=st.integers(1, 9),
)
def test_convolve_valid_adds_tap_by_tap(seed: int, dtype: type, channels: tuple[int, ...], taps: int) -> None:
    """The compiled loop gives numpy's bits: the first tap's product, then each further tap's added in turn,
    in the array's own type, down the rows and then along them."""
    rng = np.random.default_rng(seed)
    height, width = (int(n) for n in rng.integers(taps, taps + 20, 2))
    array = rng.uniform(-300, 300, (height, width, *channels)).astype(dtype)
    kernel = rng.random(taps).astype(dtype)
    rows = kernel[0] * array[: height - taps + 1]
    for tap in range(1, taps):
        rows += kernel[tap] * array[tap : tap + height - taps + 1]
    expected = kernel[0] * rows[:, : width - taps + 1]
    for tap in range(1, taps):
        expected += kernel[tap] * rows[:, tap : tap + width - taps + 1]
    got = convolve_valid(array, kernel)
    assert got.dtype == dtype and got.shape == expected.shape and got.tobytes() == expected.tobytes()
