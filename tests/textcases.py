"""Plan records built by hand for the text-engine tests, and pixel helpers to check labels against ink.

`make_record` sizes the canvas exactly like the planner (`ocrgen.planner.text_plan._fit`):
the layout's extent (with the effects that change the layout) plus padding on every side
(with a crop: the padding its margins need),
with the frame origin moved into it.
The background is a solid colour, so ink is every pixel that differs from it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from PIL import Image, ImageDraw

from ocrgen.assets import BUNDLED_ROOTS, AssetResolver, make_ref
from ocrgen.effects.text import effective_layout, layout_jitter
from ocrgen.planner.framing import canvas_padding
from ocrgen.renderer.render import render_record
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import Canvas, FontRef, InkCrop, Layout, PlanRecord, Point, ProceduralBackground, StyleRun
from ocrgen.text.fonts import open_face
from ocrgen.text.layout import StyleSpan, TextRequest, layout_text

FONT_DIR = BUNDLED_ROOTS["ocrgen:fonts"]
CORPUS_DIR = BUNDLED_ROOTS["ocrgen:corpus"]

BACKGROUND = (255, 255, 255)
TEXT_COLOUR = (0, 0, 0)

LATIN = "NotoSans-Regular.ttf"
SERIF = "NotoSerif-Regular.ttf"
ARABIC = "NotoSansArabic-Regular.ttf"
NASKH = "NotoNaskhArabic-Regular.ttf"
HEBREW = "NotoSansHebrew-Regular.ttf"
DEVANAGARI = "NotoSansDevanagari-Regular.ttf"
THAI = "NotoSansThai-Regular.ttf"
CJK = "NotoSansCJKsc-Regular-Subset.otf"

_RESOLVER = AssetResolver()
_SUPERSAMPLE = 8


def make_record(
    font: str,
    text: str,
    size: int = 32,
    direction: str = "left_to_right",
    layout: Layout | None = None,
    padding: int = 4,
    background: tuple[int, int, int] = BACKGROUND,
    colour: tuple[int, int, int] = TEXT_COLOUR,
    effects: Sequence[EffectParams] = (),
    crop: InkCrop | None = None,
    styles: Sequence[tuple[int, int, str]] = (),
) -> PlanRecord:
    """A record drawing `text` in the bundled `font`, on a solid background, padded by `padding` px
    (or, cut to its ink with `crop`, by what the crop's margins need).

    `styles` set characters start..end-1 in another bundled font, each (start, end, font).
    """
    path = FONT_DIR / font
    layout = layout or Layout()
    setting = effective_layout(layout, effects)
    spans = style_spans(styles)
    extent = layout_text(
        TextRequest(str(path), 0, size, text, direction, setting, layout_jitter(effects), spans)
    ).extent
    left, top, right, bottom = (padding,) * 4 if crop is None else canvas_padding(crop, list(effects))
    return PlanRecord(
        index=0,
        spec="textcases",
        seed=0,
        text=text,
        font=FontRef(asset=make_ref("ocrgen:fonts", FONT_DIR, path), face_index=0, size=size),
        direction=direction,
        layout=layout,
        styles=[
            StyleRun(start=start, end=end, asset=make_ref("ocrgen:fonts", FONT_DIR, FONT_DIR / other))
            for start, end, other in styles
        ],
        canvas=Canvas(width=extent.x1 - extent.x0 + left + right, height=extent.y1 - extent.y0 + top + bottom),
        origin=Point(x=left - extent.x0, y=top - extent.y0),
        text_color=colour,
        background=ProceduralBackground(style="solid", color=background),
        effects=list(effects),
        crop=crop,
    )


def style_spans(styles: Iterable[tuple[int, int, str]]) -> list[StyleSpan]:
    """Layout spans for (start, end, bundled font) runs."""
    return [StyleSpan(start, end, str(FONT_DIR / font), 0) for start, end, font in styles]


def render(record: PlanRecord) -> tuple[Image.Image, Label]:
    return render_record(record, _RESOLVER)


def ink_mask(image: Image.Image, background_colour: tuple[int, int, int] = BACKGROUND) -> np.ndarray:
    """True where a pixel differs from the solid background: the ink."""
    pixels = np.asarray(image.convert("RGB"))
    return (pixels != np.asarray(background_colour, np.uint8)).any(axis=2)


def is_blank(char: str) -> bool:
    """Characters that draw nothing: spaces, line breaks, format controls."""
    return char.isspace() or unicodedata.category(char) in ("Zs", "Cf")


def dilate(mask: np.ndarray, radius: int = 1) -> np.ndarray:
    """Grow a boolean mask by `radius` px in every direction (a square neighbourhood)."""
    out = mask.copy()
    height, width = mask.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            shifted = np.zeros_like(mask)
            shifted[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = mask[
                max(-dy, 0) : height - max(dy, 0), max(-dx, 0) : width - max(dx, 0)
            ]
            out |= shifted
    return out


def box_mask(shape: tuple[int, ...], boxes: Iterable[tuple[int, int, int, int]]) -> np.ndarray:
    """The union of boxes (x0, y0, x1, y1; pixels x0 <= x < x1) as a mask."""
    mask = np.zeros(shape[:2], bool)
    for x0, y0, x1, y1 in boxes:
        mask[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = True
    return mask


def polygon_mask(shape: tuple[int, ...], polygons: Iterable[Iterable[tuple[float, float]]]) -> np.ndarray:
    """The pixels whose centre lies in the union of polygons (corners in pixel-edge coordinates).

    Pillow rounds polygon corners to whole pixels, so the polygons are drawn at
    `_SUPERSAMPLE` times the size and each pixel is read near its centre: right to about 1/8 px.
    """
    height, width = shape[:2]
    scale = _SUPERSAMPLE
    canvas = Image.new("1", (width * scale, height * scale), 0)
    draw = ImageDraw.Draw(canvas)
    for polygon in polygons:
        draw.polygon([(x * scale, y * scale) for x, y in polygon], fill=1)
    big = np.asarray(canvas, bool)
    return big[scale // 2 :: scale, scale // 2 :: scale]


def covers(font: str, text: str) -> bool:
    """The bundled `font` maps every character of `text` to a glyph."""
    hb_font = open_face(str(FONT_DIR / font)).hb_font(16)
    return all(hb_font.get_nominal_glyph(ord(c)) for c in text if c != "\n")


@cache
def corpus_words(lang: str, font: str) -> tuple[str, ...]:
    """Distinct words of the bundled corpus for `lang` that `font` covers, punctuation and digits stripped."""
    text = (CORPUS_DIR / lang / "daily.txt").read_text(encoding="utf-8")
    words = set()
    for raw in text.split():
        word = "".join(c for c in raw if unicodedata.category(c)[0] in "LM")
        if word and unicodedata.category(word[0])[0] == "L" and covers(font, word):
            words.add(word)
    return tuple(sorted(words))


@cache
def corpus_lines(lang: str) -> tuple[str, ...]:
    """The non-empty lines of the bundled corpus for `lang`."""
    text = (CORPUS_DIR / lang / "daily.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())
