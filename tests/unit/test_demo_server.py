"""The simulated Ollama speaks Ollama's wire format, in process and over a loopback socket."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tui_app.demo import (
    Fault,
    SimModel,
    SimulatedOllama,
    SimulatedServer,
    default_catalog,
    main,
    many_models,
)

START = 1_759_300_000.25
PDT = dt.timezone(dt.timedelta(hours=-7))
CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?-07:00$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FakeClock:
    """A settable replacement for ``time.time``."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> SimulatedOllama:
    return SimulatedOllama(token_delay=0, clock=clock, pull_tick=0, pull_rate=1e9, tz=PDT)


@pytest.fixture(params=["transport", pytest.param("socket", marks=pytest.mark.live_server)])
async def client(request: pytest.FixtureRequest, sim: SimulatedOllama) -> AsyncIterator[Any]:
    if request.param == "transport":
        async with httpx.AsyncClient(
            transport=sim.transport(), base_url="http://ollama.test"
        ) as http:
            yield http
    else:
        with sim.serve() as server:
            async with httpx.AsyncClient(
                base_url=server.url, trust_env=False, verify=False
            ) as http:
                yield http


async def ndjson(client: httpx.AsyncClient, path: str, body: Any) -> list[dict[str, Any]]:
    async with client.stream("POST", path, json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        raw = await response.aread()
    text = raw.decode()
    assert text.endswith("\n")
    assert "\n\n" not in text
    return [json.loads(line) for line in text.splitlines()]


def chat_body(model: str = "llama3.2", prompt: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}


# --- basics -----------------------------------------------------------------------------------


async def test_health_get_and_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "Ollama is running"
    head = await client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len("Ollama is running"))


async def test_version(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/version")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.content == b'{"version":"0.12.3"}'


async def test_unknown_path_is_plain_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain"
    assert response.text == "404 page not found"


async def test_wrong_method_is_plain_405(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/chat")
    assert response.status_code == 405
    assert response.headers["content-type"] == "text/plain"
    assert response.text == "405 method not allowed"
    assert (await client.post("/api/delete", json={"model": "x"})).status_code == 405


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "missing request body"),
        (b"  \n", "missing request body"),
        (b"xyz", "invalid character 'x' looking for beginning of value"),
        (b"{x", "invalid character 'x' looking for beginning of object key string"),
        (b'{"model":"a" "b"}', "invalid character '\"' after object key:value pair"),
        (b'{"model":', "unexpected EOF"),
        (b"[1]", "json: cannot unmarshal array into Go value of type api.ChatRequest"),
        (
            b'{"model":5}',
            "json: cannot unmarshal number into Go struct field ChatRequest.model of type string",
        ),
        (
            b'{"model":"llama3.2","stream":"yes"}',
            "json: cannot unmarshal string into Go struct field ChatRequest.stream of type bool",
        ),
    ],
)
async def test_bad_bodies_are_400_with_go_messages(
    client: httpx.AsyncClient, body: bytes, message: str
) -> None:
    response = await client.post("/api/chat", content=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"error": message}


