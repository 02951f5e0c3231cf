"""Which background each record gets, the exact crop of it, and a text colour that stands out on it.

The planner reads image headers for sizes and never renders a background. To keep
the text colour's contrast against the crop, it keeps one small summary per image:
a 32 x 32 grid of mean relative luminance, made once from a reduced decode (JPEG
DCT scaling, then a box filter) and kept per catalog in memory and across runs in
`$OCRGEN_CACHE_DIR/luminance` (next to the font coverage cache), keyed by the
image's SHA-256. Entries are replaced atomically; one that cannot be read is
rebuilt, and a cache that cannot be written is skipped. Summaries are made only
for images a plan draws, and only when `min_contrast` is above 1.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ocrgen.assets import file_sha256, make_ref, walk_files
from ocrgen.errors import PlanningError
from ocrgen.planner.coverage import cache_dir as _coverage_cache_dir
from ocrgen.sampling import choose, sample, sample_color
from ocrgen.schemas.config import Specification
from ocrgen.schemas.plan import ImageBackground, ProceduralBackground
from ocrgen.schemas.ranges import ColorRange, Range

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
PROCEDURAL_STYLES = ("solid", "gradient", "paper", "noise")

# Text colours drawn for one record before falling back to the best colour of a lattice over the range.
COLOR_TRIES = 10
# Reasons counted in the planning statistics.
LOW_CONTRAST = "text_color_low_contrast"  # one drawn text colour rejected
CONTRAST_FALLBACK = "text_color_fallback"  # a record given that fallback colour after COLOR_TRIES draws
CONTRAST_UNMET = "text_color_contrast_unmet"  # ... whose contrast still falls short of min_contrast

GRID = 32  # cells per side of a luminance summary
_DECODE_SIDE = GRID * 4  # a reduced decode at least this large is averaged down to the grid
_FORMAT = 1
_ANGLE = Range(min=0, max=360)

# sRGB value to linear light, for WCAG relative luminance.
_LINEAR = np.where(
    np.arange(256) / 255 <= 0.04045,
    np.arange(256) / 255 / 12.92,
    ((np.arange(256) / 255 + 0.055) / 1.055) ** 2.4,
)
_WEIGHTS = (0.2126, 0.7152, 0.0722)


def relative_luminance(color: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour, 0 (black) to 1 (white)."""
    return float(sum(w * _LINEAR[c] for w, c in zip(_WEIGHTS, color, strict=True)))


def luminance_map(pixels: np.ndarray) -> np.ndarray:
    """Relative luminance of every pixel of an (h, w, 3) uint8 array."""
    return (
        _WEIGHTS[0] * _LINEAR[pixels[..., 0]]
        + _WEIGHTS[1] * _LINEAR[pixels[..., 1]]
        + _WEIGHTS[2] * _LINEAR[pixels[..., 2]]
    )


def contrast_ratio(a: float, b: float) -> float:
    """WCAG contrast ratio of two relative luminances: 1 (none) to 21 (black on white)."""
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def worst_contrast(text: float, background: Sequence[tuple[float, float]]) -> float:
    """The lowest contrast of a text luminance against a background's luminance spans, each [low, high]."""
    return float(worst_contrasts(np.asarray([text]), background)[0])


def worst_contrasts(texts: np.ndarray, background: Sequence[tuple[float, float]]) -> np.ndarray:
    """`worst_contrast` for many text luminances at once."""
    spans = np.asarray(background, np.float64).reshape(-1, 2)
    low, high, text = spans[None, :, 0], spans[None, :, 1], np.asarray(texts, np.float64)[:, None]
    nearest = np.where(text < low, low, high)
    ratios = (np.maximum(text, nearest) + 0.05) / (np.minimum(text, nearest) + 0.05)
    ratios[(low <= text) & (text <= high)] = 1.0
    return ratios.min(axis=1, initial=math.inf)


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
    """Where luminance summaries live: beside the font coverage cache, under `$OCRGEN_CACHE_DIR`."""
    return _coverage_cache_dir().parent / "luminance"


