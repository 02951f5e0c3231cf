"""A map-style dataset over a plan file: item i is record i, rendered on demand, as `ocrgen render` writes it."""

from __future__ import annotations

import os

from torch.utils.data import Dataset

from ocrgen.assets import AssetResolver, asset_roots
from ocrgen.renderer.planindex import IndexedPlan
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.config import DEFAULT_MAX_IMAGE_PIXELS
from ocrgen.torch.items import ImageKind, Item, check_image_kind, item


class PlanDataset(Dataset[Item]):
    """Record i of `plan` (its i-th line) as `(image, label)`, drawn when asked for, so in the DataLoader's workers.

    The image is an H x W x 3 uint8 array (`image="pil"`: a PIL image) with the pixels of the PNG
    `ocrgen render` writes for the record; the label is the data of its JSON label file. Rendering
    takes render's own path: the line is validated as render validates it (a bad line raises
    PlanFileError naming the file and line), and `font_dir` and `background_dir` say where the
    plan's roots are on this machine, as render's `--font-dir` and `--background-dir` do.

    Random access comes from a line-offset index, built on first use and kept beside the plan as
    `PLAN.index` (in memory when that dir cannot be written); a plan changed since is indexed again.
    Pickled into a worker, the dataset carries only paths and the index's fingerprint.
    """

    def __init__(
        self,
        plan: str | os.PathLike[str],
        font_dir: str | os.PathLike[str] | None = None,
        background_dir: str | os.PathLike[str] | None = None,
        image: ImageKind = "numpy",
        max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
    ) -> None:
        self.image = check_image_kind(image)
        self.max_image_pixels = max_image_pixels
        self.plan = IndexedPlan.open(plan)
        self.resolver = AssetResolver(asset_roots(font_dir, background_dir))

    def __len__(self) -> int:
        return len(self.plan)

    def __getitem__(self, i: int) -> Item:
        pixels, label = render_pixels(self.plan.record(i), self.resolver, self.max_image_pixels)
        return item(pixels, label, self.image)
