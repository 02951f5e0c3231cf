"""Blending only the inked pixels, in the compiled loop, gives bit for bit what numpy's blend of every pixel gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.renderer.picture import composite


def _blended(background: np.ndarray, text: np.ndarray) -> np.ndarray:
    """Every pixel, channel by channel, in float32: background times 1 - alpha plus colour times 255, rounded."""
    keep = 1 - text[:, :, 3]
    out = np.empty_like(background)
    for channel in range(3):
        blended = background[:, :, channel].astype(np.float32) * keep + text[:, :, channel] * 255
        out[:, :, channel] = np.clip(np.rint(blended), 0, 255)
    return out


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ink=st.floats(0, 1), negative_zeros=st.booleans(), told=st.booleans())
def test_composite_is_the_blend_of_every_pixel(seed: int, ink: float, negative_zeros: bool, told: bool) -> None:
    """Scanning for the inked pixels, or told a set that holds them all (and some blank ones, as a warp's is)."""
    rng = np.random.default_rng(seed)
    height, width = (int(n) for n in rng.integers(1, 50, 2))
    alpha = (rng.random((height, width, 1)) * (rng.random((height, width, 1)) < ink)).astype(np.float32)
    text = np.concatenate([rng.random((height, width, 3)).astype(np.float32) * alpha, alpha], axis=2)
    if negative_zeros:  # transparent pixels whose channels are -0.0 blend to the background all the same
        text[text == 0] = -0.0
    background = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    inked = None
    if told:
        set_bits = np.flatnonzero(text.view(np.uint32).reshape(-1, 4).any(axis=1))
        inked = np.union1d(set_bits, rng.choice(height * width, rng.integers(0, height * width + 1), replace=False))
    got = composite(background, text, inked)
    assert got.dtype == np.uint8
    assert np.array_equal(got, _blended(background, text))
