"""The installed app in tmux: a generate and an embed sent from the workbench, as previewed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.demo import SimulatedOllama

pytestmark = pytest.mark.e2e


def wait_for_body(sim: SimulatedOllama, path: str, timeout: float = 20.0) -> Any:
    """The body of the first request to ``path``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for request in list(sim.requests):
            if request.path == path:
                return request.body
        time.sleep(0.1)
    raise AssertionError(f"no request reached {path}")


def test_a_generate_then_an_embed(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", "llama3.2")
        app.wait_for("online")
        app.send_keys("F10")
        app.wait_for("capabilities: completion")
        app.type("Why is the sky blue?")
        app.wait_for('"prompt": "Why is the sky blue?"')
        app.send_keys("C-g")
        screen = app.wait_for("lines received", timeout=30)
        assert "tokens/s" in screen and "load" in screen
        body = wait_for_body(sim, "/api/generate")
        assert body == {
            "model": "llama3.2:latest",
            "prompt": "Why is the sky blue?",
            "stream": True,
        }

        app.send_keys("C-e")
        app.wait_for("capabilities: embedding")
        app.type("cats purr")
        app.send_keys("Enter")
        app.type("dogs bark")
        app.wait_for('"dogs bark"')
        app.send_keys("C-g")
        screen = app.wait_for("cosine similarity", timeout=30)
        assert "2 vectors" in screen and "length 768" in screen
        body = wait_for_body(sim, "/api/embed")
        assert body == {"model": "nomic-embed-text:latest", "input": ["cats purr", "dogs bark"]}
        assert not app.pane_dead()
