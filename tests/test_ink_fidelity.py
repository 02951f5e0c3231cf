# ruff: noqa: RUF001 -- the texts are Arabic, Hebrew and CJK on purpose.
"""Ink fidelity: in every script, direction and curve, the label boxes are true to the drawn pixels.

Each case is drawn on a solid background, so the ink is exactly the pixels that differ from it.
Then:
1. every inked pixel lies inside the union of the character bboxes, grown by 1 px;
2. every non-blank character's bbox holds ink and is tight: each of its four edges has ink within 1 px;
3. on curves, every inked pixel lies inside the union of the character polygons, grown by 1.5 px,
   and the polygons turn with the curve;
4. word and line bboxes contain the bboxes of their characters;
5. the canvas holds all of the ink: none touches the image border (the padding is 1 px);
   cut to the ink (`framing`), the ink lies exactly the record's margins from each border.

Framed variants of the cases run through the same checks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from textcases import (
    ARABIC,
    CJK,
    DEVANAGARI,
    FONT_DIR,
    HEBREW,
    LATIN,
    NASKH,
    SERIF,
    THAI,
    box_mask,
    corpus_lines,
    corpus_words,
    dilate,
    ink_mask,
    is_blank,
    make_record,
    polygon_mask,
    render,
    style_spans,
)

from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import Arc, InkCrop, Layout, PlanRecord, Sine, Stroke
from ocrgen.text.layout import TextRequest, layout_text

PADDING = 1
POLYGON_SLACK = 1.5
# Cut to the ink with margins of 0 on two sides: the ink touches the image's left and bottom edges.
FRAMED = InkCrop(left=0, top=3, right=2, bottom=0)
FRAMINGS = pytest.mark.parametrize("crop", [None, FRAMED], ids=["canvas", "framed"])

UPRIGHT = Layout(orientation="upright")

# Tall and deep marks that a canvas sized from line metrics alone would clip.
LATIN_TALL = "ÅÉÎ ŻŸĚ ģĶ gjpq"  # The bundled Latin subset stops at U+017F, so no Ḯ (U+1E2E).
ARABIC_HARAKAT = "مُحَمَّدٌ"
THAI_STACKED = "ปู่ย่า"
DEVANAGARI_MATRAS = "प्रतिष्ठित"

# (font, text, direction, layout)
STRAIGHT = {
    "latin-sans": (LATIN, LATIN_TALL, "left_to_right", Layout()),
    "latin-serif": (SERIF, "Quick, fix the Wi-Fi at 6:30!", "left_to_right", Layout()),
    "arabic-harakat": (ARABIC, f"{ARABIC_HARAKAT} في البيت", "right_to_left", Layout()),
    "arabic-naskh": (NASKH, f"{ARABIC_HARAKAT} لا إله الساعة 9:30", "right_to_left", Layout()),
    "hebrew": (HEBREW, "הרכבת לחיפה יוצאת", "right_to_left", Layout()),
    "hebrew-niqqud": (HEBREW, "שָׁלוֹם בְּרֵאשִׁית", "right_to_left", Layout()),
    "devanagari": (DEVANAGARI, f"{DEVANAGARI_MATRAS} कक्षा में", "left_to_right", Layout()),
    "thai": (THAI, f"{THAI_STACKED} เช้านี้ฝนตก", "left_to_right", Layout()),
    "cjk": (CJK, "今天早上下了一场小雨，空气清新。", "left_to_right", Layout()),
    "japanese": (CJK, "「こんにちは」図書館は午前9時から", "left_to_right", Layout()),
    "cjk-ttb-upright": (CJK, "今天早上下了一场小雨，", "top_to_bottom", UPRIGHT),
    "japanese-ttb-upright": (CJK, "「コーヒー」を飲みました。", "top_to_bottom", UPRIGHT),
    "cjk-btt": (CJK, "奶奶喜欢在阳台上种花", "bottom_to_top", Layout()),
    "latin-ttb-rotated": (LATIN, "Jolly gjpq ÅÉÎ", "top_to_bottom", Layout()),
    "latin-ttb-upright": (LATIN, "ÅgjÉ", "top_to_bottom", UPRIGHT),
    "latin-btt": (LATIN, "Jolly gjpq ÅÉÎ", "bottom_to_top", Layout()),
    "arabic-ttb-rotated": (ARABIC, ARABIC_HARAKAT, "top_to_bottom", Layout()),
    "hebrew-btt": (HEBREW, "שלום עולם", "bottom_to_top", Layout()),
    "devanagari-ttb": (DEVANAGARI, DEVANAGARI_MATRAS, "top_to_bottom", Layout()),
    "thai-btt": (THAI, THAI_STACKED, "bottom_to_top", Layout()),
}

MULTILINE = {
    **{
        f"latin-{a}": (LATIN, "The morning train\nleft ten\nminutes late", "left_to_right", Layout(alignment=a))
        for a in ("left", "center", "right")
    },
    **{
        f"arabic-{a}": (ARABIC, "استيقظت مبكرًا\nهذا الصباح", "right_to_left", Layout(alignment=a, line_spacing=1.2))
        for a in ("left", "center", "right")
    },
    **{
        f"cjk-ttb-{a}": (CJK, "今天早上下了\n一场小雨", "top_to_bottom", Layout(orientation="upright", alignment=a))
        for a in ("top", "center", "bottom")
    },
    **{
        f"latin-btt-{a}": (LATIN, "Please return\nthe books", "bottom_to_top", Layout(alignment=a))
        for a in ("top", "center", "bottom")
    },
    "hebrew-3-lines": (HEBREW, "קניתי בשוק\nתפוזים\nולחם טרי", "right_to_left", Layout(line_spacing=0.9)),
    "devanagari-tight": (DEVANAGARI, "प्रतिष्ठित\nकक्षा में", "left_to_right", Layout(line_spacing=0.8)),
    "thai-2-lines": (THAI, "ปู่ย่า\nเช้านี้ฝนตก", "left_to_right", Layout(alignment="center")),
    "latin-ttb-rotated": (LATIN, "Jolly\ngjpq ÅÉ", "top_to_bottom", Layout()),
}

SPACING = {
    f"{name}{spacing:+d}": (font, text, direction, Layout(orientation=orientation, character_spacing=spacing))
    for spacing in (6, -3)
    for name, font, text, direction, orientation in (
        ("latin", LATIN, "Kerning AVA Type", "left_to_right", "rotated"),
        ("arabic", ARABIC, "استيقظت مبكرًا", "right_to_left", "rotated"),
        ("hebrew", HEBREW, "שלום עולם", "right_to_left", "rotated"),
        ("devanagari", DEVANAGARI, "प्रतिष्ठित", "left_to_right", "rotated"),
        ("cjk-ttb", CJK, "今天早上下了", "top_to_bottom", "upright"),
        ("latin-btt", LATIN, "Jolly gjpq", "bottom_to_top", "rotated"),
    )
}
SPACING |= {
    f"{name}-words+{spacing}": (font, text, direction, Layout(word_spacing=spacing, character_spacing=character))
    for spacing, character in ((9, 0), (4, -2))
    for name, font, text, direction in (
        ("latin", LATIN, "Kerning AVA  Type", "left_to_right"),
        ("hebrew", HEBREW, "שלום עולם", "right_to_left"),
        ("arabic", ARABIC, "استيقظت مبكرًا", "right_to_left"),
        ("latin-ttb", LATIN, "Jolly gjpq", "top_to_bottom"),
    )
}

CONVEX = Arc(radius=120, concave=False)
CONCAVE = Arc(radius=150, concave=True)
WAVE = Sine(amplitude=8, frequency=1.0, phase=0.0)
CURVES = {"arc-convex": CONVEX, "arc-concave": CONCAVE, "sine": WAVE}
CURVED_TEXTS = {
    "latin": (LATIN, "Jolly gjpq ÅÉÎ Type", "left_to_right"),
    "arabic": (ARABIC, f"{ARABIC_HARAKAT} في البيت", "right_to_left"),
    "hebrew": (HEBREW, "הרכבת לחיפה יוצאת", "right_to_left"),
    "devanagari": (DEVANAGARI, f"{DEVANAGARI_MATRAS} कक्षा", "left_to_right"),
    "thai": (THAI, f"{THAI_STACKED} เช้านี้ฝนตก", "left_to_right"),
    "cjk": (CJK, "今天早上下了一场小雨", "left_to_right"),
}
CURVED = {
    f"{name}-{curve_name}": (font, text, direction, Layout(curve=curve))
    for name, (font, text, direction) in CURVED_TEXTS.items()
    for curve_name, curve in CURVES.items()
}
CURVED["latin-2-lines-arc"] = (LATIN, "Jolly gjpq\nÅÉÎ Type", "left_to_right", Layout(curve=CONVEX))
CURVED["arabic-spaced-sine"] = (
    ARABIC,
    "استيقظت مبكرًا",
    "right_to_left",
    Layout(curve=Sine(amplitude=6, frequency=1.5, phase=1.0), character_spacing=3),
)


# --- checks -----------------------------------------------------------------------------------------


def drawable(
    font: str, text: str, size: int, direction: str, layout: Layout, styles: Sequence[tuple[int, int, str]] = ()
) -> bool:
    """The fonts draw every glyph of `text` (no .notdef), so the case tests the engine and not tofu."""
    spans = style_spans(styles)
    placed = layout_text(TextRequest(str(FONT_DIR / font), 0, size, text, direction, layout, None, spans)).placements
    return all(p.glyph != 0 for p in placed)


def draw(
    font: str,
    text: str,
    direction: str,
    layout: Layout,
    size: int = 32,
    crop: InkCrop | None = None,
    styles: Sequence[tuple[int, int, str]] = (),
) -> tuple[PlanRecord, Image.Image, Label]:
    assert drawable(font, text, size, direction, layout, styles), f"{font} lacks a glyph of {text!r}: fix the case"
    record = make_record(font, text, size, direction, layout, padding=PADDING, crop=crop, styles=styles)
    image, label = render(record)
    return record, image, label


def where(mask: np.ndarray) -> str:
    return f"{int(mask.sum())} px, e.g. (y, x) " + str(np.argwhere(mask)[:4].tolist())


def check_ink(record: PlanRecord, image: Image.Image, label: Label) -> np.ndarray:
    """Checks 1, 2, 4 and 5; returns the ink mask."""
    text = record.text
    ink = ink_mask(image)
    height, width = ink.shape
    assert ink.any(), f"nothing drawn for {text!r}"
    assert label.text == text
    assert [c.char for c in label.characters] == list(text)
    assert [(b.x0, b.y0, b.x1, b.y1) for b in label.bboxes] == [c.bbox for c in label.characters]

    for index, char in enumerate(label.characters):
        x0, y0, x1, y1 = char.bbox
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, f"box of {char.char!r} (#{index}) leaves the image"

    # 5. Nothing clipped: with padding, the outermost rows and columns stay clean; cut to the ink, the margins
    # are exactly the record's.
    if record.crop is None:
        border = np.zeros_like(ink)
        border[[0, -1], :] = border[:, [0, -1]] = True
        assert not (ink & border).any(), f"ink touches the image border for {text!r}: {where(ink & border)}"
    else:
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        margins = (int(cols[0]), int(rows[0]), width - 1 - int(cols[-1]), height - 1 - int(rows[-1]))
        crop = record.crop
        assert margins == (crop.left, crop.top, crop.right, crop.bottom), f"margins {margins} of {text!r}, not {crop}"

    # 1. Every ink pixel is in some character box, within 1 px.
    covered = dilate(box_mask(ink.shape, [c.bbox for c in label.characters]), 1)
    stray = ink & ~covered
    assert not stray.any(), f"ink outside every character box of {text!r}: {where(stray)}"

    # 2. Every visible character's box holds ink, touching each edge within 1 px.
    for index, char in enumerate(label.characters):
        if is_blank(char.char):
            continue
        x0, y0, x1, y1 = char.bbox
        inside = ink[y0:y1, x0:x1]
        assert inside.any(), f"no ink in the box of {char.char!r} (#{index}) of {text!r}"
        edges = {
            "top": inside[:2].any(),
            "bottom": inside[-2:].any(),
            "left": inside[:, :2].any(),
            "right": inside[:, -2:].any(),
        }
        loose = [edge for edge, touched in edges.items() if not touched]
        assert not loose, f"box {char.bbox} of {char.char!r} (#{index}) of {text!r} is loose at {loose}"

    # 4. Words and lines contain their characters.
    spans = [("word", m, w) for m, w in zip(re.finditer(r"\S+", text), label.words, strict=True)]
    spans += [("line", m, w) for m, w in zip(re.finditer(r"[^\n]+", text), label.lines, strict=True)]
    assert len(label.words) == len(re.findall(r"\S+", text))
    assert len(label.lines) == len(re.findall(r"[^\n]+", text))
    for kind, match, segment in spans:
        assert segment.text == match.group()
        sx0, sy0, sx1, sy1 = segment.bbox
        for index in range(match.start(), match.end()):
            x0, y0, x1, y1 = label.characters[index].bbox
            assert sx0 <= x0 and sy0 <= y0 and x1 <= sx1 and y1 <= sy1, (
                f"{kind} {segment.text!r} {segment.bbox} does not contain #{index} "
                f"{label.characters[index].char!r} {label.characters[index].bbox}"
            )
    return ink


def grown(polygon: tuple[tuple[float, float], ...], by: float) -> list[tuple[float, float]]:
    """A convex polygon with every edge pushed out by `by` px (exact for the rectangles labels use)."""
    out = []
    count = len(polygon)
    for i, (x, y) in enumerate(polygon):
        dx, dy = 0.0, 0.0
        for nx, ny in (polygon[i - 1], polygon[(i + 1) % count]):
            length = math.hypot(x - nx, y - ny)
            if length > 1e-9:
                dx, dy = dx + (x - nx) / length, dy + (y - ny) / length
        out.append((x + by * dx, y + by * dy))
    return out


def edge_angle(polygon: tuple[tuple[float, float], ...]) -> float:
    """Clockwise screen angle (degrees) of the polygon's top edge, from its first corner to its second."""
    (ax, ay), (bx, by) = polygon[0], polygon[1]
    return math.degrees(math.atan2(by - ay, bx - ax))


