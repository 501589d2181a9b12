"""The chat screen against the simulated Ollama: sending, streaming, stopping and saving."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyperclip
import pytest
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.selection import Selection
from textual.widgets import Collapsible, Static

from tests.helpers import (
    dialog_shown,
    notice_texts,
    record_notifications,
    settle_workers,
    until,
)
from tui_app.api import OllamaClient
from tui_app.app import OllamaTUI
from tui_app.core import exchange as exchange_module
from tui_app.core.options import RequestDefaults
from tui_app.demo import Fault, SimulatedOllama
from tui_app.messages import OpenChat
from tui_app.screens.chat import LAST_MODEL_SETTING, ChatScreen
from tui_app.screens.dialogs import (
    AttachImageDialog,
    CodeBlockDialog,
    ConfirmDialog,
    FormatDialog,
    ModelPickerDialog,
    SystemPromptDialog,
)
from tui_app.services import Services
from tui_app.store import MessageRecord, Store
from tui_app.widgets.markdown_document import MarkdownDocument
from tui_app.widgets.message_view import MessageView
from tui_app.widgets.prompt_input import PromptInput

AppFactory = Callable[..., OllamaTUI]
SIZE = (100, 36)


# -- helpers ------------------------------------------------------------------------------------


async def settle(pilot: Pilot[None]) -> None:
    """Wait for every chat worker (replies, details) to finish; not for an open dialog."""
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
    """Put ``text`` in the prompt, press enter and wait for the reply to end."""
    screen.prompt.load_text(text)
    await pilot.press("enter")
    await settle(pilot)


def chat_requests(sim: SimulatedOllama) -> list[dict[str, Any]]:
    return [r.body for r in sim.requests if r.path == "/api/chat" and r.body.get("messages")]


def only_chat(store: Store) -> int:
    chats = store.list_chats()
    assert len(chats) == 1
    return chats[0].id


def rows(store: Store, chat_id: int) -> list[tuple[str, str, str]]:
    return [(m.role, m.content, m.status) for m in store.messages(chat_id)]


def last_reply(screen: ChatScreen) -> MessageView:
    view = screen.transcript.last_view("assistant")
    assert view is not None
    return view


def footer_text(view: MessageView) -> str:
    return str(view.query_one(".message-footer", Static).render())


def shown_text(view: MessageView) -> str:
    """What the reply's Markdown draws, as plain text."""
    return view.query_one(MarkdownDocument).rendered_text()


# -- start and sending ------------------------------------------------------------------------


