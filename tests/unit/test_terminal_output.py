"""Frames cut down to their changed cells draw exactly what the whole frames draw."""

from __future__ import annotations

import random
import re

import pytest

from tests.terminal_screen import TerminalScreen
from tui_app.terminal_output import PLAIN, ScreenShadow, SgrState, parse_sgr

COLUMNS, ROWS = 40, 12

# What Rich writes for a style: attributes first, then colours; never a leading 0.
STYLES = [
    "",
    "1",
    "3",
    "1;4",
    "7",
    "2;9",
    "38;5;253;48;5;233",
    "38;5;74;48;5;234",
    "1;38;5;231;48;5;234",
    "3;38;5;108;48;5;234",
    "4;38;5;222;48;5;234",
    "38;2;255;128;0",
    "48;2;10;20;30",
    "31;42",
    "1;3;4;38;2;1;2;3;48;5;16",
]
CURSOR_LAST = re.compile(r"\x1b\[\d+;\d+H$")
WORDS = ["a", "bc", "def ", "  ", "x" * 7, "漢字", "é", "🙂", "wörd", "│─┼", " ▎", "e\u0301"]


def styled(codes: str, text: str) -> str:
    """A segment as Rich writes it."""
    return f"\x1b[{codes}m{text}\x1b[0m" if codes else text


def move(x: int, y: int) -> str:
    """An absolute cursor move to 0-based column ``x`` of row ``y``."""
    return f"\x1b[{y + 1};{x + 1}H"


def random_piece(rng: random.Random) -> tuple[int, int, str]:
    """Text for one row from a column, in a few styles, never past the right edge."""
    y = rng.randrange(ROWS)
    x = rng.randrange(COLUMNS - 2)
    width = 0
    parts = []
    for _ in range(rng.randint(1, 6)):
        word = rng.choice(WORDS)
        cells = sum(2 if ord(c) > 0x2E80 else 0 if c == "\u0301" else 1 for c in word)
        if x + width + cells > COLUMNS:
            break
        width += cells
        parts.append(styled(rng.choice(STYLES), word))
    return y, x, "".join(parts)


def random_frame(rng: random.Random) -> str:
    """A frame as Textual writes one: pieces of rows, new lines between rows, the cursor."""
    pieces = sorted((random_piece(rng) for _ in range(rng.randint(1, 6))), key=lambda p: p[0])
    out = []
    last_y = None
    for y, x, text in pieces:
        if last_y is not None and y != last_y:
            out.append("\n")
        out.append(move(x, y) + text)
        last_y = y
    if rng.random() < 0.7:
        out.append(move(rng.randrange(COLUMNS), rng.randrange(ROWS)))
    return "".join(out)


def draw_both(frames: list[str], shadow: ScreenShadow | None = None) -> tuple[int, int]:
    """Draw ``frames`` whole on one screen and cut down on another, comparing the screens
    after every frame; the bytes each way."""
    shadow = shadow or ScreenShadow()
    whole, cut = TerminalScreen(COLUMNS, ROWS), TerminalScreen(COLUMNS, ROWS)
    whole_bytes = cut_bytes = 0
    for number, frame in enumerate(frames):
        written = shadow.filter(frame, (COLUMNS, ROWS))
        whole.feed(frame)
        cut.feed(written)
        whole_bytes += len(frame.encode())
        cut_bytes += len(written.encode())
        assert cut.snapshot() == whole.snapshot(), f"screens differ after frame {number}"
        if CURSOR_LAST.search(frame):
            # Textual ends a frame by placing the cursor; without that it is anywhere.
            assert (cut.x, cut.y) == (whole.x, whole.y)
    return whole_bytes, cut_bytes


@pytest.mark.parametrize("seed", range(12))
def test_random_frames_draw_the_same_screen(seed: int) -> None:
    rng = random.Random(seed)
    frames = [random_frame(rng) for _ in range(150)]
    draw_both(frames)


@pytest.mark.parametrize("seed", range(4))
def test_repeated_and_slightly_changed_frames_draw_the_same_screen(seed: int) -> None:
    rng = random.Random(100 + seed)
    frames = []
    for _ in range(60):
        frame = random_frame(rng)
        frames += [frame, frame, frame.replace("a", "b", 1), frame]
    whole, cut = draw_both(frames)
    assert cut < whole / 2


