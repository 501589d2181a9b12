"""The one clock the app reads the time from.

Everything that shows or stores a time (the store's timestamps, "3 min ago" in lists,
unload countdowns, transfer rates) asks a :class:`Clock` handed down through ``Services``,
so a test fixes the time by passing a :class:`ManualClock` instead of patching modules.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """The real time: wall-clock seconds for what is stored and shown, monotonic seconds
    for measuring how long something took."""

    def time(self) -> float:
        """Unix seconds now."""
        return time.time()

    def monotonic(self) -> float:
        """Seconds from an arbitrary start that never goes back (for rates and intervals)."""
        return time.monotonic()

    def utc(self) -> datetime:
        """Now, as an aware datetime in UTC."""
        return datetime.fromtimestamp(self.time(), UTC)


class ManualClock(Clock):
    """A clock that only moves when told to; both readings move together."""

    def __init__(self, now: float = 1_750_000_000.0, monotonic: float = 1_000.0) -> None:
        self.now = now
        """Unix seconds this clock reads."""
        self.ticks = monotonic
        """Monotonic seconds this clock reads."""

    def time(self) -> float:
        """The set wall-clock time."""
        return self.now

    def monotonic(self) -> float:
        """The set monotonic time."""
        return self.ticks

    def advance(self, seconds: float) -> None:
        """Move both readings on by ``seconds``."""
        self.now += seconds
        self.ticks += seconds

    def set(self, moment: datetime) -> None:
        """Set the wall-clock time to ``moment`` (the monotonic one moves by as much)."""
        self.advance(moment.timestamp() - self.now)
