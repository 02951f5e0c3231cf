"""The text every generator renders in the downstream bench: English prose cut into runs of whole words.

The prose is Debian's `fortunes` package (quotations, jokes and short stories, plain English),
normalised to printable ASCII. Each fortune becomes one paragraph; lines that are not prose
(ASCII art, code, overstruck text) are left out. A fixed share of the fortunes is set aside, so
the held-out strings never share a sentence with the training strings.

Training strings are runs of whole words of at most `MAX_LENGTH` characters. Their target length is
drawn for each string: with chance `SHORT_SHARE` uniform over 1..50 (single words and short
phrases), otherwise uniform over 20..50 (the bulk of a printed line: real evaluation lines run
10 to 100 characters, and the recognizer reads a long line as a run of such pieces). A run takes
words while it fits the target, so strings end a little short of it; the first word is always taken.

The strings come from seeded streams, one for training and one for held-out lines, so the first N
strings are the same whatever N: a cached data set of 20,000 lines serves a run that asks for 5,000.
No string holds a backslash: SynthTIGER draws `\\` as a full-width backslash.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

FORTUNE_DIR = Path("/usr/share/games/fortunes")
SKIPPED_FILES = frozenset({"ascii-art"})  # pictures drawn with characters, not prose
MAX_LENGTH = 50
SHORT_SHARE = 0.25
LONG_MIN = 20
HELD_OUT_SHARE = 0.1  # of the fortunes, set aside for held-out strings
DISTRACTORS = 2000  # strings a generator may draw around the labelled line, the same whatever N
MIN_LETTER_SHARE = 0.7  # of a line's characters letters or spaces, or the line is not prose
PRINTABLE = frozenset(chr(code) for code in range(32, 127)) - {"\\"}
TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "--",
        "\u2026": "...",
        "\u00a0": " ",
    }
)
VERSION = 1  # bump when the cutting changes, so cached data sets made from older strings are not reused


def fortune_files(directory: Path = FORTUNE_DIR) -> list[Path]:
    """The fortune files of `directory`: not the `.dat` indexes, not the `.u8` links to the same files."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file() and not path.is_symlink() and not path.suffix and path.name not in SKIPPED_FILES
    )


def prose_line(line: str) -> bool:
    """A normalised line that is English prose: printable ASCII, mostly letters and spaces."""
    if not line or not set(line) <= PRINTABLE:
        return False
    letters = sum(char.isalpha() or char == " " for char in line)
    return letters >= MIN_LETTER_SHARE * len(line)


def paragraphs(text: str) -> list[str]:
    """Each fortune of a fortune file (fortunes are separated by lines holding `%`) as one line of words."""
    found = []
    for fortune in _fortunes(text):
        lines = (" ".join(line.translate(TYPOGRAPHIC).split()) for line in fortune)
        words = " ".join(line for line in lines if prose_line(line))
        if words:
            found.append(words)
    return found


def _fortunes(text: str) -> list[list[str]]:
    fortunes: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip() == "%":
            fortunes.append([])
        else:
            fortunes[-1].append(line)
    return fortunes


def read_paragraphs(directory: Path = FORTUNE_DIR) -> list[str]:
    return [p for path in fortune_files(directory) for p in paragraphs(path.read_text("utf-8", errors="replace"))]


def target_length(rng: random.Random) -> int:
    if rng.random() < SHORT_SHARE:
        return rng.randint(1, MAX_LENGTH)
    return rng.randint(LONG_MIN, MAX_LENGTH)


class Cutter:
    """Cuts strings out of paragraphs; every word is equally likely to start one."""

    def __init__(self, paragraphs: list[str]) -> None:
        self._words = [p.split() for p in paragraphs]
        self._ends = list(accumulate(len(words) for words in self._words))

    def cut(self, rng: random.Random) -> str:
        length = target_length(rng)
        while True:
            start = rng.randrange(self._ends[-1])
            paragraph = bisect.bisect_right(self._ends, start)
            words = self._words[paragraph][start - (self._ends[paragraph] - len(self._words[paragraph])) :]
            if len(words[0]) <= MAX_LENGTH:
                break
        taken = words[0]
        for word in words[1:]:
            if len(taken) + 1 + len(word) > length:
                break
            taken += " " + word
        return taken


@dataclass(frozen=True)
class Strings:
    """The strings of one bench run: `train` for the training sets, `held_out` for the cross matrix.

    `distractors` is text a generator may draw around the line it labels (SynthTIGER's distractor
    text): from the training fortunes, a stream of its own, so it does not change with N.
    """

    train: list[str]
    held_out: list[str]
    distractors: list[str]


def split_paragraphs(paragraphs: list[str], seed: int) -> tuple[list[str], list[str]]:
    """(training, held-out) paragraphs: a seeded `HELD_OUT_SHARE` of them held out, the rest in order."""
    order = list(range(len(paragraphs)))
    random.Random(f"split-{seed}").shuffle(order)
    held = set(order[: max(1, round(HELD_OUT_SHARE * len(paragraphs)))])
    return [p for i, p in enumerate(paragraphs) if i not in held], [p for i, p in enumerate(paragraphs) if i in held]


def cut_strings(paragraphs: list[str], train: int, held_out: int, seed: int) -> Strings:
    """`train` and `held_out` strings from disjoint fortunes, each list the prefix of a seeded stream."""
    train_paragraphs, held_paragraphs = split_paragraphs(paragraphs, seed)
    return Strings(
        _stream(Cutter(train_paragraphs), random.Random(f"train-{seed}"), train),
        _stream(Cutter(held_paragraphs), random.Random(f"held-out-{seed}"), held_out),
        _stream(Cutter(train_paragraphs), random.Random(f"distractors-{seed}"), DISTRACTORS),
    )


def _stream(cutter: Cutter, rng: random.Random, count: int) -> list[str]:
    return [cutter.cut(rng) for _ in range(count)]


def corpus_digest(paragraphs: list[str], seed: int) -> str:
    """What decides every training and held-out string: the paragraphs, the seed and the cutting rules.

    The distractor strings are not in it: a generator that draws them hashes them into its own key.
    """
    digest = hashlib.sha256(f"{VERSION} {seed} {MAX_LENGTH} {SHORT_SHARE} {LONG_MIN} {HELD_OUT_SHARE}\n".encode())
    for paragraph in paragraphs:
        digest.update(paragraph.encode() + b"\n")
    return digest.hexdigest()
