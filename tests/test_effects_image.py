"""Image effects change the pixels as the catalogue says, repeat from the record's seed, and never touch the label.

Images are hand-built records (tests/textcases.make_record) with `effects` set to resolved params;
sampling goes through `sample_effects` with an `EffectsConfig`, as the planner does.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pydantic import ValidationError

from ocrgen.effects.base import Scene
from ocrgen.effects.image import _local_mean_and_deviation, _otsu, apply_jpeg
from ocrgen.effects.registry import effect_of, sample_effects
from ocrgen.schemas.effects import image
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.catalogue import EFFECTS, EffectsConfig
from ocrgen.schemas.plan import PlanRecord
from tests.effect_examples import EXAMPLES
from tests.textcases import LATIN, make_record, render

# The documented order: a page lit and captured, then blurred, noised, occluded, rescaled and saved.
ORDER = [
    "brightness_contrast",
    "illumination",
    "dilation",
    "erosion",
    "motion_blur",
    "gaussian_blur",
    "gaussian_noise",
    "salt_and_pepper",
    "cutout",
    "low_resolution",
    "binarize",
    "jpeg",
]


# Values that change nothing: the planner leaves them out, and rendering them would change nothing either.
NOOPS: list[EffectParams] = [
    image.BrightnessContrast(brightness=0, contrast=1),
    image.Illumination(kind="radial", strength=0, center_x=0.5, center_y=0.5),
    image.Dilation(size=1),
    image.Erosion(size=1),
    image.MotionBlur(length=1, angle=45),
    image.MotionBlur(length=0.4, angle=0),
    image.GaussianBlur(radius=0),
    image.GaussianNoise(sigma=0),
    image.SaltAndPepper(amount=0),
    image.Cutout(count=0, size=0.5),
    image.Cutout(count=3, size=0),
    image.LowResolution(factor=1),
]

TEXT = make_record(LATIN, "Quick brown fox 0123", size=32, padding=8)
# Mid-grey text on a mid-grey page: nothing clips, so intensity statistics are exact.
GREY = make_record(LATIN, "Grey on grey 42", size=32, padding=8, background=(150, 150, 150), colour=(100, 100, 100))


def pixels(record: PlanRecord, *effects: EffectParams) -> np.ndarray:
    """The rendered image of `record` with `effects` (uint8, H x W x 3)."""
    picture, _ = render(record.model_copy(update={"effects": list(effects)}))
    return np.asarray(picture)


def luma(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float64).mean(axis=2)


def laplacian_energy(array: np.ndarray) -> float:
    """Sum of the squared 4-neighbour Laplacian: the high-frequency energy."""
    g = luma(array)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float((lap**2).sum())


def blockiness(array: np.ndarray) -> tuple[float, float]:
    """Per axis: mean |difference| across 8-px block boundaries over that inside blocks (about 1 without blocks)."""
    ratios = []
    for axis in (1, 0):
        steps = np.abs(np.diff(array, axis=axis)).mean(axis=1 - axis)
        boundary = np.arange(steps.size) % 8 == 7
        ratios.append(float(steps[boundary].mean() / steps[~boundary].mean()))
    return ratios[0], ratios[1]


def windows_full(mask: np.ndarray, side: int) -> np.ndarray:
    """True at (y, x) where the side x side window whose top-left corner is (y, x) is all True."""
    integral = np.pad(mask.astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = integral[side:, side:] - integral[:-side, side:] - integral[side:, :-side] + integral[:-side, :-side]
    return sums == side * side


def sampled(effects: dict, seed: int = 0) -> list[EffectParams]:
    return sample_effects(EffectsConfig(**effects), np.random.default_rng(seed))


# --- the catalogue as a whole ---------------------------------------------------------------------


def test_image_effects_apply_in_the_documented_order() -> None:
    assert [effect.name for effect in image.EFFECTS] == ORDER
    assert [effect.name for effect in EFFECTS if effect.stage == "image"] == ORDER
    assert all(effect.stage == "image" for effect in image.EFFECTS)


def test_sampled_effects_follow_the_catalogue_order_and_round_trip_through_json() -> None:
    """Named in reverse order in the config, applied in catalogue order; every default range samples valid params."""
    config = {name: {"p": 1} for name in reversed(ORDER)}
    for seed in range(5):
        effects = sampled(config, seed)
        assert [params.name for params in effects] == ORDER
        record = TEXT.model_copy(update={"effects": effects})
        assert PlanRecord.model_validate_json(record.model_dump_json()) == record


def test_noop_values_are_left_out_of_records() -> None:
    config = {
        "brightness_contrast": {"p": 1, "brightness": 0, "contrast": 1},
        "illumination": {"p": 1, "strength": 0},
        "dilation": {"p": 1, "size": 1},
        "erosion": {"p": 1, "size": 1},
        "motion_blur": {"p": 1, "length": {"min": 0, "max": 1}},
        "gaussian_blur": {"p": 1, "radius": 0},
        "gaussian_noise": {"p": 1, "sigma": 0},
        "salt_and_pepper": {"p": 1, "amount": 0},
        "cutout": {"p": 1, "count": 0},
        "low_resolution": {"p": 1, "factor": 1},
    }
    for seed in range(5):
        assert sampled(config, seed) == []
    # The same config with one value moved off its no-op is kept: the check above is not vacuous.
    assert [p.name for p in sampled({**config, "gaussian_noise": {"p": 1, "sigma": 3}})] == ["gaussian_noise"]


@pytest.mark.parametrize("params", NOOPS, ids=lambda p: f"{p.name}")
def test_noop_values_change_nothing(params: EffectParams) -> None:
    assert params.is_noop()
    assert np.array_equal(pixels(TEXT, params), pixels(TEXT))


@pytest.mark.parametrize("name", ORDER)
def test_image_effects_keep_the_image_size(name: str) -> None:
    assert pixels(TEXT, EXAMPLES[name]).shape == pixels(TEXT).shape


@pytest.mark.parametrize("name", ORDER)
def test_label_is_unchanged(name: str) -> None:
    """Image effects move no pixel of text geometry; even a cutout keeps the hidden text in the label."""
    _, clean = render(TEXT)
    _, changed = render(TEXT.model_copy(update={"effects": [EXAMPLES[name]]}))
    assert changed.model_dump(exclude={"plan"}) == clean.model_dump(exclude={"plan"})


@pytest.mark.parametrize(
    "effects",
    [
        {"salt_and_pepper": {"p": 1, "amount": {"min": 0, "max": 1.5}}},
        {"brightness_contrast": {"p": 1, "brightness": {"min": -2, "max": 0}}},
        {"brightness_contrast": {"p": 1, "contrast": {"min": -1, "max": 1}}},
        {"erosion": {"p": 1, "size": 0}},
        {"low_resolution": {"p": 1, "factor": 0.5}},
        {"jpeg": {"p": 1, "quality": {"min": 0, "max": 50}}},
        {"jpeg": {"p": 1, "quality": {"min": 50, "max": 100}}},
        {"cutout": {"p": 1, "size": 1.2}},
        {"illumination": {"p": 1, "strength": 1.5}},
        {"illumination": {"p": 1, "kinds": {"linear": 0, "radial": 0}}},
        {"illumination": {"p": 1, "kinds": {"spiral": 1}}},
        {"gaussian_noise": {"p": 1, "sigma": {"min": -1, "max": 1}}},
        {"binarize": {"p": 1, "methods": {"global": 0, "otsu": 0, "sauvola": 0}}},
        {"binarize": {"p": 1, "methods": {"niblack": 1}}},
        {"binarize": {"p": 1, "threshold": {"min": 100, "max": 256}}},
        {"binarize": {"p": 1, "window": 0}},
        {"binarize": {"p": 1, "k": 1.5}},
    ],
)
def test_config_refuses_values_the_effect_cannot_take(effects: dict) -> None:
    """Caught when the config loads, never as a crash in the middle of planning."""
    with pytest.raises(ValidationError):
        EffectsConfig(**effects)


# --- blurs ----------------------------------------------------------------------------------------


def test_gaussian_blur_lowers_high_frequency_energy() -> None:
    clean = laplacian_energy(pixels(TEXT))
    light = laplacian_energy(pixels(TEXT, image.GaussianBlur(radius=0.7)))
    heavy = laplacian_energy(pixels(TEXT, image.GaussianBlur(radius=1.5)))
    assert heavy < light < 0.6 * clean


def test_motion_blur_lowers_high_frequency_energy() -> None:
    clean = laplacian_energy(pixels(TEXT))
    short = laplacian_energy(pixels(TEXT, image.MotionBlur(length=4, angle=10)))
    long = laplacian_energy(pixels(TEXT, image.MotionBlur(length=12, angle=10)))
    assert long < short < 0.7 * clean


@pytest.mark.parametrize("angle", [0, 30, 90, 135, 200])
def test_motion_blur_smears_a_dot_along_its_angle(angle: float) -> None:
    """A full stop becomes a streak: its ink's main axis lies at `angle`, about `length` long, and thin across."""
    dot = make_record(LATIN, ".", size=24, padding=20)
    weight = 255 - luma(pixels(dot, image.MotionBlur(length=15, angle=angle)))
    ys, xs = np.mgrid[: weight.shape[0], : weight.shape[1]]
    total = weight.sum()
    mx, my = (weight * xs).sum() / total, (weight * ys).sum() / total
    cxx = (weight * (xs - mx) ** 2).sum() / total
    cyy = (weight * (ys - my) ** 2).sum() / total
    cxy = (weight * (xs - mx) * (ys - my)).sum() / total
    axis = math.degrees(0.5 * math.atan2(2 * cxy, cxx - cyy))  # clockwise from +x, as y points down
    off = (axis - angle) % 180
    assert min(off, 180 - off) < 2
    across, along = np.linalg.eigvalsh([[cxx, cxy], [cxy, cyy]])
    assert math.sqrt(12 * along) == pytest.approx(15, abs=1.5)  # a uniform streak of length L has variance L²/12
    assert along > 15 * across


