"""Resolve and check every file a config names, once, before the first record is planned.

All problems are gathered and raised together, so one run of `ocrgen validate`
shows everything there is to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ocrgen.assets import root_name
from ocrgen.errors import ConfigError, PlanningError
from ocrgen.planner.backgrounds import IMAGE_SUFFIXES, BackgroundCatalog, BackgroundPool
from ocrgen.planner.corpus import Corpus, match_corpus, utf8_problem
from ocrgen.planner.fonts import FONT_SUFFIXES, FontCatalog, FontFile
from ocrgen.planner.luminance import read_thumbnail
from ocrgen.schemas.config import BatchConfig, PageSpecification, Specification


@dataclass(frozen=True)
class AssetDirs:
    """The directories given on the command line (str or Path); None means the bundled default."""

    fonts: Path | None = None
    backgrounds: Path | None = None
    corpus: Path | None = None

    def __post_init__(self) -> None:
        for name in ("fonts", "backgrounds", "corpus"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Path(value))


@dataclass(frozen=True)
class SpecResources:
    spec: Specification
    corpus: Corpus
    fonts: list[tuple[FontFile, float]]
    backgrounds: BackgroundPool
    # Code points every one of `fonts` was found to draw: a text of only these needs no face asked again.
    drawn_by_all: set[int] = field(default_factory=set, compare=False)

    def covering(self, needed: frozenset[int]) -> list[tuple[FontFile, float]]:
        """The faces, with their weights, that draw every one of `needed`, in the specification's order."""
        if needed <= self.drawn_by_all:
            return self.fonts
        covering = [(font, weight) for font, weight in self.fonts if font.covers(needed)]
        if len(covering) == len(self.fonts):
            self.drawn_by_all.update(needed)
        return covering


@dataclass(frozen=True)
class PageResources:
    spec: PageSpecification
    texts: list[SpecResources]  # the specifications instances are drawn from, in the order `spec` names them
    backgrounds: BackgroundPool


@dataclass(frozen=True)
class Resources:
    specs: list[SpecResources]
    roots: dict[str, str]
    pages: list[PageResources] = field(default_factory=list)

    @classmethod
    def of(cls, config: BatchConfig, dirs: AssetDirs, read_all: bool = False) -> Resources:
        """What `config`'s specifications and pages need (see `load`)."""
        return cls.load(config.specifications, dirs, read_all, config.pages)

    @classmethod
    def load(
        cls,
        specs: list[Specification],
        dirs: AssetDirs,
        read_all: bool = False,
        pages: Sequence[PageSpecification] = (),
    ) -> Resources:
        """Check what planning needs up front; `read_all` also decodes every background and corpus file.

        Planning reads only the parts of files it draws, so a broken image or a stretch of bad
        UTF-8 would stop it midway; `ocrgen validate` reads everything to find those first.
        """
        problems: list[str] = []
        font_root, font_dir = root_name("fonts", dirs.fonts)
        _, corpus_dir = root_name("corpus", dirs.corpus)
        fonts = _font_catalog(font_root, font_dir, problems)
        backgrounds = _background_catalog(dirs.backgrounds, problems)
        _check_dir(corpus_dir, "Corpus directory", "--corpus-dir", problems)

        loaded = [_load_spec(spec, fonts, backgrounds, corpus_dir, problems) for spec in specs]
        by_name = {res.spec.name: res for res in loaded if res is not None}
        page_resources = [
            PageResources(
                page,
                [by_name[name] for name in page.specifications if name in by_name],
                _background_pool(f"Page '{page.name}'", page.backgrounds, backgrounds, problems),
            )
            for page in pages
        ]
        if read_all:
            problems.extend(_unreadable(backgrounds, specs, corpus_dir))
        if problems:
            raise ConfigError(problems)
        roots = {}
        if dirs.fonts is not None:
            roots["fonts"] = str(dirs.fonts.resolve())
        if dirs.backgrounds is not None:
            roots["backgrounds"] = str(dirs.backgrounds.resolve())
        return cls(specs=[spec for spec in loaded if spec is not None], roots=roots, pages=page_resources)


