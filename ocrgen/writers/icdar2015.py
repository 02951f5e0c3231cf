"""ICDAR 2015 (Incidental Scene Text) detection files: an image and a `gt_` text file of its words.

Under `<out>/icdar2015/`: `images/image_%08d.png|jpg` and `gt/gt_image_%08d.txt`, one line per
word of every text, in reading order: `x1,y1,x2,y2,x3,y3,x4,y4,transcription`, the corners
clockwise from the word's top-left as it reads (a curved word: its bbox's corners), rounded to
whole pixels; the transcription is everything after the eighth comma, commas included. Words are
the unit, as in the ICDAR 2015 ground truth. A word that a page's warp pushed partly off the image
is written with the transcription `###`, the format's "do not care", so detectors neither learn
from nor are scored on its cut shape. The text file is written after its image, each renamed into
place whole, so a run resumes record by record.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ocrgen.atomic import write_atomic
from ocrgen.renderer.output import EncodedSample, sample_stem
from ocrgen.renderer.planfile import Shard
from ocrgen.schemas.label import LABELS
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.quads import inside, quad, words

DO_NOT_CARE = "###"


class Icdar2015Writer:
    """Each record's two files are final on their own: any worker may write them, resume is per record."""

    in_worker: ClassVar[bool] = True

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.directory = out_dir / "icdar2015"
        (self.directory / "images").mkdir(parents=True, exist_ok=True)
        (self.directory / "gt").mkdir(exist_ok=True)
        self.image_format = image_format

    def write(self, sample: EncodedSample) -> None:
        label = LABELS.validate_json(sample.label)
        stem = sample_stem(sample.index)
        rows = []
        for word in words(label):
            points = quad(word)
            text = word.text if inside(points, label.width, label.height) else DO_NOT_CARE
            rows.append(",".join(str(round(value)) for point in points for value in point) + f",{text}\n")
        write_atomic(self.directory / "images" / f"{stem}.{self.image_format}", sample.image)
        write_atomic(self._gt(sample.index), "".join(rows).encode())

    def _gt(self, index: int) -> Path:
        return self.directory / "gt" / f"gt_{sample_stem(index)}.txt"

    def is_complete(self, index: int) -> bool:
        """Its text file is written last: there, the record is whole."""
        return self._gt(index).is_file()

    def close(self) -> None:
        """Every file is already final."""

    def abort(self) -> None:
        """Every file written is final; nothing else is on disk."""
