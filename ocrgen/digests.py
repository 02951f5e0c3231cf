"""The sha256 of a file, hashed once per version of it.

Asset references, the luminance and coverage caches and render checkpoints all name files by
their content. The hash is kept per (path, inode, size, mtime), so a file is read again only when it
changes, and memory stays bounded. The inode is part of the key: files written atomically (a
temporary renamed into place, as ocrgen writes plans) get a new one each time, even when size and
mtime come out the same.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


def file_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=65536)
def _sha256(path: str, inode: int, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
