"""The fonts a plan may use, and which characters each of them can draw.

A font is only offered for a text when its character map covers every
character that needs a glyph; the planner then also checks the shaped run for
.notdef. So no record asks a font for a glyph it does not have.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from ocrgen.assets import make_ref, walk_files
from ocrgen.schemas.config import FontSelection
from ocrgen.schemas.plan import AssetRef

FONT_SUFFIXES = (".ttf", ".otf", ".ttc")

# Characters HarfBuzz hides when a font has no glyph for them (Unicode default-ignorables).
_IGNORABLE = frozenset(
    [
        0x00AD,
        0x034F,
        0x061C,
        0x180E,
        0xFEFF,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        *range(0xFE00, 0xFE10),
    ]
)


@dataclass(frozen=True)
class FontFile:
    """One face of a font file under a named root."""

    root: str
    root_dir: Path
    path: Path
    face_index: int
    coverage: frozenset[int]

    @property
    def relative(self) -> str:
        return self.path.relative_to(self.root_dir).as_posix()

    def ref(self) -> AssetRef:
        return make_ref(self.root, self.root_dir, self.path)

    def covers(self, needed: frozenset[int]) -> bool:
        return needed <= self.coverage

    def matches(self, pattern: str) -> bool:
        pattern = pattern.lower()
        return fnmatch.fnmatchcase(self.relative.lower(), pattern) or fnmatch.fnmatchcase(
            self.path.name.lower(), pattern
        )


def needed_codepoints(text: str) -> frozenset[int]:
    """Code points of `text` that must have a glyph in the font."""
    return frozenset(ord(c) for c in text) - _IGNORABLE


class FontCatalog:
    """Every usable face under a font dir; files that do not open are listed in `problems`."""

    def __init__(self, root: str, root_dir: Path) -> None:
        self.root_dir = root_dir
        self.faces: list[FontFile] = []
        self.problems: list[str] = []
        for path in walk_files(root_dir, FONT_SUFFIXES):
            try:
                self.faces.extend(
                    FontFile(root, root_dir, path, index, coverage) for index, coverage in _coverages(path)
                )
            except (TTLibError, OSError, AssertionError, KeyError, ValueError) as error:
                self.problems.append(
                    f"Font file {path} cannot be opened ({error or type(error).__name__}); "
                    "remove it from the font directory or replace it."
                )

    def select(self, selection: FontSelection) -> list[tuple[FontFile, float]]:
        """Faces a specification allows, each with its weight."""
        chosen = []
        for face in self.faces:
            if any(face.matches(p) for p in selection.include) and not any(face.matches(p) for p in selection.exclude):
                weight = next((w for p, w in selection.weights.items() if face.matches(p)), 1.0)
                if weight > 0:
                    chosen.append((face, weight))
        return chosen


def _coverages(path: Path) -> list[tuple[int, frozenset[int]]]:
    """Character map of every face in the file (a .ttc has several)."""
    if path.suffix.lower() == ".ttc":
        container: TTCollection | TTFont = TTCollection(str(path), lazy=True)
        fonts = list(container.fonts)
    else:
        container = TTFont(str(path), lazy=True)
        fonts = [container]
    try:
        coverages = []
        for index, font in enumerate(fonts):
            cmap = font.getBestCmap()
            if not cmap:
                raise ValueError("it has no Unicode character map")
            coverages.append((index, frozenset(cmap)))
        return coverages
    finally:
        container.close()
