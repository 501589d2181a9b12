"""The app frame: status bar, screen keys, help, palette, offline and reconnect."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static

from tests.helpers import until
from tui_app.api import OllamaClient
from tui_app.app import OllamaTUI
from tui_app.core.connection import LinkState
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import HelpDialog
from tui_app.screens.models import ModelsScreen
from tui_app.screens.options import OptionsScreen
from tui_app.screens.pulls import PullsScreen
from tui_app.services import Services
from tui_app.store import Store
from tui_app.widgets.status_bar import StatusBar

AppFactory = Callable[..., OllamaTUI]


def status_text(app: OllamaTUI) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def test_starts_on_chat_and_goes_online(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.connection.online and "online" in status_text(app))
        assert isinstance(app.screen, ChatScreen)
        assert app.connection.state is LinkState.ONLINE
        assert app.connection.version == "0.12.3"
        text = status_text(app)
        assert "online" in text
        assert "Ollama 0.12.3" in text
        assert "http://ollama.test" in text
        assert "DEMO" not in text
        assert "llama3.2:latest" in {m.name for m in app.models}


async def test_demo_mode_says_replies_are_simulated(make_app: AppFactory) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: "DEMO: simulated replies" in status_text(app))


async def test_function_keys_switch_screens(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for key, screen in [
            ("f3", ModelsScreen),
            ("f4", PullsScreen),
            ("f5", OptionsScreen),
            ("f2", ChatScreen),
        ]:
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
            assert app.screen.query(StatusBar), key


async def test_help_lists_every_global_key(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        for key in ("f1", "f2", "f3", "f4", "f5", "ctrl+r", "ctrl+q"):
            assert key in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


async def test_palette_offers_navigation(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Go to Chat", "Go to Models", "Go to Pulls", "Go to Options", "Reconnect"):
            assert title in titles


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_offline_then_reconnect(tmp_path: Path) -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    store = Store.open(tmp_path / "db" / "ollama-tui.db")
    app = OllamaTUI(Services(client=OllamaClient(url), store=store, host=url))
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await until(pilot, lambda: app.connection.state is LinkState.OFFLINE)
            text = status_text(app)
            assert "offline" in text
            assert url in text
            assert "ollama serve" in text
            with SimulatedOllama().serve(port=port):
                await pilot.press("ctrl+r")
                await until(pilot, lambda: app.connection.online)
                await until(pilot, lambda: "online" in status_text(app))
                await until(pilot, lambda: bool(app.models))
    finally:
        store.close()


async def test_losing_the_server_turns_offline(make_app: AppFactory, sim: SimulatedOllama) -> None:
    from tui_app.demo import Fault

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.connection.online)
        sim.inject(Fault("/api/version", status=500, message="boom"))
        await app.check_connection()
        await pilot.pause()
        assert app.connection.state is LinkState.OFFLINE
        assert "boom" in app.connection.error