def check_polygons(label: Label, ink: np.ndarray) -> None:
    """Check 3: the ink lies within the character polygons (grown by 1.5 px)."""
    polygons = [grown(c.polygon, POLYGON_SLACK) for c in label.characters if not is_blank(c.char)]
    stray = ink & ~polygon_mask(ink.shape, polygons)
    assert not stray.any(), f"ink outside every character polygon of {label.text!r}: {where(stray)}"


def visible_polygons(label: Label) -> list[tuple[tuple[float, float], ...]]:
    """One polygon per cluster of visible characters, sorted left to right on the canvas."""
    unique = {tuple(c.polygon) for c in label.characters if not is_blank(c.char)}
    return sorted(unique, key=lambda p: sum(x for x, _ in p) / len(p))


# --- straight text ----------------------------------------------------------------------------------


@FRAMINGS
@pytest.mark.parametrize("case", list(STRAIGHT), ids=list(STRAIGHT))
def test_straight_text(case: str, crop: InkCrop | None) -> None:
    font, text, direction, layout = STRAIGHT[case]
    record, image, label = draw(font, text, direction, layout, crop=crop)
    check_ink(record, image, label)


# Mixed scripts in one font (the bundled script fonts carry Latin letters, digits and punctuation).
MIXED = {
    "arabic-latin-digits": (ARABIC, "أرسل التقرير بصيغة PDF الساعة 9:30", "right_to_left", Layout()),
    "naskh-latin-arc": (NASKH, "تعلمت البرمجة بلغة Python", "right_to_left", Layout(curve=CONVEX)),
    "hebrew-digits-brackets": (HEBREW, "שנת 2024, קובץ PDF (v2)", "right_to_left", Layout()),
    "devanagari-digits": (DEVANAGARI, "ट्रेन ठीक 7:15 बजे", "left_to_right", Layout()),
    "thai-digits-sine": (THAI, "รถไฟออกเวลา 6:30 น.", "left_to_right", Layout(curve=WAVE)),
}