# --- jpeg -----------------------------------------------------------------------------------------


def test_jpeg_at_quality_10_leaves_8x8_blocks() -> None:
    """JPEG's error steps at 8-px block edges; noise of a similar size does not, so the measure can tell."""
    lit = image.Illumination(kind="linear", strength=0.7, angle=30)  # a smooth gradient under the text
    clean = luma(pixels(TEXT, lit))
    jpeg_error = luma(pixels(TEXT, lit, image.Jpeg(quality=10))) - clean
    noise_error = luma(pixels(TEXT, lit, image.GaussianNoise(sigma=float(jpeg_error.std())))) - clean
    assert min(blockiness(jpeg_error)) > 1.2
    assert max(blockiness(noise_error)) < 1.1
    better = luma(pixels(TEXT, lit, image.Jpeg(quality=90))) - clean
    assert np.abs(better).mean() < 0.5 * np.abs(jpeg_error).mean()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), height=st.integers(1, 40), width=st.integers(1, 60), quality=st.integers(1, 95))
def test_jpeg_gives_what_a_saved_and_opened_file_holds(seed: int, height: int, width: int, quality: int) -> None:
    """Decoding the bytes straight gives the pixels of the JPEG file as Pillow opens it, at any size."""
    picture = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    scene = Scene(seed=(0,), image=picture)
    apply_jpeg(image.Jpeg(quality=quality), scene)
    saved = io.BytesIO()
    Image.fromarray(picture).save(saved, "JPEG", quality=quality)
    saved.seek(0)
    with Image.open(saved) as opened:
        assert scene.image is not None and np.array_equal(scene.image, np.asarray(opened))


