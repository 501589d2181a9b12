"""What the configuration file changes inside the app: theme, keys, and its problems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import record_notifications, until
from tui_app.app import OllamaTUI, known_binding_ids
from tui_app.screens.chat import ChatScreen
from tui_app.screens.models import ModelsScreen
from tui_app.screens.pulls import PullsScreen

AppFactory = Callable[..., OllamaTUI]


async def test_the_theme_of_the_file_is_used(make_app: AppFactory) -> None:
    app = make_app(theme="nord")
    async with app.run_test(size=(100, 30)):
        assert app.theme == "nord"


async def test_a_theme_chosen_in_the_app_is_kept_for_the_next_start(
    make_app: AppFactory, tmp_path: Path
) -> None:
    first = make_app(store_dir=tmp_path / "data")
    async with first.run_test(size=(100, 30)) as pilot:
        first.theme = "gruvbox"
        await pilot.pause()
    first.services.store.close()
    second = make_app(store_dir=tmp_path / "data")
    async with second.run_test(size=(100, 30)):
        assert second.theme == "gruvbox"


async def test_an_unknown_theme_is_said_and_the_default_kept(make_app: AppFactory) -> None:
    app = make_app(theme="no-such-theme")
    said = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: said)
        assert app.theme == "textual-dark"
        assert any("unknown theme 'no-such-theme'" in text for text in said)


async def test_the_keymap_rebinds_a_key_by_its_id(make_app: AppFactory) -> None:
    app = make_app(keymap={"nav.models": "alt+m", "nav.pulls": "f11"})
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, ChatScreen)
        await pilot.press("alt+m")
        await until(pilot, lambda: isinstance(app.screen, ModelsScreen))
        await pilot.press("f11")
        await until(pilot, lambda: isinstance(app.screen, PullsScreen))


async def test_problems_of_the_file_are_told_at_start(make_app: AppFactory) -> None:
    app = make_app(
        keymap={"no.such.binding": "alt+m"},
        config_problems=("/c.toml: colour: unknown key",),
    )
    said = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: len(said) >= 2)
        assert "/c.toml: colour: unknown key" in said
        assert any("no binding has the id 'no.such.binding'" in text for text in said)


def test_binding_ids_cover_every_screen() -> None:
    ids = known_binding_ids()
    assert {"app.quit", "nav.help", "chat.send", "models.load", "pulls.cancel"} <= ids
    assert {"options.save", "history.rename"} <= ids
