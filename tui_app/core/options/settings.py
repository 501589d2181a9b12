"""Settings at each level, and what one request of a chat carries.

Settings live at two levels, both as the stored strings and values the form edits: the
global :class:`RequestDefaults` every chat starts from, and each chat's own overrides in
its store row. :func:`resolve_settings` is the one place they meet the model: the chat
header, the think and format keys, the options form and preview, and the request itself
all read what it decides, and where each value came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from tui_app.api import ModelInfo
from tui_app.core.options.specs import (
    FIELD_NAMES,
    FORMAT_OFF,
    OLLAMA_KEEP_ALIVE_DEFAULT,
    SPECS_BY_NAME,
)
from tui_app.store import ChatRecord, Preset, Store

DEFAULTS_SETTING: Final = "request_defaults"
"""The store setting holding the global defaults new chats start from."""


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
    """Map a stored format (None, ``off``, ``json`` or schema text) to the request field."""
    if not setting or setting == FORMAT_OFF:
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


# --------------------------------------------------------------------------------------------
# One level of settings


@dataclass(frozen=True, slots=True)
class RequestDefaults:
    """Settings of one level: the global defaults, a chat's overrides, or a preset.

    Only set values are present: ``options`` holds the set options and the request fields
    are ``None`` when unset (inherited). ``think`` and ``format`` may be ``off``, which is
    set: it turns off what a lower level turned on. Stored as one setting for the global
    defaults.
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
            keep_alive=optional_str(data.get("keep_alive")),
            think=optional_str(data.get("think")),
            format=optional_str(data.get("format")),
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

    def stored(self, name: str) -> object:
        """The value this level stores for field ``name``, or None when it leaves it unset."""
        if name in SPECS_BY_NAME:
            return self.options.get(name)
        value: object = getattr(self, name)
        return value

    def set_fields(self) -> list[str]:
        """The names of the fields these settings set, in form order."""
        return [name for name in FIELD_NAMES if self.stored(name) is not None]


def optional_str(value: object) -> str | None:
    """``value`` if it is a non-empty string, else None (unset)."""
    return value if isinstance(value, str) and value else None


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


def model_thinks(info: ModelInfo | None) -> bool:
    """Whether ``think`` may be sent to the model: only when ``/api/show`` says it thinks,
    since Ollama refuses ``think`` for other models."""
    return info is not None and info.has_capability("thinking")


# --------------------------------------------------------------------------------------------
# The settings of one chat's request


@dataclass(frozen=True, slots=True)
class ResolvedSettings:
    """What one chat's next request carries, and where every field's value comes from."""

    request: RequestSettings
    """The request fields, exactly as they are sent."""
    in_force: Mapping[str, InForce]
    """Every form field's value as stored (``keep_alive`` text, think level, ``off``)."""
    think_dropped: bool = False
    """``think`` is set but left out of the request: the model is not known to think."""
    problem: str | None = None
    """Why the stored settings cannot be sent (a format that is not a schema), or None."""

    def sendable(self) -> RequestSettings:
        """The request fields; raises ``ValueError`` with :attr:`problem` if there is one."""
        if self.problem is not None:
            raise ValueError(self.problem)
        return self.request

    def words(self, name: str) -> str:
        """The value of field ``name`` in a word or two: ``json``, ``schema``, ``high``;
        ``default`` (``off`` for format) when no level sets it."""
        in_force = self.in_force[name]
        value = in_force.value
        if in_force.source not in ("chat", "global"):
            return FORMAT_OFF if name == "format" else "default"
        if name == "format" and isinstance(value, str) and value not in ("json", FORMAT_OFF):
            return "schema"
        return str(value)

    def label(self, name: str) -> str:
        """Field ``name`` for the chat header: ``json (global)``, ``high``, ``default``;
        a value the chat inherits says so, and so does a ``think`` that is not sent."""
        words = self.words(name)
        notes = ["global"] if self.in_force[name].source == "global" else []
        if name == "think" and self.think_dropped:
            notes.append("not sent")
        return f"{words} ({', '.join(notes)})" if notes else words


