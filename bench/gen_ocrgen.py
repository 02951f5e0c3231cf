"""ocrgen's data set for the downstream bench: a batch config planned over the bench's strings, rendered to PNG.

The bench overrides, in every specification: the corpus (a file of exactly the bench's strings,
`text_mode: lines`, any length up to the longest), the fonts (all of the bench's font dir) and
total_images. Everything else is planned as the config says. The planner draws corpus lines at
random; here record i takes string i instead, as trdg and SynthTIGER do, so all three generators
render the same strings in the same order (the bench checks every record's text).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import deque
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import numpy as np
import yaml

import ocrgen
from ocrgen.planner import AssetDirs, load_config, validate
from ocrgen.planner.corpus import Draw
from ocrgen.planner.records import PlanStats, stride_records
from ocrgen.planner.writer import PlanWriter
from ocrgen.record_json import record_line
from ocrgen.renderer.run import render_plan
from ocrgen.schemas.plan import RecordData
from set_cache import BENCH_DIR

CORPUS_FILE = "strings.txt"
DEPENDENCIES = ("numpy", "pillow", "uharfbuzz", "freetype-py", "deflate", "pyicu-wheels", "pydantic")


class InOrder:
    """A corpus that hands out the bench's strings one per draw: record i gets string i."""

    def __init__(self, strings: list[str]) -> None:
        self._strings = iter(strings)

    def draw(self, rng: np.random.Generator) -> Draw:
        return Draw(next(self._strings))


def package_digest(root: Path) -> str:
    """The bytes of every file of the ocrgen package that runs, so changed code makes a new data set."""
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            sha.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


def _noting(records: Iterator[RecordData], texts: list[str]) -> Iterator[RecordData]:
    """The records, their texts noted in `texts`."""
    for record in records:
        texts.append(record["text"])
        yield record


class OcrgenMaker:
    name = "ocrgen"

    def __init__(self, config: Path, font_dir: Path, font_digest: str, max_length: int, workers: int) -> None:
        self.config, self.font_dir, self.font_digest = config, font_dir, font_digest
        self.max_length, self.workers = max_length, workers
        load_config(config)  # its own mistakes reported against its own lines, before the bench changes it
        self.settings = self._overridden(yaml.safe_load(config.read_text(encoding="utf-8")))

    def _overridden(self, data: dict) -> dict:
        for spec in data.get("specifications", []):
            spec.update(
                corpus=[CORPUS_FILE],
                text_mode="lines",
                text_length={"min": 1, "max": self.max_length},
                fonts={"include": ["*"]},
            )
        return data

    def key(self) -> dict[str, object]:
        return {
            "config": {k: v for k, v in self.settings.items() if k != "total_images"},
            "fonts": self.font_digest,
            "ocrgen": package_digest(Path(ocrgen.__file__).resolve().parent),
            "versions": {name: version(name) for name in DEPENDENCIES},
        }

    def changes_text(self) -> bool:
        return any(spec.get("text_augmentation") for spec in self.settings.get("specifications", []))

    def make(self, out_dir: Path, strings: list[str], start: int) -> list[tuple[str, str]]:
        corpus_dir = out_dir / "corpus"
        corpus_dir.mkdir(exist_ok=True)
        (corpus_dir / CORPUS_FILE).write_text("".join(s + "\n" for s in strings), encoding="utf-8")
        config_path = out_dir / "config.yaml"
        config_path.write_text(yaml.safe_dump({**self.settings, "total_images": len(strings)}, sort_keys=False))
        config, resources = validate(config_path, AssetDirs(fonts=self.font_dir, corpus=corpus_dir))
        shared = InOrder(strings[start:])  # record i plans on its own: only its draw from the corpus links it to i
        resources = dataclasses.replace(
            resources, specs=[dataclasses.replace(spec, corpus=shared) for spec in resources.specs]
        )
        plan = out_dir / f"plan-from-{start}.jsonl"
        texts: list[str] = []
        stats = PlanStats()  # written beside the plan once it is complete, so it must be the one planning fills
        planned = stride_records(config, resources, config.seed or 0, stats, start=start, stop=len(strings))
        records = _noting(planned, texts)
        deque(PlanWriter(plan).lines(map(record_line, records), stats), maxlen=0)
        if len(texts) != len(strings) - start or (texts != strings[start:] and not self.changes_text()):
            raise RuntimeError(f"{plan}: the planned texts are not the bench's strings in order")
        summary = render_plan(plan, out_dir / "images", workers=self.workers)
        if summary.failed:
            raise RuntimeError(f"ocrgen failed to render {summary.failed} records of {plan}: {dict(summary.reasons)}")
        return [(f"images/image_{i:08d}.png", text) for i, text in enumerate(texts, start)]

    def describe(self) -> str:
        sha = hashlib.sha256(self.config.read_bytes()).hexdigest()[:12]
        shown = os.path.relpath(self.config.resolve(), BENCH_DIR.parent)
        return f"`{shown}` (sha256 {sha}...), with corpus, fonts and total_images set by the bench"
