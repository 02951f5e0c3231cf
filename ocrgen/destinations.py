"""Output paths, checked before any work: a run never fails at its end on a path it could have refused at its start.

Outputs are written to a temporary name and renamed into place, and a rename replaces whatever
has the final name. So only a missing path or a regular file may be the target: never a device
(`-o /dev/full` run as root would become a regular file), a directory or a named pipe.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ocrgen.errors import OcrgenError

_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


class DestinationError(OcrgenError):
    """An output path that cannot be written as asked."""

    exit_code = 2


def writable_file(path: Path, fix: str = "give a regular file path") -> Path:
    """The file to write for `path`: `path` itself, or the regular file a symlink there points to.

    Raises DestinationError naming the path and `fix` when it is something else, or cannot be made.
    """
    _check_parents(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as error:
        raise DestinationError(f"cannot write {path}: {error.strerror}; {fix}.") from None
    if not stat.S_ISREG(mode):
        raise DestinationError(f"{path} is {_kind(mode)}; {fix}.")
    return path.resolve() if path.is_symlink() else path


def writable_dir(path: Path) -> None:
    """Raise DestinationError when `path` is not a directory and cannot become one."""
    _check_parents(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise DestinationError(f"cannot write into {path}: {error.strerror}; give a directory path.") from None
    if not stat.S_ISDIR(mode):
        raise DestinationError(f"{path} is {_kind(mode)}, not a directory; give a directory path.")


def _check_parents(path: Path) -> None:
    """The nearest existing parent of `path` must be a directory this process can write into."""
    for parent in path.absolute().parents:
        try:
            mode = os.stat(parent).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as error:
            raise DestinationError(f"cannot write {path}: {parent}: {error.strerror}.") from None
        if not stat.S_ISDIR(mode):
            raise DestinationError(f"cannot write {path}: {parent} is {_kind(mode)}, not a directory.")
        if not os.access(parent, os.W_OK | os.X_OK):
            if os.statvfs(parent).f_flag & os.ST_RDONLY:
                raise DestinationError(f"cannot write {path}: {parent} is on a read-only file system.")
            raise DestinationError(f"cannot write {path}: no write permission in {parent}.")
        return


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")
