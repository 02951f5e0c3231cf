"""`--split-lines`: every line of a record a sample of its own, cropped to it and turned to read left to right.

Read back with the libraries trainers use (lmdb, webdataset, datasets) and compared with crops
made here from the default writer's images and labels.
"""

from __future__ import annotations

import io
from pathlib import Path

import datasets
import lmdb
import numpy as np
import orjson
import pytest
import webdataset
import yaml
from click.testing import CliRunner, Result
from PIL import Image

from ocrgen.cli import main

SPECS = [
    {"name": "horizontal", "corpus": ["en/*.txt"], "lines": {"min": 1, "max": 3}, "directions": {"left_to_right": 1}},
    {"name": "cjk_columns", "corpus": ["zh/*.txt"], "lines": {"min": 2, "max": 3}, "directions": {"top_to_bottom": 1}},
    {"name": "cjk_column", "corpus": ["ja/*.txt"], "directions": {"top_to_bottom": 1}},
    {"name": "upward", "corpus": ["en/*.txt"], "lines": {"min": 1, "max": 2}, "directions": {"bottom_to_top": 1}},
]
FONTS = {"en/*.txt": ["NotoSans-Regular*"], "zh/*.txt": ["*CJK*"], "ja/*.txt": ["*CJK*"]}
# What turns a line to read left to right, in PIL's angles (counter-clockwise).
TURN = {"left_to_right": 0, "top_to_bottom": 90, "bottom_to_top": -90}


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A plan of horizontal and vertical records, one line and several, and its default (files) render."""
    tmp = tmp_path_factory.mktemp("split-lines")
    specs = [
        {
            **spec,
            "proportion": 0.25,
            "fonts": {"include": FONTS[spec["corpus"][0]]},
            "text_length": {"min": 6, "max": 16},
        }
        for spec in SPECS
    ]
    config, plan, out = tmp / "batch.yaml", tmp / "plans.jsonl", tmp / "files"
    config.write_text(yaml.safe_dump({"total_images": 12, "seed": 3, "specifications": specs}, allow_unicode=True))
    assert _cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    assert _cli("render", plan, "--output-dir", out, "--workers", "1").exit_code == 0
    return plan, out


def _expected(out: Path) -> list[tuple[str, str, np.ndarray]]:
    """(key, text, pixels) of every sample in plan order: a record of one horizontal line as it is,
    else each line cropped to its bbox and turned so that its start is on the left."""
    samples = []
    for label_path in sorted(out.glob("image_*.json")):
        label = orjson.loads(label_path.read_bytes())
        image = Image.open(label_path.with_suffix(".png")).convert("RGB")
        direction, lines = label["plan"]["direction"], label["lines"]
        if len(lines) == 1 and direction == "left_to_right":
            samples.append((label_path.stem, label["text"], np.asarray(image)))
            continue
        for k, line in enumerate(lines):
            crop = image if len(lines) == 1 else image.crop(line["bbox"])
            turned = crop.rotate(TURN[direction], expand=True)
            samples.append((f"{label_path.stem}_l{k}", line["text"], np.asarray(turned)))
    return samples


def test_the_plan_has_vertical_lines_and_lines_of_several_records(rendered: tuple[Path, Path]) -> None:
    labels = [orjson.loads(p.read_bytes()) for p in sorted(rendered[1].glob("image_*.json"))]
    kinds = {(label["plan"]["direction"], len(label["lines"]) > 1) for label in labels}
    assert {("top_to_bottom", True), ("top_to_bottom", False), ("left_to_right", True)} <= kinds
    assert any(direction == "bottom_to_top" for direction, _ in kinds)


def test_vertical_lines_read_left_to_right(rendered: tuple[Path, Path]) -> None:
    """After the turn, each character of a vertical line lies right of the one before it."""
    for label_path in sorted(rendered[1].glob("image_*.json")):
        label = orjson.loads(label_path.read_bytes())
        direction = label["plan"]["direction"]
        for k, line in enumerate(label["lines"]):
            _, y0, _, y1 = line["bbox"]
            centres = [(b["y0"] + b["y1"]) / 2 for b in label["bboxes"] if b["line_index"] == k and b["char"] != " "]
            # 90° counter-clockwise, a point's new x is its old y; 90° clockwise, its height from the bottom.
            along = {"top_to_bottom": [y - y0 for y in centres], "bottom_to_top": [y1 - y for y in centres]}
            if direction in along:
                assert along[direction] == sorted(along[direction]), (label["text"], direction)


def _read_lmdb(path: Path) -> dict[bytes, bytes]:
    env = lmdb.open(str(path), readonly=True, lock=False, readahead=False, meminit=False)
    with env.begin(write=False) as txn:
        items = dict(txn.cursor())
    env.close()
    return items


def test_lmdb_holds_one_line_per_sample(tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan, out = rendered
    assert (
        _cli("render", plan, "--output-dir", tmp_path, "--workers", "2", "--writer", "lmdb", "--split-lines").exit_code
        == 0
    )
    items = _read_lmdb(tmp_path / "lmdb")
    expected = _expected(out)
    assert int(items[b"num-samples"]) == len(expected) > 12
    assert set(items) == {b"num-samples"} | {
        b"%s-%09d" % (kind, n) for kind in (b"image", b"label") for n in range(1, len(expected) + 1)
    }
    for number, (_, text, pixels) in enumerate(expected, start=1):
        label = items[b"label-%09d" % number].decode()
        assert label == text and "\n" not in label
        assert (np.asarray(Image.open(io.BytesIO(items[b"image-%09d" % number])).convert("RGB")) == pixels).all()
    whole = _read_lmdb(_render(plan, tmp_path / "whole", "lmdb") / "lmdb")
    assert any(b"\n" in value for key, value in whole.items() if key.startswith(b"label-")), (
        "without the flag, a record's lines share one label"
    )


def _render(plan: Path, out: Path, writer: str, *extra: str) -> Path:
    assert _cli("render", plan, "--output-dir", out, "--workers", "1", "--writer", writer, *extra).exit_code == 0
    return out


def test_webdataset_holds_one_line_per_sample(tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan, out = rendered
    tars = sorted(
        (_render(plan, tmp_path, "webdataset", "--split-lines", "--samples-per-tar", "7") / "webdataset").iterdir()
    )
    samples = list(webdataset.WebDataset([str(t) for t in tars], shardshuffle=False).decode("rgb8"))
    expected = _expected(out)
    assert [s["__key__"] for s in samples] == [key.removeprefix("image_") for key, _, _ in expected]
    for sample, (key, text, pixels) in zip(samples, expected, strict=True):
        assert sample["txt"] == text and "\n" not in text
        assert (sample["png"] == pixels).all()
        line = int(key.split("_l")[1]) if "_l" in key else 0
        height, width = pixels.shape[:2]
        assert sample["json"] == {"text": text, "width": width, "height": height, "index": int(key[6:14]), "line": line}
    again = sorted(
        (
            _render(plan, tmp_path / "again", "webdataset", "--split-lines", "--samples-per-tar", "7") / "webdataset"
        ).iterdir()
    )
    assert [t.read_bytes() for t in again] == [t.read_bytes() for t in tars]


def test_hf_holds_one_line_per_row(tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan, out = rendered
    _render(plan, tmp_path, "hf", "--split-lines")
    loaded = datasets.load_dataset(
        "imagefolder", data_dir=str(tmp_path / "hf"), split="train", cache_dir=str(tmp_path / "cache")
    )
    expected = {
        (int(key[6:14]), int(key.split("_l")[1]) if "_l" in key else 0): (text, pixels)
        for key, text, pixels in _expected(out)
    }
    assert sorted((row["index"], row["line"]) for row in loaded) == sorted(expected)
    for row in loaded:
        text, pixels = expected[row["index"], row["line"]]
        assert row["text"] == text
        assert (np.asarray(row["image"].convert("RGB")) == pixels).all()
        assert (row["height"], row["width"]) == pixels.shape[:2]


@pytest.mark.parametrize("writer", ["paddleocr", "tesseract"])
def test_line_writers_turn_vertical_lines_upright(tmp_path: Path, rendered: tuple[Path, Path], writer: str) -> None:
    """They already cut records into lines; the flag turns the vertical ones, a record of one vertical line too."""
    plan, out = rendered
    directory = _render(plan, tmp_path, writer, "--split-lines") / writer
    if writer == "paddleocr":
        rec = [line.split("\t") for line in (directory / "rec_gt.txt").read_text(encoding="utf-8").splitlines()]
    else:
        rec = [
            (p.name, p.with_suffix(".gt.txt").read_text(encoding="utf-8")[:-1]) for p in sorted(directory.glob("*.png"))
        ]
    expected = _expected(out)
    assert [(Path(path).stem, text) for path, text in rec] == [(key, text) for key, text, _ in expected]
    for (path, _), (_, _, pixels) in zip(rec, expected, strict=True):
        assert (np.asarray(Image.open(directory / path).convert("RGB")) == pixels).all()


def test_split_lines_is_for_recognition_writers(tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    result = _cli("render", rendered[0], "--output-dir", tmp_path, "--split-lines")
    assert result.exit_code == 2 and "--split-lines applies to --writer lmdb" in result.output
    assert not list(tmp_path.iterdir())