# --- noise ----------------------------------------------------------------------------------------


def test_gaussian_noise_comes_from_the_seed() -> None:
    noise = image.GaussianNoise(sigma=8)
    first = pixels(GREY, noise)
    assert pixels(GREY, noise).tobytes() == first.tobytes()
    other_seed = pixels(GREY.model_copy(update={"seed": 1}), noise)
    assert np.array_equal(pixels(GREY.model_copy(update={"seed": 1})), pixels(GREY))  # the page itself is the same
    assert (other_seed != first).mean() > 0.5


@pytest.mark.parametrize("sigma", [3.0, 10.0])
def test_gaussian_noise_has_the_configured_sigma(sigma: float) -> None:
    difference = pixels(GREY, image.GaussianNoise(sigma=sigma)).astype(np.float64) - pixels(GREY)
    assert difference.std() == pytest.approx(sigma, rel=0.05)
    assert abs(difference.mean()) < 0.1 * sigma
    # Independent per channel: the red and green noise do not move together.
    assert abs(np.corrcoef(difference[..., 0].ravel(), difference[..., 1].ravel())[0, 1]) < 0.05


@pytest.mark.parametrize("amount", [0.01, 0.1, 0.3])
def test_salt_and_pepper_hits_about_amount_of_pixels(amount: float) -> None:
    """GREY has no black or white pixel, so every one found is a hit; about half are salt."""
    clean = pixels(GREY)
    assert not ((clean == 0).all(axis=2) | (clean == 255).all(axis=2)).any()
    noisy = pixels(GREY, image.SaltAndPepper(amount=amount))
    white, black = (noisy == 255).all(axis=2), (noisy == 0).all(axis=2)
    hit = white | black
    assert hit.mean() == pytest.approx(amount, abs=max(0.003, 0.1 * amount))
    assert white.sum() / hit.sum() == pytest.approx(0.5, abs=0.1)
    assert np.array_equal(noisy[~hit], clean[~hit])
    other = pixels(GREY.model_copy(update={"seed": 5}), image.SaltAndPepper(amount=amount))
    assert not np.array_equal(other, noisy)


