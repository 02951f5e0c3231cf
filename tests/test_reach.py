"""Resampling only the pixels the ink can reach gives, bit for bit, what resampling every pixel gives."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ocrgen.effects.base import Scene, Window
from ocrgen.effects.reach import nonzero_window, quad_pixels
from ocrgen.effects.registry import warp_of
from ocrgen.effects.warp import Warp, apply_warps
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.geometric import Perspective, Rescale, Rotation, Shear

STRAIGHT_WARPS = st.one_of(
    st.builds(Rotation, angle=st.floats(-30, 30)),
    st.builds(Shear, angle=st.floats(-20, 20)),
    st.builds(Rescale, scale=st.floats(1.0, 2.0)),
    st.builds(
        Perspective,
        corners=st.tuples(*[st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2))] * 4),
    ),
)


def _sparse_text(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Premultiplied RGBA with ink in a random box only, as drawn text has."""
    text = np.zeros((height, width, 4), np.float32)
    y0, x0 = int(rng.integers(0, height)), int(rng.integers(0, width))
    y1, x1 = int(rng.integers(y0, height + 1)), int(rng.integers(x0, width + 1))
    alpha = (rng.random((y1 - y0, x1 - x0, 1)) * (rng.random((y1 - y0, x1 - x0, 1)) < 0.6)).astype(np.float32)
    text[y0:y1, x0:x1] = np.concatenate([rng.random((y1 - y0, x1 - x0, 3)).astype(np.float32) * alpha, alpha], 2)
    return text


def _warped(text: np.ndarray, warps: list[Warp], ink: Window | None = None) -> np.ndarray:
    """The warped text; where the warp says it may hold ink is checked to hold every pixel with a bit set."""
    scene = Scene(seed=(0,), text=text, points=np.zeros((0, 2)))
    apply_warps(scene, warps, ink)
    assert scene.text is not None
    said = scene.text_ink()
    assert said is not None and np.all(np.diff(said) > 0)
    assert np.isin(np.flatnonzero(scene.text.view(np.uint32).reshape(-1, 4).any(axis=1)), said).all()
    warped = scene.text
    scene.text = warped.copy()
    assert scene.text_ink() is None, "a text set after the warp is not the one it spoke of"
    return warped


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), effects=st.lists(STRAIGHT_WARPS, min_size=1, max_size=3))
def test_straight_warps_resample_only_what_ink_reaches_with_the_same_bits(
    seed: int, effects: list[EffectParams]
) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(n) for n in rng.integers(1, 60, 2))
    text = _sparse_text(rng, height, width)
    warps = []
    for params in effects:
        warp = warp_of(params)(params, width, height, rng)
        warps.append(warp)
        width, height = warp.width, warp.height
    assert all(warp.straight for warp in warps)
    every_pixel = [dataclasses.replace(warp, straight=False) for warp in warps]
    expected = _warped(text, every_pixel)
    for ink in (None, nonzero_window(text), (slice(0, text.shape[0]), slice(0, text.shape[1]))):
        got = _warped(text, warps, ink)
        assert np.array_equal(got.view(np.uint32), expected.view(np.uint32))


@settings(max_examples=200, deadline=None)
@given(
    corners=st.lists(st.tuples(st.floats(-20, 60), st.floats(-20, 60)), min_size=3, max_size=3),
    width=st.integers(1, 40),
    height=st.integers(1, 40),
)
def test_quad_pixels_holds_every_pixel_centre_inside(
    corners: list[tuple[float, float]], width: int, height: int
) -> None:
    """A triangle (a quadrilateral with a corner twice) against every pixel centre, tested point by point."""
    (ax, ay), (bx, by), (cx, cy) = corners
    assume(abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) > 1e-3)
    quad = np.array([*corners, corners[-1]], np.float64)
    rows, cols = quad_pixels(quad, width, height)
    chosen = np.zeros((height, width), bool)
    chosen[rows, cols] = True
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == rows.size
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    sides = [(bx - ax) * (ys - ay) - (by - ay) * (xs - ax), (cx - bx) * (ys - by) - (cy - by) * (xs - bx)]
    sides.append((ax - cx) * (ys - cy) - (ay - cy) * (xs - cx))
    inside = np.all([s >= 0 for s in sides], axis=0) | np.all([s <= 0 for s in sides], axis=0)
    assert not (inside & ~chosen).any()


def test_nonzero_window_counts_any_bit() -> None:
    text = np.zeros((5, 7, 4), np.float32)
    assert nonzero_window(text) == (slice(0, 0), slice(0, 0))
    text[1, 2, 0] = -0.0
    text[3, 5, 2] = 1e-30
    assert nonzero_window(text) == (slice(1, 4), slice(2, 6))
