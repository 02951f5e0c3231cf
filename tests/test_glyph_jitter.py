"""glyph_jitter: each cluster off the baseline and sized apart, with the label boxes still exactly on the ink.

The per-cluster moves and sizes are drawn inside `layout_text` from the seed the record
holds, so the planner (sizing the canvas) and the renderer (drawing, labelling) see the
same glyphs. The ink checks are those of tests/test_ink_fidelity.py.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ink_fidelity import CURVE, SCRIPTS, check_ink, check_polygons, words
from textcases import ARABIC, CJK, DEVANAGARI, FONT_DIR, LATIN, corpus_lines, make_record, render

from ocrgen.planner import AssetDirs, iter_plan
from ocrgen.schemas.config import BatchConfig
from ocrgen.schemas.effects.text import MAX_JITTER_BASELINE, MAX_JITTER_SCALE, GlyphJitter
from ocrgen.schemas.plan import Arc, Layout, PlanRecord, ProceduralBackground, Sine, Stroke
from ocrgen.text.layout import Placement, TextLayout, TextRequest, layout_text

JITTERS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

AMPLITUDES = st.builds(
    GlyphJitter,
    baseline=st.floats(0, MAX_JITTER_BASELINE),
    scale=st.floats(0, MAX_JITTER_SCALE),
    seed=st.integers(0, 2**64 - 1),
)
# Across the line on the canvas, per direction: +y for horizontal lines, -x for top-to-bottom, +x for bottom-to-top.
ACROSS = {"left_to_right": (0, 1), "right_to_left": (0, 1), "top_to_bottom": (-1, 0), "bottom_to_top": (1, 0)}
FLAT = "HIMEN HEFT"  # flat tops and bottoms: each box's top and bottom edge shows where its glyph went


def lay(font: str, text: str, direction: str, jitter: GlyphJitter | None, size: int = 32) -> TextLayout:
    return layout_text(TextRequest(str(FONT_DIR / font), 0, size, text, direction, Layout(), jitter))


def position(placed: Placement) -> np.ndarray:
    """The glyph origin in pixels, sub-pixel phase included."""
    return np.array([placed.x + placed.phase_x / 64, placed.y + placed.phase_y / 64])


def spread(values: list[int]) -> int:
    return max(values) - min(values)


def drops(font: str, text: str, direction: str, jitter: GlyphJitter) -> set[float]:
    """How far down each glyph of a horizontal line moved with the jitter, in quarter pixels."""
    plain, jittered = lay(font, text, direction, None), lay(font, text, direction, jitter)
    pairs = zip(plain.placements, jittered.placements, strict=True)
    return {round(float(position(b)[1] - position(a)[1]) * 4) for a, b in pairs}


def boxes_of(text: str, jitter: GlyphJitter | None) -> list[tuple[int, int, int, int]]:
    """The character boxes of `text` drawn in Latin at 32 px, spaces left out."""
    effects = [jitter] if jitter else []
    _, label = render(make_record(LATIN, text, 32, padding=2, effects=effects))
    return [c.bbox for c in label.characters if not c.char.isspace()]


# --- labels hold the ink --------------------------------------------------------------------------


@JITTERS
@given(
    data=st.data(),
    lang=st.sampled_from([*SCRIPTS, "zh"]),
    size=st.integers(12, 48),
    jitter=AMPLITUDES,
    curve=st.none() | CURVE,
    stroked=st.booleans(),
)
def test_jittered_labels_hold_exactly_the_ink(
    data: st.DataObject, lang: str, size: int, jitter: GlyphJitter, curve: Arc | Sine | None, stroked: bool
) -> None:
    """In every script and direction, on curves and outlined, the boxes (and polygons) hold the jittered ink."""
    if lang == "zh":
        font, text = CJK, data.draw(st.sampled_from(corpus_lines("zh")), label="line")[:12]
        direction = data.draw(st.sampled_from(["left_to_right", "top_to_bottom"]), label="direction")
        orientation = "upright" if direction == "top_to_bottom" else "rotated"
    else:
        fonts, direction = SCRIPTS[lang]
        font = data.draw(st.sampled_from(fonts), label="font")
        text = data.draw(words(lang, font), label="text")
        if lang == "en":
            direction = data.draw(st.sampled_from(["left_to_right", "top_to_bottom", "bottom_to_top"]), label="dir")
        orientation = "rotated"
    horizontal = direction in ("left_to_right", "right_to_left")
    layout = Layout(
        orientation=orientation,
        curve=curve if horizontal else None,
        stroke=Stroke(width=2, color=(200, 120, 0)) if stroked else None,
    )
    record = make_record(font, text, size, direction, layout, padding=1, effects=[jitter])
    image, label = render(record)
    ink = check_ink(record, image, label)
    if layout.curve is not None:
        check_polygons(label, ink)


# --- moves and sizes stay within the amplitudes -----------------------------------------------------


@JITTERS
@given(
    text=st.lists(st.sampled_from(["Type", "sets", "AVA", "WAVE", "gjpq", "Hello", "world", "6:30"]), min_size=1).map(
        " ".join
    ),
    size=st.integers(10, 64),
    direction=st.sampled_from(["left_to_right", "top_to_bottom", "bottom_to_top"]),
    jitter=AMPLITUDES,
)
def test_moves_and_sizes_stay_within_the_amplitudes(text: str, size: int, direction: str, jitter: GlyphJitter) -> None:
    """Each glyph moves across the line by less than baseline x size (plus the quarter-pixel snap) and its size
    stays within scale x size (to the nearest whole px); a resized cluster's slot scales with it, the gaps stay."""
    plain, jittered = lay(LATIN, text, direction, None, size), lay(LATIN, text, direction, jitter, size)
    assert [p.glyph for p in plain.placements] == [p.glyph for p in jittered.placements]
    across = np.array(ACROSS[direction])
    for before, after in zip(plain.placements, jittered.placements, strict=True):
        assert before.size == size
        assert abs(after.size - size) <= jitter.scale * size + 0.5, (after.size, size, jitter)
        move = float((position(after) - position(before)) @ across)
        assert abs(move) <= jitter.baseline * size + 0.25, (move, jitter)

    sizes = {p.cluster: p.size for p in jittered.placements}
    line = [(a, b) for a, b in zip(plain.clusters, jittered.clusters, strict=True) if a.start in sizes]
    for a, b in line:
        plain_width, width = a.advance[2] - a.advance[0], b.advance[2] - b.advance[0]
        assert abs(width - plain_width * sizes[b.start] / size) < 1e-6
    for (a0, b0), (a1, b1) in pairwise(line):
        assert abs((b1.advance[0] - b0.advance[2]) - (a1.advance[0] - a0.advance[2])) < 1e-6, "gaps stay as set"


