"""An affine matrix projects without the division by w, to the same bits as with it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.effects.warp import project

_ENTRY = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(top=st.lists(_ENTRY, min_size=6, max_size=6), seed=st.integers(0, 2**32 - 1))
def test_affine_projection_is_the_projective_one(top: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = np.array([*top, 0.0, 0.0, 1.0]).reshape(3, 3)
    xs, ys = rng.uniform(-1e4, 1e4, (2, 50))
    xs[:5] = -1e6  # where the warp chain sends pixels that read from nowhere
    w = matrix[2, 0] * xs + matrix[2, 1] * ys + matrix[2, 2]
    expected_x = (matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]) / w
    expected_y = (matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]) / w
    got_x, got_y = project(matrix, xs, ys)
    assert np.array_equal(got_x.view(np.uint64), expected_x.view(np.uint64))
    assert np.array_equal(got_y.view(np.uint64), expected_y.view(np.uint64))
