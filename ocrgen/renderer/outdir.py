"""One output dir, one plan, one layout: refuse a run that would mix two, or clear the old outputs first (--overwrite).

Each shard's checkpoint names the plan (by hash) and the output settings, so a run can tell
another shard of its own render (welcome) from an earlier render it would leave half
replaced. What ocrgen writes is known by name (`owned_files`), so --overwrite removes
exactly that and leaves every other file in the directory alone.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import orjson

from ocrgen.errors import OcrgenError
from ocrgen.plural import counted
from ocrgen.renderer.owned import owned_files
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.render import PIXELS_VERSION
from ocrgen.renderer.resume import checkpoint_name
from ocrgen.writers.base import WriterSpec

log = logging.getLogger(__name__)

_CHECKPOINT = re.compile(r"\.generation_checkpoint(?:\.shard-\d{5}-of-\d{5})?\.json")


class OutputDirError(OcrgenError):
    """The output dir holds another render that this run would mix with."""

    exit_code = 2


def prepare_output_dir(
    out_dir: Path,
    shard: Shard,
    plan_sha256: str | None,
    writer: WriterSpec,
    image_format: str,
    *,
    resume: bool,
    overwrite: bool,
    planned_here: bool = False,
) -> None:
    """Check that a run may write into `out_dir`, after clearing it when `overwrite` says so; raise if not.

    A fresh run may join a dir that holds only other shards of the same plan and settings.
    `resume` must match the recorded settings (the plan itself is `check_plan`'s to judge).
    `plan_sha256` is None for `generate`, whose plan is made as it renders (`planned_here`):
    any earlier outputs are then another run's.
    """
    if not out_dir.is_dir():
        return
    # Look for outputs before reading checkpoints: shards starting together each write their checkpoint
    # before any output, so every output seen here has its checkpoint by the time they are read.
    found = next(owned_files(out_dir, planned_here), None)
    checkpoints = _checkpoints(out_dir)
    own = checkpoint_name(shard)
    same_plan = plan_sha256 is not None and all(c.get("plan_sha256") == plan_sha256 for c in checkpoints.values())
    mismatch = _settings_mismatch(checkpoints, _settings(writer, image_format))
    if overwrite:
        if found is not None and not (same_plan and checkpoints and mismatch is None):
            _remove_outputs(out_dir, planned_here)
        return
    if resume or (same_plan and checkpoints and own not in checkpoints):  # the same render, or another shard of it
        if mismatch is not None:
            name, made, fix = mismatch
            fix = fix if resume else f"{fix}, pass --overwrite to replace it,"
            raise OutputDirError(f"{out_dir} holds a render made {made} ({name}); {fix} or choose a new --output-dir.")
        return
    if found is None:
        return
    if own in checkpoints:
        plan = "this plan" if checkpoints[own].get("plan_sha256") == plan_sha256 else "another plan"
        held = f"a render of {plan} ({own})"
    elif checkpoints:
        held = f"a render of another plan ({min(checkpoints)})"
    else:
        held = f"ocrgen outputs without a checkpoint ({found.relative_to(out_dir)})"
    raise OutputDirError(
        f"{out_dir} already holds {held}; pass --resume to continue the same plan, --overwrite to replace "
        "what ocrgen wrote there, or choose a new --output-dir."
    )


def _remove_outputs(out_dir: Path, planned_here: bool) -> None:
    """Remove what ocrgen wrote, then the directories it made once they are empty."""
    removed = 0
    directories: set[Path] = set()
    for path in owned_files(out_dir, planned_here):
        path.unlink()
        removed += 1
        directories.update(p for p in path.parents if out_dir in p.parents)
    for directory in sorted(directories, key=lambda p: len(p.parts), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    log.info("--overwrite: removed %s of an earlier run from %s", counted(removed, "file"), out_dir)


def _checkpoints(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Every shard's checkpoint in `out_dir`, by file name; one that cannot be read counts as another plan's."""
    found: dict[str, dict[str, Any]] = {}
    for path in out_dir.iterdir():
        if _CHECKPOINT.fullmatch(path.name):
            try:
                checkpoint = orjson.loads(path.read_bytes())
            except (OSError, orjson.JSONDecodeError):
                checkpoint = None
            found[path.name] = checkpoint if isinstance(checkpoint, dict) else {}
    return found


def _settings(writer: WriterSpec, image_format: str) -> dict[str, Any]:
    return {"writer": writer.name, "subdirs": writer.subdirs, "image_format": image_format, "pixels": PIXELS_VERSION}


# What checkpoints of older versions, which do not say, were rendered with: the pixels before versions were counted.
_UNSAID = {"pixels": 1}


def _settings_mismatch(checkpoints: dict[str, dict[str, Any]], settings: dict[str, Any]) -> tuple[str, str, str] | None:
    """(checkpoint name, how it was rendered, what to run instead), for the first one whose settings differ:
    ("...", "with --writer lmdb", "run with --writer lmdb")."""
    for name, checkpoint in sorted(checkpoints.items()):
        if not checkpoint:  # unreadable: it says nothing of how it was rendered
            continue
        for key, value in settings.items():
            recorded = checkpoint.get(key, _UNSAID.get(key, value))
            if recorded != value:
                return name, *_made(key, recorded)
    return None


def _made(key: str, value: Any) -> tuple[str, str]:
    """How a render was made with `value` for `key`, and what would continue it."""
    if key == "pixels":
        made = f"by an ocrgen that draws other pixels (pixels version {value}; this one draws {PIXELS_VERSION})"
        return made, "finish it with the ocrgen that began it"
    flag = f"with --{key.replace('_', '-')} {value}"
    if key == "subdirs":
        flag = "with --subdirs" if value else "without --subdirs"
    return flag, f"run {flag}"
