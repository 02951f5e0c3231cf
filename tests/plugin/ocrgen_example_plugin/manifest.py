"""A writer for a trainer that reads one TSV manifest per shard: image path, tab, text."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ocrgen.atomic import write_atomic
from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import WriterSpec


class ManifestWriter:
    in_worker: ClassVar[bool] = False  # one manifest per shard, written by the parent in plan order

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.images = out_dir / "manifest" / "images"
        self.images.mkdir(parents=True, exist_ok=True)
        self.final = out_dir / "manifest" / shard.file_name("labels", ".tsv")
        self.temporary = self.final.with_name(f".{self.final.name}.tmp")
        self.rows = self.temporary.open("w", encoding="utf-8")

    def write(self, sample: EncodedSample) -> None:
        image = self.images / sample.image_path.name
        write_atomic(image, sample.image)
        self.rows.write(f"images/{image.name}\t{sample.text.replace(chr(10), ' ')}\n")

    def is_complete(self, index: int) -> bool:
        return False  # the manifest is rewritten whole when a shard is resumed

    def close(self) -> None:
        self.rows.close()
        self.temporary.replace(self.final)

    def abort(self) -> None:
        self.rows.close()
        self.temporary.unlink(missing_ok=True)
