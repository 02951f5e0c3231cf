"""Resampling for geometric effects: move pixels by an inverse map, and points by the forward one.

Pixel centres sit at (i + 0.5, j + 0.5); label points use the same continuous
coordinates, so a point and the pixel under it move together.

- `remap` samples the text bilinearly at the source position of every output pixel.
- `project`, `fitted` and `homography` handle projective maps.
- `resample_axes` changes resolution with a triangle filter that widens when it
  shrinks (so downscaling averages instead of skipping pixels).
- `sample_field`, `field_slope`, `invert_displacement` and `smooth_noise` serve the
  elastic warp, whose pixel map is "source = x + D(x)" for a displacement field D
  and whose point map is that map's inverse, found by fixed-point iteration.
- `Warp` is one effect as maps; `apply_warps` moves the text and points by several,
  chaining them so the text is resampled once, whatever the number of effects.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ocrgen.compiled import compiled
from ocrgen.effects.base import Inked, Scene, Window
from ocrgen.effects.gaussian import convolve_valid, gaussian_kernel
from ocrgen.effects.reach import nonzero_window, quad_pixels, read_box

# Where a pixel whose source does not exist reads from: far outside any array, so it stays transparent.
OUTSIDE = -1e6


def remap(
    text: np.ndarray, source_x: np.ndarray, source_y: np.ndarray, window: Window | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear sample of premultiplied RGBA `text` (H, W, 4, float32), or of its alpha alone (H, W, 1), at
    continuous positions; outside it is transparent. `window`, when given, holds every pixel of `text` that
    is not zero.

    Given as the positions (indices into the flattened `source_x`, ascending) whose sample may not be
    zero, and their samples (N, channels): every other position's is zero. Those are the positions with
    an inked corner (alpha not 0) in the window: where all four are transparent they are black in
    premultiplied colour too, and so is the mix. A turned line leaves most of its canvas so.
    """
    assert text.shape[2] in (1, 4) and text.dtype == np.float32, "remap takes premultiplied RGBA, or alpha, float32"
    rows, cols = window or (slice(0, text.shape[0]), slice(0, text.shape[1]))
    return _bilinear_samples(
        text, source_x.reshape(-1), source_y.reshape(-1), rows.start, rows.stop, cols.start, cols.stop
    )


@compiled
def _bilinear_samples(
    text: np.ndarray, source_x: np.ndarray, source_y: np.ndarray, top: int, bottom: int, left: int, right: int
) -> tuple[np.ndarray, np.ndarray]:
    """`remap`'s loop, with the window's rows top..bottom and columns left..right: numpy's operations on
    numpy's types, one position at a time, where numpy took twenty passes over index arrays."""
    channels = text.shape[2]
    alpha = channels - 1
    sampled = np.empty(source_x.size, np.int64)
    values = np.empty((source_x.size, channels), np.float32)
    one, nothing = np.float32(1), np.float32(0)
    found = 0
    for position in range(source_x.size):
        x, y = source_x[position] - 0.5, source_y[position] - 0.5
        x0, y0 = np.floor(x), np.floor(y)
        if not (x0 >= left - 1 and x0 < right and y0 >= top - 1 and y0 < bottom):  # NaN is not within either
            continue
        row, col = int(y0), int(x0)
        upper, lower, first, second = row >= top, row + 1 < bottom, col >= left, col + 1 < right
        if not (
            (upper and first and text[row, col, alpha] != 0)
            or (upper and second and text[row, col + 1, alpha] != 0)
            or (lower and first and text[row + 1, col, alpha] != 0)
            or (lower and second and text[row + 1, col + 1, alpha] != 0)
        ):
            continue
        fx, fy = np.float32(x - x0), np.float32(y - y0)
        rest_x, rest_y = one - fx, one - fy
        for channel in range(channels):
            top_left = text[row, col, channel] if upper and first else nothing
            top_right = text[row, col + 1, channel] if upper and second else nothing
            bottom_left = text[row + 1, col, channel] if lower and first else nothing
            bottom_right = text[row + 1, col + 1, channel] if lower and second else nothing
            above = top_left * rest_x + top_right * fx
            below = bottom_left * rest_x + bottom_right * fx
            values[found, channel] = above * rest_y + below * fy
        sampled[found] = position
        found += 1
    return sampled[:found], values[:found]


