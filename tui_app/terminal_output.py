"""Only the cells that changed reach the terminal.

Textual paints a frame as whole lines: every line of a region that was refreshed is
written out again, each cell with a full colour sequence and a reset after it. While a
reply streams that is the line being written, rewritten at every batch, and the whole
transcript, written twice over each time it scrolls (a layout frame, then the scroll's
repaint with the same content). Over SSH those bytes are the lag.

:class:`ScreenShadow` keeps what the terminal shows, cell by cell, and turns each frame
into the cells that differ from it, with colour changes only where the colour changes.
It is the technique curses calls a virtual screen. It reads the frames Textual writes
(cursor moves, colour sequences and text) and passes anything else through untouched,
forgetting what it knew, so the next frame is written whole. What the terminal ends up
showing is exactly what the frame would have drawn; ``tests/unit/test_terminal_output``
checks that cell by cell on random and real frames.

``OLLAMA_TUI_REDRAW=full`` turns it off, for a terminal that keeps its own ideas about
what is on screen.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.cells import get_character_cell_size

if TYPE_CHECKING:
    from textual.app import App
    from textual.driver import Driver

__all__ = [
    "REDRAW_VARIABLE",
    "ScreenShadow",
    "SgrState",
    "app_driver",
    "parse_sgr",
    "redraw_changes_only",
]

REDRAW_VARIABLE = "OLLAMA_TUI_REDRAW"
"""Set to ``full`` to write every frame as Textual draws it."""

# A frame is made of absolute moves, each followed by colour sequences and text (and the
# new line Textual puts between rows). Anything else makes the write "other".
_MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")
_BODY_TOKEN = re.compile(r"\x1b\[([0-9;]*)m|([^\x00-\x1f\x7f]+)")

# Writes that do not touch what the screen shows: synchronised output brackets, the
# cursor's visibility, the bell, and operating system commands on their own (the mouse
# pointer's shape, the clipboard). Anything else (clearing, the alternate screen...) is
# passed through and the shadow starts again.
_HARMLESS = frozenset({"\x1b[?2026h", "\x1b[?2026l", "\x1b[?25l", "\x1b[?25h", "\x07"})
# (OSC 8 is left out: it starts or ends a hyperlink, which the text after it carries.)
_COMMANDS_ONLY = re.compile(r"(?:\x1b\](?!8;)[^\x07\x1b]*(?:\x07|\x1b\\))+")

_GAP_WORTH_A_MOVE = 8
"""Unchanged cells between two changes are written again when they are fewer than this:
a cursor move costs about as many bytes."""


@dataclass(frozen=True, slots=True)
class SgrState:
    """A colour sequence read as what it sets: attributes, foreground and background."""

    attributes: frozenset[str] = frozenset()
    foreground: str = ""
    background: str = ""

    def transition(self, target: SgrState) -> str:
        """The shortest sequence this module writes to go from ``self`` to ``target``."""
        if target == self:
            return ""
        if not target.attributes >= self.attributes:
            # An attribute has to go: only a reset clears every kind of them.
            return _sgr(["0", *_codes(target)])
        codes = sorted(target.attributes - self.attributes, key=int)
        if target.foreground != self.foreground:
            codes.append(target.foreground or "39")
        if target.background != self.background:
            codes.append(target.background or "49")
        return _sgr(codes)


def _codes(state: SgrState) -> list[str]:
    codes = sorted(state.attributes, key=int)
    if state.foreground:
        codes.append(state.foreground)
    if state.background:
        codes.append(state.background)
    return codes


def _sgr(codes: list[str]) -> str:
    return f"\x1b[{';'.join(codes)}m"


PLAIN = SgrState()
"""No attributes, the terminal's own colours."""


