"""The conversation view: a window of a chat's messages that pages in older ones on demand."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from tui_app.records import MessageRecord
from tui_app.widgets.markdown_render import plain_lines
from tui_app.widgets.message_view import MessageView

_EVERY_BLOCK = """# h1

## h2

### h3

#### h4

##### h5

###### h6

Text with *emphasis*, **strong**, ~~strike~~, `code` and a [link](https://example.com).

- item
  - nested item

1. first
2. second

> quote

```python
print("fenced")
```

    indented code

| a | b |
|---|---|
| 1 | 2 |

---
"""
"""Markdown with one of each block, for :meth:`Transcript.warm_up`."""


class Transcript(VerticalScroll):
    """The messages of the open chat, newest at the bottom.

    Only a window of a long chat is mounted: the newest page when it opens (or the page
    around a search hit), older pages when the user scrolls to the top (:class:`OlderWanted`),
    newer ones when the window stops short of the newest message and the user scrolls to its
    bottom (:class:`NewerWanted`), and never more than :attr:`MAX_VIEWS` messages: paging
    one way lets go of messages at the other end. The view follows a streaming reply while
    it is scrolled to the bottom.
    """

    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        padding: 0 1;
        scrollbar-gutter: stable;
    }
    Transcript > .transcript-note {
        color: $text-muted;
        text-align: center;
        width: 1fr;
        margin-bottom: 1;
    }
    Transcript > #transcript-empty {
        color: $text-muted;
        margin: 1 2;
    }
    """

    PAGE_SIZE: ClassVar[int] = 50
    """Messages loaded at a time."""
    MAX_VIEWS: ClassVar[int] = 250
    """Most messages mounted at once."""

    @dataclass
    class OlderWanted(Message):
        """The user scrolled to the top and older messages exist."""

        transcript: Transcript
        before_id: int
        """Load messages older than this id."""

    @dataclass
    class NewerWanted(Message):
        """The user scrolled to the bottom of a window that stops short of the newest message."""

        transcript: Transcript
        after_id: int
        """Load messages newer than this id."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.has_older = False
        """Older messages exist in the store than the first one mounted."""
        self.has_newer = False
        """Newer messages exist in the store than the last one mounted."""
        self._paging = False
        self._empty_hint = Content("")
        self._older_note = Static(
            "↑ scroll up for older messages", classes="transcript-note", id="older-note"
        )
        self._newer_note = Static(
            "↓ newer messages: scroll down to load them",
            classes="transcript-note",
            id="newer-note",
        )

    def compose(self) -> ComposeResult:
        self._older_note.display = False
        self._newer_note.display = False
        yield self._older_note
        yield Static(self._empty_hint, id="transcript-empty")
        yield self._newer_note

    def on_mount(self) -> None:
        self.anchor()

    # -- what is mounted -----------------------------------------------------------------------

    @property
    def views(self) -> list[MessageView]:
        """The mounted messages, oldest first."""
        return list(self.query_children(MessageView))

    def view_for(self, message_id: int) -> MessageView | None:
        """The view of a message, if it is mounted."""
        for view in self.query_children(MessageView):
            if view.message_id == message_id:
                return view
        return None

    def last_view(self, role: str | None = None) -> MessageView | None:
        """The newest mounted message (of ``role``, if given)."""
        for view in reversed(self.views):
            if role is None or view.role == role:
                return view
        return None

    def set_empty_hint(self, hint: Content) -> None:
        """What an empty chat shows instead of messages."""
        self._empty_hint = hint
        if self.is_mounted:
            self.query_one("#transcript-empty", Static).update(hint)

    def _refresh_notes(self) -> None:
        empty = not self.views
        self.query_one("#transcript-empty", Static).display = empty
        self._older_note.display = self.has_older and not empty
        self._newer_note.display = self.has_newer and not empty

    # -- loading -------------------------------------------------------------------------------

    async def show(
        self,
        records: Sequence[MessageRecord],
        *,
        has_older: bool,
        has_newer: bool = False,
        json_mode: bool = False,
        focus_id: int | None = None,
        reveal_thinking: bool = False,
    ) -> None:
        """Replace everything with ``records`` and scroll to the end, or to ``focus_id``
        (highlighted, its thinking open with ``reveal_thinking``)."""
        self._paging = True
        target: MessageView | None = None
        try:
            if focus_id is not None:
                # Not pulled to the bottom while the messages arrive: the hit is the place.
                self.release_anchor()
            with self.app.batch_update():
                await self.remove_children(MessageView)
                self.has_older = has_older
                self.has_newer = has_newer
                await self.mount_all(self._views(records, json_mode), before=self._newer_note)
                self._refresh_notes()
            target = self.view_for(focus_id) if focus_id is not None else None
        finally:
            if target is None:
                self._paging = False
        if target is not None:
            target.highlight()
            if reveal_thinking:
                target.show_thinking()
            # Paging waits until the hit is in place, or the way there would ask for pages.
            self.call_after_refresh(self._scroll_near_top, target, 20)
        else:
            self.anchor()

    def _scroll_near_top(self, target: MessageView, tries: int) -> None:
        """Put ``target`` near the top of the view, with what led to it just above."""
        if target.is_attached and not target.virtual_region.height and tries > 0:
            self.call_after_refresh(self._scroll_near_top, target, tries - 1)  # not laid out
            return
        self.scroll_to(y=max(0, target.virtual_region.y - 2), animate=False, immediate=True)
        self._paging_settled()

    async def prepend(
        self, records: Sequence[MessageRecord], *, has_older: bool, json_mode: bool = False
    ) -> None:
        """Mount older messages above the current ones, keeping what is on screen in place."""
        self.has_older = has_older
        if not records:
            self._refresh_notes()
            self._paging = False
            return
        self._paging = True
        first = self.views[0] if self.views else None
        try:
            with self.app.batch_update():
                await self.mount_all(self._views(records, json_mode), after=self._older_note)
                excess = len(self.views) - self.MAX_VIEWS
                if excess > 0:
                    await self.remove_children(self.views[-excess:])
                    self.has_newer = True
                self._refresh_notes()
        finally:
            if first is None:
                self._paging = False
            else:
                # Paging stays blocked until the view is back in place, or the scroll
                # position (still at the top) would ask for the next page at once.
                self.call_after_refresh(self._keep_in_place, first)

    async def append(
        self, records: Sequence[MessageRecord], *, has_newer: bool, json_mode: bool = False
    ) -> None:
        """Mount newer messages below the current ones, keeping what is on screen in place."""
        self.has_newer = has_newer
        views = self.views
        if not records or not views:
            self._refresh_notes()
            self._paging = False
            return
        self._paging = True
        last = views[-1]
        offset = last.virtual_region.y - self.scroll_y
        try:
            with self.app.batch_update():
                await self.mount_all(self._views(records, json_mode), before=self._newer_note)
                excess = len(self.views) - self.MAX_VIEWS
                if excess > 0:
                    await self.remove_children(self.views[:excess])
                    self.has_older = True
                self._refresh_notes()
        finally:
            # As with older pages: paging waits until the view is back in place.
            self.call_after_refresh(self._keep_at, last, offset)

    def _keep_at(self, view: MessageView, offset: float) -> None:
        # Messages let go above ``view`` moved it up; put it back where it was on screen.
        self.scroll_to(y=max(0, view.virtual_region.y - offset), animate=False, immediate=True)
        self._paging_settled()

    def _keep_in_place(self, first: MessageView) -> None:
        # The old first message moved down by the height of what was added above it.
        self.scroll_to(y=max(0, first.virtual_region.y - 1), animate=False, immediate=True)
        self._paging_settled()

    async def add(self, record: MessageRecord, *, json_mode: bool = False) -> MessageView:
        """Append a new message at the bottom."""
        view = MessageView(record, json_mode=json_mode)
        await self.mount(view, before=self._newer_note)
        self._refresh_notes()
        return view

    async def remove_from(self, message_id: int) -> None:
        """Remove a message and every later one (regenerate, edit and resend)."""
        doomed = [view for view in self.views if view.message_id >= message_id]
        if doomed:
            await self.remove_children(doomed)
        self._refresh_notes()

    async def warm_up(self) -> None:
        """Mount and drop an unseen prompt and reply with every kind of Markdown block.

        Textual reads a widget class's CSS the first time one is mounted, and re-reads the
        whole stylesheet then; the first code block loads its Pygments lexer. Doing both
        here, once the screen is up, keeps that cost away from the user's first prompt.
        """
        await asyncio.to_thread(plain_lines, _EVERY_BLOCK, 80)
        samples = [
            MessageRecord(0, 0, "user", "warm up", "", [], {}, "complete", None, None, 0.0),
            MessageRecord(
                0, 0, "assistant", _EVERY_BLOCK, "thinking", [], {}, "complete", None, None, 0.0
            ),
        ]
        # In a hidden box of its own, so it is never taken for a message of the chat.
        box = Vertical(*self._views(samples, json_mode=False))
        box.display = False
        await self.mount(box)
        await box.remove()

    def follow(self) -> None:
        """Scroll to the end and keep following new text there."""
        self.anchor()

    @staticmethod
    def _views(records: Iterable[MessageRecord], json_mode: bool) -> list[MessageView]:
        return [MessageView(record, json_mode=json_mode) for record in records]

    # -- paging while scrolling ----------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._paging or not self.is_mounted:
            return
        if new_value <= 0 and self.has_older and self.max_scroll_y > 0:
            views = self.views
            if views:
                self._paging = True
                self.post_message(self.OlderWanted(self, before_id=views[0].message_id))
        elif self.has_newer and new_value >= self.max_scroll_y and new_value > old_value:
            views = self.views
            if views:
                self._paging = True
                self.post_message(self.NewerWanted(self, after_id=views[-1].message_id))

    def paging_done(self) -> None:
        """The screen answered an :class:`OlderWanted` or :class:`NewerWanted`."""
        self._paging_settled()

    def _paging_settled(self) -> None:
        self._paging = False
        # A key that reached an edge while a page was loading asked for nothing then.
        self.call_after_refresh(self._check_edges)

    def _check_edges(self) -> None:
        """Ask for the next page if the view already sits at an edge with more beyond it
        (scrolling cannot ask then: the position no longer changes)."""
        if self._paging or not self.is_mounted or self.max_scroll_y <= 0:
            return
        views = self.views
        if not views:
            return
        if self.has_newer and self.scroll_y >= self.max_scroll_y:
            self._paging = True
            self.post_message(self.NewerWanted(self, after_id=views[-1].message_id))
        elif self.has_older and self.scroll_y <= 0:
            self._paging = True
            self.post_message(self.OlderWanted(self, before_id=views[0].message_id))

    # The scrolling keys: pressed at an edge, they move nothing, so they ask for a page here.

    def action_scroll_end(self) -> None:
        super().action_scroll_end()
        self.call_after_refresh(self._check_edges)

    def action_scroll_home(self) -> None:
        super().action_scroll_home()
        self.call_after_refresh(self._check_edges)

    def action_page_down(self) -> None:
        super().action_page_down()
        self.call_after_refresh(self._check_edges)

    def action_page_up(self) -> None:
        super().action_page_up()
        self.call_after_refresh(self._check_edges)

    def action_scroll_down(self) -> None:
        super().action_scroll_down()
        self.call_after_refresh(self._check_edges)

    def action_scroll_up(self) -> None:
        super().action_scroll_up()
        self.call_after_refresh(self._check_edges)
