"""Typed views of what the Ollama server sends.

Each ``from_json`` is tolerant of the real server's quirks: fields left out when
zero, ``families: null``, timestamps with nine fractional digits and ``Z``, and
``expires_at`` some three hundred years away for a model kept loaded forever.
Anything missing takes a neutral default rather than raising.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from tui_app.safe_text import safe_line, safe_number, safe_text

JSON = dict[str, Any]
T = TypeVar("T")

_FRACTION = re.compile(r"(\.\d{1,6})\d*")
# A model kept loaded with keep_alive < 0 expires ~292 years from now.
_FOREVER_YEAR = 2200


def parse_timestamp(value: object) -> datetime | None:
    """Parse an RFC 3339 timestamp as Go writes it; None if absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.11 accepts at most six fractional digits; Go writes up to nine.
    text = _FRACTION.sub(lambda match: match.group(1), text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(data: Mapping[str, Any], key: str) -> int:
    """A count from the wire; 0 when absent or not a sane number (NaN, 1e999, negative)."""
    return safe_number(data.get(key)) or 0


def _checked_int(data: Mapping[str, Any], key: str) -> int:
    """A count that a listing cannot do without: 0 when absent, but a value that is
    there and not a sane number raises :class:`BadEntryError`, so the entry is skipped
    and said once rather than shown with a made-up figure."""
    value = data.get(key)
    if value is None:
        return 0
    number = safe_number(value)
    if number is None:
        raise BadEntryError(f"{key} is not a number of bytes")
    return number


def _str(data: Mapping[str, Any], key: str) -> str:
    """A one-line string field, controls made visible (see :mod:`tui_app.safe_text`)."""
    return safe_line(data.get(key))


def _text(data: Mapping[str, Any], key: str) -> str:
    """A multi-line string field (a license, a template), controls made visible."""
    return safe_text(data.get(key))


def _raw(data: Mapping[str, Any], key: str) -> str:
    """Message text kept exactly as sent: it is the conversation, sent back to the model
    as it came; the transcript and exports make its controls visible when they show it."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


class BadEntryError(ValueError):
    """One element of a listing that cannot be shown as it is (a size of ``1e999``)."""


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(safe_line(item) for item in value if isinstance(item, str))


def _mapping(value: object) -> JSON:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class ModelDetails:
    """The ``details`` object found in tags, ps and show."""

    format: str = ""
    family: str = ""
    families: tuple[str, ...] | None = None
    parameter_size: str = ""
    quantization_level: str = ""
    parent_model: str = ""
    context_length: int | None = None
    embedding_length: int | None = None

    @classmethod
    def from_json(cls, data: object) -> ModelDetails:
        """Build from the wire object (or anything else, giving empty details)."""
        raw = _mapping(data)
        families = raw.get("families")
        return cls(
            format=_str(raw, "format"),
            family=_str(raw, "family"),
            families=_strings(families) if isinstance(families, list) else None,
            parameter_size=_str(raw, "parameter_size"),
            quantization_level=_str(raw, "quantization_level"),
            parent_model=_str(raw, "parent_model"),
            context_length=_int(raw, "context_length") or None,
            embedding_length=_int(raw, "embedding_length") or None,
        )


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """One installed model, as listed by ``GET /api/tags``."""

    name: str
    size: int = 0
    digest: str = ""
    modified_at: datetime | None = None
    details: ModelDetails = field(default_factory=ModelDetails)
    capabilities: tuple[str, ...] = ()
    remote_model: str = ""
    remote_host: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelSummary:
        """Build from one element of the ``models`` array."""
        return cls(
            name=_str(data, "name") or _str(data, "model"),
            size=_checked_int(data, "size"),
            digest=_str(data, "digest"),
            modified_at=parse_timestamp(data.get("modified_at")),
            details=ModelDetails.from_json(data.get("details")),
            capabilities=_strings(data.get("capabilities")),
            remote_model=_str(data, "remote_model"),
            remote_host=_str(data, "remote_host"),
        )


@dataclass(frozen=True, slots=True)
class RunningModel:
    """One loaded model, as listed by ``GET /api/ps``."""

    name: str
    size: int = 0
    size_vram: int = 0
    digest: str = ""
    expires_at: datetime | None = None
    context_length: int = 0
    details: ModelDetails = field(default_factory=ModelDetails)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunningModel:
        """Build from one element of the ``models`` array."""
        return cls(
            name=_str(data, "name") or _str(data, "model"),
            size=_checked_int(data, "size"),
            size_vram=_checked_int(data, "size_vram"),
            digest=_str(data, "digest"),
            expires_at=parse_timestamp(data.get("expires_at")),
            context_length=_checked_int(data, "context_length"),
            details=ModelDetails.from_json(data.get("details")),
        )

    @property
    def kept_forever(self) -> bool:
        """True for a model loaded with a negative keep_alive (never unloads)."""
        return self.expires_at is not None and self.expires_at.year >= _FOREVER_YEAR

    @property
    def gpu_fraction(self) -> float:
        """Share of the model's memory that is in VRAM, from 0.0 to 1.0."""
        if self.size <= 0:
            return 0.0
        return max(0.0, min(1.0, self.size_vram / self.size))


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Everything ``POST /api/show`` says about one model."""

    details: ModelDetails = field(default_factory=ModelDetails)
    capabilities: tuple[str, ...] = ()
    parameters: str = ""
    template: str = ""
    system: str = ""
    license: str = ""
    modelfile: str = ""
    model_info: JSON = field(default_factory=dict)
    modified_at: datetime | None = None
    messages: tuple[ChatMessage, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelInfo:
        """Build from the show response."""
        messages = data.get("messages")
        return cls(
            details=ModelDetails.from_json(data.get("details")),
            capabilities=_strings(data.get("capabilities")),
            parameters=_text(data, "parameters"),
            template=_text(data, "template"),
            system=_text(data, "system"),
            license=_text(data, "license"),
            modelfile=_text(data, "modelfile"),
            model_info=_mapping(data.get("model_info")),
            modified_at=parse_timestamp(data.get("modified_at")),
            messages=tuple(
                ChatMessage.from_json(item)
                for item in (messages if isinstance(messages, list) else [])
                if isinstance(item, dict)
            ),
        )

    @property
    def context_length(self) -> int | None:
        """The model's trained context length from ``model_info``, if it says."""
        architecture = self.model_info.get("general.architecture")
        if isinstance(architecture, str):
            value = self.model_info.get(f"{architecture}.context_length")
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return self.details.context_length

    def has_capability(self, capability: str) -> bool:
        """Whether the server lists ``capability`` for this model."""
        return capability in self.capabilities


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function call the model asked for."""

    name: str
    arguments: JSON = field(default_factory=dict)
    id: str = ""
    index: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToolCall:
        """Build from one element of ``message.tool_calls``."""
        function = _mapping(data.get("function"))
        return cls(
            name=_str(function, "name"),
            arguments=_mapping(function.get("arguments")),
            id=_str(data, "id"),
            index=_int(function, "index"),
        )

    def to_json(self) -> JSON:
        """The wire form, for echoing the call back in the history."""
        call: JSON = {
            "function": {"index": self.index, "name": self.name, "arguments": self.arguments}
        }
        if self.id:
            call["id"] = self.id
        return call


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a conversation, as sent to and received from ``/api/chat``."""

    role: str
    content: str = ""
    thinking: str = ""
    images: tuple[str, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    tool_name: str = ""
    tool_call_id: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChatMessage:
        """Build from a wire message."""
        calls = data.get("tool_calls")
        return cls(
            role=_str(data, "role") or "assistant",
            content=_raw(data, "content"),
            thinking=_raw(data, "thinking"),
            images=_strings(data.get("images")),
            tool_calls=tuple(
                ToolCall.from_json(call)
                for call in (calls if isinstance(calls, list) else [])
                if isinstance(call, dict)
            ),
            tool_name=_str(data, "tool_name"),
            tool_call_id=_str(data, "tool_call_id"),
        )

    def to_json(self) -> JSON:
        """The wire form; ``content`` is always present, the rest only when set."""
        message: JSON = {"role": self.role, "content": self.content}
        if self.thinking:
            message["thinking"] = self.thinking
        if self.images:
            message["images"] = list(self.images)
        if self.tool_calls:
            message["tool_calls"] = [call.to_json() for call in self.tool_calls]
        if self.tool_name:
            message["tool_name"] = self.tool_name
        if self.tool_call_id:
            message["tool_call_id"] = self.tool_call_id
        return message


@dataclass(frozen=True, slots=True)
class Metrics:
    """Timing and token counts from a final chunk; absent values are zero."""

    total_duration: int = 0
    load_duration: int = 0
    prompt_eval_count: int = 0
    prompt_eval_duration: int = 0
    eval_count: int = 0
    eval_duration: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Metrics:
        """Read the six metric fields of a chunk."""
        return cls(
            total_duration=_int(data, "total_duration"),
            load_duration=_int(data, "load_duration"),
            prompt_eval_count=_int(data, "prompt_eval_count"),
            prompt_eval_duration=_int(data, "prompt_eval_duration"),
            eval_count=_int(data, "eval_count"),
            eval_duration=_int(data, "eval_duration"),
        )

    @property
    def tokens_per_second(self) -> float | None:
        """``eval_count / eval_duration · 1e9``, or None when the server gave no duration."""
        if self.eval_duration <= 0:
            return None
        return self.eval_count / self.eval_duration * 1e9

    def to_json(self) -> dict[str, int]:
        """The non-zero metrics, keyed as on the wire."""
        values = {
            "total_duration": self.total_duration,
            "load_duration": self.load_duration,
            "prompt_eval_count": self.prompt_eval_count,
            "prompt_eval_duration": self.prompt_eval_duration,
            "eval_count": self.eval_count,
            "eval_duration": self.eval_duration,
        }
        return {key: value for key, value in values.items() if value}


_NO_METRICS = Metrics()
"""Shared by every chunk before the last (metrics are frozen, so sharing is safe)."""


@dataclass(frozen=True, slots=True)
class ChatChunk:
    """One line of a ``/api/chat`` stream (or the whole non-streaming reply)."""

    model: str
    content: str = ""
    thinking: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    done: bool = False
    done_reason: str = ""
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChatChunk:
        """Build from one NDJSON object of the chat stream.

        Called for every token of a reply, so it reads the message's fields itself
        rather than building a :class:`ChatMessage` on the way.
        """
        message = _mapping(data.get("message"))
        done = data.get("done") is True
        calls = message.get("tool_calls")
        return cls(
            model=_str(data, "model"),
            content=_raw(message, "content"),
            thinking=_raw(message, "thinking"),
            tool_calls=(
                tuple(ToolCall.from_json(call) for call in calls if isinstance(call, dict))
                if isinstance(calls, list)
                else ()
            ),
            done=done,
            done_reason=_str(data, "done_reason"),
            metrics=Metrics.from_json(data) if done else _NO_METRICS,
        )


@dataclass(frozen=True, slots=True)
class GenerateChunk:
    """One line of a ``/api/generate`` stream (or the whole non-streaming reply)."""

    model: str
    response: str = ""
    thinking: str = ""
    done: bool = False
    done_reason: str = ""
    context: tuple[int, ...] = ()
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GenerateChunk:
        """Build from one NDJSON object of the generate stream."""
        done = data.get("done") is True
        context = data.get("context")
        return cls(
            model=_str(data, "model"),
            response=_raw(data, "response"),
            thinking=_raw(data, "thinking"),
            done=done,
            done_reason=_str(data, "done_reason"),
            context=tuple(
                item
                for item in (context if isinstance(context, list) else [])
                if isinstance(item, int)
            ),
            metrics=Metrics.from_json(data) if done else Metrics(),
        )


@dataclass(frozen=True, slots=True)
class ProgressUpdate:
    """One status line of a pull, push or create stream."""

    status: str
    digest: str = ""
    total: int = 0
    completed: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProgressUpdate:
        """Build from one NDJSON object; ``completed`` is absent while zero."""
        return cls(
            status=_str(data, "status"),
            digest=_str(data, "digest"),
            total=_int(data, "total"),
            completed=_int(data, "completed"),
        )

    @property
    def is_layer(self) -> bool:
        """True for a line that reports bytes of one layer."""
        return bool(self.digest) and self.total > 0


@dataclass(frozen=True, slots=True)
class EmbedResult:
    """The reply of ``POST /api/embed``."""

    model: str
    embeddings: tuple[tuple[float, ...], ...] = ()
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EmbedResult:
        """Build from the embed response."""
        vectors = data.get("embeddings")
        return cls(
            model=_str(data, "model"),
            embeddings=tuple(
                tuple(float(x) for x in vector if isinstance(x, int | float))
                for vector in (vectors if isinstance(vectors, list) else [])
                if isinstance(vector, list)
            ),
            metrics=Metrics.from_json(data),
        )

    @property
    def total_duration(self) -> int:
        """Nanoseconds the server spent on the request (0 when it did not say)."""
        return self.metrics.total_duration

    @property
    def load_duration(self) -> int:
        """Nanoseconds spent loading the model (0 when it was already loaded)."""
        return self.metrics.load_duration

    @property
    def prompt_eval_count(self) -> int:
        """Tokens read from all the inputs together."""
        return self.metrics.prompt_eval_count


class Listing(list[T]):
    """The entries of a server's list that can be shown, and a note for those left out.

    A server can list one name twice, an entry without a name, or a size of ``1e999``;
    such entries are left out (a list keyed by name cannot hold them, and a made-up
    figure would mislead) and :attr:`skipped` says why, one line per kind of problem.
    """

    def __init__(self, items: Iterable[T] = (), skipped: Iterable[str] = ()) -> None:
        super().__init__(items)
        self.skipped: tuple[str, ...] = tuple(skipped)


@dataclass(frozen=True, slots=True)
class Streamed(Generic[T]):
    """One parsed line of a stream together with the line exactly as the server sent it."""

    chunk: T
    line: str


@dataclass(frozen=True, slots=True)
class BlobUpload:
    """What ``POST /api/blobs/:digest`` did: wrote the blob, or found it already there."""

    digest: str
    size: int
    created: bool
