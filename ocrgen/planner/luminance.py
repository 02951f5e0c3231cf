"""How light a background image is, where: a small summary per image, so the planner never decodes it whole.

The planner reads image headers for sizes and never renders a background. To keep
the text colour's contrast against a crop, it keeps one small summary per image:
a 32 x 32 grid of mean relative luminance, made once from a reduced decode (JPEG
DCT scaling, then a box filter) and kept per catalog in memory and across runs in
`$OCRGEN_CACHE_DIR/luminance` (see `ocrgen.cache`), keyed by the image's SHA-256.
Summaries are made only for images a plan draws, and only when `min_contrast` is above 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ocrgen import cache
from ocrgen.digests import file_sha256
from ocrgen.errors import PlanningError

GRID = 32  # cells per side of a luminance summary
_DECODE_SIDE = GRID * 4  # a reduced decode at least this large is averaged down to the grid
_FORMAT = 1
BAD_IMAGE_FIX = "replace it, or remove it from the background dir"

# sRGB value to linear light, for WCAG relative luminance.
_LINEAR = np.where(
    np.arange(256) / 255 <= 0.04045,
    np.arange(256) / 255 / 12.92,
    ((np.arange(256) / 255 + 0.055) / 1.055) ** 2.4,
)
_WEIGHTS = (0.2126, 0.7152, 0.0722)


_LINEAR_FLOATS = _LINEAR.tolist()  # for one colour: a list's floats cost less than numpy scalars


def relative_luminance(color: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour, 0 (black) to 1 (white); the sums of `luminance_map`, in order."""
    r, g, b = color
    return _WEIGHTS[0] * _LINEAR_FLOATS[r] + _WEIGHTS[1] * _LINEAR_FLOATS[g] + _WEIGHTS[2] * _LINEAR_FLOATS[b]


def luminance_map(pixels: np.ndarray) -> np.ndarray:
    """Relative luminance of every pixel of an (h, w, 3) uint8 array."""
    return (
        _WEIGHTS[0] * _LINEAR[pixels[..., 0]]
        + _WEIGHTS[1] * _LINEAR[pixels[..., 1]]
        + _WEIGHTS[2] * _LINEAR[pixels[..., 2]]
    )


@dataclass(frozen=True)
class LuminanceSummary:
    """An image's size and its mean relative luminance over a GRID x GRID grid of equal cells."""

    width: int
    height: int
    grid: np.ndarray

    def crop_mean(self, box: tuple[int, int, int, int]) -> float:
        """Mean luminance of a crop box in source pixels, from the cells under it, weighted by overlap."""
        wx, wy = self._weights(box)
        return float(wy @ self.grid @ wx / (wx.sum() * wy.sum()))

    def crop_cells(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """The luminance of each cell a crop box covers a quarter of (for a crop smaller than a cell, a quarter of it).

        Every part of the crop counts, however small its share; only a thin strip of a cell at the edge does not.
        """
        wx, wy = self._weights(box)
        covered = np.outer(wy, wx)
        return self.grid[covered >= 0.25 * min(1.0, float(covered.sum()))]

    def _weights(self, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, x1, y1 = box
        return (
            _overlap(x0 * GRID / self.width, x1 * GRID / self.width),
            _overlap(y0 * GRID / self.height, y1 * GRID / self.height),
        )


def _overlap(start: float, end: float) -> np.ndarray:
    cells = np.arange(GRID, dtype=np.float64)
    return np.clip(np.minimum(cells + 1, end) - np.maximum(cells, start), 0.0, None)


def luminance_cache_dir() -> Path:
    """Where luminance summaries live (see `ocrgen.cache`)."""
    return cache.cache_dir("luminance")


def read_thumbnail(path: Path) -> LuminanceSummary:
    """Decode `path` at a reduced size and average its luminance into the grid: the only decode here."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            image.draft("RGB", (_DECODE_SIDE, _DECODE_SIDE))
            rgb = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise PlanningError(f"cannot decode background image {path}: {error}; {BAD_IMAGE_FIX}") from None
    factor = max(1, min(rgb.width, rgb.height) // _DECODE_SIDE)
    if factor > 1:
        rgb = rgb.reduce(factor)
    luminance = luminance_map(np.asarray(rgb)).astype(np.float32)
    grid = np.asarray(Image.fromarray(luminance, "F").resize((GRID, GRID), Image.Resampling.BOX), np.float64)
    # Rounded here, so a summary read back from the cache is the very one that was made.
    return LuminanceSummary(width, height, np.round(np.clip(grid, 0.0, 1.0), 6))


def luminance_summary(path: Path) -> LuminanceSummary:
    """The summary of one image: from the disk cache if it holds a sound one, else made and stored."""
    file = luminance_cache_dir() / f"{file_sha256(path)}.json"
    summary = _load_summary(file)
    if summary is None:
        summary = read_thumbnail(path)
        _save_summary(file, summary)
    return summary


def _load_summary(file: Path) -> LuminanceSummary | None:
    data = cache.read_json(file)  # None fails the checks below
    try:
        if data["format"] != _FORMAT or data["grid"] != GRID:
            return None
        width, height = data["width"], data["height"]
        grid = np.asarray(data["luminance"], dtype=np.float64)
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        return None
    if grid.shape != (GRID, GRID) or not np.all((grid >= 0) & (grid <= 1)):
        return None
    return LuminanceSummary(width, height, grid)


def _save_summary(file: Path, summary: LuminanceSummary) -> None:
    cache.write_json(
        file,
        {
            "format": _FORMAT,
            "grid": GRID,
            "width": summary.width,
            "height": summary.height,
            "luminance": summary.grid.tolist(),
        },
    )
