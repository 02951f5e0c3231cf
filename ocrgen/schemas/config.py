"""The batch config: what a user writes in YAML to describe a dataset."""

from __future__ import annotations

import math
from pathlib import PurePosixPath
from typing import Annotated, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ocrgen.schemas.effects.catalogue import EffectsConfig, stage_of
from ocrgen.schemas.ranges import ColorRange, NonNegativeRange, PositiveRange, Range, within

Direction = Literal["left_to_right", "right_to_left", "top_to_bottom", "bottom_to_top"]
Alignment = Literal["left", "center", "right", "top", "bottom"]

Weight = Annotated[float, Field(ge=0)]

# Limits of layout values, shared with the plan record's fields. Below this radius an arc winds its
# glyphs over each other; the others are far past any real layout, and each would take the canvas with it.
MIN_ARC_RADIUS = 10  # px
MAX_TEXT_LENGTH = 10_000  # characters
MAX_LINES = 100
LINE_SPACINGS = (0.1, 10.0)  # line heights
MAX_CHARACTER_SPACING = 128  # px, either way
MAX_STROKE_WIDTH = 64  # px
MAX_FONT_SIZE = 16_384  # px per em: FreeType refuses 65,536 and up; this em already fills the largest image allowed
MAX_FRAME_MARGIN = 4.0  # line heights around the ink: past a few, a line is a speck on a page
NEIGHBOUR_PITCHES = (0.5, 3.0)  # line heights between baselines: closer lines overlap, farther ones never show
MAX_NEIGHBOUR_SHIFT = 10.0  # line heights along the line: past the line's end a neighbour shows nothing


def _check_weights(weights: dict[str, float], what: str) -> dict[str, float]:
    if weights and not any(w > 0 for w in weights.values()):
        raise ValueError(f"all {what} weights are 0; give at least one a weight above 0")
    return weights


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FontSelection(_Strict):
    """Which fonts of the font dir a specification may use.

    Globs match a font's path relative to the font dir, and its file name.
    """

    include: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    exclude: list[str] = Field(default_factory=list)
    weights: dict[str, Weight] = Field(
        default_factory=dict,
        description="Glob to weight; a font takes the weight of the first glob it matches, else 1.",
    )


class _Weights(_Strict):
    """Named weights, a field each, of which at least one is above 0. A subclass says what to ask for when none
    is (`_none_above_zero`), and names its fields that are not weights (`_not_weights`)."""

    _none_above_zero: ClassVar[str]
    _not_weights: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _one_positive(self) -> Self:
        if not self.weights():
            raise ValueError(self._none_above_zero)
        return self

    def weights(self) -> dict[str, float]:
        """The weights above 0, in field order (read from the fields: a dump costs more, once per record)."""
        return {name: w for name, w in self.__dict__.items() if name not in self._not_weights and w > 0}


class Directions(_Weights):
    """Weights over the writing directions."""

    _none_above_zero: ClassVar[str] = "give at least one direction a weight above 0"

    left_to_right: Weight = 0.0
    right_to_left: Weight = 0.0
    top_to_bottom: Weight = 0.0
    bottom_to_top: Weight = 0.0


def _default_directions() -> Directions:
    return Directions(left_to_right=1.0)


class ArcCurve(_Strict):
    """Text along a circle: convex bulges up (a smile upside down), concave sags (a smile)."""

    weight: Weight = 1.0
    radius: Annotated[Range, within(MIN_ARC_RADIUS)] = Field(
        description=f"Radius of the baseline circle in pixels, at least {MIN_ARC_RADIUS}."
    )
    concave: float = Field(0.5, ge=0, le=1, description="Probability that the arc is concave.")


class SineCurve(_Strict):
    """Text along a sine wave; each glyph turns to the tangent."""

    weight: Weight = 1.0
    amplitude: NonNegativeRange = Field(description="Pixels from the straight baseline to a crest.")
    frequency: NonNegativeRange = Field(description="Full waves along the length of the line.")
    phase: Range = Field(default_factory=lambda: Range(min=0, max=6.283185307179586), description="Radians.")


