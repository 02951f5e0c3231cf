"""Render the downstream bench's strings with trdg; runs inside trdg's own virtualenv, never with ocrgen.

    .venv-trdg/bin/python bench/trdg_lines_child.py JOB_JSON

The job names the strings file, the fonts, the output dir, the indices to render (first, stop, step)
and trdg's options. Each image gets its own draws of trdg's options (format, background,
distortion, font), from a generator seeded by (seed, index), and trdg's own random skew and blur
are seeded the same way, so image i is the same whichever process renders it. trdg returns None
when text and background are too alike; the image is then drawn again.
"""

from __future__ import annotations

import json
import random
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
from trdg.data_generator import FakeTextDataGenerator

MAX_TRIES = 20


def render(text: str, font: str, options: dict, draw: random.Random) -> object:
    background = draw.choices(*zip(*options["backgrounds"].items(), strict=True))[0]
    distortion = draw.choices(*zip(*options["distortions"].items(), strict=True))[0]
    return FakeTextDataGenerator.generate(
        0,  # index: only names files, and nothing is saved here
        text,
        font,
        None,  # out_dir: return the image
        draw.randint(*options["format"]),
        "png",
        options["skew"],
        True,  # random_skew: a whole angle in [-skew, skew]
        options["blur"],
        True,  # random_blur: a radius in [0, blur)
        int(background),
        int(distortion),
        draw.randrange(3),  # distortion orientation: vertical, horizontal or both
        False,  # is_handwritten
        0,  # name_format
        -1,  # width: fit the text
        1,  # alignment
        options["text_color"],
        0,  # orientation: horizontal
        options["space_width"],
        options["character_spacing"],
        tuple(options["margins"]),
        False,  # fit
        0,  # output_mask
        False,  # word_split
        "",  # image_dir
    )


def main(job_file: str) -> None:
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    strings = Path(job["strings"]).read_text(encoding="utf-8").split("\n")
    fonts, options, out_dir = job["fonts"], job["options"], Path(job["out_dir"])
    for index in range(job["first"], job["stop"], job["step"]):
        seed = zlib.crc32(f"{job['seed']}-{index}".encode()) >> 1  # below 2**31: cv2 takes a C int
        draw = random.Random(seed)
        random.seed(seed)  # trdg's skew, blur, colour and quasicrystal draws
        np.random.seed(seed)
        cv2.setRNGSeed(seed)  # trdg's Gaussian-noise background
        for _ in range(MAX_TRIES):
            image = render(strings[index], draw.choice(fonts), options, draw)
            if image is not None:
                break
        else:
            raise SystemExit(f"trdg rendered no image of string {index} ({strings[index]!r}) in {MAX_TRIES} tries")
        image.save(out_dir / f"{index:08d}.png")


if __name__ == "__main__":
    main(sys.argv[1])