@pytest.mark.parametrize("case", list(MIXED), ids=list(MIXED))
def test_mixed_scripts(case: str) -> None:
    font, text, direction, layout = MIXED[case]
    if not drawable(font, text, 32, direction, layout):
        pytest.skip(f"the bundled {font} lacks a character of {text!r}")
    record, image, label = draw(font, text, direction, layout)
    ink = check_ink(record, image, label)
    if layout.curve is not None:
        check_polygons(label, ink)


# Outlined text: the stroke is ink too, and the boxes and polygons must hold it.
ORANGE = Stroke(width=2, color=(230, 150, 0))
BLUE = Stroke(width=3, color=(0, 90, 200))
STROKED = {
    "latin": (LATIN, LATIN_TALL, "left_to_right", Layout(stroke=ORANGE)),
    "arabic": (ARABIC, ARABIC_HARAKAT, "right_to_left", Layout(stroke=BLUE)),
    "cjk-ttb": (CJK, "今天早上", "top_to_bottom", Layout(orientation="upright", stroke=ORANGE)),
    "latin-arc": (LATIN, "Jolly gjpq", "left_to_right", Layout(curve=CONVEX, stroke=BLUE)),
    "devanagari-sine": (DEVANAGARI, DEVANAGARI_MATRAS, "left_to_right", Layout(curve=WAVE, stroke=ORANGE)),
}