def fields_in_force(
    defaults: RequestDefaults,
    overrides: RequestDefaults | None,
    model_parameters: Mapping[str, object],
) -> dict[str, InForce]:
    """Every field's value in force and its source: the chat's override, the global
    default, the model's own parameter, then Ollama's default."""
    levels: tuple[tuple[RequestDefaults | None, Source], ...] = (
        (overrides, "chat"),
        (defaults, "global"),
    )
    in_force: dict[str, InForce] = {}
    for name in FIELD_NAMES:
        for level, source in levels:
            value = level.stored(name) if level is not None else None
            if value is not None:
                in_force[name] = InForce(value, source)
                break
        else:
            in_force[name] = model_default(name, model_parameters)
    return in_force


def resolve_settings(
    defaults: RequestDefaults,
    chat: ChatRecord | RequestDefaults | None,
    *,
    model_parameters: Mapping[str, object] | None = None,
    thinks: bool | None = None,
) -> ResolvedSettings:
    """The settings of a request of ``chat``: its overrides on top of the global defaults,
    then the model's own parameters and Ollama's defaults for what neither sets.

    ``thinks`` says whether the model can think (see :func:`model_thinks`); when False,
    ``think`` is left out of the request. None leaves ``think`` as the levels say.
    A stored format that is neither ``json`` nor a schema object is left out of
    :attr:`~ResolvedSettings.request` and named in :attr:`~ResolvedSettings.problem`.
    """
    overrides = RequestDefaults.of_chat(chat) if isinstance(chat, ChatRecord) else chat
    in_force = fields_in_force(defaults, overrides, model_parameters or {})
    options = dict(defaults.options)
    if overrides is not None:
        options.update(overrides.options)

    def set_at_a_level(name: str) -> str | None:
        chosen = in_force[name]
        return str(chosen.value) if chosen.source in ("chat", "global") else None

    think = think_value(set_at_a_level("think"))
    dropped = think is not None and thinks is False
    problem: str | None = None
    try:
        format_ = format_value(set_at_a_level("format"))
    except ValueError as exc:
        format_, problem = None, f"the format is not usable: {exc}"
    request = RequestSettings(
        options={name: value for name, value in options.items() if value is not None},
        keep_alive=keep_alive_value(set_at_a_level("keep_alive")),
        think=None if dropped else think,
        format=format_,
    )
    return ResolvedSettings(
        request=request, in_force=in_force, think_dropped=dropped, problem=problem
    )


def effective_settings(
    defaults: RequestDefaults, chat: ChatRecord | RequestDefaults | None
) -> RequestSettings:
    """What a request of ``chat`` carries before the model is considered: the chat's
    overrides on top of the defaults (see :func:`resolve_settings`).

    Raises ``ValueError`` if the stored settings cannot be sent.
    """
    return resolve_settings(defaults, chat).sendable()


def value_in_force(
    name: str,
    defaults: RequestDefaults,
    chat: RequestDefaults | None,
    model_parameters: Mapping[str, object],
) -> InForce:
    """The value a request uses for field ``name`` (see :func:`fields_in_force`)."""
    return fields_in_force(defaults, chat, model_parameters)[name]


Scope = Literal["chat", "global"]
"""Which level the options form edits."""


def levels_after_edit(
    scope: Scope, edited: RequestDefaults, defaults: RequestDefaults, chat: ChatRecord | None
) -> tuple[RequestDefaults, RequestDefaults | None]:
    """The global defaults and the chat's overrides if ``edited`` were saved at ``scope``.

    ``defaults`` are the saved global defaults and ``chat`` the chat in view as saved
    (``None`` when there is none, then the request is that of a new chat).
    """
    if scope == "global":
        return edited, RequestDefaults.of_chat(chat) if chat is not None else None
    if chat is None:
        raise ValueError("per-chat settings need a chat")
    return defaults, edited


def preview_settings(
    scope: Scope, edited: RequestDefaults, defaults: RequestDefaults, chat: ChatRecord | None
) -> RequestSettings:
    """What the next request would carry if ``edited`` were saved at ``scope``.

    Raises ``ValueError`` if the settings cannot be sent.
    """
    return effective_settings(*levels_after_edit(scope, edited, defaults, chat))
