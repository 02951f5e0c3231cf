"""Errors a user can act on. The CLI prints them without a traceback."""

from __future__ import annotations

import errno

RULE = "=" * 60


class OcrgenError(Exception):
    """Base for errors caused by input, not by a bug; `exit_code` is what the CLI exits with."""

    exit_code = 1


class ConfigError(OcrgenError):
    """Every problem found in a config and its resources, reported together."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems

    def report(self) -> str:
        body = "\n\n".join(self.problems)
        return (
            f"{RULE}\nERROR: Configuration validation failed\n{RULE}\n\n"
            f"{body}\n\nPlease fix the configuration and try again.\n{RULE}"
        )


class PlanFileError(OcrgenError):
    """A plan file line that is not a valid record."""

    exit_code = 2

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}, line {line}: {message}")
        self.path, self.line, self.message = path, line, message

    def __reduce__(self) -> tuple[type, tuple[str, int, str]]:
        return (type(self), (self.path, self.line, self.message))


class AssetError(OcrgenError):
    """A font or background that a plan references is missing or has changed."""

    exit_code = 2


class PlanningError(OcrgenError):
    """The planner could not make a record, for example no font covers any text of a spec."""

    exit_code = 2


class RenderError(OcrgenError):
    """A record that cannot be drawn as planned."""


class ImageTooLargeError(RenderError):
    """A record whose image would exceed the pixel limit; refused before anything is allocated."""


class OutputError(OcrgenError):
    """An output that cannot be written: a full disk, a read-only file system, a directory where a file goes."""

    exit_code = 2

    def __init__(self, what: str, error: BaseException, then: str = "run again") -> None:
        fix = "check the space and permissions there"
        if isinstance(error, OSError) and error.strerror:
            where = error.filename2 or error.filename  # a rename names the target second
            detail = f"{error.strerror}: {where}" if where else error.strerror
            fix = _FIXES.get(error.errno or 0, fix)
        else:
            detail = str(error) or type(error).__name__
        super().__init__(f"cannot write {what} ({detail}); {fix}, then {then}.")


_FIXES = {
    errno.ENOSPC: "free some space",
    errno.EDQUOT: "free some space",
    errno.EROFS: "choose a writable place",
    errno.EISDIR: "move that directory away",
    errno.EACCES: "fix the permissions",
}
