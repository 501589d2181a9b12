"""The official ``ollama`` Python client parses everything the simulated server sends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ollama
import pytest

from tui_app.core.gguf import sha256_file, write_minimal_gguf
from tui_app.demo import Fault, SimModel, SimulatedOllama, SimulatedServer

pytestmark = pytest.mark.live_server

PDT = dt.timezone(dt.timedelta(hours=-7))


@pytest.fixture
def sim() -> SimulatedOllama:
    return SimulatedOllama(token_delay=0, pull_tick=0, pull_rate=1e9, tz=PDT)


@pytest.fixture
def client(live_server: SimulatedServer) -> Iterator[ollama.Client]:
    # trust_env=False: a proxy from the environment must never see loopback test traffic.
    with ollama.Client(host=live_server.url, trust_env=False) as official:
        yield official


def user(content: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": content}]


def test_list(client: ollama.Client) -> None:
    models = client.list().models
    by_name = {m.model: m for m in models}
    llama = by_name["llama3.2:latest"]
    assert llama.size == 2019393189
    assert llama.digest is not None and len(llama.digest) == 64
    assert llama.details is not None and llama.details.parameter_size == "3.2B"
    assert llama.modified_at is not None
    assert llama.modified_at.utcoffset() == dt.timedelta(hours=-7)
    gemma = by_name["gemma3:1b"]
    assert gemma.details is not None and gemma.details.families is None


def test_ps(client: ollama.Client) -> None:
    assert client.ps().models == []
    client.chat("qwen3:8b", messages=[], keep_alive="10m")
    client.generate("llama3.2", prompt="", keep_alive=-1)
    models = client.ps().models
    assert [m.model for m in models] == ["llama3.2:latest", "qwen3:8b"]
    forever, qwen = models
    assert forever.expires_at is not None and forever.expires_at.year in (2317, 2318, 2319)
    assert qwen.size is not None and qwen.size_vram is not None and qwen.size_vram < qwen.size
    assert qwen.context_length == 4096
    assert qwen.details is not None and qwen.details.family == "qwen3"


def test_show(client: ollama.Client) -> None:
    show = client.show("llama3.2")
    assert show.capabilities == ["completion", "tools"]
    assert show.modelinfo is not None and show.modelinfo["llama.context_length"] == 131072
    assert show.template is not None and "<|eot_id|>" in show.template
    assert show.parameters is not None and "stop" in show.parameters
    assert show.license is not None and show.modelfile is not None
    assert show.modified_at is not None
    assert show.details is not None and show.details.format == "gguf"


def test_chat_stream_with_thinking(client: ollama.Client) -> None:
    parts = list(client.chat("qwen3:8b", messages=user("Explain tides"), stream=True))
    thinking = "".join(p.message.thinking or "" for p in parts)
    content = "".join(p.message.content or "" for p in parts)
    assert thinking and content
    final = parts[-1]
    assert final.done is True and final.done_reason == "stop"
    assert final.eval_count == len(parts) - 1
    assert final.eval_duration is not None and final.eval_duration > 0


def test_chat_non_stream(client: ollama.Client, sim: SimulatedOllama) -> None:
    sim.script_reply("Forty-two.")
    reply = client.chat("qwen3:8b", messages=user("Answer?"), think=False)
    assert reply.message.content == "Forty-two."
    assert reply.message.thinking is None
    assert reply.done_reason == "stop"


def test_chat_tool_call(client: ollama.Client) -> None:
    def get_weather(city: str) -> str:
        """Get the current weather for a city.

        Args:
          city: The city name
        """
        return "sunny"

    reply = client.chat("llama3.2", messages=user("Weather in Lisbon?"), tools=[get_weather])
    assert reply.message.tool_calls is not None
    (call,) = reply.message.tool_calls
    assert call.function.name == "get_weather"
    assert call.function.arguments == {"city": "Lisbon"}


def test_generate(client: ollama.Client, sim: SimulatedOllama) -> None:
    sim.script_reply("Blue, mostly.")
    parts = list(client.generate("llama3.2", prompt="Sky colour?", stream=True))
    assert "".join(p.response or "" for p in parts) == "Blue, mostly."
    assert parts[-1].context
    single = client.generate("qwen3:8b", prompt="hi")
    assert single.response and single.thinking
    cut = client.generate("llama3.2", prompt="code please", options={"num_predict": 3})
    assert cut.done_reason == "length" and cut.eval_count == 3


def test_pull(client: ollama.Client) -> None:
    progress = list(client.pull("mistral:7b", stream=True))
    assert progress[0].status == "pulling manifest"
    assert progress[-1].status == "success"
    layer = [p for p in progress if p.digest]
    assert layer and all(p.total for p in layer)
    assert any(p.completed for p in layer)
    assert client.pull("phi4-mini").status == "success"
    names = {m.model for m in client.list().models}
    assert {"mistral:7b", "phi4-mini:latest"} <= names


def test_create_copy_delete(client: ollama.Client) -> None:
    statuses = [
        p.status
        for p in client.create(
            "pirate", from_="llama3.2", system="Arr.", parameters={"temperature": 0.3}, stream=True
        )
    ]
    assert statuses[-2:] == ["writing manifest", "success"]
    assert client.create("pirate2", from_="pirate").status == "success"
    modelfile = client.show("pirate").modelfile
    assert modelfile is not None and 'SYSTEM """Arr."""' in modelfile
    assert client.copy("pirate", "pirate-copy").status == "success"
    assert client.delete("pirate-copy").status == "success"
    names = {m.model for m in client.list().models}
    assert "pirate:latest" in names and "pirate-copy:latest" not in names


def test_embed(client: ollama.Client) -> None:
    response = client.embed("nomic-embed-text", input=["one", "two"])
    assert len(response.embeddings) == 2
    assert len(response.embeddings[0]) == 768
    assert response.prompt_eval_count is not None and response.prompt_eval_count > 0


def test_embed_several_inputs_with_fewer_dimensions(client: ollama.Client) -> None:
    response = client.embed("nomic-embed-text", input=["a", "b", "c"], dimensions=32)
    assert [len(vector) for vector in response.embeddings] == [32, 32, 32]
    assert response.total_duration and response.load_duration
    too_long = "word " * 9000
    assert len(client.embed("nomic-embed-text", input=too_long).embeddings) == 1
    with pytest.raises(ollama.ResponseError) as caught:
        client.embed("nomic-embed-text", input=too_long, truncate=False)
    assert caught.value.error == "the input length exceeds the context length"


def test_generate_with_suffix_and_context(client: ollama.Client, sim: SimulatedOllama) -> None:
    sim.models.append(SimModel(name="coder:1b", capabilities=["completion", "insert"]))
    filled = client.generate("coder:1b", prompt="def add(a, b):\n", suffix="\n    return total")
    assert filled.response == "    total = a + b"
    assert filled.context
    following = client.generate("coder:1b", prompt="More", context=filled.context)
    assert following.context is not None and filled.context is not None
    assert list(following.context[: len(filled.context)]) == list(filled.context)
    with pytest.raises(ollama.ResponseError) as caught:
        client.generate("llama3.2", prompt="a", suffix="b")
    assert caught.value.error == (
        "registry.ollama.ai/library/llama3.2:latest does not support insert"
    )


def test_push(client: ollama.Client) -> None:
    client.copy("gemma3:1b", "me/gemma3:1b")
    progress = list(client.push("me/gemma3:1b", stream=True))
    assert progress[0].status == "retrieving manifest"
    assert [p.status for p in progress[-2:]] == ["pushing manifest", "success"]
    assert all(p.total for p in progress if p.digest)
    assert client.push("me/gemma3:1b").status == "success"
    with pytest.raises(ollama.ResponseError) as caught:
        client.push("llama3.2")
    assert (caught.value.status_code, caught.value.error) == (500, "unauthorized: access denied")


def test_blob_and_create_from_files(client: ollama.Client, tmp_path: Path) -> None:
    path = write_minimal_gguf(tmp_path / "tiny.gguf", payload=b"weights" * 64)
    digest = client.create_blob(path)
    assert digest == sha256_file(path)
    progress = list(
        client.create(
            "tiny", files={"tiny.gguf": digest}, quantize="q4_K_M", system="Short.", stream=True
        )
    )
    statuses = [p.status for p in progress]
    assert statuses[0] == "parsing GGUF" and statuses[-1] == "success"
    assert any(p.status == "quantizing F16 model to Q4_K_M" and p.completed for p in progress)
    show = client.show("tiny")
    assert show.details is not None and show.details.quantization_level == "Q4_K_M"
    assert show.modelfile is not None and 'SYSTEM """Short."""' in show.modelfile
    missing = "sha256:" + "0" * 64
    with pytest.raises(ollama.ResponseError) as caught:
        client.create("other", files={"x.gguf": missing})
    assert caught.value.status_code == 500
    assert "no such file or directory" in caught.value.error


def test_version_if_the_client_has_it(client: ollama.Client, live_server: SimulatedServer) -> None:
    version = getattr(client, "version", None)
    if version is None:
        # ollama-python 0.6 has no version call; read it with the client's own HTTP session.
        assert client._client.get("/api/version").json() == {"version": "0.12.3"}
    else:
        assert "0.12.3" in str(version())


@pytest.mark.parametrize(
    ("call", "status", "message"),
    [
        (lambda c: c.chat("llama9", messages=user("x")), 404, "model 'llama9' not found"),
        (lambda c: c.chat("bad name!", messages=user("x")), 400, "invalid model name"),
        (
            lambda c: c.chat("llama3.2", messages=user("x"), think=True),
            400,
            '"llama3.2" does not support thinking',
        ),
        (lambda c: c.generate("llama9", prompt="x"), 404, "model 'llama9' not found"),
        (lambda c: c.show("llama9"), 404, "model 'llama9:latest' not found"),
        (lambda c: c.delete("llama9"), 404, "model 'llama9' not found"),
        (lambda c: c.copy("llama9", "x"), 404, 'model "llama9" not found'),
        (
            lambda c: c.embed("llama9", input="x"),
            404,
            'model "llama9" not found, try pulling it first',
        ),
        (lambda c: c.pull("nope:1b"), 500, "pull model manifest: file does not exist"),
        (lambda c: c.create("x"), 400, "neither 'from' or 'files' was specified"),
        (
            lambda c: c.chat("llama3.2", messages=user("x"), options={"temperature": "hot"}),
            500,
            'option "temperature" must be of type float32',
        ),
    ],
)
def test_response_errors(client: ollama.Client, call: Any, status: int, message: str) -> None:
    with pytest.raises(ollama.ResponseError) as caught:
        call(client)
    assert caught.value.status_code == status
    assert caught.value.error == message


def test_in_stream_errors_raise(client: ollama.Client, sim: SimulatedOllama) -> None:
    with pytest.raises(ollama.ResponseError) as caught:
        list(client.pull("nope:1b", stream=True))
    assert caught.value.error == "pull model manifest: file does not exist"
    assert caught.value.status_code == -1
    sim.inject(Fault("/api/chat", error_after_chunks=2, message="runner crashed"))
    seen = []
    with pytest.raises(ollama.ResponseError) as crashed:
        for part in client.chat("llama3.2", messages=user("hi"), stream=True):
            seen.append(part)
    assert crashed.value.error == "runner crashed"
    assert len(seen) == 2


def test_plain_text_errors_keep_their_text(client: ollama.Client, sim: SimulatedOllama) -> None:
    sim.inject(Fault("/api/tags", status=502, message="Bad Gateway", plain_text=True))
    with pytest.raises(ollama.ResponseError) as caught:
        client.list()
    assert (caught.value.status_code, caught.value.error) == (502, "Bad Gateway")


async def test_async_client(live_server: SimulatedServer, sim: SimulatedOllama) -> None:
    official = ollama.AsyncClient(host=live_server.url, trust_env=False)
    models = (await official.list()).models
    assert any(m.model == "llama3.2:latest" for m in models)
    sim.script_reply("Async works.")
    stream = await official.chat("llama3.2", messages=user("hi"), stream=True)
    text = "".join([part.message.content or "" async for part in stream])
    assert text == "Async works."
    progress = [p.status async for p in await official.pull("gemma3:1b", stream=True)]
    assert progress[0] == "pulling manifest" and progress[-1] == "success"
    with pytest.raises(ollama.ResponseError) as caught:
        await official.show("nope")
    assert caught.value.status_code == 404
    await official._client.aclose()