# --- tone -----------------------------------------------------------------------------------------


def test_brightness_shifts_the_mean() -> None:
    clean = pixels(GREY).astype(np.float64)
    brighter = pixels(GREY, image.BrightnessContrast(brightness=0.2, contrast=1))
    darker = pixels(GREY, image.BrightnessContrast(brightness=-0.2, contrast=1))
    assert brighter.mean() - clean.mean() == pytest.approx(0.2 * 255, abs=0.6)
    assert darker.mean() - clean.mean() == pytest.approx(-0.2 * 255, abs=0.6)
    assert brighter.std() == pytest.approx(clean.std(), abs=0.6)


def test_contrast_scales_the_spread_around_mid_grey() -> None:
    clean = pixels(GREY).astype(np.float64)
    stronger = pixels(GREY, image.BrightnessContrast(brightness=0, contrast=1.5))
    weaker = pixels(GREY, image.BrightnessContrast(brightness=0, contrast=0.5))
    assert stronger.std() == pytest.approx(1.5 * clean.std(), rel=0.02)
    assert weaker.std() == pytest.approx(0.5 * clean.std(), rel=0.02)
    assert stronger.mean() - 127.5 == pytest.approx(1.5 * (clean.mean() - 127.5), abs=0.6)


@pytest.mark.parametrize("kind", ["linear", "radial"])
def test_illumination_falls_off_as_sampled(kind: str) -> None:
    """Drawn by the planner: a linear light darkens along `angle`; a radial one away from its centre."""
    wide = make_record(LATIN, "Light and shadow", size=28, padding=24)
    page = ~(pixels(wide) < 255).any(axis=2)  # pixels of bare white page
    ys, xs = np.nonzero(page)
    x, y = xs + 0.5, ys + 0.5
    for seed in range(4):
        config = {"illumination": {"p": 1, "strength": 0.6, "kinds": {kind: 1}}}
        (params,) = sampled(config, seed)
        assert isinstance(params, image.Illumination) and params.kind == kind
        lit = luma(pixels(wide, params))[page]
        if kind == "linear":
            assert params.angle is not None and params.center_x is None
            position = x * math.cos(math.radians(params.angle)) + y * math.sin(math.radians(params.angle))
        else:
            assert params.center_x is not None and params.center_y is not None and params.angle is None
            height, width = page.shape
            position = (x - params.center_x * width) ** 2 + (y - params.center_y * height) ** 2
        # Darker the further along the direction (or from the centre): one side brighter than the other.
        assert np.corrcoef(position, lit)[0, 1] < -0.98
        far, near = position > np.quantile(position, 0.8), position < np.quantile(position, 0.2)
        assert lit[near].mean() - lit[far].mean() > 0.3 * 255 * 0.6
        # The brightest point keeps its light; the darkest keeps 1 - strength of it.
        assert lit.max() > 245
        assert lit.min() == pytest.approx(255 * (1 - 0.6), abs=4)
    angles = {sampled({"illumination": {"p": 1, "kinds": {"linear": 1}}}, seed)[0].angle for seed in range(4)}
    assert len(angles) == 4  # the direction really is drawn


