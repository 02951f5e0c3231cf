"""COCO instances JSON for text detection: images, and one annotation per word with its polygon and text.

Under `<out>/coco/`: `images/image_%08d.png|jpg` and, per render shard, `instances.json`
(`instances.shard-K-of-N.json` with `--shard`). One category, `text` (id 1). Each word of every
text is an annotation: `segmentation` its polygon (four corners, or a curved word's outline),
`bbox` its bbox as [x, y, width, height], `area` its polygon's area, `iscrowd` 0, and the
transcription in `attributes.transcription`, as COCO-Text keeps it beside the geometry. An
image's id is its record index + 1 and a word's id is that id times 2^24 plus its number on the
image, so the files of all shards can be joined without renumbering.

The image entries stream into the file as records come, the annotations into an unnamed
temporary file beside it (on the same disk, and gone with the process however it ends) that is
appended when the shard closes, so memory stays flat; the file is renamed into place whole.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import ClassVar

import orjson

from ocrgen.atomic import StreamedFile, write_atomic
from ocrgen.renderer.output import EncodedSample, sample_stem
from ocrgen.renderer.planfile import Shard
from ocrgen.schemas.label import LABELS
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.quads import words

CATEGORY = {"id": 1, "name": "text", "supercategory": "text"}
WORDS_PER_IMAGE = 1 << 24  # room for a word's number inside its id


class CocoWriter:
    """Written by the parent in plan order; a resumed or repeated run writes the shard's file again."""

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.directory = out_dir / "coco"
        (self.directory / "images").mkdir(parents=True, exist_ok=True)
        self.image_format = image_format
        self.file = StreamedFile(self.directory / f"{shard.file_name('instances')}.json")
        self.file.write(b'{"info":{"description":"ocrgen"},"categories":[' + orjson.dumps(CATEGORY) + b'],"images":[')
        self.annotations = tempfile.TemporaryFile(dir=self.directory)  # noqa: SIM115 closed by close or abort; unnamed
        self.images = 0
        self.words = 0

    def write(self, sample: EncodedSample) -> None:
        label = LABELS.validate_json(sample.label)
        name = f"{sample_stem(sample.index)}.{self.image_format}"
        write_atomic(self.directory / "images" / name, sample.image)
        image_id = sample.index + 1
        image = {"id": image_id, "file_name": f"images/{name}", "width": label.width, "height": label.height}
        self.file.write((b"," if self.images else b"") + orjson.dumps(image))
        self.images += 1
        for number, word in enumerate(words(label)):
            x0, y0, x1, y1 = word.bbox
            annotation = {
                "id": image_id * WORDS_PER_IMAGE + number,
                "image_id": image_id,
                "category_id": CATEGORY["id"],
                "segmentation": [[value for point in word.polygon for value in point]],
                "area": round(_area(word.polygon), 2),
                "bbox": [x0, y0, x1 - x0, y1 - y0],
                "iscrowd": 0,
                "attributes": {"transcription": word.text},
            }
            self.annotations.write((b"," if self.words else b"") + orjson.dumps(annotation))
            self.words += 1

    def is_complete(self, index: int) -> bool:
        """Resume writes the shard again: its file appears only when it is done."""
        return False

    def close(self) -> None:
        self.file.write(b'],"annotations":[')
        self.annotations.seek(0)
        shutil.copyfileobj(self.annotations, self.file.handle)
        self.annotations.close()
        self.file.write(b"]}")
        self.file.commit()

    def abort(self) -> None:
        """The images written are final; the JSON file, not yet in place, goes with the run."""
        self.annotations.close()
        self.file.discard()


def _area(polygon: list[tuple[float, float]]) -> float:
    """The shoelace formula: the area a simple polygon encloses."""
    twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True))
    return abs(twice) / 2
