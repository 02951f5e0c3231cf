"""Geometric effects: pixels and label polygons move by one map, the text never leaves the canvas.

Records come from `textcases.make_record` (solid background, so ink is every pixel
that differs from it) with effects added by hand or drawn by the planner's sampler.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from textcases import ARABIC, LATIN, dilate, ink_mask, make_record, polygon_mask, render

from ocrgen.effects.base import Scene
from ocrgen.effects.geometric import elastic_field
from ocrgen.effects.registry import apply_effect, sample_effects, sample_params, size_after_geometry, warp_of
from ocrgen.effects.warp import OUTSIDE, field_slope, remap, sample_field
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.catalogue import BY_NAME, EffectsConfig
from ocrgen.schemas.effects.geometric import (
    MAX_ELASTIC_SLOPE,
    Elastic,
    GridDistortion,
    OpticalDistortion,
    Perspective,
    Rescale,
    Rotation,
    Shear,
)
from ocrgen.schemas.plan import PlanRecord

GEOMETRIC = ("rescale", "shear", "rotation", "perspective", "elastic", "grid_distortion", "optical_distortion")
TILT = Perspective(corners=((0.1, 0.06), (-0.12, 0.08), (0.05, -0.11), (0.12, -0.04)))

SINGLE: dict[str, list[EffectParams]] = {
    "rescale_down": [Rescale(scale=0.6)],
    "rescale_up": [Rescale(scale=1.8)],
    "shear": [Shear(angle=15)],
    "shear_back": [Shear(angle=-15)],
    "rotation": [Rotation(angle=8)],
    "perspective": [TILT],
    "elastic_rough": [Elastic(alpha=8, sigma=3)],
    "elastic_smooth": [Elastic(alpha=12, sigma=10)],
    "grid_distortion": [GridDistortion(x=(0.3, -0.3, 0.25, -0.2), y=(0.3, -0.3, 0.2, -0.25))],
    "barrel": [OpticalDistortion(k=-0.2)],
    "pincushion": [OpticalDistortion(k=0.3)],
}
COMBINED: dict[str, list[EffectParams]] = {
    "shear+rotation+perspective+elastic": [Shear(angle=10), Rotation(angle=-6), TILT, Elastic(alpha=6, sigma=4)],
    "rescale+grid+optical": [
        Rescale(scale=0.8),
        GridDistortion(x=(0.2, -0.3), y=(-0.25, 0.3)),
        OpticalDistortion(k=0.2),
    ],
    "all": [
        Rescale(scale=1.3),
        Shear(angle=-8),
        Rotation(angle=5),
        TILT,
        Elastic(alpha=5, sigma=6),
        GridDistortion(x=(0.2, -0.2, 0.2, -0.1), y=(0.1, -0.2, 0.2, -0.1)),
        OpticalDistortion(k=-0.15),
    ],
}
CASES = {**SINGLE, **COMBINED}


def _records() -> dict[str, PlanRecord]:
    return {
        "latin": make_record(LATIN, "Quick brown fox jumps", size=32, padding=6),
        "arabic_lines": make_record(ARABIC, "مرحبا بالعالم\nصباح الخير", 28, "right_to_left", padding=6),  # noqa: RUF001
    }


RECORDS = _records()


def _with(record: PlanRecord, effects: list[EffectParams]) -> PlanRecord:
    return record.model_copy(update={"effects": effects})


def _check_rendered(record: PlanRecord) -> None:
    """Every invariant of a rendered record with geometric effects."""
    image, label = render(record)
    width, height = image.size
    assert (label.width, label.height) == (width, height)
    assert size_after_geometry(record.effects, record.canvas.width, record.canvas.height) == (width, height)

    ink = ink_mask(image)
    assert ink.sum() > 100, "the text vanished"
    assert not (ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any()), "text touches the edge"
    inside = dilate(polygon_mask(ink.shape, [c.polygon for c in label.characters]), 2)
    share = (ink & inside).sum() / ink.sum()
    assert share >= 0.99, f"only {share:.2%} of the ink lies inside the character polygons"

    for shape in [*label.characters, *label.words, *label.lines]:
        xs = [p[0] for p in shape.polygon]
        ys = [p[1] for p in shape.polygon]
        # Polygons are rounded to 0.01 px, the bbox comes from the exact ones: allow either side of that rounding.
        x0, y0, x1, y1 = shape.bbox
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert x0 in {min(max(math.floor(min(xs) + e), 0), width - 1) for e in (-0.006, 0.006)}
        assert y0 in {min(max(math.floor(min(ys) + e), 0), height - 1) for e in (-0.006, 0.006)}
        assert x1 in {max(min(math.ceil(max(xs) + e), width), x0 + 1) for e in (-0.006, 0.006)}
        assert y1 in {max(min(math.ceil(max(ys) + e), height), y0 + 1) for e in (-0.006, 0.006)}
    for box, character in zip(label.bboxes, label.characters, strict=True):
        assert (box.x0, box.y0, box.x1, box.y1) == tuple(character.bbox)

    again, label_again = render(record)
    assert again.tobytes() == image.tobytes()
    assert label_again == label


@pytest.mark.parametrize("text", list(RECORDS))
@pytest.mark.parametrize("case", list(CASES))
def test_effects_keep_ink_in_polygons_and_on_canvas(case: str, text: str) -> None:
    _check_rendered(_with(RECORDS[text], CASES[case]))


def test_every_geometric_effect_is_covered_in_catalogue_order() -> None:
    covered = {params.name for effects in SINGLE.values() for params in effects}
    assert covered == set(GEOMETRIC)
    order = [effect.name for effect in BY_NAME.values() if effect.stage == "geometry"]
    assert order == list(GEOMETRIC)


@pytest.mark.parametrize("seed", range(4))
def test_sampled_effects_render_true(seed: int) -> None:
    """Every geometric effect at once, drawn by the planner's samplers from the default ranges."""
    config = EffectsConfig(
        **{name: {"p": 1, **({"angle": {"min": -8, "max": 8}} if name == "rotation" else {})} for name in GEOMETRIC}
    )
    effects = sample_effects(config, np.random.default_rng(seed))
    assert [e.name for e in effects] == list(GEOMETRIC)
    record = _with(RECORDS["latin"], effects).model_copy(update={"seed": seed})
    record = PlanRecord.model_validate_json(record.model_dump_json())  # survives the plan file
    _check_rendered(record)


