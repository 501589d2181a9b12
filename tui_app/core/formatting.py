"""Numbers, times and shares written the way a person reads them.

Pure functions with no UI imports, shared by every screen: sizes as ``2.0 GB``,
past times as ``3 days ago``, countdowns as ``4:12``, the CPU/GPU split of a
loaded model as ``35%/65% CPU/GPU``. They follow the ``ollama`` command line
where it has an opinion, so numbers match what users see in ``ollama list``
and ``ollama ps``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from tui_app.safe_text import visible_controls

__all__ = [
    "compact_relative_time",
    "countdown",
    "human_duration",
    "human_size",
    "one_line",
    "processor_split",
    "relative_time",
    "sanitize",
    "short_digest",
    "visible_controls",
]

_SIZE_UNITS = ("KB", "MB", "GB", "TB", "PB")


def human_size(num_bytes: int | float) -> str:
    """A byte count in decimal units, as Ollama prints sizes: ``2.0 GB``, ``274 MB``, ``512 B``.

    One decimal below 10 of a unit and none above, so a column of sizes stays
    narrow and still tells 1.6 GB from 2.0 GB.
    """
    value = max(0.0, float(num_bytes))
    if value < 1000:
        return f"{int(value)} B"
    for unit in _SIZE_UNITS:
        value /= 1000
        # Round before choosing the unit so 999_960 bytes reads "1.0 MB", not "1000 KB".
        if round(value, 1) < 1000 or unit == _SIZE_UNITS[-1]:
            return f"{value:.1f} {unit}" if round(value, 1) < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``when`` was: ``just now``, ``5 minutes ago``, ``3 days ago``, ``2 years ago``.

    ``None`` (the server did not say) reads ``unknown``. A time slightly in the
    future, from clocks that disagree, reads ``just now``; one far in the future
    reads ``in 3 days``. Naive datetimes are taken as UTC.
    """
    if when is None:
        return "unknown"
    current = now if now is not None else datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if current.tzinfo is None:
        current = current.replace(tzinfo=UTC)
    seconds = (current - when).total_seconds()
    if abs(seconds) < 60 or -300 < seconds < 0:
        return "just now"
    phrase = _span(abs(seconds))
    return f"{phrase} ago" if seconds > 0 else f"in {phrase}"


def _span(seconds: float) -> str:
    minutes = seconds / 60
    hours = minutes / 60
    days = hours / 24
    if minutes < 60:
        return _plural(int(minutes), "minute")
    if hours < 24:
        return _plural(int(hours), "hour")
    if days < 14:
        return _plural(int(days), "day")
    if days < 60:
        return _plural(int(days // 7), "week")
    if days < 365:
        return _plural(int(days // 30), "month")
    return _plural(int(days // 365), "year")


def compact_relative_time(then: float, now: float) -> str:
    """How long ago ``then`` was, in few words for a narrow column: ``just now``,
    ``3 min ago``, ``5 h ago``, ``yesterday``, ``4 days ago``, then the date."""
    seconds = now - then
    if seconds < 45:
        return "just now"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} h ago"
    days = round(seconds / 86400)
    if days <= 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    date = datetime.fromtimestamp(then)
    if date.year == datetime.fromtimestamp(now).year:
        return f"{date.day} {date:%b}"
    return f"{date.day} {date:%b %Y}"


def countdown(seconds: float) -> str:
    """Time left on a clock face: ``4:12``, ``1:04:12``, ``2d 3:04:12``; never negative.

    Rounds up, so a timer shows ``0:01`` until the last second has passed and
    ``0:00`` only when it is over.
    """
    if math.isnan(seconds):
        return "0:00"
    if math.isinf(seconds):
        return "∞" if seconds > 0 else "0:00"
    total = max(0, math.ceil(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def processor_split(size: int, size_vram: int) -> str:
    """Where a loaded model lives, as ``ollama ps`` says it.

    ``100% GPU``, ``100% CPU``, or ``35%/65% CPU/GPU`` for a model split between
    system memory and VRAM; ``unknown`` when the numbers make no sense.
    """
    if size <= 0 or size_vram < 0 or size_vram > size:
        return "unknown"
    if size_vram == 0:
        return "100% CPU"
    if size_vram == size:
        return "100% GPU"
    cpu_percent = round((size - size_vram) / size * 100)
    # Rounding can land on 0 or 100 for a tiny share; say "split" rather than claim 100%.
    cpu_percent = min(99, max(1, cpu_percent))
    return f"{cpu_percent}%/{100 - cpu_percent}% CPU/GPU"


def human_duration(seconds: float) -> str:
    """A short duration for timings: ``850 ms``, ``4.2 s``, ``3m 05s``, ``2h 10m``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "unknown"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    total = round(seconds)
    if total < 3600:
        return f"{total // 60}m {total % 60:02d}s"
    return f"{total // 3600}h {total % 3600 // 60:02d}m"


def sanitize(text: str) -> str:
    """Message text with every terminal control character made visible (as
    :func:`visible_controls` does, newlines and tabs kept) and carriage returns dropped."""
    # Carriage returns only pair with newlines; drop them rather than show them.
    return visible_controls(text.replace("\r", ""))


def one_line(text: str) -> str:
    """``text`` as a single display line.

    Runs of whitespace (newlines included) become one space, and control characters (such as
    the ESC that starts a terminal escape sequence) become visible symbols, so a title or
    snippet can neither break a row's layout nor drive the terminal.
    """
    return sanitize(" ".join(text.split()))


def short_digest(digest: str, length: int = 12) -> str:
    """The first hex digits of a digest, as ``ollama list`` shows IDs (``sha256:`` dropped)."""
    text = digest.removeprefix("sha256:").removeprefix("sha256-")
    return text[:length]


def clipped(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, its last one an ellipsis when cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
