"""Files that appear whole or not at all, so a killed run never leaves a partial file under a final name."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same directory, then rename over the final name.

    A write that fails removes its temporary file before the error goes on, so nothing is left behind.
    Plain `os` calls: `open()`'s buffered file object costs more than the write of a small image.
    """
    final = os.fspath(path)
    directory, name = os.path.split(final)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
