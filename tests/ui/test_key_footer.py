"""The footer of keys: what it lists, when it changes, and clicking a key."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from tests.helpers import until
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.widgets.key_footer import KeyFooter

AppFactory = Callable[..., OllamaTUI]


class KeysApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "bump", "Bump"),
        Binding("ctrl+d", "never", "Never"),
        Binding("ctrl+h", "hidden", "Hidden", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.bumps = 0

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def action_bump(self) -> None:
        self.bumps += 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "never" else True


async def test_lists_shown_keys_with_the_palette_at_the_right() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        line = footer.text
        assert "^b Bump" in line and "^d Never" in line
        assert "Hidden" not in line
        assert line.rstrip().endswith("^p palette")
        # Keys that exist but cannot act now are dimmed.
        never = footer._line.plain.index("^d")
        assert any("dim" in str(span.style) for span in footer._line.spans if span.start <= never)


async def test_clicking_a_key_presses_it() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        column = footer.text.index("Bump")
        await pilot.click(KeyFooter, offset=(column, 0))
        await pilot.pause()
        assert app.bumps == 1


async def test_a_narrow_footer_is_cut_but_keeps_the_palette_key() -> None:
    app = KeysApp()
    async with app.run_test(size=(24, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        drawn = str(footer.render())
        assert len(drawn) == 24
        assert drawn.endswith("^p palette ")
        assert "…" in drawn


async def test_the_stop_key_shows_only_while_a_reply_runs(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.02
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.models)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        footer = screen.query_one(KeyFooter)
        await until(pilot, lambda: "Send" in footer.text)
        assert "Stop" not in footer.text
        screen.prompt.load_text("hello")
        await pilot.press("enter")
        await until(pilot, lambda: "Stop" in footer.text)
        await until(pilot, lambda: not screen.replying)
        await until(pilot, lambda: "Stop" not in footer.text)
