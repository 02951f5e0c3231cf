"""Where the time of one image of the lines-with-effects workload goes: each stage of a render, one worker.

    python bench/render_profile.py [--records 500]

Plans the bench's lines workload (bench/lines_effects.yaml), renders it once untimed (caches
warm), once timed without a profiler, and once under cProfile, whose cumulative time per
stage function gives each stage's share. The profiler slows Python calls more than the
numpy, Pillow and FreeType work they wrap, so the shares of the Python-heavy stages (layout,
label) are upper bounds; the timed run gives the real time per image.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from bench import LINES_EFFECTS, sized_config
from ocrgen.planner import AssetDirs, make_plan
from ocrgen.renderer.run import render_plan
from ocrgen.text.layout import clear_layout_cache

# Stage -> the functions (file suffix, name) whose cumulative time is that stage's.
STAGES = {
    "read and check the record": [("renderer/planfile.py", "parse_record")],
    "layout (shaping, placing glyphs)": [("renderer/picture.py", "text_layout")],
    "glyphs (rasterize, paint)": [("renderer/text.py", "draw_text")],
    "label geometry": [("renderer/labels.py", "measure_shapes"), ("renderer/labels.py", "moved")],
    "rotation (text and polygons)": [
        ("effects/base.py", "flatten"),
        ("effects/base.py", "alpha"),
        ("effects/registry.py", "apply_geometry"),
    ],
    "background": [
        ("renderer/backgrounds.py", "procedural_background"),
        ("renderer/backgrounds.py", "image_background"),
    ],
    "text over background": [("renderer/picture.py", "composite"), ("effects/base.py", "over")],
    "gaussian_blur": [("effects/image.py", "apply_gaussian_blur")],
    "gaussian_noise": [("effects/image.py", "apply_gaussian_noise")],
    "jpeg": [("effects/image.py", "apply_jpeg")],
    "PNG encode": [("renderer/output.py", "encode_image")],
    "label encode": [("renderer/output.py", "encode_label")],
    "write files": [("renderer/run.py", "_written")],
}


def stage_seconds(stats: pstats.Stats, stages: dict[str, list[tuple[str, str]]]) -> dict[str, float]:
    """The cumulative seconds of each stage's functions, each given as (file suffix, name)."""
    table = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    seconds = {}
    for stage, functions in stages.items():
        seconds[stage] = sum(
            entry[3]
            for (file, _, name), entry in table.items()
            if any(file.endswith(suffix) and name == function for suffix, function in functions)
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500, help="records rendered per run (default %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ocrgen-profile-") as name:
        tmp = Path(name)
        plan = tmp / "lines.jsonl"
        make_plan(sized_config(LINES_EFFECTS, args.records, tmp), AssetDirs(), plan)
        render_plan(plan, tmp / "warm", workers=1)
        clear_layout_cache()  # each run lays its texts out afresh, as a render of a plan made elsewhere does
        start = time.perf_counter()
        render_plan(plan, tmp / "timed", workers=1)
        per_image = (time.perf_counter() - start) / args.records
        clear_layout_cache()
        profiler = cProfile.Profile()
        profiler.enable()
        render_plan(plan, tmp / "profiled", workers=1)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    seconds = stage_seconds(stats, STAGES)
    print(
        f"lines 20-60 chars + effects: {per_image * 1000:.2f} ms per image without the profiler, 1 worker, "
        f"{1 / per_image:.0f} images/s"
    )
    print("| stage | share of the profiled render |")
    print("|---|--:|")
    for stage, value in seconds.items():
        print(f"| {stage} | {value / total:.0%} |")
    print(f"| everything else (the run's loop, checkpoints, progress) | {1 - sum(seconds.values()) / total:.0%} |")


if __name__ == "__main__":
    main()
