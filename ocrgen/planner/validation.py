"""Read a batch config and turn every mistake in it into a message a person can act on.

pydantic finds the mistakes; this module says where they are (file, line, key
path, specification name) and, for a misspelt key, which name was meant.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ocrgen.errors import ConfigError
from ocrgen.schemas.config import BatchConfig, Specification
from ocrgen.schemas.effects.catalogue import missing_effect


def load_config(path: str | os.PathLike[str]) -> BatchConfig:
    """Parse and validate a batch config; raises ConfigError listing every problem."""
    path = Path(path)
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


MAX_CONFIG_BYTES = 4 << 20
"""A batch config is a page of YAML; anything larger is a wrong path (a corpus, a device), not a config."""

# YAML 1.2 floats that YAML 1.1 (PyYAML) reads as strings: `1e30`, `1.0e30`, `2E-3` without a dot or a sign.
_YAML12_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading `1e30` as a number and refusing a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice (first on line {seen[key]}); keep one", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


_ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:float", _YAML12_FLOAT, list("-+0123456789"))


MAX_VALUES = 100_000
"""More values than any config has, each alias counted as what it stands for: a few lines of aliases of
aliases (a "billion laughs") would otherwise stand for billions, which every check after loading walks."""


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` stands for with its aliases expanded; each distinct node is counted once (`sizes`)."""
    if id(node) not in sizes:
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
    return sizes[id(node)]


MAX_FLOW_DEPTH = 64
"""Deeper `[`/`{` nesting than any config has; PyYAML's scanner slows quadratically with it."""
_QUOTED_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|(?:^|\s)#[^\n]*")


def _read_yaml(path: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    text = _read_text(path)
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise ConfigError([f"{path}: nested too deeply to be a batch config"])
    try:
        tree = yaml.compose(text, Loader=_ConfigLoader)
        if tree is not None and _expanded_size(tree, {}) > MAX_VALUES:
            raise ConfigError(
                [f"{path}: its aliases (*name) expand to more than {MAX_VALUES:,} values; no config needs that many"]
            )
        data = yaml.load(text, Loader=_ConfigLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{path}{where}: not valid YAML: {problem}"]) from None
    except RecursionError:
        raise ConfigError([f"{path}: nested too deeply to be a batch config"]) from None
    except ValueError:  # Python refuses to read integers of more than 4300 digits
        raise ConfigError([f"{path}: a number has thousands of digits; no setting needs more than a few"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{path} must hold a mapping with total_images and specifications."])
    if found := _first_boolean(data, ()):
        where = f"{path}, line {line}" if (line := _line_of(tree, found)) else str(path)
        key_path = ".".join(str(part) for part in found)
        raise ConfigError([f"{where}: {key_path}: true/false is not a number here; write 1 or 0"])
    return data, tree


def _flow_depth(text: str) -> int:
    """The deepest `[`/`{` nesting outside quotes and comments: an upper bound that is cheap to find."""
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _QUOTED_OR_COMMENT.sub("", text)):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def _read_text(path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError([f"Batch config not found: {path}"]) from None
    except OSError as error:
        raise ConfigError([f"Cannot read batch config {path}: {error}"]) from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError([f"Batch config {path} is not a regular file; give the path of a YAML file"])
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(
            [f"Batch config {path} is {info.st_size:,} bytes; a config is at most {MAX_CONFIG_BYTES:,} (wrong file?)"]
        )
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"Cannot read batch config {path}: {error}"]) from None


def _first_boolean(value: Any, where: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Where the config holds true/false: no config key takes a boolean, and pydantic would read `true` as 1."""
    if isinstance(value, bool):
        return where
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if found := _first_boolean(item, (*where, key)):
            return found
    return None


def _describe(path: Path, data: dict[str, Any], tree: yaml.Node | None, error: Any) -> str:
    loc = tuple(error["loc"])
    where = f"{path}, line {line}" if (line := _line_of(tree, loc)) else str(path)
    prefix, keys = _split_spec(data, loc)
    key_path = ".".join(str(part) for part in keys)
    if error["type"] == "extra_forbidden":
        known = _fields_at(BatchConfig, loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        if not guess and len(loc) >= 2 and loc[-2] == "effects":  # perhaps a plugin's, not installed here
            return f"{where}: {prefix}{missing_effect(str(loc[-1]))}"
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
