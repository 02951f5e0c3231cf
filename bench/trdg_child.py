"""Time trdg on the bench's single-word workload; runs inside trdg's own virtualenv, never with ocrgen.

    .venv-trdg/bin/python bench/trdg_child.py WORDS_FILE COUNT WARMUP OUT_DIR FONT [FONT ...]

trdg cycles through WORDS and FONTS in order. Each image is saved as PNG, as ocrgen's are,
so both sides pay for encoding and writing.
The last line of stdout is JSON (trdg prints its own chatter on import).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from trdg.generators import GeneratorFromStrings


def main(argv: list[str]) -> None:
    words = Path(argv[0]).read_text(encoding="utf-8").splitlines()
    count, warmup, out_dir, fonts = int(argv[1]), int(argv[2]), Path(argv[3]), argv[4:]
    generator = GeneratorFromStrings(
        words,
        count=warmup + count,
        fonts=fonts,
        language="en",
        size=32,
        background_type=1,  # plain white: the nearest to ocrgen's solid procedural background
    )
    saved = skipped = width = height = 0
    start = cpu = 0.0
    for i, (image, _) in enumerate(generator):
        if i == warmup:  # font loading and lazy imports stay out of the timing, as on ocrgen's side
            start, cpu = time.perf_counter(), time.process_time()
        if image is None:  # trdg drops images whose text and background contrast too little
            skipped += i >= warmup
            continue
        image.save(out_dir / f"{i:08d}.png")
        if i >= warmup:
            saved += 1
            width += image.width
            height += image.height
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({
        "images": saved,
        "skipped": skipped,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "mean_width": width / max(saved, 1),
        "mean_height": height / max(saved, 1),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
