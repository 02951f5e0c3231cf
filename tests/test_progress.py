"""Progress: a bar with done/total, rate and ETA on a terminal; else log lines every 10 % or 10 s, sized to the work."""

from __future__ import annotations

import io
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.renderer.progress import LOG_EVERY_SECONDS, MIN_RECORDS_PER_LINE, Progress, duration


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bar_shows_done_total_rate_and_eta() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = Progress(100, stream, clock)
    for _ in range(25):
        clock.now += 0.1
        progress.advance(worked=True)
    frame = stream.getvalue().split("\r")[-1]
    assert "25/100 records (25%)" in frame and "10.0/s" in frame and "ETA 0m07s" in frame
    assert frame.startswith("[" + "#" * 7 + ".")
    progress.close()
    assert stream.getvalue().endswith("\n")


def test_bar_redraws_at_most_five_times_a_second() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = Progress(1000, stream, clock)
    for _ in range(1000):
        clock.now += 0.001
        progress.advance(worked=True)
    assert 5 <= stream.getvalue().count("\r") <= 6  # every 0.2 s over 1 s, and the last record


def test_skipped_records_count_as_done_but_not_in_the_rate() -> None:
    """A resumed run skips records in no time; they must not make the ETA optimistic."""
    clock, stream = Clock(), io.StringIO()
    progress = Progress(100, stream, clock)
    for _ in range(50):
        progress.advance(worked=False)
    for _ in range(10):
        clock.now += 1
        progress.advance(worked=True)
    frame = stream.getvalue().split("\r")[-1]
    assert "60/100" in frame and "1.0/s" in frame and "ETA 0m40s" in frame


def test_without_a_terminal_logs_every_tenth(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    progress = Progress(1000, None, clock)
    with caplog.at_level(logging.INFO, logger="ocrgen.renderer.progress"):
        for _ in range(1000):
            clock.now += 0.001
            progress.advance(worked=True)
    lines = [r.message for r in caplog.records]
    assert len(lines) == 10
    assert lines[0].startswith("100/1000 records (10%)") and lines[-1].startswith("1000/1000 records (100%)")
    assert "[" not in lines[0]


@settings(max_examples=60, deadline=None)
@given(total=st.integers(1, 3000), seconds_per_record=st.sampled_from([0.0, 0.001, 0.1, 30.0]))
def test_log_lines_are_sized_to_the_work(total: int, seconds_per_record: float) -> None:
    """Never more lines than records; a run shorter than 10 s logs a line a tenth at most, a small one only its last."""
    clock = Clock()
    progress = Progress(total, None, clock)
    logger = logging.getLogger("ocrgen.renderer.progress")
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        for _ in range(total):
            clock.now += seconds_per_record
            progress.advance(worked=True)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert lines[-1].startswith(f"{total}/{total} records (100%)")
    assert len(lines) <= total
    if total * seconds_per_record < LOG_EVERY_SECONDS:
        assert len(lines) <= min(10, 1 + total // MIN_RECORDS_PER_LINE)


def test_without_a_terminal_logs_every_ten_seconds(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    progress = Progress(10_000, None, clock)
    with caplog.at_level(logging.INFO, logger="ocrgen.renderer.progress"):
        for _ in range(30):
            clock.now += 1
            progress.advance(worked=True)
    assert [r.message.split(" ")[0] for r in caplog.records] == ["10/10000", "20/10000", "30/10000"]


def test_quiet_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    """--log-level WARNING silences the progress lines."""
    clock = Clock()
    progress = Progress(10, None, clock)
    with caplog.at_level(logging.WARNING):
        for _ in range(10):
            clock.now += 20
            progress.advance(worked=True)
    assert not caplog.records


def test_duration() -> None:
    assert duration(5) == "0m05s" and duration(125) == "2m05s" and duration(3 * 3600 + 61) == "3h01m"
