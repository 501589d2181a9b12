"""The Ollama client against the simulated server, in-process and over a real socket."""

from __future__ import annotations

import asyncio
import json
import socket
from contextlib import aclosing

import httpx
import pytest

from tui_app.api import (
    ChatMessage,
    ConnectionLostError,
    MalformedResponseError,
    ModelNotFoundError,
    OllamaClient,
    OllamaHTTPError,
    OllamaStreamError,
    OllamaUnavailableError,
)
from tui_app.api import client as client_module
from tui_app.demo import Fault, SimulatedOllama, SimulatedServer

HI = [ChatMessage("user", "Say hello")]


def last_body(sim: SimulatedOllama, path: str) -> dict[str, object]:
    body = [r for r in sim.requests if r.path == path][-1].body
    assert isinstance(body, dict)
    return body


async def test_version_and_heartbeat(any_client: OllamaClient) -> None:
    assert await any_client.version() == "0.12.3"
    await any_client.heartbeat()


async def test_list_models_tolerates_null_families(any_client: OllamaClient) -> None:
    models = await any_client.list_models()
    names = [m.name for m in models]
    assert "llama3.2:latest" in names
    assert all(m.size > 0 and len(m.digest) == 64 for m in models)
    assert all(m.modified_at is not None for m in models)
    assert any(m.details.families is None for m in models)


async def test_show_reports_capabilities_and_context(any_client: OllamaClient) -> None:
    info = await any_client.show("qwen3:8b")
    assert info.has_capability("thinking")
    assert info.context_length and info.context_length > 0
    assert info.parameters


async def test_show_unknown_model(any_client: OllamaClient) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        await any_client.show("nope")
    assert info.value.model == "nope"
    assert info.value.server_message == "model 'nope:latest' not found"


async def test_chat_streams_and_sends_what_was_asked(
    any_client: OllamaClient, sim: SimulatedOllama
) -> None:
    sim.script_reply("Hello there, friend.")
    chunks = [
        chunk
        async for chunk in any_client.chat(
            "llama3.2",
            [ChatMessage("system", "Be brief."), *HI],
            options={"temperature": 0, "seed": 42},
            format="json",
            keep_alive="5m",
        )
    ]
    assert "".join(c.content for c in chunks) == "Hello there, friend."
    assert len(chunks) > 2
    final = chunks[-1]
    assert final.done and final.done_reason == "stop"
    assert final.metrics.eval_count > 0
    assert final.metrics.tokens_per_second is not None
    body = last_body(sim, "/api/chat")
    assert body["model"] == "llama3.2"
    assert body["stream"] is True
    assert body["options"] == {"temperature": 0, "seed": 42}
    assert body["format"] == "json"
    assert body["keep_alive"] == "5m"
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hello"},
    ]
    assert "think" not in body


async def test_unset_fields_are_not_sent(client: OllamaClient, sim: SimulatedOllama) -> None:
    async with aclosing(client.chat("llama3.2", HI)) as stream:
        async for _ in stream:
            pass
    assert set(last_body(sim, "/api/chat")) == {"model", "messages", "stream"}


async def test_chat_thinking(any_client: OllamaClient, sim: SimulatedOllama) -> None:
    sim.script_reply("Three.", thinking="Count the letters.")
    chunks = [c async for c in any_client.chat("qwen3:8b", HI, think="high")]
    assert "".join(c.thinking for c in chunks) == "Count the letters."
    assert "".join(c.content for c in chunks) == "Three."
    assert last_body(sim, "/api/chat")["think"] == "high"


async def test_chat_once(any_client: OllamaClient, sim: SimulatedOllama) -> None:
    sim.script_reply("All at once.")
    reply = await any_client.chat_once("llama3.2", HI)
    assert reply.content == "All at once."
    assert reply.done
    assert last_body(sim, "/api/chat")["stream"] is False


async def test_chat_unknown_model(any_client: OllamaClient) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        async for _ in any_client.chat("llama9", HI):
            pass
    assert info.value.model == "llama9"
    assert str(info.value) == "Ollama error 404: model 'llama9' not found"


async def test_chat_without_model_is_a_400(any_client: OllamaClient) -> None:
    with pytest.raises(OllamaHTTPError) as info:
        async for _ in any_client.chat("", HI):
            pass
    assert info.value.status == 400
    assert info.value.server_message == "model is required"
    assert not isinstance(info.value, ModelNotFoundError)


async def test_thinking_on_a_model_without_it(any_client: OllamaClient) -> None:
    with pytest.raises(OllamaHTTPError) as info:
        async for _ in any_client.chat("llama3.2", HI, think=True):
            pass
    assert info.value.status == 400
    assert info.value.server_message == '"llama3.2" does not support thinking'


