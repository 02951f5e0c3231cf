"""Which background each record gets, and the exact crop of it.

The planner reads only image headers (for sizes); decoding is the renderer's job.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ocrgen.assets import make_ref, walk_files
from ocrgen.sampling import choose
from ocrgen.schemas.plan import ImageBackground, ProceduralBackground

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
PROCEDURAL_STYLES = ("solid", "paper", "noise")


class BackgroundCatalog:
    """Background images under one root dir, grouped by sub-directory."""

    ROOT = "backgrounds"

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir
        self.images = walk_files(root_dir, IMAGE_SUFFIXES)
        self._sizes: dict[Path, tuple[int, int]] = {}

    def under(self, subdir: str) -> list[Path]:
        base = (self.root_dir / subdir).resolve()
        return [p for p in self.images if p.resolve().is_relative_to(base)]

    def size(self, path: Path) -> tuple[int, int]:
        if path not in self._sizes:
            with Image.open(path) as image:
                self._sizes[path] = image.size
        return self._sizes[path]

    def crop(self, path: Path, width: int, height: int, rng: np.random.Generator) -> ImageBackground:
        """A random window of the canvas's shape; smaller images give a window that is scaled up."""
        image_w, image_h = self.size(path)
        if image_w >= width and image_h >= height:
            crop_w, crop_h = width, height
        elif width * image_h > height * image_w:
            crop_w, crop_h = image_w, max(1, round(image_w * height / width))
        else:
            crop_w, crop_h = max(1, round(image_h * width / height)), image_h
        x = int(rng.integers(0, image_w - crop_w + 1))
        y = int(rng.integers(0, image_h - crop_h + 1))
        return ImageBackground(asset=make_ref(self.ROOT, self.root_dir, path), crop=(x, y, x + crop_w, y + crop_h))


class BackgroundPool:
    """The backgrounds one specification draws from: weighted groups of images, or procedural."""

    def __init__(self, catalog: BackgroundCatalog | None, groups: list[tuple[list[Path], float]]) -> None:
        self._catalog = catalog
        self._groups = [(images, weight) for images, weight in groups if images and weight > 0]

    def draw(self, width: int, height: int, rng: np.random.Generator) -> ImageBackground | ProceduralBackground:
        if self._catalog is None or not self._groups:
            style = PROCEDURAL_STYLES[int(rng.integers(len(PROCEDURAL_STYLES)))]
            base = int(rng.integers(215, 256))
            color = tuple(min(255, max(0, base + int(t))) for t in rng.integers(-8, 9, size=3))
            return ProceduralBackground(style=style, color=color)
        images = choose([g for g, _ in self._groups], [w for _, w in self._groups], rng)
        path = images[int(rng.integers(len(images)))]
        return self._catalog.crop(path, width, height, rng)