class Curves(_Strict):
    """Curved baselines for horizontal text; `p` is the chance that a text is curved at all."""

    p: float = Field(ge=0, le=1)
    arc: ArcCurve | None = None
    sine: SineCurve | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Curves:
        if not self.weights():
            raise ValueError("give `arc` or `sine` (with a weight above 0)")
        return self

    def weights(self) -> dict[str, float]:
        return {name: kind.weight for name, kind in (("arc", self.arc), ("sine", self.sine)) if kind and kind.weight}


class StrokeConfig(_Strict):
    """An outline around every glyph, drawn under the fill; `p` is the chance a text gets one."""

    p: float = Field(ge=0, le=1)
    width: Annotated[Range, within(1, MAX_STROKE_WIDTH)] = Field(
        description=f"Outline thickness outside the glyph, in whole pixels, 1 to {MAX_STROKE_WIDTH}."
    )
    color: ColorRange = Field(default_factory=lambda: ColorRange(min=(200, 200, 200), max=(255, 255, 255)))


class ProceduralBackgrounds(_Weights):
    """Weights over the procedural background styles; a style left out gets weight 0."""

    _none_above_zero: ClassVar[str] = "give at least one procedural background style a weight above 0"

    solid: Weight = 0.0
    gradient: Weight = 0.0
    paper: Weight = 0.0
    noise: Weight = 0.0


class NeighbourLines(_Strict):
    """The lines set above and below the text on its page, of which a crop keeps the ascenders and descenders
    that reach into its margins, as a real line segmenter's crops do. They are copies of the text itself,
    shifted; they are not labelled."""

    p: float = Field(ge=0, le=1, description="Chance for each of the two neighbours, above and below, to be there.")
    pitch: Annotated[Range, within(*NEIGHBOUR_PITCHES)] = Field(
        default_factory=lambda: Range(min=0.85, max=1.1),
        description="Distance from the text's last baseline to the neighbour's, in line heights, "
        f"{NEIGHBOUR_PITCHES[0]:g} to {NEIGHBOUR_PITCHES[1]:g}; the neighbour shows only where it comes closer than "
        "the margin.",
    )
    shift: Annotated[Range, within(-MAX_NEIGHBOUR_SHIFT, MAX_NEIGHBOUR_SHIFT)] = Field(
        default_factory=lambda: Range(min=-2, max=2),
        description="How far the neighbour is moved along the line, in line heights, so that its letters do not "
        "stand over the text's own.",
    )


class Framing(_Strict):
    """How the final image is cut around the text, the way a line segmenter delivers a real line.

    `crop: ink` cuts the image to the bounding box of the text's ink once the text and geometric
    effects have run (shadows and outlines count as ink), plus a margin on each side; image
    effects then apply to the framed picture.
    """

    crop: Literal["ink"] = Field("ink", description="ink: cut to the bounding box of the text's ink, plus `margin`.")
    margin: Annotated[Range, within(0, MAX_FRAME_MARGIN)] = Field(
        default_factory=lambda: Range(min=0, max=0.2),
        description="Space left around the ink on each side, drawn separately for each side, as a fraction of "
        "the font's line height (ascender - descender; the font size for upright vertical columns), "
        f"0 to {MAX_FRAME_MARGIN:g}.",
    )
    neighbours: NeighbourLines | None = Field(
        None, description="Parts of the lines above and below at the crop's edges; absent: none."
    )


def _every_procedural_style() -> ProceduralBackgrounds:
    return ProceduralBackgrounds(solid=1.0, gradient=1.0, paper=1.0, noise=1.0)


def _background_weights(value: dict[str, float] | None) -> dict[str, float] | None:
    if value is not None:
        if not value:
            raise ValueError("is empty; leave the key out to use every background image")
        _check_weights(value, "background")
    return value


