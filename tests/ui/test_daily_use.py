"""Daily use: dialogs that open on what is saved and fit 80x24, wording, and the models filter."""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Button

from tests.helpers import dialog_shown, settle_workers, until
from tui_app.app import OllamaTUI
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import FormatDialog

AppFactory = Callable[..., OllamaTUI]


async def _chat_screen(app: OllamaTUI, pilot: Pilot[None]) -> ChatScreen:
    """The chat screen, once the models are listed and start-up work is done."""
    await until(pilot, lambda: app.models)
    await settle_workers(pilot, stop_when_idle=True, rounds=50)
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def test_f7_opens_on_the_saved_format_and_fits_80_by_24(make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _chat_screen(app, pilot)
        # From the cursor's place (on the saved choice), the keys to the next choice.
        for keys, expected in ((["down", "down"], "json"), (["up"], "off")):
            await pilot.press("f7")
            dialog = await dialog_shown(pilot, FormatDialog)
            whole = Region(0, 0, 80, 24)
            for button in dialog.query(Button):
                assert whole.contains_region(button.region), button
            await pilot.press(*keys, "enter", "ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            assert screen.reply_format == expected
            # Opened again, the cursor is on the saved choice: enter keeps it.
            await pilot.press("f7")
            await dialog_shown(pilot, FormatDialog)
            await pilot.press("enter", "ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            assert screen.reply_format == expected
