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

import numpy as np

from ocrgen.effects.warp import (
    Warp,
    field_slope,
    fitted,
    fitted_bounds,
    homography,
    invert_displacement,
    project,
    sample_field,
    smooth_noise,
)
from ocrgen.sampling import plan_float, sample, sample_int
from ocrgen.schemas.effects.geometric import (
    MAX_ELASTIC_SLOPE,
    Elastic,
    GridDistortion,
    GridDistortionConfig,
    OpticalDistortion,
    Perspective,
    PerspectiveConfig,
    Rescale,
    Rotation,
    Shear,
)

# ---------------------------------------------------------------- affine and projective effects


def _projective_warp(matrix: np.ndarray, width: int, height: int) -> Warp:
    """The warp of a 3x3 matrix (source to output) onto a width x height canvas."""
    inverse = np.linalg.inv(matrix)

    def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return project(inverse, xs, ys)

    def forward(points: np.ndarray) -> np.ndarray:
        return np.stack(project(matrix, points[:, 0], points[:, 1]), axis=1)

    return Warp(width, height, source, forward, straight=True, matrix=inverse)


def rescale_size(params: Rescale, width: int, height: int) -> tuple[int, int]:
    return params.size(width, height)


def shear_size(params: Shear, width: int, height: int) -> tuple[int, int]:
    _, _, new_width, new_height = fitted_bounds(_skew(params, height), width, height)
    return new_width, new_height


def rotation_size(params: Rotation, width: int, height: int) -> tuple[int, int]:
    _, _, new_width, new_height = fitted_bounds(_turn(params, width, height), width, height)
    return new_width, new_height


def perspective_size(params: Perspective, width: int, height: int) -> tuple[int, int]:
    _, _, new_width, new_height = fitted_bounds(_moved_corners(params, width, height), width, height)
    return new_width, new_height


def sample_perspective(config: PerspectiveConfig, rng: np.random.Generator) -> Perspective:
    """One magnitude m for the image, then a direction t per corner: it moves by (m cos t, m sin t)."""
    magnitude = min(sample(config.magnitude, rng), 0.2499)  # stays below 1/4 once rounded
    angles = rng.uniform(0, 2 * math.pi, 4)
    corners = [(plan_float(magnitude * math.cos(t)), plan_float(magnitude * math.sin(t))) for t in angles]
    return Perspective(corners=tuple(corners))


# ---------------------------------------------------------------- non-linear warps


def elastic_size(params: Elastic, width: int, height: int) -> tuple[int, int]:
    return width + 2 * params.margin(), height + 2 * params.margin()


def sample_grid(config: GridDistortionConfig, rng: np.random.Generator) -> GridDistortion:
    steps = sample_int(config.steps, rng)
    limit = min(sample(config.distort_limit, rng), 0.4999)  # stays below 1/2 once rounded
    x = rng.uniform(-limit, limit, steps - 1)
    y = rng.uniform(-limit, limit, steps - 1)
    return GridDistortion(x=tuple(plan_float(v) for v in x), y=tuple(plan_float(v) for v in y))


