"""Write images and labels so that a file under its final name is always complete."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
from PIL import Image

from ocrgen.atomic import write_atomic
from ocrgen.schemas.label import Label

IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG"}


def sample_stem(index: int) -> str:
    return f"image_{index:08d}"


def encode_image(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "jpg":
        image.save(buffer, "JPEG", quality=95, subsampling=0)
    else:
        image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def encode_label(label: Label) -> bytes:
    return orjson.dumps(label.model_dump(mode="json"), option=orjson.OPT_INDENT_2)


def write_sample(out_dir: Path, index: int, image: Image.Image, label: Label, image_format: str) -> None:
    """The label goes last, so a label on disk means its image is there too."""
    stem = sample_stem(index)
    write_atomic(out_dir / f"{stem}.{image_format}", encode_image(image, image_format))
    write_atomic(out_dir / f"{stem}.json", encode_label(label))