def pixel_centres(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    return xs + 0.5, ys + 0.5


def project(matrix: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply a 3x3 projective matrix to coordinate arrays.

    An affine matrix (bottom row 0, 0, 1: a rotation, a shear) skips the division: for finite
    coordinates w is then exactly 1, and dividing by it changes no bit (a non-finite one stays non-finite).
    """
    x = matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]
    y = matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]
    if matrix[2, 0] == 0 and matrix[2, 1] == 0 and matrix[2, 2] == 1:
        return x, y
    w = matrix[2, 0] * xs + matrix[2, 1] * ys + matrix[2, 2]
    return x / w, y / w


def fitted(matrix: np.ndarray, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """`matrix` followed by the shift that puts the whole transformed canvas at (0, 0), and its new size."""
    x0, y0, new_width, new_height = fitted_bounds(matrix, width, height)
    shift = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    return shift @ matrix, new_width, new_height


def fitted_bounds(matrix: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    """The whole pixel where the transformed canvas starts (x, y) and its size (width, height).

    `project`'s sums on the four corners, in plain floats: the same numbers, in a fifth of the time
    numpy takes on four points, which the planner spends on every rotated, sheared or warped record.
    """
    (a, b, c), (d, e, f), (g, h, i) = matrix.tolist()
    affine = g == 0 and h == 0 and i == 1
    xs, ys = [], []
    for x, y in ((0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))):
        px, py = a * x + b * y + c, d * x + e * y + f
        if not affine:
            w = g * x + h * y + i
            px, py = px / w, py / w
        xs.append(px)
        ys.append(py)
    if not all(map(math.isfinite, xs + ys)):
        raise ValueError(f"a geometric effect sends the {width}x{height} canvas's corners off to infinity")
    x0, y0 = math.floor(min(xs)), math.floor(min(ys))
    return x0, y0, math.ceil(max(xs)) - x0, math.ceil(max(ys)) - y0


def homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 3x3 projective matrix taking 4 `source` points (4, 2) onto 4 `target` points."""
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y])
        values += [u, v]
    h = np.linalg.solve(np.array(rows), np.array(values))
    return np.append(h, 1.0).reshape(3, 3)