def _piecewise(values: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The piecewise-linear map through (start[i], end[i]); identity outside [start[0], start[-1]]."""
    inside = (values >= start[0]) & (values <= start[-1])
    return np.where(inside, np.interp(values, start, end), values)


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


def optical_size(params: OpticalDistortion, width: int, height: int) -> tuple[int, int]:
    margin_x, margin_y = params.margins(width, height)
    return width + 2 * margin_x, height + 2 * margin_y


def rescale_warp(params: Rescale, width: int, height: int, rng: np.random.Generator) -> Warp:
    """To round(size * scale); points scale by the exact ratio of the sizes, per axis.

    Shrinking resamples on its own with a triangle filter as wide as a source pixel per output
    pixel (it averages); enlarging is a plain bilinear map and joins the chain.
    """
    new_width, new_height = params.size(width, height)
    ratio = np.array([new_width / width, new_height / height])

    def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return xs / ratio[0], ys / ratio[1]

    def forward(points: np.ndarray) -> np.ndarray:
        return points * ratio

    shrinks = new_width < width or new_height < height
    return Warp(new_width, new_height, source, forward, filtered=shrinks, straight=True)


def shear_matrix(params: Shear, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """Shear, then fit the sheared canvas."""
    return fitted(_skew(params, height), width, height)


def _skew(params: Shear, height: int) -> np.ndarray:
    """x moves by tan(angle) per pixel above the middle row."""
    t = math.tan(math.radians(params.angle))
    return np.array([[1.0, -t, t * height / 2], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def shear_warp(params: Shear, width: int, height: int, rng: np.random.Generator) -> Warp:
    return _projective_warp(*shear_matrix(params, width, height))


def rotation_matrix(params: Rotation, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """Turn, then fit the turned canvas."""
    return fitted(_turn(params, width, height), width, height)


def _turn(params: Rotation, width: int, height: int) -> np.ndarray:
    """Turn about the canvas centre."""
    c, s = math.cos(math.radians(params.angle)), math.sin(math.radians(params.angle))
    cx, cy = width / 2, height / 2
    return np.array([[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy], [0.0, 0.0, 1.0]])


def rotation_warp(params: Rotation, width: int, height: int, rng: np.random.Generator) -> Warp:
    return _projective_warp(*rotation_matrix(params, width, height))


def perspective_matrix(params: Perspective, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """Move the corners, then fit the warped canvas."""
    return fitted(_moved_corners(params, width, height), width, height)


def _moved_corners(params: Perspective, width: int, height: int) -> np.ndarray:
    """Send the canvas corners to the moved corners."""
    source = np.array([[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]])
    target = source + np.array(params.corners) * np.array([width, height])
    return homography(source, target)


def perspective_warp(params: Perspective, width: int, height: int, rng: np.random.Generator) -> Warp:
    return _projective_warp(*perspective_matrix(params, width, height))


def elastic_field(params: Elastic, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Gaussian-smoothed noise scaled so its longest vector is alpha, or less if its slope would pass 0.5."""
    field = smooth_noise(rng, width, height, params.sigma)
    longest = float(np.sqrt((field**2).sum(axis=2)).max())
    if longest > 0:
        field *= params.alpha / longest
    slope = field_slope(field)
    if slope > MAX_ELASTIC_SLOPE:
        field *= MAX_ELASTIC_SLOPE / slope
    return field


def elastic_warp(params: Elastic, width: int, height: int, rng: np.random.Generator) -> Warp:
    """Pad by ceil(alpha), then read each pixel x of the padded canvas from x + D(x)."""
    margin = params.margin()
    field = elastic_field(params, rng, width + 2 * margin, height + 2 * margin)

    def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        moved = sample_field(field, xs.ravel(), ys.ravel())
        return (
            xs + moved[:, 0].reshape(xs.shape) - margin,
            ys + moved[:, 1].reshape(ys.shape) - margin,
        )

    def forward(points: np.ndarray) -> np.ndarray:
        return invert_displacement(field, points + margin)

    return Warp(width + 2 * margin, height + 2 * margin, source, forward)


def grid_lines(size: int, offsets: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Where the grid lines along one axis sit on the source, and where they are drawn on the output."""
    cell = size / (len(offsets) + 1)
    source = np.arange(len(offsets) + 2) * cell
    return source, source + np.array([0.0, *offsets, 0.0]) * cell


def grid_warp(params: GridDistortion, width: int, height: int, rng: np.random.Generator) -> Warp:
    source_x, out_x = grid_lines(width, params.x)
    source_y, out_y = grid_lines(height, params.y)

    def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _piecewise(xs, out_x, source_x), _piecewise(ys, out_y, source_y)

    def forward(points: np.ndarray) -> np.ndarray:
        return np.stack([_piecewise(points[:, 0], source_x, out_x), _piecewise(points[:, 1], source_y, out_y)], axis=1)

    return Warp(width, height, source, forward)


def optical_warp(params: OpticalDistortion, width: int, height: int, rng: np.random.Generator) -> Warp:
    k, radius = params.k, math.hypot(width, height) / 2
    margin_x, margin_y = params.margins(width, height)
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
