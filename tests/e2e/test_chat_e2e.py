"""The installed app in a real terminal: a two-turn conversation with the simulated server."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.demo import SimulatedOllama
from tui_app.store import Store

pytestmark = pytest.mark.e2e


def chat_bodies(sim: SimulatedOllama) -> list[dict[str, Any]]:
    return [
        request.body
        for request in list(sim.requests)
        if request.path == "/api/chat"
        and isinstance(request.body, dict)
        and request.body.get("messages")
    ]


def wait_for_requests(sim: SimulatedOllama, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while len(chat_bodies(sim)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} chat requests, saw {len(chat_bodies(sim))}")
        time.sleep(0.1)


def send(app: TmuxSession, text: str) -> None:
    """Type like a person, then press enter on its own."""
    app.type(text)
    time.sleep(0.3)
    app.send_keys("Enter")


def test_a_two_turn_conversation(run_app: Callable[..., TmuxSession], tmp_path: Path) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    sim.script_reply("The sky is **blue** on a clear day.")
    sim.script_reply("Grass is green, thanks to chlorophyll.")
    sim.script_reply("Two lines received.")
    data_dir = tmp_path / "data"
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", "llama3.2", data_dir=data_dir)
        app.wait_for("online")
        app.wait_for("Message")
        send(app, "What colour is the sky?")
        app.wait_for("The sky is blue on a clear day.")
        screen = app.wait_for("finished")
        assert "What colour is the sky?" in screen
        send(app, "And grass?")
        screen = app.wait_for("Grass is green, thanks to chlorophyll.")
        for text in ("What colour is the sky?", "The sky is blue", "And grass?"):
            assert text in screen
        wait_for_requests(sim, 2)
        first, second = chat_bodies(sim)[:2]
        assert first["messages"] == [{"role": "user", "content": "What colour is the sky?"}]
        assert second["messages"] == [
            {"role": "user", "content": "What colour is the sky?"},
            {"role": "assistant", "content": "The sky is **blue** on a clear day."},
            {"role": "user", "content": "And grass?"},
        ]
        # ctrl+j starts a new line in a real terminal instead of sending.
        app.type("line one")
        time.sleep(0.3)
        app.send_keys("C-j")
        time.sleep(0.3)
        send(app, "line two")
        app.wait_for("Two lines received.")
        wait_for_requests(sim, 3)
        assert chat_bodies(sim)[2]["messages"][-1]["content"] == "line one\nline two"
        app.send_keys("C-q")
        app.wait_for(lambda _: app.pane_dead(), timeout=10)
    with Store.open(data_dir / "ollama-tui.db") as store:
        (chat,) = store.list_chats()
        assert chat.title == "What colour is the sky?"
        saved = [(m.role, m.status) for m in store.messages(chat.id)]
        assert saved == [("user", "complete"), ("assistant", "complete")] * 3
