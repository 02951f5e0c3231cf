"""Resampling for geometric effects: move pixels by an inverse map, and points by the forward one.

Pixel centres sit at (i + 0.5, j + 0.5); label points use the same continuous
coordinates, so a point and the pixel under it move together.
"""

from __future__ import annotations

import numpy as np


def remap(array: np.ndarray, source_x: np.ndarray, source_y: np.ndarray) -> np.ndarray:
    """Bilinear sample of `array` (H, W, C) at continuous positions; outside the array is transparent/zero."""
    height, width = array.shape[:2]
    x = source_x - 0.5
    y = source_y - 0.5
    x0 = np.floor(x).astype(np.int64)
    y0 = np.floor(y).astype(np.int64)
    fx = (x - x0).astype(np.float32)[..., None]
    fy = (y - y0).astype(np.float32)[..., None]
    padded = np.zeros((height + 2, width + 2, array.shape[2]), array.dtype)
    padded[1:-1, 1:-1] = array
    xi = np.clip(x0 + 1, 0, width + 1)
    yi = np.clip(y0 + 1, 0, height + 1)
    xj = np.clip(x0 + 2, 0, width + 1)
    yj = np.clip(y0 + 2, 0, height + 1)
    top = padded[yi, xi] * (1 - fx) + padded[yi, xj] * fx
    bottom = padded[yj, xi] * (1 - fx) + padded[yj, xj] * fx
    return (top * (1 - fy) + bottom * fy).astype(array.dtype)


def pixel_centres(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    return xs + 0.5, ys + 0.5


def project(matrix: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply a 3x3 projective matrix to coordinate arrays."""
    w = matrix[2, 0] * xs + matrix[2, 1] * ys + matrix[2, 2]
    return (
        (matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]) / w,
        (matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]) / w,
    )


def warp_projective(array: np.ndarray, matrix: np.ndarray, width: int, height: int) -> np.ndarray:
    """The image under `matrix` (source to output), on a width x height output."""
    xs, ys = pixel_centres(width, height)
    sx, sy = project(np.linalg.inv(matrix), xs, ys)
    return remap(array, sx, sy)


def fitted(matrix: np.ndarray, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """`matrix` followed by the shift that puts the whole transformed canvas at (0, 0), and its new size."""
    corners_x = np.array([0.0, width, width, 0.0])
    corners_y = np.array([0.0, 0.0, height, height])
    tx, ty = project(matrix, corners_x, corners_y)
    x0, y0 = np.floor(tx.min()), np.floor(ty.min())
    shift = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    return shift @ matrix, int(np.ceil(tx.max()) - x0), int(np.ceil(ty.max()) - y0)