def _unreadable(backgrounds: BackgroundCatalog | None, specs: list[Specification], corpus_dir: Path) -> list[str]:
    """A problem for each background that does not decode and each corpus file a spec names that is not UTF-8."""
    problems = []
    for image in backgrounds.images if backgrounds is not None else []:
        try:
            read_thumbnail(image)
        except PlanningError as error:
            problems.append(str(error))
    patterns = [pattern for spec in specs for pattern in spec.corpus] if corpus_dir.is_dir() else []
    files = dict.fromkeys(file for pattern in patterns for file in match_corpus(corpus_dir, pattern))
    problems.extend(problem for file in files if (problem := utf8_problem(file)) is not None)
    return problems


def _check_dir(path: Path, what: str, flag: str, problems: list[str]) -> bool:
    if not path.is_dir():
        problems.append(f"{what} not found: {path}\nPass {flag} with an existing directory.")
        return False
    return True


def _font_catalog(root: str, font_dir: Path, problems: list[str]) -> FontCatalog | None:
    if not _check_dir(font_dir, "Font directory", "--font-dir", problems):
        return None
    catalog = FontCatalog(root, font_dir)
    problems.extend(catalog.problems)
    if not catalog.faces and not catalog.problems:
        problems.append(f"No fonts ({', '.join(FONT_SUFFIXES)}) found in font directory {font_dir}")
    return catalog


def _background_catalog(background_dir: Path | None, problems: list[str]) -> BackgroundCatalog | None:
    if background_dir is None:
        return None
    if not _check_dir(background_dir, "Background directory", "--background-dir", problems):
        return None
    catalog = BackgroundCatalog(background_dir)
    if not catalog.images:
        problems.append(
            f"No background images ({', '.join(IMAGE_SUFFIXES)}) found in {background_dir}\n"
            "Add images, or leave out --background-dir to use procedural backgrounds."
        )
    return catalog


def _load_spec(
    spec: Specification,
    fonts: FontCatalog | None,
    backgrounds: BackgroundCatalog | None,
    corpus_dir: Path,
    problems: list[str],
) -> SpecResources | None:
    where = f"Specification '{spec.name}'"
    before = len(problems)

    unique: dict[Path, None] = {}
    if corpus_dir.is_dir():
        for pattern in spec.corpus:
            matched = match_corpus(corpus_dir, pattern)
            if not matched:
                problems.append(
                    f"{where}: No corpus files found matching pattern '{pattern}'\nin directory {corpus_dir}"
                )
            unique.update(dict.fromkeys(matched))
    files = list(unique)
    if files and not any(f.stat().st_size for f in files):
        problems.append(f"{where}: every corpus file it matches is empty.")

    allowed: list[tuple[FontFile, float]] = []
    if fonts is not None and fonts.faces:
        allowed = fonts.select(spec.fonts)
        if not allowed:
            problems.append(
                f"{where}: no font in {fonts.root_dir} matches include {spec.fonts.include}"
                f"{f' minus exclude {spec.fonts.exclude}' if spec.fonts.exclude else ''}."
            )
        for pattern in spec.fonts.weights:
            if not any(face.matches(pattern) for face, _ in allowed):
                problems.append(f"{where}: fonts.weights pattern '{pattern}' matches none of its fonts.")

    pool = _background_pool(where, spec.backgrounds, backgrounds, problems)
    if len(problems) > before or not files or not allowed:
        return None
    try:
        corpus = Corpus(files, spec.text_mode, spec.text_length)
    except PlanningError as error:
        problems.append(f"{where}: {error}")
        return None
    return SpecResources(spec, corpus, allowed, pool)


def _background_pool(
    where: str, weights: dict[str, float] | None, backgrounds: BackgroundCatalog | None, problems: list[str]
) -> BackgroundPool:
    """The weighted groups of background images a specification or page draws from (none: procedural)."""
    groups = []
    if weights and backgrounds is None:
        problems.append(f"{where}: it weights background directories, but no --background-dir was given.")
    if backgrounds is not None and backgrounds.images:
        for subdir, weight in (weights or {"": 1.0}).items():
            images = backgrounds.under(subdir)
            if not images:
                problems.append(
                    f"{where}: backgrounds key '{subdir}' names no directory with images under {backgrounds.root_dir}."
                )
            groups.append((images, weight))
    return BackgroundPool(backgrounds, groups)
