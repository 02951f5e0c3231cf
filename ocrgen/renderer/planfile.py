"""Read plan files: the records of one shard, found by byte range so no shard parses the whole file."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

import orjson
from pydantic import ValidationError

from ocrgen.assets import AssetResolver
from ocrgen.errors import PlanFileError
from ocrgen.schemas.effects.catalogue import missing_effect
from ocrgen.schemas.plan import AssetRef, ImageBackground, PageRecord, PlanRecord, Record, text_blocks


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count`, counting from 0."""

    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            k, n = (int(part) for part in text.split("/"))
        except ValueError:
            raise ValueError(f"'{text}' is not K/N; write it like 0/4 (shard 0 of 4)") from None
        if n < 1:
            raise ValueError(f"shard {text} has N={n}: N is the number of shards, 1 or more; write it like 0/4")
        if not 0 <= k < n:
            raise ValueError(f"shard {text} is out of range: K counts from 0 to N-1, so use 0/{n} … {n - 1}/{n}")
        return cls(k, n)

    def file_name(self, stem: str, suffix: str = "") -> str:
        """`stem` + `suffix`, tagged with the shard when there are several, so shards never collide."""
        if self.count == 1:
            return stem + suffix
        return f"{stem}.shard-{self.index:05d}-of-{self.count:05d}{suffix}"


def byte_range(size: int, shard: Shard) -> tuple[int, int]:
    """The bytes whose line starts belong to `shard`: equal slices of the file."""
    return size * shard.index // shard.count, size * (shard.index + 1) // shard.count


class PlanLine(NamedTuple):
    """One raw line of a plan file and where it starts, for messages and resumption."""

    offset: int
    text: bytes


MAX_LINE_BYTES = 1 << 26  # far above any record; a longer line (a binary file?) is refused before memory runs out


def shard_lines(path: Path, shard: Shard) -> Iterator[PlanLine]:
    """Lines whose first byte lies in the shard's byte range, read in blocks.

    A line belongs to the shard its first byte falls in, so the shards of a file
    cover every line exactly once. Record indices must increase line by line (see
    `IndexOrder`), checked as the lines go by; a line of more than MAX_LINE_BYTES is refused.
    """
    size = os.path.getsize(path)
    start, end = byte_range(size, shard)
    with open(path, "rb") as handle:
        if start > 0:
            handle.seek(start - 1)
            if handle.read(1) != b"\n":
                handle.readline()
        position = handle.tell()
        order = IndexOrder(path, _record_before(handle, position) if position < end else None)
        handle.seek(position)
        while position < end:
            line = handle.readline(MAX_LINE_BYTES + 1)
            if not line:
                break
            if len(line) > MAX_LINE_BYTES:
                raise PlanFileError(
                    str(path),
                    line_number(path, position),
                    f"longer than {MAX_LINE_BYTES >> 20} MiB, so not a plan record; make the plan with `ocrgen plan`",
                )
            if line.strip():
                order.check(PlanLine(position, line))
                yield PlanLine(position, line)
            position += len(line)


def count_records(path: Path, shard: Shard | None = None) -> int:
    """How many records the shard (the whole plan by default) holds, each line checked as `shard_lines` checks it."""
    return sum(1 for _ in shard_lines(path, shard or Shard()))


_INDEX = re.compile(rb'"index"\s*:\s*(\d{1,20})\s*[,}]')


def record_index(path: Path, line: PlanLine) -> int | None:
    """The `index` of a plan line, cheaply: a regular expression when the key is there once, plainly, else the
    record parsed; None for a line that is no record (parse_record refuses it, naming it, when it is rendered)."""
    text = line.text
    if text.count(b'"index"') == 1 and b"\\u" not in text and (found := _INDEX.search(text)):
        return int(found[1])
    try:
        return parse_record(path, line).index
    except PlanFileError:
        return None


