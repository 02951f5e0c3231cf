"""Backgrounds: random and scaled crops, weighted sub-dirs, procedural styles, and text that keeps its contrast.

Background images are made here with numpy; text comes from the bundled corpus and
NotoSans, so each plan is quick.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocrgen.assets import AssetResolver
from ocrgen.errors import ConfigError, PlanningError
from ocrgen.planner import AssetDirs, PlanStats, contrast, iter_plan, load_config, luminance
from ocrgen.planner.backgrounds import BackgroundCatalog
from ocrgen.planner.contrast import CONTRAST_FALLBACK, CONTRAST_UNMET, LOW_CONTRAST, pick_text_color, worst_contrast
from ocrgen.planner.luminance import LuminanceSummary, luminance_cache_dir, luminance_map, relative_luminance
from ocrgen.planner.resources import Resources
from ocrgen.renderer.backgrounds import image_background, procedural_background
from ocrgen.renderer.render import render_record
from ocrgen.schemas.plan import ImageBackground, PlanRecord, ProceduralBackground
from ocrgen.schemas.ranges import ColorRange

SPEC = """\
name: bg
proportion: 1
corpus: ["en/*.txt"]
fonts: {include: ["NotoSans-Regular.ttf"]}
text_length: {min: 5, max: 20}
font_size: {min: 20, max: 30}
"""


def write_config(directory: Path, extra: str = "", total: int = 40, seed: int = 1) -> Path:
    """A one-spec config over the bundled corpus and NotoSans; `extra` adds keys to the spec."""
    spec = textwrap.indent(SPEC + textwrap.dedent(extra), "    ")
    text = f"total_images: {total}\nseed: {seed}\nspecifications:\n  - {spec.strip()}\n"
    path = directory / "batch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def plan(
    directory: Path, extra: str = "", backgrounds: Path | None = None, total: int = 40, seed: int = 1
) -> tuple[list[PlanRecord], PlanStats]:
    stats = PlanStats()
    config = load_config(write_config(directory, extra, total, seed))
    records = list(iter_plan(config, AssetDirs(backgrounds=backgrounds), stats=stats))
    return records, stats


def save(pixels: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, "RGB").save(path, quality=92) if path.suffix == ".jpg" else Image.fromarray(
        pixels, "RGB"
    ).save(path)
    return path


def textured(width: int, height: int, low: int, high: int, seed: int) -> np.ndarray:
    """Smooth blotches between `low` and `high` plus grain: crops of it differ in luminance."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 1, (height // 50 + 2, width // 50 + 2))
    blotches = np.asarray(
        Image.fromarray(coarse.astype(np.float32), "F").resize((width, height), Image.Resampling.BICUBIC)
    )
    base = low + (high - low) * np.clip(blotches, 0, 1)
    pixels = base[:, :, None] + rng.normal(0, 6, (height, width, 3))
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


