"""Push from the model browser, with progress per layer on the pulls screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.helpers import record_notifications, until
from tui_app.app import OllamaTUI
from tui_app.core.transfers import TransferKind, TransferState
from tui_app.demo import SimulatedOllama
from tui_app.screens.models import ModelsScreen
from tui_app.screens.pulls import PullsScreen

AppFactory = Callable[..., OllamaTUI]


@pytest.fixture
def sim() -> SimulatedOllama:
    return SimulatedOllama(token_delay=0.0, pull_tick=0.0, pull_rate=20e9)


async def open_models(pilot: Pilot[None]) -> ModelsScreen:
    await pilot.press("f3")
    screen = pilot.app.screen
    assert isinstance(screen, ModelsScreen)
    await until(pilot, lambda: screen.table.row_count > 0)
    return screen


def pushes(sim: SimulatedOllama) -> list[object]:
    return [request.body for request in sim.requests if request.path == "/api/push"]


async def test_push_shows_each_layer_and_succeeds(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    said = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.services.client.copy("llama3.2", "me/llama3.2")
        app.refresh_models()
        screen = await open_models(pilot)
        await until(pilot, lambda: screen.table.select_model("me/llama3.2:latest"))
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, PullsScreen))
        pulls = app.screen
        assert isinstance(pulls, PullsScreen)
        await until(pilot, lambda: bool(pulls.transfers) and not pulls.transfers[0].running)
        [transfer] = pulls.transfers
        assert (transfer.kind, transfer.state) == (TransferKind.PUSH, TransferState.SUCCEEDED)
        assert transfer.model == "me/llama3.2:latest"
        model = sim.installed("me/llama3.2")
        assert model is not None
        assert set(transfer.layers) == {digest for digest, _ in model.layers}
        assert all(layer.completed == layer.total for layer in transfer.layers.values())
        assert pushes(sim) == [{"model": "me/llama3.2:latest", "stream": True}]
        await until(pilot, lambda: "Pushed me/llama3.2:latest" in said)


async def test_a_library_model_is_not_pushed(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    said = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_models(pilot)
        await until(pilot, lambda: screen.table.select_model("llama3.2:latest"))
        await pilot.press("ctrl+e")
        await until(pilot, lambda: any("Cannot push" in text for text in said))
        assert "copy it to a name such as yourname/llama3.2" in said[-1]
        assert isinstance(app.screen, ModelsScreen)
        assert pushes(sim) == []
