"""8-bit pixels from float arithmetic.

Every effect and background rounds and clips the same way, so that two stages never disagree by
one grey level on the same value.
"""

from __future__ import annotations

import numpy as np


def to_uint8(values: np.ndarray) -> np.ndarray:
    """`values` rounded to the nearest integer (halves to even) and held to 0..255; held in place, in the
    rounded copy, so the picture-sized array is allocated once before the bytes."""
    rounded = np.rint(values)
    np.clip(rounded, 0, 255, out=rounded)
    return rounded.astype(np.uint8)
