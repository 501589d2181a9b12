"""The pure logic of a chat exchange, kept apart from the widgets that show it.

What a request carries (history, system prompt), how a finished reply's metrics read, how
full the context is, which files are images, which code blocks a reply holds, and how model
output is made safe to put on a terminal. Nothing here imports Textual.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

from markdown_it import MarkdownIt

from tui_app.api import ChatMessage, Metrics
from tui_app.api.show_parameters import parse_show_parameters
from tui_app.core.formatting import sanitize
from tui_app.core.options import SPECS_BY_NAME, THINK_LEVELS
from tui_app.safe_text import safe_line
from tui_app.store import MessageRecord

TITLE_LENGTH: Final = 60
"""A new chat is titled with this many characters of its first prompt."""

DEFAULT_NUM_CTX: Final = cast(int, SPECS_BY_NAME["num_ctx"].ollama_default)
"""Ollama's context size when neither the request nor the model sets ``num_ctx``."""

CONTEXT_WARNING: Final = 0.8
"""Share of ``num_ctx`` from which the context meter warns."""

THINK_CYCLE: Final[tuple[str | None, ...]] = (None, *THINK_LEVELS)
"""The per-chat think setting, in the order the toggle walks it; None follows the defaults."""

MAX_IMAGE_BYTES: Final = 50 * 1024 * 1024
"""Largest image file accepted: bigger ones are almost certainly a mistake."""

DONE_REASONS: Final[Mapping[str, str]] = {
    "stop": "finished",
    "length": "cut off: num_predict or context limit",
    "load": "model loaded",
    "unload": "model unloaded",
}
"""``done_reason`` values in words."""


# -- titles and settings ----------------------------------------------------------------------


def chat_title(prompt: str) -> str:
    """The title of a chat started with ``prompt``: its first characters, on one line."""
    line = " ".join(sanitize(prompt).split())
    return line[:TITLE_LENGTH].rstrip() or "New chat"


def next_think(current: str | None) -> str | None:
    """The think setting after ``current`` in :data:`THINK_CYCLE`."""
    try:
        index = THINK_CYCLE.index(current)
    except ValueError:
        return THINK_CYCLE[0]
    return THINK_CYCLE[(index + 1) % len(THINK_CYCLE)]


# -- the request --------------------------------------------------------------------------------


def history_messages(records: Iterable[MessageRecord], system: str | None) -> list[ChatMessage]:
    """The ``messages`` of a chat request: the system prompt, then every usable turn.

    Failed replies and replies that never produced text are left out; a stopped reply is
    kept, since the user saw it and may be following up on it.
    """
    messages: list[ChatMessage] = []
    if system and system.strip():
        messages.append(ChatMessage("system", system))
    for record in records:
        if record.role == "assistant":
            if record.status == "failed" or not (record.content or record.thinking):
                continue
            messages.append(ChatMessage("assistant", record.content, thinking=record.thinking))
        elif record.role == "user":
            messages.append(ChatMessage("user", record.content, images=tuple(record.images)))
        else:
            messages.append(ChatMessage(record.role, record.content))
    return messages


# -- reply metrics ------------------------------------------------------------------------------


def format_count(count: int) -> str:
    """A token count with thousands separators."""
    return f"{count:,}"


def format_duration(nanoseconds: int) -> str:
    """A duration in the unit that reads best."""
    seconds = nanoseconds / 1e9
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s"


def done_reason_text(reason: str) -> str:
    """``done_reason`` in words; one the app does not know is shown as one safe line (it is
    server text, stored and shown again each time the chat is opened)."""
    return DONE_REASONS.get(reason) or safe_line(reason)


def stats_text(stats: Mapping[str, object]) -> str:
    """The line under a finished reply: tokens, speed, prompt, load time and why it ended."""
    metrics = Metrics.from_json(stats)
    parts: list[str] = []
    if metrics.eval_count:
        parts.append(f"{format_count(metrics.eval_count)} tokens")
    speed = metrics.tokens_per_second
    if speed is not None:
        parts.append(f"{speed:.1f} tokens/s")
    if metrics.prompt_eval_count:
        parts.append(f"prompt {format_count(metrics.prompt_eval_count)} tokens")
    if metrics.load_duration:
        parts.append(f"load {format_duration(metrics.load_duration)}")
    reason = stats.get("done_reason")
    if isinstance(reason, str) and reason:
        parts.append(done_reason_text(reason))
    return " · ".join(parts)


def model_num_ctx(parameters: str) -> int | None:
    """The ``num_ctx`` a model sets in its Modelfile, from ``/api/show`` ``parameters``."""
    value = parse_show_parameters(parameters).get("num_ctx")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


