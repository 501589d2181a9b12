"""How the model browser looks: loaded models with details, a filtered narrow view, and
every host's models in one narrow table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.helpers import settle_workers
from tui_app.app import OllamaTUI
from tui_app.core.clock import ManualClock
from tui_app.demo import SimulatedOllama
from tui_app.widgets.model_table import ModelTable

AppFactory = Callable[..., OllamaTUI]

NOW = datetime(2025, 10, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def sim() -> SimulatedOllama:
    """A simulated server on a fixed time, in UTC."""
    return SimulatedOllama(token_delay=0.0, clock=NOW.timestamp, tz=UTC)


@pytest.fixture
def app_clock() -> ManualClock:
    """The app agrees with the simulated server on the time."""
    return ManualClock(NOW.timestamp())


async def settle(pilot: Pilot[None]) -> None:
    await settle_workers(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_browser_with_loaded_models_and_details(make_app: AppFactory, snap_compare: object) -> None:
    app = make_app()

    async def run_before(pilot: Pilot[None]) -> None:
        client = app.services.client
        await client.load("qwen3:8b", keep_alive=-1)
        await client.load("llama3.2:latest")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")  # llama3.2:latest
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)  # type: ignore[operator]


def test_narrow_browser_filtered(make_app: AppFactory, snap_compare: object) -> None:
    app = make_app()

    async def run_before(pilot: Pilot[None]) -> None:
        await app.services.client.load("gemma3:1b")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"q4_k")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]


def test_all_hosts_narrow(make_app: AppFactory, snap_compare: object) -> None:
    from tests.ui.test_hosts_in_app import gpu_host, gpu_sim

    gpu = gpu_host(gpu_sim(clock=NOW.timestamp, tz=UTC))
    app = make_app(more_hosts=(gpu,))

    async def run_before(pilot: Pilot[None]) -> None:
        await app.services.client.load("gemma3:1b")
        await gpu.client.load("bigmodel:70b", keep_alive=-1)
        await pilot.press("f3")
        screen = pilot.app.screen
        for _ in range(500):
            if gpu.status.online and screen.query_one(ModelTable).row_count == 7:
                break
            await pilot.pause(0.01)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
