"""The installed app in a real terminal: compare two models, then one model at three
temperatures, repeat it, and bench it; every request carries exactly its column's options."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.demo import SimulatedOllama

pytestmark = pytest.mark.e2e


def chat_bodies(sim: SimulatedOllama) -> list[dict[str, Any]]:
    """Bodies of the requests that asked for a reply (not loads or unloads)."""
    return [
        r.body
        for r in list(sim.requests)
        if r.path == "/api/chat" and isinstance(r.body, dict) and r.body.get("messages")
    ]


def type_options(app: TmuxSession, text: str) -> None:
    """From one column's options (or the prompt) to the next column's options, and type."""
    for _ in range(4):
        app.send_keys("Tab")
        # Keys arriving in one read count as a paste: type like a person.
        time.sleep(0.2)
    app.type(text)
    time.sleep(0.3)


def test_two_models_then_three_temperatures_repeat_and_bench(
    run_app: Callable[..., TmuxSession],
) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, width=160, height=50)
        app.wait_for("online")
        app.send_keys("F12")
        app.wait_for("Column 2")
        time.sleep(0.5)
        app.type("Tell me about tests")
        app.send_keys("Enter")
        app.wait_for("Saved as comparison 1")
        first = chat_bodies(sim)
        assert len(first) == 2 and first[0]["model"] != first[1]["model"]
        assert all("options" not in body for body in first)

        # One model in three columns: add one like the second, drop the first, add again.
        app.send_keys("C-n")
        app.wait_for("Column 3")
        type_options(app, "")
        app.send_keys("C-d")
        app.wait_for(lambda screen: "Column 3" not in screen)
        app.send_keys("C-n")
        app.wait_for("Column 3")
        app.send_keys("F12")
        time.sleep(0.3)
        for options in (
            "temperature 0, seed 42",
            "temperature 0.7, seed 42",
            "temperature 1.5, seed 42",
        ):
            type_options(app, options)
        app.send_keys("M-r")
        app.wait_for("Saved as comparison 2")
        second = chat_bodies(sim)[2:]
        assert len({body["model"] for body in second}) == 1
        assert sorted((b["options"] for b in second), key=lambda o: o["temperature"]) == [
            {"temperature": 0, "seed": 42},
            {"temperature": 0.7, "seed": 42},
            {"temperature": 1.5, "seed": 42},
        ]

        app.send_keys("C-g")
        screen = app.wait_for("Saved as comparison 3")
        assert screen.count("identical vs previous run") >= 1

        app.send_keys("M-t")
        app.wait_for("runs per column")
        app.send_keys("Enter")
        app.wait_for("3 of 3 runs per column", timeout=60)
        # Each column draws its chart as its own last run ends, so wait for all three.
        screen = app.wait_for(lambda shown: shown.count("bench: 3 runs") == 3)
        assert "█" in screen
        assert len(chat_bodies(sim)) == 2 + 3 + 3 + 9
