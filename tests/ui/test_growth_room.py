"""The room a streaming reply takes ahead of its text: half the view, or nearly all of it
when text comes faster than anyone reads. (What is drawn in it is checked against a full
redraw in ``test_streaming_redraw``.)"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_app.widgets.growth_room import GrowthRoom, visible_height


class Clock:
    """A clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_room_is_taken_half_a_view_at_a_time_while_text_comes_slowly() -> None:
    clock = Clock()
    room = GrowthRoom(clock)
    room.view_height = 30
    assert room.shown(1, growing=True) == 16
    for height in range(2, 17):
        clock.now += 0.5  # two lines a second: about a step in eight seconds
        assert room.shown(height, growing=True) == 16
    clock.now += 0.5
    assert room.shown(17, growing=True) == 32


def test_a_step_filled_within_a_second_makes_the_next_nearly_the_whole_view() -> None:
    clock = Clock()
    room = GrowthRoom(clock)
    room.view_height = 30
    assert room.shown(1, growing=True) == 16
    clock.now += 0.4
    assert room.shown(17, growing=True) == 17 + 30 - GrowthRoom.CONTEXT_LINES
    # Slow again: half a view.
    clock.now += 5.0
    assert room.shown(45, growing=True) == 45 + 15


def test_no_room_once_the_text_stops_growing_or_without_a_view() -> None:
    room = GrowthRoom(Clock())
    room.view_height = 30
    assert room.shown(5, growing=True) == 20
    assert room.shown(5, growing=False) == 5
    room.view_height = 2
    assert room.shown(5, growing=True) == 5


async def test_the_visible_height_is_the_scrolling_view_s_not_the_screen_s() -> None:
    class Framed(App[None]):
        CSS = "#view { height: 12; } #inner { height: auto; }"

        def compose(self) -> ComposeResult:
            with VerticalScroll(id="view"):
                yield Static("text", id="inner")
            yield Static("outside", id="outside")

    app = Framed()
    async with app.run_test(size=(40, 30)):
        assert visible_height(app.query_one("#inner"), 99) == 12
        # Outside any scrolling container the screen itself is the view.
        assert visible_height(app.query_one("#outside"), 99) == 30
