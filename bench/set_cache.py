"""Data sets the downstream bench made, kept under bench/.cache/downstream/ and reused when nothing changed.

A set lives in `<generator>-<role>-<key>/`, where the key hashes everything that decides its images
except how many there are: the strings' stream, the fonts, the generator's config, code and version.
Image i depends only on string i and the seeds, so a set made for 20,000 strings serves a run that
asks for 5,000 (its first 5,000), and a set that is too short is extended, not remade, in chunks of
`CHUNK` images: a run stopped in the middle keeps every chunk it finished. `index.tsv` lists the
images in order with their labels; `meta.json`, written after it, says how many are complete and
how long they took to make.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache" / "downstream"
INDEX = "index.tsv"
LOCK = ".lock"
META = "meta.json"
CHUNK = 1000  # images made between two saves of the index: what a stopped run can lose


def digest(*parts: object) -> str:
    """A short hash of JSON-able parts (paths and other objects count by their str)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_digest(*paths: Path) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


class Maker(Protocol):
    """A generator as the bench drives it."""

    name: str

    def key(self) -> dict[str, object]:
        """Everything besides the strings that decides its images."""
        ...

    def make(self, out_dir: Path, strings: list[str], start: int) -> list[tuple[str, str]]:
        """Render strings[start:] (indices start, start + 1, ...) into `out_dir`: each image's path relative
        to it, and its label (the string, unless the generator changed the text, as ocrgen's text
        augmentation does)."""
        ...

    def changes_text(self) -> bool:
        """True when labels may differ from the strings, so the index cannot be checked against them."""
        ...

    def describe(self) -> str:
        """Its options, for the results file."""
        ...


@dataclass(frozen=True)
class LineSetFiles:
    directory: Path
    images: list[Path]
    labels: list[str]
    seconds: float  # to make all of the set (it may hold more images than this run uses)
    made: int  # images in the set on disk
    reused: int  # of the images this run uses, how many were already there


def line_set(maker: Maker, role: str, strings_key: str, strings: list[str], log: Callable[[str], None]) -> LineSetFiles:
    """The first len(strings) images of `maker`'s set for these strings, made or extended as needed.

    A lock file keeps two bench runs from making the same set at once: the second waits, then reuses it.
    """
    key = maker.key()
    directory = CACHE_DIR / f"{maker.name}-{role}-{digest(strings_key, key)}"
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"{maker.name} {role}: waiting for another run that is making {directory.name}")
            fcntl.flock(lock, fcntl.LOCK_EX)
        meta = _read_meta(directory)
        have = meta.get("count", 0)
        index = _read_index(directory, have)
        if have < len(strings):
            if have:
                log(f"{maker.name} {role}: extending the cached set {directory.name} from {have:,} to {len(strings):,}")
            else:
                log(f"{maker.name} {role}: making {len(strings):,} images in {directory}")
            while len(index) < len(strings):
                start = time.perf_counter()
                stop = min(len(index) + CHUNK, len(strings))
                index = [*index, *maker.make(directory, strings[:stop], len(index))]
                seconds = meta.get("seconds", 0.0) + time.perf_counter() - start
                meta = {"count": len(index), "seconds": seconds, "key": key}
                _save(directory, index, meta)
        else:
            log(f"{maker.name} {role}: reusing {len(strings):,} of the {have:,} cached images in {directory.name}")
    used = index[: len(strings)]
    for (_, label), expected in zip(used, strings, strict=True):
        if label != expected and not maker.changes_text():
            raise RuntimeError(f"{directory / INDEX} does not hold the bench's strings; delete {directory} and rerun")
    return LineSetFiles(
        directory,
        [directory / path for path, _ in used],
        [label for _, label in used],
        meta["seconds"],
        meta["count"],
        min(have, len(strings)),
    )


def _read_meta(directory: Path) -> dict:
    try:
        return json.loads((directory / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _read_index(directory: Path, count: int) -> list[tuple[str, str]]:
    if not count:
        return []
    lines = (directory / INDEX).read_text(encoding="utf-8").split("\n")[:count]
    return [(path, label) for path, label in (line.split("\t", 1) for line in lines)]


def _save(directory: Path, index: list[tuple[str, str]], meta: dict) -> None:
    """The longer index first, then the meta that counts it: a stop between the two keeps the old count, still true."""
    for name, text in (
        (INDEX, "".join(f"{path}\t{label}\n" for path, label in index)),
        (META, json.dumps(meta, indent=1, default=str)),
    ):
        temporary = directory / f".{name}.tmp"
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(directory / name)