def ramp(width: int, height: int) -> np.ndarray:
    """Red rises with x and green with y, by 255 over the whole side."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, :, 0] = np.rint(np.arange(width) * 255 / (width - 1))[None, :]
    pixels[:, :, 1] = np.rint(np.arange(height) * 255 / (height - 1))[:, None]
    return pixels


def final_size(record: PlanRecord) -> tuple[int, int]:
    """The size the background is drawn at: the canvas (these plans have no geometric effects)."""
    assert not record.effects
    return record.canvas.width, record.canvas.height


def mean_luminance(pixels: np.ndarray) -> float:
    return float(luminance_map(pixels).mean())


# --- crops ---------------------------------------------------------------------------------------


def test_crops_are_random_and_inside_the_image(tmp_path: Path) -> None:
    root = tmp_path / "backgrounds"
    save(textured(900, 500, 150, 250, 0), root / "big.png")
    save(textured(700, 300, 150, 250, 1), root / "wide.jpg")
    save(textured(60, 40, 150, 250, 2), root / "small.png")  # smaller than any canvas: scaled up
    records, _ = plan(tmp_path, backgrounds=root, total=60)

    starts = Counter()
    for record in records:
        background = record.background
        assert isinstance(background, ImageBackground)
        x0, y0, x1, y1 = background.crop
        with Image.open(root / background.asset.path) as image:
            image_w, image_h = image.size
        assert 0 <= x0 < x1 <= image_w and 0 <= y0 < y1 <= image_h, (background.crop, image.size)
        width, height = final_size(record)
        if image_w >= width and image_h >= height:
            assert (x1 - x0, y1 - y0) == (width, height)  # scale 1: the canvas's own size
        else:  # the largest window of the canvas's shape that fits
            assert abs((x1 - x0) / (y1 - y0) - width / height) < 0.1 * width / height
            assert x1 - x0 == image_w or y1 - y0 == image_h
        if background.asset.path == "big.png":
            starts[(x0, y0)] += 1
    assert {r.background.asset.path for r in records} == {"big.png", "wide.jpg", "small.png"}
    assert len(starts) >= 0.8 * sum(starts.values()), f"crops repeat their corner: {starts.most_common(3)}"
    xs = [x for x, _ in starts]
    assert max(xs) > 400 and min(xs) < 300, "crops do not spread over the image"


def test_background_scale_crops_smaller_and_renders_at_canvas_size(tmp_path: Path) -> None:
    root = tmp_path / "backgrounds"
    path = save(ramp(1020, 600), root / "ramp.png")
    records, _ = plan(tmp_path, "background_scale: 2\n", root, total=12)
    resolver = AssetResolver()
    for record in records[:4]:
        width, height = final_size(record)
        x0, y0, x1, y1 = record.background.crop
        assert (x1 - x0, y1 - y0) == (round(width / 2), round(height / 2))
        image, _ = render_record(record, resolver)
        assert image.size == (width, height)
        # The crop is enlarged twice: red climbs half as fast per canvas pixel as in the source (0.25/px).
        pixels = image_background(record.background, path, width, height).astype(np.float64)
        slope = np.polyfit(np.arange(width), pixels[height // 2, :, 0], 1)[0]
        assert slope == pytest.approx(255 / 1019 / 2, rel=0.08)

    records, _ = plan(tmp_path, "background_scale: {min: 1.5, max: 3}\n", root, total=30)
    scales = []
    for record in records:
        x0, _, x1, _ = record.background.crop
        scales.append(final_size(record)[0] / (x1 - x0))
    assert all(1.5 * 0.97 <= s <= 3 * 1.03 for s in scales), scales
    assert max(scales) - min(scales) > 0.8, "the scale is not drawn from its range"


def test_weights_over_sub_directories_are_used(tmp_path: Path) -> None:
    """Weights a: 3, b: 1, c: 0 over dirs of 1, 3 and 2 images: draws go 3:1 by dir, never to c."""
    root = tmp_path / "backgrounds"
    for sub, count in (("a", 1), ("b", 3), ("c", 2)):
        for number in range(count):
            save(textured(400, 300, 100, 200, number), root / sub / f"{number}.png")
    config = load_config(write_config(tmp_path, "backgrounds: {a: 3, b: 1, c: 0}\n"))
    spec = config.specifications[0]
    pool = Resources.load([spec], AssetDirs(backgrounds=root)).specs[0].backgrounds
    rng = np.random.default_rng(5)
    draws = 1200
    counts = Counter(pool.draw(spec, 200, 60, rng).asset.path.split("/")[0] for _ in range(draws))
    assert counts["c"] == 0
    expected = {"a": draws * 3 / 4, "b": draws / 4}
    chi2 = sum((counts[k] - e) ** 2 / e for k, e in expected.items())
    assert chi2 < 10.83, (counts, chi2)  # p = 0.001 with one degree of freedom


# --- procedural ----------------------------------------------------------------------------------


@pytest.mark.parametrize("angle", [0.0, 45.0, 90.0, 135.0, 180.0, 270.0, 300.0])
def test_gradient_runs_from_colour_to_end_colour_along_its_angle(angle: float) -> None:
    start, end = (20, 40, 200), (240, 220, 30)
    background = ProceduralBackground(style="gradient", color=start, end_color=end, angle=angle)
    width, height = 160, 90
    pixels = procedural_background(background, 0, width, height).astype(np.int64)
    assert pixels.shape == (height, width, 3)
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    corners = {(x, y): x * dx + y * dy for x in (0, width - 1) for y in (0, height - 1)}
    first, last = min(corners, key=corners.get), max(corners, key=corners.get)
    assert np.abs(pixels[first[1], first[0]] - start).max() <= 4
    assert np.abs(pixels[last[1], last[0]] - end).max() <= 4
    # Along the angle the red channel only rises; across it, it stays put.
    steps = np.linspace(0, 1, 12)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    reach = min(abs(width / 2 / dx) if dx else math.inf, abs(height / 2 / dy) if dy else math.inf) - 1
    along = [pixels[round(cy + (s - 0.5) * 2 * reach * dy), round(cx + (s - 0.5) * 2 * reach * dx), 0] for s in steps]
    assert all(b >= a for a, b in itertools.pairwise(along)) and along[-1] - along[0] > 40, along
    across = [
        pixels[round(cy + t * dx * 0.4 * height / 2), round(cx - t * dy * 0.4 * height / 2), 0]
        for t in np.linspace(-1, 1, 7)
    ]
    assert max(across) - min(across) <= 2, across


def test_solid_paper_and_noise(tmp_path: Path) -> None:
    color = (200, 190, 180)
    width, height = 256, 192

    def draw(style: str, seed: int) -> np.ndarray:
        return procedural_background(ProceduralBackground(style=style, color=color), seed, width, height)

    assert (draw("solid", 0) == color).all()

    def block_means(pixels: np.ndarray, block: int = 16) -> np.ndarray:
        gray = pixels.astype(np.float64).mean(axis=2)
        return gray.reshape(height // block, block, width // block, block).mean(axis=(1, 3))

    paper, noise = draw("paper", 3), draw("noise", 3)
    # Paper mottles: 16 px blocks differ far more than the same grain alone would make them.
    assert block_means(paper).std() > 1.5 and block_means(paper).std() > 3 * block_means(noise).std()
    assert abs(paper.mean() - np.mean(color)) < 2
    # Noise is fine grain about the colour, drawn from the seed: same seed same pixels, new seed new ones.
    assert 8 < noise.astype(np.float64).std(axis=(0, 1)).mean() < 12
    assert np.array_equal(noise, draw("noise", 3)) and not np.array_equal(noise, draw("noise", 4))
    assert np.array_equal(paper, draw("paper", 3)) and not np.array_equal(paper, draw("paper", 4))


def test_planner_draws_procedural_styles_by_weight_and_colour_range(tmp_path: Path) -> None:
    records, _ = plan(tmp_path, total=80)
    styles = Counter(r.background.style for r in records)
    assert set(styles) == {"solid", "gradient", "paper", "noise"}, styles
    for record in records:
        assert all(215 <= c <= 255 for c in record.background.color), record.background
    records, _ = plan(
        tmp_path,
        "procedural_backgrounds: {gradient: 1}\nbackground_color: {min: [0, 0, 0], max: [90, 90, 90]}\n"
        "min_contrast: 1\n",
        total=20,
    )
    assert {r.background.style for r in records} == {"gradient"}
    angles = [r.background.angle for r in records]
    assert all(0 <= a < 360 for a in angles) and max(angles) - min(angles) > 90
    for record in records:
        assert all(c <= 90 for c in record.background.end_color), record.background
    line = records[0].model_dump(mode="json")["background"]
    assert set(line) == {"kind", "style", "color", "end_color", "angle"}
    solid, _ = plan(tmp_path, "procedural_backgrounds: {solid: 1}\n", total=3)
    assert set(solid[0].model_dump(mode="json")["background"]) == {"kind", "style", "color"}


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ("procedural_backgrounds: {solid: 0}\n", "procedural_backgrounds"),
        ("procedural_backgrounds: {wood: 1}\n", "procedural_backgrounds.wood"),
        ("min_contrast: 0.5\n", "min_contrast"),
        ("min_contrast: 22\n", "min_contrast"),
        ("background_scale: {min: 0, max: 2}\n", "background_scale"),
        ("background_color: {min: [255, 0, 0], max: [0, 0, 0]}\n", "background_color"),
    ],
)
def test_bad_background_settings_are_rejected(tmp_path: Path, extra: str, where: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write_config(tmp_path, extra))
    assert where in str(error.value)


# --- contrast ------------------------------------------------------------------------------------


def dark_backgrounds(root: Path) -> Path:
    save(textured(800, 600, 0, 60, 0), root / "night.jpg")
    save(textured(640, 480, 10, 110, 1), root / "dusk.png")
    blue = textured(700, 500, 0, 40, 2)
    blue[:, :, 2] = np.clip(blue[:, :, 2].astype(np.int64) + 90, 0, 255).astype(np.uint8)
    save(blue, root / "blue.png")
    return root


ANY_COLOUR = "text_color: {min: [0, 0, 0], max: [255, 255, 255]}\n"


def test_text_keeps_its_contrast_against_the_crop(tmp_path: Path) -> None:
    root = dark_backgrounds(tmp_path / "backgrounds")
    records, stats = plan(tmp_path, ANY_COLOUR + "min_contrast: 3\n", root, total=40)
    assert stats.resampled[LOW_CONTRAST] > 0, "no text colour was ever redrawn: the rule is not at work"
    assert stats.resampled[CONTRAST_UNMET] == 0
    catalog = BackgroundCatalog(root)
    estimates = []
    for record in records:
        background = record.background
        path = root / background.asset.path
        summary = catalog.summary(path)
        estimate = summary.crop_mean(background.crop)
        cells = summary.crop_cells(background.crop)
        text = relative_luminance(record.text_color)
        assert worst_contrast(text, [(v, v) for v in cells]) >= 3, (record.index, record.text_color, cells)
        width, height = final_size(record)
        actual = mean_luminance(image_background(background, path, width, height))
        assert abs(actual - estimate) < 0.015, (record.index, actual, estimate)
        assert worst_contrast(text, [(actual, actual)]) >= 2.8, (record.index, record.text_color, actual)
        estimates.append(estimate)
    assert max(estimates) - min(estimates) > 0.02, "crops all look alike; the estimate is not per crop"

    # Without the rule, the same range gives colours that vanish on these backgrounds.
    loose, loose_stats = plan(tmp_path, ANY_COLOUR + "min_contrast: 1\n", root, total=40)
    assert not [reason for reason in loose_stats.resampled if reason.startswith("text_color")]
    low = [
        r
        for r in loose
        if worst_contrast(relative_luminance(r.text_color), [(m := mean_luminance(_rendered(r, root)), m)]) < 3
    ]
    assert len(low) >= 5


def test_a_crop_over_a_dark_and_a_light_part_keeps_contrast_with_both(tmp_path: Path) -> None:
    """Navy on the left, yellow on the right: the mean of a crop over both is a colour neither part has."""
    root = tmp_path / "backgrounds"
    halves = np.zeros((200, 400, 3), np.uint8)
    halves[:, :200] = (20, 30, 110)
    halves[:, 200:] = (250, 230, 90)
    save(halves, root / "halves.png")
    records, stats = plan(tmp_path, ANY_COLOUR + "background_scale: {min: 1, max: 1.5}\n", root, total=40)
    assert stats.resampled[CONTRAST_UNMET] == 0
    navy, yellow = relative_luminance((20, 30, 110)), relative_luminance((250, 230, 90))
    straddling = 0
    for record in records:
        x0, _, x1, _ = record.background.crop
        # A part counts once the crop shows a quarter of a summary cell (12.5 px) of it.
        parts = [lum for lum, shown in ((navy, 200 - x0), (yellow, x1 - 200)) if shown >= 3.2]
        text = relative_luminance(record.text_color)
        assert worst_contrast(text, [(v, v) for v in parts]) >= 3, (record.index, record.text_color, parts)
        straddling += len(parts) == 2
    assert straddling >= 5


def _rendered(record: PlanRecord, root: Path) -> np.ndarray:
    width, height = final_size(record)
    return image_background(record.background, root / record.background.asset.path, width, height)


def test_procedural_backgrounds_keep_contrast_and_gradients_count_both_ends(tmp_path: Path) -> None:
    extra = ANY_COLOUR + "background_color: {min: [0, 0, 0], max: [255, 255, 255]}\nmin_contrast: 4.5\n"
    records, stats = plan(tmp_path, extra, total=60)
    unmet = 0
    for record in records:
        background = record.background
        ends = [relative_luminance(background.color)]
        if background.style == "gradient":
            ends.append(relative_luminance(background.end_color))
        contrast = worst_contrast(relative_luminance(record.text_color), [(min(ends), max(ends))])
        if contrast < 4.5:
            unmet += 1
        # What the renderer draws: every background pixel's luminance keeps its distance from the text's.
        width, height = final_size(record)
        if background.style in ("solid", "gradient") and contrast >= 4.5:
            pixels = procedural_background(background, record.seed, width, height)
            lum = luminance_map(pixels)
            worst = worst_contrast(
                relative_luminance(record.text_color), [(lum.min(), lum.min()), (lum.max(), lum.max())]
            )
            assert worst >= 4.5 * 0.95, (record.index, worst)
    assert unmet == stats.resampled[CONTRAST_UNMET]
    assert {r.background.style for r in records} == {"solid", "gradient", "paper", "noise"}


def test_impossible_range_falls_back_to_its_best_corner_and_is_counted(tmp_path: Path) -> None:
    extra = (
        "procedural_backgrounds: {solid: 1}\nbackground_color: [0, 0, 0]\n"
        "text_color: {min: [0, 0, 0], max: [20, 20, 20]}\nmin_contrast: 4.5\n"
    )
    records, stats = plan(tmp_path, extra, total=10)
    assert {r.text_color for r in records} == {(20, 20, 20)}  # the lightest corner is the best on black
    assert stats.resampled[CONTRAST_FALLBACK] == 10
    assert stats.resampled[CONTRAST_UNMET] == 10
    assert stats.resampled[LOW_CONTRAST] == 10 * contrast.COLOR_TRIES

    # On mid grey a wide range rarely draws a passing colour, but its black corner passes: counted, but met.
    extra = "procedural_backgrounds: {solid: 1}\nbackground_color: [128, 128, 128]\n" + ANY_COLOUR
    records, stats = plan(tmp_path, extra + "min_contrast: 5\n", total=30)
    assert stats.resampled[CONTRAST_FALLBACK] > 0 and stats.resampled[CONTRAST_UNMET] == 0
    grey = relative_luminance((128, 128, 128))
    assert all(worst_contrast(relative_luminance(r.text_color), [(grey, grey)]) >= 5 for r in records)
    assert (0, 0, 0) in {r.text_color for r in records}


def test_the_fallback_finds_a_mid_tone_between_a_dark_and_a_light_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """No draw at all: the lattice over the range must find a grey that stands out from navy and yellow alike."""
    monkeypatch.setattr(contrast, "COLOR_TRIES", 0)
    parts = [(v, v) for v in (relative_luminance((20, 30, 110)), relative_luminance((250, 230, 90)))]
    counted: Counter[str] = Counter()
    colors = ColorRange(min=(0, 80, 0), max=(255, 160, 255))  # no corner of it reaches 3 against both
    color = pick_text_color(colors, parts, 3.0, np.random.default_rng(0), counted)
    assert worst_contrast(relative_luminance(color), parts) >= 3, color
    assert counted == Counter({CONTRAST_FALLBACK: 1})


def ink_colors(record: PlanRecord) -> list[tuple[int, int, int]]:
    """Every colour a palette or a gradient inks the record's text with."""
    colors = []
    for effect in record.effects:
        if effect.name == "glyph_palette":
            colors.extend(effect.colors)
        elif effect.name == "color_gradient":
            colors.extend((effect.start, effect.end))
    return colors


