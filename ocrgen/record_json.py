"""Plan records as JSON, fast: the plan's lines, and the copy of its plan that each label holds.

orjson walks the models' own field values, five times as fast as pydantic's serializer, with the
same bytes (tests/test_plan_encoding.py holds the two to that). Only models from outside ocrgen
(a plugin's effect params, which may serialize their own way) go through pydantic.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter, methodcaller
from typing import Any

import orjson
from pydantic import BaseModel

from ocrgen.schemas.plan import Record, RecordData


def record_line(record: Record | RecordData) -> bytes:
    """The record as one plan line: the bytes pydantic's `model_dump_json` writes, and a newline.

    The planner hands over a record's data (`RecordData`) without building its model; the line is the same.
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
    if not getattr(kind, "unset_when", {}):
        return attrgetter("__dict__")
    return methodcaller("data")


def record_data(record: Record) -> dict[str, Any]:
    """What `record.model_dump(mode="json")` gives, in half its time: a label's copy of its plan."""
    data: dict[str, Any] = orjson.loads(orjson.dumps(record, default=_fields))
    return data