# What a text specification and a page both choose their background with.
BackgroundDirs = Annotated[
    dict[str, Weight] | None,
    AfterValidator(_background_weights),
    Field(description="Sub-directory of the background dir to weight; without it every image counts equally."),
]
BackgroundScale = Annotated[
    PositiveRange,
    Field(
        default_factory=lambda: Range(min=1, max=1),
        description="Zoom of a background image: the crop is canvas / scale source pixels, resized to the canvas.",
    ),
]
ProceduralStyles = Annotated[
    ProceduralBackgrounds,
    Field(
        default_factory=_every_procedural_style,
        description="Weights over solid, gradient, paper and noise; used when no background dir is given.",
    ),
]
BackgroundColor = Annotated[
    ColorRange,
    Field(
        default_factory=lambda: ColorRange(min=(228, 225, 215), max=(255, 255, 250)),
        description="Colour of procedural backgrounds (default: paper-like light tones); "
        "a gradient draws both of its colours from it.",
    ),
]


class CaseChange(_Weights):
    """Weights over case changes of the whole text; `p` is the chance a text changes case at all."""

    _none_above_zero: ClassVar[str] = "give `upper`, `lower` or `title` a weight above 0"
    _not_weights: ClassVar[frozenset[str]] = frozenset({"p"})

    p: float = Field(ge=0, le=1)
    upper: Weight = 0.0
    lower: Weight = 0.0
    title: Weight = Field(0.0, description="The first letter of every word upper case, the rest lower.")


class CharacterSubstitution(_Strict):
    """Characters of the text (never spaces) replaced by ones drawn from `charset`: rare characters seen often."""

    p: float = Field(ge=0, le=1)
    rate: Annotated[Range, within(0, 1)] = Field(description="Share of the non-space characters replaced, 0 to 1.")
    charset: str = Field(min_length=1, description="Characters to draw from, each equally likely; no spaces.")

    @field_validator("charset")
    @classmethod
    def _no_spaces(cls, charset: str) -> str:
        if any(c.isspace() for c in charset):
            raise ValueError("holds whitespace; substitution keeps the text's spaces, so leave them out")
        return charset


class RandomText(_Strict):
    """The whole text replaced by random characters from `charset`, as a recognizer's guard against a language prior."""

    p: float = Field(ge=0, le=1)
    length: Annotated[Range, within(0, MAX_TEXT_LENGTH, low_open=True)] = Field(
        description="Characters in the random text."
    )
    charset: str = Field(min_length=1, description="Characters to draw from, each equally likely.")

    @field_validator("charset")
    @classmethod
    def _something_visible(cls, charset: str) -> str:
        if charset.isspace():
            raise ValueError("holds only whitespace; add the characters the random text should show")
        return charset


class Punctuation(_Strict):
    """Words given a mark after them or a pair around them: prose has too few colons, brackets and quotes.

    Only words of letters and digits alone are marked, so a word keeps at most one mark of its own.
    """

    p: float = Field(ge=0, le=1)
    rate: Annotated[Range, within(0, 1)] = Field(description="Share of those words marked, 0 to 1.")
    after: str = Field(":;,.!?", description="Marks that may follow a word, each one option.")
    around: list[Annotated[str, Field(min_length=2, max_length=2)]] = Field(
        default_factory=lambda: ["()", "[]", '""'],
        description="Pairs that may enclose a word (opening and closing character), each one option.",
    )

    @model_validator(mode="after")
    def _marks(self) -> Punctuation:
        if not self.after and not self.around:
            raise ValueError("give `after` or `around` at least one mark")
        if any(c.isspace() for c in self.after + "".join(self.around)):
            raise ValueError("a mark is whitespace; marks sit against their word, so leave it out")
        return self


class Hyphenation(_Strict):
    """The text's last word broken with a hyphen, as justified print ends many of its lines.

    Only a text that ends in a word of letters after some other text is broken, so a line ending a
    sentence, or a single word, stays whole.
    Use it for scripts that break words with a hyphen.
    """

    p: float = Field(ge=0, le=1)
    min_letters: int = Field(
        5, ge=4, description="Letters the last word needs to be broken; each part keeps at least 2."
    )


