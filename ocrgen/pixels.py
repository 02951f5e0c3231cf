"""8-bit pixels from float arithmetic, and normal noise in whole levels.

Every effect and background rounds and clips the same way, so that two stages never disagree by
one grey level on the same value.
"""

from __future__ import annotations

from functools import cache
from statistics import NormalDist

import numpy as np

from ocrgen.compiled import compiled

# Noise draws pick one of this many equally likely slices of the normal distribution (16 random bits each).
_SLICES = 1 << 16


def to_uint8(values: np.ndarray) -> np.ndarray:
    """`values` rounded to the nearest integer (halves to even) and held to 0..255; held in place, in the
    rounded copy, so the picture-sized array is allocated once before the bytes."""
    rounded = np.rint(values)
    np.clip(rounded, 0, 255, out=rounded)
    return rounded.astype(np.uint8)


def with_normal_noise(pixels: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """`pixels` (uint8) plus zero-mean normal noise of `sigma` levels, drawn anew for every value, held to 0..255.

    The noise lands on whole levels, so it is drawn as whole levels: 16 random bits pick one of 2^16
    equally likely slices of the normal, whose middle quantile, times sigma, is rounded. Each level
    comes with the normal's chance to within 2^-16, no draw goes past 4.3 sigma, and it takes a third
    of the time of drawing floating-point normals, which was most of a noisy line's render.
    """
    words = -(-pixels.size // 4)  # four 16-bit picks in each 64-bit word
    picks = rng.bit_generator.random_raw(words).astype("<u8", copy=False).view("<u2")[: pixels.size]
    return _add_levels(pixels.reshape(-1), picks, _normal_quantiles(), sigma).reshape(pixels.shape)


@compiled
def _add_levels(pixels: np.ndarray, picks: np.ndarray, quantiles: np.ndarray, sigma: float) -> np.ndarray:
    """Each value plus its picked level, held to 0..255. The levels of this sigma are rounded once into a table
    of whole numbers (a quarter the size of the quantiles', so it stays in cache), then each value is one add."""
    levels = np.empty(quantiles.size, np.int16)  # |level| <= 4.3 x MAX_NOISE
    for pick in range(quantiles.size):
        levels[pick] = np.rint(sigma * quantiles[pick])
    out = np.empty(pixels.size, np.uint8)
    for index in range(pixels.size):
        value = np.int32(pixels[index]) + levels[picks[index]]
        out[index] = min(max(value, 0), 255)
    return out


@cache
def _normal_quantiles() -> np.ndarray:
    """The standard normal's quantile at the middle of each slice: 14 ms, once per process."""
    normal = NormalDist()
    return np.array([normal.inv_cdf((index + 0.5) / _SLICES) for index in range(_SLICES)])
