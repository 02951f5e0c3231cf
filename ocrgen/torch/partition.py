"""Which records of a stream one consumer takes, so that every rank and DataLoader worker gets its own.

Consumer (rank r of R, worker w of W) takes indices r + R*w, then every R*W after it. So rank r
gets exactly the indices i with i mod R = r, however many workers it has, and its workers share
them out without overlap; together all consumers take every index once.
"""

from __future__ import annotations

from typing import NamedTuple

import torch.distributed
from torch.utils.data import get_worker_info


class Share(NamedTuple):
    """Indices start, start + step, start + 2 step, ..."""

    start: int
    step: int

    def count(self, total: int) -> int:
        """How many of the indices below `total` are this share's."""
        return max(0, (total - self.start + self.step - 1) // self.step)


def placement(rank: int | None = None, world_size: int | None = None) -> tuple[int, int]:
    """This process's rank and the world size: as given, else torch.distributed's once initialized, else 0 of 1."""
    initialized = torch.distributed.is_available() and torch.distributed.is_initialized()
    if world_size is None:
        world_size = torch.distributed.get_world_size() if initialized else 1
    if rank is None:
        rank = torch.distributed.get_rank() if initialized else 0
    if world_size < 1 or not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} of world size {world_size}: the rank counts from 0 to world_size - 1")
    return rank, world_size


def worker_share(rank: int, world_size: int) -> Share:
    """The share of the DataLoader worker this runs in (or of the process itself, outside a worker)."""
    worker = get_worker_info()
    index, workers = (worker.id, worker.num_workers) if worker is not None else (0, 1)
    return Share(rank + world_size * index, world_size * workers)
