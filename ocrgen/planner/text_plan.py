"""Plan one text: its words, font, size, direction and layout, the canvas that holds them, and its colours.

A record of its own and a text on a page are planned alike; only their canvases differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import cast

import numpy as np

from ocrgen.effects.registry import recolor_effects, size_after_geometry
from ocrgen.effects.text import effective_layout, layout_jitter, margins
from ocrgen.errors import PlanningError
from ocrgen.planner.contrast import pick_text_color
from ocrgen.planner.fonts import needed_codepoints
from ocrgen.planner.framing import canvas_padding, plan_crop
from ocrgen.planner.linebreak import break_lines
from ocrgen.planner.resources import SpecResources
from ocrgen.planner.styles import NO_OTHER_STYLE, plan_styles
from ocrgen.planner.text_augmentation import augment_text
from ocrgen.sampling import choose, sample_color, sample_float, sample_int
from ocrgen.schemas.config import Direction, Specification
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.plan import Arc, Canvas, FontRef, InkCrop, Layout, Point, Sine, Stroke, StyleRun
from ocrgen.schemas.ranges import RGB
from ocrgen.text.layout import Measure, TextRequest, measure_text
from ocrgen.text.scripts import stands_upright

MAX_TEXT_TRIES = 100
LAYOUT_DECIMALS = 3  # plenty for line spacing and curves, and short plan lines


@dataclass(frozen=True)
class PlannedText:
    """A text set on its canvas: what a record holds of it before its background and colours are drawn."""

    text: str
    font: FontRef
    direction: Direction
    layout: Layout
    styles: list[StyleRun]
    canvas: Canvas
    origin: Point
    crop: InkCrop | None
    picture: tuple[int, int]  # the canvas's size once the geometric effects have run

    def fields(self) -> dict[str, object]:
        """What a plan record and a page's text both hold of it, by their field names, in the record's order."""
        return {
            "text": self.text,
            "font": self.font,
            "direction": self.direction,
            "layout": self.layout,
            "canvas": self.canvas,
            "origin": self.origin,
            "styles": self.styles,
        }


def plan_text(
    res: SpecResources,
    rng: np.random.Generator,
    effects: list[EffectParams],
    max_pixels: int,
    resampled: Counter[str],
    alone: bool = True,
) -> PlannedText:
    """Draw a text, font, size, direction and layout that draw no tofu, and the canvas that holds them.

    `alone`: the text is an image of its own, padded or framed as its specification says; else it
    goes on a page, on a canvas just large enough for its ink. Every redraw is counted in `resampled`.
    """
    spec = res.spec
    tried: Counter[str] = Counter()
    for _ in range(MAX_TEXT_TRIES):
        draw = res.corpus.draw(rng)
        if draw.passed_over:  # seldom: a Counter update costs a microsecond even when empty
            tried.update(draw.passed_over)
        if draw.text is None:
            tried[draw.reason or "no_text"] += 1
            continue
        drawn = augment_text(draw.text, spec.text_augmentation, rng) if spec.text_augmentation else draw.text
        needed = needed_codepoints(drawn)
        fonts = res.covering(needed)
        if not fonts:
            tried["no_font_covers_text"] += 1
            continue
        font = choose([f for f, _ in fonts], [w for _, w in fonts], rng)
        size = max(1, sample_int(spec.font_size, rng))  # a range below 1 px rounds to 0
        directions = spec.directions.weights()
        direction = cast(Direction, choose(list(directions), list(directions.values()), rng))
        text = break_lines(drawn, sample_int(spec.lines, rng), spec.line_break)
        params = _layout_params(spec, text, direction, rng)
        styled = plan_styles(spec.mixed_styles, text, font, fonts, rng) if spec.mixed_styles else ([], [])
        runs, spans = styled or ([], [])
        setting = effective_layout(params, effects)
        jitter = layout_jitter(effects)
        layout = measure_text(
            TextRequest(str(font.path), font.face_index, size, text, direction, setting, jitter, spans)
        )
        if layout.draws_notdef:
            tried["notdef_glyph"] += 1
            continue
        canvas, origin, crop = _fit(layout, rng, res, effects, alone)
        width, height = size_after_geometry(effects, canvas.width, canvas.height)
        if max(canvas.width * canvas.height, width * height) > max_pixels:
            tried["image_too_large"] += 1
            continue
        break
    else:
        resampled.update(tried)
        reasons = ", ".join(f"{reason} x{count}" for reason, count in tried.most_common())
        fix = (
            "Lower its font_size, padding, text_length or lines, or raise max_image_pixels."
            if tried.most_common(1)[0][0] == "image_too_large"
            else "Check that its corpus suits its text_length and that its fonts cover the corpus script."
        )
        raise PlanningError(f"Specification '{spec.name}': no usable text in {MAX_TEXT_TRIES} tries ({reasons}). {fix}")
    if tried:
        resampled.update(tried)
    if styled is None:
        resampled[NO_OTHER_STYLE] += 1
    font_ref = FontRef(asset=font.ref, face_index=font.face_index, size=size)
    return PlannedText(text, font_ref, direction, params, runs, canvas, origin, crop, (width, height))


def ink_colors(
    spec: Specification,
    luminance: list[tuple[float, float]],
    effects: list[EffectParams],
    rng: np.random.Generator,
    resampled: Counter[str],
) -> tuple[RGB, list[EffectParams]]:
    """The text colour, and the effects with the colours they ink the text with, all kept to `spec.min_contrast`
    against the background `luminance` spans under the text.

    Each colour is picked by the one contrast rule; rejected draws and fallbacks go into `resampled`.
    With the check off (`min_contrast` 1), the text colour is drawn plainly and the effects keep the
    colours they were sampled with.
    """
    if spec.min_contrast <= 1:
        return sample_color(spec.text_color, rng), effects
    pick = partial(pick_text_color, background=luminance, min_contrast=spec.min_contrast, rng=rng, resampled=resampled)
    return pick(spec.text_color), recolor_effects(spec.effects, effects, pick)


_ALIGNMENTS = {
    "left_to_right": ("left", "center", "right"),
    "right_to_left": ("left", "center", "right"),
    "top_to_bottom": ("top", "center", "bottom"),
    "bottom_to_top": ("top", "center", "bottom"),
}


def _layout_params(spec: Specification, text: str, direction: str, rng: np.random.Generator) -> Layout:
    """Everything about how the lines are set, drawn once so the renderer decides nothing."""
    upright = direction == "top_to_bottom" and (stands_upright(text) or spec.vertical_text == "upright")
    alignment = None
    if spec.alignment:
        allowed = {a: w for a, w in spec.alignment.items() if a in _ALIGNMENTS[direction] and w > 0}
        alignment = choose(list(allowed), list(allowed.values()), rng) if allowed else None
    curve: Arc | Sine | None = None
    if spec.curve and direction in ("left_to_right", "right_to_left") and rng.random() < spec.curve.p:
        kinds = spec.curve.weights()
        kind = choose(list(kinds), list(kinds.values()), rng)
        if kind == "arc" and spec.curve.arc:
            arc = spec.curve.arc
            curve = Arc(radius=sample_float(arc.radius, rng, LAYOUT_DECIMALS), concave=bool(rng.random() < arc.concave))
        elif spec.curve.sine:
            sine = spec.curve.sine
            curve = Sine(
                amplitude=sample_float(sine.amplitude, rng, LAYOUT_DECIMALS),
                frequency=sample_float(sine.frequency, rng, LAYOUT_DECIMALS),
                phase=sample_float(sine.phase, rng, LAYOUT_DECIMALS),
            )
    stroke = None
    if spec.stroke and rng.random() < spec.stroke.p:
        stroke = Stroke(width=sample_int(spec.stroke.width, rng), color=sample_color(spec.stroke.color, rng))
    return Layout(
        orientation="upright" if upright else "rotated",
        alignment=alignment,
        line_spacing=sample_float(spec.line_spacing, rng, LAYOUT_DECIMALS),
        character_spacing=sample_int(spec.character_spacing, rng),
        word_spacing=sample_int(spec.word_spacing, rng),
        curve=curve,
        stroke=stroke,
    )


def _fit(
    layout: Measure, rng: np.random.Generator, res: SpecResources, effects: list[EffectParams], alone: bool
) -> tuple[Canvas, Point, InkCrop | None]:
    """A canvas that holds all of the text's ink and line box, with padding drawn for each side, and the crop.

    Without framing the padding is drawn from `padding`; with it, the padding is what the crop's
    margins need; on a page (not `alone`) there is none. All three get what text effects such as
    shadows ink beyond the text added to them.
    """
    framing = res.spec.framing if alone else None
    crop = None if framing is None else plan_crop(framing, layout, effects, rng)
    padding: Sequence[int]
    if not alone:
        padding = (0, 0, 0, 0)
    elif crop is None:
        padding = [sample_int(res.spec.padding, rng) for _ in range(4)]
    else:
        padding = canvas_padding(crop, effects)
    left, top, right, bottom = (pad + extra for pad, extra in zip(padding, margins(effects), strict=True))
    extent = layout.extent
    canvas = Canvas(width=extent.x1 - extent.x0 + left + right, height=extent.y1 - extent.y0 + top + bottom)
    return canvas, Point(x=left - extent.x0, y=top - extent.y0), crop
