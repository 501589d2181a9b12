"""Go-compatible encoding and parsing helpers for the simulated Ollama.

Ollama is written in Go, so its bytes on the wire follow Go's ``encoding/json``, ``time`` and
``fmt`` conventions. Clients are tested against this simulator, so it reproduces those quirks
rather than Python's defaults.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import struct
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_INT64 = 2**63 - 1
"""Go's ``math.MaxInt64``: how Ollama stores a "keep loaded forever" keep-alive, in nanoseconds."""

# Go's encoder escapes these for safe embedding in HTML; Python's does not.
_GO_STRING_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)
_SURROGATES = re.compile("[\ud800-\udfff]")


def go_string(text: str) -> str:
    """Encode a string as Go's ``encoding/json`` does (HTML-safe escapes, raw UTF-8)."""
    encoded = json.dumps(text, ensure_ascii=False)
    try:
        encoded.encode("utf-8")
    except UnicodeEncodeError:
        # Go replaces invalid UTF-8 (here: lone surrogates from "\ud800" escapes) with U+FFFD.
        encoded = json.dumps(_SURROGATES.sub("\ufffd", text), ensure_ascii=False)
    return encoded.translate(_GO_STRING_ESCAPES)


def go_float(value: float) -> str:
    """Format a float64 the way Go's JSON encoder does (shortest digits, ES6-style exponents)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value!r}")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    exact = decimal.Decimal(repr(value))
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        sign, digit_tuple, exponent = exact.as_tuple()
        assert isinstance(exponent, int)
        digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
        sci_exp = exponent + len(digit_tuple) - 1
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp_text = f"e-{-sci_exp}" if sci_exp < 0 else f"e+{sci_exp:02d}"
        return ("-" if sign else "") + mantissa + exp_text
    fixed = format(exact, "f")
    if "." in fixed:
        fixed = fixed.rstrip("0").rstrip(".")
    return fixed


def float32_shortest(value: float) -> float:
    """Round to float32 and return the float whose repr is Go's shortest float32 text."""
    rounded: float = struct.unpack("f", struct.pack("f", value))[0]
    for precision in range(1, 10):
        candidate = float(f"{rounded:.{precision}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == rounded:
            return candidate
    return rounded


def go_json(value: Any) -> str:
    """Serialise ``value`` compactly with Go's rules; dict insertion order is the wire order."""
    parts: list[str] = []
    _encode(value, parts.append)
    return "".join(parts)


def go_json_bytes(value: Any, *, newline: bool = False) -> bytes:
    """``go_json`` as UTF-8 bytes, optionally ``\\n``-terminated for an NDJSON stream."""
    text = go_json(value)
    return (text + "\n").encode() if newline else text.encode()


def _encode(value: Any, out: Callable[[str], object]) -> None:
    if value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(str(value))
    elif isinstance(value, float):
        out(go_float(value))
    elif isinstance(value, str):
        out(go_string(value))
    elif isinstance(value, Mapping):
        out("{")
        first = True
        for key, item in value.items():
            if not first:
                out(",")
            first = False
            out(go_string(str(key)))
            out(":")
            _encode(item, out)
        out("}")
    elif isinstance(value, list | tuple):
        out("[")
        for index, item in enumerate(value):
            if index:
                out(",")
            _encode(item, out)
        out("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")


def go_quote(text: str) -> str:
    """Go's ``%q`` / ``strconv.Quote`` for the strings that appear in error messages."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not char.isprintable():
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def go_value(value: Any) -> str:
    """Go's ``%#v`` for the JSON-decoded scalars that make up a model's parameters."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # Parameters come from JSON, where Go decodes every number as float64.
        return go_g_float(float(value))
    if isinstance(value, float):
        return go_g_float(value)
    if isinstance(value, str):
        return go_quote(value)
    return go_json(value)


def go_g_float(value: float) -> str:
    """Go's ``%v`` for a float64: shortest digits, exponent form outside 1e-4 <= |x| < 1e6."""
    if value == 0:
        return "0"
    exact = decimal.Decimal(repr(value))
    sign, digit_tuple, exponent = exact.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    sci_exp = exponent + len(digit_tuple) - 1
    if sci_exp < -4 or sci_exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return ("-" if sign else "") + f"{mantissa}e{'-' if sci_exp < 0 else '+'}{abs(sci_exp):02d}"
    fixed = format(exact, "f")
    if "." in fixed:
        fixed = fixed.rstrip("0").rstrip(".")
    return fixed


# --- timestamps -------------------------------------------------------------------------------


def _fraction(nanos: int) -> str:
    if not nanos:
        return ""
    return "." + f"{nanos:09d}".rstrip("0")


def rfc3339_utc(ns: int) -> str:
    """``time.Now().UTC()`` as JSON: RFC 3339, ``Z``, up to 9 fractional digits, zeros trimmed."""
    seconds, nanos = divmod(ns, 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return base + _fraction(nanos) + "Z"


def rfc3339_local(ns: int, tz: dt.tzinfo | None = None) -> str:
    """A server-local ``time.Time`` as JSON: RFC 3339 with the zone offset (``Z`` when UTC)."""
    seconds, nanos = divmod(ns, 1_000_000_000)
    if tz is None:
        local = time.localtime(seconds)
        base = time.strftime("%Y-%m-%dT%H:%M:%S", local)
        offset = local.tm_gmtoff or 0
    else:
        moment = dt.datetime.fromtimestamp(seconds, tz)
        base = moment.strftime("%Y-%m-%dT%H:%M:%S")
        delta = moment.utcoffset()
        offset = int(delta.total_seconds()) if delta is not None else 0
    if offset == 0:
        zone = "Z"
    else:
        sign = "-" if offset < 0 else "+"
        hours, minutes = divmod(abs(offset) // 60, 60)
        zone = f"{sign}{hours:02d}:{minutes:02d}"
    return base + _fraction(nanos) + zone


# --- durations --------------------------------------------------------------------------------

_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


class GoError(ValueError):
    """An error whose message is the exact text a Go server would put in ``{"error": ...}``."""


def parse_go_duration(text: str) -> int:
    """``time.ParseDuration`` in nanoseconds, with Go's error messages."""
    original = text
    negative = False
    if text[:1] in ("-", "+"):
        negative = text[0] == "-"
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise GoError(f"time: invalid duration {go_quote(original)}")
    total = decimal.Decimal(0)
    while text:
        match = re.match(r"(\d*)(?:\.(\d*))?", text)
        assert match is not None
        whole, frac = match.group(1), match.group(2)
        if not whole and not frac:
            raise GoError(f"time: invalid duration {go_quote(original)}")
        text = text[match.end() :]
        end = 0
        while end < len(text) and text[end] != "." and not text[end].isdigit():
            end += 1
        if end == 0:
            raise GoError(f"time: missing unit in duration {go_quote(original)}")
        unit, text = text[:end], text[end:]
        if unit not in _UNIT_NS:
            raise GoError(f"time: unknown unit {go_quote(unit)} in duration {go_quote(original)}")
        number = decimal.Decimal(f"{whole or '0'}.{frac or '0'}")
        total += number * _UNIT_NS[unit]
    if total > MAX_INT64:
        raise GoError(f"time: invalid duration {go_quote(original)}")
    nanos = int(total)
    return -nanos if negative else nanos


def go_type_name(value: Any) -> str:
    """What Go's ``reflect.TypeOf`` prints for a value decoded into ``any``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return "<nil>"


def decode_keep_alive(value: Any) -> int:
    """``api.Duration.UnmarshalJSON``: nanoseconds, ``MAX_INT64`` meaning "forever"."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise GoError(f"Unsupported type: '{go_type_name(value)}'")
    if isinstance(value, str):
        nanos = parse_go_duration(value)
        return MAX_INT64 if nanos < 0 else nanos
    if value < 0:
        return MAX_INT64
    return min(int(value * 1_000_000_000), MAX_INT64)


# --- JSON syntax errors -----------------------------------------------------------------------


def _quote_char(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    quoted = go_quote(char)
    return "'" + quoted[1:-1] + "'"


def _innermost_container(text: str, pos: int) -> str:
    stack: list[str] = []
    in_string = False
    escaped = False
    for char in text[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def go_syntax_error(text: str, error: json.JSONDecodeError) -> str:
    """Translate a Python JSON syntax error into the message Go's decoder would give."""
    pos = error.pos
    if pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"):
        return "unexpected EOF"
    char = _quote_char(text[pos])
    msg = error.msg
    if msg.startswith("Expecting property name"):
        return f"invalid character {char} looking for beginning of object key string"
    if msg.startswith("Expecting ':'"):
        return f"invalid character {char} after object key"
    if msg.startswith("Expecting ','"):
        if _innermost_container(text, pos) == "[":
            return f"invalid character {char} after array element"
        return f"invalid character {char} after object key:value pair"
    if msg.startswith("Invalid control character"):
        return f"invalid character {char} in string literal"
    if msg.startswith("Invalid \\escape") or msg.startswith("Invalid \\u"):
        return f"invalid character {char} in string escape code"
    return f"invalid character {char} looking for beginning of value"


# --- model names ------------------------------------------------------------------------------

DEFAULT_HOST = "registry.ollama.ai"
DEFAULT_NAMESPACE = "library"
DEFAULT_TAG = "latest"


@dataclass(frozen=True)
class ModelName:
    """A parsed ``[host/][namespace/]model[:tag]`` (``types/model/name.go``)."""

    host: str
    namespace: str
    model: str
    tag: str

    def display(self) -> str:
        """``DisplayShortest``: drop the default host and namespace, always keep the tag."""
        if self.host.lower() != DEFAULT_HOST:
            return f"{self.host}/{self.namespace}/{self.model}:{self.tag}"
        if self.namespace.lower() != DEFAULT_NAMESPACE:
            return f"{self.namespace}/{self.model}:{self.tag}"
        return f"{self.model}:{self.tag}"

    def qualified(self) -> str:
        """The fully qualified ``host/namespace/model:tag`` used in capability errors."""
        return f"{self.host}/{self.namespace}/{self.model}:{self.tag}"

    @property
    def key(self) -> str:
        """Case-insensitive identity, as Ollama matches names against what is on disk."""
        return self.display().lower()


def _valid_part(text: str, *, length: int, extra: str) -> bool:
    if not 1 <= len(text) <= length:
        return False
    if not (text[0].isascii() and (text[0].isalnum() or text[0] == "_")):
        return False
    return all((c.isascii() and (c.isalnum() or c in "_-")) or c in extra for c in text[1:])


def parse_model_name(raw: str) -> ModelName | None:
    """Parse and validate a model name with Ollama's grammar; ``None`` when it is invalid."""
    text = raw.strip()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
            break
    tag = DEFAULT_TAG
    colon = text.rfind(":")
    if colon > text.rfind("/"):
        text, tag = text[:colon], text[colon + 1 :]
    parts = text.split("/")
    if len(parts) == 1:
        host, namespace, model = DEFAULT_HOST, DEFAULT_NAMESPACE, parts[0]
    elif len(parts) == 2:
        host, (namespace, model) = DEFAULT_HOST, parts
    else:
        host, namespace, model = "/".join(parts[:-2]), parts[-2], parts[-1]
    valid = (
        _valid_part(host, length=350, extra=".:")
        and _valid_part(namespace, length=80, extra="")
        and _valid_part(model, length=80, extra=".")
        and _valid_part(tag, length=80, extra=".")
    )
    return ModelName(host, namespace, model, tag) if valid else None
