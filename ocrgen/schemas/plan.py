"""The plan record: every decision about one image, made before any pixel exists.

One record is one JSON line of a plan file. Rendering a record needs nothing
else but the asset files it references.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    TypeAdapter,
    field_validator,
    model_serializer,
    model_validator,
)

from ocrgen.schemas.config import (
    LINE_SPACINGS,
    MAX_CHARACTER_SPACING,
    MAX_FONT_SIZE,
    MAX_IMAGE_PIXELS_LIMIT,
    MAX_STROKE_WIDTH,
    MIN_ARC_RADIUS,
    Alignment,
    Direction,
)
from ocrgen.schemas.effects.catalogue import AppliedEffect, stage_of
from ocrgen.schemas.ranges import RGB

PLAN_SCHEMA_VERSION: Literal[1] = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _LeavesOutUnset(_Record):
    """A record part with fields added after plans were first written: while they hold the values in
    `unset_when`, they are left out of the JSON, so that a record that does not use them keeps its bytes.
    The planner's fast encoder (`ocrgen.record_json`) leaves out the same ones.
    """

    unset_when: ClassVar[dict[str, Any]] = {}

    @model_serializer(mode="wrap")
    def _without_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return without_unset(handler(self), self.unset_when)

    def data(self) -> dict[str, Any]:
        """Its fields as its JSON holds them, in order; the values nested in them are left as they are."""
        return without_unset(self.__dict__, self.unset_when)


def without_unset(fields: dict[str, Any], unset_when: dict[str, Any]) -> dict[str, Any]:
    """`fields` in order, without those that hold their value in `unset_when`."""
    return {name: value for name, value in fields.items() if name not in unset_when or value != unset_when[name]}


class AssetRef(_Record):
    """A file under a named root, pinned by content so another machine can check it."""

    root: str = Field(description="Root name: 'fonts', 'backgrounds', or a bundled root such as 'ocrgen:fonts'.")
    path: str = Field(description="POSIX path relative to the root, staying inside it.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("path")
    @classmethod
    def _inside_root(cls, path: str) -> str:
        """A tampered plan must not make render read files outside the asset roots."""
        parts = PurePosixPath(path).parts
        if not parts or path.startswith("/") or ".." in parts:
            raise ValueError(f"'{path}' leaves its root; asset paths are relative and never use '..'")
        return path


class FontRef(_Record):
    asset: AssetRef
    face_index: int = Field(0, ge=0, description="Face inside a .ttc collection.")
    size: int = Field(gt=0, le=MAX_FONT_SIZE, description="Pixels per em.")


class StyleRun(_Record):
    """Characters start..end-1 of the record's text, drawn in another face at the record's font size."""

    start: int = Field(ge=0)
    end: int = Field(gt=0)
    asset: AssetRef
    face_index: int = Field(0, ge=0, description="Face inside a .ttc collection.")


class Canvas(_Record):
    width: int = Field(gt=0)
    height: int = Field(gt=0)


class Point(_Record):
    x: int
    y: int


class ImageBackground(_Record):
    """A crop of a background image, resized to the canvas."""

    kind: Literal["image"] = "image"
    asset: AssetRef
    crop: tuple[int, int, int, int] = Field(description="x0, y0, x1, y1 in source-image pixels.")


class ProceduralBackground(_LeavesOutUnset):
    """A background drawn from numbers alone; `paper` and `noise` grain comes from the record seed.

    `gradient` blends `color` into `end_color` along `angle`; the other styles have neither field.
    """

    unset_when: ClassVar[dict[str, Any]] = {"end_color": None, "angle": None}

    kind: Literal["procedural"] = "procedural"
    style: Literal["solid", "gradient", "paper", "noise"]
    color: RGB
    end_color: RGB | None = Field(None, description="gradient only: the colour at the far end.")
    angle: float | None = Field(
        None, ge=0, lt=360, description="gradient only: degrees clockwise; 0 runs left to right, 90 top to bottom."
    )

    @model_validator(mode="after")
    def _gradient_fields(self) -> ProceduralBackground:
        given = (self.end_color is not None, self.angle is not None)
        if given != ((True, True) if self.style == "gradient" else (False, False)):
            raise ValueError("`end_color` and `angle` are given for a gradient, and only for a gradient")
        return self


Background = Annotated[ImageBackground | ProceduralBackground, Field(discriminator="kind")]


class Arc(_Record):
    kind: Literal["arc"] = "arc"
    radius: float = Field(ge=MIN_ARC_RADIUS)
    concave: bool


class Sine(_Record):
    kind: Literal["sine"] = "sine"
    amplitude: float = Field(ge=0)
    frequency: float = Field(ge=0, description="Full waves along the longest line.")
    phase: float


Curve = Annotated[Arc | Sine, Field(discriminator="kind")]


class Stroke(_Record):
    width: int = Field(ge=1, le=MAX_STROKE_WIDTH, description="Outline thickness outside the glyph, in pixels.")
    color: RGB


class Layout(_LeavesOutUnset):
    """How the lines of `text` are set and outlined; the defaults give one straight, plain line."""

    unset_when: ClassVar[dict[str, Any]] = {"word_spacing": 0}

    orientation: Literal["rotated", "upright"] = Field(
        "rotated", description="For top_to_bottom: glyphs turned with the line, or upright and stacked."
    )
    alignment: Alignment | None = Field(None, description="None: where the direction starts.")
    line_spacing: float = Field(
        1.0, ge=LINE_SPACINGS[0], le=LINE_SPACINGS[1], description="Multiple of the font's line height."
    )
    character_spacing: int = Field(
        0, ge=-MAX_CHARACTER_SPACING, le=MAX_CHARACTER_SPACING, description="Extra pixels between clusters."
    )
    word_spacing: int = Field(0, ge=0, le=MAX_CHARACTER_SPACING, description="Extra pixels in every space.")
    curve: Curve | None = None
    stroke: Stroke | None = None


Margin = Annotated[int, Field(ge=0, le=MAX_IMAGE_PIXELS_LIMIT, description="Pixels; no image side is longer.")]


class InkCrop(_LeavesOutUnset):
    """The final image is the bounding box of the text's ink plus these margins, clipped to the picture.

    Pixels of the final image, drawn by the planner from `framing.margin` and the line height.
    """

    unset_when: ClassVar[dict[str, Any]] = {"neighbours": []}

    left: Margin
    top: Margin
    right: Margin
    bottom: Margin
    neighbours: list[Point] = Field(
        default_factory=list,
        max_length=2,
        description="Offsets, in final-image pixels, of copies of the text drawn beneath it once the geometric "
        "effects have run: the neighbouring lines, whose parts the margins take in. Cut to the text's own ink.",
    )


class PlanRecord(_LeavesOutUnset):
    """Everything needed to render one image."""

    unset_when: ClassVar[dict[str, Any]] = {"crop": None, "plugins": {}, "styles": []}

    schema_version: Literal[1] = PLAN_SCHEMA_VERSION
    index: int = Field(ge=0, description="Position in the plan; names the output files.")
    spec: str = Field(description="Name of the specification the record came from.")
    seed: int = Field(
        ge=0, le=2**64 - 1, description="Drives the only randomness left to the renderer (pixel noise); 64 bits."
    )
    text: str = Field(min_length=1, description="Logical order; lines are separated by '\\n'.")
    font: FontRef
    direction: Direction
    layout: Layout = Field(default_factory=Layout)
    canvas: Canvas = Field(
        description="The text's canvas before geometric effects; they may grow or shrink the final image."
    )
    origin: Point = Field(description="Where the text block's frame origin lands on the canvas, in pixels.")
    styles: list[StyleRun] = Field(
        default_factory=list,
        description="Parts of the text in other faces (an italic or bold word), in text order and apart.",
    )
    text_color: RGB
    background: Background
    effects: list[AppliedEffect] = Field(default_factory=list, description="Resolved effects, in the order they apply.")
    crop: InkCrop | None = Field(
        None,
        description="Cut to the text's ink plus margins after the geometric effects, before the image effects; "
        "absent: the image is the whole canvas (after geometric effects).",
    )
    roots: dict[str, str] = Field(
        default_factory=dict,
        description="Directory each user root pointed to at plan time; render flags override it.",
    )
    plugins: dict[str, str] = Field(
        default_factory=dict,
        description="The package that provides each plugin effect in `effects`, so that a machine without it "
        "can say what to install; absent when every effect is built in.",
    )

    @model_validator(mode="after")
    def _styles_in_order(self) -> PlanRecord:
        _check_styles(self.styles, self.text)
        return self


def _check_styles(styles: list[StyleRun], text: str) -> None:
    """A tampered plan must not set a character in two faces, or style characters the text does not have."""
    end = 0
    for run in styles:
        if not end <= run.start < run.end <= len(text):
            raise ValueError(
                f"style run {run.start}..{run.end} is empty, overlaps the run before it, or passes the text's "
                f"end ({len(text)} characters); runs are in text order and apart"
            )
        end = run.end


def _check_stages(effects: list[AppliedEffect], stages: tuple[str, ...], what: str) -> None:
    """A tampered page must not carry an effect that its renderer would leave out."""
    wrong = [effect.name for effect in effects if stage_of(effect.name) not in stages]
    if wrong:
        raise ValueError(f"{', '.join(wrong)} cannot apply to {what}, which takes {' and '.join(stages)} effects only")


class PageInstance(_LeavesOutUnset):
    """One text of a page: drawn on its own canvas as a record's text is, then laid on the page at `offset`."""

    unset_when: ClassVar[dict[str, Any]] = {"styles": []}

    spec: str = Field(description="Name of the specification the text came from.")
    text: str = Field(min_length=1, description="Logical order; lines are separated by '\\n'.")
    font: FontRef
    direction: Direction
    layout: Layout = Field(default_factory=Layout)
    canvas: Canvas = Field(description="The text's own canvas, before its geometric effects.")
    origin: Point = Field(description="Where the text block's frame origin lands on its canvas.")
    styles: list[StyleRun] = Field(default_factory=list, description="As a record's `styles`.")
    text_color: RGB
    effects: list[AppliedEffect] = Field(
        default_factory=list, description="The text's own text and geometric effects, in the order they apply."
    )
    offset: Point = Field(description="Where the top-left corner of the text's picture, after its effects, lands.")

    @model_validator(mode="after")
    def _styles_in_order(self) -> PageInstance:
        _check_styles(self.styles, self.text)
        _check_stages(self.effects, ("text", "geometry"), "a page's text")
        return self