def _axis_taps(size_in: int, size_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and weights (size_out, taps) of a triangle filter from size_in samples to size_out.

    Output sample i is centred at source position (i + 0.5) * size_in / size_out; the
    triangle's half-width is one source pixel, or 1/scale when shrinking (area-aware).
    Taps that fall off the array are dropped and the rest renormalised.
    """
    ratio = size_in / size_out
    half = max(1.0, ratio)
    centres = (np.arange(size_out) + 0.5) * ratio
    first = np.floor(centres - half - 0.5).astype(np.int64)
    taps = int(np.ceil(2 * half)) + 2
    index = first[:, None] + np.arange(taps)[None, :]
    weight = np.clip(1 - np.abs(index + 0.5 - centres[:, None]) / half, 0, None)
    weight[(index < 0) | (index >= size_in)] = 0
    weight /= weight.sum(axis=1, keepdims=True)
    return np.clip(index, 0, size_in - 1), weight.astype(np.float32)


def resample_axes(array: np.ndarray, width: int, height: int) -> np.ndarray:
    """`array` (H, W, C) resized to width x height: a point (x, y) goes to (x * width / W, y * height / H)."""
    index, weight = _axis_taps(array.shape[0], height)
    rows = np.zeros((height, *array.shape[1:]), np.float32)
    for tap in range(index.shape[1]):
        rows += weight[:, tap, None, None] * array[index[:, tap]]
    index, weight = _axis_taps(array.shape[1], width)
    out = np.zeros((height, width, array.shape[2]), np.float32)
    for tap in range(index.shape[1]):
        out += weight[None, :, tap, None] * rows[:, index[:, tap]]
    return out.astype(array.dtype)


def sample_field(field: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Bilinear value of `field` (H, W, 2), given at pixel centres, at continuous points; clamped at the edges.

    At a pixel centre this is exactly that pixel's value, so the points and the pixels share one map.
    """
    height, width = field.shape[:2]
    x = np.clip(xs - 0.5, 0, width - 1)
    y = np.clip(ys - 0.5, 0, height - 1)
    x0 = np.minimum(np.floor(x).astype(np.int64), max(width - 2, 0))
    y0 = np.minimum(np.floor(y).astype(np.int64), max(height - 2, 0))
    x1 = np.minimum(x0 + 1, width - 1)
    y1 = np.minimum(y0 + 1, height - 1)
    fx = (x - x0)[:, None]
    fy = (y - y0)[:, None]
    top = field[y0, x0] * (1 - fx) + field[y0, x1] * fx
    bottom = field[y1, x0] * (1 - fx) + field[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def field_slope(field: np.ndarray) -> float:
    """The Lipschitz constant of the bilinear field (H, W, 2): the largest spectral norm of its Jacobian.

    Inside a cell, d/dx is the x-difference of the row above or below (mixed linearly in y) and
    d/dy the y-difference of the left or right column (mixed in x); the Jacobian is bi-affine in
    the cell and the spectral norm convex, so the largest norm is at one of the 4 pairings.
    """
    if min(field.shape[:2]) < 2:
        return 0.0
    along_x = np.diff(field, axis=1)
    along_y = np.diff(field, axis=0)
    largest = 0.0
    for a in (along_x[:-1], along_x[1:]):
        for b in (along_y[:, :-1], along_y[:, 1:]):
            frobenius = (a**2).sum(axis=2) + (b**2).sum(axis=2)
            det = a[:, :, 0] * b[:, :, 1] - a[:, :, 1] * b[:, :, 0]
            norm = np.sqrt((frobenius + np.sqrt(np.maximum(frobenius**2 - 4 * det**2, 0))) / 2)
            largest = max(largest, float(norm.max()))
    return largest


def invert_displacement(
    field: np.ndarray, points: np.ndarray, tolerance: float = 1e-6, max_iterations: int = 100
) -> np.ndarray:
    """Where each point goes under the warp whose pixel map is "source = x + D(x)": solve y + D(y) = p.

    Fixed-point iteration y <- p - D(y), from y = p. When D's Lipschitz constant L is below 1
    (the callers keep it at most 0.5) this converges, and once a step is below `tolerance` the
    error is below tolerance * L / (1 - L), so at most `tolerance` px.
    """
    if len(points) == 0:
        return points.copy()
    y = points.astype(np.float64).copy()
    for _ in range(max_iterations):
        new = points - sample_field(field, y[:, 0], y[:, 1])
        step = float(np.abs(new - y).max())
        y = new
        if step < tolerance:
            break
    return y


def smooth_noise(rng: np.random.Generator, width: int, height: int, sigma: float) -> np.ndarray:
    """A (height, width, 2) field of white noise from `rng`, blurred by a Gaussian of `sigma` px.

    The noise is drawn 3 sigma larger on every side and convolved in "valid" mode, so the field
    has no edge effects and depends only on the rng and the size.
    """
    kernel = gaussian_kernel(sigma)
    reach = len(kernel) // 2
    return convolve_valid(rng.standard_normal((height + 2 * reach, width + 2 * reach, 2)), kernel)


Coordinates = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Warp:
    """One geometric effect as maps: the canvas it leaves, where each output position reads from
    (any positions, not only pixel centres; NaN or `OUTSIDE` for nowhere), and where points go.

    `filtered` marks a shrinking rescale: it resamples on its own with an averaging filter instead of
    joining the chain (a point-sampled shrink would alias). `straight` marks a projective map
    (straight lines stay straight), whose source map works pixel by pixel: a chain of them
    resamples only the pixels the ink can reach (`ocrgen.effects.reach`). `matrix`, when given, is
    the 3x3 matrix whose `project` is `source`, bit for bit: a chain of such warps works out where
    its pixels read from in one compiled pass.
    """

    width: int
    height: int
    source: Callable[[np.ndarray, np.ndarray], Coordinates]
    forward: Callable[[np.ndarray], np.ndarray]
    filtered: bool = False
    straight: bool = False
    matrix: np.ndarray | None = None


@dataclass
class _Chain:
    """Warps waiting to be drawn: each with the size it starts from, all reading from `original`."""

    original: np.ndarray
    ink: Window | None = None  # holds every pixel of `original` that is not zero, when known
    color: np.ndarray | None = None  # the one colour of the text, of which `original` is the alpha alone
    steps: list[tuple[Warp, int, int]] = field(default_factory=list)
    result: np.ndarray | None = None
    inked: np.ndarray | None = None  # once drawn through warps: the flat indices of `result` that may not be zero

    def draw(self) -> np.ndarray:
        """`original` through every warp at once: one bilinear resampling, however many warps."""
        if not self.steps:
            self.result = self.original
            if self.color is not None:  # its alpha alone: coloured, every pixel of it
                size = self.original.shape[0] * self.original.shape[1]
                everywhere = _laid(self.original.reshape(-1, 1), np.arange(size), self.color, size)
                self.result = everywhere.reshape(*self.original.shape[:2], 4)
            return self.result
        last = self.steps[-1][0]
        window = self.ink if self.ink is not None else nonzero_window(self.original)
        reached = self._reached(window)
        xs, ys = self._sources(reached)
        color = self.color if self.color is not None else np.empty(0, np.float32)
        sampled, values = remap(self.original, xs, ys, window)
        self.inked = sampled if reached is None else (reached[0] * last.width + reached[1])[sampled]
        self.result = _laid(values, self.inked, color, last.width * last.height).reshape(last.height, last.width, 4)
        return self.result

    def _sources(self, reached: tuple[np.ndarray, np.ndarray] | None) -> Coordinates:
        """Where each output pixel worked out (those `reached`, or all) reads from in `original`: its centre through
        every warp's source map, the last warp's first; `OUTSIDE` for one that leaves a canvas on the way."""
        matrices = [step.matrix for step, _, _ in self.steps]
        if reached is not None and all(matrix is not None for matrix in matrices):
            starts = np.array([(width, height) for _, width, height in self.steps], np.int64)
            return _through_matrices(*reached, np.array(matrices, np.float64), starts)
        if reached is None:
            last = self.steps[-1][0]
            xs, ys = pixel_centres(last.width, last.height)
        else:
            rows, cols = reached
            xs, ys = cols + 0.5, rows + 0.5
        lost = np.zeros(xs.shape, bool)
        for index, (step, start_width, start_height) in reversed(list(enumerate(self.steps))):
            with np.errstate(invalid="ignore", over="ignore"):
                xs, ys = step.source(xs, ys)
                if index > 0:  # the first warp's positions go to `remap`, which reads nothing outside `window`
                    lost |= ~(np.isfinite(xs) & np.isfinite(ys))
                    lost |= (xs < -1) | (xs > start_width + 1) | (ys < -1) | (ys > start_height + 1)
            if lost.any():  # far outside, and kept there: a projective map can bring far points back in
                xs = np.where(lost, OUTSIDE, xs)
                ys = np.where(lost, OUTSIDE, ys)
        return xs, ys

    def _reached(self, window: Window) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows and columns of the output pixels the ink in `window` can reach, or None for all of them:
        only a chain of straight warps says where its ink goes."""
        if not all(step.straight for step, _, _ in self.steps):
            return None
        corners = read_box(window)
        for step, _, _ in self.steps:
            corners = step.forward(corners)
        if not np.isfinite(corners).all():
            return None
        last = self.steps[-1][0]
        return quad_pixels(corners, last.width, last.height)


@compiled
def _through_matrices(rows: np.ndarray, cols: np.ndarray, matrices: np.ndarray, starts: np.ndarray) -> Coordinates:
    """`_Chain._sources` for a chain of projective warps (`matrices`, S x 3 x 3, each starting from a canvas of
    `starts`' width and height): `project`'s sums in its order, warp by warp, in one pass over the pixels each,
    where numpy took a dozen."""
    xs, ys = cols + 0.5, rows + 0.5
    lost = np.zeros(rows.size, np.bool_)
    for step in range(matrices.shape[0] - 1, -1, -1):
        a, b, c = matrices[step, 0, 0], matrices[step, 0, 1], matrices[step, 0, 2]
        d, e, f = matrices[step, 1, 0], matrices[step, 1, 1], matrices[step, 1, 2]
        g, h, i = matrices[step, 2, 0], matrices[step, 2, 1], matrices[step, 2, 2]
        if g == 0 and h == 0 and i == 1:
            for at in range(rows.size):
                x, y = xs[at], ys[at]
                xs[at], ys[at] = a * x + b * y + c, d * x + e * y + f
        else:
            for at in range(rows.size):
                x, y = xs[at], ys[at]
                w = g * x + h * y + i
                xs[at], ys[at] = (a * x + b * y + c) / w, (d * x + e * y + f) / w
        if step > 0:  # off the canvas this warp starts from (NaN and inf too): the pixel reads nothing
            width, height = starts[step, 0] + 1, starts[step, 1] + 1
            for at in range(rows.size):
                x, y = xs[at], ys[at]
                inside = np.isfinite(x) and np.isfinite(y) and x >= -1 and x <= width and y >= -1 and y <= height
                lost[at] |= not inside
    for at in range(rows.size):
        if lost[at]:
            xs[at], ys[at] = OUTSIDE, OUTSIDE
    return xs, ys


@compiled
def _laid(values: np.ndarray, inked: np.ndarray, color: np.ndarray, size: int) -> np.ndarray:
    """A premultiplied RGBA picture of `size` pixels (size x 4), zero but at the `inked` ones, which take `values`:
    RGBA, or alphas (N x 1) of the one `color` (float32 RGB), each channel that colour times the alpha, as
    `TextLayers.flatten` makes it."""
    picture = np.zeros((size, 4), np.float32)
    for at in range(inked.size):
        pixel = inked[at]
        if values.shape[1] == 1:
            alpha = values[at, 0]
            for channel in range(3):
                picture[pixel, channel] = color[channel] * alpha
            picture[pixel, 3] = alpha
        else:
            for channel in range(4):
                picture[pixel, channel] = values[at, channel]
    return picture


def _move(scene: Scene, warp: Warp, chain: _Chain) -> _Chain:
    """Move the points now; queue the pixels on `chain`, or resample them on their own for a shrink."""
    assert scene.text is not None and scene.points is not None
    scene.points = warp.forward(scene.points)
    if warp.filtered:
        scene.text = resample_axes(chain.draw(), warp.width, warp.height)
        return _Chain(scene.text)
    width, height = (chain.steps[-1][0].width, chain.steps[-1][0].height) if chain.steps else scene.size
    chain.steps.append((warp, width, height))
    return chain


def apply_warps(scene: Scene, warps: list[Warp], ink: Window | None = None, color: np.ndarray | None = None) -> None:
    """Move `scene.text` and `scene.points` by `warps`, in order, resampling the text once.

    `ink`, when known, is a window holding every pixel of `scene.text` that is not zero (else it is scanned for).
    `color`, when given, is the one colour of the text (`TextLayers.solid_color`), and `scene.text` its alpha
    alone (`TextLayers.alpha`): the alpha is resampled, which takes half the time of the four channels, and
    the colour laid on it again; the mix of the colour's channels differs from theirs only by float32
    rounding. `scene.text` is premultiplied RGBA afterwards either way.
    """
    assert scene.text is not None
    chain = _Chain(scene.text, ink, color)
    for warp in warps:
        chain = _move(scene, warp, chain)
    scene.text = chain.draw()
    if chain.inked is not None:
        scene.inked = Inked(scene.text, chain.inked)
