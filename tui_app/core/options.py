"""Ollama runtime options: what each one is, how it is checked, and what a request carries.

Pure logic, no UI: the options screen edits these, the chat screen sends them.
Only options the user set are sent; unset means "the model's default".

Settings live at two levels, both as the stored strings and values the form edits:
the global :class:`RequestDefaults` that every chat starts from, and each chat's own
overrides in its store row. :func:`effective_settings` merges them into what one request
carries, and is the single function both the options preview and the chat screen use.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from tui_app.store import THINK_CHOICES, ChatRecord, Preset, Store

OptionKind = Literal["int", "float", "strings"]

DEFAULTS_SETTING = "request_defaults"
"""The store setting holding the global defaults new chats start from."""

PRESETS_SEEDED_SETTING = "presets_seeded"
"""Set once the shipped presets were added, so a preset the user deleted stays deleted."""

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
FLOAT32_MAX: Final = 3.4028234663852886e38
"""Ollama keeps float options as float32; anything larger would become infinity."""


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One option Ollama honours at run time (ollama-api.md §5.6)."""

    name: str
    kind: OptionKind
    ollama_default: object
    """What Ollama uses when neither the model nor the request sets it."""
    help: str
    minimum: float | None = None
    maximum: float | None = None


OPTION_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "temperature", "float", 0.8, "Randomness: 0 is deterministic, higher is more varied.", 0.0
    ),
    OptionSpec("num_ctx", "int", 4096, "Context window in tokens (prompt plus reply).", 1),
    OptionSpec(
        "num_predict", "int", -1, "Most tokens to generate; -1 no limit, -2 fill the context.", -2
    ),
    OptionSpec("seed", "int", -1, "Random seed; a fixed seed with temperature 0 repeats replies."),
    OptionSpec("top_k", "int", 40, "Sample from the k most likely tokens.", 0),
    OptionSpec(
        "top_p",
        "float",
        0.9,
        "Sample from the smallest set of tokens whose probability reaches p.",
        0.0,
        1.0,
    ),
    OptionSpec(
        "min_p", "float", 0.0, "Drop tokens less likely than p times the most likely one.", 0.0, 1.0
    ),
    OptionSpec("typical_p", "float", 1.0, "Locally typical sampling; 1 turns it off.", 0.0, 1.0),
    OptionSpec(
        "repeat_penalty", "float", 1.0, "Penalise tokens seen in the last repeat_last_n.", 0.0
    ),
    OptionSpec(
        "repeat_last_n",
        "int",
        64,
        "How far back repeat_penalty looks; 0 off, -1 the whole context.",
        -1,
    ),
    OptionSpec("presence_penalty", "float", 0.0, "Penalise tokens that have appeared at all."),
    OptionSpec(
        "frequency_penalty", "float", 0.0, "Penalise tokens by how often they have appeared."
    ),
    OptionSpec("num_keep", "int", 4, "Tokens of the prompt kept when the context is shifted.", -1),
    OptionSpec(
        "stop",
        "strings",
        None,
        "Stop generating at any of these strings; one per line, \\n for a newline.",
    ),
)
"""Every runtime option, in the order the options screen shows them."""

SPECS_BY_NAME: dict[str, OptionSpec] = {spec.name: spec for spec in OPTION_SPECS}

# THINK_CHOICES (from the store): ``off``/``on`` are sent as ``false``/``true``, the levels
# as they are (ollama-api.md §1.6); None means "the model's default".

REQUEST_FIELDS: tuple[str, ...] = ("keep_alive", "think", "format")
"""Request-level fields edited beside the options (stored as text, like presets keep them)."""

FIELD_NAMES: tuple[str, ...] = (*(spec.name for spec in OPTION_SPECS), *REQUEST_FIELDS)
"""Every field of the options form, in form (and tab) order."""

REQUEST_FIELD_HELP: dict[str, str] = {
    "keep_alive": "How long the model stays loaded after a request: 5m, 1h30m, 90s, "
    "300 (seconds); 0 unloads at once, -1 keeps it loaded.",
    "think": "Thinking for models that can: off, on, or an effort level.",
    "format": "Constrain the reply to JSON, or to a JSON schema.",
}
"""What each request-level field does, shown under it in the form."""

OLLAMA_KEEP_ALIVE_DEFAULT = "5m"
"""The server's keep-alive when a request sets none (``OLLAMA_KEEP_ALIVE``)."""


# --------------------------------------------------------------------------------------------
# What a request carries


