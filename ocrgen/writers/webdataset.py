"""WebDataset tar shards: `<key>.png|jpg` (image), `<key>.txt` (text) and `<key>.json` (label) per
sample.

Each render shard writes its own directory of `shard-%06d.tar`, a new tar every `samples_per_tar`
samples, in plan order; keys are the record index (`%08d`, no dots). With `split_lines` each line of
a record (and of a page, always, rectified: see `lines`) is a sample: key `%08d_l<k>` (the record's
own key when it is one horizontal line), its `.json` the record index, line number and size. Each
tar is written under a temporary name (`.shard-%06d.tar.PID.tmp`) and renamed when full, with fixed
metadata so that the same plan gives the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tarfile
from pathlib import Path
from typing import ClassVar

import orjson

from ocrgen.atomic import temporary_path
from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.lines import line_label, split_lines

_TEMPORARY = re.compile(r"\.shard-\d{6}\.tar\.\d+\.tmp")  # `temporary_path` of a tar


class WebDatasetWriter:
    """Written by the parent in plan order; a resumed or repeated run writes the shard's tars again."""

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.directory = out_dir / shard.file_name("webdataset")
        self.directory.mkdir(parents=True, exist_ok=True)
        for leftover in self.directory.iterdir():  # left by a killed run, of any process
            if _TEMPORARY.fullmatch(leftover.name):
                leftover.unlink()
        self.image_format, self.samples_per_tar, self.split_lines = image_format, spec.samples_per_tar, spec.split_lines
        self.written: list[Path] = []
        self.tar: tarfile.TarFile | None = None
        self.in_tar = 0

    def write(self, sample: EncodedSample) -> None:
        if not (self.split_lines or sample.page):
            self._add(f"{sample.index:08d}", sample.image, sample.text, sample.label)
            return
        for line in split_lines(sample, self.image_format):
            label = orjson.dumps(line_label(sample.index, line))
            self._add(f"{sample.index:08d}{line.suffix}", line.image, line.text, label)

    def _add(self, key: str, image: bytes, text: str, label: bytes) -> None:
        if self.tar is None:
            self.tar = tarfile.open(self._temporary(len(self.written)), "w", format=tarfile.USTAR_FORMAT)  # noqa: SIM115 closed when full
        for extension, data in ((self.image_format, image), ("txt", text.encode()), ("json", label)):
            info = tarfile.TarInfo(f"{key}.{extension}")
            info.size, info.mode = len(data), 0o644
            self.tar.addfile(info, io.BytesIO(data))
        self.in_tar += 1
        if self.in_tar == self.samples_per_tar:
            self._finish_tar()

    def is_complete(self, index: int) -> bool:
        """Resume writes the tars again: a tar is renamed into place only once full."""
        return False

    def close(self) -> None:
        if self.tar is not None:
            self._finish_tar()
        for stale in self.directory.glob("shard-*.tar"):  # from an earlier run that made more tars
            if stale not in self.written:
                stale.unlink()

    def abort(self) -> None:
        """The tar being filled goes; full tars are final."""
        if self.tar is not None:
            with contextlib.suppress(OSError):  # a full disk cannot take the tar's end, which is dropped anyway
                self.tar.close()
            self._temporary(len(self.written)).unlink(missing_ok=True)
            self.tar = None

    def _temporary(self, number: int) -> Path:
        return temporary_path(self._final(number))

    def _final(self, number: int) -> Path:
        return self.directory / f"shard-{number:06d}.tar"

    def _finish_tar(self) -> None:
        assert self.tar is not None
        self.tar.close()
        number = len(self.written)
        final = self._final(number)
        os.replace(self._temporary(number), final)
        self.written.append(final)
        self.tar, self.in_tar = None, 0
