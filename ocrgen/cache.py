"""Files kept across runs only to save time: where they live, and reading and writing them without ever failing.

Every cache lives under one root: `$OCRGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/ocrgen`,
else `~/.cache/ocrgen`, with one sub-directory per kind. An entry is replaced
atomically. One that cannot be read gives None, so its user rebuilds it; one that
cannot be written is skipped, so an unwritable cache only costs time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ocrgen.atomic import write_atomic

CACHE_ENV = "OCRGEN_CACHE_DIR"


def cache_dir(kind: str) -> Path:
    """Where the entries of one kind live; looked up on each use, so the environment can redirect it."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root) / kind
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ocrgen" / kind


def read_json(file: Path) -> Any:
    """The entry's JSON value, or None when it is missing, unreadable or not JSON."""
    try:
        return json.loads(file.read_bytes())
    except (OSError, ValueError):
        return None


def write_json(file: Path, data: Any) -> bool:
    """Replace the entry with compact JSON; False when the cache cannot be written."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(file, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    except OSError:
        return False
    return True
