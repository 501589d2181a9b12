"""A prompt sent the moment a reply's figures appear goes out; it is not refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.helpers import notices, until
from tests.ui.test_chat_screen import SIZE, chat_requests, footer_text, last_reply, settle, start
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen

AppFactory = Callable[..., OllamaTUI]


async def test_a_prompt_sent_while_the_last_turn_tidies_up_is_sent(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(initial_model="llama3.2")
    tidying = asyncio.Event()
    released = asyncio.Event()
    original = ChatScreen._refresh_meter

    async def slow_meter(screen: ChatScreen, stats: dict[str, object] | None = None) -> None:
        # The reply has ended and shows its figures; the turn is still tidying up.
        if stats is not None:
            tidying.set()
            await released.wait()
        await original(screen, stats)

    monkeypatch.setattr(ChatScreen, "_refresh_meter", slow_meter)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press(*"first question", "enter")
        await until(pilot, tidying.is_set)
        assert "tokens" in footer_text(last_reply(screen))
        await pilot.press(*"second question", "enter")
        await until(pilot, lambda: len(chat_requests(sim)) == 2)
        released.set()
        await settle(pilot)
        assert not any("still arriving" in notice.message for notice in notices(app))
        assert last_reply(screen).content and screen.prompt.text == ""
