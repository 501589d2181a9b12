"""A small terminal emulator: what a stream of output leaves on screen, cell by cell.

Enough of a VT100/xterm for what Textual writes: absolute cursor moves, colours and
attributes (SGR), text with wide characters, line feeds, erasing; every other control
sequence is read and ignored. Tests use it to compare two ways of drawing the same thing,
and to find text that was drawn in pieces.

The colour model is written here independently of :mod:`tui_app.terminal_output`, so a
test comparing screens does not check that module against itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import get_character_cell_size

_ESCAPE = re.compile(
    r"\x1b\[([0-9;:?<>=$]*)([ -/]*)([@-~])"  # CSI: parameters, intermediates, final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, ended by BEL or ST
    r"|\x1b[()][0-9A-Za-z]"  # character set choice
    r"|\x1b[^\[\]()]"  # two-byte escapes (save cursor, keypad modes...)
)
_INCOMPLETE = re.compile(r"\x1b(\[[0-9;:?<>=$ -/]*|\][^\x07\x1b]*(\x1b)?|[()])?$")


@dataclass(frozen=True, slots=True)
class Pen:
    """What a cell's text is drawn with: attributes (SGR numbers) and colours."""

    attributes: frozenset[int] = frozenset()
    foreground: str = ""
    background: str = ""


_BLANK_PEN = Pen()


def apply_sgr(pen: Pen, parameters: str) -> Pen:
    """``pen`` after ``ESC [ parameters m``."""
    attributes = set(pen.attributes)
    foreground, background = pen.foreground, pen.background
    codes = [int(code) if code else 0 for code in parameters.split(";")] if parameters else [0]
    index = 0
    while index < len(codes):
        code = codes[index]
        index += 1
        if code in (38, 48):
            if index < len(codes) and codes[index] == 5:
                colour = f"256:{codes[index + 1]}"
                index += 2
            elif index < len(codes) and codes[index] == 2:
                colour = "rgb:" + ",".join(str(c) for c in codes[index + 1 : index + 4])
                index += 4
            else:
                continue
            if code == 38:
                foreground = colour
            else:
                background = colour
        elif code == 0:
            attributes = set()
            foreground = background = ""
        elif 30 <= code <= 37 or 90 <= code <= 97:
            foreground = f"ansi:{code}"
        elif 40 <= code <= 47 or 100 <= code <= 107:
            background = f"ansi:{code - 10}"
        elif code == 39:
            foreground = ""
        elif code == 49:
            background = ""
        elif code == 22:
            attributes -= {1, 2}
        elif code == 24:
            attributes -= {4, 21}
        elif 23 <= code <= 29:
            attributes.discard(code - 20)
        elif code == 54:
            attributes -= {51, 52}
        elif code == 55:
            attributes.discard(53)
        else:
            attributes.add(code)
    return Pen(frozenset(attributes), foreground, background)


Cell = tuple[str, Pen]
"""A character (``""`` for the second half of a wide one) and its pen."""


