"""Random access to a plan file's records: where each line starts and ends, found once and kept beside the plan.

`plans.jsonl.index` holds a header, which fingerprints the plan (its size, its mtime and the
SHA-256 of its first and last record lines), then the byte span of every record line. An index
whose fingerprint no longer matches the plan is stale and is built again; one that cannot be
written (a read-only dir) is kept in memory only, which costs nothing but the scan next time.
Pickled (to DataLoader workers, say), an `IndexedPlan` carries neither the spans nor an open
file when its index is on disk: each process opens both itself, on first use.
"""

from __future__ import annotations

import hashlib
import logging
import os
from array import array
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ocrgen.atomic import write_atomic
from ocrgen.errors import OcrgenError
from ocrgen.renderer.planfile import PlanLine, Shard, parse_record, shard_lines
from ocrgen.schemas.plan import Record

log = logging.getLogger(__name__)

_MAGIC = b"ocrgen plan index 1\n"
_SPAN = np.dtype("<i8")  # start and end of each line, in bytes


class PlanChangedError(OcrgenError):
    """The plan file was changed after its records were indexed, so the offsets point at other records."""

    exit_code = 2


def index_path(plan: Path) -> Path:
    return plan.with_name(plan.name + ".index")


@dataclass(frozen=True)
class Fingerprint:
    """What must be unchanged for an index to hold: the plan's size and mtime, and its first and last line."""

    size: int
    mtime_ns: int
    records: int
    first: str  # SHA-256 of the first record line, "" for an empty plan
    last: str


def _digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


class IndexedPlan:
    """A plan file whose record `i` (its i-th non-blank line) is read without reading the lines before it."""

    def __init__(self, plan: Path, spans: np.ndarray, fingerprint: Fingerprint, saved: Path | None) -> None:
        self.plan, self.fingerprint, self.saved = plan, fingerprint, saved
        self._spans: np.ndarray | None = spans
        self._fd: tuple[int, int] | None = None  # (process id, descriptor): a forked worker opens its own

    @classmethod
    def open(cls, plan: str | os.PathLike[str]) -> IndexedPlan:
        """The plan with its index: read from beside it when fresh, else built by one pass over the plan and saved.

        The pass checks what `render` checks of every line's place (indices rising, no overlong
        line); a line that is no record is refused when it is read, naming its line number.
        """
        plan = Path(plan)
        cached = index_path(plan)
        loaded = _load(cached)
        if loaded is not None and _fresh(plan, *loaded):
            return cls(plan, loaded[1], loaded[0], cached)
        spans, fingerprint = _build(plan)
        try:
            write_atomic(cached, _encode(fingerprint, spans))
        except OSError as error:
            log.debug("keeping the index of %s in memory: cannot write %s (%s)", plan, cached, error)
            return cls(plan, spans, fingerprint, None)
        return cls(plan, spans, fingerprint, cached)

    def __len__(self) -> int:
        return self.fingerprint.records

    def line(self, i: int) -> PlanLine:
        """Record line `i` (negative counts from the end), as `shard_lines` yields it."""
        count = len(self)
        if not -count <= i < count:
            raise IndexError(f"record {i} of a plan of {count} ({self.plan})")
        start, end = (int(v) for v in self._spans_here()[i % count])
        text = os.pread(self._descriptor(), end - start, start)
        if len(text) != end - start:
            raise self._changed()
        return PlanLine(start, text)

    def record(self, i: int) -> Record:
        """Record `i`, validated as `render` validates it: a bad line raises PlanFileError naming its line number."""
        return parse_record(self.plan, self.line(i))

    def _spans_here(self) -> np.ndarray:
        if self._spans is None:
            assert self.saved is not None, "an index kept in memory travels with the plan"
            loaded = _load(self.saved)
            if loaded is None or loaded[0] != self.fingerprint:
                raise self._changed()
            self._spans = loaded[1]
        return self._spans

    def _descriptor(self) -> int:
        if self._fd is None or self._fd[0] != os.getpid():
            fd = os.open(self.plan, os.O_RDONLY)
            stat = os.fstat(fd)
            if (stat.st_size, stat.st_mtime_ns) != (self.fingerprint.size, self.fingerprint.mtime_ns):
                os.close(fd)
                raise self._changed()
            self._fd = os.getpid(), fd
        return self._fd[1]

    def _changed(self) -> PlanChangedError:
        return PlanChangedError(f"{self.plan} changed after its records were indexed; open it again to index it anew.")

    def close(self) -> None:
        """Close the plan file if this process opened it; the next read opens it again."""
        opened = getattr(self, "_fd", None)
        if opened is not None and opened[0] == os.getpid():
            os.close(opened[1])
        self._fd = None

    def __del__(self) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        """Small: the spans stay behind when they are on disk, and the file is opened again where it is used."""
        return {
            "plan": self.plan,
            "fingerprint": self.fingerprint,
            "saved": self.saved,
            "spans": None if self.saved is not None else self._spans,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.plan, self.fingerprint, self.saved = state["plan"], state["fingerprint"], state["saved"]
        self._spans, self._fd = state["spans"], None


def _build(plan: Path) -> tuple[np.ndarray, Fingerprint]:
    stat = plan.stat()
    starts_ends = array("q")
    first = last = b""
    for line in shard_lines(plan, Shard()):
        starts_ends.extend((line.offset, line.offset + len(line.text)))
        first = first or line.text
        last = line.text
    spans = np.frombuffer(starts_ends, _SPAN).reshape(-1, 2) if starts_ends else np.zeros((0, 2), _SPAN)
    fingerprint = Fingerprint(
        stat.st_size, stat.st_mtime_ns, len(spans), _digest(first) if first else "", _digest(last) if last else ""
    )
    return spans, fingerprint


def _encode(fingerprint: Fingerprint, spans: np.ndarray) -> bytes:
    return _MAGIC + orjson.dumps(asdict(fingerprint)) + b"\n" + spans.astype(_SPAN).tobytes()


def _load(path: Path) -> tuple[Fingerprint, np.ndarray] | None:
    """The index at `path`, its spans mapped rather than read; None when it is missing or not a whole index."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_MAGIC)) != _MAGIC:
                return None
            fingerprint = Fingerprint(**orjson.loads(handle.readline(1 << 12)))
            header = handle.tell()
            size = os.fstat(handle.fileno()).st_size
    except (OSError, ValueError, TypeError):
        return None
    if fingerprint.records < 0 or size != header + fingerprint.records * 2 * _SPAN.itemsize:
        return None
    if fingerprint.records == 0:
        return fingerprint, np.zeros((0, 2), _SPAN)
    try:
        spans = np.memmap(path, _SPAN, "r", offset=header, shape=(fingerprint.records, 2))
    except (OSError, ValueError):
        return None
    return fingerprint, spans


def _fresh(plan: Path, fingerprint: Fingerprint, spans: np.ndarray) -> bool:
    """The index still describes the plan: same size and mtime, and the same first and last record line."""
    try:
        stat = plan.stat()
        if (stat.st_size, stat.st_mtime_ns) != (fingerprint.size, fingerprint.mtime_ns):
            return False
        if fingerprint.records == 0:
            return stat.st_size == 0 or not plan.read_bytes().strip()
        with open(plan, "rb") as handle:
            ends = []
            for start, end in (spans[0], spans[-1]):
                handle.seek(int(start))
                ends.append(_digest(handle.read(int(end - start))))
    except OSError:
        return False
    return ends == [fingerprint.first, fingerprint.last]
