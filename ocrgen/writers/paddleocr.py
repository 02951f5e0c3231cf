"""PaddleOCR's SimpleDataSet label files: `rec_gt.txt` for recognition, `det_gt.txt` for detection.

Everything lives under `<out>/paddleocr/`, which is the `data_dir`: label paths are relative to
it (`images/image_%08d.png`). Recognition wants one line per image, so a multi-line record
contributes its lines cropped to their bboxes (`images/image_%08d_l<k>.png`) to `rec_gt.txt`;
detection lists the whole image with one entry per word. Tabs in a text become spaces, since
the tab separates path from text. With `split_lines`, vertical lines are turned to read left to
right (see `lines`), a record of one vertical line too (`_l0`). A page contributes every line of
every text on it, rectified (see `lines`), to `rec_gt.txt`, and every word of every text to `det_gt.txt`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from ocrgen.atomic import StreamedFile, write_atomic
from ocrgen.renderer.output import EncodedSample, sample_stem
from ocrgen.renderer.planfile import Shard
from ocrgen.schemas.label import LABELS
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.lines import line_images
from ocrgen.writers.quads import quad, words


class PaddleOcrWriter:
    """Images are written as they come; the label files stream to their temporary names, renamed into place
    when the shard closes, so memory stays flat however long the shard.

    Written by the parent in plan order; a resumed or repeated run writes the shard again.
    """

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.directory = out_dir / "paddleocr"
        (self.directory / "images").mkdir(parents=True, exist_ok=True)
        self.image_format, self.upright = image_format, spec.split_lines
        self.rec = StreamedFile(self.directory / f"{shard.file_name('rec_gt')}.txt")
        self.det = StreamedFile(self.directory / f"{shard.file_name('det_gt')}.txt")

    def write(self, sample: EncodedSample) -> None:
        label = LABELS.validate_json(sample.label)
        stem = sample_stem(sample.index)
        for line in line_images(sample.image, label, self.image_format, self.upright):
            relative = f"images/{stem}{line.suffix}.{self.image_format}"
            if line.suffix:
                write_atomic(self.directory / relative, line.image)
            self.rec.write(f"{relative}\t{line.text.replace(chr(9), ' ')}\n".encode())
        relative = f"images/{stem}.{self.image_format}"
        write_atomic(self.directory / relative, sample.image)
        entries = [{"transcription": w.text.replace("\t", " "), "points": quad(w)} for w in words(label)]
        self.det.write(f"{relative}\t{json.dumps(entries, ensure_ascii=False)}\n".encode())

    def is_complete(self, index: int) -> bool:
        """Resume writes the shard again: its label files appear only when it is done."""
        return False

    def close(self) -> None:
        self.rec.commit()
        self.det.commit()

    def abort(self) -> None:
        """The images written are final; the label files, not yet in place, go with the run."""
        self.rec.discard()
        self.det.discard()