@dataclass(frozen=True, slots=True)
class ContextUsage:
    """How much of the context window the last exchange took."""

    used: int
    """Prompt plus reply tokens of the last exchange."""
    limit: int
    """The ``num_ctx`` in force."""
    limit_source: str
    """Where ``limit`` came from: ``chat``, ``model`` or ``default``."""
    trained: int | None = None
    """The longest context the model was trained for, if the server says."""

    @property
    def fraction(self) -> float:
        """``used / limit``."""
        return self.used / self.limit if self.limit > 0 else 0.0

    @property
    def warning(self) -> bool:
        """True from :data:`CONTEXT_WARNING` of the window: history may soon be cut."""
        return self.fraction >= CONTEXT_WARNING

    def text(self) -> str:
        """The meter in words, e.g. ``context 1,234 / 4,096 (default) · 30%``."""
        source = {"chat": "", "model": " (model)", "default": " (default)"}[self.limit_source]
        parts = [
            f"context {format_count(self.used)} / {format_count(self.limit)}{source}",
            f"{self.fraction:.0%}",
        ]
        if self.trained:
            parts.append(f"model max {format_count(self.trained)}")
        if self.warning:
            parts.append("older messages will be cut: raise num_ctx (f5) or start a new chat")
        return " · ".join(parts)


def context_usage(
    stats: Mapping[str, object] | None,
    *,
    chat_num_ctx: object = None,
    model_parameters_num_ctx: int | None = None,
    trained: int | None = None,
) -> ContextUsage:
    """The context meter for a chat whose last reply had ``stats``."""
    metrics = Metrics.from_json(stats or {})
    used = metrics.prompt_eval_count + metrics.eval_count
    if isinstance(chat_num_ctx, int) and not isinstance(chat_num_ctx, bool) and chat_num_ctx > 0:
        limit, source = chat_num_ctx, "chat"
    elif model_parameters_num_ctx:
        limit, source = model_parameters_num_ctx, "model"
    else:
        limit, source = DEFAULT_NUM_CTX, "default"
    return ContextUsage(used=used, limit=limit, limit_source=source, trained=trained)


# -- images ---------------------------------------------------------------------------------


class ImageError(ValueError):
    """A file that cannot be attached; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class AttachedImage:
    """An image waiting to go out with the next prompt."""

    name: str
    """File name, for the attachment line."""
    data: str
    """Standard base64 with padding, no ``data:`` prefix (what Ollama takes)."""
    size: int
    """Bytes of the file."""
    kind: str
    """PNG, JPEG, GIF or WEBP."""


def image_kind(head: bytes) -> str | None:
    """The image format a file starts with, from its magic bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def load_image(path_text: str) -> AttachedImage:
    """Read an image to attach; raise :class:`ImageError` saying why a file will not do."""
    text = path_text.strip().strip("'\"")
    if not text:
        raise ImageError("Type the path of an image file.")
    path = Path(text).expanduser()
    if not path.exists():
        raise ImageError(f"No such file: {path}")
    if not path.is_file():
        raise ImageError(f"Not a file: {path}")
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise ImageError(f"{path.name} is {size / 1048576:.0f} MiB; the limit is 50 MiB.")
        data = path.read_bytes()
    except OSError as error:
        raise ImageError(f"Cannot read {path}: {error.strerror or error}") from None
    kind = image_kind(data[:16])
    if kind is None:
        raise ImageError(f"{path.name} is not an image (PNG, JPEG, GIF or WEBP).")
    return AttachedImage(
        name=path.name, data=base64.b64encode(data).decode("ascii"), size=len(data), kind=kind
    )


def format_size(size: int) -> str:
    """A file size for people."""
    if size < 1024:
        return f"{size} B"
    if size < 1048576:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1048576:.1f} MB"


# -- reply content ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced or indented code block of a reply."""

    language: str
    code: str

    def describe(self) -> str:
        """One line naming the block: language, length and first line."""
        lines = self.code.splitlines() or [""]
        first = " ".join(lines[0].split())
        first = first if len(first) <= 50 else first[:49] + "…"
        size = f"{len(lines)} line{'s' if len(lines) != 1 else ''}"
        return f"{self.language or 'text'} · {size} · {first}"


def code_blocks(markdown: str) -> list[CodeBlock]:
    """The code blocks of ``markdown``, in order."""
    blocks: list[CodeBlock] = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type in ("fence", "code_block"):
            language = token.info.strip().split(" ")[0] if token.info else ""
            blocks.append(CodeBlock(language=language, code=token.content))
    return blocks


def pretty_json(text: str) -> str | None:
    """``text`` pretty-printed if it is a JSON object or array, else None."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    return json.dumps(value, indent=2, ensure_ascii=False)
