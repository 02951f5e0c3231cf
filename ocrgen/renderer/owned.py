"""What ocrgen writes into an output dir, known by name: for --overwrite to clear it and --resume to find leftovers."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

_SHARD = r"(?:\.shard-\d{5}-of-\d{5})?"
_IMAGE = r"image_\d{8}"
# (directory, file names) of everything a render writes, by writer; a name also matches its temporary (write_atomic).
_RENDERED = [
    ("", rf"{_IMAGE}\.(?:png|jpg|json)|failures{_SHARD}\.jsonl|\.generation_checkpoint{_SHARD}\.json"),
    (r"\d{5}", rf"{_IMAGE}\.(?:png|jpg|json)"),  # files --subdirs
    (rf"lmdb{_SHARD}|\.lmdb{_SHARD}\.(?:\d+\.tmp|old)|\.lmdb\.merge\.tmp", r"data\.mdb|lock\.mdb"),
    (rf"webdataset{_SHARD}", r"shard-\d{6}\.tar"),
    (rf"hf{_SHARD}|\.hf\.(?:merge\.tmp|old)", rf"{_IMAGE}(?:_l\d+)?\.(?:png|jpg)|metadata\.jsonl"),
    ("paddleocr", rf"(?:rec_gt|det_gt){_SHARD}\.txt"),
    ("paddleocr/images", rf"{_IMAGE}(?:_l\d+)?\.(?:png|jpg)"),
    ("tesseract", rf"{_IMAGE}(?:_l\d+)?\.(?:png|jpg|gt\.txt)"),
    ("coco", rf"instances{_SHARD}\.json"),
    ("doctr", rf"labels{_SHARD}\.json"),
    # icdar2015 itself holds only its two folders; it is listed so that the walk goes into them
    ("coco/images|doctr/images|icdar2015|icdar2015/images", rf"{_IMAGE}\.(?:png|jpg)"),
    ("icdar2015/gt", rf"gt_{_IMAGE}\.txt"),
]
# `generate` writes its plan into the output dir too (and ocrgen.torch its index beside it); `render` only reads a plan
# that may live there.
_PLANNED = (
    "",
    r"plans\.jsonl(?:\.stats\.json|\.index)?|\.plans\.jsonl\.tmp|\.plans\.resume-check\.jsonl(?:\.stats\.json)?",
)
_TEMPORARY = re.compile(r"\.(?P<final>.+)\.\d+\.tmp")  # write_atomic's `.NAME.PID.tmp`
_RECORD = re.compile(r"(?:gt_)?image_(\d{8})")  # a record's files, ICDAR 2015's `gt_` text files too
_SHARD_TAG = re.compile(r"\.shard-\d{5}-of-\d{5}")


def owned_files(out_dir: Path, planned_here: bool = False) -> Iterator[Path]:
    """Every file under `out_dir` that ocrgen writes (with `planned_here`, the plan `generate` writes too)."""
    owned = [*_RENDERED, _PLANNED] if planned_here else _RENDERED
    patterns = [(re.compile(d), re.compile(rf"(?:{n})|\.(?:{n})\.\d+\.tmp")) for d, n in owned]
    yield from _walk(out_dir, "", patterns)


def leftover_temporaries(out_dir: Path, shard_tag: str) -> Iterator[tuple[Path, int | None]]:
    """Temporaries of `write_atomic` under `out_dir`, each with its record's index, or None for a shard-wide file.

    A record's temporary (its name holds the index) is the business of the shard that renders that
    record; a shard-wide one (checkpoint, failures, metadata, label lists) is yielded only when its
    path carries `shard_tag` (the shard's `.shard-K-of-N`, or "" for a whole plan) and no other.
    """
    for path in owned_files(out_dir):
        match = _TEMPORARY.fullmatch(path.name)
        if match is None or path.parent.name.startswith("."):  # inside a container being built or merged
            continue
        record = _RECORD.match(match["final"])
        if record is not None:
            yield path, int(record.group(1))
        elif set(_SHARD_TAG.findall(os.fspath(path.relative_to(out_dir)))) == ({shard_tag} if shard_tag else set()):
            yield path, None


def _walk(directory: Path, relative: str, patterns: list[tuple[re.Pattern[str], re.Pattern[str]]]) -> Iterator[Path]:
    """Owned files of `directory`, then of its sub-directories that some writer makes."""
    subdirs = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.name)
            elif any(d.fullmatch(relative) and n.fullmatch(entry.name) for d, n in patterns):
                yield Path(entry.path)
    for name in sorted(subdirs):
        inner = f"{relative}/{name}" if relative else name
        if any(d.fullmatch(inner) for d, _ in patterns):
            yield from _walk(directory / name, inner, patterns)