def test_effects_change_the_pixels() -> None:
    plain, _ = render(RECORDS["latin"])
    for case in SINGLE:
        image, _ = render(_with(RECORDS["latin"], SINGLE[case]))
        assert image.size != plain.size or image.tobytes() != plain.tobytes(), case


def test_elastic_field_comes_from_the_seed() -> None:
    record = _with(RECORDS["latin"], [Elastic(alpha=8, sigma=5)])
    first, _ = render(record)
    other, _ = render(record.model_copy(update={"seed": 1}))
    assert first.size == other.size
    assert first.tobytes() != other.tobytes()


# ---------------------------------------------------------------- one map for pixels and points


def _blobs(width: int, height: int, centres: np.ndarray, sigma: float = 0.7) -> np.ndarray:
    """Premultiplied RGBA with a small Gaussian dot at each centre (continuous pixel coordinates)."""
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    alpha = np.zeros((height, width))
    for cx, cy in centres:
        alpha += np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigma**2))
    return np.repeat(np.clip(alpha, 0, 1)[:, :, None], 4, axis=2).astype(np.float32)


@pytest.mark.parametrize("case", list(CASES))
def test_dots_land_where_their_points_go(case: str) -> None:
    """A dot drawn at a point ends up centred on where the effect sends that point (to 0.25 px).

    The dots sit in the middle of grid-distortion cells: a dot across a grid line is stretched
    unevenly, which moves its centroid (not its point) by a few tenths of a pixel.
    """
    width, height = 160, 70
    centres = np.array([[16.0, 7.0], [80.0, 35.0], [144.0, 63.0], [48.0, 63.0], [112.0, 7.0], [16.0, 49.0]])
    scene = Scene(seed=(3,), text=_blobs(width, height, centres), points=centres.copy())
    for params in CASES[case]:
        expected = size_after_geometry([params], *scene.size)
        apply_effect(params, scene)
        assert scene.size == expected
    assert scene.text is not None and scene.points is not None
    alpha = scene.text[:, :, 3]
    ys, xs = np.mgrid[0 : alpha.shape[0], 0 : alpha.shape[1]] + 0.5
    reach = 6 * max(math.sqrt(scene.size[0] * scene.size[1] / (width * height)), 1)
    for x, y in scene.points:
        near = alpha * (np.hypot(xs - x, ys - y) < reach)
        centroid = np.array([(near * xs).sum(), (near * ys).sum()]) / near.sum()
        assert np.hypot(*(centroid - (x, y))) < 0.25, (case, (x, y), centroid)


