"""bench/bench.py --quick writes beside the tracked results, never over the figures the README quotes."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_every_profile_stage_names_a_function_ocrgen_has(monkeypatch: pytest.MonkeyPatch) -> None:
    """A renamed or moved function would leave its stage at 0 % and swell 'everything else' without a word."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    render_profile = importlib.import_module("render_profile")
    for stage, functions in render_profile.STAGES.items():
        for suffix, name in functions:
            tree = ast.parse((ROOT / "ocrgen" / suffix).read_text(encoding="utf-8"))
            defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
            assert name in defined, f"{stage}: ocrgen/{suffix} defines no {name}"
