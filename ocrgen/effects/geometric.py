"""Geometric effects: they move the text's pixels and every label polygon point by the same map.

They work on the text layer before it meets the background, so the background is
never warped or left with empty corners.

Order (`EFFECTS`): rescale (a change of resolution first, so the pixel-sized values
of what follows are final pixels), shear and rotation (the writing's slant, the
page's tilt), perspective (the camera's view of the page), then the non-linear
warps: elastic (local wobble), grid distortion (uneven stretching) and optical
distortion (the lens, last, over the whole picture).

No text leaves the canvas, and `output_size` tells the planner each new size:

- rescale: round(W * scale) x round(H * scale);
- shear, rotation, perspective: the bounds of the transformed canvas (`warp.fitted`);
- elastic: padded by ceil(alpha) on every side first (alpha bounds every move);
- optical: pincushion (k > 0) pads ceil(k W / 2) left and right and ceil(k H / 2)
  above and below (no point moves further); barrel pulls everything in: same size;
- grid distortion: same size; its outer grid lines stay put, so it maps the canvas
  onto itself.

What the planner draws, and what the renderer draws:

- perspective: the planner draws one magnitude m, then a direction t per corner;
  the record holds the 4 corner moves (m cos t, m sin t), as fractions of the
  canvas width and height;
- grid distortion: the planner draws the number of steps, a limit, and each inner
  grid line's move (uniform in +-limit, in cells): all in the record;
- elastic: the record holds alpha and sigma; the field itself is drawn when
  rendering, from `Scene.rng` (the record's seed): Gaussian-smoothed (sigma px)
  white noise, scaled so its longest move is alpha px, then scaled down further
  if its slope (the largest spectral norm of its Jacobian) passes 0.5, so the
  warp never folds. For small sigma that slope limit is what binds: at sigma 3 a
  field moves at most about 2 px, at sigma 6 about 3 to 4 px, whatever alpha says.

How pixels and points move:

- Pixels move by the inverse map (for each output pixel, where to read from),
  sampled bilinearly (`warp.remap`). Successive geometric effects chain their
  maps and the text is resampled once from the unwarped picture, so stacking
  effects does not blur it step by step; only a shrinking rescale resamples on
  its own, with a triangle filter one output pixel wide (so it averages).
- Points move by the forward map. Rescale, shear, rotation and perspective are
  matrices: exact. Grid distortion is piecewise linear along each axis, and so is
  its inverse: exact. Optical distortion is the classic lens model
  p' = c + (p - c)(1 + k r^2), which moves points (exact); pixels read from its
  inverse radius, solved by Newton's method to 1e-9 of the normalised radius.
- Elastic pixels read from x + D(x) (D bilinear between pixel centres); a point p
  goes to the y with y + D(y) = p, found by fixed-point iteration y <- p - D(y).
  With D's slope at most 0.5 that is a contraction that at least halves the error
  each step; it stops once a step is below 1e-6 px, which bounds the error by
  1e-6 px (typically 15 to 25 steps).

Label polygons keep their points (4 per character), each moved exactly. After a
non-linear warp the straight edges between them are chords of the warped outline:
a glyph that straddles a grid line, or bends under a strong elastic field, can
bulge past its chord by a pixel or two. With the default ranges, all seven
effects together leave at least 99 % of the ink within 2 px of the character
polygons (tests/test_effects_geometric.py).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from ocrgen.effects.base import Effect, EffectConfig, EffectParams, Scene
from ocrgen.effects.warp import (
    Warp,
    apply_warps,
    field_slope,
    fitted,
    homography,
    invert_displacement,
    project,
    sample_field,
    smooth_noise,
)
from ocrgen.sampling import plan_float, sample, sample_int
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


# ---------------------------------------------------------------- affine and projective effects


def _projective_warp(matrix: np.ndarray, width: int, height: int) -> Warp:
    """The warp of a 3x3 matrix (source to output) onto a width x height canvas."""
    inverse = np.linalg.inv(matrix)

    def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return project(inverse, xs, ys)

    def forward(points: np.ndarray) -> np.ndarray:
        return np.stack(project(matrix, points[:, 0], points[:, 1]), axis=1)

    return Warp(width, height, source, forward)


def _apply(params: _Geometric, scene: Scene) -> None:
    """One geometric effect on its own; the renderer applies a record's whole chain with `apply_geometry`."""
    apply_geometry([params], scene)


def apply_geometry(effects: list[EffectParams], scene: Scene) -> None:
    """Every geometric effect of a record, in order, resampling the text once (not once per effect,
    which would blur it a little more each time); only a shrinking rescale resamples on its own."""
    width, height = scene.size
    warps = []
    for params in effects:
        assert isinstance(params, _Geometric)
        warp = params.warp(width, height, scene.rng)
        warps.append(warp)
        width, height = warp.width, warp.height
    apply_warps(scene, warps)


def _matrix_size(params: Shear | Rotation | Perspective, width: int, height: int) -> tuple[int, int]:
    _, new_width, new_height = params.matrix(width, height)
    return new_width, new_height


