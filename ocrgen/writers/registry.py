"""The one place writers are registered by name; optional formats import their library only when asked for."""

from __future__ import annotations

import importlib
from pathlib import Path

from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import Writer, WriterSpec

# name -> "module:class"; imported lazily so `ocrgen` runs without the lmdb extra installed.
WRITERS = {
    "files": "ocrgen.writers.files:FilesWriter",
    "hf": "ocrgen.writers.hf:HfWriter",
    "lmdb": "ocrgen.writers.lmdb:LmdbWriter",
    "paddleocr": "ocrgen.writers.paddleocr:PaddleOcrWriter",
    "tesseract": "ocrgen.writers.tesseract:TesseractWriter",
    "webdataset": "ocrgen.writers.webdataset:WebDatasetWriter",
}


def writer_class(name: str) -> type[Writer]:
    module, _, cls = WRITERS[name].partition(":")
    found: type[Writer] = getattr(importlib.import_module(module), cls)
    return found


def open_writer(spec: WriterSpec, out_dir: Path, shard: Shard, image_format: str) -> Writer:
    return writer_class(spec.name)(out_dir, shard, image_format, spec)
