"""The effect tables of the README and of `ocrgen effects`, written from the models themselves.

What an effect does is its config model's docstring; each key's meaning, default and bounds come
from its field. So the tables never say other than the code, and a plugin's effects get theirs.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from pydantic.fields import FieldInfo

from ocrgen.schemas.effects.base import STAGES, Effect
from ocrgen.schemas.ranges import Bounds, ColorRange, Range

TITLES = {"text": "Text effects", "geometry": "Geometric effects", "image": "Image effects"}


def markdown_tables(effects: Iterable[Effect]) -> str:
    """One Markdown table per stage, effects in the order they apply."""
    effects = list(effects)
    parts = []
    for stage in STAGES:
        rows = [_row(effect) for effect in effects if effect.stage == stage]
        if rows:
            header = "| effect | what it does | keys: default [bounds], meaning |\n|---|---|---|\n"
            parts.append(f"**{TITLES[stage]}**\n\n{header}" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def _row(effect: Effect) -> str:
    does = _one_line(inspect.cleandoc(effect.config.__doc__ or ""))
    keys = "<br>".join(_key(name, field) for name, field in effect.config.model_fields.items() if name != "p")
    origin = "" if effect.package == "ocrgen" else f" (from {effect.package})"
    return f"| `{effect.name}`{origin} | {does} | {keys} |"


def _key(name: str, field: FieldInfo) -> str:
    default = field.get_default(call_default_factory=True)
    bounds = next((m.func for m in field.metadata if isinstance(getattr(m, "func", None), Bounds)), None)
    limit = f" {bounds.interval()}" if bounds is not None else ""
    meaning = f": {_one_line(field.description)}" if field.description else ""
    return f"`{name}` {_default(default)}{limit}{meaning}"


def _default(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Range):
        return f"{_number(value.min)}" if value.is_fixed else f"{_number(value.min)} to {_number(value.max)}"
    if isinstance(value, ColorRange):
        low, high = value.min, value.max
        return f"{list(low)}" if low == high else f"{list(low)} to {list(high)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_number(weight)}" for key, weight in value.items()) + "}"
    return str(value)


def _number(value: float) -> str:
    return f"{value:g}"


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