class RescaleConfig(EffectConfig):
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

    def warp(self, width: int, height: int, rng: np.random.Generator | None = None) -> Warp:
        """To round(size * scale); points scale by the exact ratio of the sizes, per axis.

        Shrinking resamples on its own with a triangle filter as wide as a source pixel per output
        pixel (it averages); enlarging is a plain bilinear map and joins the chain.
        """
        new_width, new_height = self.size(width, height)
        ratio = np.array([new_width / width, new_height / height])

        def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return xs / ratio[0], ys / ratio[1]

        def forward(points: np.ndarray) -> np.ndarray:
            return points * ratio

        return Warp(new_width, new_height, source, forward, filtered=new_width < width or new_height < height)


def _rescale_size(params: Rescale, width: int, height: int) -> tuple[int, int]:
    return params.size(width, height)


class ShearConfig(EffectConfig):
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

    def matrix(self, width: int, height: int) -> tuple[np.ndarray, int, int]:
        """x moves by tan(angle) per pixel above the middle row; then fit the sheared canvas."""
        t = math.tan(math.radians(self.angle))
        skew = np.array([[1.0, -t, t * height / 2], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
        return fitted(skew, width, height)

    def warp(self, width: int, height: int, rng: np.random.Generator | None = None) -> Warp:
        return _projective_warp(*self.matrix(width, height))


class RotationConfig(EffectConfig):
    angle: Range = Field(
        default_factory=lambda: Range(min=-8, max=8), description="Degrees, clockwise; any finite angle."
    )


class Rotation(EffectParams):
    name: Literal["rotation"] = "rotation"
    angle: float

    def is_noop(self) -> bool:
        return self.angle == 0

    def matrix(self, width: int, height: int) -> tuple[np.ndarray, int, int]:
        """Turn about the canvas centre, then fit the turned canvas."""
        c, s = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        cx, cy = width / 2, height / 2
        turn = np.array([[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy], [0.0, 0.0, 1.0]])
        return fitted(turn, width, height)

    def warp(self, width: int, height: int, rng: np.random.Generator | None = None) -> Warp:
        return _projective_warp(*self.matrix(width, height))


class PerspectiveConfig(EffectConfig):
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

    def matrix(self, width: int, height: int) -> tuple[np.ndarray, int, int]:
        """Send the canvas corners to the moved corners, then fit the warped canvas."""
        source = np.array([[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]])
        target = source + np.array(self.corners) * np.array([width, height])
        return fitted(homography(source, target), width, height)

    def warp(self, width: int, height: int, rng: np.random.Generator | None = None) -> Warp:
        return _projective_warp(*self.matrix(width, height))


def _sample_perspective(config: PerspectiveConfig, rng: np.random.Generator) -> Perspective:
    """One magnitude m for the image, then a direction t per corner: it moves by (m cos t, m sin t)."""
    magnitude = min(sample(config.magnitude, rng), 0.2499)  # stays below 1/4 once rounded
    angles = rng.uniform(0, 2 * math.pi, 4)
    corners = [(plan_float(magnitude * math.cos(t)), plan_float(magnitude * math.sin(t))) for t in angles]
    return Perspective(corners=tuple(corners))


# ---------------------------------------------------------------- non-linear warps


class ElasticConfig(EffectConfig):
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

    def field(self, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
        """Gaussian-smoothed noise scaled so its longest vector is alpha, or less if its slope would pass 0.5."""
        field = smooth_noise(rng, width, height, self.sigma)
        longest = float(np.sqrt((field**2).sum(axis=2)).max())
        if longest > 0:
            field *= self.alpha / longest
        slope = field_slope(field)
        if slope > MAX_ELASTIC_SLOPE:
            field *= MAX_ELASTIC_SLOPE / slope
        return field

    def warp(self, width: int, height: int, rng: np.random.Generator | None = None) -> Warp:
        """Pad by ceil(alpha), then read each pixel x of the padded canvas from x + D(x)."""
        assert rng is not None, "the elastic field is drawn from the scene's generator"
        margin = self.margin()
        field = self.field(rng, width + 2 * margin, height + 2 * margin)

        def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            moved = sample_field(field, xs.ravel(), ys.ravel())
            return (
                xs + moved[:, 0].reshape(xs.shape) - margin,
                ys + moved[:, 1].reshape(ys.shape) - margin,
            )

        def forward(points: np.ndarray) -> np.ndarray:
            return invert_displacement(field, points + margin)

        return Warp(width + 2 * margin, height + 2 * margin, source, forward)


def _elastic_size(params: Elastic, width: int, height: int) -> tuple[int, int]:
    return width + 2 * params.margin(), height + 2 * params.margin()


class GridDistortionConfig(EffectConfig):
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

    @staticmethod
    def lines(size: int, offsets: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Where the grid lines along one axis sit on the source, and where they are drawn on the output."""
        cell = size / (len(offsets) + 1)
        source = np.arange(len(offsets) + 2) * cell
        return source, source + np.array([0.0, *offsets, 0.0]) * cell

    def warp(self, width: int, height: int, rng: np.random.Generator | None = None) -> Warp:
        source_x, out_x = self.lines(width, self.x)
        source_y, out_y = self.lines(height, self.y)

        def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return _piecewise(xs, out_x, source_x), _piecewise(ys, out_y, source_y)

        def forward(points: np.ndarray) -> np.ndarray:
            return np.stack(
                [_piecewise(points[:, 0], source_x, out_x), _piecewise(points[:, 1], source_y, out_y)], axis=1
            )

        return Warp(width, height, source, forward)


def _sample_grid(config: GridDistortionConfig, rng: np.random.Generator) -> GridDistortion:
    steps = sample_int(config.steps, rng)
    limit = min(sample(config.distort_limit, rng), 0.4999)  # stays below 1/2 once rounded
    x = rng.uniform(-limit, limit, steps - 1)
    y = rng.uniform(-limit, limit, steps - 1)
    return GridDistortion(x=tuple(plan_float(v) for v in x), y=tuple(plan_float(v) for v in y))


def _piecewise(values: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The piecewise-linear map through (start[i], end[i]); identity outside [start[0], start[-1]]."""
    inside = (values >= start[0]) & (values <= start[-1])
    return np.where(inside, np.interp(values, start, end), values)


def _same_size(params: EffectParams, width: int, height: int) -> tuple[int, int]:
    return width, height


class OpticalDistortionConfig(EffectConfig):
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

    def warp(self, width: int, height: int, rng: np.random.Generator | None = None) -> Warp:
        k, radius = self.k, math.hypot(width, height) / 2
        margin_x, margin_y = self.margins(width, height)
        cx, cy = width / 2, height / 2  # the centre, on the source; on the output it is shifted by the margins

        def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            dx, dy = xs - margin_x - cx, ys - margin_y - cy
            rho_out = np.hypot(dx, dy) / radius
            rho = _lens_inverse(k, rho_out)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(rho_out > 0, rho / rho_out, 1.0)
            return cx + dx * factor, cy + dy * factor

        def forward(points: np.ndarray) -> np.ndarray:
            dx, dy = points[:, 0] - cx, points[:, 1] - cy
            grow = 1 + k * (dx**2 + dy**2) / radius**2
            return np.stack([cx + margin_x + dx * grow, cy + margin_y + dy * grow], axis=1)

        return Warp(width + 2 * margin_x, height + 2 * margin_y, source, forward)


def _lens_inverse(k: float, rho_out: np.ndarray) -> np.ndarray:
    """Solve r + k r^3 = rho_out for r >= 0 by Newton's method; NaN where there is no solution.

    r + k r^3 rises while 1 + 3 k r^2 > 0, i.e. always for k >= 0 and up to r* = (-3k)^-1/2 for
    barrel (beyond the canvas, which ends at r = 1, since k > -1/3). Starting at rho_out, Newton's
    iterates approach the root monotonically (the function is convex for k > 0, concave for k < 0).
    """
    top = math.inf if k >= 0 else 1 / math.sqrt(-3 * k)
    highest = top + k * top**3 if math.isfinite(top) else math.inf
    reachable = np.isfinite(rho_out) & (rho_out <= highest)
    target = np.where(reachable, rho_out, 0.0)
    r = np.minimum(target, top)
    for _ in range(50):
        step = (r + k * r**3 - target) / (1 + 3 * k * r**2)
        r = np.clip(r - step, 0, top)
        if float(np.abs(step).max(initial=0.0)) < 1e-9:
            break
    return np.where(reachable, r, np.nan)


def _optical_size(params: OpticalDistortion, width: int, height: int) -> tuple[int, int]:
    margin_x, margin_y = params.margins(width, height)
    return width + 2 * margin_x, height + 2 * margin_y


_Geometric = Rescale | Shear | Rotation | Perspective | Elastic | GridDistortion | OpticalDistortion

# Catalogue order within the geometry stage; the module docstring says why.
EFFECTS = [
    Effect("rescale", "geometry", RescaleConfig, Rescale, _apply, output_size=_rescale_size),
    Effect("shear", "geometry", ShearConfig, Shear, _apply, output_size=_matrix_size),
    Effect("rotation", "geometry", RotationConfig, Rotation, _apply, output_size=_matrix_size),
    Effect(
        "perspective",
        "geometry",
        PerspectiveConfig,
        Perspective,
        _apply,
        sampler=_sample_perspective,
        output_size=_matrix_size,
    ),
    Effect("elastic", "geometry", ElasticConfig, Elastic, _apply, output_size=_elastic_size),
    Effect(
        "grid_distortion",
        "geometry",
        GridDistortionConfig,
        GridDistortion,
        _apply,
        sampler=_sample_grid,
        output_size=_same_size,
    ),
    Effect(
        "optical_distortion", "geometry", OpticalDistortionConfig, OpticalDistortion, _apply, output_size=_optical_size
    ),
]
