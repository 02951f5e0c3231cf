"""Batches for a CTC text recognizer: images at one height, aspect kept, padded to the widest; texts as classes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
from PIL import Image

from ocrgen.charset import Charset


class RecognitionBatch(NamedTuple):
    images: torch.Tensor  # (N, C, H, W) float in [0, 1]; C is 1 for grayscale, else 3
    targets: torch.Tensor  # (sum of target_lengths,) int64: every text's classes, one after another
    target_lengths: torch.Tensor  # (N,) int64
    widths: torch.Tensor  # (N,) int64: each image's width before padding, for the model's input lengths
    texts: list[str]


class RecognitionCollate:
    """A DataLoader `collate_fn` for `(image, label)` items: an H x W x 3 uint8 array or a PIL image, and render's
    label data (or the text itself).

    Each image is resized to `height` with its aspect ratio kept (bilinear; at least 1 px wide, and
    squeezed to `max_width` when wider), made grayscale unless `grayscale=False`, and padded on the
    right with `pad_value` to the widest of the batch. Texts are encoded with `charset`, which
    decides what an unknown character does (raise, or be dropped). Runs in the DataLoader's workers.
    """

    def __init__(
        self,
        charset: Charset,
        height: int = 32,
        grayscale: bool = True,
        max_width: int | None = None,
        pad_value: float = 0.0,
    ) -> None:
        if height < 1 or (max_width is not None and max_width < 1):
            raise ValueError(f"height {height} and max_width {max_width} must be 1 or more")
        self.charset, self.height, self.grayscale = charset, height, grayscale
        self.max_width, self.pad_value = max_width, pad_value

    def width(self, width: int, height: int) -> int:
        """The width an image of `width` x `height` px gets."""
        scaled = max(1, round(width * self.height / height))
        return scaled if self.max_width is None else min(scaled, self.max_width)

    def __call__(self, batch: Sequence[tuple[Any, Any]]) -> RecognitionBatch:
        resized = [self._resized(image) for image, _ in batch]
        texts = [label if isinstance(label, str) else label["text"] for _, label in batch]
        channels = 1 if self.grayscale else 3
        widest = max((picture.shape[1] for picture in resized), default=1)
        images = np.full((len(batch), channels, self.height, widest), self.pad_value, np.float32)
        for slot, picture in zip(images, resized, strict=True):
            slot[:, :, : picture.shape[1]] = picture.reshape(self.height, picture.shape[1], channels).transpose(2, 0, 1)
        encoded = [self.charset.encode(text) for text in texts]
        return RecognitionBatch(
            images=torch.from_numpy(images),
            targets=torch.tensor([k for classes in encoded for k in classes], dtype=torch.int64),
            target_lengths=torch.tensor([len(classes) for classes in encoded], dtype=torch.int64),
            widths=torch.tensor([picture.shape[1] for picture in resized], dtype=torch.int64),
            texts=texts,
        )

    def _resized(self, image: np.ndarray | Image.Image) -> np.ndarray:
        """The image at the batch height, as float32 in [0, 1], H x W (grayscale) or H x W x 3."""
        picture = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image, np.uint8), "RGB")
        picture = picture.convert("L" if self.grayscale else "RGB")
        size = (self.width(picture.width, picture.height), self.height)
        if picture.size != size:
            picture = picture.resize(size, Image.Resampling.BILINEAR)
        return np.asarray(picture, np.float32) / 255
