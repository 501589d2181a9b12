"""The client calls under the workbench, against the simulated server in process and on a socket."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest

from tui_app.api import (
    ChatMessage,
    ChatRequest,
    EmbedRequest,
    GenerateRequest,
    ModelNotFoundError,
    OllamaClient,
    OllamaHTTPError,
    OllamaStreamError,
    ProgressUpdate,
)
from tui_app.core.gguf import sha256_file, write_minimal_gguf
from tui_app.core.requests import cosine_matrix
from tui_app.demo import Fault, SimModel, SimulatedOllama, default_models

CODER = SimModel(
    name="coder:1b",
    capabilities=["completion", "insert"],
    template="<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>",
)
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {"city": {"type": "string", "description": "City name"}},
        },
    },
}


@pytest.fixture
def sim() -> SimulatedOllama:
    """The default models plus one that can fill in the middle."""
    return SimulatedOllama(
        models=[*default_models(), CODER], token_delay=0.0, pull_tick=0.0, pull_rate=20e9
    )


def bodies(sim: SimulatedOllama, path: str) -> list[dict[str, Any]]:
    found = [r.body for r in sim.requests if r.path == path]
    assert all(isinstance(body, dict) for body in found)
    return found


async def collect(stream: AsyncIterator[ProgressUpdate]) -> list[ProgressUpdate]:
    return [update async for update in stream]


# -- generate ------------------------------------------------------------------------------------


async def test_generate_fills_in_the_middle(any_client: OllamaClient, sim: SimulatedOllama) -> None:
    chunks = [
        c
        async for c in any_client.generate(
            "coder:1b", "def add(a, b):\n", suffix="\n    return result\n"
        )
    ]
    assert "".join(c.response for c in chunks) == "    result = a + b"
    assert bodies(sim, "/api/generate")[-1] == {
        "model": "coder:1b",
        "prompt": "def add(a, b):\n",
        "suffix": "\n    return result\n",
        "stream": True,
    }


async def test_suffix_on_a_model_without_insert_is_refused_in_the_server_words(
    any_client: OllamaClient,
) -> None:
    with pytest.raises(OllamaHTTPError) as info:
        async for _ in any_client.generate("llama3.2", "x", suffix="y"):
            pass
    assert info.value.status == 400
    assert info.value.server_message == (
        "registry.ollama.ai/library/llama3.2:latest does not support insert"
    )


async def test_generate_returns_and_accepts_context(
    any_client: OllamaClient, sim: SimulatedOllama
) -> None:
    first = [c async for c in any_client.generate("llama3.2", "Name a colour")]
    final = first[-1]
    assert final.done and final.done_reason == "stop" and final.context
    assert final.metrics.eval_count > 0 and final.metrics.eval_duration > 0
    assert final.metrics.prompt_eval_count > 0 and final.metrics.total_duration > 0
    second = [
        c async for c in any_client.generate("llama3.2", "Name a colour", context=final.context)
    ]
    assert bodies(sim, "/api/generate")[-1]["context"] == list(final.context)
    assert second[-1].context[: len(final.context)] == final.context
    # The earlier exchange is read again as part of the prompt.
    grown = second[-1].metrics.prompt_eval_count - final.metrics.prompt_eval_count
    assert grown == len(final.context)


async def test_raw_generate_with_a_template_is_refused(any_client: OllamaClient) -> None:
    with pytest.raises(OllamaHTTPError, match="raw mode does not support template"):
        async for _ in any_client.generate("llama3.2", "x", raw=True, template="{{ .Prompt }}"):
            pass


async def test_stream_generate_pairs_each_chunk_with_its_line(any_client: OllamaClient) -> None:
    request = GenerateRequest("llama3.2", "Hello there", options={"seed": 3})
    items = [item async for item in any_client.stream_generate(request)]
    assert len(items) > 2
    for item in items:
        raw = json.loads(item.line)
        assert raw["response"] == item.chunk.response
        assert raw["done"] == item.chunk.done
    assert items[-1].chunk.metrics.eval_count == len(items) - 1


async def test_stream_generate_without_streaming_is_one_item_with_the_body(
    any_client: OllamaClient,
) -> None:
    request = GenerateRequest("llama3.2", "Hello there", options={"seed": 3}, stream=False)
    (item,) = [item async for item in any_client.stream_generate(request)]
    assert item.chunk.done and item.chunk.response
    assert json.loads(item.line)["response"] == item.chunk.response


async def test_stream_generate_can_be_left_early(any_client: OllamaClient) -> None:
    request = GenerateRequest("llama3.2", "Tell me a long story")
    async with aclosing(any_client.stream_generate(request)) as stream:
        async for item in stream:
            assert item.line
            break
    assert await any_client.version()


# -- chat with tools -------------------------------------------------------------------------------


async def test_chat_calls_a_tool_and_reads_its_result(any_client: OllamaClient) -> None:
    question = ChatMessage("user", "What is the weather in Tokyo?")
    request = ChatRequest("llama3.2", (question,), tools=(WEATHER,))
    items = [item async for item in any_client.stream_chat(request)]
    calls = [call for item in items for call in item.chunk.tool_calls]
    assert len(calls) == 1
    (call,) = calls
    assert call.name == "get_weather" and call.arguments == {"city": "Tokyo"}
    assert call.id.startswith("call_") and len(call.id) == 13
    line = next(json.loads(i.line) for i in items if i.chunk.tool_calls)
    assert line["message"]["tool_calls"][0]["function"]["index"] == 0
    assert items[-1].chunk.done

    history = (
        question,
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "22°C", tool_name="get_weather", tool_call_id=call.id),
    )
    answer = [c async for c in any_client.chat("llama3.2", history, tools=[WEATHER])]
    assert "22°C" in "".join(c.content for c in answer)


async def test_tools_on_a_model_without_them_is_refused(any_client: OllamaClient) -> None:
    request = ChatRequest("gemma3:1b", (ChatMessage("user", "weather?"),), tools=(WEATHER,))
    with pytest.raises(OllamaHTTPError, match="gemma3:1b does not support tools"):
        async for _ in any_client.stream_chat(request):
            pass


async def test_tool_messages_round_trip() -> None:
    message = ChatMessage("tool", "22", tool_name="get_weather", tool_call_id="call_12345678")
    assert ChatMessage.from_json(message.to_json()) == message


# -- embed -----------------------------------------------------------------------------------------


async def test_embed_several_inputs_with_fewer_dimensions(any_client: OllamaClient) -> None:
    result = await any_client.embed(
        "nomic-embed-text", ["a cat sat", "a cat sat down", "stock prices"], dimensions=64
    )
    assert len(result.embeddings) == 3
    assert all(len(vector) == 64 for vector in result.embeddings)
    assert result.prompt_eval_count > 0 and result.total_duration > 0
    assert result.load_duration > 0
    matrix = cosine_matrix(result.embeddings)
    assert matrix[0][1] > matrix[0][2]


async def test_embed_without_truncation_refuses_a_long_input(any_client: OllamaClient) -> None:
    long_text = "word " * 9000
    with pytest.raises(OllamaHTTPError, match="the input length exceeds the context length"):
        await any_client.embed_request(EmbedRequest("nomic-embed-text", long_text, truncate=False))
    result = await any_client.embed("nomic-embed-text", long_text)
    assert len(result.embeddings) == 1


async def test_embed_falls_back_to_the_legacy_route_on_an_old_server(
    client: OllamaClient, sim: SimulatedOllama
) -> None:
    sim.inject(Fault("/api/embed", status=404, message="404 page not found", plain_text=True))
    result = await client.embed("nomic-embed-text", ["one", "two"])
    assert len(result.embeddings) == 2 and all(len(v) == 768 for v in result.embeddings)
    assert [b["prompt"] for b in bodies(sim, "/api/embeddings")] == ["one", "two"]


async def test_embed_of_a_missing_model_does_not_fall_back(
    client: OllamaClient, sim: SimulatedOllama
) -> None:
    with pytest.raises(ModelNotFoundError):
        await client.embed("ghost", "x")
    assert bodies(sim, "/api/embeddings") == []


# -- push ------------------------------------------------------------------------------------------


async def test_push_reports_every_layer(any_client: OllamaClient, sim: SimulatedOllama) -> None:
    await any_client.copy("gemma3:1b", "someone/gemma3:1b")
    updates = await collect(any_client.push("someone/gemma3:1b"))
    assert updates[0].status == "retrieving manifest"
    assert [u.status for u in updates[-2:]] == ["pushing manifest", "success"]
    pushed_model = sim.installed("someone/gemma3:1b")
    assert pushed_model is not None
    layers = pushed_model.layers
    pushed = [u for u in updates if u.is_layer]
    assert list(dict.fromkeys(u.digest for u in pushed)) == [d for d, _ in layers]
    assert all(u.status == f"pushing {u.digest[7:19]}" for u in pushed)
    # A second push finds every layer on the registry: one complete line each.
    again = [u for u in await collect(any_client.push("someone/gemma3:1b")) if u.is_layer]
    assert [(u.digest, u.completed) for u in again] == list(layers)


async def test_push_without_a_namespace_is_refused_in_the_server_words(
    any_client: OllamaClient,
) -> None:
    with pytest.raises(OllamaStreamError) as info:
        await collect(any_client.push("llama3.2"))
    assert info.value.server_message == "unauthorized: access denied"


async def test_push_of_a_model_that_is_not_installed(any_client: OllamaClient) -> None:
    with pytest.raises(OllamaStreamError, match="no such file or directory"):
        await collect(any_client.push("someone/ghost"))


# -- blobs and create ------------------------------------------------------------------------------


async def test_a_gguf_is_hashed_checked_uploaded_and_created(
    any_client: OllamaClient, sim: SimulatedOllama, tmp_path: Path
) -> None:
    path = write_minimal_gguf(tmp_path / "tiny.gguf", payload=bytes(range(256)) * 8)
    digest = sha256_file(path)
    assert not await any_client.blob_exists(digest)
    sent: list[int] = []
    upload = await any_client.upload_blob(digest, path, progress=sent.append)
    assert upload.created and upload.size == path.stat().st_size
    assert sent[-1] == upload.size
    assert await any_client.blob_exists(digest)
    again = await any_client.upload_blob(digest, path)
    assert not again.created

    updates = await collect(
        any_client.create(
            "tiny",
            files={"tiny.gguf": digest},
            quantize="q4_K_M",
            template="{{ .Prompt }}{{ .Suffix }}",
            system="Be terse.",
        )
    )
    statuses = [u.status for u in updates]
    assert statuses[:2] == ["parsing GGUF", f"using existing layer {digest}"]
    quantizing = [u for u in updates if u.status == "quantizing F16 model to Q4_K_M" and u.total]
    assert quantizing and quantizing[-1].completed == quantizing[-1].total
    assert quantizing[0].digest == "0000000000000000000"
    assert "verifying conversion" in statuses
    assert statuses[-2:] == ["writing manifest", "success"]
    info = await any_client.show("tiny")
    assert info.details.quantization_level == "Q4_K_M"
    assert info.system == "Be terse."
    assert info.has_capability("insert")
    assert "tiny:latest" in [m.name for m in await any_client.list_models()]


async def test_an_upload_whose_content_does_not_match_is_refused(
    any_client: OllamaClient, tmp_path: Path
) -> None:
    path = write_minimal_gguf(tmp_path / "a.gguf")
    wrong = "sha256:" + hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(OllamaHTTPError) as info:
        await any_client.upload_blob(wrong, path)
    assert info.value.status == 400
    assert info.value.server_message == (
        f'digest mismatch, expected "{wrong}", got "{sha256_file(path)}"'
    )
    assert not await any_client.blob_exists(wrong)


async def test_a_malformed_digest_is_refused_before_sending(
    client: OllamaClient, sim: SimulatedOllama, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="not a sha256 digest"):
        await client.blob_exists("sha256:abc")
    with pytest.raises(ValueError, match="not a sha256 digest"):
        await client.upload_blob("md5:" + "0" * 64, tmp_path / "x")
    assert sim.requests == []


@pytest.mark.parametrize(
    ("files", "status", "message"),
    [
        ({"../x.gguf": "DIGEST"}, 400, "file path must be relative"),
        ({"/abs/x.gguf": "DIGEST"}, 400, "file path must be relative"),
        ({"x.gguf": "sha256:" + "0" * 64}, 500, "no such file or directory"),
    ],
)
async def test_create_from_files_errors(
    any_client: OllamaClient,
    tmp_path: Path,
    files: dict[str, str],
    status: int,
    message: str,
) -> None:
    path = write_minimal_gguf(tmp_path / "m.gguf")
    digest = sha256_file(path)
    await any_client.upload_blob(digest, path)
    files = {name: digest if value == "DIGEST" else value for name, value in files.items()}
    with pytest.raises(OllamaHTTPError) as info:
        await collect(any_client.create("m", files=files))
    assert info.value.status == status
    assert message in info.value.server_message


async def test_create_from_a_file_that_is_not_gguf(
    any_client: OllamaClient, tmp_path: Path
) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"not a gguf at all")
    digest = sha256_file(path)
    await any_client.upload_blob(digest, path)
    with pytest.raises(OllamaHTTPError, match="supplied file was not in GGUF format"):
        await collect(any_client.create("m", files={"model.bin": digest}))


async def test_create_from_an_existing_model_still_works(any_client: OllamaClient) -> None:
    updates = await collect(any_client.create("pirate", from_="llama3.2", system="Arr."))
    assert updates[-1].status == "success"
    assert (await any_client.show("pirate")).system == "Arr."
