"""The characters a recognizer must know: found in a plan's texts, and numbered for CTC (0 is the blank).

Torch-free, so `ocrgen inspect --charset` can print a plan's characters for a model's vocabulary
without the training extra installed.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from ocrgen.renderer.planfile import Shard, parse_record, shard_lines
from ocrgen.schemas.plan import text_blocks

BLANK = 0
LINE_BREAK = "\n"  # between the lines of a multi-line text: a line recognizer never reads it

Unknown = Literal["error", "drop"]


def plan_characters(path: str | os.PathLike[str]) -> str:
    """Every character of the plan's texts but the line break, once each, sorted by code point.

    Each line is validated as `render` validates it, so a line it would refuse raises PlanFileError naming it.
    """
    path = Path(path)
    seen: set[str] = set()
    for line in shard_lines(path, Shard()):
        for block in text_blocks(parse_record(path, line)):
            seen.update(block.text)
    seen.discard(LINE_BREAK)
    return "".join(sorted(seen))


class Charset:
    """Characters numbered for a CTC recognizer: the blank is class 0, `characters[k]` is class k + 1.

    A text with a character outside the charset raises ValueError, or with `unknown="drop"` is
    encoded without it (the label then no longer matches the image there, so drop only what is rare).
    """

    def __init__(self, characters: Iterable[str], unknown: Unknown = "error") -> None:
        ordered = list(characters)
        if any(len(c) != 1 for c in ordered):
            raise ValueError(f"a charset holds single characters, not {next(c for c in ordered if len(c) != 1)!r}")
        repeated = sorted(c for c, n in Counter(ordered).items() if n > 1)
        if repeated:
            raise ValueError(f"{''.join(repeated)!r} appear more than once in the charset; list each character once")
        if unknown not in ("error", "drop"):
            raise ValueError(f"unknown={unknown!r}: choose 'error' or 'drop'")
        self.characters = "".join(ordered)
        self.unknown = unknown
        self._classes = {c: k + 1 for k, c in enumerate(ordered)}

    @classmethod
    def from_plan(cls, path: str | os.PathLike[str], unknown: Unknown = "error") -> Charset:
        """The characters of a plan's texts, as `ocrgen inspect PLAN --charset` prints them."""
        return cls(plan_characters(path), unknown)

    @property
    def num_classes(self) -> int:
        """The size of a CTC model's output: the characters and the blank."""
        return len(self.characters) + 1

    def encode(self, text: str) -> list[int]:
        """The class of each character of `text`, in logical order."""
        if self.unknown == "drop":
            return [self._classes[c] for c in text if c in self._classes]
        try:
            return [self._classes[c] for c in text]
        except KeyError as error:
            char = error.args[0]
            raise ValueError(
                f"{char!r} (U+{ord(char):04X}) in {text!r} is not in the charset; add it, "
                "or make the Charset with unknown='drop' to leave such characters out"
            ) from None

    def decode(self, classes: Sequence[int]) -> str:
        """Greedy CTC decoding of one output sequence: repeats merged, then blanks dropped."""
        kept, previous = [], BLANK
        for k in classes:
            if k != previous and k != BLANK:
                kept.append(self.characters[k - 1])
            previous = k
        return "".join(kept)

    def __repr__(self) -> str:
        return f"Charset({self.characters!r}, unknown={self.unknown!r})"