def procedural_span(background: ProceduralBackground) -> list[tuple[float, float]]:
    ends = [relative_luminance(background.color)]
    if background.end_color is not None:
        ends.append(relative_luminance(background.end_color))
    return [(min(ends), max(ends))]


def colour_effects(colors: str) -> str:
    return (
        "effects:\n"
        f"  glyph_palette: {{p: 1, colors: {colors}, count: {{min: 2, max: 5}}}}\n"
        f"  color_gradient: {{p: 1, start: {colors}, end: {colors}}}\n"
    )


def test_palette_and_gradient_colours_keep_their_contrast(tmp_path: Path) -> None:
    dark = (
        ANY_COLOUR + "procedural_backgrounds: {solid: 1, gradient: 1}\n"
        "background_color: {min: [0, 0, 0], max: [60, 60, 60]}\n"
    )
    extra = dark + colour_effects("{min: [0, 0, 0], max: [255, 255, 255]}")
    records, stats = plan(tmp_path, extra + "min_contrast: 4.5\n", total=30)
    assert stats.resampled[LOW_CONTRAST] > 0 and stats.resampled[CONTRAST_UNMET] == 0
    for record in records:
        colors = ink_colors(record)
        assert len(colors) >= 4, record.effects  # a palette of 2 or more, and both gradient ends
        span = procedural_span(record.background)
        for color in colors:
            assert worst_contrast(relative_luminance(color), span) >= 4.5, (record.index, color, record.background)

    # Without the rule, the same ranges ink text that vanishes on these backgrounds.
    loose, loose_stats = plan(tmp_path, extra + "min_contrast: 1\n", total=30)
    assert not [reason for reason in loose_stats.resampled if reason.startswith("text_color")]
    contrasts = [
        worst_contrast(relative_luminance(color), procedural_span(record.background))
        for record in loose
        for color in ink_colors(record)
    ]
    assert sum(c < 4.5 for c in contrasts) >= 10


