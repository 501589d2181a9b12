"""The installed app in a real terminal: options set on f5 are exactly what the next chat sends."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.demo import RecordedRequest, SimulatedOllama

pytestmark = pytest.mark.e2e


def wait_for_chat_request(sim: SimulatedOllama, timeout: float = 20.0) -> RecordedRequest:
    """The first ``/api/chat`` request that carries messages (not a load or unload)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for request in list(sim.requests):
            body = request.body
            if request.path == "/api/chat" and isinstance(body, dict) and body.get("messages"):
                return request
        time.sleep(0.1)
    raise AssertionError("no chat request reached the server")


def test_options_set_in_the_form_are_sent_with_the_next_prompt(
    run_app: Callable[..., TmuxSession],
) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", "llama3.2")
        app.wait_for("online")
        app.send_keys("F5")
        app.wait_for("Next request")
        # The cursor starts in temperature; tab goes num_ctx, num_predict, seed.
        for index, value in enumerate(["0", "8192", "64", "42"]):
            if index:
                app.send_keys("Tab")
                # Keys arriving in one read count as a paste, which drops the tab: type like a
                # person, not all at once.
                time.sleep(0.3)
            app.type(value)
            time.sleep(0.3)
        screen = app.wait_for('"seed": 42')
        assert '"temperature": 0.0' in screen
        app.send_keys("C-s")
        app.wait_for("✓ saved")
        app.send_keys("F2")
        time.sleep(0.5)
        app.type("Say hello")
        app.send_keys("Enter")
        request = wait_for_chat_request(sim)
        assert request.body["options"] == {
            "temperature": 0,
            "num_ctx": 8192,
            "num_predict": 64,
            "seed": 42,
        }
        assert isinstance(request.body["options"]["temperature"], float)
        for field in ("keep_alive", "format"):
            assert field not in request.body
