"""What the options screen looks like: a chat's overrides with a rejected value, and 80x24."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tui_app.app import OllamaTUI
from tui_app.core.options import RequestDefaults

AppFactory = Callable[..., OllamaTUI]


async def _settle(pilot: Pilot[None]) -> None:
    app = pilot.app
    for _ in range(50):
        await pilot.pause(0.02)
        if isinstance(app, OllamaTUI) and app.connection.online:
            break
    for _ in range(4):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "connection" and not w.is_finished]
        # A worker replaced by a newer one ends cancelled; that is not a failure here.
        await asyncio.gather(*(worker.wait() for worker in busy), return_exceptions=True)
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


def test_chat_overrides_with_a_rejected_value(snap_compare: object, make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    RequestDefaults(options={"top_p": 0.9}, keep_alive="30m").save(store)
    chat = store.create_chat(
        title="Rust haiku", model="qwen3:8b", options={"num_ctx": 8192}, think="low"
    )

    async def run_before(pilot: Pilot[None]) -> None:
        app.current_chat_id = chat.id
        await pilot.press("f5")
        await _settle(pilot)
        await pilot.press("minus", "1")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)  # type: ignore[operator]


def test_global_defaults_at_80_by_24(snap_compare: object, make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2:latest")
    RequestDefaults(options={"temperature": 0.0, "seed": 42}).save(app.services.store)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("f5")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
