"""Text of one colour is warped as its alpha alone: the same pixels as warping its RGBA, to float32 rounding."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.effects.base import Scene
from ocrgen.effects.registry import warp_of
from ocrgen.effects.warp import Warp, apply_warps
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.geometric import Elastic, Rescale
from tests.test_flatten_window import random_layers
from tests.test_reach import STRAIGHT_WARPS

# The straight warps, a shrinking rescale (resampled on its own) and an elastic warp (every pixel worked out).
_GEOMETRY = st.one_of(
    STRAIGHT_WARPS,
    st.builds(Rescale, scale=st.floats(0.5, 1.0)),
    st.builds(Elastic, alpha=st.floats(0.5, 4), sigma=st.floats(2, 6)),
)


def _warped(text: np.ndarray, warps: list[Warp], color: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    scene = Scene(seed=(0,), text=text, points=np.zeros((0, 2)))
    apply_warps(scene, warps, None, color)
    assert scene.text is not None
    return scene.text, scene.text_ink()


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), effects=st.lists(_GEOMETRY, min_size=1, max_size=3))
def test_one_colour_warped_by_its_alpha_is_its_rgba_warped(seed: int, effects: list[EffectParams]) -> None:
    layers = random_layers(seed, stroke=False, shadows=0, per_pixel=False)
    height, width = layers.fill.shape
    color = layers.solid_color()
    assert color is not None
    text = layers.flatten()
    warps = []
    for params in effects:
        warps.append(warp_of(params)(params, width, height, np.random.default_rng(seed)))
        width, height = warps[-1].width, warps[-1].height
    expected, expected_ink = _warped(text, warps, None)
    got, got_ink = _warped(layers.alpha((slice(0, None), slice(0, None))), warps, color)
    assert got.shape == expected.shape and got.dtype == np.float32
    assert np.array_equal(got[:, :, 3], expected[:, :, 3]), "alpha is warped as it was"
    assert np.allclose(got, expected, rtol=2e-6, atol=1e-7)
    assert (got_ink is None) == (expected_ink is None)
    if got_ink is not None and expected_ink is not None:
        assert np.array_equal(got_ink, expected_ink)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), stroke=st.booleans(), shadows=st.integers(0, 1), per_pixel=st.booleans())
def test_only_text_of_one_colour_has_a_solid_colour(seed: int, stroke: bool, shadows: int, per_pixel: bool) -> None:
    """Where there is one, the flattened RGB is that colour times the alpha, bit for bit."""
    layers = random_layers(seed, stroke, shadows, per_pixel)
    color = layers.solid_color()
    assert (color is not None) == (not stroke and not shadows and not per_pixel)
    if color is not None:
        flat = layers.flatten()
        assert np.array_equal((color * flat[:, :, 3:]).view(np.uint32), flat[:, :, :3].view(np.uint32))
        assert np.array_equal(layers.alpha(layers.ink_window()).view(np.uint32), flat[:, :, 3:].view(np.uint32))