@FRAMINGS
@pytest.mark.parametrize("case", list(STROKED), ids=list(STROKED))
def test_stroked_text(case: str, crop: InkCrop | None) -> None:
    font, text, direction, layout = STROKED[case]
    record, image, label = draw(font, text, direction, layout, crop=crop)
    ink = check_ink(record, image, label)
    if layout.curve is not None:
        check_polygons(label, ink)


def test_vertical_cjk_takes_vertical_forms() -> None:
    """Upright in a column, CJK punctuation takes its vertical form (OpenType 'vert'), and the boxes follow it.

    The comma and full stop move to the top right of their cell, and corner brackets turn a quarter.
    """
    text = "「今天，早上。」"
    record, image, label = draw(CJK, text, "top_to_bottom", UPRIGHT, size=40)
    check_ink(record, image, label)
    boxes = {c.char: c.bbox for c in label.characters}
    middle = (boxes["今"][0] + boxes["今"][2]) / 2
    for mark in "，。":
        assert (boxes[mark][0] + boxes[mark][2]) / 2 > middle + 5, f"{mark!r} is not in its vertical form: {boxes}"
    for bracket in "「」":
        x0, y0, x1, y1 = boxes[bracket]
        assert x1 - x0 > y1 - y0, f"{bracket!r} is not turned for vertical text: {boxes[bracket]}"
    _, _, flat = draw(CJK, text, "left_to_right", Layout(), size=40)
    x0, y0, x1, y1 = flat.characters[0].bbox
    assert y1 - y0 > x1 - x0, "「 should stand tall in horizontal text"


