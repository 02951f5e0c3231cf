"""Crash-safe resume: a per-shard checkpoint, completeness of a record's outputs, and leftovers of killed runs.

Completeness is read from the outputs themselves (the label is renamed into place after
the image), so the checkpoint only has to say which plan the directory was rendered from
and how far a run got; it never decides what to skip.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ocrgen.atomic import write_atomic
from ocrgen.destinations import writable_file
from ocrgen.errors import OcrgenError
from ocrgen.plural import counted
from ocrgen.renderer.output import sample_stem
from ocrgen.renderer.owned import leftover_temporaries
from ocrgen.renderer.planfile import Shard

log = logging.getLogger(__name__)


class PlanChangedError(OcrgenError):
    """`--resume --strict` against an output dir rendered from another plan."""

    exit_code = 2


@dataclass
class Checkpoint:
    """What a run has done so far; rewritten atomically after every chunk."""

    plan: str
    plan_sha256: str | None  # None while the plan is still being written (`ocrgen generate`)
    shard: str
    total: int
    writer: str  # the output settings: a resumed run, or another shard in the same dir, must use the same
    subdirs: bool
    image_format: str
    pixels: int  # the renderer's `PIXELS_VERSION`
    done: int = 0
    rendered: int = 0
    skipped: int = 0
    failed: int = 0
    finished: bool = False

    def save(self, out_dir: Path, shard: Shard) -> None:
        write_atomic(out_dir / checkpoint_name(shard), orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))


def checkpoint_name(shard: Shard) -> str:
    return shard.file_name(".generation_checkpoint", ".json")


def check_plan(out_dir: Path, shard: Shard, plan: Path, plan_sha256: str, strict: bool) -> bool:
    """Warn and return False (or with `strict`, refuse) when the dir's checkpoint was written for another plan file."""
    path = writable_file(out_dir / checkpoint_name(shard), "move it away")
    try:
        previous = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        log.info("no checkpoint in %s; resuming from the outputs alone", out_dir)
        return True
    except orjson.JSONDecodeError:
        previous = None
    if not isinstance(previous, dict):
        log.warning("%s is unreadable; resuming from the outputs alone", path)
        return True
    old = previous.get("plan_sha256")
    if old == plan_sha256:
        log.info(
            "resuming from %s: %s; rendering every record whose outputs are missing",
            path.name,
            last_run(previous),
        )
        return True
    if old is None:
        log.info("%s was written while its plan was still being made; resuming from the outputs alone", path.name)
        return True
    message = (
        f"{out_dir} was rendered from another plan: checkpoint {path.name} has sha256 {old}, "
        f"but {plan} has sha256 {plan_sha256}."
    )
    if strict:
        raise PlanChangedError(
            f"{message} Render into a new --output-dir, or drop --strict to keep the existing outputs "
            "and render only what is missing."
        )
    log.warning("%s Continuing: records whose outputs exist are kept as they are.", message)
    return False


def last_run(checkpoint: dict[str, Any]) -> str:
    """What a checkpoint knows: how far the last run got. Outputs removed since then it cannot know."""
    total, failed = checkpoint.get("total") or 0, checkpoint.get("failed") or 0
    failures = f", {counted(failed, 'record')} failed" if failed else ""
    if checkpoint.get("finished"):
        return f"the last run finished its {counted(total, 'record')}{failures}"
    return f"the last run stopped after {checkpoint.get('done')} of {counted(total, 'record')}{failures}"


def is_complete(out_dir: Path, index: int, image_format: str) -> bool:
    """A record is done when its label exists (written last) and so does its image."""
    stem = sample_stem(index)
    return (out_dir / f"{stem}.json").is_file() and (out_dir / f"{stem}.{image_format}").is_file()


@dataclass
class StaleTemporaries:
    """Temporary files that killed runs left behind, removed as this run reaches the records they belong to.

    Every writer's folders are searched (`leftover_temporaries`). Other shards may be writing into the
    same directory right now, so a temporary is removed only once this shard owns its record (by
    index) or its name (checkpoint, failures, metadata: tagged with this shard).
    """

    by_index: dict[int, list[Path]] = field(default_factory=dict)

    def find(self, out_dir: Path, shard: Shard) -> None:
        """Look for leftovers now: when a run resumes, or once its render processes died mid-write."""
        for path, index in leftover_temporaries(out_dir, shard.file_name("")):
            if index is None:
                _remove(path)
            else:
                self.by_index.setdefault(index, []).append(path)

    def release(self, index: int | None) -> None:
        for path in self.by_index.pop(index, []) if index is not None else []:
            _remove(path)


def _remove(path: Path) -> None:
    log.debug("removing %s, left by a killed run", path.name)
    path.unlink(missing_ok=True)
