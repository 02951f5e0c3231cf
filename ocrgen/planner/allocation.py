"""How `total_images` is shared among specifications, and in which order records come."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence


def allocate(total: int, proportions: Sequence[float]) -> list[int]:
    """Image counts per specification, summing to `total`.

    Each gets the floor of its exact share; the images left over go to the
    largest remainders, ties to the earlier specification, so the result
    depends on nothing but the inputs.
    """
    whole = math.fsum(proportions)
    exact = [total * p / whole for p in proportions]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def interleave(counts: Sequence[int]) -> Iterator[int]:
    """Specification index for each record, spreading every specification evenly over the plan.

    At each step the specification furthest behind its even share goes next, so
    any prefix of the plan (or any shard) mixes the specifications.
    """
    total = sum(counts)
    done = [0] * len(counts)
    for position in range(1, total + 1):
        best = max(
            (i for i, n in enumerate(counts) if done[i] < n),
            key=lambda i: (position * counts[i] / total - done[i], -i),
        )
        done[best] += 1
        yield best
