"""Text from outside the app made safe to show: no control character reaches the terminal.

Everything a server sends (names, statuses, errors, versions, digests, reasons), and
everything read back from a file or the database, can carry terminal escape sequences:
``ESC ]52;c;…`` sets the clipboard, ``ESC ]0;…`` the window title, ``ESC [2J`` clears the
screen. The functions here turn every C0 and C1 control character into a visible symbol,
so such a sequence is shown as text and never acted on. They are pure and UI-free: the
client applies them where server data is decoded, the store where it is read back, and
exports where it is written out.

Markup is a separate matter and belongs to the UI: widgets show this text as plain
``Content``, never as markup.
"""

from __future__ import annotations

import math

__all__ = ["safe_line", "safe_number", "safe_text", "visible_controls"]

# C0 controls become their Unicode "control picture" (ESC → ␛); DEL and C1 controls,
# which have no picture, become the replacement character.
_CONTROL_PICTURES: dict[int, int | None] = {code: 0x2400 + code for code in range(0x20)}
_CONTROL_PICTURES |= {0x7F: 0x2421} | {code: 0xFFFD for code in range(0x80, 0xA0)}
_KEEP_LINES = {ord("\n"), ord("\t")}
_MULTI_LINE_TABLE = {
    code: picture for code, picture in _CONTROL_PICTURES.items() if code not in _KEEP_LINES
}

LINE_LIMIT = 500
"""Characters kept of a one-line value (a name, a status, a version): a server can send a
megabyte where a word belongs, and a status bar or a title has no use for it."""


def visible_controls(text: str, *, multi_line: bool = True) -> str:
    """``text`` with terminal control characters made visible, so none can act on the terminal.

    An escape sequence in model output or server data (``ESC [2J``) would clear the
    screen or recolour it if written as is; here ESC becomes ``␛`` and other
    control characters their Unicode pictures. With ``multi_line`` newlines and
    tabs are kept; without it they too become pictures, for one-line places such
    as table cells and titles.
    """
    return text.translate(_MULTI_LINE_TABLE if multi_line else _CONTROL_PICTURES)


def safe_line(value: object) -> str:
    """A one-line value from outside (a name, a status, a reason) as safe text.

    Anything that is not a string reads as ``""``; controls, newlines included, become
    visible, and a value longer than :data:`LINE_LIMIT` is cut with ``…``.
    """
    if not isinstance(value, str):
        return ""
    if len(value) > LINE_LIMIT:
        value = value[:LINE_LIMIT] + "…"
    elif value.isascii() and value.isprintable():
        return value  # the usual case, met on every chunk of a reply: nothing to change
    return value.translate(_CONTROL_PICTURES)


def safe_text(value: object) -> str:
    """A multi-line value from outside (a license, a template, an error body) as safe text:
    newlines and tabs kept, every other control made visible, ``""`` for a non-string."""
    if not isinstance(value, str):
        return ""
    return value.translate(_MULTI_LINE_TABLE)


MAX_COUNT = 1 << 62
"""Larger than any byte count or duration Ollama reports (4.6e18), small enough that
every figure stays exact as a float and formatting never overflows."""


def safe_number(value: object) -> int | None:
    """A count (bytes, tokens, nanoseconds) from outside, or None if it is not one.

    JSON lets a server send ``1e999`` (infinity), ``NaN``, a negative or a
    four-hundred-digit number; each of those is None here, as is a non-number,
    so one bad field can never raise while a list or a reply is drawn.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(value)
    if not 0 <= value <= MAX_COUNT:
        return None
    return value