@FRAMINGS
@pytest.mark.parametrize("case", list(MULTILINE), ids=list(MULTILINE))
def test_multiline_text(case: str, crop: InkCrop | None) -> None:
    font, text, direction, layout = MULTILINE[case]
    record, image, label = draw(font, text, direction, layout, crop=crop)
    check_ink(record, image, label)
    assert [line.text for line in label.lines] == text.split("\n")


def test_alignment_moves_the_short_line() -> None:
    """Left, centre and right alignment put a short line at the start, middle and end of the long one."""
    text = "The morning train\nleft"
    boxes = {}
    for alignment in ("left", "center", "right"):
        record, image, label = draw(LATIN, text, "left_to_right", Layout(alignment=alignment))
        check_ink(record, image, label)
        boxes[alignment] = (label.lines[0].bbox, label.lines[1].bbox)
    (long_left, short_left) = boxes["left"]
    (long_right, short_right) = boxes["right"]
    (long_center, short_center) = boxes["center"]
    assert abs(short_left[0] - long_left[0]) <= 2
    assert abs(short_right[2] - long_right[2]) <= 2
    middle = (long_center[0] + long_center[2]) / 2
    assert abs((short_center[0] + short_center[2]) / 2 - middle) <= 3


@pytest.mark.parametrize("case", list(SPACING), ids=list(SPACING))
def test_character_and_word_spacing(case: str) -> None:
    font, text, direction, layout = SPACING[case]
    record, image, label = draw(font, text, direction, layout)
    check_ink(record, image, label)


def test_character_spacing_changes_the_length() -> None:
    """Positive spacing lengthens the line by (clusters - 1) x spacing; negative shortens it, but not at spaces."""
    text = "Type sets"
    widths = {}
    for spacing in (-2, 0, 5):
        _, _, label = draw(LATIN, text, "left_to_right", Layout(character_spacing=spacing))
        x0, _, x1, _ = label.lines[0].bbox
        widths[spacing] = x1 - x0
    gaps = len(text) - 1
    assert abs(widths[5] - widths[0] - 5 * gaps) <= 2
    gaps_between_letters = gaps - 2 * text.count(" ")
    assert abs(widths[0] - widths[-2] - 2 * gaps_between_letters) <= 2


def test_word_spacing_widens_only_the_spaces() -> None:
    """Each space grows by the spacing, and its box spans the whole gap between its words."""
    text = "Type sets  words"
    plain = draw(LATIN, text, "left_to_right", Layout())[2]
    spaced = draw(LATIN, text, "left_to_right", Layout(word_spacing=7))[2]
    (x0, _, x1, _), (s0, _, s1, _) = plain.lines[0].bbox, spaced.lines[0].bbox
    assert abs((s1 - s0) - (x1 - x0) - 7 * text.count(" ")) <= 1
    for before, after in zip(plain.characters, spaced.characters, strict=True):
        widths = (before.bbox[2] - before.bbox[0], after.bbox[2] - after.bbox[0])
        assert widths[1] - widths[0] == (7 if before.char == " " else 0), before.char


# Parts of a text in other faces: a bold word, a serif phrase, a run across a line break, right to left.
BOLD = "NotoSans-Bold.ttf"
STYLED = {
    "latin-bold-word": (LATIN, "Set the term apart", "left_to_right", Layout(), [(4, 7, BOLD)]),
    "latin-two-runs": (LATIN, "Jolly gjpq ÅÉÎ Type", "left_to_right", Layout(), [(0, 5, BOLD), (11, 14, SERIF)]),
    "latin-across-lines": (LATIN, "The morning\ntrain left", "left_to_right", Layout(), [(4, 17, SERIF)]),
    "latin-ttb": (LATIN, "Jolly gjpq", "top_to_bottom", Layout(), [(6, 10, BOLD)]),
    "latin-sine-spaced": (
        LATIN,
        "Kerning AVA Type",
        "left_to_right",
        Layout(curve=WAVE, character_spacing=2),
        [(8, 11, BOLD)],
    ),
    "arabic-naskh-word": (ARABIC, f"{ARABIC_HARAKAT} في البيت", "right_to_left", Layout(), [(10, 12, NASKH)]),
    "arabic-latin-run": (ARABIC, "أرسل التقرير بصيغة PDF الساعة", "right_to_left", Layout(), [(19, 22, BOLD)]),
    "cjk-ttb-upright": (CJK, "今天 Jolly", "top_to_bottom", UPRIGHT, [(3, 8, BOLD)]),
}


@pytest.mark.parametrize("case", list(STYLED), ids=list(STYLED))
def test_styled_text(case: str) -> None:
    """Glyphs of other faces are drawn and boxed like the rest; each run's glyphs come from its face."""
    font, text, direction, layout, styles = STYLED[case]
    record, image, label = draw(font, text, direction, layout, styles=styles)
    ink = check_ink(record, image, label)
    if layout.curve is not None:
        check_polygons(label, ink)
    spans = style_spans(styles)
    placed = layout_text(TextRequest(str(FONT_DIR / font), 0, 32, text, direction, layout, None, spans)).placements
    for glyph in placed:
        face = next((number for number, (start, end, _) in enumerate(styles, 1) if start <= glyph.cluster < end), 0)
        assert glyph.face == face, f"{text[glyph.cluster]!r} drawn in face {glyph.face}, not {face}"


# --- curves ----------------------------------------------------------------------------------------


