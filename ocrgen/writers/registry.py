"""The one place writers are registered by name; optional formats import their library only when asked for."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path

from ocrgen.errors import OcrgenError
from ocrgen.plugins import WRITER_GROUP, load_target, registered
from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import Writer, WriterSpec

log = logging.getLogger(__name__)

# name -> "module:class"; imported lazily so `ocrgen` runs without the lmdb extra installed.
BUILT_IN = {
    "coco": "ocrgen.writers.coco:CocoWriter",
    "doctr": "ocrgen.writers.doctr:DoctrWriter",
    "files": "ocrgen.writers.files:FilesWriter",
    "icdar2015": "ocrgen.writers.icdar2015:Icdar2015Writer",
    "hf": "ocrgen.writers.hf:HfWriter",
    "lmdb": "ocrgen.writers.lmdb:LmdbWriter",
    "paddleocr": "ocrgen.writers.paddleocr:PaddleOcrWriter",
    "tesseract": "ocrgen.writers.tesseract:TesseractWriter",
    "webdataset": "ocrgen.writers.webdataset:WebDatasetWriter",
}


def _plugin_writers() -> dict[str, tuple[str, str]]:
    """name -> ("module:class", package) of each plugin package's writer (the `ocrgen.writers` entry points)."""
    found = {}
    for plugin in registered(WRITER_GROUP):
        if plugin.name in BUILT_IN:
            log.warning("writer %r of %s left out: a built-in writer has that name", plugin.name, plugin.package)
        else:
            found[plugin.name] = (plugin.value, plugin.package)
    return found


PLUGIN_WRITERS = _plugin_writers()
WRITERS = {**BUILT_IN, **{name: value for name, (value, _) in PLUGIN_WRITERS.items()}}

# writer -> "module:function" that joins its per-shard containers into one (`ocrgen merge`); per-record writers
# need none
MERGERS = {
    "hf": "ocrgen.writers.merge:merge_hf",
    "lmdb": "ocrgen.writers.merge:merge_lmdb",
    "paddleocr": "ocrgen.writers.merge:merge_paddleocr",
}

# writer -> (the module it imports, the extra that installs it)
EXTRAS = {"lmdb": ("lmdb", "lmdb")}
# writer -> the image formats its readers take (tesstrain reads PNG and TIFF only); others take every format
IMAGE_FORMATS_READ = {"tesseract": ("png",)}


class WriterChoiceError(OcrgenError):
    """A writer whose library is not installed, or an image format its readers cannot read."""

    exit_code = 2


def check_writer(name: str, image_format: str | None = None) -> None:
    """Refuse, before any work, a writer that would fail: its extra or plugin missing, or a format it cannot use."""
    if name in PLUGIN_WRITERS:
        try:
            writer_class(name)
        except Exception as error:
            raise WriterChoiceError(
                f"--writer {name}: the plugin package {PLUGIN_WRITERS[name][1]} failed to load it ({error})"
            ) from None
    if name in EXTRAS:
        module, extra = EXTRAS[name]
        try:
            importlib.import_module(module)
        except ImportError:
            raise WriterChoiceError(
                f"--writer {name} needs the {module} package: pip install 'ocrgen[{extra}]'"
            ) from None
    formats = IMAGE_FORMATS_READ.get(name)
    if image_format is not None and formats is not None and image_format not in formats:
        raise WriterChoiceError(
            f"--writer {name} takes --image-format {' or '.join(formats)} only (its trainer reads no {image_format})."
        )


def writer_class(name: str) -> type[Writer]:
    found: type[Writer] = load_target(WRITERS[name])
    return found


def merge_shards(name: str, out_dir: Path) -> int:
    """Join the shard containers of writer `name` in `out_dir` into one; how many records it holds."""
    merge: Callable[[Path], int] = load_target(MERGERS[name])
    return merge(out_dir)


def open_writer(spec: WriterSpec, out_dir: Path, shard: Shard, image_format: str) -> Writer:
    return writer_class(spec.name)(out_dir, shard, image_format, spec)
