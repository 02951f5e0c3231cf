"""How many CPUs this process may use: its affinity (taskset, SLURM's cpuset) and its cgroup's CPU quota (containers).

`os.cpu_count()` counts the machine's CPUs, so a default of one worker per CPU would start
64 processes in a 4-CPU allocation of a 64-core node.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

CGROUP_FS = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


def usable_cpus(cgroup_fs: Path = CGROUP_FS, proc_cgroup: Path = PROC_CGROUP) -> int:
    """CPUs this process may run on, capped by its cgroup's quota rounded up; at least 1."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cgroup_quota(cgroup_fs, proc_cgroup)
    return max(1, min(affinity, math.ceil(quota))) if quota is not None else max(1, affinity)


def cgroup_quota(cgroup_fs: Path = CGROUP_FS, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The tightest CPU quota (in CPUs) on this process's cgroup and its ancestors, or None when there is none.

    cgroup v2 keeps it in `cpu.max` ("max 100000" or "150000 100000"); v1 in `cpu.cfs_quota_us`
    (-1: none) over `cpu.cfs_period_us`. A container sees its own cgroup as the root of the
    mount, so directories named after the host's path may be missing: those are skipped.
    """
    try:
        lines = proc_cgroup.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    limits: list[float] = []
    for line in lines:
        _, _, rest = line.partition(":")
        controllers, colon, path = rest.partition(":")
        if not colon:
            continue
        if controllers == "":
            limits.extend(_v2_limit(d) for d in _ancestors(cgroup_fs, path))
        elif "cpu" in controllers.split(","):
            mount = cgroup_fs / controllers if (cgroup_fs / controllers).is_dir() else cgroup_fs / "cpu"
            limits.extend(_v1_limit(d) for d in _ancestors(mount, path))
    found = [limit for limit in limits if limit > 0]
    return min(found) if found else None


def _ancestors(mount: Path, path: str) -> Iterator[Path]:
    """The cgroup's directory under `mount`, then each parent up to the mount itself."""
    parts = [part for part in path.split("/") if part]
    for depth in range(len(parts), -1, -1):
        yield mount.joinpath(*parts[:depth])


def _v2_limit(directory: Path) -> float:
    try:
        quota, period = (directory / "cpu.max").read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return 0
    return 0 if quota == "max" else int(quota) / int(period)


def _v1_limit(directory: Path) -> float:
    try:
        quota = int((directory / "cpu.cfs_quota_us").read_text(encoding="utf-8"))
        period = int((directory / "cpu.cfs_period_us").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return quota / period if quota > 0 and period > 0 else 0
