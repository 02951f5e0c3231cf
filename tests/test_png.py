"""The hot-path PNG encoder writes files that a standard decoder reads back to the same pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from ocrgen.renderer.png import encode_png


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 70), st.integers(1, 90), st.integers(0, 2**32 - 1))
def test_pillow_decodes_the_same_pixels(height: int, width: int, seed: int) -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    decoded = Image.open(io.BytesIO(encode_png(pixels)))
    decoded.load()  # reads every chunk and checks their CRCs
    assert decoded.mode == "RGB" and decoded.size == (width, height)
    assert np.array_equal(np.asarray(decoded), pixels)


def test_a_flat_picture_compresses() -> None:
    assert len(encode_png(np.full((64, 200, 3), 230, np.uint8))) < 64 * 200 * 3 // 20


@pytest.mark.parametrize("shape, dtype", [((4, 4), np.uint8), ((4, 4, 4), np.uint8), ((4, 4, 3), np.float32)])
def test_other_arrays_are_refused(shape: tuple[int, ...], dtype: type) -> None:
    with pytest.raises(ValueError, match="H x W x 3 uint8"):
        encode_png(np.zeros(shape, dtype))