class IndexOrder:
    """Refuses a record whose index is not above the one before it: a repeated index would overwrite
    another record's outputs, and resume and merge count on plan order. Memory stays flat: only the
    last index is kept; a shard starts from the record just before its byte range."""

    def __init__(self, path: Path, before: PlanLine | None = None) -> None:
        self.path, self.last = path, None if before is None else record_index(path, before)

    def check(self, line: PlanLine) -> None:
        index = record_index(self.path, line)
        if index is None:
            return
        if self.last is not None and index <= self.last:
            raise PlanFileError(
                str(self.path),
                line_number(self.path, line.offset),
                f"record index {index} follows index {self.last}: indices must increase line by line "
                "(a repeated index would overwrite another record's outputs); make the plan again with `ocrgen plan`",
            )
        self.last = index


def _record_before(handle: BinaryIO, position: int) -> PlanLine | None:
    """The last non-blank line before the line starting at `position`, found by reading backwards."""
    cursor = position
    while cursor > 0:
        start, line = cursor - 1, b""  # the byte at cursor - 1 is the newline that ends the line before
        while start > 0:
            low = max(start - (1 << 16), 0)
            handle.seek(low)
            block = handle.read(start - low)
            newline = block.rfind(b"\n")
            line = block[newline + 1 :] + line
            start = low + newline + 1 if newline >= 0 else low
            if newline >= 0:
                break
        if line.strip():
            return PlanLine(start, line)
        cursor = start
    return None


# Nothing inside a record has the kind "page" (backgrounds and curves have kinds of their own), so this finds
# a page's line whatever the order of its keys, at the cost of a byte scan rather than a second JSON parse.
_PAGE_KIND = re.compile(rb'"kind"\s*:\s*"page"')


def parse_record(path: Path, line: PlanLine) -> Record:
    """One plan line as a record or a page; pydantic parses the JSON and validates in one pass, twice as fast as two.

    A page says so in its `kind`, which a single text's record does not have.
    """
    model: type[PlanRecord | PageRecord] = PageRecord if _PAGE_KIND.search(line.text) else PlanRecord
    try:
        return model.model_validate_json(line.text)
    except ValidationError as error:
        problems = error.errors()
        missing = [e for e in problems if e["type"] == "union_tag_invalid" and e["loc"][:1] == ("effects",)]
        if problems[0]["type"] == "json_invalid":
            reason = f"not valid JSON ({problems[0]['msg']})"
        elif missing:
            reason = _not_installed(sorted({str(e["ctx"]["tag"]) for e in missing}), line.text)
        else:
            details = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in problems[:5])
            reason = f"not a plan record ({details}); make it with `ocrgen plan`"
        raise PlanFileError(str(path), line_number(path, line.offset), reason) from None


def _not_installed(effects: list[str], text: bytes) -> str:
    """Why a record's effects are unknown here, naming the packages its record says provide them."""
    packages = orjson.loads(text).get("plugins")
    packages = packages if isinstance(packages, dict) else {}
    named = {packages[e] for e in effects if isinstance(packages.get(e), str)}
    if len(named) != 1 or len(effects) != sum(e in packages for e in effects):
        return missing_effect(effects[0])
    package = named.pop()
    listed = " and ".join(repr(e) for e in effects)
    return (
        f"its effect{'s' if len(effects) > 1 else ''} {listed} come{'' if len(effects) > 1 else 's'} from the "
        f"plugin package {package}, missing here: pip install {package}"
    )


def _assets(record: Record) -> Iterator[AssetRef]:
    """Every file `record` draws from: the fonts of each of its texts, and its background image."""
    for block in text_blocks(record):
        yield block.font.asset
        yield from (run.asset for run in block.styles)
    if isinstance(record.background, ImageBackground):
        yield record.background.asset


def line_number(path: Path, offset: int) -> int:
    """1-based line number of the byte at `offset`; only needed for error messages."""
    count = 1
    with open(path, "rb") as handle:
        remaining = offset
        while remaining > 0:
            block = handle.read(min(remaining, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            remaining -= len(block)
    return count


def check_shard(path: Path, shard: Shard, resolver: AssetResolver) -> None:
    """Parse every line of `shard` and find every asset it names, raising at the first problem.

    `--overwrite` runs this before it removes an earlier run, so a bad plan or a missing
    asset never costs the outputs it was meant to replace.
    """
    for line in shard_lines(path, shard):
        record = parse_record(path, line)
        for asset in _assets(record):
            resolver.path(asset, record.roots)
