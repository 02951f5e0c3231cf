"""Text samples drawn straight from corpus files, without reading a corpus into memory.

Each draw picks a file (weighted by its size, so every byte is equally likely),
seeks to a random offset and reads a small window. Memory is the same for a
kilobyte of text or a terabyte.

In lines mode the offset lands in a line with a chance that grows with the line's
length; a line of the right length is then kept with a chance that shrinks with its
length in the same measure (rejection sampling), so every line that fits `text_length`
is equally likely, whatever its neighbours, and no index of the file is needed.
"""

from __future__ import annotations

import codecs
import os
import re
import weakref
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ocrgen.errors import PlanningError
from ocrgen.planner.linebreak import opportunities
from ocrgen.sampling import choose, sample_int
from ocrgen.schemas.ranges import Range
from ocrgen.text.scripts import closes_up, writes_without_spaces

_WHITESPACE = re.compile(r"\s+")
_CONTEXT = 48  # bytes read before a words-mode offset, for the dictionaries to see the word it falls in
_MAX_LINE_BYTES = 1 << 16
_WINDOW = 4096  # bytes read on each side of an offset to find the line around it
_OPEN_FILES = 8  # corpus files each specification keeps open; more than 100 specifications could run out of descriptors
_MAX_LINE_TRIES = 1000  # lines looked at before a lines-mode draw gives up and lets the planner count a failed try


def match_corpus(corpus_dir: Path, pattern: str) -> list[Path]:
    """The .txt files under `corpus_dir` that `pattern` names, sorted."""
    return sorted(p for p in corpus_dir.glob(pattern) if p.is_file() and p.suffix.lower() == ".txt")


_NONE_PASSED: Mapping[str, int] = MappingProxyType({})  # shared by every draw that passed nothing over


@dataclass(frozen=True)
class Draw:
    """A text, or the reason no text came out of this attempt.

    `passed_over` counts, by reason, the lines a lines-mode draw looked at and did not take
    on its way to this one, so the plan's statistics can count them too.
    """

    text: str | None
    reason: str | None = None
    passed_over: Mapping[str, int] = field(default_factory=lambda: _NONE_PASSED)


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
        self._read = _OpenFiles()

    def draw(self, rng: np.random.Generator) -> Draw:
        if self._mode == "lines":
            return self._line(rng)
        path, size, offset = self._offset(rng)
        return self._words_at(path, size, offset, sample_int(self._length, rng))

    def _offset(self, rng: np.random.Generator) -> tuple[Path, int, int]:
        index = choose(range(len(self._files)), self._sizes, rng)
        path, size = self._files[index], self._sizes[index]
        return path, size, int(rng.integers(size))

    def _line(self, rng: np.random.Generator) -> Draw:
        """A whole line, each line that fits `text_length` as likely as any other.

        An offset lands in a line with a chance proportional to its bytes (newline included);
        keeping a fitting line with a chance of `text_length.min` over those bytes evens that out.
        Lines passed over are looked past here, up to `_MAX_LINE_TRIES`, and counted by reason.
        """
        passed_over: Counter[str] = Counter()
        for _ in range(_MAX_LINE_TRIES):
            path, _, offset = self._offset(rng)
            raw, start, slot = _line_around(self._read, path, offset)
            text = " ".join(_decode(raw, path, start).split())
            draw = self._checked(text, "line_length_out_of_range") if text else Draw(None, "empty_line")
            if draw.text is not None and rng.random() * slot < max(self._length.min, 1):
                return Draw(draw.text, passed_over=passed_over)
            passed_over[draw.reason or "line_not_kept"] += 1
        return Draw(None, "no_fitting_line", passed_over)

    def _words_at(self, path: Path, size: int, offset: int, target: int) -> Draw:
        lead = min(offset, _CONTEXT)
        raw = self._read(path, offset - lead, lead + target * 4 + 64)
        reaches_end = offset - lead + len(raw) >= size
        before = raw[lead - 1 : lead] if offset > 0 else b" "
        text = _decode(raw[lead:], path, offset)
        if writes_without_spaces(text):
            # Decoded as one: the character the offset falls in starts the text, whole.
            window, split = _decode(raw, path, offset - lead), len(_decode(raw[:lead], path, offset - lead))
            picked = _cut_between_words(window, split, target, reaches_end or window[-1:].isspace())
        else:
            words = text.split() if text.isascii() else _joined(text).split()  # the same words; ASCII never closes up
            if not before.isspace() and text[:1] and not text[:1].isspace():
                words = words[1:]  # the random offset fell inside this word
            if not reaches_end and text[-1:] and not text[-1:].isspace():
                words = words[:-1]  # the window ended inside this word
            picked = _take_words(words, target)
        return self._checked(picked, "text_too_short")

    def _checked(self, text: str, reason: str) -> Draw:
        if not self._length.min <= len(text) <= self._length.max:
            return Draw(None, reason)
        return Draw(text)


