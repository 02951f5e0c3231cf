"""Write a plan file: one JSON line per record, plus the planning statistics beside it; or the lines to stdout."""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from pydantic import BaseModel

from ocrgen.atomic import write_atomic
from ocrgen.destinations import writable_file
from ocrgen.errors import OutputError
from ocrgen.planner.records import PlanStats
from ocrgen.schemas.plan import Record, without_unset


def stats_path(plan: Path) -> Path:
    return plan.with_name(plan.name + ".stats.json")


def record_line(record: Record) -> bytes:
    """The record as one plan line: the bytes pydantic's `model_dump_json` writes, five times as fast.

    orjson walks the models' own field values; only models from outside ocrgen (a plugin's effect
    params, which may serialize their own way) go through pydantic. tests/test_plan_encoding.py
    holds the two encoders to the same bytes.
    """
    return orjson.dumps(record, default=_fields, option=orjson.OPT_APPEND_NEWLINE)


def _fields(value: object) -> object:
    encode = _ENCODERS.get(type(value))
    if encode is None:
        encode = _ENCODERS.setdefault(type(value), _encoder(type(value)))
    return encode(value)


_ENCODERS: dict[type, Callable[[Any], object]] = {}


def _encoder(kind: type) -> Callable[[Any], object]:
    """How orjson gets the fields of a model of type `kind`: decided once per type (`_ENCODERS`)."""
    if not issubclass(kind, BaseModel):
        raise TypeError(f"a plan record holds no {kind.__name__}")
    if not kind.__module__.startswith("ocrgen."):
        return partial(BaseModel.model_dump, mode="json")
    unset: dict[str, Any] = getattr(kind, "unset_when", {})
    if not unset:
        return attrgetter("__dict__")
    return lambda value: without_unset(value.__dict__, unset)


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

    def lines(self, lines: Iterable[bytes], stats: PlanStats) -> Iterator[tuple[int, bytes]]:
        """Write each plan line (see `record_line`) and yield it with its offset; at the end write the stats,
        then rename into place."""
        if self.plan is None:
            stdout = sys.stdout.buffer
            yield from self._write(lines, stdout)
            stdout.flush()
            self._complete = True
            return
        temporary = self.plan.with_name(f".{self.plan.name}.tmp")
        try:
            self.plan.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                yield from self._write(lines, handle)
            write_stats(self.plan, stats.to_dict())
            temporary.replace(self.plan)
        except OSError as error:
            raise OutputError(f"the plan {self.plan}", error) from None
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        self._complete = True

    def _write(self, lines: Iterable[bytes], handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
        for line in lines:
            handle.write(line)
            self._digest.update(line)
            yield self.size, line
            self.size += len(line)

    def sha256(self) -> str | None:
        """The plan file's hash, once it is complete; None while records are still being written."""
        return self._digest.hexdigest() if self._complete else None


def write_stats(plan: Path, stats: dict[str, object]) -> None:
    write_atomic(stats_path(plan), orjson.dumps(stats, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
