"""One run at a time per output dir and shard: two runs sharing temporaries would destroy each other's work.

The lock is `flock` on a small, empty file in the output dir (`.ocrgen.lock`, or
`.ocrgen.shard-KKKKK-of-NNNNN.lock`), held for the whole run. The kernel releases it when the
process ends in any way, kill -9 included, so there is never a stale lock to clean up by hand.
The file stays (removing it could let two runs lock two different files) and stays empty, so
every run leaves the same bytes; who holds the lock is read from the kernel's lock table.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ocrgen.errors import OcrgenError, OutputError
from ocrgen.renderer.planfile import Shard


class OutputBusyError(OcrgenError):
    """Another ocrgen process is writing the same shard into the same output dir."""

    exit_code = 2


_held: dict[str, int] = {}
"""Locks this process holds, by path, with how deeply: the CLI takes the lock before it clears a dir, render again."""


@contextmanager
def output_lock(out_dir: Path, shard: Shard) -> Iterator[None]:
    """Hold the output dir's lock for `shard` while the block runs; OutputBusyError at once if it is taken."""
    path = os.path.realpath(out_dir / shard.file_name(".ocrgen", ".lock"))
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise OutputError(f"into {out_dir}", error) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(os.fstat(handle).st_ino) or "unknown"
            where = f" shard {shard.index}/{shard.count} of" if shard.count > 1 else ""
            raise OutputBusyError(
                f"Another ocrgen run (pid {holder}) is writing{where} {out_dir}; wait for it to finish, "
                "or give this run another --output-dir."
            ) from None
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(handle)


def _holder(inode: int) -> str | None:
    """The process id holding a flock on the file with `inode`, from Linux's /proc/locks."""
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return None
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            return fields[4]
    return None