def _line_around(read: _OpenFiles, path: Path, offset: int) -> tuple[bytes, int, int]:
    """The line holding byte `offset` (without its newline), where it starts, and the bytes it takes up with it.

    Reads windows outwards from the offset until both ends are found, at most `_MAX_LINE_BYTES`
    each way: a longer line comes back cut, which no `text_length` accepts anyway.
    """
    start = offset
    while start > 0 and offset - start < _MAX_LINE_BYTES:
        low = max(start - _WINDOW, 0)
        newline = read(path, low, start - low).rfind(b"\n")
        if newline >= 0:
            start = low + newline + 1
            break
        start = low
    line = b""
    while len(line) < 2 * _MAX_LINE_BYTES:
        block = read(path, start + len(line), _WINDOW)
        newline = block.find(b"\n")
        if newline >= 0:
            line += block[:newline]
            return line, start, len(line) + 1
        line += block
        if len(block) < _WINDOW:
            break
    return line, start, len(line)


class _OpenFiles:
    """The corpus files read lately, kept open (at most `_OPEN_FILES`): a draw costs one pread, not an open,
    a seek, a read and a close. pread moves no file offset, so processes forked from this one share none."""

    def __init__(self) -> None:
        self._open: OrderedDict[Path, int] = OrderedDict()
        weakref.finalize(self, _close_all, self._open)

    def __reduce__(self) -> tuple[type[_OpenFiles], tuple[()]]:
        """A copy in another process opens its own files: descriptors do not travel."""
        return _OpenFiles, ()

    def __call__(self, path: Path, offset: int, size: int) -> bytes:
        """`size` bytes of `path` from `offset` on, fewer at its end."""
        descriptor = self._open.pop(path, None)
        if descriptor is None:
            if len(self._open) >= _OPEN_FILES:
                os.close(self._open.popitem(last=False)[1])
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self._open[path] = descriptor
        return os.pread(descriptor, size, offset)


def _close_all(descriptors: OrderedDict[Path, int]) -> None:
    for descriptor in descriptors.values():
        os.close(descriptor)
    descriptors.clear()


def _decode(raw: bytes, path: Path, offset: int) -> str:
    """Decode a window that may start or end inside a multi-byte character.

    Strict, and a NUL byte is refused too: UTF-16 text of ASCII letters or spaces, and most
    binary files, decode as UTF-8 but hold NULs, so every window of them is refused.
    """
    nul = raw.find(b"\0")
    if nul >= 0:
        raise PlanningError(_holds_nul(path, offset + nul))
    start = 0
    while start < min(len(raw), 4) and 0x80 <= raw[start] < 0xC0:
        start += 1
    try:
        return raw[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(raw) - start - 3 and error.reason == "unexpected end of data":
            return raw[start : start + error.start].decode("utf-8")
        raise PlanningError(_not_utf8(path, offset + start + error.start)) from None


def utf8_problem(path: Path) -> str | None:
    """What keeps `path` from being read as UTF-8 text (a NUL byte too), or None; streams the file, so any size
    takes little memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
                if (nul := block.find(b"\0")) >= 0:
                    return _holds_nul(path, offset + nul)
                offset += len(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return _not_utf8(path, offset + error.start)
    except OSError as error:
        return f"cannot read corpus file {path}: {error.strerror}"
    return None


def _not_utf8(path: Path, byte: int) -> str:
    return f"{path} is not valid UTF-8 near byte {byte}; convert it with `iconv -t UTF-8` or remove it from the corpus."


def _holds_nul(path: Path, byte: int) -> str:
    return (
        f"{path} holds a NUL byte at byte {byte}, so it is not UTF-8 text (UTF-16? binary?); "
        "convert it with `iconv -f UTF-16 -t UTF-8` or remove it from the corpus."
    )


def _joined(text: str) -> str:
    """`text` with whitespace folded to single spaces, none left at a line break inside Chinese or Japanese."""
    text = text.strip()
    if "\n" not in text or text.isascii():  # no line break to close up (ASCII never does): every run is one space
        return _WHITESPACE.sub(" ", text)

    def separator(run: re.Match[str]) -> str:
        return "" if "\n" in run[0] and closes_up(text[: run.start()], text[run.end() :]) else " "

    return _WHITESPACE.sub(separator, text)


def _take_words(words: list[str], target: int) -> str:
    taken: list[str] = []
    length = -1
    for word in words:
        if length + 1 + len(word) > target:
            break
        taken.append(word)
        length += 1 + len(word)
    return " ".join(taken)


def _cut_between_words(window: str, split: int, target: int, whole_end: bool) -> str:
    """At most `target` characters of `window` from character `split` on, from and to places where
    a line may break (UAX #14).

    That is between words in Thai, Lao, Khmer and Myanmar (by ICU's dictionaries), and between
    almost any two characters in Chinese and Japanese, never before 。 or after 「. The window
    before `split` is there for the dictionaries to see where the word `split` falls in ends.
    The window's end may be inside a word, unless `whole_end` says it is not.
    """
    text, start = _joined(window), len(_joined(window[:split]))
    places = opportunities(text)
    if split > 0 and not window[split - 1].isspace():
        later = [p for p in places if p >= start]
        if not later:
            return ""
        start = later[0]
    ends = [p for p in [*places, *([len(text)] if whole_end else [])] if start < p <= start + target]
    return text[start : ends[-1]].strip() if ends else ""
