"""The real scanned lines the downstream bench measures on, and Tesseract's reading of them as the reference.

The lines live outside the project (`../shared/real/uw3-dev/`: `NNNNNN.bin.png` RGBA + `NNNNNN.gt.txt`)
and are for measurement only: nothing here trains on them or copies them.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from line_images import on_white

TESSERACT = ("tesseract", "--psm", "7", "-l", "eng")


@dataclass(frozen=True)
class RealLines:
    directory: Path
    images: list[Path]
    truths: list[str]


def default_dir(repo: Path) -> Path:
    """`../shared/real/uw3-dev` beside the repository (or beside the worktrees' directory)."""
    for base in (repo.parent, repo.parent.parent):
        candidate = base / "shared" / "real" / "uw3-dev"
        if candidate.is_dir():
            return candidate
    return repo.parent / "shared" / "real" / "uw3-dev"


def load_real(directory: Path) -> RealLines | None:
    """The lines with their ground truth, or None when the directory holds none."""
    images = sorted(directory.glob("*.bin.png")) if directory.is_dir() else []
    truths = []
    for image in images:
        truth = image.with_name(image.name.removesuffix(".bin.png") + ".gt.txt")
        truths.append(truth.read_text(encoding="utf-8").rstrip("\n"))
    return RealLines(directory, images, truths) if images else None


def tesseract_version() -> str | None:
    try:
        done = subprocess.run([TESSERACT[0], "--version"], capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.splitlines()[0] if done.returncode == 0 and done.stdout else None


def tesseract_read(images: list[Path]) -> list[str]:
    """Tesseract's text for each line image, composited on white first (as the CRNN sees it)."""
    texts = []
    with tempfile.TemporaryDirectory(prefix="downstream-tesseract-") as name:
        for i, path in enumerate(images):
            flat = Path(name) / f"{i}.png"
            with Image.open(path) as image:
                on_white(image).save(flat)
            done = subprocess.run([TESSERACT[0], str(flat), "stdout", *TESSERACT[1:]], capture_output=True, text=True)
            texts.append(" ".join(done.stdout.split()) if done.returncode == 0 else "")
    return texts
