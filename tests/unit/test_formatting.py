"""Human-readable sizes, times, countdowns and CPU/GPU shares."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tui_app.core.formatting import (
    clipped,
    compact_relative_time,
    countdown,
    human_duration,
    human_size,
    one_line,
    processor_split,
    relative_time,
    short_digest,
    visible_controls,
)

NOW = datetime(2025, 10, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("num_bytes", "expected"),
    [
        (0, "0 B"),
        (-5, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (1536, "1.5 KB"),
        (999_960, "1.0 MB"),
        (274_302_450, "274 MB"),
        (2_019_393_189, "2.0 GB"),
        (5_225_389_000, "5.2 GB"),
        (9_960_000_000, "10 GB"),
        (40_000_000_000, "40 GB"),
        (1_500_000_000_000, "1.5 TB"),
        (3.5e18, "3500 PB"),
    ],
)
def test_human_size(num_bytes: int, expected: str) -> None:
    assert human_size(num_bytes) == expected


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=5, seconds=30), "5 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=3, hours=5), "3 days ago"),
        (timedelta(days=13), "13 days ago"),
        (timedelta(days=14), "2 weeks ago"),
        (timedelta(days=59), "8 weeks ago"),
        (timedelta(days=60), "2 months ago"),
        (timedelta(days=364), "12 months ago"),
        (timedelta(days=365), "1 year ago"),
        (timedelta(days=800), "2 years ago"),
        # Clocks that disagree by a little: never "in 2 minutes" for a file just written.
        (timedelta(minutes=-2), "just now"),
        (timedelta(days=-3), "in 3 days"),
    ],
)
def test_relative_time(delta: timedelta, expected: str) -> None:
    assert relative_time(NOW - delta, NOW) == expected


def test_relative_time_compares_across_zones_and_naive_times() -> None:
    pacific = timezone(timedelta(hours=-7))
    when = datetime(2025, 9, 28, 5, 0, tzinfo=pacific)  # 12:00 UTC, three days before NOW
    assert relative_time(when, NOW) == "3 days ago"
    assert relative_time(datetime(2025, 10, 1, 11, 0), NOW) == "1 hour ago"
    assert relative_time(None, NOW) == "unknown"


def test_relative_time_defaults_to_the_real_clock() -> None:
    assert relative_time(datetime.now(UTC) - timedelta(hours=2)) == "2 hours ago"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0:00"),
        (-12, "0:00"),
        (0.2, "0:01"),
        (59, "0:59"),
        (252, "4:12"),
        (300, "5:00"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3852, "1:04:12"),
        (86_400 * 2 + 3 * 3600 + 4 * 60 + 12, "2d 3:04:12"),
        (math.inf, "∞"),
        (math.nan, "0:00"),
    ],
)
def test_countdown(seconds: float, expected: str) -> None:
    assert countdown(seconds) == expected


@pytest.mark.parametrize(
    ("size", "size_vram", "expected"),
    [
        (3_550_442_496, 3_550_442_496, "100% GPU"),
        (3_550_442_496, 0, "100% CPU"),
        (1000, 650, "35%/65% CPU/GPU"),
        (1000, 999, "1%/99% CPU/GPU"),
        (1_000_000, 999_999, "1%/99% CPU/GPU"),
        (1_000_000, 1, "99%/1% CPU/GPU"),
        (0, 0, "unknown"),
        (100, 200, "unknown"),
        (100, -1, "unknown"),
    ],
)
def test_processor_split(size: int, size_vram: int, expected: str) -> None:
    assert processor_split(size, size_vram) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.85, "850 ms"),
        (4.23, "4.2 s"),
        (185, "3m 05s"),
        (7800, "2h 10m"),
        (-1, "unknown"),
        (math.inf, "unknown"),
    ],
)
def test_human_duration(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected


def test_short_digest() -> None:
    digest = "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"
    assert short_digest(digest) == "a80c4f17acd5"
    assert short_digest("sha256:" + digest) == "a80c4f17acd5"
    assert short_digest("sha256-" + digest, 8) == "a80c4f17"


def test_visible_controls_defuses_terminal_escapes() -> None:
    hostile = "red\x1b[31m text\x07\r\nnext\tcol\x7f\x9b"
    shown = visible_controls(hostile)
    assert "\x1b" not in shown
    assert shown == "red␛[31m text␇␍\nnext\tcol␡\ufffd"
    assert visible_controls("a\nb\tc", multi_line=False) == "a␊b␉c"
    assert visible_controls("llama3.2:latest 日本語 🦙") == "llama3.2:latest 日本語 🦙"


LOCAL_NOON = datetime(2025, 6, 1, 12, 0).timestamp()


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (-30, "just now"),
        (0, "just now"),
        (44, "just now"),
        (60, "1 min ago"),
        (3 * 60 + 10, "3 min ago"),
        (59 * 60, "59 min ago"),
        (2 * 3600, "2 h ago"),
        (23 * 3600, "23 h ago"),
        (30 * 3600, "yesterday"),
        (3 * 86400, "3 days ago"),
    ],
)
def test_compact_relative_time(ago: float, text: str) -> None:
    assert compact_relative_time(LOCAL_NOON - ago, LOCAL_NOON) == text


def test_compact_relative_time_falls_back_to_a_date() -> None:
    assert compact_relative_time(datetime(2025, 3, 2, 8).timestamp(), LOCAL_NOON) == "2 Mar"
    assert compact_relative_time(datetime(2023, 12, 24, 8).timestamp(), LOCAL_NOON) == "24 Dec 2023"


def test_one_line_flattens_and_shows_control_characters() -> None:
    assert one_line("  two\nlines\t here ") == "two lines here"
    assert one_line("\x1b[31mred\x07") == "\u241b[31mred\u2407"
    assert one_line("del\x7f c1\x9b") == "del\u2421 c1\ufffd"
    assert one_line("[bold]x[/bold] 日本 🎉 مرحبا") == "[bold]x[/bold] 日本 🎉 مرحبا"


def test_clipped_cuts_with_an_ellipsis_only_when_too_long() -> None:
    assert clipped("gpu", 8) == "gpu"
    assert clipped("ollama.test", 11) == "ollama.test"
    assert clipped("ollama.test", 8) == "ollama.…"
    assert len(clipped("a-very-long-host-name", 12)) == 12
