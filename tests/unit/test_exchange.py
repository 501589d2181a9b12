"""The chat turn without any UI: every rule of "nothing written is lost", against the
simulated Ollama and a temporary store."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any

import pytest

from tui_app.api import ModelInfo, OllamaClient, OllamaUnavailableError
from tui_app.core import exchange as exchange_module
from tui_app.core.exchange import (
    ActiveReply,
    ChatDraft,
    ChatEvent,
    ChatExchange,
    Delta,
    Failed,
    Finished,
    ModelMissing,
    NotSaved,
    NotSent,
    PromptSaved,
    ReplyEnd,
    Started,
    Stopped,
    ToolCalls,
)
from tui_app.demo import Fault, SimulatedOllama
from tui_app.demo._sim import SimResponse
from tui_app.store import ChatRecord, Store

LONG_REPLY = "one two three four five six seven eight nine ten " * 40


@pytest.fixture
def exchange(client: OllamaClient, store: Store) -> ChatExchange:
    """An exchange over the in-process simulated server and a temporary store."""
    return ChatExchange(client, store)


def rows(store: Store, chat_id: int) -> list[tuple[str, str, str]]:
    return [(m.role, m.content, m.status) for m in store.messages(chat_id)]


def chat_requests(sim: SimulatedOllama) -> list[dict[str, Any]]:
    return [r.body for r in sim.requests if r.path == "/api/chat" and r.body.get("messages")]


async def collect(turn: AsyncGenerator[ChatEvent]) -> list[ChatEvent]:
    return [event async for event in turn]


def answer_of(events: list[ChatEvent]) -> str:
    return "".join(event.answer for event in events if isinstance(event, Delta))


def only_end(events: list[ChatEvent]) -> ReplyEnd:
    ends = [event for event in events if isinstance(event, ReplyEnd)]
    assert len(ends) == 1
    assert events[-1] is ends[0]
    return ends[0]


def new_turn(
    exchange: ChatExchange, text: str = "hello", *, model: str = "llama3.2"
) -> AsyncGenerator[ChatEvent]:
    return exchange.send(None, ChatDraft(model=model), text, [], model=model)


def watch_requests(sim: SimulatedOllama, on_chat: Callable[[Mapping[str, Any]], None]) -> None:
    """Call ``on_chat`` with each ``/api/chat`` body as the server receives it."""
    handle = sim.handle

    def spy(
        method: str, path: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> SimResponse:
        response = handle(method, path, body, headers)
        if path == "/api/chat":
            on_chat(sim.requests[-1].body)
        return response

    sim.handle = spy  # type: ignore[method-assign]


# -- layering -------------------------------------------------------------------------------------


# -- the prompt -----------------------------------------------------------------------------------


async def test_prompt_and_reply_row_are_saved_before_the_request_reaches_the_server(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    seen: list[list[tuple[str, str, str]]] = []
    watch_requests(sim, lambda body: seen.append(rows(store, store.list_chats()[0].id)))
    sim.script_reply("Hi there.")
    events = await collect(new_turn(exchange, "Is it saved?"))
    assert seen == [[("user", "Is it saved?", "complete"), ("assistant", "", "streaming")]]
    saved = next(event for event in events if isinstance(event, PromptSaved))
    assert saved.created
    assert saved.chat.title == "Is it saved?"
    assert saved.record.content == "Is it saved?"


async def test_a_new_chat_takes_the_drafts_settings(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    draft = ChatDraft(model="llama3.2", system="Be brief.", think="off", format="json")
    sim.script_reply('{"ok": true}')
    events = await collect(exchange.send(None, draft, "json please", [], model="llama3.2"))
    chat = store.list_chats()[0]
    assert (chat.model, chat.system, chat.think, chat.format) == (
        "llama3.2",
        "Be brief.",
        "off",
        "json",
    )
    assert next(e for e in events if isinstance(e, Started)).json_mode
    assert chat_requests(sim)[-1]["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_a_prompt_that_cannot_be_saved_is_not_sent(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    store.close()
    events = await collect(new_turn(exchange, "lost?"))
    assert len(events) == 1
    assert isinstance(events[0], NotSent)
    assert not events[0].prompt_saved
    assert "The prompt was not sent" in events[0].message
    assert chat_requests(sim) == []


async def test_the_request_carries_the_saved_history(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    chat = store.create_chat(title="t", model="llama3.2")
    store.add_message(chat.id, "user", "first")
    store.add_message(chat.id, "assistant", "first answer")
    store.add_message(chat.id, "assistant", "", status="failed", error="boom")
    sim.script_reply("second answer")
    await collect(exchange.send(chat, ChatDraft(), "second", [], model="llama3.2"))
    assert chat_requests(sim)[-1]["messages"] == [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "second"},
    ]


# -- a reply that finishes ------------------------------------------------------------------------


async def test_a_finished_reply_is_saved_with_its_figures(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.script_reply("Hello **there**, friend!", done_reason="length")
    events = await collect(new_turn(exchange))
    kinds = [type(event) for event in events]
    assert kinds[:2] == [PromptSaved, Started]
    end = only_end(events)
    assert isinstance(end, Finished)
    assert end.status == "complete"
    assert end.save_error == ""
    assert end.stats is not None
    assert end.stats["done_reason"] == "length"
    assert int(str(end.stats["eval_count"])) > 0
    assert answer_of(events) == "Hello **there**, friend!"
    chat_id = store.list_chats()[0].id
    reply = store.messages(chat_id)[-1]
    assert (reply.content, reply.status, reply.model) == (
        "Hello **there**, friend!",
        "complete",
        "llama3.2",
    )
    assert reply.stats == end.stats
    assert exchange.active is None


async def test_think_tags_in_the_content_are_saved_as_thinking(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.script_reply("<think>\nWeighing it up.\n</think>\n\nFinal answer.")
    events = await collect(new_turn(exchange))
    thinking = "".join(event.thinking for event in events if isinstance(event, Delta))
    assert thinking.strip() == "Weighing it up."
    assert answer_of(events) == "Final answer."
    reply = store.messages(store.list_chats()[0].id)[-1]
    assert (reply.thinking.strip(), reply.content) == ("Weighing it up.", "Final answer.")


async def test_think_is_sent_only_to_models_that_can_think(
    client: OllamaClient, store: Store, sim: SimulatedOllama
) -> None:
    asked: list[str] = []

    async def model_info(model: str) -> ModelInfo | None:
        asked.append(model)
        return await client.show(model)

    exchange = ChatExchange(client, store, model_info=model_info)
    for model in ("llama3.2", "qwen3:8b"):
        sim.script_reply("Fine.", thinking="Hmm.")
        draft = ChatDraft(model=model, think="on")
        await collect(exchange.send(None, draft, "hi", [], model=model))
    plain, thinker = chat_requests(sim)
    assert "think" not in plain
    assert thinker["think"] is True
    assert asked == ["llama3.2", "qwen3:8b"]
    newest = store.list_chats()[0]
    assert store.messages(newest.id)[-1].thinking == "Hmm."


# -- saved while it streams -----------------------------------------------------------------------


async def test_the_text_so_far_is_saved_while_the_reply_streams(
    exchange: ChatExchange,
    store: Store,
    sim: SimulatedOllama,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exchange_module, "SAVE_INTERVAL", 0.0)
    sim.script_reply(LONG_REPLY)
    arrived: list[str] = []
    async with contextlib.aclosing(new_turn(exchange)) as turn:
        async for event in turn:
            if isinstance(event, Started):
                message_id = event.reply.message_id
            if isinstance(event, Delta):
                if len(arrived) >= 3:
                    # Each piece is saved before the next one is read.
                    saved = store.get_message(message_id)
                    assert saved is not None
                    assert (saved.status, saved.content) == ("streaming", "".join(arrived))
                arrived.append(event.answer)
    assert len(arrived) > 3


async def test_without_a_due_save_the_row_waits_for_the_end(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange_module, "SAVE_INTERVAL", 3600.0)
    sim.script_reply(LONG_REPLY)
    async with contextlib.aclosing(new_turn(exchange)) as turn:
        async for event in turn:
            if isinstance(event, Delta):
                row = store.messages(store.list_chats()[0].id)[-1]
                assert (row.content, row.status) == ("", "streaming")
    assert store.messages(store.list_chats()[0].id)[-1].content == LONG_REPLY


async def test_a_failed_save_is_reported_and_the_reply_goes_on(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange_module, "SAVE_INTERVAL", 0.0)
    sim.script_reply("one two three four five six")
    events: list[ChatEvent] = []
    async for event in new_turn(exchange):
        events.append(event)
        if isinstance(event, Delta) and len(answer_of(events)) > 5:
            store.close()
    assert any(isinstance(event, NotSaved) for event in events)
    end = only_end(events)
    assert isinstance(end, Finished)
    assert "closed" in end.save_error
    assert answer_of(events) == "one two three four five six"


# -- stopped --------------------------------------------------------------------------------------


async def test_cancelling_mid_stream_saves_what_arrived_as_stopped(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.01
    sim.script_reply(LONG_REPLY)
    some_text = asyncio.Event()
    replies: list[ActiveReply] = []

    async def read() -> None:
        async with contextlib.aclosing(new_turn(exchange)) as turn:
            async for event in turn:
                if isinstance(event, Started):
                    replies.append(event.reply)
                if isinstance(event, Delta) and len(replies[0].text()[1]) > 20:
                    some_text.set()

    task = asyncio.create_task(read())
    await some_text.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reply = store.messages(store.list_chats()[0].id)[-1]
    assert reply.status == "stopped"
    assert 20 < len(reply.content) < len(LONG_REPLY)
    assert LONG_REPLY.startswith(reply.content)
    assert isinstance(replies[0].end, Stopped)
    assert exchange.active is None


async def test_leaving_the_turn_early_saves_the_reply_as_stopped(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.script_reply(LONG_REPLY)
    turn = new_turn(exchange)
    async with contextlib.aclosing(turn):
        async for event in turn:
            if isinstance(event, Delta):
                break
    reply = store.messages(store.list_chats()[0].id)[-1]
    assert (reply.status, reply.content) == ("stopped", "one")


async def test_text_held_back_as_a_possible_tag_is_saved_however_the_reply_ends(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    # "  <thi" could still become "<think>": the splitter holds it until the stream ends.
    sim.script_reply("  <thi")
    sim.inject(Fault("/api/chat", drop_after_chunks=3))
    events = await collect(new_turn(exchange))
    assert isinstance(only_end(events), Failed)
    assert answer_of(events) == "  <thi"
    assert store.messages(store.list_chats()[0].id)[-1].content == "  <thi"


async def test_text_held_back_when_the_reply_stops_is_saved_and_handed_over(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.script_reply("<think>one </think>answer")
    turn = new_turn(exchange, "think")
    thinking = ""
    async with contextlib.aclosing(turn):
        async for event in turn:
            if isinstance(event, Started):
                reply = event.reply
            if isinstance(event, Delta):
                thinking += event.thinking
                if thinking == "one ":
                    break  # "</" is held back: it may be the start of "</think>"
    assert isinstance(reply.end, Stopped)
    assert reply.end.tail == Delta("</", "")
    saved = store.messages(store.list_chats()[0].id)[-1]
    assert (saved.status, saved.thinking, saved.content) == ("stopped", "one </", "")


async def test_stopping_before_the_request_leaves_no_reply_marked_streaming(
    client: OllamaClient, store: Store, sim: SimulatedOllama
) -> None:
    asked = asyncio.Event()

    async def model_info(model: str) -> ModelInfo | None:
        asked.set()  # next, the reply's row is added in a thread
        return None

    exchange = ChatExchange(client, store, model_info=model_info)
    task = asyncio.create_task(collect(new_turn(exchange)))
    await asked.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert rows(store, store.list_chats()[0].id) == [
        ("user", "hello", "complete"),
        ("assistant", "", "stopped"),
    ]
    assert chat_requests(sim) == []


async def test_closing_the_exchange_saves_the_reply_at_once(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.01
    sim.script_reply(LONG_REPLY)
    turn = new_turn(exchange)
    async for event in turn:
        active = exchange.active
        if isinstance(event, Delta) and active is not None and len(active.text()[1]) > 20:
            break
    kept = exchange.active
    assert kept is not None
    # The app is closing: nothing may wait for the reading task.
    exchange.close()
    saved = store.messages(store.list_chats()[0].id)[-1]
    assert saved.status == "stopped"
    assert saved.content == kept.text()[1]
    assert exchange.active is None
    # Closing the turn afterwards changes nothing that was saved.
    await turn.aclose()
    assert store.messages(store.list_chats()[0].id)[-1] == saved


# -- failed ---------------------------------------------------------------------------------------


async def test_an_error_line_mid_stream_fails_the_reply_and_keeps_the_text(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.script_reply("one two three four five six seven eight")
    sim.inject(Fault("/api/chat", error_after_chunks=4, message="runner crashed: out of memory"))
    events = await collect(new_turn(exchange))
    end = only_end(events)
    assert isinstance(end, Failed)
    assert end.error == "runner crashed: out of memory"
    reply = store.messages(store.list_chats()[0].id)[-1]
    assert (reply.status, reply.error, reply.content) == (
        "failed",
        "runner crashed: out of memory",
        "one two three four",
    )


async def test_an_http_error_fails_the_reply_in_the_servers_words(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.inject(Fault("/api/chat", status=500, message="llama runner process has terminated"))
    events = await collect(new_turn(exchange))
    end = only_end(events)
    assert isinstance(end, Failed)
    assert not isinstance(end, ModelMissing)
    assert end.error == "Ollama error 500: llama runner process has terminated"
    assert rows(store, store.list_chats()[0].id) == [
        ("user", "hello", "complete"),
        ("assistant", "", "failed"),
    ]


async def test_a_dropped_connection_fails_the_reply_and_keeps_the_text(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    sim.script_reply("one two three four five six")
    sim.inject(Fault("/api/chat", drop_after_chunks=3))
    events = await collect(new_turn(exchange))
    end = only_end(events)
    assert isinstance(end, Failed)
    assert end.error is not None
    assert end.error.startswith("Connection to Ollama lost")
    reply = store.messages(store.list_chats()[0].id)[-1]
    assert (reply.status, reply.content) == ("failed", "one two three")
    assert reply.error == end.error


async def test_an_unreachable_server_fails_the_reply_and_says_how_to_start_it(
    store: Store,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with OllamaClient(url) as client:
        exchange = ChatExchange(client, store)
        events = await collect(new_turn(exchange, "anyone there?"))
    end = only_end(events)
    assert isinstance(end, Failed)
    assert isinstance(end.cause, OllamaUnavailableError)
    assert end.error is not None
    assert "Cannot reach Ollama" in end.error
    assert "ollama serve" in end.error
    assert rows(store, store.list_chats()[0].id) == [
        ("user", "anyone there?", "complete"),
        ("assistant", "", "failed"),
    ]


async def test_a_missing_model_fails_the_reply_and_names_the_model(
    exchange: ChatExchange, store: Store
) -> None:
    events = await collect(new_turn(exchange, model="nosuchmodel"))
    end = only_end(events)
    assert isinstance(end, ModelMissing)
    assert end.model == "nosuchmodel"
    assert end.error is not None
    assert "model 'nosuchmodel' not found" in end.error
    assert rows(store, store.list_chats()[0].id) == [
        ("user", "hello", "complete"),
        ("assistant", "", "failed"),
    ]


# -- regenerate and edit ------------------------------------------------------------------------


async def saved_chat(exchange: ChatExchange, sim: SimulatedOllama) -> ChatRecord:
    sim.script_reply("first take")
    events = await collect(new_turn(exchange, "question"))
    return next(event for event in events if isinstance(event, PromptSaved)).chat


async def test_regenerate_drops_the_last_reply_and_asks_again(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    chat = await saved_chat(exchange, sim)
    old = store.messages(chat.id)[-1]
    last = await exchange.drop_last_reply(chat.id)
    assert last == old
    assert rows(store, chat.id) == [("user", "question", "complete")]
    sim.script_reply("second take")
    events = await collect(exchange.reply(chat, "llama3.2"))
    assert isinstance(only_end(events), Finished)
    assert rows(store, chat.id) == [
        ("user", "question", "complete"),
        ("assistant", "second take", "complete"),
    ]
    assert chat_requests(sim)[-1]["messages"] == [{"role": "user", "content": "question"}]


async def test_regenerate_keeps_a_prompt_without_a_reply(
    exchange: ChatExchange, store: Store
) -> None:
    chat = store.create_chat(title="t", model="llama3.2")
    assert await exchange.drop_last_reply(chat.id) is None
    prompt = store.add_message(chat.id, "user", "unanswered")
    assert await exchange.drop_last_reply(chat.id) == prompt
    assert rows(store, chat.id) == [("user", "unanswered", "complete")]


async def test_editing_the_last_prompt_replaces_the_last_exchange(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    chat = await saved_chat(exchange, sim)
    last = await exchange.last_prompt(chat.id)
    assert last is not None
    assert last.content == "question"
    sim.script_reply("better answer")
    events = await collect(
        exchange.send(chat, ChatDraft(), "better question", [], model="x", replace_from=last.id)
    )
    saved = next(event for event in events if isinstance(event, PromptSaved))
    assert (saved.created, saved.replaced_from) == (False, last.id)
    assert rows(store, chat.id) == [
        ("user", "better question", "complete"),
        ("assistant", "better answer", "complete"),
    ]
    # The chat's own model wins over the one passed in.
    assert chat_requests(sim)[-1]["model"] == "llama3.2"


# -- tools ----------------------------------------------------------------------------------------

TOOLS = (
    '[{"type": "function", "function": {"name": "get_weather", "description": "Weather",'
    ' "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]'
)


async def test_tool_calls_are_yielded_saved_and_results_sent_back(
    exchange: ChatExchange, store: Store, sim: SimulatedOllama
) -> None:
    draft = ChatDraft(model="llama3.2", tools=TOOLS)
    events = await collect(exchange.send(None, draft, "weather in Tokyo?", [], model="llama3.2"))
    calls = [event for event in events if isinstance(event, ToolCalls)]
    assert len(calls) == 1 and calls[0].calls[0]["function"] == {
        "index": 0,
        "name": "get_weather",
        "arguments": {"city": "Tokyo"},
    }
    assert isinstance(only_end(events), Finished)
    chat = store.list_chats()[0]
    assert chat.tools == TOOLS
    reply = store.messages(chat.id)[-1]
    assert reply.tool_calls == list(calls[0].calls)
    # A result that is not the last one is only saved; the last one asks for the reply.
    first = await collect(
        exchange.send(
            chat, draft, "sunny", [], model="llama3.2", tool_name="get_weather", ask=False
        )
    )
    assert [type(event) for event in first] == [PromptSaved]
    assert len(chat_requests(sim)) == 1
    await collect(exchange.send(chat, draft, "24 C", [], model="llama3.2", tool_name="get_weather"))
    messages = chat_requests(sim)[-1]["messages"]
    assert messages[1:] == [
        {"role": "assistant", "content": "", "tool_calls": reply.tool_calls},
        {"role": "tool", "content": "sunny", "tool_name": "get_weather"},
        {"role": "tool", "content": "24 C", "tool_name": "get_weather"},
    ]
    assert "24 C" in store.messages(chat.id)[-1].content
