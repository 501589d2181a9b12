"""Tools: checking a chat's tool list, and the history around tool calls and results."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tui_app.api import ModelDetails, ModelInfo
from tui_app.core.chat_session import (
    history_messages,
    pending_tool_results,
    reads_images,
    tool_calls_text,
    tools_of,
    tools_problem,
)
from tui_app.core.export import chat_to_markdown
from tui_app.records import MessageRecord
from tui_app.store import Store

GOOD: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get weather",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {"city": {"type": "string"}},
        },
    },
}

CALL: dict[str, object] = {
    "function": {"index": 0, "name": "get_weather", "arguments": {"city": "Tokyo"}}
}


def record(role: str, content: str = "", **fields: Any) -> MessageRecord:
    values: dict[str, Any] = {
        "id": 1,
        "chat_id": 1,
        "role": role,
        "content": content,
        "thinking": "",
        "images": [],
        "stats": {},
        "status": "complete",
        "error": None,
        "model": None,
        "created_at": 0.0,
    }
    values.update(fields)
    return MessageRecord(**values)


def test_a_good_tool_list_passes() -> None:
    assert tools_problem(json.dumps([GOOD])) is None
    assert tools_problem("[]") is None


@pytest.mark.parametrize(
    ("tools", "reason"),
    [
        ("{", "Not JSON"),
        (json.dumps(GOOD), "must be a JSON list"),
        (json.dumps([1]), "Tool 1 is not an object"),
        (json.dumps([{**GOOD, "type": "fn"}]), '"type" must be "function"'),
        (json.dumps([{"type": "function"}]), '"function" must be an object'),
        (
            json.dumps([{**GOOD, "function": {**GOOD["function"], "name": " "}}]),
            '"function.name" must be a non-blank string',
        ),
        (
            json.dumps([{**GOOD, "function": {**GOOD["function"], "description": 3}}]),
            '"function.description" must be a string',
        ),
        (
            json.dumps([{**GOOD, "function": {**GOOD["function"], "parameters": []}}]),
            '"function.parameters" must be an object',
        ),
        (
            json.dumps(
                [{**GOOD, "function": {**GOOD["function"], "parameters": {"type": "string"}}}]
            ),
            '"parameters.type" must be "object"',
        ),
        (json.dumps([GOOD, GOOD]), "used twice"),
    ],
)
def test_bad_tool_lists_say_why(tools: str, reason: str) -> None:
    problem = tools_problem(tools)
    assert problem is not None and reason in problem


def test_tools_of_reads_the_stored_text() -> None:
    assert tools_of(None) is None
    assert tools_of("[]") is None
    assert tools_of(json.dumps([GOOD])) == [GOOD]


def test_history_carries_tool_calls_and_results() -> None:
    records = [
        record("user", "weather in Tokyo?"),
        record("assistant", "", tool_calls=[CALL]),
        record("tool", "sunny", tool_name="get_weather"),
    ]
    assert [m.to_json() for m in history_messages(records, None)] == [
        {"role": "user", "content": "weather in Tokyo?"},
        {"role": "assistant", "content": "", "tool_calls": [CALL]},
        {"role": "tool", "content": "sunny", "tool_name": "get_weather"},
    ]


def test_a_failed_reply_with_calls_is_left_out() -> None:
    records = [record("assistant", "", tool_calls=[CALL], status="failed")]
    assert history_messages(records, None) == []


def test_pending_results_follow_the_last_reply_with_calls() -> None:
    second = {"function": {"index": 1, "name": "get_time", "arguments": {}}}
    asked = [record("user", "q"), record("assistant", "", tool_calls=[CALL, second])]
    assert pending_tool_results(asked) == ["get_weather", "get_time"]
    one = [*asked, record("tool", "sunny", tool_name="get_weather")]
    assert pending_tool_results(one) == ["get_time"]
    both = [*one, record("tool", "noon", tool_name="get_time")]
    assert pending_tool_results(both) == []
    assert pending_tool_results([*asked, record("user", "never mind")]) == []
    assert pending_tool_results([record("assistant", "", tool_calls=[CALL], status="failed")]) == []


def test_calls_as_text_are_name_and_indented_json() -> None:
    assert tool_calls_text([CALL]) == '→ call get_weather\n{\n  "city": "Tokyo"\n}'


def test_the_store_keeps_calls_tool_names_and_chat_tools(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with Store.open(path) as store:
        chat = store.create_chat(title="t", tools=json.dumps([GOOD]))
        reply = store.add_message(chat.id, "assistant", "", status="streaming")
        store.update_message(reply.id, status="complete", tool_calls=[CALL])
        store.add_message(chat.id, "tool", "sunny", tool_name="get_weather")
        with pytest.raises(ValueError, match="JSON list"):
            store.update_chat(chat.id, tools='{"type": "function"}')
    with Store.open(path) as store:
        saved = store.get_chat(chat.id)
        assert saved is not None and saved.tools == json.dumps([GOOD])
        saved_reply, result = store.messages(chat.id)
        assert saved_reply.tool_calls == [CALL]
        assert (result.role, result.tool_name, result.tool_calls) == ("tool", "get_weather", [])
        assert store.update_chat(chat.id, tools=None).tools is None


def test_whether_a_model_reads_images() -> None:
    assert reads_images(None) is None
    assert reads_images(ModelInfo(capabilities=("completion", "vision"))) is True
    assert reads_images(ModelInfo(capabilities=("completion",))) is False
    # An older server lists no capabilities: the projector, the keys or the family tell.
    assert reads_images(ModelInfo(projector_info={"clip.has_vision_encoder": True})) is True
    assert reads_images(ModelInfo(model_info={"mllama.vision.block_count": 32})) is True
    assert reads_images(ModelInfo(details=ModelDetails(families=("llama", "clip")))) is True
    assert reads_images(ModelInfo(model_info={"llama.block_count": 28})) is None


def test_an_export_shows_the_calls_and_whose_result_a_tool_message_is(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.db") as store:
        chat = store.create_chat(title="t")
        store.add_message(chat.id, "assistant", "", tool_calls=[CALL])
        store.add_message(chat.id, "tool", "sunny", tool_name="get_weather")
        text = chat_to_markdown(chat, store.messages(chat.id), tz=dt.UTC)
    assert '```text\n→ call get_weather\n{\n  "city": "Tokyo"\n}\n```' in text
    assert "## Tool (get_weather) · " in text