async def test_error_line_mid_stream_keeps_earlier_chunks(
    any_client: OllamaClient, sim: SimulatedOllama
) -> None:
    sim.inject(Fault("/api/chat", error_after_chunks=3, message="CUDA error: out of memory"))
    received: list[str] = []
    with pytest.raises(OllamaStreamError) as info:
        async for chunk in any_client.chat("llama3.2", HI):
            received.append(chunk.content)
    assert info.value.server_message == "CUDA error: out of memory"
    assert len(received) == 3


async def test_dropped_connection_mid_stream(
    any_client: OllamaClient, sim: SimulatedOllama
) -> None:
    sim.inject(Fault("/api/chat", drop_after_chunks=2))
    received = 0
    with pytest.raises(ConnectionLostError):
        async for _ in any_client.chat("llama3.2", HI):
            received += 1
    assert received == 2


@pytest.mark.parametrize("plain_text", [False, True])
async def test_server_error_before_output(
    any_client: OllamaClient, sim: SimulatedOllama, plain_text: bool
) -> None:
    sim.inject(
        Fault(
            "/api/chat",
            status=500,
            message="llama runner process has terminated",
            plain_text=plain_text,
        )
    )
    with pytest.raises(OllamaHTTPError) as info:
        async for _ in any_client.chat("llama3.2", HI):
            pass
    assert info.value.status == 500
    assert info.value.server_message == "llama runner process has terminated"


async def test_busy_server(any_client: OllamaClient, sim: SimulatedOllama) -> None:
    message = "server busy, please try again.  maximum pending requests exceeded"
    sim.inject(Fault("/api/chat", status=503, message=message))
    with pytest.raises(OllamaHTTPError) as info:
        await any_client.chat_once("llama3.2", HI)
    assert (info.value.status, info.value.server_message) == (503, message)


async def test_generate_stream_and_once(any_client: OllamaClient, sim: SimulatedOllama) -> None:
    sim.script_reply("Once upon a time.")
    chunks = [c async for c in any_client.generate("llama3.2", "Tell a story", system="Short.")]
    assert "".join(c.response for c in chunks) == "Once upon a time."
    assert chunks[-1].done
    assert last_body(sim, "/api/generate")["system"] == "Short."
    sim.script_reply("Done.")
    reply = await any_client.generate_once("llama3.2", "Again")
    assert reply.response == "Done."


async def test_load_unload_and_ps(any_client: OllamaClient) -> None:
    loaded = await any_client.load("gemma3:1b", keep_alive=-1)
    assert loaded.done_reason == "load"
    running = {m.name: m for m in await any_client.running_models()}
    assert running["gemma3:1b"].kept_forever
    assert running["gemma3:1b"].context_length > 0
    unloaded = await any_client.unload("gemma3:1b")
    assert unloaded.done_reason == "unload"
    assert "gemma3:1b" not in {m.name for m in await any_client.running_models()}


async def test_pull_sequence(any_client: OllamaClient) -> None:
    updates = [u async for u in any_client.pull("mistral:7b")]
    statuses = [u.status for u in updates]
    assert statuses[0] == "pulling manifest"
    assert statuses[-3:] == ["verifying sha256 digest", "writing manifest", "success"]
    layers = {u.digest for u in updates if u.is_layer}
    assert layers
    assert all(u.digest.startswith("sha256:") for u in updates if u.is_layer)
    assert "mistral:7b" in {m.name for m in await any_client.list_models()}


async def test_pull_unknown_model_ends_with_the_servers_words(any_client: OllamaClient) -> None:
    statuses: list[str] = []
    with pytest.raises(OllamaStreamError) as info:
        async for update in any_client.pull("no-such-model"):
            statuses.append(update.status)
    assert statuses == ["pulling manifest"]
    assert info.value.server_message == "pull model manifest: file does not exist"


async def test_leaving_a_pull_closes_it_and_a_new_pull_resumes(
    any_client: OllamaClient, sim: SimulatedOllama
) -> None:
    first_digest = ""
    async with aclosing(any_client.pull("mistral:7b")) as stream:
        async for update in stream:
            if update.is_layer and update.completed > 0:
                first_digest = update.digest
                break
    assert first_digest
    async with aclosing(any_client.pull("mistral:7b")) as stream:
        async for update in stream:
            if update.digest == first_digest:
                assert update.completed > 0
                break
    assert "mistral:7b" not in {m.name for m in await any_client.list_models()}


async def test_create_copy_delete(any_client: OllamaClient) -> None:
    statuses = [
        u.status
        async for u in any_client.create(
            "terse", from_="llama3.2", system="Answer in one line.", parameters={"temperature": 0}
        )
    ]
    assert statuses[-1] == "success"
    await any_client.copy("terse", "terse-backup")
    names = {m.name for m in await any_client.list_models()}
    assert {"terse:latest", "terse-backup:latest"} <= names
    await any_client.delete("terse-backup")
    assert "terse-backup:latest" not in {m.name for m in await any_client.list_models()}


async def test_create_without_source(any_client: OllamaClient) -> None:
    with pytest.raises(OllamaHTTPError) as info:
        async for _ in any_client.create("x", from_=""):
            pass
    assert info.value.status == 400


