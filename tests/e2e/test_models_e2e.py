"""The model browser in a real terminal: see the models, unload a loaded one, watch it go."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.demo import SimulatedOllama

pytestmark = pytest.mark.e2e


def loaded_row(screen: str, name: str) -> str:
    """The table row of ``name``: what is left of the details pane on its line."""
    rows = (line.split("│", 1)[0] for line in screen.splitlines())
    return next(row for row in rows if f" {name} " in row)


def test_unloading_a_model_removes_its_marker(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        # Loaded before the app starts, kept forever: only the app can unload it.
        reply = httpx.post(
            f"{server.url}/api/chat",
            json={"model": "gemma3:1b", "messages": [], "keep_alive": -1},
            timeout=10,
        )
        assert reply.json()["done_reason"] == "load"
        app = run_app("--host", server.url)
        app.wait_for("online")
        app.send_keys("F3")
        screen = app.wait_for("kept loaded")
        for name in ("qwen3:8b", "llava:7b", "nomic-embed-text:latest", "llama3.2:latest"):
            assert name in screen
        assert "Loaded: 1" in screen
        assert "●" in loaded_row(screen, "gemma3:1b")

        app.send_keys("Down")  # gemma3:1b is the second row, newest first
        app.wait_for(lambda text: "gemma3:1b ─" in text)  # the details pane follows
        app.send_keys("C-u")
        screen = app.wait_for("No model is loaded.")
        assert "●" not in loaded_row(screen, "gemma3:1b")
        assert "gemma3:1b is unloaded." in screen
        unloads = [
            request.body
            for request in sim.requests
            if request.path == "/api/chat" and request.body.get("keep_alive") == 0
        ]
        assert unloads == [{"model": "gemma3:1b", "messages": [], "keep_alive": 0}]
        assert sim.loaded_names() == []