def test_an_impossible_palette_or_gradient_range_falls_back_and_is_counted(tmp_path: Path) -> None:
    """Near-black ink on black: every palette colour and gradient end takes the range's lightest corner."""
    extra = (
        "procedural_backgrounds: {solid: 1}\nbackground_color: [0, 0, 0]\n"
        "text_color: {min: [230, 230, 230], max: [255, 255, 255]}\nmin_contrast: 4.5\n"
    ) + colour_effects("{min: [0, 0, 0], max: [20, 20, 20]}")
    records, stats = plan(tmp_path, extra, total=10)
    picks = [color for record in records for color in ink_colors(record)]
    assert set(picks) == {(20, 20, 20)}
    assert stats.resampled[CONTRAST_FALLBACK] == len(picks)  # the text colour itself always passes on black
    assert stats.resampled[CONTRAST_UNMET] == len(picks)
    assert stats.resampled[LOW_CONTRAST] == len(picks) * contrast.COLOR_TRIES


# --- luminance summaries -------------------------------------------------------------------------


def test_summary_estimates_crop_means(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for name, pixels in (("t.jpg", textured(1000, 800, 0, 255, 3)), ("r.png", ramp(900, 700))):
        path = save(pixels, tmp_path / name)
        with Image.open(path) as image:
            full = np.asarray(image.convert("RGB"))
        summary = BackgroundCatalog(tmp_path).summary(path)
        assert (summary.width, summary.height) == (full.shape[1], full.shape[0])
        errors = []
        for _ in range(40):
            w, h = int(rng.integers(100, 500)), int(rng.integers(60, 300))
            x, y = int(rng.integers(0, full.shape[1] - w)), int(rng.integers(0, full.shape[0] - h))
            actual = mean_luminance(full[y : y + h, x : x + w])
            errors.append(abs(summary.crop_mean((x, y, x + w, y + h)) - actual))
        # Cells are ~30 px: a crop edge through a cell of strong blotches costs a little; typical crops, nothing.
        assert max(errors) < 0.03 and float(np.median(errors)) < 0.006, (name, max(errors), np.median(errors))


def test_crop_cells_count_every_cell_but_a_thin_edge_strip() -> None:
    grid = np.full((32, 32), 0.5)
    grid[10, 10] = 0.0  # one dark cell, 10 x 10 px in a 320 x 320 image
    summary = LuminanceSummary(320, 320, grid)
    assert set(summary.crop_cells((0, 0, 300, 300)).tolist()) == {0.0, 0.5}  # even 0.1 % of the crop counts
    assert set(summary.crop_cells((108, 0, 300, 300)).tolist()) == {0.5}  # a 2 px strip of it does not
    assert set(summary.crop_cells((105, 0, 300, 300)).tolist()) == {0.0, 0.5}  # a 5 px one does
    assert set(summary.crop_cells((101, 101, 104, 104)).tolist()) == {0.0}  # a crop inside the cell
    assert summary.crop_mean((100, 100, 110, 110)) == 0.0
    assert summary.crop_mean((95, 100, 105, 110)) == pytest.approx(0.25)


def test_summaries_are_cached_on_disk_and_rebuilt_when_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = dark_backgrounds(tmp_path / "backgrounds")
    cache = luminance_cache_dir()
    assert cache.is_relative_to(os.environ["OCRGEN_CACHE_DIR"])  # conftest's per-test dir, not the user's
    assert not cache.exists() or not any(cache.iterdir())
    cold, cold_stats = plan(tmp_path, ANY_COLOUR, root, total=20)
    entries = sorted(cache.glob("*.json"))
    assert len(entries) == 3, entries  # one per image, keyed by content, under $OCRGEN_CACHE_DIR
    assert all(json.loads(e.read_bytes())["format"] == 1 for e in entries)

    def no_decoding(path: Path) -> None:
        raise AssertionError(f"decoded {path} although its summary is cached")

    real = luminance.read_thumbnail
    monkeypatch.setattr(luminance, "read_thumbnail", no_decoding)
    warm, warm_stats = plan(tmp_path, ANY_COLOUR, root, total=20)
    assert warm == cold and warm_stats.to_dict() == cold_stats.to_dict()

    # A damaged entry is made again, from the image, and written back whole.
    entries[0].write_text('{"format": 1, "grid": 32, "luminance": [[0.5', encoding="utf-8")
    entries[1].write_text(json.dumps({"format": 1, "grid": 32, "width": 4, "height": 4, "luminance": [[2.0]]}))
    decoded: list[Path] = []

    def counting(path: Path) -> object:
        decoded.append(path)
        return real(path)

    monkeypatch.setattr(luminance, "read_thumbnail", counting)
    again, _ = plan(tmp_path, ANY_COLOUR, root, total=20)
    assert again == cold
    assert len(decoded) == 2
    assert all(json.loads(e.read_bytes())["width"] > 4 for e in entries)


def test_no_summary_is_made_when_contrast_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = dark_backgrounds(tmp_path / "backgrounds")

    def no_decoding(path: Path) -> None:
        raise AssertionError("min_contrast 1 needs no luminance summary")

    monkeypatch.setattr(luminance, "read_thumbnail", no_decoding)
    records, _ = plan(tmp_path, "min_contrast: 1\n", root, total=10)
    assert len(records) == 10


def test_an_undecodable_image_is_a_planning_error(tmp_path: Path) -> None:
    root = tmp_path / "backgrounds"
    root.mkdir()
    good = save(textured(64, 64, 0, 50, 0), root / "good.png")
    broken = root / "broken.png"
    broken.write_bytes(good.read_bytes()[:200])  # a header Pillow can size, but no pixels
    with pytest.raises(PlanningError, match=r"broken\.png"):
        BackgroundCatalog(root).summary(broken)