async def test_delete_and_copy_of_missing_models(any_client: OllamaClient) -> None:
    with pytest.raises(ModelNotFoundError) as deleted:
        await any_client.delete("ghost")
    assert deleted.value.server_message == "model 'ghost' not found"
    with pytest.raises(ModelNotFoundError) as copied:
        await any_client.copy("ghost", "ghost2")
    assert copied.value.server_message == 'model "ghost" not found'


async def test_copy_to_an_invalid_name(any_client: OllamaClient) -> None:
    with pytest.raises(OllamaHTTPError) as info:
        await any_client.copy("llama3.2", "bad name!")
    assert info.value.status == 400
    assert "is invalid" in info.value.server_message


async def test_embed(any_client: OllamaClient) -> None:
    result = await any_client.embed("nomic-embed-text", ["one", "two"])
    assert len(result.embeddings) == 2
    norm = sum(x * x for x in result.embeddings[0]) ** 0.5
    assert abs(norm - 1.0) < 1e-6
    with pytest.raises(ModelNotFoundError):
        await any_client.embed("ghost", "x")


async def test_api_key_is_sent_as_bearer(sim: SimulatedOllama) -> None:
    async with OllamaClient("http://ollama.test", api_key="s3cret", transport=sim.transport()) as c:
        await c.version()
    assert sim.requests[-1].headers.get("authorization") == "Bearer s3cret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_server_says_so() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with OllamaClient(url) as client:
        with pytest.raises(OllamaUnavailableError) as info:
            await client.version()
        with pytest.raises(OllamaUnavailableError):
            async for _ in client.chat("llama3.2", HI):
                pass
    assert info.value.host == url
    assert info.value.reason == "connection refused"
    assert url in str(info.value)


def mock_client(handler: object) -> OllamaClient:
    return OllamaClient("http://ollama.test/base", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


async def test_base_path_is_kept() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"version": "1"})

    async with mock_client(handler) as client:
        await client.version()
    assert seen == ["/base/api/version"]


async def test_stream_that_ends_without_done_is_an_error() -> None:
    lines = [{"model": "m", "message": {"role": "assistant", "content": "a"}, "done": False}]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content="".join(json.dumps(x) + "\n" for x in lines))

    async with mock_client(handler) as client:
        with pytest.raises(ConnectionLostError, match="ended before"):
            async for _ in client.chat("m", HI):
                pass


async def test_final_chunk_text_split_across_reads_and_no_trailing_newline() -> None:
    body = (
        b'{"model":"m","message":{"role":"assistant","content":"Hel"},"done":false}\n'
        b'{"model":"m","message":{"role":"assistant","content":"lo"},"done":true}'
    )

    async def pieces() -> object:
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pieces())  # type: ignore[arg-type]

    async with mock_client(handler) as client:
        chunks = [c async for c in client.chat("m", HI)]
    assert "".join(c.content for c in chunks) == "Hello"
    assert chunks[-1].done


async def test_malformed_lines() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>proxy error</html>\n")

    async with mock_client(handler) as client:
        with pytest.raises(MalformedResponseError):
            async for _ in client.chat("m", HI):
                pass


async def test_plain_404_from_an_old_server_is_not_model_not_found() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="404 page not found")

    async with mock_client(handler) as client:
        with pytest.raises(OllamaHTTPError) as info:
            await client.embed("m", "x")
    assert not isinstance(info.value, ModelNotFoundError)
    assert info.value.server_message == "404 page not found"


# -- read pacing -------------------------------------------------------------------------------


@pytest.fixture
def rests(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays of every ``asyncio.sleep`` during the test (which still sleeps)."""
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float) -> None:
        delays.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    return delays


async def test_a_trickling_pull_is_read_in_batches_without_losing_lines(
    sim: SimulatedOllama, live_server: SimulatedServer, rests: list[float]
) -> None:
    """Lines arriving one by one are read after a rest, several at a time, all in order."""
    sim.pull_tick = 0.002
    sim.pull_rate = 4e9
    async with OllamaClient(live_server.url) as client:
        updates = [update async for update in client.pull("mistral:7b")]
    assert updates[-1].status == "success"
    completed = [u.completed for u in updates if u.digest == updates[2].digest and u.total]
    assert completed == sorted(completed)
    assert rests and set(rests) == {client_module.PROGRESS_PACE}
    # Each rest lets many lines gather: far fewer rests than lines.
    assert len(rests) < len(updates) / 3


async def test_a_reply_sent_faster_than_it_is_read_never_rests(
    sim: SimulatedOllama, live_server: SimulatedServer, rests: list[float]
) -> None:
    sim.reply_tokens = 3000
    async with OllamaClient(live_server.url) as client:
        chunks = [c async for c in client.chat("llama3.2", [ChatMessage("user", "hi")])]
    assert len(chunks) == 3001
    # Only the reads that found nothing waiting rest; a flood is read straight through.
    assert len(rests) < 50
