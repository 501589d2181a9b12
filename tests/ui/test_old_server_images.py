"""Images with an older Ollama, whose /api/show lists no capabilities."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.helpers import dialog_shown, record_notifications, settle_workers, until
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.demo._sim import SimResponse
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import AttachImageDialog

AppFactory = Callable[..., OllamaTUI]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))


def like_an_old_server(sim: SimulatedOllama) -> None:
    """Leave ``capabilities`` out of every /api/show reply, as Ollama before 0.6 did."""
    handle = sim.handle

    def old(
        method: str, path: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> SimResponse:
        response = handle(method, path, body, headers)
        if path != "/api/show" or response.status != 200:
            return response
        data = json.loads(b"".join(part for part in response.body if isinstance(part, bytes)))
        data.pop("capabilities", None)
        return SimResponse(response.status, response.headers, iter([json.dumps(data).encode()]))

    sim.handle = old  # type: ignore[method-assign]


async def start(pilot: Pilot[None]) -> ChatScreen:
    app = pilot.app
    assert isinstance(app, OllamaTUI)
    await until(pilot, lambda: app.models)
    await settle_workers(pilot, rounds=20, stop_when_idle=True)
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def test_llava_reads_images_when_the_server_lists_no_capabilities(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Path
) -> None:
    like_an_old_server(sim)
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    app = make_app(initial_model="llava:7b")
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await start(pilot)
        # The model picker marks it vision too.
        assert await screen._capabilities_of("llava:7b") == ("vision",)
        await pilot.press("f8")
        dialog = await dialog_shown(pilot, AttachImageDialog)
        dialog.query_one(Input).value = str(image)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        screen.prompt.load_text("what is this?")
        await pilot.press("enter")
        await settle_workers(pilot, rounds=50, stop_when_idle=True)
        assert not screen.query_one("#chat-attachments", Static).display
    chats = [r.body for r in sim.requests if r.path == "/api/chat" and r.body.get("messages")]
    assert chats[-1]["messages"][-1]["images"] == [base64.b64encode(PNG).decode()]


async def test_a_model_nothing_tells_about_may_be_tried_with_a_note(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    like_an_old_server(sim)
    app = make_app(initial_model="llama3.2")
    said = record_notifications(app)
    async with app.run_test(size=(100, 36)) as pilot:
        await start(pilot)
        await pilot.press("f8")
        await dialog_shown(pilot, AttachImageDialog)
        assert any("does not say whether llama3.2 reads images" in note for note in said)
