"""What both datasets give for a record: its image, as an array or a PIL image, and the label `render` writes."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
from PIL import Image

from ocrgen.schemas.label import AnyLabelData

ImageKind = Literal["numpy", "pil"]
Item = tuple[np.ndarray | Image.Image, AnyLabelData]


def check_image_kind(kind: str) -> ImageKind:
    if kind not in get_args(ImageKind):
        raise ValueError(f"image={kind!r}: choose 'numpy' (an H x W x 3 uint8 array) or 'pil' (a PIL image)")
    return kind  # type: ignore[return-value]  # checked just above


def item(pixels: np.ndarray, label: AnyLabelData, kind: ImageKind) -> Item:
    """`pixels` as `kind`, with `label`."""
    return (Image.fromarray(pixels, "RGB") if kind == "pil" else pixels), label
