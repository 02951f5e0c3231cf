"""The fonts a plan may use, and which characters each of them can draw.

A font is only offered for a text when it can draw every character: its
character map covers each one that needs a glyph, and no visible character
gets an empty glyph or a copy of .notdef (see `coverage`). The planner then
also checks the shaped run for .notdef. So no record asks a font for a glyph
it does not have.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

from ocrgen.assets import make_ref, walk_files
from ocrgen.planner.coverage import HIDDEN, FaceCoverage, face_coverages
from ocrgen.schemas.config import FontSelection
from ocrgen.schemas.plan import AssetRef

FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


@dataclass(frozen=True)
class FontFile:
    """One face of a font file under a named root."""

    root: str
    root_dir: Path
    path: Path
    face_index: int
    coverage: FaceCoverage = field(compare=False, repr=False)

    @property
    def relative(self) -> str:
        return self.path.relative_to(self.root_dir).as_posix()

    @cached_property
    def ref(self) -> AssetRef:
        """Made once: every record of a run pins the font as planning first found it."""
        return make_ref(self.root, self.root_dir, self.path)

    @cached_property
    def family(self) -> str | None:
        """The family that links this face's regular, bold and italic (name ID 1); read once, when styles mix."""
        with TTFont(self.path, fontNumber=self.face_index, lazy=True) as font:
            return font["name"].getDebugName(1) if "name" in font else None

    def covers(self, needed: frozenset[int]) -> bool:
        """Whether this face draws every one of `needed`: mapped, inked, and not tofu."""
        return self.coverage.rejection(needed) is None

    def matches(self, pattern: str) -> bool:
        pattern = pattern.lower()
        return fnmatch.fnmatchcase(self.relative.lower(), pattern) or fnmatch.fnmatchcase(
            self.path.name.lower(), pattern
        )


def needed_codepoints(text: str) -> frozenset[int]:
    """Code points of `text` that must have a glyph in the font; HarfBuzz hides the rest."""
    return frozenset(map(ord, text)) - HIDDEN


class FontCatalog:
    """Every usable face under a font dir; files that do not open are listed in `problems`."""

    def __init__(self, root: str, root_dir: Path) -> None:
        self.root_dir = root_dir
        self.faces: list[FontFile] = []
        self.problems: list[str] = []
        for path in walk_files(root_dir, FONT_SUFFIXES):
            try:
                self.faces.extend(
                    FontFile(root, root_dir, path, coverage.face_index, coverage) for coverage in face_coverages(path)
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
