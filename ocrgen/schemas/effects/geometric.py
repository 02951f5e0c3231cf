"""Geometric effects as data: how each one is configured and what the plan records of it.

`ocrgen.effects.geometric` moves pixels and label points by them, and says in what order and why.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field

from ocrgen.schemas.effects.base import Effect, EffectConfig, EffectParams
from ocrgen.schemas.ranges import Range, within

# The steepest an elastic field may be: keeps the warp from folding and its inversion a contraction.
MAX_ELASTIC_SLOPE = 0.5

# Upper bounds shared by each config range and its plan field: alpha pads the canvas on every side,
# and the field's blur takes 6 sigma passes over it.
MAX_ELASTIC_ALPHA = 32  # px
MAX_ELASTIC_SIGMA = 32  # px
MAX_GRID_STEPS = 64
SCALES = (0.05, 8.0)  # rescale: the canvas grows by up to 64 times its area
MAX_SHEAR = 60  # degrees; tan(angle) widens the canvas
MAX_CORNER_MOVE = 0.25  # perspective, fraction of the side, exclusive: corners never cross
MAX_LINE_MOVE = 0.5  # grid distortion, fraction of a cell, exclusive: lines never cross
K_RANGE = (-1 / 3, 1.0)  # optical distortion, low end exclusive: the lens map keeps rising over the canvas


class RescaleConfig(EffectConfig):
    """Change of resolution; shrinking averages. Canvas: round(W x scale) by round(H x scale)."""

    scale: Annotated[Range, within(*SCALES)] = Field(
        default_factory=lambda: Range(min=0.5, max=1.5),
        description=f"Size factor, {SCALES[0]:g} to {SCALES[1]:g}: below 1 shrinks, above 1 enlarges.",
    )


class Rescale(EffectParams):
    name: Literal["rescale"] = "rescale"
    scale: float = Field(ge=SCALES[0], le=SCALES[1])

    def is_noop(self) -> bool:
        return self.scale == 1

    def size(self, width: int, height: int) -> tuple[int, int]:
        return max(1, round(width * self.scale)), max(1, round(height * self.scale))


class ShearConfig(EffectConfig):
    """Horizontal shear; positive leans letter tops right. Canvas: grows to fit."""

    angle: Annotated[Range, within(-MAX_SHEAR, MAX_SHEAR)] = Field(
        default_factory=lambda: Range(min=-15, max=15),
        description=f"Degrees of horizontal shear, -{MAX_SHEAR} to {MAX_SHEAR}; "
        "positive leans the tops of letters to the right, like italics.",
    )


class Shear(EffectParams):
    name: Literal["shear"] = "shear"
    angle: float = Field(ge=-MAX_SHEAR, le=MAX_SHEAR)

    def is_noop(self) -> bool:
        return self.angle == 0


class RotationConfig(EffectConfig):
    """Turn about the centre. Canvas: grows to fit."""

    angle: Range = Field(
        default_factory=lambda: Range(min=-8, max=8), description="Degrees, clockwise; any finite angle."
    )


class Rotation(EffectParams):
    name: Literal["rotation"] = "rotation"
    angle: float

    def is_noop(self) -> bool:
        return self.angle == 0


class PerspectiveConfig(EffectConfig):
    """Each corner moves by up to magnitude x (W, H) in a direction drawn per corner; the record stores the 4
    moves. Canvas: grows to fit."""

    magnitude: Annotated[Range, within(0, MAX_CORNER_MOVE, high_open=True)] = Field(
        default_factory=lambda: Range(min=0.02, max=0.12),
        description="How far each canvas corner moves, as a fraction of the canvas width (x) and height (y), "
        f"0 to below {MAX_CORNER_MOVE:g}.",
    )


_Offset = Annotated[float, Field(gt=-MAX_CORNER_MOVE, lt=MAX_CORNER_MOVE)]
_Corner = tuple[_Offset, _Offset]


class Perspective(EffectParams):
    """`corners`: how far each canvas corner moves (top-left, top-right, bottom-right, bottom-left),
    as (dx, dy) fractions of the canvas width and height, drawn by the planner."""

    name: Literal["perspective"] = "perspective"
    corners: tuple[_Corner, _Corner, _Corner, _Corner]

    def is_noop(self) -> bool:
        return all(dx == 0 and dy == 0 for dx, dy in self.corners)


class ElasticConfig(EffectConfig):
    """Smooth random wobble from the record's seed: alpha bounds every move, sigma sets the smoothness; the
    slope is capped at 0.5 so it never folds (so small sigma moves less than alpha). Canvas: padded by
    ceil(alpha) on every side."""

    alpha: Annotated[Range, within(0, MAX_ELASTIC_ALPHA)] = Field(
        default_factory=lambda: Range(min=2, max=8),
        description=f"Largest displacement, in pixels, 0 to {MAX_ELASTIC_ALPHA}.",
    )
    sigma: Annotated[Range, within(0, MAX_ELASTIC_SIGMA, low_open=True)] = Field(
        default_factory=lambda: Range(min=3, max=6),
        description=f"Smoothness: the field's Gaussian blur, in pixels, above 0 and at most {MAX_ELASTIC_SIGMA}.",
    )


class Elastic(EffectParams):
    """The displacement field itself is drawn at render time from the record's seed (`Scene.rng`)."""

    name: Literal["elastic"] = "elastic"
    alpha: float = Field(ge=0, le=MAX_ELASTIC_ALPHA)
    sigma: float = Field(gt=0, le=MAX_ELASTIC_SIGMA)

    def is_noop(self) -> bool:
        return self.alpha == 0

    def margin(self) -> int:
        return math.ceil(self.alpha)


