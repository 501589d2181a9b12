"""Typed request forms for generate, chat and embed, and the exact JSON body each sends.

A form holds what the user chose; ``body()`` turns it into the request body with only the
fields that were set, in the order Ollama's own structs declare them. The client sends
these bodies and the workbench shows them, so what is shown is what goes on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tui_app.api.models import JSON, ChatMessage

ThinkValue = bool | str
FormatValue = str | Mapping[str, Any]
KeepAlive = str | int | float


def _format(value: FormatValue | None) -> Any:
    """``format`` as sent: ``"json"``, a schema object, or nothing for ``""``/None."""
    if isinstance(value, Mapping):
        return dict(value)
    return value or None


def _set_fields(**fields: Any) -> JSON:
    """Keep the fields the user set: drop None, empty strings and empty collections."""
    return {
        key: value
        for key, value in fields.items()
        if value is not None and not (isinstance(value, str | list | dict) and not value)
    }


@dataclass(frozen=True, slots=True)
class GenerateRequest:
    """A ``POST /api/generate`` request; ``prompt`` is always sent (empty means load)."""

    path: ClassVar[str] = "/api/generate"

    model: str
    prompt: str = ""
    suffix: str | None = None
    system: str | None = None
    template: str | None = None
    raw: bool = False
    images: tuple[str, ...] = ()
    """Standard base64 without a ``data:`` prefix."""
    format: FormatValue | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    keep_alive: KeepAlive | None = None
    think: ThinkValue | None = None
    context: tuple[int, ...] = ()
    stream: bool = True

    def body(self) -> JSON:
        """The JSON body, with only the fields that were set."""
        return {
            "model": self.model,
            "prompt": self.prompt,
            **_set_fields(
                suffix=self.suffix,
                images=list(self.images),
                format=_format(self.format),
                options=dict(self.options),
                system=self.system,
                template=self.template,
                context=list(self.context),
            ),
            "stream": self.stream,
            **_set_fields(raw=self.raw or None, keep_alive=self.keep_alive, think=self.think),
        }


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A ``POST /api/chat`` request; ``messages`` is always sent (empty means load)."""

    path: ClassVar[str] = "/api/chat"

    model: str
    messages: tuple[ChatMessage, ...] = ()
    tools: tuple[JSON, ...] = ()
    """Tool schemas: ``{"type": "function", "function": {"name", "description", "parameters"}}``."""
    format: FormatValue | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    keep_alive: KeepAlive | None = None
    think: ThinkValue | None = None
    stream: bool = True

    def body(self) -> JSON:
        """The JSON body, with only the fields that were set."""
        return {
            "model": self.model,
            "messages": [message.to_json() for message in self.messages],
            **_set_fields(tools=[dict(tool) for tool in self.tools]),
            "stream": self.stream,
            **_set_fields(
                format=_format(self.format),
                keep_alive=self.keep_alive,
                options=dict(self.options),
                think=self.think,
            ),
        }


@dataclass(frozen=True, slots=True)
class EmbedRequest:
    """A ``POST /api/embed`` request for one input or several."""

    path: ClassVar[str] = "/api/embed"

    model: str
    input: str | tuple[str, ...] = ()
    truncate: bool | None = None
    """None leaves the server's default (true: cut inputs to fit the context)."""
    dimensions: int | None = None
    keep_alive: KeepAlive | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The inputs as a tuple, whichever way they were given."""
        return (self.input,) if isinstance(self.input, str) else tuple(self.input)

    def body(self) -> JSON:
        """The JSON body; ``input`` stays a string when one string was given."""
        value: str | list[str] = self.input if isinstance(self.input, str) else list(self.input)
        return {
            "model": self.model,
            "input": value,
            **_set_fields(
                truncate=self.truncate,
                dimensions=self.dimensions,
                keep_alive=self.keep_alive,
                options=dict(self.options),
            ),
        }


Request = GenerateRequest | ChatRequest | EmbedRequest
"""Any of the requests the workbench composes."""
