"""Push from the model browser, and create from a local GGUF file, with progress on the
pulls screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.helpers import dialog_shown, record_notifications, until
from tui_app.app import OllamaTUI
from tui_app.core.file_create import HASHING
from tui_app.core.gguf import write_minimal_gguf
from tui_app.core.transfers import TransferKind, TransferState
from tui_app.demo import SimulatedOllama
from tui_app.screens.dialogs import CreateFromFileDialog
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
        screen.action_push()
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
        screen.action_push()
        await until(pilot, lambda: any("Cannot push" in text for text in said))
        assert "copy it to a name such as yourname/llama3.2" in said[-1]
        assert isinstance(app.screen, ModelsScreen)
        assert pushes(sim) == []


def file_requests(sim: SimulatedOllama) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in sim.requests
        if r.path.startswith(("/api/blobs", "/api/create"))
    ]


async def fill(pilot: Pilot[None], dialog: CreateFromFileDialog, name: str, path: str) -> None:
    dialog.query_one("#create-file-name", Input).value = name
    dialog.query_one("#create-file-path", Input).value = path
    await pilot.press("ctrl+s")


async def test_create_from_a_gguf_file(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Path
) -> None:
    path = write_minimal_gguf(tmp_path / "tiny.gguf", payload=b"w" * 3_000_000)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        (await open_models(pilot)).action_create_from_file()
        dialog = await dialog_shown(pilot, CreateFromFileDialog)
        await fill(pilot, dialog, "tiny", str(path))
        await until(pilot, lambda: isinstance(app.screen, PullsScreen))
        pulls = app.screen
        assert isinstance(pulls, PullsScreen)
        await until(pilot, lambda: bool(pulls.transfers) and not pulls.transfers[0].running)
        [transfer] = pulls.transfers
        assert (transfer.kind, transfer.state) == (TransferKind.CREATE, TransferState.SUCCEEDED)
        digests = list(transfer.layers)
        assert digests[0] == HASHING and digests[1].startswith("sha256:")
        assert file_requests(sim) == [
            f"HEAD /api/blobs/{digests[1]}",
            f"POST /api/blobs/{digests[1]}",
            "POST /api/create",
        ]
        assert sim.installed("tiny") is not None


async def test_a_missing_or_non_gguf_file_is_refused_in_the_dialog(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        (await open_models(pilot)).action_create_from_file()
        dialog = await dialog_shown(pilot, CreateFromFileDialog)
        error = dialog.query_one("#dialog-error", Static)
        await fill(pilot, dialog, "mine", str(tmp_path / "gone.gguf"))
        await until(pilot, lambda: "does not exist" in str(error.content))
        await fill(pilot, dialog, "mine", str(text))
        await until(pilot, lambda: "notes.txt is not a GGUF file" in str(error.content))
        assert app.screen is dialog
        assert file_requests(sim) == []
