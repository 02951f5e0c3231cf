"""Pages through every writer: detection formats read back by their consumers' own libraries or format rules,
recognition writers fed each line of a page, rectified."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import datasets
import lmdb
import numpy as np
import pytest
import webdataset
from pagecases import page_config, plan_page
from PIL import Image
from pycocotools.coco import COCO

from ocrgen.record_json import record_line
from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.label import PageLabel
from ocrgen.schemas.plan import PageRecord
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.icdar2015 import Icdar2015Writer
from ocrgen.writers.lines import reading_quad
from ocrgen.writers.quads import quad

SEEDS = (3, 8)
TURNED = {"rotation": {"p": 1, "angle": {"min": 12, "max": 12}}}  # some corners leave the page


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[PageRecord], list[PageLabel]]:
    """A plan of two pages (one turned as a whole) and the labels they render to."""
    records = [
        plan_page(page_config({"effects": effects}), seed).model_copy(update={"index": index})
        for index, (seed, effects) in enumerate(zip(SEEDS, (None, TURNED), strict=True))
    ]
    plan = tmp_path_factory.mktemp("plan") / "plan.jsonl"
    plan.write_bytes(b"".join(record_line(record) for record in records))
    labels = [PageLabel.model_validate(render_pixels(record)[1]) for record in records]
    return plan, records, labels


def render(cli: Any, plan: Path, out: Path, writer: str) -> None:
    result = cli("render", plan, "--output-dir", out, "--writer", writer, "--workers", "1")
    assert result.exit_code == 0, result.output


def all_words(label: PageLabel) -> list[Any]:
    return [word for text in label.instances for word in text.words]


def test_coco_reads_back_with_pycocotools(cli: Any, pages: Any, tmp_path: Path) -> None:
    plan, records, labels = pages
    render(cli, plan, tmp_path, "coco")
    coco = COCO(str(tmp_path / "coco" / "instances.json"))
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["text"]
    assert sorted(coco.getImgIds()) == [record.index + 1 for record in records]
    for record, label in zip(records, labels, strict=True):
        image = coco.loadImgs(record.index + 1)[0]
        assert (image["width"], image["height"]) == (label.width, label.height)
        assert Image.open(tmp_path / "coco" / image["file_name"]).size == (label.width, label.height)
        annotations = coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]]))
        words = all_words(label)
        assert [a["attributes"]["transcription"] for a in annotations] == [w.text for w in words]
        for annotation, word in zip(annotations, words, strict=True):
            x0, y0, x1, y1 = word.bbox
            assert annotation["bbox"] == [x0, y0, x1 - x0, y1 - y0]
            mask = coco.annToMask(annotation)
            assert mask.shape == (label.height, label.width)
            assert mask.sum() == pytest.approx(annotation["area"], rel=0.5, abs=40)


def test_icdar2015_lines_follow_the_format(cli: Any, pages: Any, tmp_path: Path) -> None:
    """Eight integer corners, then the transcription (commas and all)."""
    plan, records, labels = pages
    render(cli, plan, tmp_path, "icdar2015")
    for record, label in zip(records, labels, strict=True):
        stem = f"image_{record.index:08d}"
        assert (tmp_path / "icdar2015" / "images" / f"{stem}.png").is_file()
        rows = (tmp_path / "icdar2015" / "gt" / f"gt_{stem}.txt").read_text(encoding="utf-8-sig").splitlines()
        words = all_words(label)
        assert len(rows) == len(words)
        for row, word in zip(rows, words, strict=True):
            fields = row.split(",", 8)
            corners = [int(value) for value in fields[:8]]
            assert corners == [round(value) for point in quad(word) for value in point]
            assert fields[8] == word.text


def test_icdar2015_marks_words_off_the_image_do_not_care(pages: Any, tmp_path: Path) -> None:
    """A word reaching past the image's edge (as a page's warp can push one) is written `###`, the rest as read."""
    _, _, labels = pages
    label = labels[0].model_dump(mode="json")
    word = label["instances"][0]["words"][0]
    word["polygon"] = [[x + label["width"], y] for x, y in word["polygon"]]
    sample = EncodedSample(
        tmp_path / "x.png", b"png", tmp_path / "x.json", json.dumps(label).encode(), 0, label["text"], page=True
    )
    writer = Icdar2015Writer(tmp_path, Shard(), "png", WriterSpec("icdar2015"))
    writer.write(sample)
    rows = (tmp_path / "icdar2015" / "gt" / "gt_image_00000000.txt").read_text(encoding="utf-8").splitlines()
    texts = [row.split(",", 8)[8] for row in rows]
    assert texts == ["###", *(w.text for w in all_words(labels[0])[1:])]
    assert writer.is_complete(0) and not writer.is_complete(1)


def test_doctr_labels_follow_its_dataset_rules(cli: Any, pages: Any, tmp_path: Path) -> None:
    """Keys are files in images/, hashes are the files' SHA-256, polygons stack into N x 4 x 2 as docTR reads them."""
    plan, records, labels = pages
    render(cli, plan, tmp_path, "doctr")
    root = tmp_path / "doctr"
    entries = json.loads((root / "labels.json").read_bytes())
    assert list(entries) == [f"image_{record.index:08d}.png" for record in records]
    for (name, entry), label in zip(entries.items(), labels, strict=True):
        data = (root / "images" / name).read_bytes()
        assert entry["img_hash"] == hashlib.sha256(data).hexdigest()
        height, width = np.asarray(Image.open(root / "images" / name)).shape[:2]
        assert entry["img_dimensions"] == [height, width]
        polygons = np.asarray(entry["polygons"], dtype=np.float32)
        assert polygons.shape == (len(all_words(label)), 4, 2)


