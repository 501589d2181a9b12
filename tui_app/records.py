"""The saved data as the app reads it: chats, messages, search hits and option presets.

Plain frozen records with no behaviour, so that widgets can draw them without importing the
store that reads and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ChatRecord",
    "ComparisonRecord",
    "MessageRecord",
    "Preset",
    "SearchHit",
    "WorkbenchRecord",
]


@dataclass(frozen=True, slots=True)
class ChatRecord:
    """A saved chat and its per-chat request settings."""

    id: int
    title: str
    model: str | None
    """Model name, or ``None`` for "not chosen yet"."""
    system: str | None
    """System prompt; ``None`` keeps the model's own."""
    options: dict[str, object]
    """Ollama ``options`` overrides for this chat (only the set ones)."""
    keep_alive: str | None
    think: str | None
    """One of the store's ``THINK_VALUES`` (``off`` included), or ``None`` to follow defaults."""
    format: str | None
    """``None`` to follow the defaults, ``"off"``, ``"json"`` or a JSON schema object's text."""
    created_at: float
    """Unix seconds."""
    updated_at: float
    """Unix seconds of the last change to the chat or its messages."""
    tools: str | None = None
    """The text of a JSON list of tool definitions sent with each request, or ``None``."""
    host: str | None = None
    """The name of the host the chat runs on; ``None`` for the default host."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One turn of a chat."""

    id: int
    chat_id: int
    role: str
    content: str
    thinking: str
    images: list[str]
    """Base64 image data, as the chat API takes it."""
    stats: dict[str, object]
    """Final-chunk metrics (``eval_count``, ``done_reason``...); ``{}`` if none."""
    status: str
    """One of ``tui_app.store.MESSAGE_STATUSES``."""
    error: str | None
    model: str | None
    """Model that wrote an assistant reply."""
    created_at: float
    tool_calls: list[dict[str, object]] = field(default_factory=list)
    """The functions a reply asked to call, in their wire form (``function.name``,
    ``function.arguments``, maybe ``id``)."""
    tool_name: str = ""
    """The tool whose result a ``tool`` message carries."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A message that matched a full-text search."""

    chat_id: int
    chat_title: str
    message_id: int
    role: str
    snippet: str
    """Plain text around the match, whitespace collapsed, ``…`` where it was cut."""
    created_at: float
    in_thinking: bool = False
    """The match is in the reply's thinking, not its answer (the snippet is from there)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """A named set of options and request fields that can be applied to a chat."""

    name: str
    options: dict[str, object] = field(default_factory=dict)
    """Ollama ``options``."""
    request: dict[str, object] = field(default_factory=dict)
    """Request-level fields: ``keep_alive``, ``think``, ``format``."""


@dataclass(frozen=True, slots=True)
class WorkbenchRecord:
    """One request sent from the workbench, with what came back."""

    id: int
    mode: str
    """``generate`` or ``embed``."""
    model: str
    body: dict[str, object]
    """The JSON body exactly as sent."""
    status: str
    """One of ``tui_app.store.WORKBENCH_STATUSES``."""
    result: str
    """The reply as the workbench showed it (text, or the embed summary)."""
    stats: str
    """The final figures on one line; empty if none came."""
    error: str | None
    created_at: float
    """Unix seconds."""


@dataclass(frozen=True, slots=True)
class ComparisonRecord:
    """A saved comparison: one prompt run in several columns, with what each column got."""

    id: int
    title: str
    data: dict[str, object]
    """The comparison as :func:`tui_app.core.compare.comparison_to_json` writes it."""
    created_at: float
    """Unix seconds."""
