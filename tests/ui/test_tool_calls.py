"""Tool calls in the chat: shown, saved, sent back; tools per chat; tool results."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from tests.helpers import settle_workers, until
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.store import Store

AppFactory = Callable[..., OllamaTUI]
SIZE = (100, 36)

WEATHER = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get weather",
            "parameters": {
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string", "description": "City name"}},
            },
        },
    }
]


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the chat's workers (not an open dialog)."""
    await settle_workers(
        pilot,
        include=lambda worker: worker.group.startswith("chat-") and worker.group != "chat-dialog",
        rounds=100,
        stop_when_idle=True,
    )


async def start(pilot: Pilot[None]) -> ChatScreen:
    """The chat screen, once the model list has arrived."""
    app = pilot.app
    assert isinstance(app, OllamaTUI)
    await until(pilot, lambda: app.models)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def send(pilot: Pilot[None], screen: ChatScreen, text: str) -> None:
    """Type ``text`` into the prompt, press enter and wait for the turn to end."""
    screen.prompt.load_text(text)
    await pilot.press("enter")
    await settle(pilot)


def chat_requests(sim: SimulatedOllama) -> list[dict[str, Any]]:
    return [r.body for r in sim.requests if r.path == "/api/chat" and r.body.get("messages")]


async def open_chat_with_tools(pilot: Pilot[None], store: Store) -> tuple[ChatScreen, int]:
    screen = await start(pilot)
    chat = store.create_chat(title="tools", model="llama3.2", tools=json.dumps(WEATHER))
    await screen.open_chat(chat.id)
    await settle(pilot)
    return screen, chat.id


def calls_text(screen: ChatScreen) -> str:
    view = screen.transcript.last_view("assistant")
    assert view is not None
    return str(view.query_one(".tool-calls", Static).render())


async def test_a_tool_call_is_shown_saved_and_shown_again(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        store = app.services.store
        screen, chat_id = await open_chat_with_tools(pilot, store)
        await send(pilot, screen, "What is the weather in Tokyo?")
        body = chat_requests(sim)[-1]
        assert body["tools"] == WEATHER
        reply = store.messages(chat_id)[-1]
        assert reply.role == "assistant" and reply.status == "complete"
        assert [call["function"] for call in reply.tool_calls] == [
            {"index": 0, "name": "get_weather", "arguments": {"city": "Tokyo"}}
        ]
        shown = calls_text(screen)
        assert "get_weather" in shown and '"city": "Tokyo"' in shown
        # Opened again, the chat shows the call from the store.
        await screen.new_chat()
        await screen.open_chat(chat_id)
        await settle(pilot)
        assert "get_weather" in calls_text(screen)