def test_a_frame_drawn_again_writes_only_the_cursor_move() -> None:
    shadow = ScreenShadow()
    frame = move(0, 3) + styled("38;5;253;48;5;233", "Hello, world") + move(5, 9)
    assert shadow.filter(frame, (COLUMNS, ROWS)).startswith("\x1b[4;1H")
    assert shadow.filter(frame, (COLUMNS, ROWS)) == move(5, 9)


def test_a_growing_line_writes_only_its_new_words() -> None:
    shadow = ScreenShadow()
    text = ""
    written = []
    for word in ["The ", "quick ", "brown ", "fox ", "jumps"]:
        text += word
        frame = move(2, 5) + styled("38;5;253;48;5;233", text.ljust(36))
        written.append(shadow.filter(frame, (COLUMNS, ROWS)))
    assert written[-1] == "\x1b[6;23H\x1b[38;5;253;48;5;233mjumps\x1b[0m"
    draw_both([move(2, 5) + styled("38;5;253;48;5;233", "The quick".ljust(36))])


def test_writing_over_half_a_wide_character_rewrites_the_rest_of_it() -> None:
    first = move(2, 1) + styled("1", "漢字 ok")
    # The same row with the second half of 漢 now covered by a narrow character.
    second = move(2, 1) + styled("1", "x") + styled("1", "y字 ok")
    third = move(2, 1) + styled("1", "xy") + styled("3", "字") + " ok"
    draw_both([first, second, third, first])


def test_a_size_change_forgets_the_screen() -> None:
    shadow = ScreenShadow()
    frame = move(0, 0) + "abc"
    shadow.filter(frame, (COLUMNS, ROWS))
    assert shadow.filter(frame, (COLUMNS, ROWS)) == ""
    assert shadow.filter(frame, (COLUMNS + 1, ROWS)) == frame


@pytest.mark.parametrize(
    "other", ["\x1b[2J", "\x1b[?1049h", "\x1b]8;;https://x\x1b\\", "abc", "\x1b[5;5Habc\x1b[K"]
)
def test_anything_but_a_frame_passes_through_and_the_screen_is_written_whole_after(
    other: str,
) -> None:
    shadow = ScreenShadow()
    frame = move(0, 0) + styled("1", "abc")
    shadow.filter(frame, (COLUMNS, ROWS))
    assert shadow.filter(other, (COLUMNS, ROWS)) == other
    assert "abc" in shadow.filter(frame, (COLUMNS, ROWS))


@pytest.mark.parametrize(
    "write",
    [
        "\x1b[?2026h",
        "\x1b[?2026l",
        "\x1b[?25l",
        "\x07",
        "\x1b]22;pointer\x07",  # the mouse pointer's shape
        "\x1b]52;c;aGVsbG8=\x07",  # a copy to the terminal's clipboard
    ],
)
def test_writes_that_draw_nothing_are_kept_and_change_nothing(write: str) -> None:
    shadow = ScreenShadow()
    frame = move(0, 0) + "abc"
    shadow.filter(frame, (COLUMNS, ROWS))
    assert shadow.filter(write, (COLUMNS, ROWS)) == write
    assert shadow.filter(frame, (COLUMNS, ROWS)) == ""


def test_sgr_is_read_as_what_it_sets() -> None:
    state = parse_sgr("1;3;38;5;74;48;2;1;2;3")
    assert state == SgrState(frozenset({"1", "3"}), "38;5;74", "48;2;1;2;3")
    assert parse_sgr("0") == PLAIN
    assert parse_sgr("22;39", state) == SgrState(frozenset({"3"}), "", "48;2;1;2;3")
    assert parse_sgr("24", parse_sgr("4;21")) == PLAIN


def test_a_colour_change_writes_only_the_colour() -> None:
    code = parse_sgr("38;5;74;48;5;234")
    keyword = parse_sgr("38;5;174;48;5;234")
    assert code.transition(keyword) == "\x1b[38;5;174m"
    assert code.transition(parse_sgr("1;38;5;74;48;5;234")) == "\x1b[1m"
    # Dropping an attribute needs a reset.
    assert parse_sgr("1;38;5;74").transition(code) == "\x1b[0;38;5;74;48;5;234m"
    assert code.transition(code) == ""
    assert code.transition(PLAIN) == "\x1b[39;49m"
