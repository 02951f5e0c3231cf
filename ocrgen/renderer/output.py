"""Write images and labels so that a file under its final name is always complete."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
from PIL import Image

from ocrgen.atomic import write_atomic
from ocrgen.renderer.png import encode_png
from ocrgen.schemas.label import AnyLabelData

IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG"}


def sample_stem(index: int) -> str:
    return f"image_{index:08d}"


def encode_image(pixels: np.ndarray, image_format: str) -> bytes:
    """PNG or JPEG bytes of H x W x 3 pixels."""
    if image_format != "jpg":
        return encode_png(pixels)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "JPEG", quality=95, subsampling=0)
    return buffer.getvalue()


def encode_label(label: AnyLabelData) -> bytes:
    """The label file's bytes; a `Label` model gives the same with `label.model_dump(mode="json")`."""
    return orjson.dumps(label, option=orjson.OPT_INDENT_2)


@dataclass(frozen=True, slots=True)
class EncodedSample:
    """A record's files as bytes, ready for an I/O thread: encoding stays in the render process."""

    image_path: Path
    image: bytes
    label_path: Path
    label: bytes
    index: int
    text: str  # for writers that store the text on its own (lmdb, webdataset)
    page: bool = False  # many texts: recognition writers take each of its lines as a sample of its own

    def write(self) -> None:
        """The label goes last, so a label on disk means its image is there too."""
        write_atomic(self.image_path, self.image)
        write_atomic(self.label_path, self.label)


def encode_sample(
    out_dir: Path, index: int, pixels: np.ndarray, label: AnyLabelData, image_format: str
) -> EncodedSample:
    stem = sample_stem(index)
    image_path, label_path = out_dir / f"{stem}.{image_format}", out_dir / f"{stem}.json"
    return EncodedSample(
        image_path,
        encode_image(pixels, image_format),
        label_path,
        encode_label(label),
        index,
        label["text"],
        "instances" in label,
    )
