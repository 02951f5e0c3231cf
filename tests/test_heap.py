"""A process that has rendered reuses freed memory: an image's temporaries do not fault fresh pages in each time."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

# Render the plan's first record (or not), then count the page faults of 20 rounds of what an image does
# to memory: six arrays of 1 MiB alive at once, then all freed.
SCRIPT = """
import resource, sys
import numpy as np
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.plan import PlanRecord

if sys.argv[1] != "-":
    with open(sys.argv[1], encoding="utf-8") as plan:
        render_pixels(PlanRecord.model_validate_json(plan.readline()))

def image_temporaries():
    arrays = [np.ones(1 << 17) for _ in range(6)]
    del arrays

image_temporaries()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    image_temporaries()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(plan: str) -> int:
    done = subprocess.run([sys.executable, "-c", SCRIPT, plan], capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_rendering_keeps_freed_memory_for_the_next_image(cli: Callable[..., Result], tmp_path: Path) -> None:
    plan = tmp_path / "plan.jsonl"
    assert cli("plan", "--count", "1", "-o", plan).exit_code == 0
    untuned = _faults("-")
    assert untuned > 20 * 256  # each round faults its 6 MiB in again: the thresholds are glibc's defaults
    assert _faults(str(plan)) < untuned / 100
