"""How the pulls screen looks: two pulls in progress beside a failed one, wide and narrow.

The two running pulls come from scripted streams that stop mid-way and wait, and the
screen's clock only moves when a scripted line arrives, so bars, rates and times are
the same on every run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from tests.helpers import until
from tui_app.api import ProgressUpdate
from tui_app.app import OllamaTUI
from tui_app.core.clock import ManualClock
from tui_app.demo._models import blob_digest
from tui_app.screens.pulls import PullsScreen

AppFactory = Callable[..., OllamaTUI]

GB = 1_000_000_000
MB = 1_000_000


def layer(model: str, part: str, total: int, completed: int = 0) -> ProgressUpdate:
    digest = blob_digest(model, part)
    return ProgressUpdate(f"pulling {digest[7:19]}", digest, total, completed)


def resumed_pull() -> list[ProgressUpdate]:
    """A pull whose first layer was on disk and whose second carries on from 600 MB."""
    lines = [
        ProgressUpdate("pulling manifest"),
        layer("llava:13b", "model", 7_400 * MB, 7_400 * MB),
    ]
    lines += [layer("llava:13b", "projector", 1_200 * MB, (600 + 40 * i) * MB) for i in range(8)]
    return lines


def fresh_pull() -> list[ProgressUpdate]:
    """A pull part-way through its first layer, at about 400 MB/s."""
    lines = [ProgressUpdate("pulling manifest"), layer("qwen3:14b", "model", 9_300 * MB)]
    lines += [layer("qwen3:14b", "model", 9_300 * MB, 40 * MB * i) for i in range(1, 60)]
    return lines


@pytest.fixture
def app_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def clock(app_clock: ManualClock) -> ManualClock:
    """The app's clock, moved on only by the scripted pulls."""
    return app_clock


def scripted_pulls(app: OllamaTUI, clock: ManualClock, reached: list[str]) -> None:
    """Replace ``client.pull`` for two models with streams that stop part-way."""
    scripts = {"llava:13b": resumed_pull(), "qwen3:14b": fresh_pull()}
    real_pull = app.services.client.pull

    def pull(model: str, *, insecure: bool = False) -> AsyncGenerator[ProgressUpdate]:
        if model not in scripts:
            return real_pull(model)
        return paused_stream(model)

    async def paused_stream(model: str) -> AsyncGenerator[ProgressUpdate]:
        for line in scripts[model]:
            clock.advance(0.1)
            yield line
        reached.append(model)
        await asyncio.Event().wait()  # still downloading, as far as the screen can tell
        yield ProgressUpdate("never")  # pragma: no cover

    app.services.client.pull = pull  # type: ignore[method-assign]


async def show_three_pulls(pilot: Pilot[None], clock: ManualClock) -> None:
    app = pilot.app
    assert isinstance(app, OllamaTUI)
    reached: list[str] = []
    scripted_pulls(app, clock, reached)
    await pilot.press("f4")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PullsScreen)
    screen.start_pull("no-such-model")
    for worker in [w for w in app.workers if w.group == "pulls"]:
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    screen.start_pull("llava:13b")
    screen.start_pull("qwen3:14b")
    await until(pilot, lambda: len(reached) >= 2 and app.connection.online)
    app.clear_notifications()
    for field in screen.query(Input):
        field.cursor_blink = False
    screen._redraw(force=True)
    await pilot.pause()


def test_two_pulls_in_progress_and_a_failed_one(
    make_app: AppFactory, snap_compare: object, clock: ManualClock
) -> None:
    app = make_app()

    async def run_before(pilot: Pilot[None]) -> None:
        await show_three_pulls(pilot, clock)

    assert snap_compare(app, terminal_size=(110, 30), run_before=run_before)  # type: ignore[operator]


def test_pulls_at_80_by_24(make_app: AppFactory, snap_compare: object, clock: ManualClock) -> None:
    app = make_app()

    async def run_before(pilot: Pilot[None]) -> None:
        await show_three_pulls(pilot, clock)
        await pilot.press("down")  # the newest pull, highlighted

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
