"""Shared state seen through the app: every screen shows the same connection and pulls,
hand-offs between areas are messages, and no worker runs for ever."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from tests.helpers import until
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.messages import OpenChat, StartPull
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import ConfirmDialog, ModelPickerDialog
from tui_app.screens.pulls import PullsScreen
from tui_app.widgets.pull_progress import PullPanel
from tui_app.widgets.status_bar import StatusBar

AppFactory = Callable[..., OllamaTUI]


def status_text(app: OllamaTUI) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def online(pilot: Pilot[None], app: OllamaTUI) -> None:
    await until(pilot, lambda: app.connection.online and app.models)


async def test_every_worker_can_be_waited_for(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await online(pilot, app)
        # The connection is checked from a timer by one short worker at a time.
        await app.workers.wait_for_complete()
        # The listing can still start a short worker (the chosen model's details) once that
        # wait is over: what matters is that every worker ends.
        await until(pilot, lambda: all(worker.is_finished for worker in app.workers))
        assert app.connection.online


async def test_running_pulls_show_in_every_status_bar(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.pull_tick = 0.02
    sim.pull_rate = 10_000 / sim.pull_tick
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await online(pilot, app)
        assert "running" not in status_text(app)
        app.post_message(StartPull("smollm2:135m"))
        await until(pilot, lambda: isinstance(app.screen, PullsScreen))
        await until(pilot, lambda: "1 pull running" in status_text(app))
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert "1 pull running" in status_text(app)
        (transfer,) = app.services.transfers.transfers
        app.services.transfers.cancel(transfer)
        await until(pilot, lambda: "running" not in status_text(app))
        assert app.services.transfers.running_count() == 0


async def test_opening_a_chat_from_elsewhere_is_a_message(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await online(pilot, app)
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, PullsScreen))
        app.screen.post_message(OpenChat("gemma3:1b"))
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        await until(pilot, lambda: app.services.current.model.value == "gemma3:1b")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.chat is None and screen.model == "gemma3:1b"
        assert "model gemma3:1b" in status_text(app)


async def test_opening_a_chat_reaches_the_chat_screen_under_its_dialog(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await online(pilot, app)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ModelPickerDialog))
        await app.switch_mode("models")
        app.screen.post_message(OpenChat("gemma3:1b"))
        await until(pilot, lambda: app.services.current.model.value == "gemma3:1b")
        chat = app.get_screen_stack("chat")[0]
        assert isinstance(chat, ChatScreen)
        assert chat.model == "gemma3:1b"


async def test_screens_stop_listening_when_they_close(make_app: AppFactory) -> None:
    app = make_app()
    status = app.services.connection.status
    async with app.run_test(size=(100, 30)) as pilot:
        await online(pilot, app)
        for key in ("f3", "f4", "f5", "f2"):
            await pilot.press(key)
        await until(pilot, lambda: status.listener_count >= 5)
    # Only the app's own subscription is left: no closed screen is told of changes.
    assert status.listener_count == 1
    assert app.services.catalog.models.listener_count == 1, "the catalogue's own cache"


async def test_pulls_started_before_the_pulls_screen_show_on_it_and_guard_quit(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.pull_tick = 0.02
    sim.pull_rate = 10_000 / sim.pull_tick
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await online(pilot, app)
        app.services.transfers.start_pull("smollm2:135m")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, PullsScreen))
        screen = app.screen
        assert isinstance(screen, PullsScreen)
        await until(pilot, lambda: bool(screen.query(PullPanel)))
        (panel,) = screen.query(PullPanel)
        assert panel.subject == "pull smollm2:135m"
        screen.cancel(panel.transfer)
        await until(pilot, lambda: app.services.transfers.running_count() == 0)
