"""Write a plan file: one JSON line per record, plus the planning statistics beside it; or the lines to stdout."""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from ocrgen.atomic import write_atomic
from ocrgen.destinations import writable_file
from ocrgen.errors import OutputError
from ocrgen.planner.records import PlanStats


def stats_path(plan: Path) -> Path:
    return plan.with_name(plan.name + ".stats.json")


class PlanWriter:
    """Streams lines to a temporary name, hashing them on the way; the plan appears under its name once complete.

    So a run killed mid-planning never leaves a plan file that looks whole, and a renderer
    fed the lines as they are written still learns the file's hash without reading it back.
    Whatever stops the planning, the temporary file goes with it. `plan` None streams the
    lines to stdout instead, with no statistics file.
    """

    def __init__(self, plan: Path | None) -> None:
        self.plan = None if plan is None else writable_file(plan, "give a regular file path, or - for stdout")
        self.size = 0
        self._digest = hashlib.sha256()
        self._complete = False

    def lines(self, blocks: Iterable[bytes], stats: PlanStats) -> Iterator[tuple[int, bytes]]:
        """Write each block of whole plan lines (see `ocrgen.record_json.record_line`) and yield its lines with
        their offsets; at the end write the stats, then rename into place."""
        if self.plan is None:
            stdout = sys.stdout.buffer
            yield from self._write(blocks, stdout)
            stdout.flush()
            self._complete = True
            return
        temporary = self.plan.with_name(f".{self.plan.name}.tmp")
        try:
            self.plan.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                yield from self._write(blocks, handle)
            write_stats(self.plan, stats.to_dict())
            temporary.replace(self.plan)
        except OSError as error:
            raise OutputError(f"the plan {self.plan}", error) from None
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        self._complete = True

    def _write(self, blocks: Iterable[bytes], handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
        for block in blocks:
            handle.write(block)
            self._digest.update(block)
            for line in block.splitlines(keepends=True):
                yield self.size, line
                self.size += len(line)

    def sha256(self) -> str | None:
        """The plan file's hash, once it is complete; None while records are still being written."""
        return self._digest.hexdigest() if self._complete else None


def write_stats(plan: Path, stats: dict[str, object]) -> None:
    write_atomic(stats_path(plan), orjson.dumps(stats, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
