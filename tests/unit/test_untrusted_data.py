"""Server and file data that is hostile or broken: shown safely, never a crash."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tui_app.api import (
    ChatChunk,
    Metrics,
    OllamaClient,
    OllamaHTTPError,
    OllamaStreamError,
    ProgressUpdate,
    ReplyTimeoutError,
)
from tui_app.core.config import (
    REPLY_TIMEOUT_ENV,
    InvalidSettingError,
    Setting,
    read_config_file,
    resolve,
)
from tui_app.safe_text import safe_line, safe_number, safe_text, visible_controls
from tui_app.store import DatabaseCorruptError, Store

ESCAPES = "\x1b]52;c;aGk=\x07\x1b]0;title\x07\x1b[2J\x1b]8;;http://x/\x1b\\link\x9b31m\x00"


def no_controls(text: str, *, keep: str = "") -> bool:
    """True when ``text`` holds no C0 or C1 control character but those in ``keep``."""
    return not any((ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0) and c not in keep for c in text)


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> OllamaClient:
    return OllamaClient("http://ollama.test", transport=httpx.MockTransport(handler))


def test_safe_text_makes_every_control_visible() -> None:
    assert no_controls(safe_line(ESCAPES))
    assert no_controls(safe_line("a\nb\tc"))
    assert safe_text("a\nb\tc\x1b") == "a\nb\tc␛"
    assert safe_line(42) == ""
    assert safe_line("x" * 10_000).endswith("…")
    assert visible_controls("\x1b[2J", multi_line=False) == "␛[2J"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        (5.9, 5),
        (float("nan"), None),
        (float("inf"), None),
        (-1, None),
        (10**400, None),
        (True, None),
        ("7", None),
        (None, None),
    ],
)
def test_safe_number(value: object, expected: int | None) -> None:
    assert safe_number(value) == expected


def tags_body() -> bytes:
    # 1e999 and NaN are what a hostile server can write; json.dumps would refuse 1e999.
    return (
        b'{"models": ['
        b'{"name": "good:latest", "size": 10},'
        b'{"name": "good:latest", "size": 11},'
        b'{"size": 3},'
        b'{"name": "", "size": 3},'
        b'{"name": "huge:latest", "size": 1e999},'
        b'{"name": "nan:latest", "size": NaN},'
        b'"not an object",'
        b'{"name": "\\u001b]0;evil\\u0007[bold red]X[/]:latest", "size": 4}'
        b"]}"
    )


async def test_a_listing_skips_bad_entries_and_says_why() -> None:
    client = client_for(lambda request: httpx.Response(200, content=tags_body()))
    async with client:
        models = await client.list_models()
    assert [m.name for m in models] == ["good:latest", "␛]0;evil␇[bold red]X[/]:latest"]
    assert models[0].size == 10
    notes = " ".join(models.skipped)
    assert "listed twice" in notes and "no name" in notes and "size" in notes


async def test_running_models_with_impossible_numbers_are_skipped() -> None:
    body = (
        b'{"models": [{"name": "a", "size": 1e999, "size_vram": 1},'
        b'{"name": "b", "size": 5, "size_vram": NaN},'
        b'{"name": "c", "size": 5, "size_vram": 5, "context_length": 4096}]}'
    )
    client = client_for(lambda request: httpx.Response(200, content=body))
    async with client:
        running = await client.running_models()
    assert [m.name for m in running] == ["c"]
    assert len(running.skipped) == 2


def test_a_final_chunk_with_nan_metrics_is_still_done() -> None:
    data = json.loads(
        '{"model": "m", "done": true, "done_reason": "stop\\u001b[2J", "eval_count": NaN,'
        ' "eval_duration": 1e999, "message": {"content": ""}}'
    )
    chunk = ChatChunk.from_json(data)
    assert chunk.done and chunk.metrics == Metrics()
    assert chunk.done_reason == "stop␛[2J"
    update = ProgressUpdate.from_json(json.loads('{"status": "x\\u001b", "total": NaN}'))
    assert update.total == 0 and update.status == "x␛"


async def test_error_bodies_and_stream_errors_have_no_controls() -> None:
    body = json.dumps({"error": ESCAPES}).encode()
    client = client_for(lambda request: httpx.Response(500, content=body))
    async with client:
        with pytest.raises(OllamaHTTPError) as caught:
            await client.list_models()
    assert no_controls(str(caught.value))

    stream = b'{"message": {"content": "hi"}}\n' + json.dumps({"error": ESCAPES}).encode()
    client = client_for(lambda request: httpx.Response(200, content=stream))
    async with client:
        with pytest.raises(OllamaStreamError) as streamed:
            async for _ in client.chat("m", []):
                pass
    assert no_controls(str(streamed.value))


async def test_a_proxy_error_page_reads_as_its_title_and_one_line() -> None:
    page = (
        "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title>\n"
        "<style>body { color: red }</style></head>\n<body>\n<center><h1>502 Bad Gateway</h1>"
        "</center>\n<hr><center>nginx/1.25.3</center>\n"
        + "<p>padding</p>\n" * 10
        + "</body>\n</html>\n"
    )
    client = client_for(
        lambda request: httpx.Response(502, text=page, headers={"content-type": "text/html"})
    )
    async with client:
        with pytest.raises(OllamaHTTPError) as caught:
            await client.list_models()
    message = str(caught.value)
    assert message == "Ollama error 502: 502 Bad Gateway: nginx/1.25.3"


async def test_the_server_version_is_one_safe_line() -> None:
    body = json.dumps({"version": "0.1\x1b]0;pwned\x07\n2"}).encode()
    client = client_for(lambda request: httpx.Response(200, content=body))
    async with client:
        assert no_controls(await client.version())


def test_a_negative_schema_version_is_a_damaged_database(tmp_path: Path) -> None:
    path = tmp_path / "ollama-tui.db"
    with Store.open(path):
        pass
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = -5")
    connection.close()
    with pytest.raises(DatabaseCorruptError, match="schema version is -5"):
        Store.open(path)


def test_a_foreign_file_is_refused_before_anything_writes_to_it(tmp_path: Path) -> None:
    path = tmp_path / "ollama-tui.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.execute("INSERT INTO notes VALUES ('mine')")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseCorruptError, match="did not create"):
        Store.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ollama-tui.db"]


@pytest.mark.parametrize("host", ["127.0.0.1\n:9", "http://a\x1b[2J:1", "h\tx:1", "a\x00b"])
def test_a_host_with_a_control_character_is_one_line_and_exit_2(
    host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui_app.__main__ import main

    with pytest.raises(SystemExit) as caught:
        # --print-config: a host that got through would print and return, never hang.
        main(["--host", host, "--data-dir", str(tmp_path), "--print-config"])
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "control character" in error
    assert no_controls(error, keep="\n")


async def test_a_silent_reply_ends_with_a_timeout_error() -> None:
    def silent(request: httpx.Request) -> httpx.Response:
        assert request.extensions["timeout"]["read"] == 42.0
        raise httpx.ReadTimeout("no answer", request=request)

    client = OllamaClient(
        "http://ollama.test", transport=httpx.MockTransport(silent), reply_timeout=42.0
    )
    async with client:
        with pytest.raises(ReplyTimeoutError, match="sent nothing for 42 s"):
            async for _ in client.chat("m", []):
                pass


def test_the_reply_timeout_comes_from_flag_environment_file_or_default(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("reply_timeout = 600\n")
    file = read_config_file(path)
    assert resolve(file, env={}).reply_timeout_seconds == 600
    assert resolve(file, env={REPLY_TIMEOUT_ENV: "90"}).reply_timeout_seconds == 90
    assert resolve(file, env={REPLY_TIMEOUT_ENV: "90"}, reply_timeout="5").reply_timeout == (
        Setting("5", "--reply-timeout")
    )
    assert resolve(read_config_file(tmp_path / "none.toml"), env={}).reply_timeout_seconds == 300
    with pytest.raises(InvalidSettingError):
        resolve(file, env={}, reply_timeout="soon")
    with pytest.raises(InvalidSettingError):
        resolve(file, env={REPLY_TIMEOUT_ENV: "-1"})
    path.write_text('reply_timeout = "long"\n')
    bad = read_config_file(path)
    assert bad.reply_timeout is None and "reply_timeout" in bad.problems[0]


def test_names_and_errors_read_back_from_the_database_have_no_controls(tmp_path: Path) -> None:
    path = tmp_path / "ollama-tui.db"
    with Store.open(path) as store:
        chat = store.create_chat(title="t", model="m")
        store.add_message(chat.id, "assistant", "text")
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE chat SET title = ?, model = ?", ("t" + ESCAPES, ESCAPES))
        connection.execute("UPDATE message SET error = ?, model = ?", (ESCAPES, ESCAPES))
    connection.close()
    with Store.open(path) as store:
        (chat,) = store.list_chats()
        (message,) = store.messages(chat.id)
    assert no_controls(chat.title) and chat.model and no_controls(chat.model)
    assert message.error and no_controls(message.error)
    assert message.model and no_controls(message.model)