class PageRecord(_LeavesOutUnset):
    """Everything needed to render one page: its background, its effects, and each text on it, placed."""

    unset_when: ClassVar[dict[str, Any]] = {"plugins": {}}

    schema_version: Literal[1] = PLAN_SCHEMA_VERSION
    kind: Literal["page"] = Field("page", description="Tells a page's plan line from a single text's.")
    index: int = Field(ge=0, description="Position in the plan; names the output files.")
    spec: str = Field(description="Name of the page specification the record came from.")
    seed: int = Field(ge=0, le=2**64 - 1, description="Drives the renderer's pixel noise; 64 bits.")
    canvas: Canvas = Field(description="The page before its geometric effects.")
    background: Background
    effects: list[AppliedEffect] = Field(
        default_factory=list, description="The page's geometric and image effects, in the order they apply."
    )
    instances: list[PageInstance] = Field(
        description="The texts in reading order: scattered ones top to bottom by their pictures' top edges, then "
        "left to right; a document's column by column, then top to bottom."
    )
    roots: dict[str, str] = Field(default_factory=dict, description="As a record's `roots`.")
    plugins: dict[str, str] = Field(default_factory=dict, description="As a record's `plugins`, for every effect.")

    @model_validator(mode="after")
    def _page_stages(self) -> PageRecord:
        _check_stages(self.effects, ("geometry", "image"), "a page")
        return self


def _kind(record: Any) -> str:
    kind = record.get("kind") if isinstance(record, dict) else getattr(record, "kind", None)
    return "page" if kind == "page" else "text"


# One line of a plan: a single text (a `PlanRecord`, which has no `kind`), or a page.
Record = Annotated[Annotated[PlanRecord, Tag("text")] | Annotated[PageRecord, Tag("page")], Discriminator(_kind)]

# A record as plain data, as the planner makes it: the fields its model would hold, in the model's order and
# without those it leaves out while unset (`data`), the values in them still models. The planner skips
# building the record's own model, 4 µs of a single word's 100; tests/test_plan_encoding.py holds the data
# it makes to the model.
RecordData = dict[str, Any]
_RECORD: TypeAdapter[Record] = TypeAdapter(Record)


def record_of(data: RecordData) -> Record:
    """The model of a record's data, checked."""
    record: Record = _RECORD.validate_python(data)
    return record


def text_blocks(record: Record) -> list[PlanRecord] | list[PageInstance]:
    """The texts a plan line draws: a record's one text, or each text of a page."""
    return record.instances if isinstance(record, PageRecord) else [record]