@pytest.mark.parametrize("case", list(SINGLE))
def test_pixel_map_undoes_point_map(case: str) -> None:
    """Reading back where a point went lands on the point: one map, to 1e-5 px."""
    (params,) = SINGLE[case]
    width, height = 150, 60
    warp = warp_of(params)(params, width, height, np.random.default_rng(2))
    points = np.random.default_rng(0).uniform([1, 1], [width - 1, height - 1], (200, 2))
    moved = warp.forward(points)
    assert (moved >= 0).all() and (moved[:, 0] <= warp.width).all() and (moved[:, 1] <= warp.height).all()
    back = np.stack(warp.source(moved[:, 0], moved[:, 1]), axis=1)
    assert np.abs(back - points).max() < 1e-5


def test_elastic_points_invert_the_pixel_map() -> None:
    """The fixed-point iteration solves y + D(y) = p to within 1e-5 px; the field keeps its limits."""
    params = Elastic(alpha=8, sigma=4)
    width, height = 150, 60
    points = np.random.default_rng(0).uniform([0, 0], [width, height], (50, 2))
    scene = Scene(seed=(9,), text=np.zeros((height, width, 4), np.float32), points=points.copy())
    apply_effect(params, scene)
    margin = params.margin()
    field = elastic_field(params, np.random.default_rng(9), width + 2 * margin, height + 2 * margin)
    assert scene.points is not None
    moved = scene.points + sample_field(field, scene.points[:, 0], scene.points[:, 1])
    assert np.abs(moved - (points + margin)).max() < 1e-5
    assert field_slope(field) <= MAX_ELASTIC_SLOPE + 1e-9
    assert np.sqrt((field**2).sum(axis=2)).max() <= params.alpha + 1e-9


@pytest.mark.parametrize("name", GEOMETRIC)
def test_output_size_matches_for_drawn_values(name: str) -> None:
    """Over many drawn values and canvas sizes, `output_size` is the size the effect leaves."""
    effect = BY_NAME[name]
    extra = {"angle": {"min": -30, "max": 30}} if name == "rotation" else {}
    config = effect.config(p=1, **extra)
    rng = np.random.default_rng(5)
    for _ in range(12):
        width, height = int(rng.integers(8, 300)), int(rng.integers(8, 120))
        params = sample_params(effect, config, rng)
        scene = Scene(seed=(5, width, height), text=np.zeros((height, width, 4), np.float32), points=np.zeros((0, 2)))
        apply_effect(params, scene)
        assert scene.size == size_after_geometry([params], width, height), params


# ---------------------------------------------------------------- sampling and config


NOOPS = {
    "rescale": {"scale": 1},
    "shear": {"angle": 0},
    "rotation": {"angle": 0},
    "perspective": {"magnitude": 0},
    "elastic": {"alpha": 0},
    "grid_distortion": {"distort_limit": 0},
    "optical_distortion": {"k": 0},
}


def test_noop_values_stay_out_of_the_record() -> None:
    assert set(NOOPS) == set(GEOMETRIC)
    config = EffectsConfig(**{name: {"p": 1, **values} for name, values in NOOPS.items()})
    for seed in range(5):
        assert sample_effects(config, np.random.default_rng(seed)) == []
    single_cell = EffectsConfig(grid_distortion={"p": 1, "steps": 1, "distort_limit": 0.3})
    assert sample_effects(single_cell, np.random.default_rng(0)) == []


