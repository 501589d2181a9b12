"""The installed app in tmux: a multi-layer pull moves, is cancelled, resumes and succeeds."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.demo import SimModel, SimulatedOllama
from tui_app.demo._models import blob_digest

pytestmark = pytest.mark.e2e

FIRST = blob_digest("layered:2b", "weights")
SECOND = blob_digest("layered:2b", "projector")
LAYERED = SimModel(
    name="layered:2b",
    layers=[(FIRST, 16_000_000), (SECOND, 12_000_000), (blob_digest("layered:2b", "params"), 90)],
)


def percent(screen: str, digest: str) -> int:
    """The percentage shown on the bar of layer ``digest``, or -1 if it is not on screen."""
    for line in screen.splitlines():
        if digest[7:19] in line and "%" in line and "pulling" not in line:
            found = re.search(r"(\d+)%", line)
            if found:
                return int(found.group(1))
    return -1


def test_pull_cancel_resume_and_succeed(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0, pull_tick=0.05, pull_rate=2_000_000)
    sim.catalog[LAYERED.key] = LAYERED
    with sim.serve() as server:
        app = run_app("--host", server.url)
        app.wait_for("online")
        app.send_keys("F4")
        app.wait_for("Model to pull")
        app.type("layered:2b")
        app.send_keys("Enter")

        # The first layer's bar moves.
        app.wait_for(lambda screen: percent(screen, FIRST) >= 5, timeout=20)
        before = percent(app.capture(), FIRST)
        app.wait_for(lambda screen: percent(screen, FIRST) > before, timeout=20)

        # The second layer gets a bar of its own while the first shows complete.
        screen = app.wait_for(lambda screen: percent(screen, SECOND) >= 5, timeout=30)
        assert percent(screen, FIRST) == 100
        assert "total" in screen

        app.send_keys("C-x")
        app.wait_for("cancelled", timeout=10)
        # The server notices the closed request at its next write, a tick later.
        app.wait_for(lambda _: not sim.active_downloads(), timeout=5)
        kept = sim.blob_progress(SECOND)
        assert 0 < kept < 12_000_000, "Ollama keeps the partial blob"

        sim.pull_tick, sim.pull_rate = 0.01, 10_000_000  # the rest comes quicker
        app.send_keys("Down")
        app.wait_for("Pull again", timeout=10)  # the footer offers it once the pull is focused
        app.send_keys("Enter")
        screen = app.wait_for("resumed at", timeout=10)
        assert "cached" in screen, "the finished first layer is not downloaded again"
        screen = app.wait_for("Pulled layered:2b", timeout=30)
        assert "done" in screen
        assert percent(screen, SECOND) == 100

        bodies = [r.body for r in sim.requests if r.path == "/api/pull"]
        assert bodies == [{"model": "layered:2b", "stream": True}] * 2

        # Quitting while another pull runs asks first.
        sim.pull_tick, sim.pull_rate = 0.05, 2_000_000
        app.send_keys("Up")
        app.wait_for(lambda screen: "Pull again" not in screen, timeout=10)
        app.type("smollm2:135m")
        app.send_keys("Enter")
        app.wait_for("running", timeout=10)
        app.send_keys("C-q")
        app.wait_for("Quit while 1 pull is running?", timeout=10)
        app.send_keys("y")
        app.wait_for(lambda _: app.pane_dead(), timeout=10)
