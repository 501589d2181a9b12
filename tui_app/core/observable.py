"""A value that tells whoever listens when it changes: how screens follow shared state.

Screens subscribe when they mount and unsubscribe when they unmount; core objects set the
value and never know who listens. Listeners run at once, in the order they subscribed, on
the thread that set the value (the app's event loop).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

Listener = Callable[[T], object]
"""Called with the new value."""


class Subscription:
    """What :meth:`Observable.subscribe` returns: call :meth:`close` to stop listening."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop: Callable[[], None] | None = stop

    def close(self) -> None:
        """Stop listening; closing twice does nothing."""
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()


class Observable(Generic[T]):
    """Holds one value; setting a different one calls every listener with it."""

    def __init__(self, value: T) -> None:
        self._value = value
        self._listeners: list[Listener[T]] = []

    @property
    def value(self) -> T:
        """The value now."""
        return self._value

    def set(self, value: T) -> bool:
        """Replace the value; listeners hear of it only if it differs. True if it did."""
        if value == self._value:
            return False
        self._value = value
        # A copy: a listener may subscribe or unsubscribe while being told.
        for listener in list(self._listeners):
            listener(value)
        return True

    def subscribe(self, listener: Listener[T], *, init: bool = False) -> Subscription:
        """Call ``listener`` with every new value (and with the current one now, if ``init``)."""
        self._listeners.append(listener)
        if init:
            listener(self._value)
        return Subscription(lambda: self._unsubscribe(listener))

    def _unsubscribe(self, listener: Listener[T]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @property
    def listener_count(self) -> int:
        """How many listeners there are (tests check that screens let go)."""
        return len(self._listeners)


class Signal(Generic[T]):
    """Tells listeners of events (no value is kept, and every event is told)."""

    def __init__(self) -> None:
        self._listeners: list[Listener[T]] = []

    def emit(self, event: T) -> None:
        """Call every listener with ``event``."""
        for listener in list(self._listeners):
            listener(event)

    def subscribe(self, listener: Listener[T]) -> Subscription:
        """Call ``listener`` with every event from now on."""
        self._listeners.append(listener)
        return Subscription(lambda: self._unsubscribe(listener))

    def _unsubscribe(self, listener: Listener[T]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)
