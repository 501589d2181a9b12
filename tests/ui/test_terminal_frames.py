"""The app's own frames, cut down to their changed cells, draw what the whole frames draw.

The app runs with a driver that records every write twice: as Textual asked for it and
as the changed-cells filter passed it on. Both streams are played on two emulated
terminals, which must show the same cells after every write: while a reply with
Markdown, code, a table and thinking streams and scrolls, and through dialogs, other
screens, a selection and a resize.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.drivers.headless_driver import HeadlessDriver

from tests.helpers import until
from tests.terminal_screen import TerminalScreen
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.terminal_output import app_driver

AppFactory = Callable[..., OllamaTUI]
SIZE = (100, 30)


class RecordingDriver(HeadlessDriver):
    """A driver that keeps what it is given to write, as a terminal would receive it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received: list[str] = []
        """Everything written, in order."""

    @property
    def is_headless(self) -> bool:
        """Not headless: the app draws its frames and writes them."""
        return False

    def write(self, data: str) -> None:
        """Keep ``data``."""
        self.received.append(data)


class TappedDriver(app_driver(RecordingDriver)):  # type: ignore[misc]
    """The changed-cells driver, with each write kept as asked and as passed on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pairs: list[tuple[str, str]] = []
        """(what Textual wrote, what reached the terminal) for every write."""

    def write(self, data: str) -> None:
        """Pass ``data`` through the filter, keeping both."""
        before = len(self.received)
        super().write(data)
        self.pairs.append((data, "".join(self.received[before:])))


def replay(pairs: list[tuple[str, str]], size: tuple[int, int]) -> tuple[int, int]:
    """Play both streams, comparing the screens after every write; bytes each way."""
    whole, cut = TerminalScreen(*size), TerminalScreen(*size)
    whole_bytes = cut_bytes = 0
    for number, (asked, passed) in enumerate(pairs):
        whole.feed(asked)
        cut.feed(passed)
        whole_bytes += len(asked.encode())
        cut_bytes += len(passed.encode())
        if whole.snapshot() != cut.snapshot():
            rows = [y for y in range(whole.rows) if whole.cells[y] != cut.cells[y]]
            raise AssertionError(
                f"after write {number} the screens differ on rows {rows}:\n"
                f"whole: {whole.line(rows[0])!r}\ncut:   {cut.line(rows[0])!r}"
            )
    return whole_bytes, cut_bytes


def replied(sim: SimulatedOllama, screen: ChatScreen) -> bool:
    """Whether the reply asked for has come and ended."""
    return any(request.path == "/api/chat" for request in sim.requests) and not screen.replying


def driver_of(app: OllamaTUI) -> TappedDriver:
    """The app's driver, once running."""
    driver = app._driver
    assert isinstance(driver, TappedDriver)
    return driver


async def test_a_streamed_reply_and_a_walk_round_the_app_draw_the_same_cells(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    # Slow enough for many frames of a growing line, a code block and a table.
    sim.reply_tokens = 300
    sim.token_delay = 0.0005
    app = make_app()
    app.driver_class = TappedDriver
    async with app.run_test(size=SIZE, headless=False) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press(*"Tell me about tests", "enter")
        await until(pilot, lambda: replied(sim, screen), tries=3000)
        await pilot.press("ctrl+backslash")  # the last reply's thinking, shown and hidden
        await pilot.press("ctrl+backslash")
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("f3")
        await pilot.pause(0.3)
        await pilot.press("down", "down")
        await pilot.press("f2")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        await pilot.press("shift+tab", "up", "up", "up")
        await pilot.pause()
        pairs = list(driver_of(app).pairs)
    assert len(pairs) > 20
    whole, cut = replay(pairs, SIZE)
    assert cut < whole / 2, f"{cut} bytes written for {whole} drawn"


async def test_a_thinking_reply_draws_the_same_cells_while_it_streams(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.reply_tokens = 1500
    sim.reply_shape = "thinking"
    app = make_app(initial_model="qwen3:8b")
    app.driver_class = TappedDriver
    async with app.run_test(size=SIZE, headless=False) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press(*"Think it over", "enter")
        await until(pilot, lambda: replied(sim, screen), tries=3000)
        await pilot.press("ctrl+right_square_bracket")
        await pilot.pause()
        pairs = list(driver_of(app).pairs)
    replay(pairs, SIZE)