@FRAMINGS
@pytest.mark.parametrize("case", list(CURVED), ids=list(CURVED))
def test_curved_text(case: str, crop: InkCrop | None) -> None:
    font, text, direction, layout = CURVED[case]
    record, image, label = draw(font, text, direction, layout, crop=crop)
    ink = check_ink(record, image, label)
    check_polygons(label, ink)

    # The polygons follow the curve: they turn, and not all alike.
    curve = layout.curve
    assert curve is not None
    for line in text.split("\n"):
        start = text.index(line)
        line_label = label.model_copy(update={"characters": label.characters[start : start + len(line)]})
        angles = [edge_angle(p) for p in visible_polygons(line_label)]
        assert max(abs(a) for a in angles) > 5, f"polygons of {line!r} stay axis-aligned: {angles}"
        if isinstance(curve, Arc):
            # Left to right across the canvas a convex arc turns clockwise, a concave one counter-clockwise.
            sign = -1 if curve.concave else 1
            steps = [sign * (b - a) for a, b in pairwise(angles)]
            assert all(step >= -0.6 for step in steps), f"arc polygons do not turn steadily: {angles}"
            assert sign * (angles[-1] - angles[0]) > 10, f"arc polygons hardly turn: {angles}"
        else:
            assert min(angles) < -5 and max(angles) > 5, f"sine polygons do not rock both ways: {angles}"


