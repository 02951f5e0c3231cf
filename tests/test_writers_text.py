"""Writers for text-recognition trainers: PaddleOCR label files, tesstrain line pairs and a HuggingFace imagefolder."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import orjson
import pytest
import yaml
from click.testing import CliRunner, Result
from PIL import Image

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.cli import main


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _labels(out: Path) -> dict[int, dict]:
    return {int(p.stem.split("_")[1]): orjson.loads(p.read_bytes()) for p in sorted(out.glob("image_*.json"))}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, dict]]:
    """A plan and its labels from the default writer, with single- and multi-line records."""
    tmp = tmp_path_factory.mktemp("text-writers")
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"], data["seed"] = 12, 7
    for spec in data["specifications"]:
        spec["lines"] = {"min": 1, "max": 3}
    config, plan = tmp / "batch.yaml", tmp / "plans.jsonl"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    out = tmp / "default"
    assert _cli("render", plan, "--output-dir", out, "--workers", "1").exit_code == 0
    labels = _labels(out)
    assert {len(label["lines"]) > 1 for label in labels.values()} == {True, False}
    return plan, labels


def _render(plan: Path, out: Path, writer: str, *extra: str) -> None:
    assert _cli("render", plan, "--output-dir", out, "--workers", "2", "--writer", writer, *extra).exit_code == 0


def _line_texts(labels: dict[int, dict]) -> dict[str, str]:
    """Expected name stem -> text of every line image: the record if single-line, else its lines."""
    expected = {}
    for index, label in labels.items():
        if len(label["lines"]) == 1:
            expected[f"image_{index:08d}"] = label["text"]
        else:
            expected.update({f"image_{index:08d}_l{k}": line["text"] for k, line in enumerate(label["lines"])})
    return expected


def _is_clockwise(points: list[list[float]]) -> bool:
    """Shoelace sum in image coordinates (y down): positive for clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True)) > 0


def test_paddleocr_rec_and_det(tmp_path: Path, rendered: tuple[Path, dict[int, dict]]) -> None:
    plan, labels = rendered
    _render(plan, tmp_path, "paddleocr")
    data_dir = tmp_path / "paddleocr"
    rec = [line.split("\t") for line in (data_dir / "rec_gt.txt").read_text(encoding="utf-8").splitlines()]
    expected = _line_texts(labels)
    assert [Path(path).stem for path, _ in rec] == list(expected)  # plan order
    for path, text in rec:
        assert text == expected[Path(path).stem]
        image = Image.open(data_dir / path)
        if "_l" in path:
            index, k = int(Path(path).stem[6:14]), int(Path(path).stem.split("_l")[1])
            x0, y0, x1, y1 = labels[index]["lines"][k]["bbox"]
            assert image.size == (x1 - x0, y1 - y0)
    det = [line.split("\t") for line in (data_dir / "det_gt.txt").read_text(encoding="utf-8").splitlines()]
    assert [path for path, _ in det] == [f"images/image_{i:08d}.png" for i in sorted(labels)]
    for path, entries in det:
        label = labels[int(Path(path).stem[6:])]
        width, height = Image.open(data_dir / path).size
        words = json.loads(entries)
        assert [w["transcription"] for w in words] == [w["text"] for w in label["words"]] != []
        for word in words:
            assert len(word["points"]) == 4 and _is_clockwise(word["points"])
            assert all(0 <= x <= width and 0 <= y <= height for x, y in word["points"])
    assert not list(tmp_path.rglob("*.tmp"))


def test_paddleocr_shards_do_not_collide(tmp_path: Path, rendered: tuple[Path, dict[int, dict]]) -> None:
    plan, labels = rendered
    for k in range(2):
        _render(plan, tmp_path, "paddleocr", "--shard", f"{k}/2")
    shards = [tmp_path / "paddleocr" / f"det_gt.shard-0000{k}-of-00002.txt" for k in range(2)]
    paths = [line.split("\t")[0] for s in shards for line in s.read_text(encoding="utf-8").splitlines()]
    assert sorted(paths) == [f"images/image_{i:08d}.png" for i in sorted(labels)]
    assert all(s.read_text(encoding="utf-8") for s in shards)


def test_tesseract_line_pairs(tmp_path: Path, rendered: tuple[Path, dict[int, dict]]) -> None:
    plan, labels = rendered
    _render(plan, tmp_path, "tesseract")
    directory = tmp_path / "tesseract"
    images = sorted(directory.glob("*.png"))
    expected = _line_texts(labels)
    assert [p.stem for p in images] == sorted(expected)
    assert len(list(directory.glob("*.gt.txt"))) == len(images)
    for image in images:
        assert image.with_suffix(".gt.txt").read_text(encoding="utf-8") == expected[image.stem] + "\n"
        if "_l" in image.stem:
            index, k = int(image.stem[6:14]), int(image.stem.split("_l")[1])
            x0, y0, x1, y1 = labels[index]["lines"][k]["bbox"]
            assert Image.open(image).size == (x1 - x0, y1 - y0)
        else:
            label = labels[int(image.stem[6:])]
            assert Image.open(image).size == (label["width"], label["height"])


def test_hf_imagefolder_loads_with_datasets(tmp_path: Path, rendered: tuple[Path, dict[int, dict]]) -> None:
    plan, labels = rendered
    _render(plan, tmp_path, "hf")
    loaded = datasets.load_dataset(
        "imagefolder", data_dir=str(tmp_path / "hf"), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert len(loaded) == len(labels)
    for row in loaded:
        label = labels[json.loads(row["plan"])["index"]]
        assert row["text"] == label["text"]
        assert row["image"].size == (label["width"], label["height"]) == (row["width"], row["height"])
        assert json.loads(row["words"]) == label["words"]
