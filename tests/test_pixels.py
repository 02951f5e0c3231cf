"""8-bit pixels from float arithmetic: rounding and clipping in place gives what doing it into new arrays gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.pixels import to_uint8


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