def test_convex_arc_bows_up_and_concave_bows_down() -> None:
    """A convex arc puts the middle of the line above its ends; a concave one below."""
    text = "Jolly gjpq ÅÉÎ Type"
    for curve, middle_higher in ((CONVEX, True), (CONCAVE, False)):
        _, _, label = draw(LATIN, text, "left_to_right", Layout(curve=curve))
        centres = [sum(y for _, y in p) / 4 for p in visible_polygons(label)]
        ends = (centres[0] + centres[-1]) / 2
        middle = centres[len(centres) // 2]
        assert (middle < ends - 5) if middle_higher else (middle > ends + 5), (curve, centres)


# --- clipping --------------------------------------------------------------------------------------

TALL = {
    "latin": (LATIN, LATIN_TALL, "left_to_right"),
    "serif": (SERIF, LATIN_TALL, "left_to_right"),
    "arabic": (ARABIC, ARABIC_HARAKAT, "right_to_left"),
    "naskh": (NASKH, ARABIC_HARAKAT, "right_to_left"),
    "thai": (THAI, THAI_STACKED, "left_to_right"),
    "devanagari": (DEVANAGARI, DEVANAGARI_MATRAS, "left_to_right"),
    "hebrew-niqqud": (HEBREW, "בְּרֵאשִׁית", "right_to_left"),
}


@pytest.mark.parametrize("case", list(TALL), ids=list(TALL))
@pytest.mark.parametrize("size", [12, 47])
def test_tall_marks_are_not_clipped(case: str, size: int) -> None:
    """Marks above the ascender and below the descender stay on the canvas, with their boxes."""
    font, text, direction = TALL[case]
    record, image, label = draw(font, text, direction, Layout(), size=size)
    check_ink(record, image, label)


# --- random texts and sizes ------------------------------------------------------------------------

DIRECTIONS = ("left_to_right", "top_to_bottom", "bottom_to_top")


def words(lang: str, font: str) -> st.SearchStrategy[str]:
    """One to three words of the bundled corpus, all drawable in `font`."""
    return st.lists(st.sampled_from(corpus_words(lang, font)), min_size=1, max_size=3).map(" ".join)


RANDOM = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# lang -> the fonts that draw it and the direction it is written in
SCRIPTS = {
    "en": ((LATIN, SERIF), "left_to_right"),
    "ar": ((ARABIC, NASKH), "right_to_left"),
    "he": ((HEBREW,), "right_to_left"),
    "hi": ((DEVANAGARI,), "left_to_right"),
}


@RANDOM
@given(data=st.data(), size=st.integers(12, 64), direction=st.sampled_from(DIRECTIONS))
def test_random_latin(data: st.DataObject, size: int, direction: str) -> None:
    font = data.draw(st.sampled_from(SCRIPTS["en"][0]), label="font")
    text = data.draw(words("en", font), label="text")
    record, image, label = draw(font, text, direction, Layout(), size=size)
    check_ink(record, image, label)


@RANDOM
@given(data=st.data(), lang=st.sampled_from(["ar", "he", "hi"]), size=st.integers(12, 64))
def test_random_words(data: st.DataObject, lang: str, size: int) -> None:
    fonts, direction = SCRIPTS[lang]
    font = data.draw(st.sampled_from(fonts), label="font")
    text = data.draw(words(lang, font), label="text")
    record, image, label = draw(font, text, direction, Layout(), size=size)
    check_ink(record, image, label)


CURVE = st.one_of(
    st.builds(Arc, radius=st.floats(80, 400), concave=st.booleans()),
    st.builds(Sine, amplitude=st.floats(2, 12), frequency=st.floats(0.3, 2.0), phase=st.floats(-3.2, 3.2)),
)


@RANDOM
@given(data=st.data(), lang=st.sampled_from(list(SCRIPTS)), size=st.integers(16, 48), curve=CURVE)
def test_random_curves(data: st.DataObject, lang: str, size: int, curve: Arc | Sine) -> None:
    fonts, direction = SCRIPTS[lang]
    font = data.draw(st.sampled_from(fonts), label="font")
    text = data.draw(words(lang, font), label="text")
    record, image, label = draw(font, text, direction, Layout(curve=curve), size=size)
    check_polygons(label, check_ink(record, image, label))


@RANDOM
@given(
    text=st.sampled_from(corpus_lines("zh") + corpus_lines("ja")),
    length=st.integers(1, 16),
    size=st.integers(12, 64),
    direction=st.sampled_from(DIRECTIONS),
)
def test_random_cjk(text: str, length: int, size: int, direction: str) -> None:
    layout = UPRIGHT if direction == "top_to_bottom" else Layout()
    record, image, label = draw(CJK, text[:length], direction, layout, size=size)
    check_ink(record, image, label)


MARGIN = st.integers(0, 24)
FRAMED_SCRIPTS = {**SCRIPTS, "th": ((THAI,), "left_to_right"), "zh": ((CJK,), "left_to_right")}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    lang=st.sampled_from(list(FRAMED_SCRIPTS)),
    size=st.integers(8, 72),
    vertical=st.sampled_from([None, "top_to_bottom", "bottom_to_top"]),
    lines=st.integers(1, 3),
    crop=st.builds(InkCrop, left=MARGIN, top=MARGIN, right=MARGIN, bottom=MARGIN),
)
def test_random_framed(
    data: st.DataObject, lang: str, size: int, vertical: str | None, lines: int, crop: InkCrop
) -> None:
    """Cut to its ink, any text in any font, size, direction and number of lines keeps exactly the planned
    margins, no ink leaves the character boxes, and every box stays in the image."""
    fonts, direction = FRAMED_SCRIPTS[lang]
    font = data.draw(st.sampled_from(fonts), label="font")
    text = "\n".join(data.draw(words(lang, font), label="line") for _ in range(lines))
    direction = vertical or direction
    layout = UPRIGHT if direction == "top_to_bottom" and font == CJK else Layout()
    if not drawable(font, text, size, direction, layout):
        return  # a word of the corpus the font cannot set in this orientation: not a framing case
    record, image, label = draw(font, text, direction, layout, size=size, crop=crop)
    check_ink(record, image, label)


# Words and lines on a curve: their polygons follow it through every cluster, and hold the ink.
CURVED_SEGMENTS = {
    "latin-convex": (LATIN, "hundreds of bees", Layout(curve=CONVEX)),
    "latin-concave": (SERIF, "quiet morning", Layout(curve=CONCAVE)),
    "cjk-wave": (CJK, "今天早上下了一场小雨", Layout(curve=WAVE)),
}


@pytest.mark.parametrize("case", list(CURVED_SEGMENTS), ids=list(CURVED_SEGMENTS))
def test_word_and_line_polygons_follow_the_curve(case: str) -> None:
    font, text, layout = CURVED_SEGMENTS[case]
    _, image, label = draw(font, text, "left_to_right", layout)
    ink = ink_mask(image)
    for segments in (label.words, label.lines):
        stray = ink & ~dilate(polygon_mask(ink.shape, [s.polygon for s in segments]), 2)
        assert not stray.any(), f"ink outside the word/line polygons of {text!r}: {where(stray)}"
        for segment in segments:
            clusters = len({tuple(c.polygon) for c in label.characters if c.char in segment.text})
            assert len(segment.polygon) >= 4 * min(clusters, 2), (segment.text, segment.polygon)