def test_paddleocr_det_lists_every_word_of_a_page(cli: Any, pages: Any, tmp_path: Path) -> None:
    plan, _, labels = pages
    render(cli, plan, tmp_path, "paddleocr")
    rows = (tmp_path / "paddleocr" / "det_gt.txt").read_text(encoding="utf-8").splitlines()
    for row, label in zip(rows, labels, strict=True):
        entries = json.loads(row.split("\t", 1)[1])
        assert [e["transcription"] for e in entries] == [w.text for w in all_words(label)]


def test_recognition_writers_take_each_line_of_a_page_rectified(cli: Any, pages: Any, tmp_path: Path) -> None:
    """Without --split-lines too: a page is no recognition sample, its lines are, level and as high as a line."""
    plan, _, labels = pages
    render(cli, plan, tmp_path, "lmdb")
    lines = [line for label in labels for text in label.instances for line in text.lines if line.text.strip()]
    assert [line.text for line in lines] == page_lines(labels)
    with lmdb.open(str(tmp_path / "lmdb"), readonly=True, lock=False) as env, env.begin() as txn:
        assert int(txn.get(b"num-samples")) == len(lines)
        for number, line in enumerate(lines, start=1):
            assert txn.get(b"label-%09d" % number).decode() == line.text
            crop = Image.open(io.BytesIO(txn.get(b"image-%09d" % number)))
            top_left, top_right, bottom_right, bottom_left = (np.asarray(p) for p in reading_quad(line.polygon))
            length = max(np.hypot(*(top_right - top_left)), np.hypot(*(bottom_right - bottom_left)))
            height = max(np.hypot(*(bottom_left - top_left)), np.hypot(*(bottom_right - top_right)))
            assert crop.size == (round(length), round(height))


def page_lines(labels: list[PageLabel]) -> list[str]:
    """Every non-empty line of every text of every page, in plan and reading order."""
    return [line.text for label in labels for text in label.instances for line in text.lines if line.text.strip()]


def test_webdataset_hf_tesseract_and_paddleocr_rec_take_the_lines_of_pages(
    cli: Any, pages: Any, tmp_path: Path
) -> None:
    """Each reads back, by its own library or its format's rules, as one sample per line of a page's texts."""
    plan, _, labels = pages
    expected = page_lines(labels)
    for writer in ("webdataset", "hf", "tesseract", "paddleocr"):
        render(cli, plan, tmp_path / writer, writer)
    tars = sorted(str(t) for t in (tmp_path / "webdataset" / "webdataset").glob("*.tar"))
    samples = list(webdataset.WebDataset(tars, shardshuffle=False).decode("rgb8"))
    assert [s["txt"] for s in samples] == expected
    assert all(s["png"].shape[0] > 0 for s in samples)
    rows = datasets.load_dataset("imagefolder", data_dir=str(tmp_path / "hf" / "hf"), split="train")
    assert sorted(rows["text"]) == sorted(expected)
    truths = sorted((tmp_path / "tesseract" / "tesseract").glob("*.gt.txt"), key=lambda t: line_key(t.name))
    assert [t.read_text(encoding="utf-8").rstrip("\n") for t in truths] == expected
    assert all(t.with_name(t.name.replace(".gt.txt", ".png")).is_file() for t in truths)
    rec = (tmp_path / "paddleocr" / "paddleocr" / "rec_gt.txt").read_text(encoding="utf-8").splitlines()
    assert [row.split("\t", 1)[1] for row in rec] == expected
    assert all((tmp_path / "paddleocr" / "paddleocr" / row.split("\t", 1)[0]).is_file() for row in rec)


def line_key(name: str) -> tuple[int, int]:
    """(record, line) of a file named `image_%08d_l<k>...`: the order its lines read in."""
    record, line = re.fullmatch(r"image_(\d+)_l(\d+)\..*", name).groups()  # type: ignore[union-attr]
    return int(record), int(line)
