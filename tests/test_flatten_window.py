"""Flattening the text layers inside their ink window gives, bit for bit, what flattening every pixel gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.effects.base import TextLayers


def _coverage(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """uint8 coverage inked in a random box only, some of it full, some partial."""
    coverage = np.zeros((height, width), np.uint8)
    y0, x0 = int(rng.integers(0, height)), int(rng.integers(0, width))
    y1, x1 = int(rng.integers(y0, height + 1)), int(rng.integers(x0, width + 1))
    coverage[y0:y1, x0:x1] = rng.integers(0, 256, (y1 - y0, x1 - x0)) * (rng.random((y1 - y0, x1 - x0)) < 0.5)
    return coverage


def _color(rng: np.random.Generator, height: int, width: int, per_pixel: bool) -> np.ndarray:
    shape = (height, width, 3) if per_pixel else (3,)
    return rng.integers(0, 256, shape).astype(np.uint8)


def random_layers(seed: int, stroke: bool, shadows: int, per_pixel: bool) -> TextLayers:
    """Text layers up to 40 x 40 px: a fill, with an outline and shadows when asked, colours per pixel when asked."""
    rng = np.random.default_rng(seed)
    height, width = (int(n) for n in rng.integers(1, 40, 2))
    return TextLayers(
        fill=_coverage(rng, height, width),
        fill_color=_color(rng, height, width, per_pixel),
        stroke=_coverage(rng, height, width) if stroke else None,
        stroke_color=_color(rng, height, width, False) if stroke else None,
        under=[(_coverage(rng, height, width), _color(rng, height, width, per_pixel)) for _ in range(shadows)],
    )


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), stroke=st.booleans(), shadows=st.integers(0, 2), per_pixel=st.booleans())
def test_flatten_in_the_ink_window_is_flatten_everywhere(
    seed: int, stroke: bool, shadows: int, per_pixel: bool
) -> None:
    layers = random_layers(seed, stroke, shadows, per_pixel)
    height, width = layers.fill.shape
    everywhere = layers.flatten((slice(0, height), slice(0, width)))
    assert np.array_equal(layers.flatten().view(np.uint32), everywhere.view(np.uint32))