@lru_cache(maxsize=4096)
def parse_sgr(parameters: str, start: SgrState = PLAIN) -> SgrState:
    """What ``ESC [ parameters m`` leaves set, starting from ``start``."""
    attributes = set(start.attributes)
    foreground, background = start.foreground, start.background
    codes = parameters.split(";") if parameters else ["0"]
    index = 0
    while index < len(codes):
        code = codes[index] or "0"
        index += 1
        number = int(code)
        if number in (38, 48):
            kind = codes[index] if index < len(codes) else ""
            length = 2 if kind == "5" else 4 if kind == "2" else 1
            colour = ";".join([str(number), *codes[index : index + length]])
            index += length
            if number == 38:
                foreground = colour
            else:
                background = colour
        elif number == 0:
            attributes.clear()
            foreground = background = ""
        elif 30 <= number <= 37 or 90 <= number <= 97:
            foreground = str(number)
        elif 40 <= number <= 47 or 100 <= number <= 107:
            background = str(number)
        elif number == 39:
            foreground = ""
        elif number == 49:
            background = ""
        elif number == 22:
            attributes -= {"1", "2"}
        elif 23 <= number <= 29:
            # 23 ends italic, 24 underline, 25 blink, 27 reverse, 28 conceal, 29 strike.
            attributes -= {str(number - 20), "21"} if number == 24 else {str(number - 20)}
        elif number in (54, 55):
            attributes -= {"51", "52"} if number == 54 else {"53"}
        else:
            attributes.add(str(number))
    return SgrState(frozenset(attributes), foreground, background)


@dataclass(slots=True)
class _Row:
    """One line of the screen as the terminal shows it: a character and a colour per cell.

    A wide character's second cell holds ``""``; a cell never written holds ``None``.
    """

    chars: list[str | None] = field(default_factory=list)
    states: list[SgrState | None] = field(default_factory=list)

    def reach(self, width: int) -> None:
        if len(self.chars) < width:
            missing = width - len(self.chars)
            self.chars.extend([None] * missing)
            self.states.extend([None] * missing)


@dataclass(slots=True)
class _Piece:
    """Cells a frame writes on one row from column ``x`` (0-based)."""

    y: int
    x: int
    chars: list[str] = field(default_factory=list)
    states: list[SgrState] = field(default_factory=list)


class ScreenShadow:
    """What the terminal shows, and the writes that change only what differs from it."""

    def __init__(self) -> None:
        self._rows: dict[int, _Row] = {}
        self._size: tuple[int, int] | None = None

    def forget(self) -> None:
        """Know nothing of the screen: the next frame is written whole."""
        self._rows.clear()

    def filter(self, data: str, size: tuple[int, int] | None = None) -> str:
        """What to write instead of ``data`` for the screen to end up the same.

        ``size`` is the terminal's (columns, rows) now: when it changes, what the
        terminal shows is unknown again.
        """
        if size != self._size:
            self._size = size
            self.forget()
        if data in _HARMLESS or _COMMANDS_ONLY.fullmatch(data):
            return data
        parsed = _parse_frame(data)
        if parsed is None:
            self.forget()
            return data
        pieces, cursor = parsed
        out: list[str] = []
        state = PLAIN
        for piece in pieces:
            state = self._write_piece(piece, out, state)
        if state != PLAIN:
            out.append("\x1b[0m")
        if cursor is not None:
            out.append(cursor)
        return "".join(out)

    def _write_piece(self, piece: _Piece, out: list[str], state: SgrState) -> SgrState:
        row = self._rows.get(piece.y)
        if row is None:
            row = self._rows[piece.y] = _Row()
        start, end = piece.x, piece.x + len(piece.chars)
        row.reach(end)
        old_chars, old_states = row.chars, row.states
        new_chars, new_states = piece.chars, piece.states
        if old_chars[start:end] == new_chars and old_states[start:end] == new_states:
            return state
        spans: list[list[int]] = []
        for offset in range(len(new_chars)):
            column = start + offset
            if old_chars[column] == new_chars[offset] and old_states[column] == new_states[offset]:
                continue
            if spans and offset - spans[-1][1] < _GAP_WORTH_A_MOVE:
                spans[-1][1] = offset + 1
            else:
                spans.append([offset, offset + 1])
        for first, last in spans:
            # Never write half of a wide character, nor over half of one.
            while first > 0 and (new_chars[first] == "" or old_chars[start + first] == ""):
                first -= 1
            while last < len(new_chars) and (
                new_chars[last] == ""
                or (start + last < len(old_chars) and old_chars[start + last] == "")
            ):
                last += 1
            out.append(f"\x1b[{piece.y + 1};{start + first + 1}H")
            for offset in range(first, last):
                target = new_states[offset]
                if target != state:
                    out.append(state.transition(target))
                    state = target
                out.append(new_chars[offset])
        old_chars[start:end] = new_chars
        old_states[start:end] = new_states
        return state


