"""A saved chat as a Markdown document, and writing it to a file without losing anything.

No UI here: the chat list calls these from a worker thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from tui_app.core.formatting import sanitize
from tui_app.store import ChatRecord, MessageRecord

__all__ = [
    "chat_to_markdown",
    "describe_write_error",
    "export_file_name",
    "slugify",
    "write_export",
]

_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool"}
_SLUG_LIMIT = 60
_TIME_FORMAT = "%Y-%m-%d %H:%M"


def slugify(title: str) -> str:
    """A file-name-safe form of ``title``: lower case, words joined by ``-``.

    Letters of any script are kept (a Japanese title stays Japanese); everything else becomes
    a separator. Falls back to ``chat`` when nothing usable is left.
    """
    words = re.findall(r"[^\W_]+", title.casefold())
    slug = "-".join(words)[:_SLUG_LIMIT].strip("-")
    return slug or "chat"


def export_file_name(title: str) -> str:
    """The suggested file name for exporting a chat called ``title``."""
    return f"{slugify(title)}.md"


def _timestamp(seconds: float, tz: dt.tzinfo | None) -> str:
    """A unix time as local (or ``tz``) date and minute."""
    return dt.datetime.fromtimestamp(seconds, tz).strftime(_TIME_FORMAT)


def _fence(text: str, info: str = "") -> str:
    """``text`` in a fenced code block whose fence no backtick run inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{info}\n{body}{fence}"


def _inline_code(text: str) -> str:
    """``text`` as Markdown inline code, whatever backticks it contains."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{ticks}{padded}{ticks}"


def _settings(chat: ChatRecord) -> Iterable[str]:
    """The chat's model and request settings as Markdown list items."""
    yield f"- **Model:** {_inline_code(chat.model) if chat.model else 'not chosen'}"
    yield f"- **Think:** {chat.think}" if chat.think else "- **Think:** model default"
    if chat.keep_alive:
        yield f"- **Keep alive:** {_inline_code(chat.keep_alive)}"
    if chat.format:
        yield f"- **Format:** {_inline_code(chat.format)}"


def _stats_line(message: MessageRecord) -> str | None:
    """A one-line summary of a reply's final metrics, or ``None`` when there are none."""
    stats = message.stats
    parts: list[str] = []
    count = stats.get("eval_count")
    duration = stats.get("eval_duration")
    if isinstance(count, int):
        parts.append(f"{count} tokens")
        if isinstance(duration, int) and duration > 0:
            parts.append(f"{count / duration * 1e9:.1f} tokens/s")
    prompt_count = stats.get("prompt_eval_count")
    if isinstance(prompt_count, int):
        parts.append(f"{prompt_count} prompt tokens")
    reason = stats.get("done_reason")
    if isinstance(reason, str) and reason:
        parts.append("cut off by num_predict / context" if reason == "length" else reason)
    return " · ".join(parts) if parts else None


def _message_section(message: MessageRecord, tz: dt.tzinfo | None) -> Iterable[str]:
    """One message: a heading naming who wrote it and when, then its text."""
    who = _ROLE_HEADINGS.get(message.role, message.role.title())
    if message.role == "assistant" and message.model:
        who = f"{who} ({message.model})"
    yield f"## {who} · {_timestamp(message.created_at, tz)}"
    yield ""
    if message.thinking:
        yield "<details><summary>Thinking</summary>"
        yield ""
        yield message.thinking.rstrip("\n")
        yield ""
        yield "</details>"
        yield ""
    if message.content:
        yield message.content.rstrip("\n")
        yield ""
    if message.images:
        count = len(message.images)
        yield f"*{count} image{'s' if count != 1 else ''} attached (not included)*"
        yield ""
    if message.status == "stopped":
        yield f"*Stopped: {message.error}*" if message.error else "*Stopped before the end.*"
        yield ""
    elif message.status == "failed":
        yield f"*Failed: {message.error}*" if message.error else "*Failed.*"
        yield ""
    elif message.status == "streaming":
        yield "*Still being written when exported.*"
        yield ""
    stats = _stats_line(message)
    if stats is not None:
        yield f"*{stats}*"
        yield ""


def chat_to_markdown(
    chat: ChatRecord, messages: Iterable[MessageRecord], *, tz: dt.tzinfo | None = None
) -> str:
    """The whole chat as one Markdown document.

    It names the model, the system prompt and the option overrides, so the conversation can
    be reproduced; then every message in order, with thinking in a collapsed ``<details>``
    block. Message text is Markdown already and is copied as it is, except that control
    characters become visible symbols: whatever a server or the database held, ``cat`` on
    the file must not run an escape sequence. ``tz`` defaults to the machine's local zone.
    """
    lines = [f"# {' '.join(chat.title.split())}", ""]
    lines.append(
        f"*Exported from ollama-tui. Started {_timestamp(chat.created_at, tz)},"
        f" last changed {_timestamp(chat.updated_at, tz)}.*"
    )
    lines.append("")
    lines.extend(_settings(chat))
    lines.append("")
    lines.append("### System prompt")
    lines.append("")
    lines.append(_fence(chat.system, "text") if chat.system else "The model's own.")
    lines.append("")
    lines.append("### Options")
    lines.append("")
    if chat.options:
        lines.append(_fence(json.dumps(chat.options, indent=2, sort_keys=True), "json"))
    else:
        lines.append("None set: the model's defaults.")
    lines.append("")
    lines.append("---")
    lines.append("")
    for message in messages:
        lines.extend(_message_section(message, tz))
    return sanitize("\n".join(lines).rstrip("\n") + "\n")


def write_export(path: Path, text: str, *, overwrite: bool = False) -> None:
    """Write ``text`` to ``path`` as UTF-8.

    Without ``overwrite`` an existing file is never touched: ``FileExistsError`` is raised
    instead, even if the file appears between a check and the write. With ``overwrite`` the
    text goes to a temporary file beside ``path`` that then replaces it, so a failed write
    leaves the old file whole; the old file's permission bits are kept. Other ``OSError`` s
    (missing folder, permission denied) propagate; :func:`describe_write_error` words them.
    """
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not overwrite:
        with open(path, "x", encoding="utf-8", newline="\n") as created:
            try:
                created.write(text)
            except BaseException:
                # Never leave a half-written file that looks like a finished export.
                created.close()
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
        return
    old_mode = None
    with contextlib.suppress(FileNotFoundError):
        old_mode = stat.S_IMODE(path.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as replacement:
            replacement.write(text)
        if old_mode is not None:
            os.chmod(temporary, old_mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def describe_write_error(path: Path, error: OSError) -> str:
    """Plain words for why ``path`` could not be written."""
    if isinstance(error, IsADirectoryError):
        return f"{path} is a folder: add a file name such as {path / 'chat.md'}."
    if isinstance(error, FileNotFoundError):
        return f"The folder {path.parent} does not exist."
    if isinstance(error, NotADirectoryError):
        return f"{path.parent} is not a folder."
    if isinstance(error, PermissionError):
        return f"Permission denied: cannot write {path}."
    reason = error.strerror or str(error)
    return f"Could not write {path}: {reason}."
