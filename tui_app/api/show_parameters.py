"""The model's own parameters as ``/api/show`` prints them (ollama-api.md §5.6).

Ollama writes one ``key value`` line per parameter, the value in Go's ``%#v``: strings
quoted with Go escapes, numbers as float64 (``8192``, ``1e+06``), booleans as words.
"""

from __future__ import annotations

import re
from typing import Final

LIST_PARAMETERS: Final = frozenset({"stop"})
"""Parameters whose type is a list: one value is still a list of one."""

_INT_TEXT = re.compile(r"[+-]?\d+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

_GO_SIMPLE_ESCAPES = {
    "a": 0x07,
    "b": 0x08,
    "f": 0x0C,
    "n": 0x0A,
    "r": 0x0D,
    "t": 0x09,
    "v": 0x0B,
    "\\": 0x5C,
    "'": 0x27,
    '"': 0x22,
}


def go_unquote(text: str) -> str:
    """Decode a Go double-quoted (``strconv.Quote``) or back-quoted string literal.

    Raises ``ValueError`` if ``text`` is not one.
    """
    if len(text) >= 2 and text[0] == text[-1] == "`":
        return text[1:-1]
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text!r}")
    body = text[1:-1]
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out += char.encode("utf-8", "surrogatepass")
            index += 1
            continue
        letter = body[index + 1 : index + 2]
        if letter in _GO_SIMPLE_ESCAPES:
            out.append(_GO_SIMPLE_ESCAPES[letter])
            index += 2
        elif letter == "x":
            out.append(int(_hex_digits(body, index + 2, 2), 16))
            index += 4
        elif letter in ("u", "U"):
            width = 4 if letter == "u" else 8
            out += chr(int(_hex_digits(body, index + 2, width), 16)).encode(
                "utf-8", "surrogatepass"
            )
            index += 2 + width
        elif letter.isdigit():
            digits = body[index + 1 : index + 4]
            if len(digits) != 3 or any(d not in "01234567" for d in digits):
                raise ValueError(f"bad octal escape in {text!r}")
            out.append(int(digits, 8) & 0xFF)
            index += 4
        else:
            raise ValueError(f"bad escape in {text!r}")
    # Go may quote bytes that are not UTF-8; they cannot be a Python str as they are.
    return out.decode("utf-8", "replace")


def _hex_digits(body: str, start: int, width: int) -> str:
    digits = body[start : start + width]
    if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
        raise ValueError(f"bad hex escape in {body!r}")
    return digits


def _go_value(text: str) -> object:
    """One ``%#v`` value: a quoted string, a bool, a number, else the text as it is."""
    if text[:1] in ('"', "`"):
        try:
            return go_unquote(text)
        except ValueError:
            return text
    if text in ("true", "false"):
        return text == "true"
    if _INT_TEXT.fullmatch(text):
        return int(text)
    if _FLOAT_TEXT.fullmatch(text):
        value = float(text)
        # Ollama prints every number as a float64 ("8192", "1e+06"); whole ones are ints.
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return text


def parse_show_parameters(text: str) -> dict[str, object]:
    """The model's own parameters from ``/api/show`` ``parameters``.

    One ``key value`` per line in random order, the key padded with spaces and the value in
    Go's ``%#v`` (strings quoted with escapes, numbers like ``0.95`` or ``1e+06``). A key that
    repeats (``stop``), or any parameter whose type is a list, collects its values into a
    list in the order given. Lines that are not ``key value`` are ignored.
    """
    values: dict[str, object] = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) != 2:
            continue
        key, raw = parts
        value = _go_value(raw.strip())
        existing = values.get(key)
        if isinstance(existing, list):
            existing.append(value)
        elif key in values:
            values[key] = [existing, value]
        elif key in LIST_PARAMETERS:
            values[key] = [value]
        else:
            values[key] = value
    return values