async def test_prompt_has_focus_and_a_model_is_preselected(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        assert isinstance(app.focused, PromptInput)
        # The first installed chat model (tags are newest first), shown in the status bar.
        assert screen.model == app.models[0].name
        assert app.current_model == screen.model
        assert app.current_chat_id is None


async def test_model_from_the_command_line_is_preselected(make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        assert screen.model == "llama3.2"


async def test_typing_and_enter_stream_a_reply_and_save_it(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.script_reply("Hello **there**, friend!")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press(*"hi there")
        await pilot.press("enter")
        await settle(pilot)
        store = app.services.store
        chat_id = only_chat(store)
        assert rows(store, chat_id) == [
            ("user", "hi there", "complete"),
            ("assistant", "Hello **there**, friend!", "complete"),
        ]
        chat = store.get_chat(chat_id)
        assert chat is not None and chat.title == "hi there" and chat.model == "llama3.2"
        assert app.current_chat_id == chat_id
        assert screen.prompt.text == ""
        view = last_reply(screen)
        assert view.content == "Hello **there**, friend!"
        assert "Hello there, friend!" in shown_text(view)
        assert chat_requests(sim)[0]["messages"] == [{"role": "user", "content": "hi there"}]


async def test_prompt_and_reply_row_are_saved_before_the_request(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(initial_model="llama3.2")
    store = app.services.store
    seen: list[list[tuple[str, str, str]]] = []
    handle = sim.handle

    def watching(method: str, path: str, body: bytes, headers: Any = None) -> Any:
        if path == "/api/chat":
            seen.append(rows(store, only_chat(store)))
        return handle(method, path, body, headers)

    monkeypatch.setattr(sim, "handle", watching)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "save me first")
    assert seen == [[("user", "save me first", "complete"), ("assistant", "", "streaming")]]


async def test_second_request_carries_the_history_and_the_chat_settings(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    store = app.services.store
    RequestDefaults(keep_alive="10m", options={"seed": 7}).save(store)
    chat = store.create_chat(
        title="tuned",
        model="qwen3:8b",
        system="Answer in one line.",
        options={"temperature": 0.2, "num_ctx": 2048},
        think="high",
        format="json",
    )
    sim.script_reply('{"a": 1}', thinking="first thoughts")
    sim.script_reply('{"b": 2}')
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat.id)
        await send(pilot, screen, "one")
        await send(pilot, screen, "two")
    first, second = chat_requests(sim)
    assert second["model"] == "qwen3:8b"
    assert second["messages"] == [
        {"role": "system", "content": "Answer in one line."},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": '{"a": 1}', "thinking": "first thoughts"},
        {"role": "user", "content": "two"},
    ]
    for body in (first, second):
        assert body["options"] == {"seed": 7, "temperature": 0.2, "num_ctx": 2048}
        assert body["think"] == "high"
        assert body["format"] == "json"
        assert body["keep_alive"] == "10m"
        assert body["stream"] is True


async def test_think_is_only_sent_to_thinking_models(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    store = app.services.store
    chat = store.create_chat(title="t", model="llama3.2:latest", think="on")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat.id)
        await send(pilot, screen, "hello")
        assert last_reply(screen).status == "complete"
    assert "think" not in chat_requests(sim)[0]


async def test_think_toggle_cycles_and_reaches_the_request(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="qwen3:8b")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        assert screen.think is None
        await pilot.press("ctrl+t")
        assert screen.think == "off"
        await pilot.press("ctrl+t", "ctrl+t")
        assert screen.think == "low"
        header = str(screen.query_one("#chat-header", Static).render())
        assert "think: low" in header
        await send(pilot, screen, "hello")
        chat = app.services.store.get_chat(only_chat(app.services.store))
        assert chat is not None and chat.think == "low"
        await pilot.press("ctrl+t", "ctrl+t", "ctrl+t")
        # Every level the options form offers, "max" included.
        assert screen.think == "max"
        await pilot.press("ctrl+t")
        assert screen.think is None
        await send(pilot, screen, "again")
    first, second = chat_requests(sim)
    assert first["think"] == "low"
    assert "think" not in second


def header_text(screen: ChatScreen) -> str:
    return str(screen.query_one("#chat-header", Static).render())


async def test_global_think_and_format_show_in_the_header_as_sent(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from textual.widgets import RadioButton

    app = make_app(initial_model="qwen3:8b")
    store = app.services.store
    RequestDefaults(think="high", format="json").save(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        assert "think: high (global)" in header_text(screen)
        assert "format: json (global)" in header_text(screen)
        await send(pilot, screen, "one")
        # f7 "Off" overrides the global format for this chat only.
        await pilot.press("f7")
        dialog = await dialog_shown(pilot, FormatDialog)
        dialog.query_one("#format-off", RadioButton).value = True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        assert screen.reply_format == "off"
        assert "format: off" in header_text(screen)
        assert "think: high (global)" in header_text(screen)
        await send(pilot, screen, "two")
        # ctrl+t sets the chat's own level; the header no longer says it is inherited.
        await pilot.press("ctrl+t")
        await until(pilot, lambda: "think: off ·" in header_text(screen))
        await send(pilot, screen, "three")
    first, second, third = chat_requests(sim)
    assert (first["think"], first["format"]) == ("high", "json")
    assert second["think"] == "high"
    assert "format" not in second
    assert third["think"] is False
    chat = store.get_chat(only_chat(store))
    assert chat is not None and (chat.think, chat.format) == ("off", "off")
    assert RequestDefaults.load(store) == RequestDefaults(think="high", format="json")


async def test_think_set_for_a_model_that_cannot_think_says_it_is_not_sent(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2:latest")
    RequestDefaults(think="on").save(app.services.store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await until(pilot, lambda: "think: on (global, not sent)" in header_text(screen))
        await send(pilot, screen, "hello")
    assert "think" not in chat_requests(sim)[0]


# -- streaming, thinking, stats ---------------------------------------------------------------


async def test_thinking_field_goes_into_a_collapsed_block(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.script_reply("The answer.", thinking="Let me reason about it.")
    app = make_app(initial_model="qwen3:8b")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "why?")
        view = last_reply(screen)
        assert view.thinking == "Let me reason about it."
        assert view.content == "The answer."
        block = view.query_one(Collapsible)
        assert block.collapsed
        assert "Thinking" in block.title
        saved = app.services.store.messages(only_chat(app.services.store))[-1]
        assert (saved.thinking, saved.content) == ("Let me reason about it.", "The answer.")


async def test_think_tags_split_across_chunks_are_folded_away(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    # The simulator streams roughly a token per chunk, so the tags arrive in pieces.
    sim.script_reply("<think>\nWeighing it up.\n</think>\n\nFinal answer.")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "decide")
        view = last_reply(screen)
        assert view.thinking.strip() == "Weighing it up."
        assert view.content == "Final answer."
        assert view.query_one(Collapsible).collapsed
        assert "think>" not in shown_text(view)


async def test_stats_under_a_finished_reply(make_app: AppFactory, sim: SimulatedOllama) -> None:
    sim.script_reply("short", done_reason="length")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "go")
        view = last_reply(screen)
        text = footer_text(view)
        for part in ("tokens ·", "tokens/s", "prompt", "load", "cut off: num_predict or context"):
            assert part in text
        stats = app.services.store.messages(only_chat(app.services.store))[-1].stats
        assert stats["done_reason"] == "length"
        assert stats["eval_count"] == view.stats["eval_count"]
        meter = str(screen.query_one("#chat-meter", Static).render())
        used = int(stats["prompt_eval_count"]) + int(stats["eval_count"])  # type: ignore[call-overload]
        assert meter.startswith(f"context {used} / 4,096 (default)")


async def test_context_meter_warns_near_num_ctx(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    store = app.services.store
    chat = store.create_chat(title="small", model="llama3.2", options={"num_ctx": 40})
    sim.script_reply("word " * 30)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat.id)
        await send(pilot, screen, "fill it")
        meter = screen.query_one("#chat-meter", Static)
        assert "/ 40 ·" in str(meter.render())
        assert meter.has_class("-warning")
        assert "older messages will be cut" in str(meter.render())


async def test_reply_text_is_saved_while_it_streams(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange_module, "SAVE_INTERVAL", 0.0)
    sim.token_delay = 0.01
    sim.script_reply("one two three four five six seven eight nine ten " * 50)
    app = make_app(initial_model="llama3.2")
    store = app.services.store
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.prompt.load_text("count")
        await pilot.press("enter")

        def partial_saved() -> bool:
            chats = store.list_chats()
            if not chats:
                return False
            last = store.messages(chats[0].id)[-1]
            return last.status == "streaming" and len(last.content) > 10

        await until(pilot, partial_saved)
        await pilot.press("escape")
        await settle(pilot)
        assert last_reply(screen).status == "stopped"


async def test_the_view_follows_the_reply_only_from_the_bottom(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    store = app.services.store
    chat_id = long_chat(store, 40)
    sim.token_delay = 0.01
    # Long enough to be still arriving at the end, however busy the machine.
    sim.script_reply("word " * 3000)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat_id)
        transcript = screen.transcript
        screen.prompt.load_text("go on")
        await pilot.press("enter")
        await until(pilot, lambda: len(last_reply(screen).content) > 50)
        await until(pilot, lambda: transcript.scroll_y == transcript.max_scroll_y)
        # The user scrolls up: the view stays where they put it while text arrives.
        await pilot.press("shift+tab")
        transcript.focus()
        await pilot.press("home")
        await until(pilot, lambda: transcript.scroll_y == 0)  # scrolling there is animated
        grown = len(last_reply(screen).content)
        await until(pilot, lambda: len(last_reply(screen).content) > grown + 50)
        await pilot.wait_for_scheduled_animations()
        assert transcript.scroll_y == 0
        # Back at the bottom it follows again.
        await pilot.press("end")
        await until(pilot, lambda: transcript.scroll_y == transcript.max_scroll_y)
        height = transcript.max_scroll_y
        await until(pilot, lambda: transcript.max_scroll_y > height)
        await until(pilot, lambda: transcript.scroll_y == transcript.max_scroll_y)
        await pilot.press("escape", "escape")  # back to the prompt, and stop the reply
        await settle(pilot)
        assert not screen.replying


# -- stopping and quitting --------------------------------------------------------------------


async def test_escape_stops_the_reply_and_keeps_what_arrived(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.02
    full = "alpha beta gamma delta epsilon zeta eta theta iota kappa " * 40
    sim.script_reply(full)
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.prompt.load_text("talk")
        await pilot.press("enter")
        await until(pilot, lambda: screen.transcript.last_view("assistant") is not None)
        await until(pilot, lambda: len(last_reply(screen).content) > 10)
        await pilot.press("escape")
        await settle(pilot)
        view = last_reply(screen)
        assert view.status == "stopped"
        assert "stopped" in footer_text(view)
        saved = app.services.store.messages(only_chat(app.services.store))[-1]
        assert saved.status == "stopped"
        assert 10 < len(saved.content) < len(full)
        assert full.startswith(saved.content)
        # The app goes on: the next prompt is answered.
        sim.token_delay = 0.0
        sim.script_reply("still here")
        await send(pilot, screen, "again")
        assert last_reply(screen).content == "still here"


async def test_quitting_mid_reply_saves_it_as_stopped(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.02
    sim.script_reply("one two three four five six seven eight nine ten " * 40)
    app = make_app(initial_model="llama3.2")
    store = app.services.store
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.prompt.load_text("long one")
        await pilot.press("enter")
        await until(pilot, lambda: screen.transcript.last_view("assistant") is not None)
        await until(pilot, lambda: len(last_reply(screen).content) > 10)
        await pilot.press("ctrl+q")
    saved = store.messages(only_chat(store))
    assert [m.role for m in saved] == ["user", "assistant"]
    assert saved[1].status == "stopped"
    assert saved[1].content.startswith("one two")


async def test_a_reply_left_streaming_by_a_crash_shows_as_interrupted(
    make_app: AppFactory,
) -> None:
    app = make_app()
    store = app.services.store
    chat = store.create_chat(title="crashed", model="llama3.2")
    store.add_message(chat.id, "user", "hello")
    store.add_message(chat.id, "assistant", "half a rep", status="streaming", model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat.id)
        await pilot.pause()
        view = last_reply(screen)
        assert view.status == "stopped"
        assert "interrupted" in footer_text(view)
        assert view.content == "half a rep"


# -- faults -------------------------------------------------------------------------------------


async def test_model_not_found_says_so_and_offers_a_pull(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="nosuchmodel")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.prompt.load_text("hello")
        await pilot.press("enter")
        await dialog_shown(pilot, ConfirmDialog)
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "model 'nosuchmodel' not found" in text
        view = last_reply(screen)
        assert view.status == "failed"
        assert "model 'nosuchmodel' not found" in footer_text(view)
        await pilot.press("enter")
        await until(pilot, lambda: app.current_mode == "pulls")
    saved = [(m.role, m.status) for m in app.services.store.messages(only_chat(app.services.store))]
    assert saved == [("user", "complete"), ("assistant", "failed")]


async def test_declining_the_pull_keeps_the_chat(make_app: AppFactory) -> None:
    app = make_app(initial_model="nosuchmodel")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.prompt.load_text("hello")
        await pilot.press("enter")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert app.current_mode == "chat"


async def test_error_line_mid_stream_fails_the_reply_and_keeps_the_text(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.script_reply("one two three four five six seven eight")
    sim.inject(Fault("/api/chat", error_after_chunks=4, message="runner crashed: out of memory"))
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "go")
        view = last_reply(screen)
        assert view.status == "failed"
        assert view.content == "one two three four"
        assert "runner crashed: out of memory" in footer_text(view)
        saved = app.services.store.messages(only_chat(app.services.store))[-1]
        assert (saved.status, saved.error, saved.content) == (
            "failed",
            "runner crashed: out of memory",
            "one two three four",
        )


async def test_dropped_connection_fails_the_reply_and_the_app_goes_on(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.script_reply("one two three four five six")
    sim.inject(Fault("/api/chat", drop_after_chunks=3))
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "go")
        view = last_reply(screen)
        assert view.status == "failed"
        assert view.content == "one two three"
        assert "Connection to Ollama lost" in footer_text(view)
        sim.script_reply("back again")
        await send(pilot, screen, "retry")
        assert last_reply(screen).content == "back again"
        # The failed reply is not part of the history sent next.
        assert chat_requests(sim)[-1]["messages"] == [
            {"role": "user", "content": "go"},
            {"role": "user", "content": "retry"},
        ]


async def test_server_error_before_the_stream(make_app: AppFactory, sim: SimulatedOllama) -> None:
    sim.inject(Fault("/api/chat", status=500, message="llama runner process has terminated"))
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "go")
        view = last_reply(screen)
        assert view.status == "failed"
        assert footer_text(view) == (
            "✗ failed: Ollama error 500: llama runner process has terminated"
        )


async def test_offline_server_fails_the_reply_and_marks_the_app_offline(
    tmp_path: Path,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    store = Store.open(tmp_path / "db" / "ollama-tui.db")
    services = Services(client=OllamaClient(url), store=store, host=url, initial_model="llama3.2")
    app = OllamaTUI(services)
    record_notifications(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: not app.connection.online and app.connection.error)
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            await send(pilot, screen, "anyone there?")
            view = last_reply(screen)
            assert view.status == "failed"
            assert "Cannot reach Ollama" in footer_text(view)
            assert "ollama serve" in footer_text(view)
            saved = store.messages(only_chat(store))
            assert [m.content for m in saved if m.role == "user"] == ["anyone there?"]
            # Still usable: the next prompt is saved and fails the same clear way.
            await send(pilot, screen, "still?")
            assert last_reply(screen).status == "failed"
            assert len(store.messages(only_chat(store))) == 4
    finally:
        store.close()


# -- literal text -------------------------------------------------------------------------------

HOSTILE = (
    "[bold red]x[/bold red] and [link=https://example.com]y[/link] "
    "\x1b[31mred\x1b[0m bell\x07 <b>html</b> [@click=app.quit]q[/] 中文 🦙"
)


async def test_markup_escapes_and_html_are_shown_literally(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.script_reply(HOSTILE)
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "[bold]not bold[/bold] \x1b[2J")
        view = last_reply(screen)
        assert view.content == HOSTILE
        shown = shown_text(view)
        for literal in (
            "[bold red]x[/bold red]",
            "[link=https://example.com]y[/link]",
            "␛[31mred␛[0m",
            "bell␇",
            "<b>html</b>",
            "[@click=app.quit]q[/]",
            "中文 🦙",
        ):
            assert literal in shown
        assert "\x1b" not in shown
        prompt_view = screen.transcript.last_view("user")
        assert prompt_view is not None
        body = str(prompt_view.query_one(".message-body", Static).render())
        assert body == "[bold]not bold[/bold] ␛[2J"
        assert app.is_running


async def test_a_json_reply_is_pretty_printed(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    chat = app.services.store.create_chat(title="j", model="llama3.2", format="json")
    sim.script_reply('{"answer":"yes","items":[1,2]}')
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat.id)
        await send(pilot, screen, "json please")
        view = last_reply(screen)
        assert view.content == '{"answer":"yes","items":[1,2]}'
        assert '"answer": "yes"' in shown_text(view)


# -- regenerate, edit, history --------------------------------------------------------------------


async def test_regenerate_replaces_the_last_reply(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.script_reply("first take")
    sim.script_reply("second take")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "question")
        await pilot.press("ctrl+g")
        await settle(pilot)
        store = app.services.store
        assert rows(store, only_chat(store)) == [
            ("user", "question", "complete"),
            ("assistant", "second take", "complete"),
        ]
        assert [view.content for view in screen.transcript.views] == ["question", "second take"]
    assert chat_requests(sim)[-1]["messages"] == [{"role": "user", "content": "question"}]


async def test_edit_last_prompt_and_resend_replaces_the_exchange(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.script_reply("reply one")
    sim.script_reply("reply two")
    sim.script_reply("reply three")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "keep this")
        await send(pilot, screen, "tpyo here")
        await pilot.press("ctrl+l")
        await settle(pilot)
        await until(pilot, lambda: screen.prompt.text == "tpyo here")
        assert screen.query_one("#chat-editing", Static).display
        screen.prompt.load_text("typo fixed")
        await pilot.press("enter")
        await settle(pilot)
        store = app.services.store
        assert rows(store, only_chat(store)) == [
            ("user", "keep this", "complete"),
            ("assistant", "reply one", "complete"),
            ("user", "typo fixed", "complete"),
            ("assistant", "reply three", "complete"),
        ]
        assert not screen.query_one("#chat-editing", Static).display
    assert chat_requests(sim)[-1]["messages"] == [
        {"role": "user", "content": "keep this"},
        {"role": "assistant", "content": "reply one"},
        {"role": "user", "content": "typo fixed"},
    ]


async def test_escape_cancels_editing(make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "original")
        await pilot.press("ctrl+l")
        await until(pilot, lambda: screen.prompt.text == "original")
        await pilot.press("escape")
        assert screen.prompt.text == ""
        assert not screen.query_one("#chat-editing", Static).display
        store = app.services.store
        assert len(store.messages(only_chat(store))) == 2


async def test_up_and_down_walk_earlier_prompts(make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "first")
        await send(pilot, screen, "second")
        prompt = screen.prompt
        await pilot.press("up")
        assert prompt.text == "second"
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("down")
        assert prompt.text == "second"
        await pilot.press("down")
        assert prompt.text == ""
        # In a box with text, up and down move the cursor instead.
        prompt.load_text("line one\nline two")
        prompt.move_cursor((1, 0))
        await pilot.press("up")
        assert prompt.text == "line one\nline two"
        assert prompt.cursor_location == (0, 0)


async def test_newline_keys_and_paste_never_send(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from textual import events

    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press(*"one", "ctrl+j", *"two", "alt+enter", *"three", "shift+enter", "x")
        assert screen.prompt.text == "one\ntwo\nthree\nx"
        screen.prompt.load_text("")
        app.post_message(events.Paste("pasted\nlines\n"))
        await pilot.pause()
        assert screen.prompt.text == "pasted\nlines\n"
        assert chat_requests(sim) == []
        await pilot.press("enter")
        await settle(pilot)
    assert chat_requests(sim)[0]["messages"][-1]["content"] == "pasted\nlines\n"


# -- copying ------------------------------------------------------------------------------------


@pytest.fixture
def clipboard_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", calls.append)
    return calls


async def test_copy_last_reply_with_pyperclip(
    make_app: AppFactory, sim: SimulatedOllama, clipboard_calls: list[str]
) -> None:
    sim.script_reply("copy **me**")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "x")
        await pilot.press("f9")
        await pilot.pause()
        assert clipboard_calls == ["copy **me**"]
        assert "Copied the last reply to the clipboard." in notice_texts(app)


async def test_copy_falls_back_to_osc52(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_backend(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_backend)
    sim.script_reply("over ssh")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "x")
        await pilot.press("f9")
        await pilot.pause()
        assert app.clipboard == "over ssh"
        assert any("OSC 52" in message for message in notice_texts(app))


async def test_copy_a_chosen_code_block(
    make_app: AppFactory, sim: SimulatedOllama, clipboard_calls: list[str]
) -> None:
    sim.script_reply("```python\nprint(1)\n```\n\nand\n\n```sh\necho two\n```")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "code")
        await pilot.press("ctrl+b")
        await dialog_shown(pilot, CodeBlockDialog)
        await pilot.press("down", "enter")
        await until(pilot, lambda: clipboard_calls)
        assert clipboard_calls == ["echo two\n"]


async def test_nothing_to_copy_is_said(make_app: AppFactory, clipboard_calls: list[str]) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("f9")
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert clipboard_calls == []
        assert "There is no reply to copy yet." in notice_texts(app)


# -- dialogs: system prompt, format, images, model ---------------------------------------------


async def test_system_prompt_dialog_sets_the_system_message(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("f6")
        await dialog_shown(pilot, SystemPromptDialog)
        await pilot.press(*"Talk like a pirate.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        assert screen.system == "Talk like a pirate."
        await send(pilot, screen, "hello")
        chat = app.services.store.get_chat(only_chat(app.services.store))
        assert chat is not None and chat.system == "Talk like a pirate."
    assert chat_requests(sim)[0]["messages"][0] == {
        "role": "system",
        "content": "Talk like a pirate.",
    }


async def test_format_dialog_checks_the_schema_before_use(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from textual.widgets import RadioButton, TextArea

    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("f7")
        await dialog_shown(pilot, FormatDialog)
        dialog = app.screen
        dialog.query_one("#format-schema", RadioButton).value = True
        await pilot.pause()
        schema_box = dialog.query_one("#format-schema-text", TextArea)
        schema_box.load_text('{"type": "object", "properties": {"n": {"type": "integer"}')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = dialog.query_one("#dialog-error", Static)
        assert error.display and "not valid JSON" in str(error.render())
        schema_box.load_text('{"type": "object", "properties": {"n": {"type": "integer"}}}')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        assert screen.reply_format == '{"type": "object", "properties": {"n": {"type": "integer"}}}'
        await send(pilot, screen, "number")
        assert '"n": 42' in shown_text(last_reply(screen))
    assert chat_requests(sim)[0]["format"] == {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
    }


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))


async def test_images_attach_to_the_next_prompt_of_a_vision_model(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Any
) -> None:
    import base64

    from textual.widgets import Input

    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    (tmp_path / "notes.txt").write_text("not an image")
    app = make_app(initial_model="llava:7b")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("f8")
        await dialog_shown(pilot, AttachImageDialog)
        dialog = app.screen
        path_input = dialog.query_one(Input)
        for bad, message in (
            (tmp_path / "notes.txt", "notes.txt is not an image"),
            (tmp_path / "missing.png", "No such file"),
        ):
            path_input.value = str(bad)
            await pilot.press("enter")
            await until(pilot, lambda: dialog.query_one("#dialog-error", Static).display)
            assert message in str(dialog.query_one("#dialog-error", Static).render())
            assert app.screen is dialog
        path_input.value = str(image)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        attachments = screen.query_one("#chat-attachments", Static)
        assert attachments.display and "photo.png" in str(attachments.render())
        await send(pilot, screen, "what is this?")
        assert not attachments.display
        user = screen.transcript.last_view("user")
        assert user is not None and user.images == [base64.b64encode(PNG).decode()]
    message = chat_requests(sim)[0]["messages"][-1]
    assert message["images"] == [base64.b64encode(PNG).decode()]
    assert "VISION" not in message["content"]


async def test_images_are_refused_for_a_model_without_vision(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("f8")
        await until(pilot, lambda: any("cannot read images" in m for m in notice_texts(app)))
        assert isinstance(app.screen, ChatScreen)


async def test_model_picker_changes_and_remembers_the_model(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app(initial_model="qwen3:8b")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("ctrl+o")
        await dialog_shown(pilot, ModelPickerDialog)
        await pilot.press(*"gemma")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert screen.model == "gemma3:1b"
        assert app.current_model == "gemma3:1b"
        assert app.services.store.get_setting(LAST_MODEL_SETTING) == "gemma3:1b"
        await send(pilot, screen, "hi")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.chat is None
        assert screen.model == "gemma3:1b"
        assert screen.transcript.views == []
    assert chat_requests(sim)[0]["model"] == "gemma3:1b"


async def test_open_chat_with_from_another_screen(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("f3")
        await pilot.pause()
        app.post_message(OpenChat("gemma3:1b"))
        await until(pilot, lambda: app.current_model == "gemma3:1b")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.chat is None and screen.model == "gemma3:1b"
        assert app.current_model == "gemma3:1b"


# -- long chats and the chat list --------------------------------------------------------------


def long_chat(store: Store, count: int) -> int:
    chat = store.create_chat(title="long", model="llama3.2")
    store.add_messages(
        chat.id,
        ((("user" if i % 2 == 0 else "assistant"), f"message {i}") for i in range(count)),
    )
    return chat.id


async def test_a_long_chat_opens_on_its_newest_page_and_pages_back(
    make_app: AppFactory,
) -> None:
    app = make_app()
    chat_id = long_chat(app.services.store, 600)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat_id)
        await pilot.pause()
        transcript = screen.transcript
        views = transcript.views
        assert len(views) == 50
        assert views[-1].content == "message 599"
        assert transcript.has_older
        for expected in (100, 150):
            transcript.scroll_home(animate=False, immediate=True)
            await until(pilot, lambda: len(transcript.views) == expected)  # noqa: B023
            await pilot.pause()
        assert transcript.views[0].content == "message 450"
        # The view stayed on the message that was at the top, not jumped to the oldest.
        assert transcript.scroll_y > 0


async def test_the_window_of_a_long_chat_stays_bounded(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_app.widgets.transcript import Transcript

    monkeypatch.setattr(Transcript, "MAX_VIEWS", 120)
    app = make_app()
    chat_id = long_chat(app.services.store, 600)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat_id)
        transcript = screen.transcript
        for _ in range(4):
            first = transcript.views[0].message_id
            transcript.scroll_home(animate=False, immediate=True)
            await until(pilot, lambda: transcript.views[0].message_id != first)  # noqa: B023
            await pilot.pause()
        assert len(transcript.views) == 120
        assert transcript.has_newer
        # Scrolling down pages the newer messages back in, letting go of the oldest.
        while transcript.has_newer:
            last = transcript.views[-1].message_id
            transcript.scroll_end(animate=False, immediate=True)
            await until(pilot, lambda: transcript.views[-1].message_id != last)  # noqa: B023
            await pilot.pause()
            assert len(transcript.views) <= 120
        assert transcript.views[-1].content == "message 599"


async def test_a_search_hit_opens_the_chat_at_the_message(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    chat_id = long_chat(store, 300)
    target = store.messages(chat_id, limit=1, before_id=None)[0].id - 150
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat_id, target)
        await until(pilot, lambda: screen.chat is not None)
        await pilot.pause()
        view = screen.transcript.view_for(target)
        assert view is not None and view.has_class("-found")
        assert screen.transcript.has_newer
        assert app.current_chat_id == chat_id


async def test_picking_a_chat_in_the_list_opens_it(make_app: AppFactory) -> None:
    from tui_app.widgets.chat_list import ChatList

    app = make_app()
    store = app.services.store
    chat = store.create_chat(title="saved", model="gemma3:1b")
    store.add_message(chat.id, "user", "old question")
    store.add_message(chat.id, "assistant", "old answer", model="gemma3:1b")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.query_one(ChatList).post_message(ChatList.ChatSelected(chat.id))
        await until(pilot, lambda: screen.chat is not None)
        await pilot.pause()
        assert [v.content for v in screen.transcript.views] == ["old question", "old answer"]
        assert app.current_chat_id == chat.id
        assert app.current_model == "gemma3:1b"
        screen.query_one(ChatList).post_message(ChatList.DeleteRequested(chat.id, chat.title))
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("y")
        await until(pilot, lambda: screen.chat is None)
        assert screen.transcript.views == []


async def test_a_reply_keeps_streaming_while_another_chat_is_open(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from tui_app.widgets.chat_list import ChatList

    sim.token_delay = 0.01
    full = "one two three four five six seven eight nine ten " * 20
    sim.script_reply(full)
    app = make_app(initial_model="llama3.2")
    store = app.services.store
    other = store.create_chat(title="other", model="gemma3:1b")
    store.add_message(other.id, "user", "elsewhere")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.prompt.load_text("long one")
        await pilot.press("enter")
        await until(pilot, lambda: screen.transcript.last_view("assistant") is not None)
        first_chat = screen.chat
        assert first_chat is not None
        chat_list = screen.query_one(ChatList)
        chat_list.post_message(ChatList.ChatSelected(other.id))
        await until(pilot, lambda: screen.chat is not None and screen.chat.id == other.id)
        assert [v.content for v in screen.transcript.views] == ["elsewhere"]
        assert screen.replying
        chat_list.post_message(ChatList.ChatSelected(first_chat.id))
        await until(pilot, lambda: screen.chat is not None and screen.chat.id == first_chat.id)
        await settle(pilot)
        view = last_reply(screen)
        assert view.status == "complete"
        assert view.content == full
        assert [m.content for m in store.messages(first_chat.id)] == ["long one", full]


async def test_deleting_the_chat_of_a_streaming_reply_stops_it(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from tui_app.widgets.chat_list import ChatList

    sim.token_delay = 0.01
    sim.script_reply("one two three four five six seven eight nine ten " * 40)
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        screen.prompt.load_text("doomed")
        await pilot.press("enter")
        await until(pilot, lambda: screen.transcript.last_view("assistant") is not None)
        chat = screen.chat
        assert chat is not None
        screen.query_one(ChatList).post_message(ChatList.DeleteRequested(chat.id, chat.title))
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert app.services.store.get_chat(chat.id) is None
        assert not screen.replying
        assert screen.chat is None
        assert screen.transcript.views == []
        assert app.is_running


async def test_help_and_palette_list_the_chat_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 60)) as pilot:
        await start(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "New chat",
            "Choose model",
            "Cycle think",
            "System prompt",
            "Reply format",
            "Attach image",
            "Copy last reply",
            "Copy code block",
            "Regenerate reply",
            "Edit last prompt",
        ):
            assert title in titles
        keys = {str(getattr(b, "key", "")) for b in ChatScreen.own_bindings()}
        for key in ("enter", "escape", "ctrl+n", "ctrl+o", "ctrl+t", "ctrl+g", "ctrl+l", "f6"):
            assert any(key in k for k in keys), key


def test_message_records_are_typed() -> None:
    # MessageView is built straight from store rows; a record of each status must do.
    for status in ("complete", "streaming", "stopped", "failed"):
        view = MessageView(
            MessageRecord(1, 1, "assistant", "x", "", [], {}, status, None, None, 0.0)
        )
        assert view.status == status


async def test_mouse_selection_in_a_reply_is_copied_with_ctrl_c(
    make_app: AppFactory, sim: SimulatedOllama, clipboard_calls: list[str]
) -> None:
    sim.script_reply("First line of the reply.\n\nSecond paragraph.")
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await send(pilot, screen, "x")
        document = last_reply(screen).query_one(MarkdownDocument)
        screen.selections = {document: Selection.from_offsets(Offset(6, 0), Offset(6, 2))}
        await pilot.pause()
        await pilot.press("ctrl+c")
        await until(pilot, lambda: clipboard_calls)
        assert clipboard_calls == ["line of the reply.\n\nSecond"]
        assert "Copied the selected text to the clipboard." in notice_texts(app)
        assert app.is_running
