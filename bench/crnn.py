"""The downstream bench's recognizer: one fixed small CRNN (conv blocks, a 2-layer BiLSTM, CTC) over printable ASCII.

Input: grayscale lines 32 px high, any width. Six conv-BN-ReLU blocks (16, 32, 64, 96, 128, 128 channels;
few at full resolution, where they cost the most on a CPU); two 2x2 poolings halve height
and width, three (2, 1) poolings halve the height only, so the features are 1 px high and a quarter
of the input width: one frame per 4 input columns. A 2-layer BiLSTM (128 per direction) reads the
frames and a linear layer scores the 96 classes (CTC blank + 95 printable ASCII characters).
About 1.0 M parameters, two thirds of them in the LSTM (`parameter_count` gives the exact figure; the bench reports it).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

HEIGHT = 32
STRIDE = 4  # input columns per output frame
CHARSET = "".join(chr(code) for code in range(32, 127))  # printable ASCII, space included
BLANK = 0  # class 0 is CTC's blank; character i of CHARSET is class i + 1
CLASSES = len(CHARSET) + 1
_INDEX = {char: i + 1 for i, char in enumerate(CHARSET)}
# (output channels, pooling after the block): height 32 -> 16 -> 8 -> 4 -> 2 -> 1, width / 4
BLOCKS: tuple[tuple[int, tuple[int, int] | None], ...] = (
    (16, (2, 2)),
    (32, (2, 2)),
    (64, None),
    (96, (2, 1)),
    (128, (2, 1)),
    (128, (2, 1)),
)
HIDDEN = 128


def encode(text: str) -> list[int]:
    """Class indices of `text`; KeyError names a character outside the charset."""
    return [_INDEX[char] for char in text]


def greedy_decode(classes: Sequence[int]) -> str:
    """Best-path CTC decoding: merge repeated classes, then drop blanks."""
    chars = []
    previous = BLANK
    for cls in classes:
        if cls != previous and cls != BLANK:
            chars.append(CHARSET[cls - 1])
        previous = cls
    return "".join(chars)


class CRNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 1
        for out, pool in BLOCKS:
            layers += [nn.Conv2d(channels, out, 3, padding=1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
            if pool is not None:
                layers.append(nn.MaxPool2d(pool, pool))
            channels = out
        self.features = nn.Sequential(*layers)
        self.rnn = nn.LSTM(channels, HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
        self.classifier = nn.Linear(2 * HIDDEN, CLASSES)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(batch, 1, 32, width) images -> (batch, width // 4, classes) log-probabilities."""
        features = self.features(images).squeeze(2).transpose(1, 2)
        frames, _ = self.rnn(features)
        return self.classifier(frames).log_softmax(-1)


def frames(width: int) -> int:
    """Output frames for an input `width` px wide."""
    return width // STRIDE


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