@dataclass(frozen=True, slots=True)
class RequestSettings:
    """The optional fields a chat request carries, exactly as they are sent."""

    options: dict[str, Any] = field(default_factory=dict)
    keep_alive: str | int | None = None
    think: bool | str | None = None
    format: str | dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The request fields that are set, as they appear in the JSON body."""
        body: dict[str, Any] = {}
        if self.options:
            body["options"] = dict(self.options)
        if self.keep_alive is not None:
            body["keep_alive"] = self.keep_alive
        if self.think is not None:
            body["think"] = self.think
        if self.format is not None:
            body["format"] = self.format
        return body


def think_value(setting: str | None) -> bool | str | None:
    """Map a stored think setting to the request's ``think`` field."""
    if setting is None:
        return None
    if setting == "off":
        return False
    if setting == "on":
        return True
    return setting


def format_value(setting: str | None) -> str | dict[str, Any] | None:
    """Map a stored format setting (None, ``json`` or schema text) to the request field."""
    if not setting:
        return None
    if setting == "json":
        return "json"
    schema = json.loads(setting)
    if not isinstance(schema, dict):
        raise ValueError("a format schema must be a JSON object")
    return schema


def keep_alive_value(setting: str | None) -> str | int | None:
    """Map a stored keep_alive (``5m``, ``300``, ``-1``, ``0``) to the request field.

    Ollama wants a number of seconds or a duration with a unit, so a bare
    integer is sent as a number.
    """
    if setting is None or not setting.strip():
        return None
    text = setting.strip()
    try:
        return int(text)
    except ValueError:
        return text


@dataclass(frozen=True, slots=True)
class RequestDefaults:
    """Settings of one level: the global defaults, a chat's overrides, or a preset.

    Only set values are present: ``options`` holds the set options and the request fields
    are ``None`` when unset. Stored as one setting for the global defaults.
    """

    options: dict[str, Any] = field(default_factory=dict)
    keep_alive: str | None = None
    think: str | None = None
    format: str | None = None

    @classmethod
    def load(cls, store: Store) -> RequestDefaults:
        """Read the defaults from the store (empty if never saved)."""
        raw = store.get_setting(DEFAULTS_SETTING)
        data: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        options = data.get("options")
        return cls(
            options=dict(options) if isinstance(options, dict) else {},
            keep_alive=_optional_str(data.get("keep_alive")),
            think=_optional_str(data.get("think")),
            format=_optional_str(data.get("format")),
        )

    def save(self, store: Store) -> None:
        """Write the defaults to the store."""
        store.set_setting(DEFAULTS_SETTING, self.chat_fields())

    @classmethod
    def of_chat(cls, chat: ChatRecord) -> RequestDefaults:
        """A chat's own overrides (what it sets on top of the global defaults)."""
        return cls(
            options=dict(chat.options),
            keep_alive=chat.keep_alive,
            think=chat.think,
            format=chat.format,
        )

    def chat_fields(self) -> dict[str, object]:
        """These settings as ``Store.update_chat`` keyword arguments."""
        return {
            "options": dict(self.options),
            "keep_alive": self.keep_alive,
            "think": self.think,
            "format": self.format,
        }

    @classmethod
    def of_preset(cls, preset: Preset) -> RequestDefaults:
        """The settings a preset holds; values of the wrong type are left out."""
        request = preset.request
        return cls(
            options={
                name: value for name, value in preset.options.items() if name in SPECS_BY_NAME
            },
            keep_alive=_optional_str(request.get("keep_alive")),
            think=_optional_str(request.get("think")),
            format=_optional_str(request.get("format")),
        )

    def as_preset(self, name: str) -> Preset:
        """These settings saved under ``name``."""
        request: dict[str, object] = {
            key: value
            for key, value in (
                ("keep_alive", self.keep_alive),
                ("think", self.think),
                ("format", self.format),
            )
            if value is not None
        }
        return Preset(name=name, options=dict(self.options), request=request)

    def set_fields(self) -> list[str]:
        """The names of the fields these settings set, in form order."""
        return [name for name in FIELD_NAMES if _stored_value(self, name) is not None]


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def effective_settings(defaults: RequestDefaults, chat: ChatRecord | None) -> RequestSettings:
    """What a request of ``chat`` carries: the chat's overrides on top of the defaults."""
    options = dict(defaults.options)
    keep_alive, think, format_ = defaults.keep_alive, defaults.think, defaults.format
    if chat is not None:
        options.update(chat.options)
        keep_alive = chat.keep_alive if chat.keep_alive is not None else keep_alive
        think = chat.think if chat.think is not None else think
        format_ = chat.format if chat.format is not None else format_
    return RequestSettings(
        options={name: value for name, value in options.items() if value is not None},
        keep_alive=keep_alive_value(keep_alive),
        think=think_value(think),
        format=format_value(format_),
    )