class TerminalScreen:
    """``columns`` x ``rows`` cells, changed by :meth:`feed`."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns = columns
        self.rows = rows
        self.cells: list[list[Cell]] = [self._blank_row() for _ in range(rows)]
        self.x = 0
        self.y = 0
        self.pen = _BLANK_PEN
        self._pending = ""

    def _blank_row(self) -> list[Cell]:
        return [(" ", _BLANK_PEN)] * self.columns

    # -- reading --------------------------------------------------------------------------

    def line(self, y: int) -> str:
        """Row ``y`` as text."""
        return "".join(char for char, _ in self.cells[y])

    def text(self) -> str:
        """The whole screen as text, one line per row, trailing spaces kept."""
        return "\n".join(self.line(y) for y in range(self.rows))

    def snapshot(self) -> tuple[tuple[Cell, ...], ...]:
        """Every cell, for comparing two screens."""
        return tuple(tuple(row) for row in self.cells)

    # -- writing --------------------------------------------------------------------------

    def feed(self, data: str | bytes) -> None:
        """Apply output ``data`` (bytes are UTF-8; a sequence cut at the end waits for the
        rest to come in the next call)."""
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
        text = self._pending + text
        incomplete = _INCOMPLETE.search(text)
        if incomplete is not None and incomplete.group(0):
            self._pending = text[incomplete.start() :]
            text = text[: incomplete.start()]
        else:
            self._pending = ""
        position = 0
        for match in _ESCAPE.finditer(text):
            self._put_text(text[position : match.start()])
            position = match.end()
            if match.group(3) is not None:
                self._csi(match.group(1), match.group(2), match.group(3))
        self._put_text(text[position:])

    def _csi(self, parameters: str, intermediates: str, final: str) -> None:
        if intermediates or parameters[:1] in ("?", "<", ">", "=", "$"):
            return  # modes, queries, keyboard protocols: nothing drawn
        numbers = [int(p) if p.isdigit() else 0 for p in parameters.split(";")]
        first = numbers[0] if numbers and parameters else 0
        if final in "Hf":
            row = numbers[0] if parameters and numbers[0] else 1
            column = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.y = min(max(row, 1), self.rows) - 1
            self.x = min(max(column, 1), self.columns) - 1
        elif final == "m":
            self.pen = apply_sgr(self.pen, parameters)
        elif final == "J":
            rows = {0: range(self.y + 1, self.rows), 1: range(self.y), 2: range(self.rows)}
            for y in rows.get(first, range(self.rows)):
                self.cells[y] = self._blank_row()
            if first == 0:
                self._erase(self.y, self.x, self.columns)
            elif first == 1:
                self._erase(self.y, 0, self.x + 1)
        elif final == "K":
            span = {0: (self.x, self.columns), 1: (0, self.x + 1)}.get(first, (0, self.columns))
            self._erase(self.y, *span)
        elif final == "A":
            self.y = max(self.y - max(first, 1), 0)
        elif final == "B":
            self.y = min(self.y + max(first, 1), self.rows - 1)
        elif final == "C":
            self.x = min(self.x + max(first, 1), self.columns - 1)
        elif final == "D":
            self.x = max(self.x - max(first, 1), 0)
        elif final == "G":
            self.x = min(max(first, 1), self.columns) - 1

    def _erase(self, y: int, start: int, end: int) -> None:
        row = self.cells[y]
        for x in range(start, min(end, self.columns)):
            row[x] = (" ", self.pen)

    def _put_text(self, text: str) -> None:
        for character in text:
            if character == "\n":
                self._line_feed()
            elif character == "\r":
                self.x = 0
            elif character == "\b":
                self.x = max(self.x - 1, 0)
            elif character < " " or character == "\x7f":
                continue
            else:
                self._put(character)

    def _line_feed(self) -> None:
        if self.y == self.rows - 1:
            del self.cells[0]
            self.cells.append(self._blank_row())
        else:
            self.y += 1

    def _put(self, character: str) -> None:
        width = get_character_cell_size(character)
        row = self.cells[self.y]
        if width == 0:
            if self.x > 0:
                char, pen = row[self.x - 1]
                row[self.x - 1] = (char + character, pen)
            return
        if width == 2 and self.x == self.columns - 1:
            return  # no room: a real terminal would wrap, and Textual never asks it to
        # Writing over either half of a wide character leaves its other half blank.
        for x in range(self.x, min(self.x + width, self.columns)):
            if row[x][0] == "" and x > 0:
                row[x - 1] = (" ", row[x - 1][1])
            if x + 1 < self.columns and row[x + 1][0] == "" and row[x][0] != "":
                row[x + 1] = (" ", row[x + 1][1])
        row[self.x] = (character, self.pen)
        if width == 2:
            row[self.x + 1] = ("", self.pen)
        self.x = min(self.x + width, self.columns - 1)
