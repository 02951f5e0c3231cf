"""One LMDB per shard in the layout deep-text-recognition-benchmark, PARSeq and PaddleOCR's LMDBDataSet read.

Keys: `image-%09d` (encoded image bytes), `label-%09d` (text, UTF-8), `num-samples` (ASCII
count); indices from 1 in the order records are written (plan order). With `split_lines` each
line of a record is a sample of its own, numbered on in the same way; so is each line of a page,
rectified (see `lines`). The database is built
under a temporary name (`.lmdb.PID.tmp`) and swapped into place when closed, so a reader finds
a complete one, old or new.
"""

from __future__ import annotations

import resource
import shutil
from pathlib import Path
from typing import ClassVar

import lmdb

from ocrgen.atomic import recover_dir, replace_dir, stale_temporaries, temporary_path
from ocrgen.errors import OcrgenError
from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.lines import split_lines

# Address space LMDB reserves, not disk: the data file grows only as written. 1 TiB holds any one shard.
MAP_SIZE = 1 << 40
COMMIT_EVERY = 1000  # samples per write transaction, so dirty pages never pile up in memory


class LmdbSpaceError(OcrgenError):
    """The database cannot have the address space it needs: `ulimit -v` is too low for it."""


def open_for_writing(path: Path) -> lmdb.Environment:
    """A new database at `path`, its map as large as the address space allows (see `map_size`)."""
    size = map_size()
    try:
        return lmdb.open(str(path), map_size=size, sync=False, metasync=False)
    except lmdb.MemoryError:
        shutil.rmtree(path, ignore_errors=True)
        raise LmdbSpaceError(_too_little(size)) from None


def map_size() -> int:
    """MAP_SIZE, or under an address-space limit (`ulimit -v`, common on clusters) half of what this process
    has left of it, in whole MiB: LMDB maps all of it at once, so a 1 TiB map fails under any such limit."""
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit == resource.RLIM_INFINITY:
        return MAP_SIZE
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    return max(min(MAP_SIZE, (limit - used) // 2) >> 20, 1) << 20


def _too_little(size: int) -> str:
    return (
        f"the LMDB database needs more than the {size >> 20} MiB of address space `ulimit -v` leaves it; "
        "raise the limit, or render in more shards (--shard K/N)"
    )


class LmdbWriter:
    """Written by the parent in plan order; a resumed or repeated run builds the shard's database again."""

    in_worker: ClassVar[bool] = False

    def __init__(self, out_dir: Path, shard: Shard, image_format: str, spec: WriterSpec) -> None:
        self.path = out_dir / shard.file_name("lmdb")
        for stale in stale_temporaries(self.path):  # left by a killed run
            shutil.rmtree(stale, ignore_errors=True)
        self.temporary = temporary_path(self.path)
        recover_dir(self.path)
        self.env = open_for_writing(self.temporary)
        self.txn = self.env.begin(write=True)
        self.count = 0
        self.image_format, self.split_lines = image_format, spec.split_lines

    def write(self, sample: EncodedSample) -> None:
        if self.split_lines or sample.page:
            for line in split_lines(sample, self.image_format):
                self._put(line.image, line.text)
        else:
            self._put(sample.image, sample.text)

    def _put(self, image: bytes, text: str) -> None:
        self.count += 1
        try:
            self.txn.put(b"image-%09d" % self.count, image)
            self.txn.put(b"label-%09d" % self.count, text.encode())
            if self.count % COMMIT_EVERY == 0:
                self.txn.commit()
                self.txn = self.env.begin(write=True)
        except lmdb.MapFullError:
            raise LmdbSpaceError(_too_little(self.env.info()["map_size"])) from None

    def is_complete(self, index: int) -> bool:
        """Resume rebuilds the database: it is one file, finalised only when the whole shard is in."""
        return False

    def close(self) -> None:
        try:
            self.txn.put(b"num-samples", str(self.count).encode())
            self.txn.commit()
        except lmdb.MapFullError:
            self.abort()
            raise LmdbSpaceError(_too_little(self.env.info()["map_size"])) from None
        self.env.sync(True)
        self.env.close()
        replace_dir(self.temporary, self.path)

    def abort(self) -> None:
        """The database being built goes; one from an earlier run stays as it was."""
        self.txn.abort()
        self.env.close()
        shutil.rmtree(self.temporary, ignore_errors=True)
