"""An image and a JSON label per record, optionally spread over sub-directories."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.resume import is_complete
from ocrgen.writers.base import WriterSpec

RECORDS_PER_SUBDIR = 5000  # two files a record: at most 10,000 files per directory


def subdir_name(index: int) -> str:
    return f"{index // RECORDS_PER_SUBDIR:05d}"


class FilesWriter:
    """Each record's files are renamed into place on their own: any worker may write them, resume is per record."""

    in_worker: ClassVar[bool] = True

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.out_dir, self.image_format, self.subdirs = out_dir, image_format, spec.subdirs

    def directory(self, index: int) -> Path:
        return self.out_dir / subdir_name(index) if self.subdirs else self.out_dir

    def write(self, sample: EncodedSample) -> None:
        if self.subdirs:
            directory = self.directory(sample.index)
            directory.mkdir(exist_ok=True)
            sample = replace(
                sample, image_path=directory / sample.image_path.name, label_path=directory / sample.label_path.name
            )
        sample.write()

    def is_complete(self, index: int) -> bool:
        return is_complete(self.directory(index), index, self.image_format)

    def close(self) -> None:
        """Every file is already final."""

    def abort(self) -> None:
        """Every file written is final; nothing else is on disk."""
