"""Run a peer generator's child script in its own virtualenv, split over a few processes.

Each process gets a job file (JSON) naming its share of the indices: first, stop and step, so
process k of K renders indices start + k, start + k + K, ... Every image is seeded by its index,
so the split does not change the images.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench import peer_environment, tail


def run_children(python: Path, script: Path, job: dict, start: int, stop: int, processes: int, work_dir: Path) -> None:
    """Run `script` over indices [start, stop) in `processes` processes; RuntimeError with the reason if one fails."""
    running = []
    for k in range(min(processes, max(stop - start, 1))):
        job_file = work_dir / f"job-{start}-{k}.json"
        job_file.write_text(json.dumps({**job, "first": start + k, "stop": stop, "step": processes}), encoding="utf-8")
        log_file = work_dir / f"job-{start}-{k}.log"
        with open(log_file, "w", encoding="utf-8") as log:
            running.append(
                (
                    subprocess.Popen(
                        [str(python), str(script), str(job_file)], stdout=log, stderr=log, env=peer_environment()
                    ),
                    log_file,
                )
            )
    failed = [(process.wait(), log_file) for process, log_file in running]
    for code, log_file in failed:
        if code:
            raise RuntimeError(
                f"{script.name} exited with code {code}: {tail(log_file.read_text(errors='replace'))}"
                f" (whole log: {log_file})"
            )


def installed(python: Path) -> list[str]:
    """`pip freeze` of a virtualenv: what decides the peer's output besides its options."""
    done = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
        env=peer_environment(),
    )
    return sorted(done.stdout.split())