class GridDistortionConfig(EffectConfig):
    """A steps x steps grid whose inner lines move by up to limit x cell size; pixels stretch linearly between
    lines. The record stores the line moves. Canvas: unchanged."""

    steps: Annotated[Range, within(1, MAX_GRID_STEPS)] = Field(
        default_factory=lambda: Range(min=5, max=5), description=f"Grid cells along each side, 1 to {MAX_GRID_STEPS}."
    )
    distort_limit: Annotated[Range, within(0, MAX_LINE_MOVE, high_open=True)] = Field(
        default_factory=lambda: Range(min=0.1, max=0.3),
        description=f"Largest move of an inner grid line, as a fraction of a cell, 0 to below {MAX_LINE_MOVE:g}.",
    )


_LineOffset = Annotated[float, Field(gt=-MAX_LINE_MOVE, lt=MAX_LINE_MOVE)]


class GridDistortion(EffectParams):
    """`x`: how far each of the steps - 1 inner vertical grid lines moves sideways, and `y`: each inner
    horizontal line up or down, in cells (cell = width / steps, height / steps); drawn by the planner.

    Pixels between grid lines stretch linearly (as in albumentations' GridDistortion). The outer
    lines stay, so the canvas maps onto itself.
    """

    name: Literal["grid_distortion"] = "grid_distortion"
    x: tuple[_LineOffset, ...] = Field(max_length=MAX_GRID_STEPS - 1)
    y: tuple[_LineOffset, ...] = Field(max_length=MAX_GRID_STEPS - 1)

    def is_noop(self) -> bool:
        return not any(self.x) and not any(self.y)


class OpticalDistortionConfig(EffectConfig):
    """Radial lens distortion about the centre: k < 0 barrel, k > 0 pincushion. Canvas: pincushion pads ceil(k W
    / 2) left and right and ceil(k H / 2) above and below."""

    k: Annotated[Range, within(*K_RANGE, low_open=True)] = Field(
        default_factory=lambda: Range(min=-0.2, max=0.2),
        description="Radial coefficient, above -1/3 and at most 1: below 0 barrel, above 0 pincushion.",
    )


class OpticalDistortion(EffectParams):
    """The lens model p' = c + (p - c)(1 + k r^2), r = |p - c| / R, c the canvas centre and
    R half its diagonal (before padding): the corners move by k R, the centre stays."""

    name: Literal["optical_distortion"] = "optical_distortion"
    k: float = Field(gt=K_RANGE[0], le=K_RANGE[1])

    def is_noop(self) -> bool:
        return self.k == 0

    def margins(self, width: int, height: int) -> tuple[int, int]:
        """Room for pincushion: a point (x, y) from the centre moves out by at most k |x| r^2 <= k W / 2."""
        if self.k <= 0:
            return 0, 0
        return math.ceil(self.k * width / 2), math.ceil(self.k * height / 2)


_CODE = "ocrgen.effects.geometric:"

# Catalogue order within the geometry stage; `ocrgen.effects.geometric` says why.
EFFECTS = (
    Effect(
        "rescale", "geometry", RescaleConfig, Rescale, warp=_CODE + "rescale_warp", output_size=_CODE + "rescale_size"
    ),
    Effect("shear", "geometry", ShearConfig, Shear, warp=_CODE + "shear_warp", output_size=_CODE + "shear_size"),
    Effect(
        "rotation",
        "geometry",
        RotationConfig,
        Rotation,
        warp=_CODE + "rotation_warp",
        output_size=_CODE + "rotation_size",
    ),
    Effect(
        "perspective",
        "geometry",
        PerspectiveConfig,
        Perspective,
        warp=_CODE + "perspective_warp",
        output_size=_CODE + "perspective_size",
        sampler=_CODE + "sample_perspective",
    ),
    Effect(
        "elastic", "geometry", ElasticConfig, Elastic, warp=_CODE + "elastic_warp", output_size=_CODE + "elastic_size"
    ),
    Effect(
        "grid_distortion",
        "geometry",
        GridDistortionConfig,
        GridDistortion,
        warp=_CODE + "grid_warp",
        sampler=_CODE + "sample_grid",
    ),
    Effect(
        "optical_distortion",
        "geometry",
        OpticalDistortionConfig,
        OpticalDistortion,
        warp=_CODE + "optical_warp",
        output_size=_CODE + "optical_size",
    ),
)
