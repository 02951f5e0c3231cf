"""Files that appear whole or not at all, so a killed run never leaves a partial file under a final name."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import functools
import os
import re
import shutil
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same directory, then rename over the final name.

    A write that fails removes its temporary file before the error goes on, so nothing is left behind.
    Plain `os` calls: `open()`'s buffered file object costs more than the write of a small image.
    """
    final = os.fspath(path)
    directory, name = os.path.split(final)
    temporary = os.path.join(directory, _temporary_name(name))
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


def _temporary_name(name: str) -> str:
    """`.NAME.PID.tmp`: hidden, and never shared by two processes; cleanup knows a temporary by this shape."""
    return f".{name}.{os.getpid()}.tmp"


def temporary_path(path: Path) -> Path:
    """Where this process builds `path` (a file or a directory) before renaming it into place."""
    return path.with_name(_temporary_name(path.name))


def stale_temporaries(path: Path) -> list[Path]:
    """Temporaries of `path` that any process left behind (a killed run): `.NAME.<digits>.tmp` beside it."""
    shape = re.compile(rf"\.{re.escape(path.name)}\.\d+\.tmp")
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.iterdir() if shape.fullmatch(p.name))


class StreamedFile:
    """A file written piece by piece under its temporary name, renamed into place whole by `commit`.

    Memory stays flat however many pieces are written; `discard` drops the temporary. Temporaries
    of the same file left by killed runs are removed when it opens.
    """

    def __init__(self, path: Path) -> None:
        for stale in stale_temporaries(path):
            stale.unlink(missing_ok=True)
        self.path, self.temporary = path, temporary_path(path)
        self.handle = open(self.temporary, "wb")  # noqa: SIM115 closed by commit or discard

    def write(self, data: bytes) -> None:
        self.handle.write(data)

    def commit(self) -> None:
        try:
            self.handle.close()
            os.replace(self.temporary, self.path)
        except BaseException:
            self.temporary.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # a full disk cannot take the buffered rest, which is dropped anyway
            self.handle.close()
        self.temporary.unlink(missing_ok=True)


_RENAME_EXCHANGE = 2  # linux/fs.h: swap the two names in one step
_AT_FDCWD = -100


def _exchange(first: str, second: str) -> bool:
    """Swap two paths atomically with Linux's renameat2; False where the system or file system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), second)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def replace_dir(temporary: Path, final: Path) -> None:
    """Put the finished directory `temporary` at `final`, so a reader finds either the old one or the new one whole.

    `rename` cannot replace a non-empty directory, so an existing one is swapped with the new one in a
    single step (renameat2 RENAME_EXCHANGE) and then deleted under the temporary name. Where the file
    system cannot swap, the old one is moved aside first; `recover_dir` puts it back if a kill falls
    between the two renames.
    """
    if not final.exists():
        os.replace(temporary, final)
    elif _exchange(os.fspath(temporary), os.fspath(final)):
        shutil.rmtree(temporary)
    else:
        aside = _aside(final)
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(final, aside)
        os.replace(temporary, final)
        shutil.rmtree(aside)


def recover_dir(final: Path) -> None:
    """After a kill between `replace_dir`'s two renames: the complete old directory goes back to `final`."""
    aside = _aside(final)
    if aside.exists() and not final.exists():
        os.replace(aside, final)


def _aside(final: Path) -> Path:
    return final.with_name(f".{final.name}.old")
