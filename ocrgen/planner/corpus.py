"""Text samples drawn straight from corpus files, without reading a corpus into memory.

Each draw picks a file (weighted by its size, so every byte is equally likely),
seeks to a random offset and reads a small window. Memory is the same for a
kilobyte of text or a terabyte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ocrgen.errors import PlanningError
from ocrgen.sampling import choose, sample_int
from ocrgen.schemas.ranges import Range
from ocrgen.text.scripts import is_mark, leans_forward, writes_without_spaces

_MAX_LINE_BYTES = 1 << 16


def match_corpus(corpus_dir: Path, pattern: str) -> list[Path]:
    """The .txt files under `corpus_dir` that `pattern` names, sorted."""
    return sorted(p for p in corpus_dir.glob(pattern) if p.is_file() and p.suffix.lower() == ".txt")


@dataclass(frozen=True)
class Draw:
    """A text, or the reason no text came out of this attempt."""

    text: str | None
    reason: str | None = None


class Corpus:
    """The corpus files of one specification."""

    def __init__(self, files: list[Path], mode: str, length: Range) -> None:
        sized = [(f, f.stat().st_size) for f in files]
        self._files = [f for f, size in sized if size > 0]
        self._sizes = [size for _, size in sized if size > 0]
        if not self._files:
            raise PlanningError(f"Every corpus file is empty: {', '.join(str(f) for f in files)}")
        self._mode = mode
        self._length = length

    def draw(self, rng: np.random.Generator) -> Draw:
        index = choose(range(len(self._files)), self._sizes, rng)
        path, size = self._files[index], self._sizes[index]
        offset = int(rng.integers(size))
        if self._mode == "lines":
            return self._line_after(path, size, offset)
        return self._words_at(path, size, offset, sample_int(self._length, rng))

    def _words_at(self, path: Path, size: int, offset: int, target: int) -> Draw:
        start = max(offset - 1, 0)
        with open(path, "rb") as handle:
            handle.seek(start)
            raw = handle.read(target * 4 + 64 + (offset > 0))
        reaches_end = start + len(raw) >= size
        before = raw[:1] if offset > 0 else b" "
        text = _decode(raw[offset > 0 :], path, offset)
        if writes_without_spaces(text):
            body = text if reaches_end else _without_last_cluster(text)
            picked = _cut_characters(" ".join(body.split()), target)
        else:
            words = text.split()
            if not before.isspace() and text[:1] and not text[:1].isspace():
                words = words[1:]  # the random offset fell inside this word
            if not reaches_end and text[-1:] and not text[-1:].isspace():
                words = words[:-1]  # the window ended inside this word
            picked = _take_words(words, target)
        return self._checked(picked, "text_too_short")

    def _line_after(self, path: Path, size: int, offset: int) -> Draw:
        """The line after a random offset: its chance does not depend on its own length."""
        with open(path, "rb") as handle:
            handle.seek(offset)
            head = handle.read(_MAX_LINE_BYTES)
            newline = head.find(b"\n")
            start = offset + newline + 1 if newline >= 0 and offset + newline + 1 < size else 0
            handle.seek(start)
            line = handle.read(_MAX_LINE_BYTES).split(b"\n", 1)[0]
        text = " ".join(_decode(line, path, start).split())
        if not text:
            return Draw(None, "empty_line")
        return self._checked(text, "line_length_out_of_range")

    def _checked(self, text: str, reason: str) -> Draw:
        if not self._length.min <= len(text) <= self._length.max:
            return Draw(None, reason)
        return Draw(text)


def _decode(raw: bytes, path: Path, offset: int) -> str:
    """Decode a window that may start or end inside a multi-byte character."""
    start = 0
    while start < min(len(raw), 4) and 0x80 <= raw[start] < 0xC0:
        start += 1
    try:
        return raw[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(raw) - start - 3 and error.reason == "unexpected end of data":
            return raw[start : start + error.start].decode("utf-8")
        raise PlanningError(
            f"{path} is not valid UTF-8 near byte {offset + start + error.start}; "
            "convert it with `iconv -t UTF-8` or remove it from the corpus."
        ) from None


def _without_last_cluster(text: str) -> str:
    """Drop the last letter and its marks: the window may have cut more marks that follow."""
    end = len(text)
    while end > 0 and is_mark(text[end - 1]):
        end -= 1
    return text[: max(end - 1, 0)]


def _take_words(words: list[str], target: int) -> str:
    taken: list[str] = []
    length = -1
    for word in words:
        if length + 1 + len(word) > target:
            break
        taken.append(word)
        length += 1 + len(word)
    return " ".join(taken)


def _cut_characters(text: str, target: int) -> str:
    """Cut `target` characters without splitting a base letter from its marks or a preposed vowel from its letter."""
    start = 0
    while start < len(text) and is_mark(text[start]):
        start += 1
    end = min(start + target, len(text))
    while end > start and end < len(text) and is_mark(text[end]):
        end -= 1
    while end > start and leans_forward(text[end - 1]):
        end -= 1
    return text[start:end].strip()