def test_samplers_draw_within_their_ranges() -> None:
    config = EffectsConfig(
        perspective={"p": 1, "magnitude": {"min": 0.05, "max": 0.1}},
        grid_distortion={"p": 1, "steps": {"min": 3, "max": 7}, "distort_limit": {"min": 0.1, "max": 0.2}},
    )
    steps = set()
    for seed in range(30):
        perspective, grid = sample_effects(config, np.random.default_rng(seed))
        assert isinstance(perspective, Perspective) and isinstance(grid, GridDistortion)
        reach = [math.hypot(dx, dy) for dx, dy in perspective.corners]
        assert max(reach) - min(reach) < 1e-3  # one magnitude, a direction per corner
        assert 0.05 - 1e-3 <= reach[0] <= 0.1 + 1e-3
        assert len(grid.x) == len(grid.y) and 2 <= len(grid.x) <= 6
        assert max(abs(v) for v in (*grid.x, *grid.y)) <= 0.2
        steps.add(len(grid.x) + 1)
        again = sample_effects(config, np.random.default_rng(seed))
        assert again == [perspective, grid]
    assert steps == {3, 4, 5, 6, 7}


@pytest.mark.parametrize(
    "entry",
    [
        {"perspective": {"magnitude": 0.3}},
        {"grid_distortion": {"distort_limit": 0.5}},
        {"grid_distortion": {"steps": 0}},
        {"optical_distortion": {"k": -0.4}},
        {"shear": {"angle": 80}},
        {"rescale": {"scale": 0}},
        {"elastic": {"sigma": 0}},
        {"elastic": {"alpha": -1}},
    ],
)
def test_config_rejects_values_that_fold_or_vanish(entry: dict[str, dict[str, float]]) -> None:
    with pytest.raises(ValidationError):
        EffectsConfig(**entry)


def test_issue_config_shape_validates() -> None:
    config = EffectsConfig(
        rotation={"p": 0.5, "angle": {"min": -8, "max": 8}},
        perspective={"p": 0.3, "magnitude": {"min": 0.02, "max": 0.12}},
        elastic={"p": 0.2, "alpha": {"min": 2, "max": 8}, "sigma": {"min": 3, "max": 6}},
        shear={"p": 0.2, "angle": {"min": -15, "max": 15}},
        grid_distortion={"p": 0.2, "steps": 5, "distort_limit": 0.3},
        optical_distortion={"p": 0.2, "k": {"min": -0.2, "max": 0.2}},
        rescale={"p": 0.2, "scale": {"min": 0.5, "max": 1.5}},
    )
    assert config.grid_distortion.steps.min == 5


def _plain_bilinear(text: np.ndarray, source_x: np.ndarray, source_y: np.ndarray) -> np.ndarray:
    """Every channel of every pixel from its four neighbours, zero outside: what `remap` must give, bit for bit."""
    height, width = text.shape[:2]
    x, y = source_x - 0.5, source_y - 0.5
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = (x - x0).astype(np.float32)[..., None], (y - y0).astype(np.float32)[..., None]
    padded = np.zeros((height + 2, width + 2, 4), np.float32)
    padded[1:-1, 1:-1] = text
    xi, xj = np.clip(x0 + 1, 0, width + 1), np.clip(x0 + 2, 0, width + 1)
    yi, yj = np.clip(y0 + 1, 0, height + 1), np.clip(y0 + 2, 0, height + 1)
    top = padded[yi, xi] * (1 - fx) + padded[yi, xj] * fx
    bottom = padded[yj, xi] * (1 - fx) + padded[yj, xj] * fx
    return top * (1 - fy) + bottom * fy


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ink=st.floats(0, 1))
def test_remap_is_the_plain_bilinear_sample(seed: int, ink: float) -> None:
    """Skipping the colour of pixels without ink changes no bit of premultiplied text, wherever it is read from."""
    rng = np.random.default_rng(seed)
    height, width, out_height, out_width = (int(n) for n in rng.integers(1, 40, 4))
    alpha = (rng.random((height, width, 1)) * (rng.random((height, width, 1)) < ink)).astype(np.float32)
    text = np.concatenate([rng.random((height, width, 3)).astype(np.float32) * alpha, alpha], axis=2)
    source_x = rng.uniform(-3, width + 3, (out_height, out_width))
    source_y = rng.uniform(-3, height + 3, (out_height, out_width))
    source_x[rng.random((out_height, out_width)) < 0.1] = OUTSIDE
    sampled, colours = remap(text, source_x, source_y)
    assert colours.dtype == np.float32 and np.all(np.diff(sampled) > 0)
    got = np.zeros((out_height * out_width, 4), np.float32)
    got[sampled] = colours
    expected = _plain_bilinear(text, source_x, source_y).reshape(-1, 4)
    assert np.array_equal(got.view(np.uint32), expected.view(np.uint32))
