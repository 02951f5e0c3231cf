"""Time trdg on one of the bench's workloads; runs inside trdg's own virtualenv, never with ocrgen.

    .venv-trdg/bin/python bench/trdg_child.py words|lines TEXTS_FILE COUNT WARMUP HEIGHT OUT_DIR FONT [FONT ...]

trdg cycles through the texts and FONTS in order, each image HEIGHT px high (trdg's `size`).
`words`: plain, as trdg's defaults draw them. `lines`: with trdg's own degradations, the nearest
to ocrgen's lines workload (a random skew of up to 5 degrees, a random Gaussian blur of radius
up to 1). Each image is saved as PNG, as ocrgen's are, so both sides pay for encoding and writing.
The last line of stdout is JSON (trdg prints its own chatter on import).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from trdg.generators import GeneratorFromStrings

WORKLOADS = {
    "words": {},
    "lines": {"skewing_angle": 5, "random_skew": True, "blur": 1, "random_blur": True},
}


def main(argv: list[str]) -> None:
    workload, texts = WORKLOADS[argv[0]], Path(argv[1]).read_text(encoding="utf-8").splitlines()
    count, warmup, height, out_dir, fonts = int(argv[2]), int(argv[3]), int(argv[4]), Path(argv[5]), argv[6:]
    generator = GeneratorFromStrings(
        texts,
        count=warmup + count,
        fonts=fonts,
        language="en",
        size=height,
        background_type=1,  # plain white: the nearest to ocrgen's solid procedural background
        **workload,
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
    print(
        json.dumps(
            {
                "images": saved,
                "skipped": skipped,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "mean_width": width / max(saved, 1),
                "mean_height": height / max(saved, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
