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


# Render the plan's first record after setting the collector's first threshold, then make garbage in cycles
# without ever calling gc.collect: print the threshold, and how many of the cycles are still alive.
CYCLES = """
import gc, sys, weakref
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.plan import PlanRecord

gc.set_threshold(int(sys.argv[2]), 10, 10)
with open(sys.argv[1], encoding="utf-8") as plan:
    render_pixels(PlanRecord.model_validate_json(plan.readline()))

class Node:
    pass

alive = []
for _ in range(50_000):
    node = Node()
    node.me = node
    alive.append(weakref.ref(node))
    del node
print(gc.get_threshold()[0], sum(ref() is not None for ref in alive))
"""


@pytest.mark.parametrize(("before", "after"), [(700, 10_000), (50_000, 50_000)])
def test_rendering_runs_the_cycle_collector_less_often_but_still_runs_it(
    cli: Callable[..., Result], tmp_path: Path, before: int, after: int
) -> None:
    """Drawing makes many short-lived tuples; the collector waits for 10,000 new ones (a higher threshold set by
    the process stays), and garbage in cycles is still collected, with no call to gc.collect."""
    plan = tmp_path / "plan.jsonl"
    assert cli("plan", "--count", "1", "-o", plan).exit_code == 0
    done = subprocess.run([sys.executable, "-c", CYCLES, str(plan), str(before)], capture_output=True, text=True)
    threshold, alive = map(int, done.stdout.split())
    assert threshold == after
    assert alive < after  # all but at most a youngest generation's worth were collected