def read_thumbnail(path: Path) -> LuminanceSummary:
    """Decode `path` at a reduced size and average its luminance into the grid: the only decode here."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            image.draft("RGB", (_DECODE_SIDE, _DECODE_SIDE))
            rgb = image.convert("RGB")
    except (OSError, ValueError) as error:
        raise PlanningError(f"cannot decode background image {path}: {error}") from None
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
    try:
        data = json.loads(file.read_bytes())
        if data["format"] != _FORMAT or data["grid"] != GRID:
            return None
        width, height = data["width"], data["height"]
        grid = np.asarray(data["luminance"], dtype=np.float64)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        return None
    if grid.shape != (GRID, GRID) or not np.all((grid >= 0) & (grid <= 1)):
        return None
    return LuminanceSummary(width, height, grid)


def _save_summary(file: Path, summary: LuminanceSummary) -> None:
    """Replace the entry atomically; a cache that cannot be written only costs time."""
    data = {
        "format": _FORMAT,
        "grid": GRID,
        "width": summary.width,
        "height": summary.height,
        "luminance": summary.grid.tolist(),
    }
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(temp, file)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)  # only still there when the write failed


class BackgroundCatalog:
    """Background images under one root dir, grouped by sub-directory."""

    ROOT = "backgrounds"

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir
        self.images = walk_files(root_dir, IMAGE_SUFFIXES)
        self._sizes: dict[Path, tuple[int, int]] = {}
        self._summaries: dict[Path, LuminanceSummary] = {}

    def under(self, subdir: str) -> list[Path]:
        base = (self.root_dir / subdir).resolve()
        return [p for p in self.images if p.resolve().is_relative_to(base)]

    def size(self, path: Path) -> tuple[int, int]:
        if path not in self._sizes:
            with Image.open(path) as image:
                self._sizes[path] = image.size
        return self._sizes[path]

    def summary(self, path: Path) -> LuminanceSummary:
        """The image's luminance summary, made or read from the disk cache once per catalog."""
        if path not in self._summaries:
            self._summaries[path] = luminance_summary(path)
        return self._summaries[path]

    def crop(
        self, path: Path, width: int, height: int, rng: np.random.Generator, scale: float = 1.0
    ) -> ImageBackground:
        """A random window of the canvas's shape, canvas / `scale` source pixels large.

        A window that does not fit the image shrinks to the largest one of the canvas's
        aspect ratio that does, so a small image is scaled up more than `scale` asks.
        """
        image_w, image_h = self.size(path)
        want_w, want_h = width / scale, height / scale
        fit = min(1.0, image_w / want_w, image_h / want_h)
        crop_w = min(image_w, max(1, round(want_w * fit)))
        crop_h = min(image_h, max(1, round(want_h * fit)))
        x = int(rng.integers(0, image_w - crop_w + 1))
        y = int(rng.integers(0, image_h - crop_h + 1))
        return ImageBackground(asset=make_ref(self.ROOT, self.root_dir, path), crop=(x, y, x + crop_w, y + crop_h))


class BackgroundPool:
    """The backgrounds one specification draws from: weighted groups of images, or procedural."""

    def __init__(self, catalog: BackgroundCatalog | None, groups: list[tuple[list[Path], float]]) -> None:
        self._catalog = catalog
        self._groups = [(images, weight) for images, weight in groups if images and weight > 0]

    def draw(
        self, spec: Specification, width: int, height: int, rng: np.random.Generator
    ) -> ImageBackground | ProceduralBackground:
        """A background for a `width` x `height` image: a crop of an image when there are any, else procedural."""
        if self._catalog is None or not self._groups:
            styles = spec.procedural_backgrounds.weights()
            style = choose(list(styles), list(styles.values()), rng)
            color = sample_color(spec.background_color, rng)
            if style != "gradient":
                return ProceduralBackground(style=style, color=color)
            end_color = sample_color(spec.background_color, rng)
            angle = round(sample(_ANGLE, rng), 1) % 360
            return ProceduralBackground(style=style, color=color, end_color=end_color, angle=angle)
        images = choose([g for g, _ in self._groups], [w for _, w in self._groups], rng)
        path = images[int(rng.integers(len(images)))]
        return self._catalog.crop(path, width, height, rng, sample(spec.background_scale, rng))

    def luminance(self, background: ImageBackground | ProceduralBackground) -> list[tuple[float, float]]:
        """The relative luminances the text will stand on, as spans [low, high], as the planner estimates them.

        An image crop gives the mean of each summary cell under it (a cell spans 1/32 of the
        image's side, so grain averages out, but a dark part and a light part of one crop both
        count); a gradient gives the span between its two colours; any other procedural style
        gives its colour.
        """
        if isinstance(background, ImageBackground):
            if self._catalog is None:
                raise PlanningError("an image background needs a background catalog")
            summary = self._catalog.summary(self._catalog.root_dir / background.asset.path)
            return [(value, value) for value in np.unique(summary.crop_cells(background.crop)).tolist()]
        values = [relative_luminance(background.color)]
        if background.end_color is not None:
            values.append(relative_luminance(background.end_color))
        return [(min(values), max(values))]

    def text_color(
        self,
        spec: Specification,
        background: ImageBackground | ProceduralBackground,
        rng: np.random.Generator,
        resampled: Counter[str],
    ) -> tuple[int, int, int]:
        """A text colour from `spec.text_color` with at least `spec.min_contrast` against `background`.

        Draws up to COLOR_TRIES colours; then takes the colour with the best contrast of a 5 x 5 x 5
        lattice over the range (corners included). Rejections and fallbacks go into `resampled`.
        """
        if spec.min_contrast <= 1:
            return sample_color(spec.text_color, rng)
        return pick_text_color(spec.text_color, self.luminance(background), spec.min_contrast, rng, resampled)


def pick_text_color(
    colors: ColorRange,
    background: Sequence[tuple[float, float]],
    min_contrast: float,
    rng: np.random.Generator,
    resampled: Counter[str],
) -> tuple[int, int, int]:
    """See `BackgroundPool.text_color`; `background` holds the luminance spans under the text."""
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
