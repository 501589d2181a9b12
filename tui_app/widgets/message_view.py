"""One message of the conversation: a prompt, or a reply with its reasoning and stats."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Collapsible, Static
from textual.widgets.collapsible import CollapsibleTitle

from tui_app.core.chat_session import format_count, pretty_json, stats_text, tool_calls_text
from tui_app.core.formatting import sanitize
from tui_app.records import MessageRecord
from tui_app.widgets.markdown_document import MarkdownDocument
from tui_app.widgets.markdown_render import split_blocks
from tui_app.widgets.streaming_text import StreamingText


def _fenced(code: str, language: str) -> str:
    """``code`` in a fence longer than any backtick run inside it."""
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}{language}\n{code}\n{fence}"


class ThinkingBlock(Collapsible):
    """A reply's reasoning, folded under a title.

    The title is no tab stop: with a block in every reply, tab would stop at each of them
    on its way between the prompt and the chat list. A click on the title still opens and
    closes it, and so do the chat screen's thinking keys.
    """

    def on_mount(self) -> None:
        for title in self.query(CollapsibleTitle):
            title.can_focus = False


class MessageView(Vertical):
    """A prompt or a reply.

    A reply shows its reasoning in a collapsible block above the answer, the answer as
    Markdown, and a line saying how it ended. While it streams, text handed to :meth:`feed`
    is drawn in batches: the first words at once, later ones at most every
    :attr:`FLUSH_INTERVAL` (longer when drawing is slow, see :attr:`DRAW_SHARE`), held back
    while the user types. Each batch re-parses only the
    reply's last block (:meth:`MarkdownDocument.append`); :meth:`finish` parses the whole
    reply once more, so a block the stream saw only in part comes out right.
    """

    DEFAULT_CSS = """
    MessageView {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
        border-left: thick $primary 60%;
    }
    MessageView.-user {
        background: $boost;
        border-left: thick $accent;
    }
    MessageView.-stopped {
        border-left: thick $warning;
    }
    MessageView.-failed {
        border-left: thick $error;
    }
    MessageView.-found {
        background: $accent 15%;
    }
    MessageView > .message-header {
        height: 1;
        color: $text-muted;
        text-style: bold;
    }
    MessageView.-user > .message-header {
        color: $accent;
    }
    MessageView > .message-body {
        height: auto;
    }
    MessageView > Collapsible {
        margin: 0;
        padding: 0;
        border: none;
        background: transparent;
    }
    MessageView > Collapsible > Contents {
        padding: 0 0 0 2;
    }
    MessageView .thinking-text {
        color: $text-muted;
        text-style: italic;
    }
    MessageView > .message-footer {
        height: auto;
        color: $text-muted;
    }
    MessageView > .tool-calls {
        height: auto;
        color: $secondary;
    }
    MessageView.-failed > .message-footer {
        color: $error;
    }
    MessageView.-stopped > .message-footer {
        color: $warning;
    }
    """

    FLUSH_INTERVAL: ClassVar[float] = 0.08
    """Least seconds between redraws of a streaming reply (at most 12.5 a second); tokens
    in between are drawn together. Reading runs at 200 to 300 words a minute, so faster
    redraws show nothing a reader sees sooner, and each one rewrites the lines it moves."""

    DRAW_SHARE: ClassVar[float] = 0.3
    """Most of the time a streaming reply may spend being drawn: when a batch takes long
    to reach the screen (a big terminal, a slow machine), batches space out, so reading
    the stream and typing keep most of the time."""

    EAGER_CHARS: ClassVar[int] = 24
    """Until this many characters of a reply are drawn, each piece is drawn as it comes."""

    TYPING_PAUSE: ClassVar[float] = 0.3
    """Seconds a streaming reply holds its redraws after a key is typed in the prompt, so
    typing never waits behind a redraw; the reply catches up when typing pauses."""

    DISPLAY_LIMIT: ClassVar[int] = 50_000
    """Characters of a prompt drawn; the rest of a huge paste is counted, not drawn."""

    def __init__(self, record: MessageRecord, *, json_mode: bool = False) -> None:
        classes = "-user" if record.role == "user" else "-assistant"
        super().__init__(classes=classes)
        self.message_id = record.id
        """The store id of the message."""
        self.role = record.role
        """``user``, ``assistant``, ``system`` or ``tool``."""
        self.model = record.model
        """The model that wrote a reply."""
        self.images = list(record.images)
        """Base64 images sent with a prompt."""
        self.status = record.status
        """``complete``, ``streaming``, ``stopped`` or ``failed``."""
        self.error = record.error
        """Why a reply failed or stopped, if it says."""
        self.stats: dict[str, object] = dict(record.stats)
        """Final-chunk metrics of a reply."""
        self.json_mode = json_mode
        """Show a JSON reply pretty-printed (the request asked for ``format``)."""
        self.tool_calls: list[dict[str, object]] = list(record.tool_calls)
        """The function calls a reply asked for (wire form)."""
        self.tool_name = record.tool_name
        """The tool whose result a ``tool`` message is."""
        self._calls_view: Static | None = None
        self._answer: list[str] = [record.content] if record.content else []
        self._thinking: list[str] = [record.thinking] if record.thinking else []
        self._pending_answer: list[str] = []
        self._pending_thinking: list[str] = []
        self._streaming = False
        self._flush_timer: Timer | None = None
        self._flush_scheduled = False
        self._last_flush = 0.0
        self._drawn_chars = 0
        self._draw_cost = 0.0
        self._hold_until = 0.0
        self._markdown: MarkdownDocument | None = None
        self._thinking_box: Collapsible | None = None
        self._thinking_text: StreamingText | None = None
        self._footer = Static(classes="message-footer")
        self.set_class(record.status == "stopped", "-stopped")
        self.set_class(record.status == "failed", "-failed")

    # -- content --------------------------------------------------------------------------------

    @property
    def content(self) -> str:
        """The text of the message (for a reply, the answer without its reasoning)."""
        if len(self._answer) > 1:
            self._answer = ["".join(self._answer)]
        return self._answer[0] if self._answer else ""

    @property
    def thinking(self) -> str:
        """The reply's reasoning."""
        if len(self._thinking) > 1:
            self._thinking = ["".join(self._thinking)]
        return self._thinking[0] if self._thinking else ""

    @property
    def is_streaming(self) -> bool:
        """True while the reply is arriving."""
        return self._streaming

    def _display_answer(self) -> str:
        text = self.content
        if self.json_mode and self.status != "streaming":
            pretty = pretty_json(text)
            if pretty is not None:
                return _fenced(pretty, "json")
        return sanitize(text)

    # -- composition -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="message-header")
        if self.role != "assistant":
            yield Static(self._prompt_body(), classes="message-body")
        else:
            if self.thinking:
                yield self._make_thinking_box(collapsed=True)
            self._markdown = MarkdownDocument(self._display_answer())
            self._markdown.display = bool(self.content) or self.status == "streaming"
            yield self._markdown
            if self.tool_calls:
                yield self._make_calls_view()
        self._update_footer()
        yield self._footer

    def _header(self) -> Content:
        if self.role == "user":
            label = Content("You")
            if self.images:
                count = len(self.images)
                label += Content(f" · {count} image{'s' if count != 1 else ''}")
            return label
        if self.role == "assistant":
            return Content(sanitize(self.model or "assistant"))
        if self.role == "tool":
            return Content(f"tool result · {sanitize(self.tool_name or '(no name)')}")
        return Content(self.role)

    def _make_calls_view(self) -> Static:
        # Model output: plain Content, never markup.
        self._calls_view = Static(
            Content(sanitize(tool_calls_text(self.tool_calls))), classes="tool-calls"
        )
        return self._calls_view

    async def add_tool_calls(self, calls: Iterable[dict[str, object]]) -> None:
        """Show function calls the reply asked for, below its text."""
        self.tool_calls.extend(calls)
        if self._calls_view is None:
            await self.mount(self._make_calls_view(), before=self._footer)
        else:
            self._calls_view.update(Content(sanitize(tool_calls_text(self.tool_calls))))

    def _prompt_body(self) -> Content:
        text = self.content
        if len(text) > self.DISPLAY_LIMIT:
            hidden = len(text) - self.DISPLAY_LIMIT
            shown = sanitize(text[: self.DISPLAY_LIMIT])
            return Content(shown) + Content.styled(
                f"\n… {format_count(hidden)} more characters not shown", "italic $text-muted"
            )
        return Content(sanitize(text))

    def _make_thinking_box(self, *, collapsed: bool) -> Collapsible:
        self._thinking_text = StreamingText(sanitize(self.thinking), classes="thinking-text")
        self._thinking_text.growing = self._streaming
        self._thinking_box = ThinkingBlock(
            self._thinking_text, title=self._thinking_title(), collapsed=collapsed
        )
        return self._thinking_box

    def _thinking_title(self) -> str:
        if self.is_streaming and not self.content:
            return "Thinking…"
        words = len(self.thinking.split())
        return f"Thinking ({format_count(words)} words)"

    def _update_footer(self) -> None:
        if self.status == "streaming":
            text = Content("receiving…")
        elif self.status == "failed":
            text = Content(f"✗ failed: {sanitize(self.error or 'unknown error')}")
        elif self.status == "stopped":
            reason = f": {sanitize(self.error)}" if self.error else ""
            text = Content(f"■ stopped{reason}")
        else:
            text = Content(stats_text(self.stats)) if self.stats else Content("")
        self._footer.update(text)
        self._footer.display = bool(text.plain)

    @property
    def has_thinking(self) -> bool:
        """Whether the reply shows a thinking block."""
        return self._thinking_box is not None

    @property
    def thinking_shown(self) -> bool:
        """Whether the reply's thinking block is open."""
        return self._thinking_box is not None and not self._thinking_box.collapsed

    def show_thinking(self, shown: bool = True) -> None:
        """Open (or, with ``shown`` false, fold) the reply's thinking block, if it has one."""
        if self._thinking_box is not None:
            self._thinking_box.collapsed = not shown

    def highlight(self, on: bool = True) -> None:
        """Mark the message as the one a search led to."""
        self.set_class(on, "-found")

    # -- streaming ---------------------------------------------------------------------------

    def begin_streaming(self) -> None:
        """Start drawing a reply as it arrives."""
        if self._markdown is None or self._streaming:
            return
        self.status = "streaming"
        self._markdown.display = True
        self._markdown.growing = True
        if self._thinking_text is not None:
            self._thinking_text.growing = True
        self._streaming = True
        self._update_footer()

    async def feed(self, thinking: str, answer: str) -> None:
        """Add reply text: the first piece is drawn at once, later ones in batches."""
        if thinking:
            self._pending_thinking.append(thinking)
        if answer:
            self._pending_answer.append(answer)
        if not (thinking or answer):
            return
        if self._drawn_chars < self.EAGER_CHARS:
            # The first words are drawn as they come: the first token may be only "##".
            self._cancel_flush()
            await self._flush()
            return
        if self._flush_scheduled:
            return
        self._flush_scheduled = True
        interval = max(self.FLUSH_INTERVAL, self._draw_cost / self.DRAW_SHARE)
        delay = max(self._last_flush + interval, self._hold_until) - time.monotonic()
        if delay > 0:
            self._flush_timer = self.set_timer(delay, self._flush, name="message-flush")
        else:
            self.call_later(self._flush)

    def hold_drawing(self) -> None:
        """The user is typing: put off the next redraw for :attr:`TYPING_PAUSE`."""
        self._hold_until = time.monotonic() + self.TYPING_PAUSE

    async def _flush(self) -> None:
        now = time.monotonic()
        if now < self._hold_until:
            self._flush_scheduled = True
            self._flush_timer = self.set_timer(
                self._hold_until - now, self._flush, name="message-flush"
            )
            return
        self._flush_timer = None
        self._flush_scheduled = False
        self._last_flush = now
        await self._draw_pending()

    async def _draw_pending(self) -> None:
        """Draw the text that arrived since the last batch."""
        self._drawn_chars += sum(map(len, self._pending_thinking)) + sum(
            map(len, self._pending_answer)
        )
        if self._pending_thinking:
            added = "".join(self._pending_thinking)
            self._thinking.append(added)
            self._pending_thinking.clear()
            await self._show_thinking(added)
        if self._pending_answer:
            text = "".join(self._pending_answer)
            self._pending_answer.clear()
            starts = not self._answer
            self._answer.append(text)
            if starts and self._thinking_box is not None:
                self._thinking_box.collapsed = True  # the answer starts: fold the reasoning
                self._thinking_box.title = self._thinking_title()
            if self._streaming and self._markdown is not None:
                started = time.monotonic()
                self._markdown.append(sanitize(text))
                # Parsing is done now; layout and painting happen at the next refresh.
                self.call_after_refresh(self._note_draw_cost, started)

    def _note_draw_cost(self, started: float) -> None:
        self._draw_cost = time.monotonic() - started

    async def _show_thinking(self, added: str | None = None) -> None:
        """Show the reasoning: ``added`` is what arrived since it was last drawn, None
        means draw all of it again."""
        if self._thinking_box is None:
            if self._markdown is None:
                return
            await self.mount(self._make_thinking_box(collapsed=False), before=self._markdown)
            return
        if self._thinking_text is not None:
            if added is None:
                self._thinking_text.update(sanitize(self.thinking))
            else:
                # Only the last lines change: the rest keeps its wrapping and drawing.
                self._thinking_text.append(sanitize(added))

    async def finish(
        self,
        *,
        status: str,
        stats: dict[str, object] | None = None,
        error: str | None = None,
    ) -> None:
        """The reply ended: parse all of it once more, then say how it ended."""
        self._cancel_flush()
        await self._draw_pending()
        self._streaming = False
        self._stop_growing()
        self.status = status
        self.error = error
        self.stats = dict(stats or {})
        self.set_class(status == "stopped", "-stopped")
        self.set_class(status == "failed", "-failed")
        if self.thinking:
            if self._thinking_box is None and self._markdown is not None:
                await self.mount(self._make_thinking_box(collapsed=True), before=self._markdown)
            elif self._thinking_text is not None and self._thinking_box is not None:
                whole = sanitize(self.thinking)
                if self._thinking_text.text != whole:
                    # Pieces sanitised apart can differ from the whole (a sequence split
                    # between two batches).
                    self._thinking_text.update(whole)
                if self.content or self.tool_calls:
                    self._thinking_box.collapsed = True
                self._thinking_box.title = self._thinking_title()
        if self._markdown is not None:
            self._markdown.display = bool(self.content)
            text = self._display_answer()
            # Parsed off the event loop (a long reply takes a while), so the last batch
            # is on screen meanwhile; blocks the parse finds unchanged keep their drawing.
            self._markdown.update(text, await asyncio.to_thread(split_blocks, text))
        self._update_footer()

    def _cancel_flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        self._flush_scheduled = False

    async def stop_streaming(self) -> None:
        """Stop drawing arriving text (the view is about to leave the screen)."""
        self._cancel_flush()
        self._pending_answer.clear()
        self._pending_thinking.clear()
        self._streaming = False
        self._stop_growing()

    def _stop_growing(self) -> None:
        if self._markdown is not None:
            self._markdown.growing = False
        if self._thinking_text is not None:
            self._thinking_text.growing = False

    async def resume(self, thinking: str, answer: str) -> None:
        """Show a reply that is still arriving (its chat was opened again mid-stream)."""
        self._thinking = [thinking] if thinking else []
        self._answer = [answer] if answer else []
        if self._markdown is not None:
            self._markdown.update(sanitize(answer))
        if thinking:
            if self._thinking_box is None and self._markdown is not None:
                await self.mount(
                    self._make_thinking_box(collapsed=bool(answer)), before=self._markdown
                )
            else:
                await self._show_thinking()
        self.begin_streaming()
