"""Compiled pixel loops load numba when one first runs: planning, and rendering text without effects, never
pay for it (half a second and about 120 MiB a process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WORDS = """\
total_images: 20
seed: 3
specifications:
  - name: words
    proportion: 1.0
    corpus: ["en/*.txt"]
    text_mode: words
    text_length: {min: 3, max: 10}
    fonts: {include: ["NotoSans-*"]}
    font_size: 22
    procedural_backgrounds: {solid: 1, gradient: 0, paper: 0, noise: 0}
"""


def _loads_numba(tmp_path: Path, steps: str) -> bool:
    probe = (
        "import sys; from pathlib import Path; from ocrgen.planner import AssetDirs, make_plan; "
        "from ocrgen.renderer.run import render_plan; "
        f"tmp = Path({str(tmp_path)!r}); {steps}; print('numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    return done.stdout.strip() == "True"


def test_planning_never_imports_numba(tmp_path: Path) -> None:
    """Planning imports the effects' modules that hold pixel loops, but runs none."""
    from ocrgen.assets import DEFAULT_CONFIG

    assert not _loads_numba(tmp_path, f"make_plan({str(DEFAULT_CONFIG)!r}, AssetDirs(), tmp / 'plan.jsonl')")


def test_text_without_effects_renders_without_numba(tmp_path: Path) -> None:
    """Plain words, the most common training images, run no compiled loop; a rotated line does."""
    (tmp_path / "words.yaml").write_text(WORDS)
    plain = "make_plan(tmp / 'words.yaml', AssetDirs(), tmp / 'p0.jsonl'); render_plan(tmp / 'p0.jsonl', tmp / 'o0')"
    assert not _loads_numba(tmp_path, plain)
    (tmp_path / "turned.yaml").write_text(WORDS + "    effects: {rotation: {p: 1, angle: {min: 2, max: 4}}}\n")
    turned = "make_plan(tmp / 'turned.yaml', AssetDirs(), tmp / 'p.jsonl'); render_plan(tmp / 'p.jsonl', tmp / 'o')"
    assert _loads_numba(tmp_path, turned)
