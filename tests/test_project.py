"""An affine matrix projects without the division by w, to the same bits as with it; a transformed canvas's
bounds in plain floats are those numpy's projection of its corners gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.effects.geometric import perspective_matrix, rotation_matrix, shear_matrix
from ocrgen.effects.registry import size_after_geometry
from ocrgen.effects.warp import fitted_bounds, project
from ocrgen.schemas.effects.geometric import Perspective, Rotation, Shear

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


def _numpy_bounds(matrix: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    xs, ys = project(matrix, np.array([0.0, width, width, 0.0]), np.array([0.0, 0.0, height, height]))
    x0, y0 = np.floor(xs.min()), np.floor(ys.min())
    return int(x0), int(y0), int(np.ceil(xs.max()) - x0), int(np.ceil(ys.max()) - y0)


@settings(max_examples=300, deadline=None)
@given(
    top=st.lists(_ENTRY, min_size=6, max_size=6),
    bottom=st.one_of(st.just([0.0, 0.0, 1.0]), st.tuples(st.floats(-1e-3, 1e-3), st.floats(-1e-3, 1e-3), st.just(1.0))),
    width=st.integers(1, 5000),
    height=st.integers(1, 5000),
)
def test_bounds_in_plain_floats_are_numpys(top: list[float], bottom: list[float], width: int, height: int) -> None:
    matrix = np.array([*top, *bottom]).reshape(3, 3)
    try:
        expected = _numpy_bounds(matrix, width, height)
    except (ValueError, OverflowError):  # a corner sent off to infinity
        with pytest.raises(ValueError, match="off to infinity"):
            fitted_bounds(matrix, width, height)
        return
    assert fitted_bounds(matrix, width, height) == expected


@settings(max_examples=200, deadline=None)
@given(
    angle=st.floats(-90, 90),
    corners=st.lists(st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)), min_size=4, max_size=4),
    width=st.integers(1, 3000),
    height=st.integers(1, 3000),
)
def test_the_planners_sizes_are_the_warps(
    angle: float, corners: list[tuple[float, float]], width: int, height: int
) -> None:
    """What the planner sizes a record by is the size the renderer's warp makes."""
    cases = [
        (Rotation(angle=angle), rotation_matrix),
        (Shear(angle=angle / 3), shear_matrix),
        (Perspective(corners=corners), perspective_matrix),
    ]
    for params, warp_matrix in cases:
        _, new_width, new_height = warp_matrix(params, width, height)  # type: ignore[operator]
        assert size_after_geometry([params], width, height) == (new_width, new_height)
