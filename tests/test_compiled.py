"""Compiled pixel loops load numba when one first runs: planning, which runs none, never pays for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_planning_never_imports_numba(tmp_path: Path) -> None:
    """Planning imports the effects' modules that hold pixel loops, but runs none: its start-up stays light."""
    probe = (
        "import sys; from ocrgen.assets import DEFAULT_CONFIG; from ocrgen.planner import AssetDirs, make_plan; "
        f"make_plan(DEFAULT_CONFIG, AssetDirs(), {str(tmp_path / 'plan.jsonl')!r}, count=50); "
        "print('numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.strip() == "False"