# --- jitter does move glyphs ---------------------------------------------------------------------


def test_baseline_jitter_moves_glyphs_up_and_down() -> None:
    """Plain, every letter of HIMEN HEFT sits on one baseline; jittered by 0.1 em, the bottoms spread by pixels."""
    plain = boxes_of(FLAT, None)
    assert spread([box[3] for box in plain]) <= 1 and spread([box[1] for box in plain]) <= 1
    jittered = boxes_of(FLAT, GlyphJitter(baseline=0.1, scale=0, seed=1))
    bottoms = [box[3] for box in jittered]
    assert 3 <= spread(bottoms) <= 2 * 0.1 * 32 + 2, bottoms
    assert spread([box[3] - box[1] for box in jittered]) <= 1, "without scale jitter every letter keeps its size"


def test_size_jitter_resizes_glyphs_on_their_baseline() -> None:
    """Jittered in size by 20 %, the letters' heights differ, but they still stand on one baseline."""
    jittered = boxes_of(FLAT, GlyphJitter(baseline=0, scale=0.2, seed=2))
    heights = [box[3] - box[1] for box in jittered]
    assert spread(heights) >= 3, heights
    assert spread([box[3] for box in jittered]) <= 1, "the baseline stays put"
    plain = boxes_of(FLAT, None)
    plain_width, width = plain[-1][2] - plain[0][0], jittered[-1][2] - jittered[0][0]
    assert abs(width - plain_width) <= 0.2 * plain_width, "the line grows or shrinks only by the sizes"


def test_seed_decides_the_moves() -> None:
    """The same jitter gives the same placements; another seed gives others."""
    one = GlyphJitter(baseline=0.1, scale=0.1, seed=7)
    assert lay(LATIN, FLAT, "left_to_right", one).placements == lay(LATIN, FLAT, "left_to_right", one).placements
    other = one.model_copy(update={"seed": 8})
    assert lay(LATIN, FLAT, "left_to_right", one).placements != lay(LATIN, FLAT, "left_to_right", other).placements


def test_touching_letters_move_as_one() -> None:
    """Joined Arabic and a Devanagari word under its headline keep one move and one size; Latin letters do not."""
    jitter = GlyphJitter(baseline=0.2, scale=0.2, seed=3)
    for font, word, direction in ((ARABIC, "البيت", "right_to_left"), (DEVANAGARI, "प्रतिष्ठित", "left_to_right")):
        sizes = {p.size for p in lay(font, word, direction, jitter).placements}
        assert len(drops(font, word, direction, jitter)) == 1 and len(sizes) == 1, (word, sizes)
    assert len(drops(LATIN, "Hello", "left_to_right", jitter)) > 1


# --- the plan is the contract ----------------------------------------------------------------------


def plan(effects: dict[str, object], total: int = 4) -> list[PlanRecord]:
    config = BatchConfig.model_validate(
        {
            "total_images": total,
            "seed": 5,
            "specifications": [
                {
                    "name": "s",
                    "proportion": 1,
                    "corpus": ["en/*.txt"],
                    "text_length": {"min": 10, "max": 30},
                    "font_size": {"min": 20, "max": 40},
                    "padding": 1,
                    "effects": effects,
                }
            ],
        }
    )
    records = list(iter_plan(config, AssetDirs()))
    solid = ProceduralBackground(style="solid", color=(255, 255, 255))
    return [r.model_copy(update={"background": solid, "text_color": (0, 0, 0)}) for r in records]


def test_planned_jitter_is_in_the_record_and_renders_the_same_anywhere() -> None:
    """The record holds two amplitudes and a seed; the canvas holds all the ink; a JSON round trip renders the same."""
    config = {"glyph_jitter": {"p": 1, "baseline": {"min": 0.05, "max": 0.08}, "scale": {"min": 0.05, "max": 0.1}}}
    records = plan(config)
    assert records == plan(config), "plans repeat"
    for record in records:
        (jitter,) = record.effects
        assert isinstance(jitter, GlyphJitter)
        assert 0.05 <= jitter.baseline <= 0.08 and 0.05 <= jitter.scale <= 0.1
        image, label = render(record)
        check_ink(record, image, label)
        again, label_again = render(PlanRecord.model_validate_json(record.model_dump_json()))
        assert np.array_equal(np.asarray(image), np.asarray(again)) and label == label_again
