"""Train the bench's CRNN for a fixed number of steps, and read lines with it.

The budget is optimizer steps, not time, so machine load cannot bend the comparison: every
generator's model sees `steps` x `batch` lines, drawn without replacement (epoch after epoch) in
an order fixed by the seed. Batches pad to their widest line, so each pool of `POOL` batches is
sorted by text length before it is cut into batches (lines of a batch are then about as wide),
and the batches of a pool are shuffled. AdamW with a one-cycle schedule and gradient clipping; CTC loss.
Reading is one line at a time, with no padding, so a line's text never depends on its neighbours.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader

from crnn import CRNN, frames, greedy_decode
from line_images import LineSet, collate, load

POOL = 8  # batches sorted by length together


@dataclass(frozen=True)
class Settings:
    steps: int = 1500
    batch: int = 16
    # Chosen on held-out ocrgen lines (2,000 lines, 600 steps: peak 1e-3 gave 59 % CER, 3e-3 26 %,
    # 5e-3 17 %, 1e-2 17 %), never on the real lines. A short budget wants a high peak.
    max_lr: float = 5e-3
    weight_decay: float = 1e-2
    warmup: float = 0.1  # share of the steps the learning rate rises
    clip: float = 5.0  # gradient norm
    seed: int = 0
    threads: int = 2
    loader_workers: int = 1


@dataclass(frozen=True)
class Trained:
    model: CRNN
    seconds: float  # training wall time
    final_loss: float  # mean CTC loss of the last 10 % of the steps


def batches(lengths: list[int], batch: int, steps: int, seed: int) -> list[list[int]]:
    """`steps` batches of indices: seeded epochs, each line once per epoch, lines of like length batched together."""
    rng = random.Random(seed)
    stream: list[int] = []
    while len(stream) < steps * batch:
        epoch = list(range(len(lengths)))
        rng.shuffle(epoch)
        stream += epoch
    stream = stream[: steps * batch]
    found = []
    for start in range(0, len(stream), POOL * batch):
        pool = sorted(stream[start : start + POOL * batch], key=lambda i: lengths[i])
        cut = [pool[i : i + batch] for i in range(0, len(pool), batch)]
        rng.shuffle(cut)
        found += cut
    return found


def train(lines: LineSet, settings: Settings, log: Callable[[str], None]) -> Trained:
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    model = CRNN()
    order = batches([len(label) for label in lines.labels], settings.batch, settings.steps, settings.seed)
    loader = DataLoader(lines, batch_sampler=order, num_workers=settings.loader_workers, collate_fn=collate)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.max_lr, weight_decay=settings.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=settings.max_lr, total_steps=settings.steps, pct_start=settings.warmup
    )
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    model.train()
    losses: list[float] = []
    start = time.perf_counter()
    for step, (images, widths, targets, target_lengths) in enumerate(loader, 1):
        log_probs = model(images).transpose(0, 1)  # (frames, batch, classes), as CTCLoss takes them
        loss = ctc(log_probs, targets, torch.tensor([frames(int(w)) for w in widths]), target_lengths)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), settings.clip)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 100 == 0 or step == settings.steps:
            seconds = time.perf_counter() - start
            log(
                f"step {step:,}/{settings.steps:,}: loss {sum(losses[-100:]) / len(losses[-100:]):.3f}, "
                f"{seconds / step:.2f} s/step"
            )
    tail = losses[-max(1, len(losses) // 10) :]
    return Trained(model, time.perf_counter() - start, sum(tail) / len(tail))


@torch.no_grad()
def read(model: CRNN, images: list[Path], threads: int = 2) -> list[str]:
    """The model's text for each line image (greedy CTC decoding)."""
    torch.set_num_threads(threads)
    model.eval()
    texts = []
    for path in images:
        pixels = torch.from_numpy(load(path))[None, None]
        texts.append(greedy_decode(model(pixels)[0].argmax(-1).tolist()))
    return texts


def save(trained: Trained, settings: Settings, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(trained.model.state_dict(), path.with_suffix(".tmp"))
    path.with_suffix(".json").write_text(
        json.dumps(
            {"seconds": trained.seconds, "final_loss": trained.final_loss, "settings": asdict(settings)}, indent=1
        ),
        encoding="utf-8",
    )
    path.with_suffix(".tmp").replace(path)


def load_trained(path: Path) -> Trained | None:
    """A model saved by `save`, or None when there is none."""
    if not path.exists() or not path.with_suffix(".json").exists():
        return None
    model = CRNN()
    model.load_state_dict(torch.load(path, weights_only=True))
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return Trained(model, meta["seconds"], meta["final_loss"])