# --- morphology -----------------------------------------------------------------------------------


def dark_pixels(array: np.ndarray) -> int:
    return int((luma(array) < 128).sum())


def test_erosion_thickens_dark_ink_and_dilation_thins_it() -> None:
    bold = make_record(LATIN, "Ink 42", size=48, padding=8)
    clean = dark_pixels(pixels(bold))
    eroded = [dark_pixels(pixels(bold, image.Erosion(size=size))) for size in (2, 3, 4)]
    dilated = [dark_pixels(pixels(bold, image.Dilation(size=size))) for size in (2, 3, 4)]
    assert clean < eroded[0] < eroded[1] < eroded[2]
    assert eroded[1] > 1.3 * clean
    assert clean > dilated[0] > dilated[1] > dilated[2]
    assert dilated[1] < 0.8 * clean


def test_morphology_follows_the_image_not_the_ink() -> None:
    """Light text on a dark page: erosion (the min filter) now thins the text, as documented."""
    light = make_record(LATIN, "Ink 42", size=48, padding=8, background=(0, 0, 0), colour=(255, 255, 255))

    def bright(array: np.ndarray) -> int:
        return int((luma(array) >= 128).sum())

    clean = bright(pixels(light))
    assert bright(pixels(light, image.Erosion(size=3))) < clean < bright(pixels(light, image.Dilation(size=3)))


def test_odd_morphology_is_centred() -> None:
    """A 3 x 3 window grows ink by one pixel on every side: the dark box of a full stop grows by 2 each way."""
    dot = make_record(LATIN, ".", size=24, padding=10)

    def box(array: np.ndarray) -> tuple[int, int, int, int]:
        ys, xs = np.nonzero(luma(array) < 255)
        return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())

    x0, y0, x1, y1 = box(pixels(dot))
    assert box(pixels(dot, image.Erosion(size=3))) == (x0 - 1, y0 - 1, x1 + 1, y1 + 1)
    assert box(pixels(dot, image.Erosion(size=2))) == (x0 - 1, y0 - 1, x1, y1)


# --- occlusion and resolution ---------------------------------------------------------------------


def test_cutout_paints_squares_of_the_sampled_size() -> None:
    red = (255, 0, 0)  # a colour the black-on-white record never has
    height, width = pixels(TEXT).shape[:2]
    side = round(0.4 * min(width, height))
    one = (pixels(TEXT, image.Cutout(count=1, size=0.4, color=red)) == red).all(axis=2)
    ys, xs = np.nonzero(one)
    assert (xs.max() - xs.min() + 1, ys.max() - ys.min() + 1) == (side, side)
    assert one.sum() == side * side
    for seed in range(3):
        record = TEXT.model_copy(update={"seed": seed})
        painted = (pixels(record, image.Cutout(count=3, size=0.4, color=red)) == red).all(axis=2)
        full = windows_full(painted, side)
        covered = np.zeros_like(painted)
        for y, x in zip(*np.nonzero(full), strict=True):
            covered[y : y + side, x : x + side] = True
        assert np.array_equal(covered, painted)  # nothing but whole side x side squares
        assert side * side <= painted.sum() <= 3 * side * side


def test_cutout_without_colour_fills_with_the_mean_colour() -> None:
    clean = pixels(TEXT)
    mean = np.rint(clean.reshape(-1, 3).mean(axis=0)).astype(np.uint8)
    side = round(0.5 * min(clean.shape[:2]))
    assert not windows_full((clean == mean).all(axis=2), side).any()
    painted = pixels(TEXT, image.Cutout(count=1, size=0.5))
    assert windows_full((painted == mean).all(axis=2), side).any()


