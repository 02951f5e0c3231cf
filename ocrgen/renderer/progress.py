"""Progress over records (planning or rendering): a live bar on a terminal, else log lines sized to the work."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 10.0
LOG_LINES = 10  # a line every tenth of the records ...
MIN_RECORDS_PER_LINE = 50  # ... but never every few records: a small run logs only its last line
_BAR_EVERY_SECONDS = 0.2
_BAR_WIDTH = 30


def duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


class Progress:
    """Counts records done out of `total`; the rate and ETA count only records rendered in this run.

    Records a resumed run skips are done but cost nothing, so they would make the ETA lie.
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`stream` is a terminal to draw the bar on; None logs lines at INFO instead."""
        self.total, self.stream, self.clock = total, stream, clock
        self.done = self.worked = 0
        self.started = self.last_shown = clock()
        self.log_every = max(math.ceil(total / LOG_LINES), MIN_RECORDS_PER_LINE)
        self.last_logged = 0

    def advance(self, worked: bool) -> None:
        self.done += 1
        self.worked += worked
        now = self.clock()
        if self.stream is not None:
            if now - self.last_shown >= _BAR_EVERY_SECONDS or self.done == self.total:
                self.last_shown = now
                self.stream.write("\r" + self.line(now))
                self.stream.flush()
        elif (
            now - self.last_shown >= LOG_EVERY_SECONDS
            or self.done - self.last_logged >= self.log_every
            or self.done == self.total
        ):
            self.last_shown, self.last_logged = now, self.done
            log.info("%s", self.line(now))

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.worked / elapsed
        remaining = self.total - self.done
        eta = duration(remaining / rate) if rate > 0 else "?"
        text = f"{self.done}/{self.total} records ({self.fraction():.0%}), {rate:.1f}/s, ETA {eta}"
        if self.stream is None:
            return text
        filled = int(_BAR_WIDTH * self.fraction())
        return f"[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {text}"
