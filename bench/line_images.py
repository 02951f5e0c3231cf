"""Line images as the recognizer sees them, the same way for every image, synthetic or real.

Composite on white (transparent pixels are paper), grayscale, resize to 32 px high keeping the aspect
ratio (at most `MAX_WIDTH` px wide, squeezed beyond), scale to [-1, 1]. Batches pad with white
on the right. A `LineSet` holds only paths and labels, so memory does not grow with the set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from crnn import HEIGHT, STRIDE, encode

MAX_WIDTH = 1600  # wider than any real evaluation line at 32 px, so none is squeezed
WHITE = 1.0  # paper after scaling


def on_white(image: Image.Image) -> Image.Image:
    """The image as 8-bit grayscale, any transparency composited over white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    return image.convert("L")


def preprocess(image: Image.Image) -> np.ndarray:
    """(32, width) float32 in [-1, 1]: ink dark, paper 1."""
    gray = on_white(image)
    width = min(MAX_WIDTH, max(STRIDE, round(gray.width * HEIGHT / max(gray.height, 1))))
    resized = gray.resize((width, HEIGHT), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32) / 127.5 - 1.0


def load(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return preprocess(image)


class LineSet(Dataset[tuple[np.ndarray, str]]):
    """(image, label) pairs from image files."""

    def __init__(self, paths: list[Path], labels: list[str]) -> None:
        if len(paths) != len(labels):
            raise ValueError(f"{len(paths)} images but {len(labels)} labels")
        self.paths, self.labels = paths, labels

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[np.ndarray, str]:
        return load(self.paths[index]), self.labels[index]


def collate(batch: list[tuple[np.ndarray, str]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(images padded with white, widths, concatenated targets, target lengths) for CTC."""
    widths = [image.shape[1] for image, _ in batch]
    images = torch.full((len(batch), 1, HEIGHT, max(widths)), WHITE)
    for i, (image, _) in enumerate(batch):
        images[i, 0, :, : image.shape[1]] = torch.from_numpy(image)
    targets = [encode(text) for _, text in batch]
    return (
        images,
        torch.tensor(widths),
        torch.tensor([cls for target in targets for cls in target], dtype=torch.long),
        torch.tensor([len(target) for target in targets]),
    )
