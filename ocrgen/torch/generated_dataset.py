"""An iterable dataset that plans and renders records as it goes, shared out over ranks and DataLoader workers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from torch.utils.data import IterableDataset

from ocrgen.assets import AssetResolver
from ocrgen.planner import AssetDirs, PlanStats, Resources, planning_seed, stride_records, validate
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.config import BatchConfig
from ocrgen.schemas.plan import record_of
from ocrgen.torch.items import ImageKind, Item, check_image_kind, item
from ocrgen.torch.partition import Share, placement, worker_share


def epoch_seed(seed: int, epoch: int) -> int:
    """The planning seed of one epoch: `seed` itself for epoch 0, so that epoch's records are those
    `ocrgen plan --seed` writes; for each later one a seed mixed from both by numpy's SeedSequence."""
    if epoch == 0:
        return seed
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1, np.uint64)[0])


class GeneratedDataset(IterableDataset[Item]):
    """`(image, label)` items planned and rendered on the fly from a batch config: `samples` of them, or without end.

    Item i is record i of the planner for (config, assets, seed of the epoch, i), drawn as
    `ocrgen render` draws it (the image an H x W x 3 uint8 array, or a PIL image with `image="pil"`;
    the label the data of render's JSON label). In epoch 0 the first `total_images` items are the
    records of `ocrgen plan`; past them the config's specifications go on in the same order.
    `set_epoch(e)` plans another stream, as `DistributedSampler.set_epoch` reshuffles.

    The indices are shared out: rank r of `world_size` takes those with i mod world_size = r
    (from torch.distributed when it is initialized as the dataset is made, unless `rank` and
    `world_size` are given), and its DataLoader workers take turns among them, so no index is
    drawn twice or left out. The stream is the same for the same seed, epoch, worker count and
    world size. Memory stays flat: records are planned one at a time, never kept.
    With `samples`, ranks differ in length by at most one item.
    """

    def __init__(
        self,
        batch_config: str | os.PathLike[str] | BatchConfig,
        font_dir: str | os.PathLike[str] | None = None,
        background_dir: str | os.PathLike[str] | None = None,
        corpus_dir: str | os.PathLike[str] | None = None,
        seed: int | None = None,
        epoch: int = 0,
        samples: int | None = None,
        image: ImageKind = "numpy",
        rank: int | None = None,
        world_size: int | None = None,
    ) -> None:
        if samples is not None and samples < 0:
            raise ValueError(f"samples={samples}: give a count of 0 or more, or None for an endless stream")
        fonts, backgrounds, corpus = (None if d is None else Path(d) for d in (font_dir, background_dir, corpus_dir))
        self.dirs = AssetDirs(fonts=fonts, backgrounds=backgrounds, corpus=corpus)
        if isinstance(batch_config, BatchConfig):  # checked here, so a bad config fails before any worker starts
            self.config, resources = batch_config, Resources.of(batch_config, self.dirs)
        else:
            self.config, resources = validate(batch_config, self.dirs)
        self._resources: Resources | None = resources
        self.seed = planning_seed(self.config, seed)
        self.samples = samples
        self.image = check_image_kind(image)
        self.rank, self.world_size = placement(rank, world_size)
        self.epoch = 0
        self.set_epoch(epoch)

    def set_epoch(self, epoch: int) -> None:
        """Plan epoch `epoch`'s stream from now on: call it before each epoch's DataLoader iterator is made
        (workers kept with `persistent_workers=True` go on with the epoch they were started in)."""
        if epoch < 0:
            raise ValueError(f"epoch={epoch}: epochs count from 0")
        self.epoch = epoch

    def __len__(self) -> int:
        """The items this rank yields, over all its workers."""
        if self.samples is None:
            raise TypeError("an endless GeneratedDataset has no length; give samples=N for one")
        return Share(self.rank, self.world_size).count(self.samples)

    def __iter__(self) -> Iterator[Item]:
        share = worker_share(self.rank, self.world_size)
        if self._resources is None:
            self._resources = Resources.of(self.config, self.dirs)
        seed = epoch_seed(self.seed, self.epoch)
        records = stride_records(self.config, self._resources, seed, PlanStats(), share.start, share.step, self.samples)
        resolver = AssetResolver()
        for data in records:
            pixels, label = render_pixels(record_of(data), resolver, self.config.max_image_pixels)
            yield item(pixels, label, self.image)

    def __getstate__(self) -> dict[str, Any]:
        """Without the loaded assets (fonts, corpus windows): a spawned worker loads its own on first use."""
        return {**self.__dict__, "_resources": None}