def _parse_frame(data: str) -> tuple[list[_Piece], str | None] | None:
    """The pieces a frame writes and the cursor move that ends it; None for anything
    that is not a frame."""
    parts = _MOVE.split(data)
    if parts[0]:
        return None  # text before the first move: where it lands is not known here
    pieces: list[_Piece] = []
    cursor: str | None = None
    state = PLAIN
    for index in range(1, len(parts), 3):
        row, column, body = parts[index], parts[index + 1], parts[index + 2]
        if body.endswith("\n"):
            # Textual puts a new line between rows; every row starts with a move anyway.
            body = body[:-2] if body.endswith("\r\n") else body[:-1]
        if not body:
            cursor = f"\x1b[{row};{column}H"
            continue
        cursor = None
        cells = _cells(body, state)
        if cells is None:
            return None
        chars, states, state = cells
        if chars:
            pieces.append(_Piece(int(row) - 1, int(column) - 1, list(chars), list(states)))
    return pieces, cursor


@lru_cache(maxsize=4096)
def _cells(
    body: str, state: SgrState
) -> tuple[tuple[str, ...], tuple[SgrState, ...], SgrState] | None:
    """The cells ``body`` (what follows a move) writes, starting in ``state``, and the
    state it ends in; None if it holds anything but colour sequences and text.

    Cached: a line that scrolls is written again with the same text at another row.
    """
    chars: list[str] = []
    states: list[SgrState] = []
    position = 0
    for match in _BODY_TOKEN.finditer(body):
        if match.start() != position:
            return None
        position = match.end()
        sgr, text = match.groups()
        if sgr is not None:
            state = parse_sgr(sgr, state)
        elif text.isascii():
            chars.extend(text)
            states.extend([state] * len(text))
        else:
            _add_wide_text(chars, states, text, state)
    if position != len(body):
        return None
    return tuple(chars), tuple(states), state


def _add_wide_text(chars: list[str], states: list[SgrState], text: str, state: SgrState) -> None:
    for character in text:
        width = get_character_cell_size(character)
        if width == 0:
            if chars:
                chars[-1] += character
            continue
        chars.append(character)
        states.append(state)
        if width == 2:
            chars.append("")
            states.append(state)


def redraw_changes_only() -> bool:
    """Whether frames are cut down to their changes (unless ``OLLAMA_TUI_REDRAW=full``)."""
    return os.environ.get(REDRAW_VARIABLE, "").strip().lower() != "full"


def app_driver(base: type[Driver], *, changes_only: bool = True) -> type[Driver]:
    """``base`` (the platform's driver) writing each frame as its changed cells only
    (unless ``changes_only`` is false), and writing nothing once the terminal is gone."""

    class AppDriver(base):  # type: ignore[valid-type,misc]
        """The platform's driver behind a :class:`ScreenShadow`."""

        def __init__(self, app: App[Any], *args: Any, **kwargs: Any) -> None:
            super().__init__(app, *args, **kwargs)
            self._owner = app
            self.screen_shadow: ScreenShadow | None = ScreenShadow() if changes_only else None
            """What the terminal shows, as far as this driver has written it."""
            self.terminal_lost = False
            """Set once writing to the terminal failed (it was closed): later writes are
            dropped, where they would wait for a writer that is no more."""

        def write(self, data: str) -> None:
            """Write ``data`` cut down to what changes on screen."""
            if self.terminal_lost:
                return
            if self.screen_shadow is not None:
                # Frames are drawn for the size the app knows; when it learns of a new
                # one, the terminal may have moved or cleared what it showed.
                size = self._owner.size
                data = self.screen_shadow.filter(data, (size.width, size.height))
            if data:
                super().write(data)

    AppDriver.__name__ = f"App{base.__name__}"
    AppDriver.__qualname__ = AppDriver.__name__
    return AppDriver
