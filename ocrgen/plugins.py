"""Code named by "module:attribute" paths, and what other installed packages add through entry points.

A plugin package adds effects under the `ocrgen.effects` entry point group (each entry an
`ocrgen.schemas.effects.base.Effect`) and writers under `ocrgen.writers` (each a writer class).
Built-in effects and writers are named by the same kind of path, so there is one way in.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import EntryPoint, entry_points
from typing import Any, NamedTuple

log = logging.getLogger(__name__)

EFFECT_GROUP = "ocrgen.effects"
WRITER_GROUP = "ocrgen.writers"


def load_target(target: str) -> Any:
    """The object a "module:attribute" path names, its module imported on first use."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


class Plugin(NamedTuple):
    name: str
    value: str  # "module:attribute"
    package: str  # the distribution to install for it


def registered(group: str) -> list[Plugin]:
    """The entry points of `group`, by name; the first of two that share a name wins, with a warning."""
    found: dict[str, Plugin] = {}
    for point in sorted(entry_points(group=group), key=lambda p: (p.name, p.value)):
        plugin = Plugin(point.name, point.value, _package(point))
        if point.name in found:
            log.warning("%s %r comes from both %s and %s; using %s's", group, point.name, found[point.name].package,
                        plugin.package, found[point.name].package)  # fmt: skip
            continue
        found[point.name] = plugin
    return list(found.values())


def _package(point: EntryPoint) -> str:
    return point.dist.name if point.dist is not None else point.value.partition(":")[0].partition(".")[0]
