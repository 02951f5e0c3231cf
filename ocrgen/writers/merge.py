"""Merge the per-shard containers of a sharded render into the one container an unsharded render writes.

Shards are found by their `.shard-K-of-N` names; all N must be present, finished and whole
(see `shards`), or nothing is written. The merged
container is built under a temporary name and renamed into place; the shard containers stay
where they are (delete them once the merge is checked). `hf/` hard-links the shards' images,
so it costs no extra disk and survives deleting the shard folders.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson

from ocrgen.atomic import recover_dir, replace_dir
from ocrgen.writers.shards import check_hf, check_lmdb, check_order, check_paddleocr, checked_runs, find_shards

COMMIT_EVERY = 1000  # samples per LMDB write transaction, as the writer does


def merge_lmdb(out_dir: Path) -> int:
    """Copy every shard's samples into `lmdb/`, renumbered from 1 in shard (plan) order."""
    import lmdb  # the optional extra; only this writer needs it

    from ocrgen.writers.lmdb import LmdbSpaceError, open_for_writing

    runs = checked_runs(out_dir, find_shards(out_dir, "lmdb", "", lambda p: (p / "data.mdb").is_file()), "lmdb")
    samples = [check_lmdb(run) for run in runs]
    temporary = out_dir / ".lmdb.merge.tmp"
    shutil.rmtree(temporary, ignore_errors=True)  # left by a killed merge
    recover_dir(out_dir / "lmdb")
    target = open_for_writing(temporary)
    txn, count = target.begin(write=True), 0
    try:
        for run, n in zip(runs, samples, strict=True):
            source = lmdb.open(str(run.path), readonly=True, lock=False, readahead=False, meminit=False)
            with source.begin() as read:
                for i in range(1, n + 1):
                    count += 1
                    for kind in (b"image", b"label"):  # check_lmdb saw every key of 1..n
                        txn.put(b"%s-%09d" % (kind, count), read.get(b"%s-%09d" % (kind, i)) or b"")
                    if count % COMMIT_EVERY == 0:
                        txn.commit()
                        txn = target.begin(write=True)
            source.close()
        txn.put(b"num-samples", str(count).encode())
        txn.commit()
    except lmdb.MapFullError:
        size = target.info()["map_size"]
        txn.abort()
        target.close()
        shutil.rmtree(temporary)
        raise LmdbSpaceError(
            f"the merged LMDB needs more than the {size >> 20} MiB of address space `ulimit -v` leaves it; "
            "raise the limit"
        ) from None
    target.sync(True)
    target.close()
    replace_dir(temporary, out_dir / "lmdb")
    return count


def merge_paddleocr(out_dir: Path) -> int:
    """Concatenate the shards' `rec_gt` and `det_gt` files in shard order; the images are already shared."""
    directory = out_dir / "paddleocr"
    runs = checked_runs(out_dir, find_shards(directory, "det_gt", ".txt", Path.is_file), "paddleocr")
    rec = [directory / run.shard.file_name("rec_gt", ".txt") for run in runs]
    check_order(runs, [check_paddleocr(run, path) for run, path in zip(runs, rec, strict=True)])
    _concatenate(rec, directory / "rec_gt.txt")
    _concatenate([run.path for run in runs], directory / "det_gt.txt")
    return sum(run.records for run in runs)


def _concatenate(parts: list[Path], final: Path) -> None:
    """`parts` one after the other into `final`, streamed, under a temporary name renamed into place."""
    temporary = final.with_name(f".{final.name}.merge.tmp")
    try:
        with open(temporary, "wb") as out:
            for part in parts:
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, out)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def merge_hf(out_dir: Path) -> int:
    """One imagefolder `hf/`: the shards' images hard-linked in, their metadata rows concatenated in shard order.

    Image names carry the record index, so they never collide across shards (checked) and
    `file_name` (relative to the folder holding `metadata.jsonl`) stays as each shard wrote it.
    """
    runs = checked_runs(out_dir, find_shards(out_dir, "hf", "", lambda p: (p / "metadata.jsonl").is_file()), "hf")
    check_order(runs, [check_hf(run) for run in runs])
    temporary = out_dir / ".hf.merge.tmp"
    shutil.rmtree(temporary, ignore_errors=True)  # left by a killed merge
    recover_dir(out_dir / "hf")
    temporary.mkdir()
    count = 0
    with open(temporary / "metadata.jsonl", "wb") as metadata:
        for run in runs:
            with open(run.path / "metadata.jsonl", "rb") as rows:
                for row in rows:
                    name = orjson.loads(row)["file_name"]
                    os.link(run.path / name, temporary / name)
                    metadata.write(row)
                    count += 1
    replace_dir(temporary, out_dir / "hf")
    return count
