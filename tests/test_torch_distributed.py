"""Two real torch.distributed ranks (gloo, on 127.0.0.1) of two DataLoader workers each: every index drawn once."""

from __future__ import annotations

import json
import multiprocessing
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.wordplans import write_config

torch = pytest.importorskip("torch")

SAMPLES = 23


def as_list(batch: list[Any]) -> list[Any]:
    return batch


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rank_main(rank: int, port: int, config: Path, out: Path) -> None:
    """One rank: joins the group, then lists (epoch, index, text) of what its DataLoader yields in two epochs."""
    import torch.distributed as dist
    from torch.utils.data import DataLoader

    from ocrgen.torch import GeneratedDataset

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        dataset = GeneratedDataset(config, samples=SAMPLES)  # rank and world size from the process group
        seen = []
        for epoch in (0, 1):
            dataset.set_epoch(epoch)
            # forked: a spawned process would otherwise spawn its workers too, each importing torch again
            loader = DataLoader(
                dataset, batch_size=4, num_workers=2, collate_fn=as_list, multiprocessing_context="fork"
            )
            seen += [[epoch, label["plan"]["index"], label["text"]] for batch in loader for _, label in batch]
        out.write_text(json.dumps({"length": len(dataset), "seen": seen}))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_two_ranks_with_two_workers_each_draw_every_index_once(tmp_path: Path) -> None:
    config, port = write_config(tmp_path), free_port()
    spawn = multiprocessing.get_context("spawn")
    outs = [tmp_path / f"rank{rank}.json" for rank in (0, 1)]
    ranks = [spawn.Process(target=rank_main, args=(rank, port, config, outs[rank])) for rank in (0, 1)]
    for process in ranks:
        process.start()
    for process in ranks:
        process.join(timeout=120)
        assert process.exitcode == 0
    results = [json.loads(out.read_text()) for out in outs]
    for epoch in (0, 1):
        per_rank = [[index for e, index, _ in result["seen"] if e == epoch] for result in results]
        assert [len(indices) for indices in per_rank] == [result["length"] for result in results] == [12, 11]
        assert all(index % 2 == rank for rank, indices in enumerate(per_rank) for index in indices)
        assert sorted(per_rank[0] + per_rank[1]) == list(range(SAMPLES))
    texts = [{index: text for e, index, text in result["seen"] if e == epoch} for epoch in (0, 1) for result in results]
    assert {**texts[0], **texts[1]} != {**texts[2], **texts[3]}  # another epoch, another stream
