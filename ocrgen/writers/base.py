"""The writer protocol: one per shard, opened on an output dir, finalised atomically when closed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard


@dataclass(frozen=True)
class WriterSpec:
    """Which writer and its options; small and picklable, so render workers can open their own writer."""

    name: str = "files"
    subdirs: bool = False  # files: spread outputs over sub-directories
    samples_per_tar: int = 1000  # webdataset: samples per tar
    split_lines: bool = False  # recognition writers: one sample per line, vertical lines turned upright


class Writer(Protocol):
    """Stores a shard's samples; `close` finalises them, `abort` drops what a failed run had not finalised.

    Writers with `in_worker` store each record on its own, so render workers write from their
    I/O threads and resume skips records they report complete. The others hold one container
    per shard, written by the parent in plan order; they restart their shard when resumed.
    """

    in_worker: ClassVar[bool]

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None: ...

    def write(self, sample: EncodedSample) -> None: ...

    def is_complete(self, index: int) -> bool: ...

    def close(self) -> None: ...

    def abort(self) -> None:
        """A failed run: drop what is not final yet, so no temporary is left behind; final outputs stay."""
