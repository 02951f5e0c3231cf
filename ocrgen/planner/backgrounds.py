"""Which background each record gets: a crop of an image from weighted sub-directories, or a procedural style.

The planner only reads image headers here, for sizes; how light a crop is comes
from the image's luminance summary (`ocrgen.planner.luminance`), which the
contrast rule (`ocrgen.planner.contrast`) keeps the text's colours against.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ocrgen.assets import make_ref, walk_files
from ocrgen.errors import PlanningError
from ocrgen.planner.luminance import BAD_IMAGE_FIX, LuminanceSummary, luminance_summary, relative_luminance
from ocrgen.sampling import choose, sample, sample_color
from ocrgen.schemas.config import PageSpecification, Specification
from ocrgen.schemas.plan import ImageBackground, ProceduralBackground
from ocrgen.schemas.ranges import Range

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")

_ANGLE = Range(min=0, max=360)


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
            try:
                with Image.open(path) as image:
                    self._sizes[path] = image.size
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                raise PlanningError(f"cannot read background image {path}: {error}; {BAD_IMAGE_FIX}") from None
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
        self, spec: Specification | PageSpecification, width: int, height: int, rng: np.random.Generator
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

    def luminance(
        self, background: ImageBackground | ProceduralBackground, part: Part | None = None
    ) -> list[tuple[float, float]]:
        """The relative luminances the text will stand on, as spans [low, high], as the planner estimates them.

        An image crop gives the mean of each summary cell under it (a cell spans 1/32 of the
        image's side, so grain averages out, but a dark part and a light part of one crop both
        count); a gradient gives the span between its two colours; any other procedural style
        gives its colour. `part` narrows an image crop to the box (x0, y0, x1, y1) of an image
        of size (width, height) that the crop is resized to: where one text of a page stands.
        """
        if isinstance(background, ImageBackground):
            if self._catalog is None:
                raise PlanningError("an image background needs a background catalog")
            summary = self._catalog.summary(self._catalog.root_dir / background.asset.path)
            crop = background.crop if part is None else _part_of(background.crop, *part)
            return [(value, value) for value in np.unique(summary.crop_cells(crop)).tolist()]
        values = [relative_luminance(background.color)]
        if background.end_color is not None:
            values.append(relative_luminance(background.end_color))
        return [(min(values), max(values))]


Box = tuple[int, int, int, int]
Part = tuple[Box, tuple[int, int]]  # a box of an image, and the image's size


def _part_of(crop: Box, box: Box, size: tuple[int, int]) -> Box:
    """The source pixels of a crop that a box of the image it is resized to shows."""
    x0, y0, x1, y1 = crop
    scale_x, scale_y = (x1 - x0) / size[0], (y1 - y0) / size[1]
    return (
        round(x0 + box[0] * scale_x),
        round(y0 + box[1] * scale_y),
        max(round(x0 + box[2] * scale_x), round(x0 + box[0] * scale_x) + 1),
        max(round(y0 + box[3] * scale_y), round(y0 + box[1] * scale_y) + 1),
    )
