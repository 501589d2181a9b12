"""Tool calls in the chat: shown, saved, sent back; tools per chat; tool results."""

from __future__ import annotations

import json
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from tests.helpers import dialog_shown, until
from tests.ui.test_chat_screen import chat_requests, send, settle, start
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import ToolsDialog
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


async def open_chat_with_tools(pilot: Pilot[None], store: Store) -> tuple[ChatScreen, int]:
    screen = await start(pilot)
    chat = store.create_chat(title="tools", model="llama3.2", tools=json.dumps(WEATHER))
    await screen.open_chat(chat.id)
    await settle(pilot)
    return screen, chat.id


async def open_tools(pilot: Pilot[None]) -> ToolsDialog:
    """Open the tools dialog through its command palette entry."""
    app = pilot.app
    [command] = [c for c in app.get_system_commands(app.screen) if c.title == "Tools"]
    command.callback()
    return await dialog_shown(pilot, ToolsDialog)


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


async def test_a_tool_result_goes_back_as_a_tool_message_and_the_reply_streams(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        store = app.services.store
        screen, chat_id = await open_chat_with_tools(pilot, store)
        await send(pilot, screen, "What is the weather in Tokyo?")
        assert str(screen.prompt.placeholder) == "Tool result for get_weather"
        await send(pilot, screen, "sunny, 24 C")
        body = chat_requests(sim)[-1]
        call = store.messages(chat_id)[1].tool_calls[0]
        assert body["tools"] == WEATHER
        assert body["messages"] == [
            {"role": "user", "content": "What is the weather in Tokyo?"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "content": "sunny, 24 C", "tool_name": "get_weather"},
        ]
        roles = [(m.role, m.tool_name) for m in store.messages(chat_id)]
        assert roles == [
            ("user", ""),
            ("assistant", ""),
            ("tool", "get_weather"),
            ("assistant", ""),
        ]
        reply = store.messages(chat_id)[-1]
        assert "sunny, 24 C" in reply.content and not reply.tool_calls
        assert str(screen.prompt.placeholder) != "Tool result for get_weather"
        # The next prompt is an ordinary one.
        await send(pilot, screen, "thanks")
        assert chat_requests(sim)[-1]["messages"][-1] == {"role": "user", "content": "thanks"}


async def test_escape_drops_the_wait_for_a_tool_result(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        store = app.services.store
        screen, _ = await open_chat_with_tools(pilot, store)
        await send(pilot, screen, "What is the weather in Tokyo?")
        await pilot.press(*"never mind")
        await pilot.press("escape")
        await pilot.pause()
        assert screen.prompt.text == "never mind"
        await pilot.press("enter")
        await settle(pilot)
        assert chat_requests(sim)[-1]["messages"][-1] == {"role": "user", "content": "never mind"}


async def test_a_reopened_chat_still_waits_for_the_tool_result(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        store = app.services.store
        screen, chat_id = await open_chat_with_tools(pilot, store)
        await send(pilot, screen, "What is the weather in Tokyo?")
        await screen.new_chat()
        assert str(screen.prompt.placeholder) != "Tool result for get_weather"
        await screen.open_chat(chat_id)
        await settle(pilot)
        assert str(screen.prompt.placeholder) == "Tool result for get_weather"


async def test_tools_are_given_in_a_dialog_checked_and_sent(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        dialog = await open_tools(pilot)
        text_box = dialog.query_one("#tools-text", TextArea)
        assert '"get_weather"' in text_box.text  # an example to start from
        text_box.load_text('[{"type": "function", "function": {"name": "x"}}]')
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = dialog.query_one("#dialog-error", Static)
        assert app.screen is dialog and error.display
        assert '"function.description" must be a string' in str(error.render())
        text_box.load_text(json.dumps(WEATHER))
        await pilot.pause()
        assert not error.display
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: "tools: 1" in str(screen.query_one("#chat-header").render()))
        await send(pilot, screen, "What is the weather in Oslo?")
        body = chat_requests(sim)[-1]
        assert body["tools"] == WEATHER
        chat = app.services.store.get_chat(app.services.store.list_chats()[0].id)
        assert chat is not None and chat.tools is not None
        assert json.loads(chat.tools) == WEATHER
        # Cleared, no tools go with the next request.
        dialog = await open_tools(pilot)
        await pilot.click("#tools-clear")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        screen.prompt.load_text("hello")  # the tool result wait is dropped by escape first
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(pilot)
        assert "tools" not in chat_requests(sim)[-1]


async def test_a_tool_name_with_markup_is_shown_as_it_is(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "[bold red]weather[/]",
                "description": "",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        store = app.services.store
        chat = store.create_chat(title="t", model="llama3.2", tools=json.dumps(tools))
        await screen.open_chat(chat.id)
        await settle(pilot)
        await send(pilot, screen, "What is the weather in Oslo?")
        assert "[bold red]weather[/]" in calls_text(screen)
        assert str(screen.prompt.placeholder) == "Tool result for [bold red]weather[/]"
        banner = str(screen.query_one("#chat-editing", Static).render())
        assert "The model called [bold red]weather[/]" in banner
        await send(pilot, screen, "rain")
        view = screen.transcript.last_view("tool")
        assert view is not None
        header = str(view.query_one(".message-header", Static).render())
        assert header == "tool result · [bold red]weather[/]"