def test_cutout_colour_is_drawn_by_the_planner() -> None:
    (params,) = sampled({"cutout": {"p": 1, "color": {"min": [10, 200, 30], "max": [10, 200, 30]}}})
    assert isinstance(params, image.Cutout) and params.color == (10, 200, 30)
    (params,) = sampled({"cutout": {"p": 1}})
    assert isinstance(params, image.Cutout) and params.color is None


def test_low_resolution_keeps_the_size_but_loses_detail() -> None:
    clean = pixels(TEXT)
    half = pixels(TEXT, image.LowResolution(factor=2))
    quarter = pixels(TEXT, image.LowResolution(factor=4))
    assert half.shape == quarter.shape == clean.shape
    assert laplacian_energy(quarter) < laplacian_energy(half) < 0.7 * laplacian_energy(clean)
    # The coarser the capture, the further the result is from the original.
    assert np.abs(quarter.astype(np.float64) - clean).mean() > np.abs(half.astype(np.float64) - clean).mean()


# --- binarize -------------------------------------------------------------------------------------

METHODS = {
    "global": image.Binarize(method="global", threshold=140),
    "otsu": image.Binarize(method="otsu"),
    "sauvola": image.Binarize(method="sauvola", window=31, k=0.3),
}
# Dark ink on paper, blurred and noisy as a capture is: what a scanner binarises.
PAPER = make_record(LATIN, "Scanned 1842 lines", size=30, padding=10, background=(232, 226, 212), colour=(35, 30, 40))
CAPTURED = (image.GaussianBlur(radius=0.8), image.GaussianNoise(sigma=6))


def ink_and_page(record: PlanRecord) -> tuple[np.ndarray, np.ndarray]:
    """Where the clean text is solid ink, and where it is bare page at least 3 px from any ink."""
    clean = luma(pixels(record))
    page_level, ink_level = clean.max(), clean.min()
    inked = clean < page_level - 1
    near = np.zeros_like(inked)
    for dy in range(-3, 4):
        for dx in range(-3, 4):
            near |= np.roll(np.roll(inked, dy, axis=0), dx, axis=1)
    return clean < ink_level + 0.2 * (page_level - ink_level), ~near


@pytest.mark.parametrize("method", list(METHODS))
def test_binarize_gives_pure_black_and_white_and_keeps_the_ink(method: str) -> None:
    """Every pixel is 0 or 255 in all three channels; solid ink stays black, bare page turns white."""
    out = pixels(PAPER, *CAPTURED, METHODS[method])
    assert set(np.unique(out)) == {0, 255}
    assert (out == out[:, :, :1]).all()
    solid, page = ink_and_page(PAPER)
    black = out[:, :, 0] == 0
    assert black[solid].mean() > 0.99
    assert black[page].mean() < 0.01


@pytest.mark.parametrize("method", list(METHODS))
def test_binarize_keeps_light_ink_on_dark_paper_light(method: str) -> None:
    """It thresholds grey levels, not "the text": light ink on a dark page stays light."""
    negative = make_record(LATIN, "Night 24", size=30, padding=10, background=(20, 25, 30), colour=(230, 230, 210))
    out = pixels(negative, METHODS[method])[:, :, 0]
    solid, page = ink_and_page(negative.model_copy(update={"text_color": (0, 0, 0), "background": PAPER.background}))
    assert (out[solid] == 255).mean() > 0.99 and (out[page] == 0).mean() > 0.99


def test_sauvola_copes_with_uneven_light_where_one_threshold_fails() -> None:
    """Under light falling off across the page, a single threshold blackens the dim side; Sauvola keeps it paper."""
    wide = make_record(
        LATIN, "Uneven light across a page", size=28, padding=16, background=(235, 230, 220), colour=(30, 30, 30)
    )
    dim = image.Illumination(kind="linear", strength=0.65, angle=0)
    solid, page = ink_and_page(wide)
    white = {name: pixels(wide, dim, *CAPTURED, params)[:, :, 0] == 255 for name, params in METHODS.items()}
    assert white["sauvola"][page].mean() > 0.99 and not white["sauvola"][solid].any()
    assert white["global"][page].mean() < 0.75
    assert white["otsu"][page].mean() < white["sauvola"][page].mean()


