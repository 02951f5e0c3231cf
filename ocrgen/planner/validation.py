"""Read a batch config and turn every mistake in it into a message a person can act on.

pydantic finds the mistakes; this module says where they are (file, line, key
path, specification name) and, for a misspelt key, which name was meant.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ocrgen.errors import ConfigError
from ocrgen.schemas.config import BatchConfig, Specification


def load_config(path: Path) -> BatchConfig:
    """Parse and validate a batch config; raises ConfigError listing every problem."""
    data, tree = _read_yaml(path)
    try:
        return BatchConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError([_describe(path, data, tree, e) for e in error.errors()]) from None


def valid_specifications(path: Path) -> list[Specification]:
    """The specifications of a config that are valid on their own, even when the config is not.

    Lets validation check the files of good specifications while reporting the bad ones.
    """
    try:
        data, _ = _read_yaml(path)
    except ConfigError:
        return []
    specs = data.get("specifications")
    valid = []
    for spec in specs if isinstance(specs, list) else []:
        try:
            valid.append(Specification.model_validate(spec))
        except ValidationError:
            continue
    return valid


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but a number too long for Python to read is a YAML error with its line, not a crash."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(node.value)} characters is too long to read", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _read_yaml(path: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"Batch config not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"Cannot read batch config {path}: {error}"]) from None
    try:
        data = yaml.load(text, Loader=_Loader)
        tree = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{path}{where}: not valid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{path} must hold a mapping with total_images and specifications."])
    return data, tree


def _describe(path: Path, data: dict[str, Any], tree: yaml.Node | None, error: Any) -> str:
    loc = tuple(error["loc"])
    where = f"{path}, line {line}" if (line := _line_of(tree, loc)) else str(path)
    prefix, keys = _split_spec(data, loc)
    key_path = ".".join(str(part) for part in keys)
    if error["type"] == "extra_forbidden":
        known = _fields_at(BatchConfig, loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else f"; known keys: {', '.join(sorted(known))}"
        return f"{where}: {prefix}unknown key '{key_path}'{hint}"
    if error["type"] == "missing":
        return f"{where}: {prefix}missing required key '{key_path}'"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {prefix}{key_path + ': ' if key_path else ''}{message}"


def _split_spec(data: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Name the specification an error sits in, so users need not count list items."""
    if len(loc) >= 2 and loc[0] == "specifications" and isinstance(loc[1], int):
        specs = data.get("specifications") or []
        name = specs[loc[1]].get("name") if loc[1] < len(specs) and isinstance(specs[loc[1]], dict) else None
        label = f"Specification '{name}'" if name else f"Specification #{loc[1] + 1}"
        return f"{label}: ", loc[2:]
    return "", loc


def _line_of(tree: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    node, line = tree, None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found by following `loc` from `model`."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        current = _model_in(fields[part].annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