async def test_null_body_decodes_as_empty_request(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/chat", content=b"null")
    assert (response.status_code, response.json()) == (400, {"error": "model is required"})


async def test_requests_are_recorded(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    await client.post("/api/show", json={"model": "llama3.2"}, headers={"X-Probe": "1"})
    recorded = sim.requests[-1]
    assert (recorded.method, recorded.path) == ("POST", "/api/show")
    assert recorded.body == {"model": "llama3.2"}
    assert recorded.headers["x-probe"] == "1"
    assert recorded.headers["content-type"] == "application/json"


# --- tags, ps, show ---------------------------------------------------------------------------


async def test_tags_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tags")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    models = response.json()["models"]
    names = [m["name"] for m in models]
    for expected in ["llama3.2:latest", "qwen3:8b", "llava:7b", "nomic-embed-text:latest"]:
        assert expected in names
    first = models[0]
    assert list(first) == [
        "name",
        "model",
        "modified_at",
        "size",
        "digest",
        "details",
        "capabilities",
    ]
    assert list(first["details"])[:6] == [
        "parent_model",
        "format",
        "family",
        "families",
        "parameter_size",
        "quantization_level",
    ]
    stamps = [dt.datetime.fromisoformat(re.sub(r"\.\d+", "", m["modified_at"])) for m in models]
    assert stamps == sorted(stamps, reverse=True)
    for model in models:
        assert model["name"] == model["model"]
        assert HEX64.match(model["digest"])
        assert LOCAL_TIME.match(model["modified_at"]), model["modified_at"]
    by_name = {m["name"]: m for m in models}
    llama = by_name["llama3.2:latest"]
    assert llama["size"] == 2019393189
    assert llama["capabilities"] == ["completion", "tools"]
    assert llama["details"]["parameter_size"] == "3.2B"
    assert llama["details"]["context_length"] == 131072
    assert by_name["qwen3:8b"]["capabilities"] == ["completion", "tools", "thinking"]
    assert by_name["nomic-embed-text:latest"]["capabilities"] == ["embedding"]
    assert by_name["gemma3:1b"]["details"]["families"] is None
    assert '"families":null' in response.text


async def test_tags_empty_is_an_array() -> None:
    sim = SimulatedOllama(models=[], token_delay=0)
    async with httpx.AsyncClient(transport=sim.transport(), base_url="http://t") as client:
        assert (await client.get("/api/tags")).content == b'{"models":[]}'
        assert (await client.get("/api/ps")).content == b'{"models":[]}'


async def test_ps_lists_loaded_models_latest_expiry_first(client: httpx.AsyncClient) -> None:
    await client.post("/api/chat", json={"model": "llama3.2", "keep_alive": "1m"})
    await client.post("/api/generate", json={"model": "qwen3:8b", "keep_alive": "10m"})
    response = await client.get("/api/ps")
    models = response.json()["models"]
    assert [m["name"] for m in models] == ["qwen3:8b", "llama3.2:latest"]
    qwen = models[0]
    assert list(qwen) == [
        "name",
        "model",
        "size",
        "digest",
        "details",
        "expires_at",
        "size_vram",
        "context_length",
    ]
    assert "context_length" not in qwen["details"]
    assert qwen["context_length"] == 4096
    assert LOCAL_TIME.match(qwen["expires_at"])
    # qwen3:8b is partially offloaded: about 65% of it in VRAM.
    assert 0.6 < qwen["size_vram"] / qwen["size"] < 0.7
    assert models[1]["size_vram"] == models[1]["size"]
    assert models[1]["expires_at"].startswith("2025-09-30T23:27:40.25")


async def test_ps_expiry_follows_the_clock(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await client.post("/api/chat", json={"model": "llama3.2", "keep_alive": "1m"})
    assert len((await client.get("/api/ps")).json()["models"]) == 1
    clock.advance(59)
    assert len((await client.get("/api/ps")).json()["models"]) == 1
    clock.advance(2)
    assert (await client.get("/api/ps")).json() == {"models": []}


async def test_default_keep_alive_is_five_minutes(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await ndjson(client, "/api/chat", chat_body())
    clock.advance(299)
    assert len((await client.get("/api/ps")).json()["models"]) == 1
    clock.advance(2)
    assert (await client.get("/api/ps")).json()["models"] == []


async def test_keep_alive_forever_expires_around_2318(client: httpx.AsyncClient) -> None:
    await client.post("/api/chat", json={"model": "gemma3:1b", "keep_alive": -1})
    (model,) = (await client.get("/api/ps")).json()["models"]
    assert model["expires_at"].startswith("2318-")


async def test_num_ctx_is_reported_in_ps(client: httpx.AsyncClient) -> None:
    await client.post("/api/chat", json={"model": "llama3.2", "options": {"num_ctx": 8192}})
    (model,) = (await client.get("/api/ps")).json()["models"]
    assert model["context_length"] == 8192


async def test_show_full_response(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/show", json={"model": "Llama3.2"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    show = response.json()
    assert list(show) == [
        "license",
        "modelfile",
        "parameters",
        "template",
        "details",
        "model_info",
        "tensors",
        "capabilities",
        "modified_at",
    ]
    assert show["license"].startswith("LLAMA 3.2 COMMUNITY LICENSE AGREEMENT")
    assert show["modelfile"].startswith(
        '# Modelfile generated by "ollama show"\n'
        "# To build a new Modelfile based on this, replace FROM with:\n"
        "# FROM llama3.2:latest\n\nFROM /root/.ollama/models/blobs/sha256-"
    )
    lines = show["parameters"].split("\n")
    assert sorted(lines) == sorted(
        f"{'stop':<30} {json.dumps(stop)}"
        for stop in ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    )
    info = show["model_info"]
    assert info["general.architecture"] == "llama"
    assert info["llama.context_length"] == 131072
    assert info["tokenizer.ggml.tokens"] == []
    assert list(info) == sorted(info)
    assert show["capabilities"] == ["completion", "tools"]
    assert "context_length" not in show["details"]
    assert LOCAL_TIME.match(show["modified_at"])


async def test_show_escapes_html_characters(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/show", json={"model": "llama3.2"})
    assert "\\u003c|eot_id|\\u003e" in response.text
    assert "<" not in response.text and ">" not in response.text and "&" not in response.text
    assert "<|eot_id|>" in response.json()["template"]


async def test_show_system_and_verbose(client: httpx.AsyncClient) -> None:
    show = (
        await client.post("/api/show", json={"model": "qwen3:8b", "verbose": True, "system": "Hi"})
    ).json()
    assert show["system"] == "Hi"
    assert show["model_info"]["tokenizer.ggml.tokens"] != []
    assert show["capabilities"] == ["completion", "tools", "thinking"]
    llava = (await client.post("/api/show", json={"model": "llava:7b"})).json()
    assert llava["capabilities"] == ["completion", "vision"]
    assert llava["projector_info"]["clip.has_vision_encoder"] is True


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"model": "llama9"}, 404, "model 'llama9:latest' not found"),
        ({"model": ""}, 400, "model is required"),
        ({}, 400, "model is required"),
        ({"model": "bad name!"}, 400, "invalid model name"),
        ({"name": "llama9:1b"}, 404, "model 'llama9:1b' not found"),
    ],
)
async def test_show_errors(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = await client.post("/api/show", json=body)
    assert (response.status_code, response.json()) == (status, {"error": message})


async def test_go_client_empty_fields_are_accepted(client: httpx.AsyncClient) -> None:
    body = {"model": "llama3.2", "system": "", "template": "", "verbose": False, "options": None}
    assert (await client.post("/api/show", json={**body, "name": ""})).status_code == 200
    generate = {"model": "llama3.2", "prompt": "hi", "system": "", "options": None, "stream": False}
    assert (await client.post("/api/generate", json=generate)).status_code == 200


# --- chat and generate ------------------------------------------------------------------------


async def test_chat_stream_framing_and_final_chunk(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.script_reply("Hello there, friend! <b>&</b>")
    chunks = await ndjson(client, "/api/chat", chat_body())
    *parts, final = chunks
    assert len(parts) > 3
    for chunk in parts:
        assert list(chunk) == ["model", "created_at", "message", "done"]
        assert chunk["model"] == "llama3.2"
        assert chunk["done"] is False
        assert chunk["message"]["role"] == "assistant"
        assert CREATED_AT.match(chunk["created_at"])
    assert "".join(c["message"]["content"] for c in parts) == "Hello there, friend! <b>&</b>"
    assert final["done"] is True
    assert final["done_reason"] == "stop"
    assert final["message"] == {"role": "assistant", "content": ""}
    assert final["eval_count"] == len(parts)
    for key in ["total_duration", "load_duration", "prompt_eval_count", "eval_duration"]:
        assert isinstance(final[key], int) and final[key] > 0
    assert list(final)[:5] == ["model", "created_at", "message", "done", "done_reason"]


async def test_stream_escapes_html_characters(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.script_reply("<b>&</b>")
    async with client.stream("POST", "/api/chat", json=chat_body()) as response:
        raw = (await response.aread()).decode()
    assert "\\u003c" in raw and "\\u0026" in raw and "\\u003e" in raw
    assert "<" not in raw and "&" not in raw


async def test_chat_default_stream_is_true_and_false_gives_one_object(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.script_reply("One two three.", thinking="hmm, let me see")
    response = await client.post("/api/chat", json=chat_body("qwen3:8b", stream=False))
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    reply = response.json()
    assert reply["message"] == {
        "role": "assistant",
        "content": "One two three.",
        "thinking": "hmm, let me see",
    }
    assert reply["done"] is True and reply["done_reason"] == "stop"
    assert reply["eval_count"] > 0


async def test_thinking_models_think_by_default(client: httpx.AsyncClient) -> None:
    chunks = await ndjson(client, "/api/chat", chat_body("qwen3:8b", "Explain tides"))
    thinking = [c for c in chunks if c["message"].get("thinking")]
    content = [c for c in chunks if c["message"]["content"]]
    assert thinking and content
    assert chunks.index(thinking[-1]) < chunks.index(content[0])
    assert all(c["message"]["content"] == "" for c in thinking)
    off = await ndjson(client, "/api/chat", chat_body("qwen3:8b", "Explain tides", think=False))
    assert not any("thinking" in c["message"] for c in off)


async def test_think_tags_inside_content_are_split_across_chunks(
    client: httpx.AsyncClient,
) -> None:
    chunks = await ndjson(
        client, "/api/chat", chat_body("qwen3:8b", "show think tags", think=False)
    )
    pieces = [c["message"]["content"] for c in chunks]
    text = "".join(pieces)
    assert text.startswith("<think>\n") and "</think>" in text
    assert "<think>" not in pieces and not any("</think>" in piece for piece in pieces)


async def test_num_predict_cuts_the_reply_with_length(client: httpx.AsyncClient) -> None:
    body = chat_body("llama3.2", "Write python code", options={"num_predict": 5})
    chunks = await ndjson(client, "/api/chat", body)
    assert len(chunks) == 6
    assert chunks[-1]["done_reason"] == "length"
    assert chunks[-1]["eval_count"] == 5


async def test_reply_tokens_makes_replies_exactly_n_tokens(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.reply_tokens = 2000
    chunks = await ndjson(client, "/api/chat", chat_body())
    assert len(chunks) == 2001
    assert chunks[-1]["eval_count"] == 2000
    text = "".join(c["message"]["content"] for c in chunks)
    assert "## Part" in text and "```" in text and "|---|" in text


async def test_reply_shapes_for_the_benchmarks(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.reply_tokens = 300
    sim.end_marker = "Zzend"
    sim.reply_shape = "code"
    chunks = await ndjson(client, "/api/chat", chat_body())
    text = "".join(c["message"]["content"] for c in chunks)
    code = text.split("```python\n")[1].split("```")[0]
    assert len(code.splitlines()) == 300
    assert text.endswith("```\n\nZzend")  # the marker comes after the fence closes
    sim.reply_shape = "thinking"
    chunks = await ndjson(client, "/api/chat", chat_body())
    thinking = [c for c in chunks if c["message"].get("thinking")]
    assert len(thinking) == 300
    assert chunks.index(thinking[-1]) < min(
        index for index, c in enumerate(chunks) if c["message"]["content"]
    )


def test_tokens_per_second_keeps_to_a_schedule() -> None:
    sim = SimulatedOllama(token_delay=1.0, reply_tokens=50)
    sim.tokens_per_second = 500.0
    sim.load_delay = 0.0
    response = sim.handle("POST", "/api/chat", json.dumps(chat_body()).encode(), {})
    items = list(response.body)
    lines = [item for item in items if isinstance(item, bytes)]
    pauses = [item for item in items if isinstance(item, float)]
    assert len(lines) == 51
    # Each wait is what is left until the token's slot on the 2 ms schedule, never the
    # 1 s token delay; the body is read here without sleeping, so slots are still ahead.
    assert pauses and max(pauses) <= 50 / 500.0


async def test_canned_replies_are_deterministic_markdown(client: httpx.AsyncClient) -> None:
    async def reply(prompt: str) -> str:
        response = await client.post("/api/chat", json=chat_body(prompt=prompt, stream=False))
        return str(response.json()["message"]["content"])

    assert await reply("Why is the sky blue?") == await reply("Why is the sky blue?")
    assert "```python" in await reply("show me some code")
    assert "|---|" in await reply("compare databases in a table")


async def test_load_and_unload_replies(client: httpx.AsyncClient) -> None:
    load = await client.post("/api/chat", json={"model": "llama3.2"})
    assert load.headers["content-type"] == "application/json; charset=utf-8"
    body = load.json()
    assert body["message"] == {"role": "assistant", "content": ""}
    assert (body["done"], body["done_reason"], body["model"]) == (True, "load", "llama3.2")
    assert len((await client.get("/api/ps")).json()["models"]) == 1
    unload = await client.post(
        "/api/generate", json={"model": "llama3.2", "keep_alive": 0, "stream": True}
    )
    assert unload.json()["done_reason"] == "unload"
    assert unload.json()["response"] == ""
    assert (await client.get("/api/ps")).json()["models"] == []


async def test_keep_alive_zero_unloads_after_the_reply(client: httpx.AsyncClient) -> None:
    await ndjson(client, "/api/chat", chat_body(keep_alive=0))
    assert (await client.get("/api/ps")).json()["models"] == []


async def test_cold_load_reports_load_duration(client: httpx.AsyncClient) -> None:
    cold = (await ndjson(client, "/api/chat", chat_body()))[-1]
    warm = (await ndjson(client, "/api/chat", chat_body()))[-1]
    assert cold["load_duration"] > warm["load_duration"] > 0


async def test_generate_stream_and_context(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.script_reply("Paris is the capital.")
    chunks = await ndjson(client, "/api/generate", {"model": "LLAMA3.2", "prompt": "Capital?"})
    *parts, final = chunks
    assert all(list(c) == ["model", "created_at", "response", "done"] for c in parts)
    assert "".join(c["response"] for c in parts) == "Paris is the capital."
    assert final["model"] == "LLAMA3.2"
    assert list(final)[:6] == ["model", "created_at", "response", "done", "done_reason", "context"]
    assert all(isinstance(token, int) for token in final["context"])
    raw = await client.post(
        "/api/generate", json={"model": "llama3.2", "prompt": "x", "raw": True, "stream": False}
    )
    assert "context" not in raw.json()


async def test_generate_thinking_is_top_level(client: httpx.AsyncClient) -> None:
    reply = (
        await client.post(
            "/api/generate", json={"model": "qwen3:8b", "prompt": "hi", "stream": False}
        )
    ).json()
    assert reply["thinking"] and reply["response"]


async def test_tool_calls(client: httpx.AsyncClient) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather",
            "parameters": {
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string", "description": "City"}},
            },
        },
    }
    body = chat_body("llama3.2", "What is the weather in Tokyo?", tools=[tool])
    chunks = await ndjson(client, "/api/chat", body)
    calls = [c for c in chunks if c["message"].get("tool_calls")]
    assert len(calls) == 1 and calls[0]["done"] is False
    (call,) = calls[0]["message"]["tool_calls"]
    assert re.match(r"^call_[a-z0-9]{8}$", call["id"])
    assert call["function"] == {"index": 0, "name": "get_weather", "arguments": {"city": "Tokyo"}}
    assert chunks[-1]["done"] is True
    history = [
        {"role": "user", "content": "What is the weather in Tokyo?"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "content": "22°C", "tool_name": "get_weather"},
    ]
    reply = await client.post(
        "/api/chat",
        json={"model": "llama3.2", "messages": history, "tools": [tool], "stream": False},
    )
    assert "22°C" in reply.json()["message"]["content"]
    no_tools = await client.post("/api/chat", json={**body, "model": "gemma3:1b"})
    assert no_tools.status_code == 400
    assert no_tools.json() == {
        "error": "registry.ollama.ai/library/gemma3:1b does not support tools"
    }


async def test_json_format_replies_with_json(client: httpx.AsyncClient) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    }
    reply = await client.post(
        "/api/chat", json=chat_body(prompt="Tell me about Ada", format=schema, stream=False)
    )
    assert set(json.loads(reply.json()["message"]["content"])) == {"name", "age"}


async def test_invalid_format_is_500_before_the_stream(client: httpx.AsyncClient) -> None:
    expected = {
        "error": 'invalid format: "\\"xml\\""; expected "json" or a valid JSON Schema object'
    }
    streamed = await client.post("/api/chat", json=chat_body(format="xml"))
    assert streamed.status_code == 500
    assert streamed.headers["content-type"] == "application/json"
    assert streamed.json() == expected
    single = await client.post("/api/chat", json=chat_body(format="xml", stream=False))
    assert single.headers["content-type"] == "application/json; charset=utf-8"
    assert single.json() == expected


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/chat", {"messages": []}, 400, "model is required"),
        ("/api/chat", chat_body("llama9"), 404, "model 'llama9' not found"),
        ("/api/chat", chat_body("bad name!"), 400, "invalid model name"),
        ("/api/generate", {"prompt": "x"}, 404, "model '' not found"),
        ("/api/generate", {"model": "llama9", "prompt": "x"}, 404, "model 'llama9' not found"),
        (
            "/api/chat",
            chat_body("nomic-embed-text"),
            400,
            '"nomic-embed-text" does not support chat',
        ),
        (
            "/api/generate",
            {"model": "nomic-embed-text", "prompt": "x"},
            400,
            '"nomic-embed-text" does not support generate',
        ),
        ("/api/chat", chat_body(think=True), 400, '"llama3.2" does not support thinking'),
        (
            "/api/generate",
            {"model": "llama3.2", "think": "high"},
            400,
            '"llama3.2" does not support thinking',
        ),
        (
            "/api/chat",
            chat_body(think="extreme"),
            400,
            'invalid think value: "extreme" '
            '(must be "high", "medium", "low", "max", true, or false)',
        ),
        ("/api/chat", chat_body(keep_alive="300"), 400, 'time: missing unit in duration "300"'),
        ("/api/chat", chat_body(keep_alive="abc"), 400, 'time: invalid duration "abc"'),
        ("/api/chat", chat_body(keep_alive=True), 400, "Unsupported type: 'bool'"),
        (
            "/api/chat",
            chat_body(options={"temperature": "hot"}),
            500,
            'option "temperature" must be of type float32',
        ),
        (
            "/api/chat",
            chat_body(options={"num_ctx": "big"}),
            500,
            'option "num_ctx" must be of type integer',
        ),
        ("/api/chat", chat_body(top_logprobs=21), 400, "top_logprobs must be between 0 and 20"),
        (
            "/api/chat",
            {
                "model": "llava:7b",
                "messages": [{"role": "user", "images": ["data:image/png;base64,AA"]}],
            },
            400,
            "illegal base64 data at input byte 4",
        ),
        (
            "/api/generate",
            {"model": "llama3.2", "prompt": "x", "raw": True, "system": "s"},
            400,
            "raw mode does not support template, system, or context",
        ),
        (
            "/api/generate",
            {"model": "llama3.2", "prompt": "x", "suffix": "y"},
            400,
            "registry.ollama.ai/library/llama3.2:latest does not support insert",
        ),
    ],
)
async def test_generation_errors(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], status: int, message: str
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"error": message}


async def test_names_are_matched_case_insensitively_and_echoed(
    client: httpx.AsyncClient,
) -> None:
    reply = await client.post("/api/chat", json=chat_body("Llama3.2:LATEST", stream=False))
    assert reply.json()["model"] == "Llama3.2:LATEST"


async def test_images_reach_the_vision_model(client: httpx.AsyncClient) -> None:
    message = {"role": "user", "content": "What is this?", "images": ["iVBORw0KGgo="]}
    reply = await client.post(
        "/api/chat", json={"model": "llava:7b", "messages": [message], "stream": False}
    )
    assert "image" in reply.json()["message"]["content"]


async def test_stop_option_cuts_the_reply(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.script_reply("alpha beta STOP gamma")
    reply = await client.post("/api/chat", json=chat_body(options={"stop": ["STOP"]}, stream=False))
    assert reply.json()["message"]["content"] == "alpha beta "
    assert reply.json()["done_reason"] == "stop"


# --- pull, create, copy, delete ---------------------------------------------------------------


async def test_pull_progress_sequence(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    lines = await ndjson(client, "/api/pull", {"model": "mistral:7b"})
    assert lines[0] == {"status": "pulling manifest"}
    assert [line["status"] for line in lines[-3:]] == [
        "verifying sha256 digest",
        "writing manifest",
        "success",
    ]
    layers = default_catalog()["mistral:7b"].layers
    progress = lines[1:-3]
    digests = [line["digest"] for line in progress]
    # One layer at a time, in manifest order.
    order = list(dict.fromkeys(digests))
    # Every layer, one at a time, in manifest order.
    assert order == [d for d, _ in layers]
    big_digest, big_size = layers[0]
    # A tiny layer finishes inside the first tick and reports once, complete.
    for digest, size in layers[1:]:
        assert [(p["total"], p["completed"]) for p in progress if p["digest"] == digest] == [
            (size, size)
        ]
    for line in progress:
        assert list(line)[:3] == ["status", "digest", "total"]
        assert line["status"] == f"pulling {line['digest'][7:19]}"
        assert line.get("completed", 1) > 0
    assert "completed" not in progress[0]
    completed = [line.get("completed", 0) for line in progress if line["digest"] == big_digest]
    assert completed == sorted(completed)
    assert all(value <= big_size for value in completed)
    tags = (await client.get("/api/tags")).json()["models"]
    assert tags[0]["name"] == "mistral:7b"
    assert sim.installed("mistral:7b") is not None


async def test_pull_of_an_installed_model_is_all_cache_hits(client: httpx.AsyncClient) -> None:
    lines = await ndjson(client, "/api/pull", {"model": "llama3.2"})
    layers = default_catalog()["llama3.2:latest"].layers
    progress = lines[1:-3]
    assert [(p["digest"], p["total"], p["completed"]) for p in progress] == [
        (d, s, s) for d, s in layers
    ]


async def test_pull_non_streaming_returns_the_last_status(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/pull", json={"model": "phi4-mini", "stream": False})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"status":"success"}'


async def test_pull_unknown_model(client: httpx.AsyncClient) -> None:
    lines = await ndjson(client, "/api/pull", {"model": "nope:1b"})
    assert lines == [
        {"status": "pulling manifest"},
        {"error": "pull model manifest: file does not exist"},
    ]
    single = await client.post("/api/pull", json={"model": "nope:1b", "stream": False})
    assert single.status_code == 500
    assert single.headers["content-type"] == "application/json"
    assert single.json() == {"error": "pull model manifest: file does not exist"}


@pytest.mark.parametrize("name", ["", "bad name", "foo:", "/foo", "example.com/model"])
async def test_pull_invalid_name(client: httpx.AsyncClient, name: str) -> None:
    response = await client.post("/api/pull", json={"model": name})
    assert (response.status_code, response.json()) == (400, {"error": "invalid model name"})


async def test_pull_resumes_after_a_disconnect(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.pull_tick = 0.002
    sim.pull_rate = 5e9
    digest = default_catalog()["mistral:7b"].layers[0][0]
    seen = 0
    async with client.stream("POST", "/api/pull", json={"model": "mistral:7b"}) as response:
        async for line in response.aiter_lines():
            seen = json.loads(line).get("completed", 0)
            if seen > 0:
                break
    for _ in range(500):
        if digest not in sim.active_downloads():
            break
        await asyncio.sleep(0.01)
    assert digest not in sim.active_downloads()
    assert sim.blob_progress(digest) >= seen > 0
    sim.pull_tick = 0
    lines = await ndjson(client, "/api/pull", {"model": "mistral:7b"})
    first = next(line for line in lines if line.get("digest") == digest)
    assert first["completed"] > seen
    assert lines[-1] == {"status": "success"}


async def test_two_concurrent_pulls(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.pull_tick = 0.001
    sim.pull_rate = 200e9
    first, second = await asyncio.gather(
        ndjson(client, "/api/pull", {"model": "mistral:7b"}),
        ndjson(client, "/api/pull", {"model": "phi4-mini"}),
    )
    assert first[-1] == second[-1] == {"status": "success"}
    names = {m["name"] for m in (await client.get("/api/tags")).json()["models"]}
    assert {"mistral:7b", "phi4-mini:latest"} <= names


async def test_delete_then_pull_downloads_again(client: httpx.AsyncClient) -> None:
    deleted = await client.request("DELETE", "/api/delete", json={"model": "gemma3:1b"})
    assert deleted.status_code == 200
    assert deleted.content == b""
    assert deleted.headers["content-length"] == "0"
    lines = await ndjson(client, "/api/pull", {"model": "gemma3:1b"})
    assert "completed" not in lines[1]


async def test_create_from_existing_model(client: httpx.AsyncClient) -> None:
    body = {
        "model": "pirate",
        "from": "llama3.2",
        "system": "You are a pirate.",
        "parameters": {"temperature": 0.2},
    }
    lines = await ndjson(client, "/api/create", body)
    statuses = [line["status"] for line in lines]
    assert statuses[0].startswith("using existing layer sha256:")
    assert sum(s.startswith("creating new layer sha256:") for s in statuses) == 2
    assert statuses[-2:] == ["writing manifest", "success"]
    show = (await client.post("/api/show", json={"model": "pirate"})).json()
    assert show["system"] == "You are a pirate."
    assert show["details"]["parent_model"] == "llama3.2:latest"
    assert f"{'temperature':<30} 0.2" in show["parameters"].split("\n")
    single = await client.post(
        "/api/create", json={"model": "pirate2", "from": "pirate", "stream": False}
    )
    assert (single.headers["content-type"], single.json()) == (
        "application/json",
        {"status": "success"},
    )


async def test_create_errors(client: httpx.AsyncClient) -> None:
    neither = await client.post("/api/create", json={"model": "x"})
    assert neither.status_code == 400
    assert neither.headers["content-type"] == "application/json"
    assert neither.json() == {"error": "neither 'from' or 'files' was specified"}
    invalid = await client.post("/api/create", json={"model": "bad name", "from": "llama3.2"})
    assert (invalid.status_code, invalid.json()) == (400, {"error": "invalid model name"})
    missing = await ndjson(client, "/api/create", {"model": "x", "from": "nope:1b"})
    assert missing[-1] == {"error": "pull model manifest: file does not exist"}


async def test_copy(client: httpx.AsyncClient) -> None:
    copied = await client.post(
        "/api/copy", json={"source": "llama3.2", "destination": "llama3.2-backup"}
    )
    assert (copied.status_code, copied.content) == (200, b"")
    tags = {m["name"]: m for m in (await client.get("/api/tags")).json()["models"]}
    assert tags["llama3.2-backup:latest"]["digest"] == tags["llama3.2:latest"]["digest"]
    missing = await client.post("/api/copy", json={"source": "llama9", "destination": "x"})
    assert (missing.status_code, missing.json()) == (404, {"error": 'model "llama9" not found'})
    bad = await client.post("/api/copy", json={"source": "llama3.2", "destination": "x:"})
    assert (bad.status_code, bad.json()) == (400, {"error": 'destination "x:" is invalid'})


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"model": "llama9"}, 404, "model 'llama9' not found"),
        ({"model": ""}, 400, "model is required"),
        ({"model": "bad name"}, 400, 'name "bad name" is invalid'),
    ],
)
async def test_delete_errors(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = await client.request("DELETE", "/api/delete", json=body)
    assert (response.status_code, response.json()) == (status, {"error": message})


async def test_delete_removes_the_model(client: httpx.AsyncClient) -> None:
    await client.request("DELETE", "/api/delete", json={"model": "llava:7b", "name": ""})
    names = {m["name"] for m in (await client.get("/api/tags")).json()["models"]}
    assert "llava:7b" not in names


# --- embed ------------------------------------------------------------------------------------


async def test_embed(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/embed", json={"model": "nomic-embed-text", "input": ["a cat", "a cat", "stocks"]}
    )
    body = response.json()
    assert list(body)[:2] == ["model", "embeddings"]
    assert body["model"] == "nomic-embed-text"
    first, again, other = body["embeddings"]
    assert len(first) == 768
    assert first == again and first != other
    assert math.isclose(sum(v * v for v in first), 1.0, rel_tol=1e-4)
    assert body["prompt_eval_count"] > 0
    single = await client.post(
        "/api/embed", json={"model": "nomic-embed-text", "input": "x", "dimensions": 64}
    )
    assert len(single.json()["embeddings"][0]) == 64
    empty = await client.post("/api/embed", json={"model": "nomic-embed-text", "input": ""})
    assert empty.content == b'{"model":"nomic-embed-text","embeddings":[]}'


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"model": "x", "input": "hi"}, 404, 'model "x" not found, try pulling it first'),
        ({"model": "", "input": "hi"}, 404, "model '' not found"),
        ({"model": "nomic-embed-text", "input": 5}, 400, "invalid input type"),
        ({"model": "nomic-embed-text", "input": ["a", 1]}, 400, "invalid input type"),
    ],
)
async def test_embed_errors(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = await client.post("/api/embed", json=body)
    assert (response.status_code, response.json()) == (status, {"error": message})


# --- faults -----------------------------------------------------------------------------------


async def test_fault_status(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    busy = "server busy, please try again.  maximum pending requests exceeded"
    sim.inject(Fault("/api/chat", status=503, message=busy))
    response = await client.post("/api/chat", json=chat_body())
    assert (response.status_code, response.json()) == (503, {"error": busy})
    # Consumed: the next request is normal again.
    assert (await client.post("/api/chat", json=chat_body(stream=False))).status_code == 200


async def test_fault_only_matches_its_path(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.inject(Fault("/api/tags", status=500, message="model list cache unavailable"))
    assert (await client.get("/api/version")).status_code == 200
    response = await client.get("/api/tags")
    assert response.json() == {"error": "model list cache unavailable"}


async def test_fault_plain_text(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.inject(Fault("/api/ps", status=502, message="Bad Gateway", plain_text=True))
    response = await client.get("/api/ps")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Bad Gateway"


async def test_fault_error_after_chunks(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.inject(
        Fault("/api/chat", error_after_chunks=3, message="llama runner process has terminated")
    )
    lines = await ndjson(client, "/api/chat", chat_body())
    assert len(lines) == 4
    assert all(line["done"] is False for line in lines[:3])
    assert lines[3] == {"error": "llama runner process has terminated"}


async def test_fault_drop_after_chunks(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.inject(Fault("/api/chat", drop_after_chunks=2))
    received: list[str] = []
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        async with client.stream("POST", "/api/chat", json=chat_body()) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                received.append(line)
    assert len(received) <= 2
    assert not any('"done":true' in line for line in received)
    # The server (and the in-process transport) stay usable.
    assert (await client.get("/")).status_code == 200


async def test_fault_drop_on_a_pull_keeps_partial_progress(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.inject(Fault("/api/pull", drop_after_chunks=4))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await ndjson(client, "/api/pull", {"model": "mistral:7b"})
    digest = default_catalog()["mistral:7b"].layers[0][0]
    assert sim.blob_progress(digest) > 0


async def test_fault_first_byte_delay(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.inject(Fault("/api/chat", first_byte_delay=0.01))
    lines = await ndjson(client, "/api/chat", chat_body())
    assert lines[-1]["done"] is True


# --- models and command line ------------------------------------------------------------------


def test_many_models_are_distinct_and_plausible() -> None:
    models = many_models(200)
    assert len(models) == 200
    assert len({m.name for m in models}) == 200
    assert len({m.digest for m in models}) == 200
    assert models[0].name == "llama3.2:latest"
    assert all(isinstance(m, SimModel) and m.size > 0 for m in models)


def test_custom_model_fields_are_derived() -> None:
    model = SimModel("MyModel", parameter_size="7B", quantization_level="Q4_0")
    assert model.name == "MyModel:latest"
    assert HEX64.match(model.digest)
    assert model.size == sum(size for _, size in model.layers) > 3_000_000_000


def test_serve_refuses_non_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SimulatedOllama().serve("0.0.0.0")


def test_main_refuses_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "loopback" in err


@pytest.mark.live_server
def test_module_runs_as_a_server_until_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_app.demo", "--port", "0", "--token-delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"Simulated Ollama listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        with httpx.Client(base_url=match.group(1), trust_env=False) as http:
            assert http.get("/").text == "Ollama is running"
            reply = http.post("/api/chat", json=chat_body(stream=False)).json()
            assert reply["done"] is True
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _lines(response: httpx.Response) -> Iterator[dict[str, Any]]:
    for line in response.iter_lines():
        yield json.loads(line)


@pytest.mark.live_server
def test_socket_stream_is_chunked_and_one_shot_has_content_length(
    live_server: SimulatedServer,
) -> None:
    with httpx.Client(base_url=live_server.url, trust_env=False) as http:
        with http.stream("POST", "/api/chat", json=chat_body()) as response:
            assert response.headers["transfer-encoding"] == "chunked"
            assert "content-length" not in response.headers
            assert list(_lines(response))[-1]["done"] is True
        one_shot = http.get("/api/tags")
        assert int(one_shot.headers["content-length"]) == len(one_shot.content)


@pytest.mark.live_server
def test_socket_client_disconnect_is_quiet(
    sim: SimulatedOllama, capfd: pytest.CaptureFixture[str]
) -> None:
    sim.token_delay = 0.001
    sim.reply_tokens = 5000
    with sim.serve() as server:
        with (
            httpx.Client(base_url=server.url, trust_env=False) as http,
            http.stream("POST", "/api/chat", json=chat_body()) as response,
        ):
            for _ in zip(range(3), response.iter_lines(), strict=False):
                pass
        with httpx.Client(base_url=server.url, trust_env=False) as http:
            assert http.get("/").status_code == 200
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err


async def test_faults_on_one_shot_replies(client: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    sim.inject(Fault("/api/show", error_after_chunks=1, message="boom"))
    response = await client.post("/api/show", json={"model": "llama3.2"})
    assert (response.status_code, response.json()) == (500, {"error": "boom"})
    sim.inject(Fault("/api/tags", drop_after_chunks=0))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await client.get("/api/tags")
    assert (await client.get("/api/tags")).status_code == 200


async def test_fault_after_more_chunks_than_the_reply_has(
    client: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.script_reply("short")
    sim.inject(Fault("/api/chat", error_after_chunks=50))
    lines = await ndjson(client, "/api/chat", chat_body())
    assert lines[-1]["done"] is True


async def test_head_on_tags_has_length_but_no_body(client: httpx.AsyncClient) -> None:
    response = await client.head("/api/tags")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) == len((await client.get("/api/tags")).content)


async def test_trailing_slash_redirects_like_gin(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tags/")
    assert (response.status_code, response.headers["location"]) == (301, "/api/tags")


async def test_legacy_embeddings(client: httpx.AsyncClient) -> None:
    body = (
        await client.post("/api/embeddings", json={"model": "nomic-embed-text", "prompt": "hi"})
    ).json()
    assert len(body["embedding"]) == 768


def test_go_number_and_time_encoding() -> None:
    from tui_app.demo._wire import go_float, go_json, rfc3339_local, rfc3339_utc

    assert [go_float(v) for v in (1.0, 0.5, 1e-7, 1.5e-10, 1e21, 500000.0, -0.0)] == [
        "1",
        "0.5",
        "1e-7",
        "1.5e-10",
        "1e+21",
        "500000",
        "-0",
    ]
    assert (
        go_json({"a": "<&>", "b": [True, None]}) == '{"a":"\\u003c\\u0026\\u003e","b":[true,null]}'
    )
    assert rfc3339_utc(1_700_000_000_120_000_000) == "2023-11-14T22:13:20.12Z"
    assert rfc3339_utc(1_700_000_000_000_000_000) == "2023-11-14T22:13:20Z"
    assert rfc3339_local(1_700_000_000_123_456_789, PDT) == "2023-11-14T15:13:20.123456789-07:00"


@pytest.mark.parametrize(
    ("name", "display"),
    [
        ("llama3.2", "llama3.2:latest"),
        ("Llama3.2:1B", "Llama3.2:1B"),
        ("myns/foo:7b", "myns/foo:7b"),
        ("registry.ollama.ai/library/foo", "foo:latest"),
        ("localhost:5000/ns/m", "localhost:5000/ns/m:latest"),
        ("example.com/model", None),
        ("foo:", None),
        ("/foo", None),
        ("-foo", None),
        ("", None),
    ],
)
def test_model_name_grammar(name: str, display: str | None) -> None:
    from tui_app.demo._wire import parse_model_name

    parsed = parse_model_name(name)
    assert (parsed.display() if parsed else None) == display


@pytest.mark.live_server
def test_first_byte_hook_reports_each_stream_once(
    sim: SimulatedOllama, live_server: SimulatedServer
) -> None:
    reports: list[tuple[str, float]] = []
    sim.first_byte_hook = lambda path, when: reports.append((path, when))
    with httpx.Client(base_url=live_server.url, trust_env=False) as http:
        before = time.monotonic()
        with http.stream("POST", "/api/chat", json=chat_body()) as response:
            lines = _lines(response)
            first = next(lines)
            received = time.monotonic()
            assert list(lines)[-1]["done"] is True
        http.post("/api/chat", json=chat_body(stream=False))  # not a stream: no report
    assert first["message"]["role"] == "assistant"
    assert [path for path, _ in reports] == ["/api/chat"]
    assert before <= reports[0][1] <= received


@pytest.mark.live_server
def test_module_reports_first_bytes_when_asked() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_app.demo", "--port", "0", "--report-first-byte"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        with (
            httpx.Client(base_url=url, trust_env=False) as http,
            http.stream("POST", "/api/chat", json=chat_body()) as response,
        ):
            response.read()
        word, path, when = process.stdout.readline().split()
        assert (word, path) == ("first-byte", "/api/chat")
        assert float(when) <= time.monotonic()
    finally:
        process.terminate()
        process.wait(timeout=10)
