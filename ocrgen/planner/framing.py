"""Plan the crop to the ink: the margins the final image keeps around the text, and the canvas that holds them.

Real text lines come out of a line segmenter cut close to their ink. With `framing` the
planner draws a margin for each side as a fraction of the line height, turns it into
pixels of the final image, and pads the canvas by at least that much, so that the ink
plus its margins always fits on the canvas of straight text.
"""

from __future__ import annotations

import math

import numpy as np

from ocrgen.effects.registry import effect_of
from ocrgen.sampling import sample
from ocrgen.schemas.config import Framing, NeighbourLines
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.geometric import Rescale
from ocrgen.schemas.plan import InkCrop, Point
from ocrgen.text.layout import Measure

Margins = tuple[int, int, int, int]  # left, top, right, bottom


def plan_crop(framing: Framing, layout: Measure, effects: list[EffectParams], rng: np.random.Generator) -> InkCrop:
    """Four margins in final-image pixels, each drawn on its own from `framing.margin` times the line height.

    The line height is one line's, whatever the number of lines, scaled by the record's
    rescale effects: a margin of 0.1 is a tenth of a line as the final image shows it.
    """
    line_height = layout.line_height * _scale(effects)
    left, top, right, bottom = (round(sample(framing.margin, rng) * line_height) for _ in range(4))
    neighbours = [] if framing.neighbours is None else _neighbours(framing.neighbours, layout, effects, rng)
    return InkCrop(left=left, top=top, right=right, bottom=bottom, neighbours=neighbours)


def _neighbours(
    config: NeighbourLines, layout: Measure, effects: list[EffectParams], rng: np.random.Generator
) -> list[Point]:
    """The offsets of the lines before and after the text block, each there with chance `p`.

    A neighbour's baseline lies `pitch` line heights past the block's outer baseline, so the
    offset across the lines is the block's own depth (its extent less one line) plus that.
    Turned blocks (vertical columns) have their neighbours to the left and right.
    """
    scale = _scale(effects)
    extent = layout.extent
    turned = layout.turned
    depth = (extent.x1 - extent.x0) if turned else (extent.y1 - extent.y0)
    offsets = []
    for side in (-1, 1):
        if rng.random() >= config.p:
            continue
        across = side * round((depth - layout.line_height + sample(config.pitch, rng) * layout.line_height) * scale)
        along = round(sample(config.shift, rng) * layout.line_height * scale)
        offsets.append(Point(x=across, y=along) if turned else Point(x=along, y=across))
    return offsets


def canvas_padding(crop: InkCrop, effects: list[EffectParams]) -> Margins:
    """Canvas pixels to pad each side with, so that the ink plus the crop's margins fits once rescaled.

    Geometric effects resample the text bilinearly, which spreads ink up to a pixel past where
    its moved outline says, hence the extra pixel. Rotation and shear only add room (the bounds
    of a turned canvas grow faster than those of the ink inside it); perspective and grid
    distortion can still push the ink towards an edge, and the renderer clips the crop there.
    """
    scale = _scale(effects)
    extra = 1 if any(effect_of(params).stage == "geometry" for params in effects) else 0
    sides = (crop.left, crop.top, crop.right, crop.bottom)
    left, top, right, bottom = (math.ceil(margin / scale) + extra for margin in sides)
    return left, top, right, bottom


def _scale(effects: list[EffectParams]) -> float:
    """How much the record's rescale effects enlarge (or shrink) the text."""
    return math.prod(params.scale for params in effects if isinstance(params, Rescale))
