"""A sharded render's shards, found and checked before a merge reads them: all finished, of one plan, whole.

A shard's checkpoint says how many records its container was given (the container writers
write a shard again on resume, so that is `total - failed`); its container must hold that
many, whole, under the names the writer gives them. A shard that does not is refused, naming
it, before the merge writes a byte: merged as it is, it would add empty or missing records,
run out of memory, or crash the merge (an LMDB is read through a memory map, so a truncated
file is a SIGBUS, not an error).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import orjson

from ocrgen.errors import OcrgenError
from ocrgen.renderer.output import IMAGE_FORMATS
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.resume import checkpoint_name

SHARD_NAME = re.compile(r"\.shard-(\d{5})-of-(\d{5})")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTENSION = "|".join(IMAGE_FORMATS)
HF_IMAGE = re.compile(rf"image_(\d{{8,}})\.(?:{_EXTENSION})")  # sample_stem: the record index, 8+ digits
PADDLE_DET_IMAGE = re.compile(rf"images/image_(\d{{8,}})\.(?:{_EXTENSION})")
PADDLE_REC_IMAGE = re.compile(rf"images/image_(\d{{8,}})(?:_l\d+)?\.(?:{_EXTENSION})")  # `_l<k>`: a line crop


class MergeError(OcrgenError):
    """Shards missing, unfinished, damaged or of different runs: nothing to merge safely."""

    exit_code = 2


def find_shards(directory: Path, stem: str, suffix: str, present: Callable[[Path], bool]) -> list[Path]:
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
        if not present(path):
            state = "unfinished" if path.exists() else "missing"
            raise MergeError(f"shard {k}/{counts[0]} is {state}: {path}")
    return paths


@dataclass(frozen=True)
class ShardRun:
    """A finished shard's container and how many records its checkpoint says were written into it."""

    path: Path
    shard: Shard
    plan_sha256: str
    records: int

    def refuse(self, problem: str) -> MergeError:
        return _refusal(self.path, self.shard, problem)


def _refusal(path: Path, shard: Shard, problem: str) -> MergeError:
    k, n = shard.index, shard.count
    return MergeError(f"shard {k}/{n} {problem}: {path}; render it again with --shard {k}/{n}")


def checked_runs(out_dir: Path, paths: list[Path]) -> list[ShardRun]:
    """Each shard's checkpoint read and checked: finished, adding up, and of the same plan as shard 0."""
    runs = [_read_checkpoint(out_dir, path, Shard(k, len(paths))) for k, path in enumerate(paths)]
    for run in runs[1:]:
        if run.plan_sha256 != runs[0].plan_sha256:
            raise run.refuse(
                f"was rendered from another plan than shard 0/{len(runs)} "
                f"(plan sha256 {run.plan_sha256[:12]}… vs {runs[0].plan_sha256[:12]}…)"
            )
    return runs


