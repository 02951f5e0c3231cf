"""GeneratedDataset: the planner's records, drawn as render draws them, shared out over workers and ranks."""

from __future__ import annotations

import gc
import hashlib
import pickle
import tracemalloc
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ocrgen.errors import ConfigError
from ocrgen.planner import AssetDirs, load_config, make_plan
from ocrgen.text import layout
from tests.wordplans import NARROW, write_config

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader  # noqa: E402  # torch is known to be installed only from here

from ocrgen.torch import GeneratedDataset, PlanDataset  # noqa: E402
from ocrgen.torch.generated_dataset import epoch_seed  # noqa: E402


def as_list(batch: list[Any]) -> list[Any]:
    return batch


def summary(items: list[tuple[np.ndarray, dict[str, Any]]]) -> list[tuple[int, str, str]]:
    """Index, text and a hash of the pixels of each item, in the order they came."""
    return [(label["plan"]["index"], label["text"], hashlib.sha256(image).hexdigest()) for image, label in items]


def loaded(dataset: GeneratedDataset, workers: int = 2) -> list[tuple[np.ndarray, dict[str, Any]]]:
    loader = DataLoader(dataset, batch_size=3, num_workers=workers, collate_fn=as_list)
    return [item for batch in loader for item in batch]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


def test_epoch_0_is_the_plan_and_renders_as_it(config: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plans.jsonl"
    make_plan(config, AssetDirs(), plan, seed=5)
    planned = PlanDataset(plan)
    generated = list(GeneratedDataset(config, seed=5, samples=12))
    assert len(generated) == len(planned) == 12
    for (image, label), (expected_image, expected_label) in zip(generated, planned, strict=False):
        assert label == expected_label and np.array_equal(image, expected_image)


def test_the_endless_stream_goes_on_past_total_images_in_the_plans_order(config: Path) -> None:
    """The specifications keep the plan's interleaved order, again every total_images records."""
    items = list(islice(GeneratedDataset(config), 30))
    indices = [label["plan"]["index"] for _, label in items]
    specs = [label["plan"]["spec"] for _, label in items]
    assert indices == list(range(30))
    assert specs[:12] == specs[12:24] and specs[24:] == specs[:6]
    assert specs[:12].count("plain") == 3
    assert summary(items[:12]) == summary(list(GeneratedDataset(config, samples=12)))


def test_two_workers_draw_every_index_once_the_same_way_each_time(config: Path) -> None:
    dataset = GeneratedDataset(config, samples=13)
    first = summary(loaded(dataset))
    assert sorted(index for index, _, _ in first) == list(range(13))
    assert summary(loaded(GeneratedDataset(config, samples=13))) == first
    assert sorted(summary(loaded(dataset, workers=0))) == sorted(first)
    dataset.set_epoch(1)
    second = summary(loaded(dataset))
    assert sorted(index for index, _, _ in second) == list(range(13))
    assert [text for _, text, _ in second] != [text for _, text, _ in first]
    assert summary(loaded(dataset)) == second
    assert summary(loaded(GeneratedDataset(config, samples=13, epoch=1))) == second


def test_epoch_seeds_differ_and_epoch_0_keeps_the_seed() -> None:
    seeds = [epoch_seed(7, epoch) for epoch in range(50)]
    assert seeds[0] == 7 and len(set(seeds)) == 50
    assert all(0 <= seed < 2**64 for seed in seeds)


@pytest.mark.parametrize("world_size", [2, 3])
def test_ranks_given_by_argument_split_the_indices(config: Path, world_size: int) -> None:
    taken: list[int] = []
    for rank in range(world_size):
        dataset = GeneratedDataset(config, samples=11, rank=rank, world_size=world_size)
        mine = [label["plan"]["index"] for _, label in loaded(dataset)]
        assert len(mine) == len(dataset) and all(index % world_size == rank for index in mine)
        taken += mine
    assert sorted(taken) == list(range(11))


def test_pickles_without_its_assets_and_loads_them_again(config: Path) -> None:
    dataset = GeneratedDataset(config, samples=4)
    restored = pickle.loads(pickle.dumps(dataset))
    assert restored._resources is None
    assert summary(list(restored)) == summary(list(dataset))


def test_endless_stream_keeps_memory_flat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the bounded glyph caches are warm, drawing 400 more records leaves no more than noise behind.

    The shared layouts of short texts are left out: that cache is bounded by its entries (1,024 texts of at
    most 24 characters), but fills over thousands of records, far more than this test draws.
    """
    monkeypatch.setattr(layout, "_CACHED_LENGTH", -1)
    stream = iter(GeneratedDataset(write_config(tmp_path, specifications=NARROW)))
    for _ in islice(stream, 100):
        pass
    tracemalloc.start()
    try:
        gc.collect()  # a numpy Generator is freed by the cycle collector, whenever it runs
        before = tracemalloc.get_traced_memory()[0]
        for _ in islice(stream, 400):
            pass
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 100 * 1024


def test_bad_arguments_fail_when_the_dataset_is_made(config: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rank 2 of world size 2"):
        GeneratedDataset(config, rank=2, world_size=2)
    with pytest.raises(ValueError, match="samples=-1"):
        GeneratedDataset(config, samples=-1)
    with pytest.raises(TypeError, match="endless"):
        len(GeneratedDataset(config))
    with pytest.raises(ConfigError, match="Font directory"):
        GeneratedDataset(config, font_dir=tmp_path / "none")
    assert len(GeneratedDataset(load_config(config), samples=5)) == 5
