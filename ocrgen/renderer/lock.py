"""One run at a time per output dir and shard: two runs sharing temporaries would destroy each other's work.

The lock is `flock` on a small file in the output dir, held for the whole run. The kernel
releases it when the process ends in any way, kill -9 included, so there is never a stale
lock to clean up by hand. The file stays (removing it would race with a run that just opened
it); it holds the process id of the last run that took it, for the message.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ocrgen.errors import OcrgenError
from ocrgen.renderer.planfile import Shard


class OutputBusyError(OcrgenError):
    """Another ocrgen process is writing the same shard into the same output dir."""

    exit_code = 2


@contextmanager
def output_lock(out_dir: Path, shard: Shard, what: str = "render") -> Iterator[None]:
    """Hold the output dir's lock for `shard` while the block runs; OutputBusyError at once if it is taken."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / shard.file_name(".ocrgen", ".lock")
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "unknown"
            where = f" shard {shard.index}/{shard.count} of" if shard.count > 1 else ""
            raise OutputBusyError(
                f"Another ocrgen run (pid {holder}) is writing{where} {out_dir}; wait for it to finish, "
                "or give this run another --output-dir."
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()} {what}\n".encode(), 0)
        yield
    finally:
        os.close(handle)
