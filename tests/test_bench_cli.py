"""bench/bench.py --quick writes beside the tracked results, never over the figures the README quotes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_run_never_overwrites_the_tracked_results() -> None:
    spec = importlib.util.spec_from_file_location("bench_script", ROOT / "bench" / "bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    assert bench.results_path(quick=False) == ROOT / "bench" / "results.md"
    quick = bench.results_path(quick=True)
    assert quick != ROOT / "bench" / "results.md"
    ignored = subprocess.run(["git", "check-ignore", "-q", str(quick)], cwd=ROOT, check=False)
    assert ignored.returncode == 0, f"{quick.name} must be git-ignored"
