"""docTR's text detection dataset: `images/` and `labels.json`, as its `DetectionDataset` and training scripts read it.

Under `<out>/doctr/`: `images/image_%08d.png|jpg` and, per render shard, `labels.json`
(`labels.shard-K-of-N.json` with `--shard`), one object keyed by image file name. Each entry
holds `img_dimensions` (the image's spatial shape, [height, width], as docTR's `get_img_shape`
gives it), `img_hash` (the SHA-256 of the image file) and `polygons`: each word of every text as
four [x, y] corners, clockwise from its top-left as it reads (a curved word: its bbox's corners),
since docTR reads the polygons of an image as one N x 4 x 2 array.

The entries stream into the file as records come, and the file is renamed into place whole when
the shard closes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar

import orjson

from ocrgen.atomic import StreamedFile, write_atomic
from ocrgen.renderer.output import EncodedSample, sample_stem
from ocrgen.renderer.planfile import Shard
from ocrgen.schemas.label import LABELS
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.quads import quad, words


class DoctrWriter:
    """Written by the parent in plan order; a resumed or repeated run writes the shard's file again."""

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.directory = out_dir / "doctr"
        (self.directory / "images").mkdir(parents=True, exist_ok=True)
        self.image_format = image_format
        self.file = StreamedFile(self.directory / f"{shard.file_name('labels')}.json")
        self.file.write(b"{")
        self.entries = 0

    def write(self, sample: EncodedSample) -> None:
        label = LABELS.validate_json(sample.label)
        name = f"{sample_stem(sample.index)}.{self.image_format}"
        write_atomic(self.directory / "images" / name, sample.image)
        entry = {
            "img_dimensions": [label.height, label.width],
            "img_hash": hashlib.sha256(sample.image).hexdigest(),
            "polygons": [quad(word) for word in words(label)],
        }
        self.file.write((b"," if self.entries else b"") + orjson.dumps(name) + b":" + orjson.dumps(entry))
        self.entries += 1

    def is_complete(self, index: int) -> bool:
        """Resume writes the shard again: its file appears only when it is done."""
        return False

    def close(self) -> None:
        self.file.write(b"}")
        self.file.commit()

    def abort(self) -> None:
        """The images written are final; the labels file, not yet in place, goes with the run."""
        self.file.discard()
