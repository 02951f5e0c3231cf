"""Each record's generator is the one numpy's SeedSequence([seed, index, stream]) seeds: plans made before the
batch seeding came in stay the same, and any numpy that changed SeedSequence's hash would show here."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.record_seeds import record_rngs

SEEDS = st.integers(min_value=0, max_value=2**64 - 1)
INDICES = st.integers(min_value=0, max_value=2**32 - 1)


def _seed_sequence_state(seed: int, index: int, stream: int) -> dict[str, object]:
    return np.random.PCG64(np.random.SeedSequence([seed, index, stream])).state


@settings(max_examples=200, deadline=None)
@given(
    seed=SEEDS,
    indices=st.lists(INDICES | st.sampled_from([0, 1, 2**32 - 1]), max_size=40),
    stream=st.integers(min_value=0, max_value=2**70),
)
def test_a_batch_gives_each_record_its_seed_sequence_generator(seed: int, indices: list[int], stream: int) -> None:
    rngs = list(record_rngs(seed, indices, stream))
    assert len(rngs) == len(indices)
    for index, rng in zip(indices, rngs, strict=True):
        assert rng.bit_generator.state == _seed_sequence_state(seed, index, stream)


@given(seed=SEEDS, index=st.integers(min_value=2**32, max_value=2**64), others=st.lists(INDICES, max_size=5))
def test_indices_past_four_billion_are_seeded_alike(seed: int, index: int, others: list[int]) -> None:
    indices = [*others, index]
    for at, rng in zip(indices, record_rngs(seed, indices), strict=True):
        assert rng.bit_generator.state == _seed_sequence_state(seed, at, 0)


def test_records_get_independent_generators() -> None:
    """Different records, seeds or streams must not replay the same numbers."""
    rngs = [*record_rngs(7, [0, 1]), *record_rngs(8, [0]), *record_rngs(7, [0], stream=1)]
    sequences = {tuple(rng.random(5)) for rng in rngs}
    assert len(sequences) == len(rngs)