def _read_checkpoint(out_dir: Path, path: Path, shard: Shard) -> ShardRun:
    name = checkpoint_name(shard)
    try:
        data = orjson.loads((out_dir / name).read_bytes())
    except FileNotFoundError:
        raise _refusal(path, shard, f"has no checkpoint {name}") from None
    except (OSError, orjson.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        raise _refusal(path, shard, f"has an unreadable checkpoint {name}")
    for key in ("total", "done", "rendered", "skipped", "failed"):
        if not _is_count(data.get(key)):
            raise _refusal(path, shard, f"has a damaged checkpoint {name}: {key} is {data.get(key)!r}")
    sha = data.get("plan_sha256")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise _refusal(path, shard, f"has a damaged checkpoint {name}: plan_sha256 is {sha!r}")
    if data.get("shard") != f"{shard.index}/{shard.count}":
        raise _refusal(path, shard, f"has a checkpoint {name} for shard {data.get('shard')!r}")
    if data.get("finished") is not True:
        raise _refusal(path, shard, f"is unfinished (checkpoint {name})")
    total, failed = data["total"], data["failed"]
    if data["done"] != total or data["rendered"] + data["skipped"] + failed != total:
        raise _refusal(path, shard, f"has a checkpoint {name} whose counts do not add up")
    return ShardRun(path, shard, sha, total - failed)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_lmdb(run: ShardRun) -> None:
    """The file as long as its pages say (checked before any page is read), `num-samples` as written,
    and exactly the keys `image-%09d` and `label-%09d` for 1 … n plus `num-samples`."""
    import lmdb  # the optional extra; asked for only by `merge --writer lmdb`

    n = run.records
    try:
        env = lmdb.open(str(run.path), readonly=True, lock=False, readahead=False, meminit=False)
    except lmdb.Error as error:
        raise run.refuse(f"is not a readable LMDB ({error.__class__.__name__})") from None
    try:
        needed = (env.info()["last_pgno"] + 1) * env.stat()["psize"]
        size = os.path.getsize(run.path / "data.mdb")
        if size < needed:
            raise run.refuse(f"has a truncated data.mdb ({size} bytes of the {needed} its pages need)")
        with env.begin(buffers=True) as txn:
            value = txn.get(b"num-samples")
            if value is None or bytes(value[:21]) != str(n).encode():
                shown = "missing" if value is None else repr(bytes(value[:21]))
                raise run.refuse(f"has num-samples {shown}, but its checkpoint says {n} records were written")
            entries = env.stat()["entries"]
            if entries != 2 * n + 1:
                raise run.refuse(f"holds {entries} keys, not the {2 * n + 1} of {n} records")
            expected = chain(
                (b"image-%09d" % i for i in range(1, n + 1)),
                (b"label-%09d" % i for i in range(1, n + 1)),
                [b"num-samples"],
            )
            keys = txn.cursor().iternext(keys=True, values=False)
            for want in expected:
                key = next(keys, None)
                if key is None or bytes(key) != want:
                    raise run.refuse(f"lacks key {want.decode()}")
    except lmdb.Error as error:
        raise run.refuse(f"is a damaged LMDB ({error.__class__.__name__})") from None
    finally:
        env.close()


def check_hf(run: ShardRun) -> range:
    """`metadata.jsonl` whole, one JSON object a line naming an image of this folder, in plan order, each present;
    as many rows as records. Returns the record indices it spans, for the shards' order to be checked."""
    span = _Span(run)
    for number, line in _lines(run, run.path / "metadata.jsonl"):
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise run.refuse(f"has metadata.jsonl line {number} that is not JSON") from None
        name = row.get("file_name") if isinstance(row, dict) else None
        match = HF_IMAGE.fullmatch(name) if isinstance(name, str) else None
        if match is None or not isinstance(row.get("text"), str):
            raise run.refuse(f"has metadata.jsonl line {number} without a file_name image_NNNNNNNN.png and a text")
        span.add(int(match[1]), f"metadata.jsonl line {number}")
        if not (run.path / match[0]).is_file():
            raise run.refuse(f"lacks the image {match[0]} that metadata.jsonl line {number} names")
    return span.indices("metadata.jsonl rows")


def check_paddleocr(run: ShardRun, rec: Path) -> range:
    """`det_gt` (at `run.path`) and `rec` whole, every line `image path<TAB>text or JSON` naming an image that is
    there; det in plan order, one line per record; rec only for det's records. Returns the indices det spans."""
    span = _Span(run)
    for number, index, words in _label_lines(run, run.path, PADDLE_DET_IMAGE):
        try:
            parsed = orjson.loads(words)
        except orjson.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, list):
            raise run.refuse(f"has {run.path.name} line {number} whose words are not a JSON list")
        span.add(index, f"{run.path.name} line {number}")
    indices = span.indices(f"{run.path.name} lines")
    for number, index, _ in _label_lines(run, rec, PADDLE_REC_IMAGE):
        if index not in indices:
            raise run.refuse(f"has {rec.name} line {number} for record {index}, which {run.path.name} does not list")
    return indices


def _lines(run: ShardRun, path: Path) -> Iterator[tuple[int, bytes]]:
    """Numbered lines of a label file, streamed; a last line without its newline means the file was cut short."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 closed below; `with` cannot wrap only the open
    except OSError as error:
        raise run.refuse(f"has no readable {path.name} ({error.strerror})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                raise run.refuse(f"has {path.name} cut short at line {number}")
            yield number, line


def _label_lines(run: ShardRun, path: Path, image: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    """(line number, record index, rest) per line of a PaddleOCR label file, its image path well formed and present."""
    for number, raw in _lines(run, path):
        try:
            relative, tab, text = raw.decode().rstrip("\n").partition("\t")
        except UnicodeDecodeError:
            raise run.refuse(f"has {path.name} line {number} that is not UTF-8") from None
        match = image.fullmatch(relative) if tab else None
        if match is None:
            raise run.refuse(f"has {path.name} line {number} that is not images/image_NNNNNNNN.png<TAB>…")
        if not (path.parent / relative).is_file():
            raise run.refuse(f"lacks the image {relative} that {path.name} line {number} names")
        yield number, int(match[1]), text


@dataclass
class _Span:
    """The first and last record index a label file lists, and how many: memory stays flat however long the shard."""

    run: ShardRun
    first: int = 0
    last: int = 0
    count: int = 0

    def add(self, index: int, where: str) -> None:
        if self.count and index <= self.last:
            raise self.run.refuse(f"has {where} for record {index}, repeated or out of plan order")
        self.first = index if not self.count else self.first
        self.last, self.count = index, self.count + 1

    def indices(self, what: str) -> range:
        """The indices spanned, once the count is checked against the checkpoint."""
        if self.count != self.run.records:
            raise self.run.refuse(
                f"has {self.count} {what}, but its checkpoint says {self.run.records} records were written"
            )
        return range(self.first, self.last + 1) if self.count else range(0)


def check_order(runs: list[ShardRun], spans: list[range]) -> None:
    """Shards list disjoint records in shard order, as the plan does: merged, no name is taken twice."""
    last = -1
    for run, span in zip(runs, spans, strict=True):
        if span and span.start <= last:
            raise run.refuse(f"lists records from {span.start}, which an earlier shard lists too (up to {last})")
        last = span.stop - 1 if span else last
