"""One LMDB per shard in the layout deep-text-recognition-benchmark, PARSeq and PaddleOCR's LMDBDataSet read.

Keys: `image-%09d` (encoded image bytes), `label-%09d` (text, UTF-8), `num-samples` (ASCII
count); indices from 1 in the order records are written (plan order). With `split_lines` each
line of a record is a sample of its own, numbered on in the same way. The database is built
under a temporary name (`.lmdb.PID.tmp`) and swapped into place when closed, so a reader finds
a complete one, old or new.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import lmdb

from ocrgen.atomic import recover_dir, replace_dir, stale_temporaries, temporary_path
from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.lines import split_lines

# Address space LMDB reserves, not disk: the data file grows only as written. 1 TiB holds any one shard.
MAP_SIZE = 1 << 40
COMMIT_EVERY = 1000  # samples per write transaction, so dirty pages never pile up in memory


class LmdbWriter:
    """Written by the parent in plan order; a resumed or repeated run builds the shard's database again."""

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.path = out_dir / shard.file_name("lmdb")
        for stale in stale_temporaries(self.path):  # left by a killed run
            shutil.rmtree(stale, ignore_errors=True)
        self.temporary = temporary_path(self.path)
        recover_dir(self.path)
        self.env = lmdb.open(str(self.temporary), map_size=MAP_SIZE, sync=False, metasync=False)
        self.txn = self.env.begin(write=True)
        self.count = 0
        self.image_format, self.split_lines = image_format, spec.split_lines

    def write(self, sample: EncodedSample) -> None:
        if self.split_lines:
            for line in split_lines(sample, self.image_format):
                self._put(line.image, line.text)
        else:
            self._put(sample.image, sample.text)

    def _put(self, image: bytes, text: str) -> None:
        self.count += 1
        self.txn.put(b"image-%09d" % self.count, image)
        self.txn.put(b"label-%09d" % self.count, text.encode())
        if self.count % COMMIT_EVERY == 0:
            self.txn.commit()
            self.txn = self.env.begin(write=True)

    def is_complete(self, index: int) -> bool:
        """Resume rebuilds the database: it is one file, finalised only when the whole shard is in."""
        return False

    def close(self) -> None:
        self.txn.put(b"num-samples", str(self.count).encode())
        self.txn.commit()
        self.env.sync(True)
        self.env.close()
        replace_dir(self.temporary, self.path)

    def abort(self) -> None:
        """The database being built goes; one from an earlier run stays as it was."""
        self.txn.abort()
        self.env.close()
        shutil.rmtree(self.temporary, ignore_errors=True)
