"""Where the time of planning one record goes: each step of `ocrgen plan`, one process.

    python bench/plan_profile.py [--workload lines|words] [--records 10000]

Plans the bench's single-word or lines-with-effects workload once untimed (fonts open, caches
warm, with another seed so that no layout is shared), once timed without a profiler, and once
under cProfile, whose cumulative time per step function gives each step's share. The profiler
slows Python calls more than the numpy and HarfBuzz work they wrap, so the shares of the
Python-heavy steps are upper bounds; the timed run gives the real time per record.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from bench import LINES_EFFECTS, SINGLE_WORD, sized_config
from ocrgen.planner import AssetDirs, make_plan
from ocrgen.text.layout import clear_layout_cache
from render_profile import stage_seconds

WORKLOADS = {"lines": LINES_EFFECTS, "words": SINGLE_WORD}

# Step -> the functions (file suffix, name) whose cumulative time is that step's.
STEPS = {
    "corpus draw": [("planner/corpus.py", "draw")],
    "shaping and setting the lines (HarfBuzz, bidi, spacing)": [("text/layout.py", "_layout")],
    "measuring the layout (each glyph's and cluster's box)": [
        ("text/layout.py", "_place"),
        ("text/layout.py", "_measure_plain"),
    ],
    "layout parameters drawn": [("planner/text_plan.py", "_layout_params")],
    "effects drawn": [("effects/registry.py", "sample_effects")],
    "image size after geometric effects": [("effects/registry.py", "size_after_geometry")],
    "background drawn": [("planner/backgrounds.py", "draw")],
    "text colours kept to their contrast": [("planner/text_plan.py", "ink_colors")],
    "the records' random generators (seeded in batches)": [("record_seeds.py", "record_rngs")],
    "plan line encoded": [("record_json.py", "record_line")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="lines", help="default %(default)s")
    parser.add_argument("--records", type=int, default=10_000, help="records planned per run (default %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ocrgen-profile-") as name:
        tmp = Path(name)
        config = sized_config(WORKLOADS[args.workload], args.records, tmp)
        make_plan(config, AssetDirs(), tmp / "warm.jsonl", seed=12345, count=min(args.records, 1000))
        clear_layout_cache()
        start = time.perf_counter()
        make_plan(config, AssetDirs(), tmp / "timed.jsonl")
        per_record = (time.perf_counter() - start) / args.records
        clear_layout_cache()
        profiler = cProfile.Profile()
        profiler.enable()
        make_plan(config, AssetDirs(), tmp / "profiled.jsonl")
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    seconds = stage_seconds(stats, STEPS)
    print(f"{config.stem}: {per_record * 1e6:.0f} µs per record without the profiler, {1 / per_record:,.0f} records/s")
    print("| step | share of the profiled plan |")
    print("|---|--:|")
    for step, value in seconds.items():
        print(f"| {step} | {value / total:.0%} |")
    rest = 1 - sum(seconds.values()) / total
    print(f"| everything else (the text's other draws, checks and bookkeeping) | {rest:.0%} |")


if __name__ == "__main__":
    main()
