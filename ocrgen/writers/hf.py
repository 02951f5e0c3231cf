"""A HuggingFace imagefolder: images plus `metadata.jsonl` (`file_name`, then the label's fields).

One folder per shard, `hf/` for a whole plan and `hf.shard-K-of-N/` with `--shard K/N`, each with
its own `metadata.jsonl`, so each loads on its own with `datasets.load_dataset("imagefolder",
data_dir=...)`. The nested label fields (`bboxes`, `characters`, `words`, `lines`, `plan`) are
stored as JSON strings: their shapes vary from record to record, which Arrow's schema inference
would not accept. With `split_lines` each line of a record (and of a page, always, rectified: see
`lines`) is a row of its own (`image_%08d_l<k>`), with `text`, `width`, `height`, the record `index`
and its `line` number.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import orjson

from ocrgen.atomic import StreamedFile, write_atomic
from ocrgen.renderer.output import EncodedSample, sample_stem
from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.lines import line_label, split_lines

FLAT_FIELDS = ("text", "width", "height")


class HfWriter:
    """Images are written as they come; `metadata.jsonl` rows stream, in plan order, to its temporary name,
    renamed into place when the shard closes, so memory stays flat however long the shard.

    Written by the parent; a resumed or repeated run writes the shard again.
    """

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.directory = out_dir / shard.file_name("hf")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.metadata = StreamedFile(self.directory / "metadata.jsonl")
        self.image_format, self.split_lines = image_format, spec.split_lines

    def write(self, sample: EncodedSample) -> None:
        if self.split_lines or sample.page:
            for line in split_lines(sample, self.image_format):
                name = f"{sample_stem(sample.index)}{line.suffix}.{self.image_format}"
                write_atomic(self.directory / name, line.image)
                self.metadata.write(orjson.dumps({"file_name": name, **line_label(sample.index, line)}) + b"\n")
            return
        write_atomic(self.directory / sample.image_path.name, sample.image)
        label = orjson.loads(sample.label)
        row = {"file_name": sample.image_path.name}
        row.update({k: v if k in FLAT_FIELDS else orjson.dumps(v).decode() for k, v in label.items()})
        self.metadata.write(orjson.dumps(row) + b"\n")

    def is_complete(self, index: int) -> bool:
        """Resume writes the shard again: its metadata appears only when it is done."""
        return False

    def close(self) -> None:
        self.metadata.commit()

    def abort(self) -> None:
        """The images written are final; the metadata, not yet in place, goes with the run."""
        self.metadata.discard()
