"""A sharded render's shards, found and checked before a merge reads them: all finished, of one plan, whole.

A shard's checkpoint says how many records its container was given (the container writers
write a shard again on resume, so that is `total - failed`). Its container must be whole and
hold those records under the names the writer gives them: one `det_gt` line per record, one
`metadata.jsonl` row per record (one per line, at most that many records, with
`--split-lines`); an LMDB's `num-samples` must count exactly its keys, since with
`--split-lines` its samples are lines, which the checkpoint does not count. A shard that
fails is refused, naming it, before the merge writes a byte: merged as it is, it would add
empty or missing records, run out of memory, or crash the merge (an LMDB is read through a
memory map, so a truncated file is a SIGBUS, not an error).
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
_COUNT = re.compile(rb"0|[1-9][0-9]{0,18}")
_EXTENSION = "|".join(IMAGE_FORMATS)
_LINE = r"(?:_l(\d+))?"  # `_l<k>`: line k of the record, cropped (a multi-line record, or `--split-lines`)
HF_IMAGE = re.compile(rf"image_(\d{{8,}}){_LINE}\.(?:{_EXTENSION})")  # sample_stem: the record index, 8+ digits
PADDLE_DET_IMAGE = re.compile(rf"images/image_(\d{{8,}})\.(?:{_EXTENSION})")
PADDLE_REC_IMAGE = re.compile(rf"images/image_(\d{{8,}}){_LINE}\.(?:{_EXTENSION})")


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


def checked_runs(out_dir: Path, paths: list[Path], writer: str) -> list[ShardRun]:
    """Each shard's checkpoint read and checked: finished, by `writer`, adding up, and of the same plan as shard 0."""
    runs = [_read_checkpoint(out_dir, path, Shard(k, len(paths)), writer) for k, path in enumerate(paths)]
    for run in runs[1:]:
        if run.plan_sha256 != runs[0].plan_sha256:
            raise run.refuse(
                f"was rendered from another plan than shard 0/{len(runs)} "
                f"(plan sha256 {run.plan_sha256[:12]}… vs {runs[0].plan_sha256[:12]}…)"
            )
    return runs


def _read_checkpoint(out_dir: Path, path: Path, shard: Shard, writer: str) -> ShardRun:
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
    if data.get("writer", writer) != writer:  # checkpoints name their writer since output settings are recorded
        raise _refusal(path, shard, f"has a checkpoint {name} of a render with --writer {data.get('writer')}")
    if data.get("finished") is not True:
        raise _refusal(path, shard, f"is unfinished (checkpoint {name})")
    total, failed = data["total"], data["failed"]
    if data["done"] != total or data["rendered"] + data["skipped"] + failed != total:
        raise _refusal(path, shard, f"has a checkpoint {name} whose counts do not add up")
    return ShardRun(path, shard, sha, total - failed)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_lmdb(run: ShardRun) -> int:
    """The file as long as its pages say (checked before any page is read), then `num-samples` a plain count n
    and the keys exactly `image-%09d` and `label-%09d` for 1 … n, and `num-samples`. Returns n."""
    import lmdb  # the optional extra; asked for only by `merge --writer lmdb`

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
            shown = "no num-samples" if value is None else f"num-samples {bytes(value[:20])!r}"
            if value is None or not _COUNT.fullmatch(bytes(value[:20])):
                raise run.refuse(f"has {shown}, not a count")
            n, entries = int(bytes(value)), env.stat()["entries"]
            if entries != 2 * n + 1:
                raise run.refuse(f"has {shown}, but {entries} keys, not the {2 * n + 1} of {n} samples")
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
        return n
    except lmdb.Error as error:
        raise run.refuse(f"is a damaged LMDB ({error.__class__.__name__})") from None
    finally:
        env.close()


def check_hf(run: ShardRun) -> range:
    """`metadata.jsonl` whole, one JSON object a line naming an image of this folder, in plan order, each present,
    one row per record (with line crops, no more records than written). Returns the record indices it spans."""
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
        span.add(int(match[1]), f"metadata.jsonl line {number}", -1 if match[2] is None else int(match[2]))
        if not (run.path / match[0]).is_file():
            raise run.refuse(f"lacks the image {match[0]} that metadata.jsonl line {number} names")
    return span.indices("metadata.jsonl")


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
    indices = span.indices(run.path.name)
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
    """The first and last record a label file lists and how many, in order: memory stays flat however long the shard.

    A record may list several line crops (`line` 0, 1, …; -1 for its whole image), one after the other."""

    run: ShardRun
    first: int = 0
    last: tuple[int, int] = (-1, -1)
    records: int = 0
    crops: bool = False

    def add(self, index: int, where: str, line: int = -1) -> None:
        if (index, line) <= self.last:
            raise self.run.refuse(f"has {where} for record {index}, repeated or out of plan order")
        if index != self.last[0]:
            self.first = index if not self.records else self.first
            self.records += 1
        self.last, self.crops = (index, line), self.crops or line >= 0

    def indices(self, where: str) -> range:
        """The indices spanned, once the count is checked against the checkpoint: a record whose lines were
        all empty has no line crop, so with crops the file may list fewer records than were written."""
        if self.records > self.run.records or (self.records < self.run.records and not self.crops):
            raise self.run.refuse(
                f"lists {self.records} records in {where}, but its checkpoint says {self.run.records} were written"
            )
        return range(self.first, self.last[0] + 1) if self.records else range(0)


def check_order(runs: list[ShardRun], spans: list[range]) -> None:
    """Shards list disjoint records in shard order, as the plan does: merged, no name is taken twice."""
    last = -1
    for run, span in zip(runs, spans, strict=True):
        if span and span.start <= last:
            raise run.refuse(f"lists records from {span.start}, which an earlier shard lists too (up to {last})")
        last = span.stop - 1 if span else last
