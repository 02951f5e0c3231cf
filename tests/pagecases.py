"""Page configs built in the tests: small pages of short words, black on white, so ink is every pixel not white."""

from __future__ import annotations

from typing import Any

from ocrgen.planner import AssetDirs, PlanStats, iter_plan
from ocrgen.schemas.config import BatchConfig
from ocrgen.schemas.plan import PageRecord

WHITE = (255, 255, 255)
WORDS: dict[str, Any] = {
    "name": "words",
    "proportion": 0,
    "corpus": ["en/*.txt"],
    "fonts": {"include": ["NotoSans-*", "NotoSerif-*"]},
    "text_length": {"min": 3, "max": 14},
    "font_size": {"min": 14, "max": 30},
    "text_color": {"min": [0, 0, 0], "max": [0, 0, 0]},
    "min_contrast": 1,
    "curve": {"p": 0.2, "arc": {"radius": {"min": 120, "max": 300}}},
    "effects": {"rotation": {"p": 0.5, "angle": {"min": -40, "max": 40}}},
}
PAGE: dict[str, Any] = {
    "name": "page",
    "proportion": 1,
    "width": 420,
    "height": 300,
    "instances": {"min": 4, "max": 10},
    "specifications": {"words": 1},
    "gap": 3,
    "procedural_backgrounds": {"solid": 1},
    "background_color": {"min": list(WHITE), "max": list(WHITE)},
}


def page_config(page: dict[str, Any] | None = None, words: dict[str, Any] | None = None) -> BatchConfig:
    return BatchConfig.model_validate(
        {"total_images": 1, "specifications": [{**WORDS, **(words or {})}], "pages": [{**PAGE, **(page or {})}]}
    )


def plan_page(config: BatchConfig, seed: int, stats: PlanStats | None = None) -> PageRecord:
    record = next(iter_plan(config, AssetDirs(), seed=seed, stats=stats))
    assert isinstance(record, PageRecord)
    return record