Scope = Literal["chat", "global"]
"""Which level the options form edits."""


def preview_settings(
    scope: Scope, edited: RequestDefaults, defaults: RequestDefaults, chat: ChatRecord | None
) -> RequestSettings:
    """What the next request would carry if ``edited`` were saved at ``scope``.

    ``defaults`` are the saved global defaults and ``chat`` the chat in view as saved
    (``None`` when there is none, then the request is that of a new chat).
    """
    if scope == "global":
        return effective_settings(edited, chat)
    if chat is None:
        raise ValueError("per-chat settings need a chat")
    return effective_settings(
        defaults,
        replace(
            chat,
            options=dict(edited.options),
            keep_alive=edited.keep_alive,
            think=edited.think,
            format=edited.format,
        ),
    )


# --------------------------------------------------------------------------------------------
# Checking what is typed: every function returns a reason, or None when the text is fine

_INT_TEXT = re.compile(r"[+-]?\d+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _number_bounds(spec: OptionSpec, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        if spec.maximum is not None:
            raise ValueError(
                f"must be between {_plain_number(spec.minimum)} and {_plain_number(spec.maximum)}"
            )
        raise ValueError(f"must be ≥ {_plain_number(spec.minimum)}")
    if spec.maximum is not None and value > spec.maximum:
        if spec.minimum is not None:
            raise ValueError(
                f"must be between {_plain_number(spec.minimum)} and {_plain_number(spec.maximum)}"
            )
        raise ValueError(f"must be ≤ {_plain_number(spec.maximum)}")


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def parse_option_text(spec: OptionSpec, text: str) -> object:
    """The value typed for ``spec``: ``None`` when blank (unset).

    Raises ``ValueError`` whose message is the reason to show beside the field.
    """
    if spec.kind == "strings":
        stops = parse_stop_text(text)
        return stops or None
    stripped = text.strip()
    if not stripped:
        return None
    if spec.kind == "int":
        if not _INT_TEXT.fullmatch(stripped):
            if _FLOAT_TEXT.fullmatch(stripped):
                raise ValueError("must be a whole number")
            raise ValueError("must be a whole number, e.g. 42")
        number = int(stripped)
        if not INT64_MIN <= number <= INT64_MAX:
            raise ValueError("is too large for Ollama (64-bit integer)")
        _number_bounds(spec, number)
        return number
    if not _FLOAT_TEXT.fullmatch(stripped):
        raise ValueError("must be a number, e.g. 0.7")
    value = float(stripped)
    if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
        raise ValueError("is too large for Ollama")
    _number_bounds(spec, value)
    return value


def option_problem(spec: OptionSpec, text: str) -> str | None:
    """Why ``text`` is not a valid value for ``spec``, or None if it is (blank is valid)."""
    try:
        parse_option_text(spec, text)
    except ValueError as exc:
        return str(exc)
    return None


_STOP_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
_STOP_ESCAPE = re.compile(r"\\(.?)")


def parse_stop_text(text: str) -> list[str]:
    """Stop strings written one per line; ``\\n``, ``\\t``, ``\\r`` and ``\\\\`` are escapes.

    Empty lines are skipped. Raises ``ValueError`` for an unknown escape.
    """

    def unescape(match: re.Match[str]) -> str:
        letter = match.group(1)
        if letter not in _STOP_ESCAPES:
            shown = f"\\{letter}" if letter else "a lone \\"
            raise ValueError(f"unknown escape {shown}: use \\n, \\t, \\r or \\\\")
        return _STOP_ESCAPES[letter]

    return [_STOP_ESCAPE.sub(unescape, line) for line in text.split("\n") if line]


def stop_text(stops: Iterable[str]) -> str:
    """The form text for a list of stop strings (the inverse of :func:`parse_stop_text`)."""
    escaped = (
        stop.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        for stop in stops
    )
    return "\n".join(escaped)


_DURATION_UNITS_NS: dict[str, float] = {
    "ns": 1.0,
    "us": 1e3,
    "µs": 1e3,  # U+00B5 micro sign
    "μs": 1e3,  # U+03BC greek mu
    "ms": 1e6,
    "s": 1e9,
    "m": 60e9,
    "h": 3600e9,
}
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)([^\d.]*)")
_MAX_SECONDS: Final = INT64_MAX // 1_000_000_000


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration (``time.ParseDuration``): ``5m``, ``1h30m``, ``-1.5h``, ``0``.

    Raises ``ValueError`` with the reason when Ollama would reject it.
    """
    rest = text
    sign = 1.0
    if rest[:1] in ("+", "-"):
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        raise ValueError("not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1")
    total_ns = 0.0
    position = 0
    while position < len(rest):
        match = _DURATION_PART.match(rest, position)
        if match is None:
            raise ValueError("not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1")
        unit = match.group(2)
        if not unit:
            raise ValueError("missing unit: use ns, us, ms, s, m or h, e.g. 90s")
        if unit not in _DURATION_UNITS_NS:
            raise ValueError(f"unknown unit {unit!r}: use ns, us, ms, s, m or h")
        total_ns += float(match.group(1)) * _DURATION_UNITS_NS[unit]
        position = match.end()
    if total_ns > INT64_MAX:
        raise ValueError("is too long (at most about 292 years; -1 keeps the model loaded)")
    return sign * total_ns / 1e9


def keep_alive_problem(text: str) -> str | None:
    """Why ``text`` is not a keep_alive Ollama accepts, or None (blank means unset)."""
    stripped = text.strip()
    if not stripped:
        return None
    if _INT_TEXT.fullmatch(stripped):
        # keep_alive_value sends a bare integer as a number of seconds.
        if int(stripped) > _MAX_SECONDS:
            return "is too long (at most about 292 years; -1 keeps the model loaded)"
        return None
    if _FLOAT_TEXT.fullmatch(stripped):
        return f"a bare number is whole seconds; add a unit for fractions, e.g. {stripped}s"
    try:
        parse_go_duration(stripped)
    except ValueError as exc:
        return str(exc)
    return None


def schema_problem(text: str) -> str | None:
    """Why ``text`` is not a JSON schema object that ``format`` accepts, or None."""
    if not text.strip():
        return 'write a JSON schema object, e.g. {"type": "object"}'
    try:
        schema: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if not isinstance(schema, dict):
        return "a schema must be a JSON object {…}"
    return None


def format_problem(text: str) -> str | None:
    """Why ``text`` is not a stored format (blank, ``json`` or a schema), or None."""
    if not text.strip() or text.strip() == "json":
        return None
    return schema_problem(text)


def think_problem(text: str) -> str | None:
    """Why ``text`` is not a think setting, or None (blank means the model's default)."""
    if not text or text in THINK_CHOICES:
        return None
    return f"must be one of {', '.join(THINK_CHOICES)}"


def _option_validator(spec: OptionSpec) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        return option_problem(spec, text)

    return check


FIELD_VALIDATORS: dict[str, Callable[[str], str | None]] = {
    **{spec.name: _option_validator(spec) for spec in OPTION_SPECS},
    "keep_alive": keep_alive_problem,
    "think": think_problem,
    "format": format_problem,
}
"""For each form field: the text typed → the reason it is invalid, or None."""


# --------------------------------------------------------------------------------------------
# Form text ⇄ settings


def option_text(spec: OptionSpec, value: object) -> str:
    """How a stored option value is written in the form."""
    if value is None:
        return ""
    if spec.kind == "strings":
        if isinstance(value, str):
            return stop_text([value])
        if isinstance(value, list | tuple):
            return stop_text(str(item) for item in value)
        return str(value)
    return display_value(value)


def display_value(value: object) -> str:
    """A short plain-text rendering of a setting's value (numbers, stop lists, text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _plain_number(value) if abs(value) < 1e16 else repr(value)
    if isinstance(value, list | tuple):
        return " ".join(json.dumps(str(item), ensure_ascii=False) for item in value)
    return str(value)


def settings_texts(settings: RequestDefaults) -> dict[str, str]:
    """The form's text for every field, from one level's settings."""
    texts = {spec.name: option_text(spec, settings.options.get(spec.name)) for spec in OPTION_SPECS}
    texts["keep_alive"] = settings.keep_alive or ""
    texts["think"] = settings.think or ""
    texts["format"] = settings.format or ""
    return texts


def settings_from_texts(texts: Mapping[str, str]) -> tuple[RequestDefaults, dict[str, str]]:
    """Settings from the form's texts, and the reason for every invalid field.

    Invalid fields are left out of the settings, so the result is what the valid part of the
    form means; a form with any problem must not be saved.
    """
    problems: dict[str, str] = {}
    options: dict[str, Any] = {}
    for spec in OPTION_SPECS:
        try:
            value = parse_option_text(spec, texts.get(spec.name, ""))
        except ValueError as exc:
            problems[spec.name] = str(exc)
            continue
        if value is not None:
            options[spec.name] = value
    request: dict[str, str | None] = {}
    for name in REQUEST_FIELDS:
        text = texts.get(name, "").strip()
        problem = FIELD_VALIDATORS[name](text)
        if problem is not None:
            problems[name] = problem
            request[name] = None
        else:
            request[name] = text or None
    settings = RequestDefaults(
        options=options,
        keep_alive=request["keep_alive"],
        think=request["think"],
        format=request["format"],
    )
    return settings, problems


# --------------------------------------------------------------------------------------------
# The model's own defaults, from /api/show


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
    repeats (``stop``), or any option whose type is a list, collects its values into a list in
    the order given. Lines that are not ``key value`` are ignored.
    """
    values: dict[str, object] = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) != 2:
            continue
        key, raw = parts
        value = _go_value(raw.strip())
        spec = SPECS_BY_NAME.get(key)
        existing = values.get(key)
        if isinstance(existing, list):
            existing.append(value)
        elif key in values:
            values[key] = [existing, value]
        elif spec is not None and spec.kind == "strings":
            values[key] = [value]
        else:
            values[key] = value
    return values


