"""Waiting for the app in tests: for a condition, or for its workers to finish."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    # Only for annotations: unit tests import these helpers without loading Textual.
    from textual.app import App
    from textual.pilot import Pilot
    from textual.screen import Screen
    from textual.worker import Worker

    from tui_app.core.transfers import Transfer, TransferState

ENDLESS_GROUPS: frozenset[str] = frozenset()
"""Worker groups that run for the app's whole life, never waited for. None are left: the
connection is checked by one short worker at a time, started by a timer."""


async def until(
    pilot: Pilot[None], condition: Callable[[], object], *, tries: int = 500, step: float = 0.01
) -> None:
    """Let the app run until ``condition`` holds; fail after ``tries`` turns of ``step`` s."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError("the app never reached the expected state")


async def settle_workers(
    pilot: Pilot[None],
    *,
    include: Callable[[Worker[object]], bool] = lambda worker: True,
    rounds: int = 3,
    stop_when_idle: bool = False,
) -> None:
    """Wait for the app's workers to finish, for ``rounds`` rounds.

    Every round lets the app run, then waits for the workers still busy: all but the
    endless ones and those ``include`` leaves out. A worker that ends cancelled or failed
    counts as finished (a newer one often replaces it). With ``stop_when_idle``, the
    first round that finds nothing busy ends the wait.
    """
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        busy = [
            worker
            for worker in app.workers
            if worker.group not in ENDLESS_GROUPS and not worker.is_finished and include(worker)
        ]
        if not busy and stop_when_idle:
            break
        await asyncio.gather(*(worker.wait() for worker in busy), return_exceptions=True)
    await pilot.pause()


@dataclass(frozen=True)
class Notice:
    """One notification as the app said it."""

    message: str
    title: str
    severity: str


_NOTICES: WeakKeyDictionary[App[Any], list[Notice]] = WeakKeyDictionary()


def record_notifications(app: App[Any]) -> list[str]:
    """Keep the text of every notification ``app`` shows from now on, in order.

    Call it before ``run_test`` to catch what the app says while it starts. The app's own
    list drops a notification once it times out, so tests read this record instead.
    """
    seen: list[str] = []
    # A second recorder on the same app keeps its own list but leaves the notices to the first.
    notices: list[Notice] = [] if app in _NOTICES else _NOTICES.setdefault(app, [])
    notify = app.notify

    def recording(
        message: str, *, title: str = "", severity: str = "information", **kwargs: Any
    ) -> None:
        seen.append(str(message))
        notices.append(Notice(str(message), str(title), str(severity)))
        notify(message, title=title, severity=severity, **kwargs)  # type: ignore[arg-type]

    app.notify = recording  # type: ignore[method-assign]
    return seen


def notices(app: App[Any]) -> list[Notice]:
    """Every notification said by ``app`` since :func:`record_notifications` (the ``make_app``
    fixture calls it for every app it builds)."""
    return _NOTICES.get(app, [])


def notice_texts(app: App[Any]) -> list[str]:
    """The text of every notification in :func:`notices`, in order."""
    return [notice.message for notice in notices(app)]


def state_of(transfer: Transfer) -> TransferState:
    """The transfer's state read afresh (mypy keeps an earlier assert's narrowing otherwise)."""
    return transfer.state


ScreenT = TypeVar("ScreenT", bound="Screen[Any]")


async def dialog_shown(pilot: Pilot[None], kind: type[ScreenT]) -> ScreenT:
    """Wait until a dialog of ``kind`` is on top with all of it mounted (its row of buttons,
    Cancel among them, is composed last), and return it."""
    await until(
        pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen.query("#cancel")
    )
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen
