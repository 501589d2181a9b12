"""Ollama runtime options: what each one is, and which values a request carries.

Pure logic, no UI: the options screen edits these, the chat screen sends them.
Only options the user set are sent; unset means "the model's default".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tui_app.store import ChatRecord, Store

OptionKind = Literal["int", "float", "strings"]

DEFAULTS_SETTING = "request_defaults"
"""The store setting holding the global defaults new chats start from."""


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
    OptionSpec("stop", "strings", None, "Stop generating at any of these strings."),
)
"""Every runtime option, in the order the options screen shows them."""

SPECS_BY_NAME: dict[str, OptionSpec] = {spec.name: spec for spec in OPTION_SPECS}

THINK_CHOICES: tuple[str, ...] = ("off", "on", "low", "medium", "high")
"""The think setting as stored; None means "the model's default"."""


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
    """Global defaults that every chat starts from (stored as one setting)."""

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
        store.set_setting(
            DEFAULTS_SETTING,
            {
                "options": self.options,
                "keep_alive": self.keep_alive,
                "think": self.think,
                "format": self.format,
            },
        )


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
        options=options,
        keep_alive=keep_alive_value(keep_alive),
        think=think_value(think),
        format=format_value(format_),
    )
