"""A tiny CRNN-like model learns from a PlanDataset through the recognition collate and CTC: its loss goes down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ocrgen.planner import AssetDirs, make_plan
from tests.wordplans import NARROW, write_config

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402  # torch is known to be installed only from here
from torch.utils.data import DataLoader  # noqa: E402

from ocrgen.torch import Charset, PlanDataset, RecognitionCollate  # noqa: E402


class TinyCRNN(nn.Module):
    """Two conv blocks over a 32 px high line, the height averaged away, one class score per 4 px column."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )  # fmt: skip
        self.rnn = nn.GRU(32, 32, bidirectional=True)
        self.classify = nn.Linear(64, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        columns = self.features(images).mean(dim=2).permute(2, 0, 1)  # (T, N, C)
        return self.classify(self.rnn(columns)[0]).log_softmax(2)


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Two threads on two cores that other processes share wait on each other: 20x slower for so small a model."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.usefixtures("one_thread")
def test_ctc_loss_goes_down_on_a_plan(tmp_path: Path) -> None:
    torch.manual_seed(0)
    plan = tmp_path / "plans.jsonl"
    make_plan(write_config(tmp_path, total_images=16, specifications=NARROW), AssetDirs(), plan)
    charset = Charset.from_plan(plan)
    loader = DataLoader(PlanDataset(plan), batch_size=8, shuffle=True, collate_fn=RecognitionCollate(charset))
    model = TinyCRNN(charset.num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    losses = []
    for _ in range(30):
        for batch in loader:
            scores = model(batch.images)
            lengths = torch.div(batch.widths, 4, rounding_mode="floor").clamp(min=1)
            loss = ctc(scores, batch.targets, lengths, batch.target_lengths)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    start, settled, end = (sum(part) / len(part) for part in (losses[:2], losses[10:20], losses[-10:]))
    assert end < 0.6 * start, losses  # most of it: blanks everywhere, learnt in a few steps
    assert end < settled, losses  # and still going down after that
