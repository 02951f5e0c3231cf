"""PlanDataset: item i is what `ocrgen render` writes for record i, read through a cached, self-checking line index."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from click.testing import Result
from PIL import Image

from ocrgen.assets import BUNDLED_ROOTS
from ocrgen.errors import PlanFileError
from ocrgen.planner import AssetDirs, make_plan
from ocrgen.renderer import planindex
from ocrgen.renderer.output import encode_label
from ocrgen.renderer.planindex import PlanChangedError, index_path
from tests.wordplans import write_config

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader  # noqa: E402  # torch is known to be installed only from here

from ocrgen.torch import PlanDataset  # noqa: E402


def as_list(batch: list[Any]) -> list[Any]:
    return batch


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plans.jsonl"
    make_plan(write_config(tmp_path), AssetDirs(), path)
    return path


def index_of(label: dict[str, Any]) -> int:
    index = label["plan"]["index"]
    assert isinstance(index, int)
    return index


@pytest.mark.parametrize("own_assets", [False, True], ids=["bundled", "moved-font-and-background-dirs"])
def test_every_item_is_what_render_writes(own_assets: bool, tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Pixels of render's PNG and the bytes of its JSON label, record by record; with own assets moved after
    planning, both find them the same way, through --font-dir/--background-dir and font_dir/background_dir."""
    config, plan, dirs = write_config(tmp_path), tmp_path / "plans.jsonl", []
    if own_assets:
        shutil.copytree(BUNDLED_ROOTS["ocrgen:fonts"], tmp_path / "fonts")
        (tmp_path / "backgrounds").mkdir()
        for n, colour in enumerate([(236, 232, 220), (250, 250, 244)]):
            pixels = np.random.default_rng(n).integers(0, 40, (120, 200, 3)) + np.array(colour) - 40
            Image.fromarray(pixels.astype(np.uint8)).save(tmp_path / "backgrounds" / f"page{n}.png")
        dirs = ["--font-dir", tmp_path / "fonts", "--background-dir", tmp_path / "backgrounds"]
    assert cli("plan", "--batch-config", config, *dirs, "-o", plan).exit_code == 0
    if own_assets:
        for name in ("fonts", "backgrounds"):
            (tmp_path / name).rename(tmp_path / f"moved-{name}")
        dirs = ["--font-dir", tmp_path / "moved-fonts", "--background-dir", tmp_path / "moved-backgrounds"]
    rendered = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1", *dirs)
    assert rendered.exit_code == 0, rendered.output

    dataset = PlanDataset(plan, *dirs[1::2])
    assert len(dataset) == 12
    for i in range(len(dataset)):
        image, label = dataset[i]
        stem = tmp_path / "out" / f"image_{index_of(label):08d}"
        assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape[2] == 3
        assert np.array_equal(image, np.asarray(Image.open(stem.with_suffix(".png"))))
        assert encode_label(label) == stem.with_suffix(".json").read_bytes()
    as_pil, _ = PlanDataset(plan, *dirs[1::2], image="pil")[3]
    assert isinstance(as_pil, Image.Image) and np.array_equal(np.asarray(as_pil), dataset[3][0])


def test_a_dataloader_with_two_workers_gives_every_record_once(plan: Path) -> None:
    dataset = PlanDataset(plan)
    loader = DataLoader(dataset, batch_size=5, num_workers=2, collate_fn=as_list)
    items = [item for batch in loader for item in batch]
    assert [index_of(label) for _, label in items] == list(range(12))
    for i, (image, _) in enumerate(items):
        assert np.array_equal(image, dataset[i][0])


def test_pickles_without_the_index_or_the_open_file(plan: Path) -> None:
    dataset = PlanDataset(plan)
    first = dataset[0]  # opens the plan in this process
    state = pickle.dumps(dataset)
    assert len(state) < 2048
    restored = pickle.loads(state)
    assert restored.plan._spans is None and restored.plan._fd is None
    image, label = restored[0]
    assert np.array_equal(image, first[0]) and label == first[1]


def test_the_index_is_kept_beside_the_plan_and_reused(plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    PlanDataset(plan)
    assert index_path(plan).is_file()
    monkeypatch.setattr(planindex, "shard_lines", None)  # any new scan of the plan would fail
    assert len(PlanDataset(plan)) == 12


def records_in(plan: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in plan.read_bytes().splitlines() if line.strip()]


def test_a_changed_plan_is_indexed_again(plan: Path, tmp_path: Path) -> None:
    """Another plan under the same name; then a change that keeps size and mtime but moves every line."""
    PlanDataset(plan)
    make_plan(write_config(tmp_path, seed=9, total_images=7), AssetDirs(), plan)
    other = PlanDataset(plan)
    assert [other[i][1]["plan"] for i in range(len(other))] == records_in(plan)

    lines = plan.read_bytes().splitlines(keepends=True)
    stat, index = plan.stat(), index_path(plan).read_bytes()
    lines[0] = lines[0].replace(b'"spec":"words"', b'"spec":"wordsX"')  # one byte longer ...
    lines[-1] = lines[-1].replace(b'"spec":"words"', b'"spec":"word"')  # ... and one shorter
    plan.write_bytes(b"".join(lines))
    os.utime(plan, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (plan.stat().st_size, plan.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    moved = PlanDataset(plan)
    assert index_path(plan).read_bytes() != index
    assert [moved[i][1]["plan"] for i in range(len(moved))] == records_in(plan)
    assert (records_in(plan)[0]["spec"], records_in(plan)[-1]["spec"]) == ("wordsX", "word")


def test_a_plan_changed_under_an_open_dataset_is_refused_in_the_worker(plan: Path, tmp_path: Path) -> None:
    dataset = PlanDataset(plan)
    make_plan(write_config(tmp_path, seed=9), AssetDirs(), plan)
    restored = pickle.loads(pickle.dumps(dataset))  # as a DataLoader worker gets it
    with pytest.raises(PlanChangedError, match="changed after its records were indexed"):
        restored[0]


def test_an_unwritable_dir_keeps_the_index_in_memory(plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(planindex, "write_atomic", refuse)
    dataset = PlanDataset(plan)
    assert not index_path(plan).exists() and dataset.plan.saved is None
    loader = DataLoader(dataset, batch_size=4, num_workers=2, collate_fn=as_list, multiprocessing_context="spawn")
    assert [index_of(label) for batch in loader for _, label in batch] == list(range(12))


def test_a_bad_line_is_named_with_its_file_and_line(plan: Path) -> None:
    lines = plan.read_bytes().splitlines(keepends=True)
    lines[2] = b'{"index": 2, "text": "no record"}\n'
    plan.write_bytes(b"".join(lines))
    dataset = PlanDataset(plan)
    with pytest.raises(PlanFileError, match=rf"^{plan}, line 3: not a plan record"):
        dataset[2]
    assert index_of(dataset[3][1]) == 3


def test_indices_are_checked_like_a_sequence(plan: Path) -> None:
    dataset = PlanDataset(plan)
    assert index_of(dataset[-1][1]) == 11
    with pytest.raises(IndexError):
        dataset[12]
    with pytest.raises(ValueError, match="choose 'numpy'"):
        PlanDataset(plan, image="tensor")  # type: ignore[arg-type]
