"""How `total_images` is shared among specifications, and in which order records come."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import chain, islice, repeat


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
    if len(counts) == 1:
        yield from repeat(0, total)
        return
    done = [0] * len(counts)
    for position in range(1, total + 1):
        best = max(
            (i for i, n in enumerate(counts) if done[i] < n),
            key=lambda i: (position * counts[i] / total - done[i], -i),
        )
        done[best] += 1
        yield best


class RecordOrder:
    """The specification of every record index, for a plan of `counts` and on past its end (the order
    repeats every sum(counts) records).

    Reading from an index means walking the order up to it, at a microsecond a record. A planning
    process asked for chunk after chunk of a big plan goes on from where its last chunk ended
    instead of walking from 0 each time, which made a 10^6-record plan take twice as long.
    """

    def __init__(self, counts: Sequence[int]) -> None:
        self._counts = list(counts)
        self._restart()

    def _restart(self) -> None:
        self._order = chain.from_iterable(interleave(self._counts) for _ in repeat(None))
        self._next = 0

    def starting_at(self, start: int) -> Iterator[tuple[int, int]]:
        """(index, specification index) from record `start` on, without end."""
        if start < self._next:
            self._restart()
        deque(islice(self._order, start - self._next), maxlen=0)
        self._next = start
        for spec in self._order:
            index = self._next
            self._next += 1
            yield index, spec