class TextAugmentation(_Strict):
    """Changes to the corpus text before it is laid out; the record holds the changed text, and its label."""

    case: CaseChange | None = None
    substitute: CharacterSubstitution | None = None
    random_text: RandomText | None = None
    punctuate: Punctuation | None = None
    hyphenate: Hyphenation | None = None


class MixedStyles(_Strict):
    """A run of words set in another face of the font's family, its italic or bold, as print sets a term apart.

    The other face is one of the specification's fonts with the same family name (name ID 1, the
    family that links a font's regular, bold and italic) that draws every character of the run. A
    text whose font has no such face stays in one face, and the plan stats count it.
    """

    p: float = Field(ge=0, le=1, description="Share of the texts with such a run.")
    words: Annotated[Range, within(0, MAX_TEXT_LENGTH, low_open=True)] = Field(
        default_factory=lambda: Range(min=1, max=2), description="Words in the run; a shorter text is set whole."
    )


class Specification(_Strict):
    """One kind of image; `proportion` gives its share of `total_images`."""

    name: str = Field(min_length=1)
    proportion: float = Field(ge=0, le=1)
    corpus: list[str] = Field(
        min_length=1,
        description="File names or glob patterns of UTF-8 .txt files, relative to the corpus dir.",
    )
    text_mode: Literal["words", "lines"] = Field(
        "words",
        description="words: a run of whole words of `text_length` characters; lines: one whole corpus line.",
    )
    text_length: Annotated[Range, within(0, MAX_TEXT_LENGTH, low_open=True)] = Field(
        default_factory=lambda: Range(min=5, max=40),
        description=f"Length of the text in characters, at most {MAX_TEXT_LENGTH:,}.",
    )
    text_augmentation: TextAugmentation | None = Field(
        None, description="Case changes, character substitution and random text, applied to each drawn text."
    )
    fonts: FontSelection = Field(default_factory=FontSelection)
    font_size: Annotated[PositiveRange, within(0, MAX_FONT_SIZE, low_open=True)] = Field(
        default_factory=lambda: Range(min=24, max=48),
        description=f"Font size in pixels per em, at most {MAX_FONT_SIZE:,}.",
    )
    padding: NonNegativeRange = Field(
        default_factory=lambda: Range(min=4, max=16),
        description="Space around the text in pixels, drawn for each side.",
    )
    directions: Directions = Field(default_factory=_default_directions)
    backgrounds: BackgroundDirs = None
    background_scale: BackgroundScale
    procedural_backgrounds: ProceduralStyles
    background_color: BackgroundColor
    min_contrast: float = Field(
        3.0,
        ge=1,
        le=21,
        description="Least WCAG contrast ratio between the text colour and the background under it; 1 turns it off.",
    )
    text_color: ColorRange = Field(
        default_factory=lambda: ColorRange(min=(0, 0, 0), max=(60, 60, 60)),
    )
    lines: Annotated[Range, within(0, MAX_LINES, low_open=True)] = Field(
        default_factory=lambda: Range(min=1, max=1), description=f"Number of lines, at most {MAX_LINES}."
    )
    line_break: Literal["words", "characters"] = Field(
        "words", description="Break lines between words, or between any two characters."
    )
    line_spacing: Annotated[Range, within(*LINE_SPACINGS)] = Field(
        default_factory=lambda: Range(min=1.0, max=1.0),
        description="Baseline-to-baseline distance as a multiple of the font's line height, "
        f"{LINE_SPACINGS[0]:g} to {LINE_SPACINGS[1]:g}.",
    )
    alignment: dict[Alignment, Weight] | None = Field(
        None,
        description="Weights over left/center/right (horizontal text) and top/center/bottom (vertical text). "
        "Default: where the direction starts (left for LTR, right for RTL, top for TTB, bottom for BTT).",
    )
    character_spacing: Annotated[Range, within(-MAX_CHARACTER_SPACING, MAX_CHARACTER_SPACING)] = Field(
        default_factory=lambda: Range(min=0, max=0),
        description=f"Extra pixels between characters, -{MAX_CHARACTER_SPACING} to {MAX_CHARACTER_SPACING}; "
        "negative values make glyphs overlap.",
    )
    word_spacing: Annotated[Range, within(0, MAX_CHARACTER_SPACING)] = Field(
        default_factory=lambda: Range(min=0, max=0),
        description=f"Extra pixels in every space between words, 0 to {MAX_CHARACTER_SPACING}, as justified "
        "print stretches them.",
    )
    vertical_text: Literal["rotated", "upright"] = Field(
        "rotated",
        description="How text that is not CJK stands in top_to_bottom lines: turned 90° clockwise, or "
        "upright and stacked. CJK always stands upright.",
    )
    curve: Curves | None = None
    stroke: StrokeConfig | None = None
    mixed_styles: MixedStyles | None = None
    framing: Framing | None = Field(
        None,
        description="Cut the image to the text's ink plus a margin in line heights; without it the image is the "
        "whole canvas, `padding` pixels around the text.",
    )
    effects: EffectsConfig | None = Field(
        None, description="Effects by name, each with `p` and its parameter ranges; see the README's catalogue."
    )

    @field_validator("corpus", mode="before")
    @classmethod
    def _one_pattern_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("corpus")
    @classmethod
    def _patterns_inside_the_corpus_dir(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not pattern.strip() or pattern.startswith("/") or ".." in PurePosixPath(pattern).parts:
                raise ValueError(
                    f"pattern '{pattern}' must name files inside the corpus dir: relative, not empty, no '..'"
                )
        return patterns

    @model_validator(mode="after")
    def _padding_or_framing(self) -> Specification:
        if self.framing is not None and "padding" in self.model_fields_set:
            raise ValueError(
                "`padding` (pixels of canvas) and `framing` (a crop to the ink) are given together, but the crop "
                "cuts the padding away; leave `padding` out and set the space around the text as `framing.margin`"
            )
        return self

    @field_validator("alignment")
    @classmethod
    def _alignment_weights(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None:
            _check_weights(value, "alignment")
        return value


MAX_PAGE_SIDE = 65_535  # px: what PNG and JPEG hold; `max_image_pixels` bounds the area
MAX_PAGE_INSTANCES = 10_000
MAX_COLUMNS = 20


class PageSpecification(_Strict):
    """One kind of page for text detection: many texts on one canvas, apart, each labelled.

    Each instance is planned as a text of one of `specifications` is (its text, font, size,
    direction, colour, curve, outline, and its text and geometric effects), then placed on the
    page. The page's own background and effects stand in for the instance specifications'
    background, padding, framing and image effects: its geometric effects move every instance,
    and its image effects degrade the whole page.
    """

    name: str = Field(min_length=1)
    proportion: float = Field(ge=0, le=1, description="Share of `total_images`, as a specification's.")
    width: Annotated[PositiveRange, within(0, MAX_PAGE_SIDE, low_open=True)] = Field(
        description="Canvas width in pixels, before the page's geometric effects."
    )
    height: Annotated[PositiveRange, within(0, MAX_PAGE_SIDE, low_open=True)] = Field(
        description="Canvas height in pixels, before the page's geometric effects."
    )
    instances: Annotated[Range, within(0, MAX_PAGE_INSTANCES, low_open=True)] = Field(
        description="Texts on a page. A text that finds no room is dropped, and the plan stats count it."
    )
    specifications: dict[str, Weight] = Field(
        min_length=1,
        description="Names of the specifications instances are drawn from, with weights. A specification with "
        "proportion 0 makes no images of its own: it serves pages only.",
    )
    placement: Literal["scatter", "document"] = Field(
        "scatter",
        description="scatter: each instance anywhere on the page, its picture apart from the others. document: "
        "the instances (paragraphs, as their specifications set them) one under another in columns, each at its "
        "column's left edge, the next column begun when one is full; they read column by column.",
    )
    gap: int = Field(
        4,
        ge=0,
        le=MAX_PAGE_SIDE,
        description="Least pixels between the pictures of two instances: in a "
        "document, the space between two paragraphs.",
    )
    columns: Annotated[Range, within(0, MAX_COLUMNS, low_open=True)] = Field(
        default_factory=lambda: Range(min=1, max=1), description=f"document: columns on a page, 1 to {MAX_COLUMNS}."
    )
    margin: Annotated[NonNegativeRange, within(0, MAX_PAGE_SIDE)] = Field(
        default_factory=lambda: Range(min=32, max=64),
        description="document: pixels of empty page around the columns, drawn once per page.",
    )
    column_gap: int = Field(24, ge=0, le=MAX_PAGE_SIDE, description="document: pixels between two columns.")
    backgrounds: BackgroundDirs = None
    background_scale: BackgroundScale
    procedural_backgrounds: ProceduralStyles
    background_color: BackgroundColor
    effects: EffectsConfig | None = Field(
        None,
        description="Geometric and image effects of the whole page, by name; text effects belong to the "
        "instances' specifications.",
    )

    @field_validator("specifications")
    @classmethod
    def _instance_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_weights(value, "specification")

    @model_validator(mode="after")
    def _document_keys(self) -> PageSpecification:
        given = sorted({"columns", "margin", "column_gap"} & self.model_fields_set)
        if self.placement == "scatter" and given:
            raise ValueError(f"{', '.join(given)} lay out a document; set `placement: document`, or leave them out")
        return self

    @field_validator("effects")
    @classmethod
    def _page_stage_effects(cls, value: EffectsConfig | None) -> EffectsConfig | None:
        text_effects = [name for name, config in (value or {}) if config is not None and stage_of(name) == "text"]
        if text_effects:
            raise ValueError(
                f"{', '.join(text_effects)} act on each text, not on the page; set them in the specifications "
                "the instances are drawn from"
            )
        return value


DEFAULT_MAX_IMAGE_PIXELS = 16_000_000
"""16 megapixels: a few hundred MB of working arrays; far beyond any line or page a recognizer trains on."""
MAX_IMAGE_PIXELS_LIMIT = 1 << 30


class BatchConfig(_Strict):
    """A whole dataset: how many images, from which specifications."""

    total_images: int = Field(gt=0, le=10**12, description="How many images the plan holds (at most 10^12).")
    seed: int | None = Field(
        None, ge=0, le=2**64 - 1, description="Seed for planning, 0 to 2^64 - 1; `ocrgen plan --seed` overrides it."
    )
    specifications: list[Specification] = Field(min_length=1)
    pages: list[PageSpecification] = Field(
        default_factory=list,
        description="Kinds of page with many texts each, for text detection; their proportions count with the "
        "specifications'.",
    )
    max_image_pixels: int = Field(
        DEFAULT_MAX_IMAGE_PIXELS,
        ge=1,
        le=MAX_IMAGE_PIXELS_LIMIT,
        description="Largest image, before and after geometric effects, in pixels (width x height). The planner "
        "draws a record's text, size and padding again until it fits; raise it for larger images, and pass the "
        "same value to `render --max-image-pixels`.",
    )

    @model_validator(mode="after")
    def _check_specifications(self) -> BatchConfig:
        kinds: list[Specification | PageSpecification] = [*self.specifications, *self.pages]
        names = [kind.name for kind in kinds]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"specification and page names must be unique; repeated: {', '.join(repeated)}")
        total = math.fsum(kind.proportion for kind in kinds)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the proportions of the specifications and pages sum to {total:g}; they must sum to 1")
        texts = {spec.name for spec in self.specifications}
        for page in self.pages:
            unknown = sorted(set(page.specifications) - texts)
            if unknown:
                raise ValueError(
                    f"page '{page.name}' draws from {', '.join(unknown)}, but no specification has that name; "
                    f"known: {', '.join(sorted(texts))}"
                )
            if page.width.max * page.height.max > self.max_image_pixels:
                raise ValueError(
                    f"page '{page.name}' may be {page.width.max:g}x{page.height.max:g} px, over max_image_pixels "
                    f"({self.max_image_pixels:,}); make it smaller or raise max_image_pixels"
                )
        return self
