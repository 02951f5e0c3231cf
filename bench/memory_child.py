"""One planning or rendering run in a process of its own, so the bench can read that process's peak RSS.

    python bench/memory_child.py plan CONFIG PLAN_OUT [WORKERS]
    python bench/memory_child.py render PLAN OUT_DIR SHARD_COUNT

`render` renders shard 0 of SHARD_COUNT, so a plan of any size yields about the same
number of images and only the plan's size differs between runs.

The last line of stdout is this process's peak RSS in KiB, VmHWM from /proc/self/status.
Not the parent's `ru_maxrss` of the child: Linux carries the RSS a child had before
exec (a fork of the big bench process) into it, so small runs would read as large as the bench.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ocrgen.planner import AssetDirs, make_plan
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.run import render_plan


def main(argv: list[str]) -> None:
    if argv[0] == "plan":
        make_plan(Path(argv[1]), AssetDirs(), Path(argv[2]), workers=int(argv[3]) if len(argv) > 3 else 1)
    elif argv[0] == "render":
        summary = render_plan(Path(argv[1]), Path(argv[2]), Shard(0, int(argv[3])), workers=1)
        if summary.failed:
            sys.exit(f"{summary.failed} records failed to render: {dict(summary.reasons)}")
    else:
        sys.exit(f"unknown mode {argv[0]!r}; use plan or render")
    print(peak_rss_kib())


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("/proc/self/status has no VmHWM line")


if __name__ == "__main__":
    main(sys.argv[1:])
