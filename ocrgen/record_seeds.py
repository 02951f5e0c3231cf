"""Each record's random generator, made for many records at once.

A record's generator is PCG64 seeded by numpy's `SeedSequence([seed, index, stream])`, which costs
about 9 µs a record, most of a single word's fixed planning cost beyond its draws. SeedSequence's
hash is fixed (O'Neill's seed_seq_fe: 32-bit multiply, xor and shift), so the states of a whole
batch of indices are worked out here in a few dozen numpy operations, and each generator is then
built from its state in about 1 µs. The generators are the very ones SeedSequence gives:
`tests/test_record_seeds.py` holds them to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISeedSequence

_WORD = 0xFFFFFFFF
_POOL = 4  # SeedSequence's default pool size, in 32-bit words
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875  # hashing the entropy into the pool
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED  # hashing the pool out into states
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_SHIFT = np.uint32(16)
_STATE_WORDS = 8  # PCG64 takes four 64-bit words


def record_rngs(seed: int, indices: Sequence[int], stream: int = 0) -> Iterator[np.random.Generator]:
    """The generator of each record in `indices`, in their order: as `SeedSequence([seed, index, stream])` seeds it."""
    if not indices:
        return
    if max(indices) > _WORD:  # an index of two words: past four billion records, one at a time
        for index in indices:
            yield np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index, stream])))
        return
    for state in _states(seed, np.asarray(indices, dtype=np.uint32), stream):
        # numpy's stubs name SeedSequence only; its docs take any ISeedSequence.
        yield np.random.Generator(np.random.PCG64(_State(state)))  # type: ignore[arg-type]


class _State(ISeedSequence):
    """A worked-out seed state, handed to PCG64 where a SeedSequence would generate it."""

    __slots__ = ("state",)

    def __init__(self, state: np.ndarray) -> None:
        self.state = state

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        assert n_words == _STATE_WORDS // 2 and np.dtype(dtype) == np.uint64, "PCG64 asks for four 64-bit words"
        return self.state


def _words(value: int) -> list[int]:
    """`value` as SeedSequence takes it in: 32-bit words, least significant first, at least one."""
    words = [value & _WORD]
    while value := value >> 32:
        words.append(value & _WORD)
    return words


def _states(seed: int, indices: np.ndarray, stream: int) -> np.ndarray:
    """SeedSequence([seed, index, stream]).generate_state(4, uint64) for each index: one row each."""
    count = len(indices)
    entropy = [
        *(np.full(count, word, np.uint32) for word in _words(seed)),
        indices,
        *(np.full(count, word, np.uint32) for word in _words(stream)),
    ]
    hashing = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hashing
        value = value ^ np.uint32(hashing)
        hashing = hashing * _MULT_A & _WORD
        value = value * np.uint32(hashing)
        return value ^ (value >> _SHIFT)

    def mix(into: np.ndarray, value: np.ndarray) -> np.ndarray:
        mixed: np.ndarray = into * np.uint32(_MIX_L) - value * np.uint32(_MIX_R)
        return mixed ^ (mixed >> _SHIFT)

    zero = np.zeros(count, np.uint32)
    pool = [hashmix(entropy[i] if i < len(entropy) else zero) for i in range(_POOL)]
    for source in range(_POOL):
        for target in range(_POOL):
            if source != target:
                pool[target] = mix(pool[target], hashmix(pool[source]))
    for word in entropy[_POOL:]:
        for target in range(_POOL):
            pool[target] = mix(pool[target], hashmix(word))
    hashing = _INIT_B
    states = np.empty((count, _STATE_WORDS), np.uint32)
    for column in range(_STATE_WORDS):
        value = pool[column % _POOL] ^ np.uint32(hashing)
        hashing = hashing * _MULT_B & _WORD
        value = value * np.uint32(hashing)
        states[:, column] = value ^ (value >> _SHIFT)
    return states.astype("<u4").view("<u8").astype(np.uint64)  # pairs of words, low first, on any byte order
