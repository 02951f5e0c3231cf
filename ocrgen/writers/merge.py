"""Merge the per-shard containers of a sharded render into the one container an unsharded render writes.

Shards are found by their `.shard-K-of-N` names; all N must be present and finished. The merged
container is built under a temporary name and renamed into place; the shard containers stay
where they are (delete them once the merge is checked). `hf/` hard-links the shards' images,
so it costs no extra disk and survives deleting the shard folders.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson

from ocrgen.atomic import recover_dir, replace_dir, write_atomic
from ocrgen.errors import OcrgenError
from ocrgen.renderer.planfile import Shard

SHARD_NAME = re.compile(r"\.shard-(\d{5})-of-(\d{5})")
COMMIT_EVERY = 1000  # samples per LMDB write transaction, as the writer does


class MergeError(OcrgenError):
    """Shards missing, unfinished or of different runs: nothing to merge safely."""

    exit_code = 2


def find_shards(directory: Path, stem: str, suffix: str, finished: Callable[[Path], bool]) -> list[Path]:
    """Every shard's `stem.shard-K-of-N<suffix>` in shard order; raises naming the first one missing or unfinished."""
    found = {
        (int(m[1]), int(m[2]))
        for p in directory.glob(f"{stem}.shard-*-of-*{suffix}")
        if (m := SHARD_NAME.fullmatch(p.name[len(stem) : len(p.name) - len(suffix)]))
    }
    counts = sorted({n for _, n in found})
    if not counts:
        raise MergeError(f"no {stem}.shard-K-of-N{suffix} in {directory}")
    if len(counts) > 1:
        raise MergeError(f"{directory} holds {stem} shards of different runs (of {', '.join(map(str, counts))})")
    paths = [directory / Shard(k, counts[0]).file_name(stem, suffix) for k in range(counts[0])]
    for k, path in enumerate(paths):
        if not finished(path):
            state = "unfinished" if path.exists() else "missing"
            raise MergeError(f"shard {k}/{counts[0]} is {state}: {path}")
    return paths


def merge_lmdb(out_dir: Path) -> int:
    """Copy every shard's samples into `lmdb/`, renumbered from 1 in shard (plan) order."""
    import lmdb  # the optional extra; only this writer needs it

    from ocrgen.writers.lmdb import MAP_SIZE

    shards = find_shards(out_dir, "lmdb", "", lambda p: (p / "data.mdb").is_file())
    temporary = out_dir / ".lmdb.merge.tmp"
    shutil.rmtree(temporary, ignore_errors=True)  # left by a killed merge
    recover_dir(out_dir / "lmdb")
    target = lmdb.open(str(temporary), map_size=MAP_SIZE, sync=False, metasync=False)
    txn, count = target.begin(write=True), 0
    for shard in shards:
        source = lmdb.open(str(shard), readonly=True, lock=False, readahead=False, meminit=False)
        with source.begin() as read:
            for i in range(1, int(read.get(b"num-samples")) + 1):
                count += 1
                txn.put(b"image-%09d" % count, read.get(b"image-%09d" % i))
                txn.put(b"label-%09d" % count, read.get(b"label-%09d" % i))
                if count % COMMIT_EVERY == 0:
                    txn.commit()
                    txn = target.begin(write=True)
        source.close()
    txn.put(b"num-samples", str(count).encode())
    txn.commit()
    target.sync(True)
    target.close()
    replace_dir(temporary, out_dir / "lmdb")
    return count


def merge_paddleocr(out_dir: Path) -> int:
    """Concatenate the shards' `rec_gt` and `det_gt` files in shard order; the images are already shared."""
    directory = out_dir / "paddleocr"
    det = find_shards(directory, "det_gt", ".txt", Path.is_file)
    rec = find_shards(directory, "rec_gt", ".txt", Path.is_file)
    write_atomic(directory / "rec_gt.txt", b"".join(p.read_bytes() for p in rec))
    det_text = b"".join(p.read_bytes() for p in det)
    write_atomic(directory / "det_gt.txt", det_text)
    return det_text.count(b"\n")


def merge_hf(out_dir: Path) -> int:
    """One imagefolder `hf/`: the shards' images hard-linked in, their metadata rows concatenated in shard order.

    Image names carry the record index, so they never collide across shards and `file_name`
    (relative to the folder holding `metadata.jsonl`) stays as each shard wrote it.
    """
    shards = find_shards(out_dir, "hf", "", lambda p: (p / "metadata.jsonl").is_file())
    temporary = out_dir / ".hf.merge.tmp"
    shutil.rmtree(temporary, ignore_errors=True)  # left by a killed merge
    recover_dir(out_dir / "hf")
    temporary.mkdir()
    rows: list[bytes] = []
    for shard in shards:
        for line in (shard / "metadata.jsonl").read_bytes().splitlines():
            name = orjson.loads(line)["file_name"]
            os.link(shard / name, temporary / name)  # raises if two shards hold the same name
            rows.append(line + b"\n")
    write_atomic(temporary / "metadata.jsonl", b"".join(rows))
    replace_dir(temporary, out_dir / "hf")
    return len(rows)


MERGERS: dict[str, Callable[[Path], int]] = {"hf": merge_hf, "lmdb": merge_lmdb, "paddleocr": merge_paddleocr}
