"""What a font face can really draw: checked lazily, glyph by glyph, and remembered across runs.

A character map entry is not enough. Fonts map characters to empty glyphs or to
copies of .notdef, and either one puts a blank or a tofu box under a label that
names the character. So the first time a text asks a face for a visible
character, the glyph its character map points at is loaded with FreeType and
checked. Nothing is checked before it is asked for: a CJK face has tens of
thousands of glyphs, and a corpus uses a few thousand of them.

What is learned, the character map and every glyph verdict, is kept per face
and keyed by the font file's SHA-256 and face index, in
`$OCRGEN_CACHE_DIR/coverage` (default `~/.cache/ocrgen/coverage`). The next run
then parses no character map and loads no glyph it has judged before. Entries
are replaced atomically. An entry that cannot be read is rebuilt, and a cache
that cannot be written is skipped: the cache only ever saves time.
"""

from __future__ import annotations

import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import freetype
import uharfbuzz as hb
from fontTools.ttLib import TTCollection, TTFont

from ocrgen import cache
from ocrgen.digests import file_sha256
from ocrgen.text.fonts import open_face

# Why a face cannot draw a character.
NOT_IN_CMAP = "not_in_cmap"
EMPTY_GLYPH = "empty_glyph"
NOTDEF_COPY = "notdef_copy"
BROKEN_GLYPH = "broken_glyph"
REASONS = frozenset({NOT_IN_CMAP, EMPTY_GLYPH, NOTDEF_COPY, BROKEN_GLYPH})

# Characters HarfBuzz shapes to nothing whether or not the font has them (its is_default_ignorable).
HIDDEN = frozenset(
    chain(
        [0x00AD, 0x034F, 0x061C, 0xFEFF],
        range(0x17B4, 0x17B6),
        range(0x180B, 0x180F),
        range(0x200B, 0x2010),
        range(0x202A, 0x202F),
        range(0x2060, 0x2070),
        range(0xFE00, 0xFE10),
        range(0xFFF0, 0xFFF9),
        range(0x1BCA0, 0x1BCA4),
        range(0x1D173, 0x1D17B),
        range(0xE0000, 0xE1000),
    )
)
# Unicode's Default_Ignorable_Code_Point: HarfBuzz still draws the Hangul fillers, but as blanks by design.
_DEFAULT_IGNORABLE = HIDDEN | {0x115F, 0x1160, 0x180F, 0x3164, 0xFFA0}

# Outlines in font units: compared exactly, whatever size a record later asks for.
_LOAD_UNSCALED = (
    freetype.FT_LOAD_NO_SCALE
    | freetype.FT_LOAD_NO_HINTING
    | freetype.FT_LOAD_NO_BITMAP
    | freetype.FT_LOAD_IGNORE_TRANSFORM
)
_FORMAT = 1

Outline = tuple[tuple[int, ...], tuple[int, ...], tuple[tuple[int, int], ...]]


def needs_ink(codepoint: int) -> bool:
    """Whether a character must leave ink: not whitespace, not default-ignorable, not a control."""
    char = chr(codepoint)
    return not (char.isspace() or codepoint in _DEFAULT_IGNORABLE or unicodedata.category(char) == "Cc")


def cache_dir() -> Path:
    """Where coverage entries live (see `ocrgen.cache`)."""
    return cache.cache_dir("coverage")


class FaceCoverage:
    """What one face can draw: its character map, and the glyph verdicts learned so far.

    `cp in coverage` asks whether the face can draw that one character.
    """

    def __init__(self, path: Path, face_index: int, entry: _Entry) -> None:
        self.path = path
        self.face_index = face_index
        self._entry = entry
        self._judge: _GlyphJudge | None = None
        # Verdicts learned here are written back when the face is dropped or the process exits.
        weakref.finalize(self, entry.save)

    @property
    def cmap(self) -> frozenset[int]:
        return self._entry.cmap

    def __contains__(self, codepoint: int) -> bool:
        return self.rejection(frozenset([codepoint])) is None

    def rejection(self, needed: frozenset[int]) -> str | None:
        """Why this face cannot draw every character of `needed` (one of REASONS), or None if it can.

        Characters are judged in code point order, so the reason does not depend on what the cache held.
        """
        entry = self._entry
        if not needed <= entry.cmap:
            return NOT_IN_CMAP
        for codepoint in sorted(needed - entry.drawable):
            reason = entry.rejected[codepoint] if codepoint in entry.rejected else self._learn(codepoint)
            if reason is not None:
                return reason
        return None

    def save(self) -> None:
        """Write what was learned to the cache now, instead of at exit."""
        self._entry.save()

    def _learn(self, codepoint: int) -> str | None:
        reason = None
        if needs_ink(codepoint):
            if self._judge is None:
                self._judge = _GlyphJudge(self.path, self.face_index)
            reason = self._judge.verdict(codepoint)
        self._entry.learn(codepoint, reason)
        return reason


def face_coverages(path: Path) -> list[FaceCoverage]:
    """Every face of a font file, from the cache when it knows the file, else from the file's character maps.

    Raises what fontTools raises for a file it cannot read.
    """
    sha256 = file_sha256(path)
    directory = cache_dir()
    entries = _cached_entries(directory, sha256)
    if entries is None:
        cmaps = _read_cmaps(path)
        entries = [_Entry(_entry_file(directory, sha256, index), len(cmaps), cmap) for index, cmap in enumerate(cmaps)]
        for entry in entries:
            entry.save()
    return [FaceCoverage(path, index, entry) for index, entry in enumerate(entries)]


