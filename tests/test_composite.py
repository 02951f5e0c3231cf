"""Blending only the inked pixels gives, bit for bit, what blending every pixel gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.renderer.picture import _blended, composite


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
