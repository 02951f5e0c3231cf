"""Colours that stand out: WCAG contrast against a background, and picking ink colours that keep it.

Every colour that inks the text (the text colour, a palette's colours, a gradient's
ends) is picked here, from its `ColorRange` through the one sampler, against the
luminances the planner estimates for the background under the text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ocrgen.planner.luminance import luminance_map, relative_luminance
from ocrgen.sampling import sample_color
from ocrgen.schemas.ranges import ColorRange

# Colours drawn for one pick before falling back to the best colour of a lattice over the range.
COLOR_TRIES = 10
# Reasons counted in the planning statistics.
LOW_CONTRAST = "text_color_low_contrast"  # one drawn colour rejected
CONTRAST_FALLBACK = "text_color_fallback"  # a pick given that fallback colour after COLOR_TRIES draws
CONTRAST_UNMET = "text_color_contrast_unmet"  # ... whose contrast still falls short of min_contrast
_FEW_SPANS = 16  # up to this many background spans, one text luminance is checked without numpy


def contrast_ratio(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    """WCAG contrast ratio of relative luminances, element by element: 1 (none) to 21 (black on white)."""
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def worst_contrast(text: float, background: Sequence[tuple[float, float]]) -> float:
    """The lowest contrast of a text luminance against a background's luminance spans, each [low, high].

    In plain floats for the few spans of a procedural background or a small crop: a colour is
    checked this way up to ten times a text, and numpy's cost per call was a tenth of planning.
    """
    if len(background) > _FEW_SPANS:
        return float(worst_contrasts(np.asarray([text]), background)[0])
    worst = math.inf
    for low, high in background:
        if text < low:
            worst = min(worst, (low + 0.05) / (text + 0.05))
        elif text > high:
            worst = min(worst, (text + 0.05) / (high + 0.05))
        else:
            worst = min(worst, 1.0)
    return worst


def worst_contrasts(texts: np.ndarray, background: Sequence[tuple[float, float]]) -> np.ndarray:
    """`worst_contrast` for many text luminances at once."""
    spans = np.asarray(background, np.float64).reshape(-1, 2)
    low, high, text = spans[None, :, 0], spans[None, :, 1], np.asarray(texts, np.float64)[:, None]
    nearest = np.where(text < low, low, high)
    ratios = contrast_ratio(text, nearest)
    ratios[(low <= text) & (text <= high)] = 1.0
    return ratios.min(axis=1, initial=math.inf)


def pick_text_color(
    colors: ColorRange,
    background: Sequence[tuple[float, float]],
    min_contrast: float,
    rng: np.random.Generator,
    resampled: Counter[str],
) -> tuple[int, int, int]:
    """An ink colour from `colors` with at least `min_contrast` against the luminance spans in `background`.

    Draws up to COLOR_TRIES colours; then takes the colour with the best contrast of a 5 x 5 x 5
    lattice over the range (corners included). Rejections and fallbacks go into `resampled`.
    """
    for _ in range(COLOR_TRIES):
        color = sample_color(colors, rng)
        if worst_contrast(relative_luminance(color), background) >= min_contrast:
            return color
        resampled[LOW_CONTRAST] += 1
    best, contrast = _best_in_range(colors, background)
    resampled[CONTRAST_FALLBACK] += 1
    if contrast < min_contrast:
        resampled[CONTRAST_UNMET] += 1
    return best


def _best_in_range(colors: ColorRange, background: Sequence[tuple[float, float]]) -> tuple[tuple[int, int, int], float]:
    """The colour of a lattice over the range (5 steps a channel, ends included) with the best worst contrast.

    Luminance grows with every channel, so the range's darkest and lightest colours are its
    corners; the lattice also finds a mid tone between a crop's dark and light parts.
    """
    steps = [
        np.unique(np.rint(np.linspace(low, high, 5)).astype(int))
        for low, high in zip(colors.min, colors.max, strict=True)
    ]
    lattice = np.stack(np.meshgrid(*steps, indexing="ij"), axis=-1).reshape(-1, 3)
    contrasts = worst_contrasts(luminance_map(lattice), background)
    best = int(np.argmax(contrasts))  # the first of equals, in the lattice's fixed order
    r, g, b = (int(c) for c in lattice[best])
    return (r, g, b), float(contrasts[best])
