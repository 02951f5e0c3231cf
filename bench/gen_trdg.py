"""trdg's data set for the downstream bench: the bench's strings with trdg's own skew, blur, distortion and noise.

trdg runs in its own virtualenv (bench/.venv-trdg, made by bench/bench.py's set-up), through
bench/trdg_lines_child.py, in a few processes. Each image draws its format (height), background
and distortion from the weights below, and trdg draws its random skew and blur; the fonts are
the bench's font set, chosen uniformly.
"""

from __future__ import annotations

from pathlib import Path

from font_set import FontSet
from peer_runs import installed, run_children
from set_cache import BENCH_DIR, file_digest

CHILD = BENCH_DIR / "trdg_lines_child.py"
OPTIONS = {
    "format": [32, 64],  # image height in px, margins included
    "skew": 2,  # random_skew: whole degrees in [-2, 2]
    "blur": 1,  # random_blur: Gaussian radius in [0, 1)
    "backgrounds": {"0": 0.4, "1": 0.4, "2": 0.2},  # Gaussian noise, plain white, quasicrystal
    "distortions": {"0": 0.7, "1": 0.1, "2": 0.1, "3": 0.1},  # none, sine, cosine, random
    "text_color": "#282828",  # trdg's default
    "space_width": 1.0,
    "character_spacing": 0,
    "margins": [5, 5, 5, 5],  # trdg's default: top, left, bottom, right
}


class TrdgMaker:
    name = "trdg"

    def __init__(self, python: Path, fonts: FontSet, processes: int, seed: int) -> None:
        self.python, self.fonts, self.processes, self.seed = python, fonts, processes, seed

    def key(self) -> dict[str, object]:
        return {
            "options": OPTIONS,
            "fonts": self.fonts.digest,
            "seed": self.seed,
            "child": file_digest(CHILD),
            "venv": installed(self.python),
        }

    def changes_text(self) -> bool:
        return False

    def make(self, out_dir: Path, strings: list[str], start: int) -> list[tuple[str, str]]:
        strings_file = out_dir / "strings.txt"
        strings_file.write_text("\n".join(strings), encoding="utf-8")
        (out_dir / "images").mkdir(exist_ok=True)
        job = {
            "strings": str(strings_file),
            "fonts": [str(f.resolve()) for f in self.fonts.fonts],
            "out_dir": str(out_dir / "images"),
            "options": OPTIONS,
            "seed": self.seed,
        }
        run_children(self.python, CHILD, job, start, len(strings), self.processes, out_dir)
        return [(f"images/{i:08d}.png", strings[i]) for i in range(start, len(strings))]

    def describe(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in OPTIONS.items())