def test_binarize_repeats_and_its_values_matter() -> None:
    first = pixels(PAPER, *CAPTURED, METHODS["sauvola"])
    assert pixels(PAPER, *CAPTURED, METHODS["sauvola"]).tobytes() == first.tobytes()
    lower = pixels(PAPER, *CAPTURED, image.Binarize(method="global", threshold=60))
    higher = pixels(PAPER, *CAPTURED, image.Binarize(method="global", threshold=200))
    assert (lower == 0).sum() < (pixels(PAPER, *CAPTURED, METHODS["global"]) == 0).sum() < (higher == 0).sum()
    looser = pixels(PAPER, *CAPTURED, image.Binarize(method="sauvola", window=31, k=0.05))
    assert (looser == 0).sum() > (first == 0).sum()


def test_binarize_sampler_draws_only_what_the_method_uses() -> None:
    """Each method by its weight; a record holds the fields of its method and no others."""
    config = {"binarize": {"p": 1, "threshold": {"min": 90, "max": 120}, "window": 21, "k": 0.4}}
    drawn = [sampled(config, seed)[0] for seed in range(30)]
    assert {params.method for params in drawn} == {"global", "otsu", "sauvola"}
    for params in drawn:
        assert isinstance(params, image.Binarize)
        fields = {name for name in ("threshold", "window", "k") if getattr(params, name) is not None}
        assert fields == {"global": {"threshold"}, "otsu": set(), "sauvola": {"window", "k"}}[params.method]
        if params.method == "global":
            assert params.threshold is not None and 90 <= params.threshold <= 120
        if params.method == "sauvola":
            assert (params.window, params.k) == (21, 0.4)
    only = {"binarize": {"p": 1, "methods": {"otsu": 0, "sauvola": 2}}}
    assert {sampled(only, seed)[0].method for seed in range(10)} == {"sauvola"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "fields",
    [
        {"method": "global"},
        {"method": "otsu", "threshold": 100},
        {"method": "sauvola", "window": 15},
        {"method": "global", "threshold": 100, "k": 0.2},
    ],
)
def test_binarize_record_holds_exactly_its_method_fields(fields: dict) -> None:
    with pytest.raises(ValidationError, match="binarize takes"):
        image.Binarize(**fields)


@settings(max_examples=25, deadline=None)
@given(
    levels=st.lists(st.integers(0, 255), min_size=2, max_size=6, unique=True),
    shape=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    seed=st.integers(0, 2**16),
)
def test_otsu_threshold_is_the_best_split(levels: list[int], shape: tuple[int, int], seed: int) -> None:
    """Against every split point: the largest between-class variance, the first level of a tie."""
    grey = np.random.default_rng(seed).choice(np.array(levels, np.uint8), shape)
    values = grey.astype(np.float64).ravel()
    best, chosen = 0.0, -1
    for t in range(256):
        low, high = values[values <= t], values[values > t]
        if low.size and high.size:
            spread = low.size * high.size * (low.mean() - high.mean()) ** 2
            if spread > best * (1 + 1e-12):
                best, chosen = spread, t
    assert _otsu(grey) == chosen


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 20), st.integers(1, 20)),
    window=st.integers(1, 30),
    seed=st.integers(0, 2**16),
)
def test_local_statistics_match_each_window(shape: tuple[int, int], window: int, seed: int) -> None:
    """The integral-image mean and deviation equal those of each pixel's window, clipped to the image."""
    grey = np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)
    mean, deviation = _local_mean_and_deviation(grey, window)
    before, after = window // 2, (window - 1) // 2
    for y, x in np.ndindex(*shape):
        part = grey[max(y - before, 0) : y + after + 1, max(x - before, 0) : x + after + 1].astype(np.float64)
        assert mean[y, x] == pytest.approx(part.mean(), abs=1e-9)
        assert deviation[y, x] == pytest.approx(part.std(), abs=1e-6)


def test_binarize_is_an_image_effect_before_jpeg() -> None:
    assert effect_of(METHODS["otsu"]).stage == "image"
    assert ORDER.index("binarize") == ORDER.index("jpeg") - 1