def _cached_entries(directory: Path, sha256: str) -> list[_Entry] | None:
    """The entries of every face of the file, or None unless all of them are there and sound."""
    first = _Entry.load(directory, sha256, 0)
    if first is None:
        return None
    entries = [first]
    for index in range(1, first.faces):
        entry = _Entry.load(directory, sha256, index)
        if entry is None or entry.faces != first.faces:
            return None
        entries.append(entry)
    return entries


def _read_cmaps(path: Path) -> list[frozenset[int]]:
    """The Unicode character map of every face in the file (a .ttc has several): the slow path."""
    if path.suffix.lower() == ".ttc":
        container: TTCollection | TTFont = TTCollection(str(path), lazy=True)
        fonts = list(container.fonts)
    else:
        container = TTFont(str(path), lazy=True)
        fonts = [container]
    try:
        cmaps = []
        for font in fonts:
            cmap = font.getBestCmap()
            if not cmap:
                raise ValueError("it has no Unicode character map")
            if not ({"glyf", "loca"} <= set(font.keys()) or "CFF " in font or "CFF2" in font):
                raise ValueError("it has no glyph outlines: neither glyf and loca nor a CFF table")
            cmaps.append(frozenset(cmap))
        return cmaps
    finally:
        container.close()


class _GlyphJudge:
    """Judges the glyphs a face's character map points at, as HarfBuzz picks them and FreeType draws them."""

    def __init__(self, path: Path, face_index: int) -> None:
        face = open_face(str(path), face_index)
        self._ft_face = face.ft_face
        self._hb_font = hb.Font(face.hb_face)
        try:
            self._notdef = self._outline(0)
        except freetype.FT_Exception:
            self._notdef = None

    def verdict(self, codepoint: int) -> str | None:
        glyph = self._hb_font.get_nominal_glyph(codepoint)
        if glyph is None:
            return NOT_IN_CMAP
        try:
            outline = self._outline(glyph)
        except freetype.FT_Exception:
            return BROKEN_GLYPH
        if outline is None:
            return EMPTY_GLYPH
        if outline == self._notdef:
            return NOTDEF_COPY
        return None

    def _outline(self, glyph: int) -> Outline | None:
        """The glyph's unscaled outline moved to (0, 0), so a shifted copy still matches; None when it has no ink."""
        self._ft_face.load_glyph(glyph, _LOAD_UNSCALED)
        outline = self._ft_face.glyph.outline
        if outline.n_points == 0:
            return None
        box = outline.get_cbox()
        if box.xMin == box.xMax or box.yMin == box.yMax:
            return None
        points = tuple((x - box.xMin, y - box.yMin) for x, y in outline.points)
        return tuple(outline.contours), tuple(outline.tags), points


@dataclass
class _Entry:
    """One face's cache entry: the file's face count, its character map and the glyph verdicts so far."""

    file: Path
    faces: int
    cmap: frozenset[int] = field(repr=False)
    drawable: set[int] = field(default_factory=set, repr=False)
    rejected: dict[int, str] = field(default_factory=dict, repr=False)
    dirty: bool = True

    def learn(self, codepoint: int, reason: str | None) -> None:
        if reason is None:
            self.drawable.add(codepoint)
        else:
            self.rejected[codepoint] = reason
        self.dirty = True

    @classmethod
    def load(cls, directory: Path, sha256: str, index: int) -> _Entry | None:
        """The stored entry, or None when there is none or it cannot be trusted."""
        file = _entry_file(directory, sha256, index)
        data = cache.read_json(file)  # None fails the checks below
        try:
            if data["format"] != _FORMAT or not isinstance(data["faces"], int) or not 0 <= index < data["faces"]:
                return None
            cmap = frozenset(_expand(data["cmap"]))
            drawable = set(_expand(data["drawable"]))
            rejected = {cp: reason for reason, ranges in data["rejected"].items() for cp in _expand(ranges)}
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if not cmap or not drawable.union(rejected) <= cmap or not set(rejected.values()) <= REASONS:
            return None
        return cls(file, data["faces"], cmap, drawable, rejected, dirty=False)

    def save(self) -> None:
        """Replace the stored entry atomically if anything is new; a cache that cannot be written is skipped."""
        if not self.dirty:
            return
        by_reason: dict[str, list[int]] = {}
        for codepoint, reason in self.rejected.items():
            by_reason.setdefault(reason, []).append(codepoint)
        data = {
            "format": _FORMAT,
            "faces": self.faces,
            "cmap": _ranges(self.cmap),
            "drawable": _ranges(self.drawable),
            "rejected": {reason: _ranges(cps) for reason, cps in sorted(by_reason.items())},
        }
        if cache.write_json(self.file, data):
            self.dirty = False


def _entry_file(directory: Path, sha256: str, index: int) -> Path:
    return directory / f"{sha256}-{index}.json"


def _ranges(codepoints: Iterable[int]) -> list[list[int]]:
    """Sorted code points as inclusive [first, last] runs: a CJK map shrinks to a few hundred pairs."""
    runs: list[list[int]] = []
    for codepoint in sorted(codepoints):
        if runs and runs[-1][1] == codepoint - 1:
            runs[-1][1] = codepoint
        else:
            runs.append([codepoint, codepoint])
    return runs


def _expand(runs: list[list[int]]) -> Iterable[int]:
    for first, last in runs:
        if not isinstance(first, int) or not isinstance(last, int) or not 0 <= first <= last <= 0x10FFFF:
            raise ValueError(f"bad code point run {first}..{last}")
        yield from range(first, last + 1)
