"""tesstrain ground truth: line images, each beside a `.gt.txt` holding its one line of text.

All shards share `<out>/tesseract/` (names come from the record index, so they never collide).
A single-line record is `image_%08d.png` + `image_%08d.gt.txt`; a multi-line record is split
into its lines, each cropped to its bbox: `image_%08d_l<k>.png` + `image_%08d_l<k>.gt.txt`.
With `split_lines`, vertical lines are turned to read left to right (see `lines`), a record of
one vertical line too (`_l0`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ocrgen.atomic import write_atomic
from ocrgen.renderer.output import EncodedSample, sample_stem
from ocrgen.renderer.planfile import Shard
from ocrgen.schemas.label import LABELS
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.lines import line_images


class TesseractWriter:
    """Written by the parent, each file atomically, text after image: a `.gt.txt` means its image is there."""

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.directory = out_dir / "tesseract"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.image_format, self.upright = image_format, spec.split_lines

    def write(self, sample: EncodedSample) -> None:
        label = LABELS.validate_json(sample.label)
        stem = sample_stem(sample.index)
        for line in line_images(sample.image, label, self.image_format, self.upright):
            write_atomic(self.directory / f"{stem}{line.suffix}.{self.image_format}", line.image)
            write_atomic(self.directory / f"{stem}{line.suffix}.gt.txt", f"{line.text}\n".encode())

    def is_complete(self, index: int) -> bool:
        """Resume writes every record again: the line count of a record is not known before rendering it."""
        return False

    def close(self) -> None:
        """Every file is already final."""

    def abort(self) -> None:
        """Every file written is final; nothing else is on disk."""