# --------------------------------------------------------------------------------------------
# Where a value in force comes from

Source = Literal["chat", "global", "model", "ollama"]
"""Where the value a request uses for a field comes from."""

SOURCE_LABELS: dict[Source, str] = {
    "chat": "this chat",
    "global": "the global defaults",
    "model": "the model",
    "ollama": "Ollama",
}
"""How the form names each source: "→ 0.6 from the model"."""


@dataclass(frozen=True, slots=True)
class InForce:
    """The value a request uses for one field, and where it comes from."""

    value: object
    """``None`` when nothing sets it and Ollama's default is unknown or "none"."""
    source: Source


def model_default(name: str, model_parameters: Mapping[str, object]) -> InForce:
    """The model's own value for field ``name``, else Ollama's default."""
    if name in model_parameters:
        return InForce(model_parameters[name], "model")
    spec = SPECS_BY_NAME.get(name)
    if spec is not None:
        return InForce(spec.ollama_default, "ollama")
    if name == "keep_alive":
        return InForce(OLLAMA_KEEP_ALIVE_DEFAULT, "ollama")
    return InForce(None, "ollama")


def value_in_force(
    name: str,
    defaults: RequestDefaults,
    chat: RequestDefaults | None,
    model_parameters: Mapping[str, object],
) -> InForce:
    """The value a request uses for field ``name``, following the same precedence as
    :func:`effective_settings`: the chat's override, the global default, the model's own
    parameter, then Ollama's default. Values are as stored (``keep_alive`` text, think level).
    """
    levels: tuple[tuple[RequestDefaults | None, Source], ...] = (
        (chat, "chat"),
        (defaults, "global"),
    )
    for level, source in levels:
        if level is None:
            continue
        value = _stored_value(level, name)
        if value is not None:
            return InForce(value, source)
    return model_default(name, model_parameters)


def _stored_value(settings: RequestDefaults, name: str) -> object:
    if name in SPECS_BY_NAME:
        return settings.options.get(name)
    value: object = getattr(settings, name)
    return value


# --------------------------------------------------------------------------------------------
# Presets

SHIPPED_PRESETS: tuple[Preset, ...] = (
    Preset("balanced", options={"temperature": 0.7, "top_p": 0.9, "repeat_penalty": 1.1}),
    Preset("creative", options={"temperature": 1.1, "top_p": 0.95}),
    Preset("precise", options={"temperature": 0.0, "seed": 42}),
)
"""Presets every installation starts with; users may change, rename or delete them."""


def ensure_shipped_presets(store: Store) -> bool:
    """Add the shipped presets the first time; return whether they were added now.

    Runs once per store: a shipped preset the user later deleted or renamed is not brought
    back, and a preset of the user's with the same name is never replaced.
    """
    if store.get_setting(PRESETS_SEEDED_SETTING):
        return False
    existing = {preset.name for preset in store.list_presets()}
    for preset in SHIPPED_PRESETS:
        if preset.name not in existing:
            store.save_preset(preset)
    store.set_setting(PRESETS_SEEDED_SETTING, True)
    return True
