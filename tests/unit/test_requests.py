"""Request bodies, "copy as curl", "copy as Python" and the cosine similarity matrix."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import pytest

from tui_app.api import ChatMessage, OllamaClient
from tui_app.core.requests import (
    ChatRequest,
    EmbedRequest,
    GenerateRequest,
    as_curl,
    as_python,
    body_json,
    cosine_matrix,
    request_url,
)
from tui_app.demo import SimulatedOllama, SimulatedServer

HOST = "http://127.0.0.1:11434"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {"city": {"type": "string"}},
        },
    },
}


# -- bodies ------------------------------------------------------------------------------------


def test_a_generate_body_holds_only_what_was_set() -> None:
    assert GenerateRequest("llama3.2", "Hi").body() == {
        "model": "llama3.2",
        "prompt": "Hi",
        "stream": True,
    }
    full = GenerateRequest(
        "coder",
        "def add(a, b):\n",
        suffix="\n    return result",
        system="Be brief.",
        template="{{ .Prompt }}",
        raw=False,
        images=("aGk=",),
        format={"type": "object"},
        options={"temperature": 0.1},
        keep_alive="10m",
        think=False,
        context=(1, 2, 3),
        stream=False,
    ).body()
    assert full == {
        "model": "coder",
        "prompt": "def add(a, b):\n",
        "suffix": "\n    return result",
        "images": ["aGk="],
        "format": {"type": "object"},
        "options": {"temperature": 0.1},
        "system": "Be brief.",
        "template": "{{ .Prompt }}",
        "context": [1, 2, 3],
        "stream": False,
        "keep_alive": "10m",
        "think": False,
    }


def test_empty_form_fields_are_not_sent_but_meaningful_zeroes_are() -> None:
    body = GenerateRequest("m", "", suffix="", system="", format="", keep_alive=0).body()
    assert body == {"model": "m", "prompt": "", "stream": True, "keep_alive": 0}
    assert GenerateRequest("m", "x", raw=True).body()["raw"] is True


def test_a_chat_body_with_tools_and_a_tool_result() -> None:
    messages = (
        ChatMessage("user", "Weather in Paris?"),
        ChatMessage("tool", "22°C", tool_name="get_weather", tool_call_id="call_abc12345"),
    )
    body = ChatRequest("llama3.2", messages, tools=(WEATHER,), think=True).body()
    assert body["messages"][1] == {
        "role": "tool",
        "content": "22°C",
        "tool_name": "get_weather",
        "tool_call_id": "call_abc12345",
    }
    assert body["tools"] == [WEATHER]
    assert body["think"] is True
    assert "format" not in body and "options" not in body


def test_an_embed_body_keeps_one_string_as_a_string() -> None:
    assert EmbedRequest("e", "one").body() == {"model": "e", "input": "one"}
    assert EmbedRequest("e", ("a", "b"), truncate=False, dimensions=8).body() == {
        "model": "e",
        "input": ["a", "b"],
        "truncate": False,
        "dimensions": 8,
    }


def test_body_json_is_compact_or_indented() -> None:
    request = GenerateRequest("m", "hi")
    assert body_json(request) == '{"model":"m","prompt":"hi","stream":true}'
    assert json.loads(body_json(request, indent=2)) == request.body()
    assert "\n" in body_json(request, indent=2)


# -- curl ----------------------------------------------------------------------------------------


def test_curl_is_one_shell_safe_line() -> None:
    prompt = 'It\'s "quoted" $HOME `date` \\ and\nnew line\x1b[31m and \u2028'
    command = as_curl(HOST, GenerateRequest("llama3.2", prompt))
    assert "\n" not in command and "\x1b" not in command and "\u2028" not in command
    argv = shlex.split(command)
    assert argv[:3] == ["curl", "-sS", "-N"]
    assert argv[3] == HOST + "/api/generate"
    assert json.loads(argv[argv.index("-d") + 1]) == {
        "model": "llama3.2",
        "prompt": prompt,
        "stream": True,
    }


def test_curl_never_holds_the_key_only_the_variable() -> None:
    chat = ChatRequest("m", (ChatMessage("user", "hi"),))
    command = as_curl(HOST, chat, api_key_env="OLLAMA_API_KEY")
    assert '-H "Authorization: Bearer $OLLAMA_API_KEY"' in command
    assert '"Authorization: Bearer $GPU_BOX_KEY"' in as_curl(HOST, chat, api_key_env="GPU_BOX_KEY")
    assert "Authorization" not in as_curl(HOST, chat)
    with pytest.raises(ValueError, match="not an environment variable name"):
        as_curl(HOST, chat, api_key_env="X; rm -rf ~")


@pytest.mark.live_server
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_shell_supplies_the_key_when_the_command_runs(
    sim: SimulatedOllama, live_server: SimulatedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOX_KEY", "s3cret")
    command = as_curl(live_server.url, GenerateRequest("llama3.2", ""), api_key_env="BOX_KEY")
    assert "s3cret" not in command
    subprocess.run(["bash", "-c", command], capture_output=True, check=True)
    (request,) = sim.requests
    assert request.headers["authorization"] == "Bearer s3cret"


def test_a_one_shot_curl_does_not_ask_for_unbuffered_output() -> None:
    argv = shlex.split(as_curl(HOST + "/", EmbedRequest("e", "x")))
    assert "-N" not in argv
    assert argv[2] == HOST + "/api/embed"
    assert request_url(HOST + "/", EmbedRequest("e", "x")) == HOST + "/api/embed"


@pytest.mark.live_server
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_the_curl_command_gets_the_same_reply_as_the_client(
    sim: SimulatedOllama, live_server: SimulatedServer
) -> None:
    request = GenerateRequest("llama3.2", "Tell me about tides", options={"seed": 7})
    async with OllamaClient(live_server.url) as client:
        chunks = [item.chunk async for item in client.stream_generate(request)]
    expected = "".join(chunk.response for chunk in chunks)
    # The client never sends a key here, and the command must not find one either.
    command = as_curl(live_server.url, request)
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert "".join(line["response"] for line in lines) == expected
    assert lines[-1]["done"] is True
    bodies = [r.body for r in sim.requests if r.path == "/api/generate"]
    assert bodies[0] == bodies[1] == request.body()


# -- Python --------------------------------------------------------------------------------------


def test_python_for_a_streamed_generate_compiles_and_names_the_host() -> None:
    request = GenerateRequest("llama3.2", 'It\'s "x"\n', options={"temperature": 0.2})
    script = as_python(HOST, request)
    compile(script, "<copied>", "exec")
    assert f"ollama.Client(host='{HOST}')" in script
    assert "client.generate(" in script and "stream=True" in script
    assert "chunk.response" in script


def test_python_for_chat_and_embed() -> None:
    chat = as_python(HOST, ChatRequest("m", (ChatMessage("user", "hi"),), stream=False))
    compile(chat, "<copied>", "exec")
    assert "client.chat(" in chat and "response.message.content" in chat
    embed = as_python(HOST, EmbedRequest("e", ("a", "b"), dimensions=4))
    compile(embed, "<copied>", "exec")
    assert "client.embed(" in embed and "dimensions=4" in embed


def test_python_reads_the_key_from_its_variable() -> None:
    script = as_python(HOST, GenerateRequest("m", "x"), api_key_env="GPU_BOX_KEY")
    compile(script, "<copied>", "exec")
    assert "os.environ['GPU_BOX_KEY']" in script
    assert "headers=" not in as_python(HOST, GenerateRequest("m", "x"))


@pytest.mark.live_server
def test_the_python_script_runs_against_the_simulator(
    live_server: SimulatedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    request = EmbedRequest("nomic-embed-text", ("a cat", "a dog"), dimensions=4)
    script = as_python(live_server.url, request)
    # trust_env=False keeps an environment proxy away from loopback test traffic.
    script = script.replace("ollama.Client(host=", "ollama.Client(trust_env=False, host=")
    exec(compile(script, "<copied>", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.startswith("[[") and printed.count("], [") == 1


# -- cosine similarity ---------------------------------------------------------------------------


def test_cosine_matrix() -> None:
    matrix = cosine_matrix([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0], [-3.0, 0.0]])
    assert [row[0] for row in matrix] == pytest.approx([1.0, 0.0, 2**-0.5, -1.0])
    assert all(matrix[i][i] == 1.0 for i in range(4))
    assert all(matrix[i][j] == matrix[j][i] for i in range(4) for j in range(4))


def test_cosine_matrix_of_a_zero_vector_is_zero() -> None:
    assert cosine_matrix([[0.0, 0.0], [1.0, 0.0]]) == [[0.0, 0.0], [0.0, 1.0]]
    assert cosine_matrix([]) == []
