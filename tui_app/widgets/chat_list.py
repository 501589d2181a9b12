"""The list of saved chats beside the conversation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_app.core.clock import Clock
from tui_app.core.formatting import compact_relative_time, one_line

__all__ = ["ChatList", "ChatSource", "ListedChat"]

_NEW_CHAT_ID = "new-chat"
_CHAT_PREFIX = "chat-"


class ListedChat(Protocol):
    """What the list shows of a chat (a store's chat record has all of it)."""

    @property
    def id(self) -> int:
        """The chat's id, carried by the list's messages."""

    @property
    def title(self) -> str:
        """The title, as the user or the first prompt gave it."""

    @property
    def model(self) -> str | None:
        """The chat's model, or ``None`` before one is chosen."""

    @property
    def updated_at(self) -> float:
        """Unix seconds of the last change."""


ChatSource = Callable[[], Awaitable[Sequence[ListedChat] | None]]
"""Reads the chats, newest first, off the UI thread; ``None`` when they could not be read
(the source has said why)."""


@dataclass(frozen=True, slots=True)
class _Row:
    """What one chat's row shows."""

    prompt: Content
    """The title, then the model and how long ago the chat changed."""
    when: str
    """The "how long ago" part, to tell when the row needs redrawing."""

    @classmethod
    def of(cls, chat: ListedChat, now: float) -> _Row:
        """The row of ``chat`` at time ``now``."""
        when = compact_relative_time(chat.updated_at, now)
        title = Content(one_line(chat.title) or "Untitled")
        model = one_line(chat.model) if chat.model else "no model"
        # "dim" rather than $text-muted: an option list resolves that to plain white.
        details = Content.styled(f"{model} · {when}", "dim")
        return cls(Content("\n").join([title, details]), when)


class ChatList(Widget):
    """The saved chats, newest first, and the keys to act on one.

    Each row shows a chat's title, model and when it last changed. The list shows what its
    :data:`ChatSource` reads, again whenever it gets focus (another window may have changed
    the chats); choosing a row or pressing a key posts a message, and the screen does the rest:
    opening, renaming, deleting, exporting, searching.
    """

    HELP_TITLE: ClassVar[str] = "Chat: the list of chats"
    """The heading of this class's keys in help (f1)."""

    DEFAULT_CSS = """
    ChatList {
        width: 34;
        height: 1fr;
    }
    ChatList > OptionList {
        height: 1fr;
        max-height: 100%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_chat", "New", id="history.new", tooltip="Start a new chat"),
        Binding("r", "rename", "Rename", id="history.rename", tooltip="Rename this chat"),
        Binding("d,delete", "delete", "Delete", id="history.delete", tooltip="Delete this chat"),
        Binding("e", "export", "Export", id="history.export", tooltip="Export to Markdown"),
        Binding(
            "ctrl+f,slash",
            "search",
            "Search",
            id="history.search",
            tooltip="Search the messages of every chat",
        ),
    ]

    REFRESH_TIMES_SECONDS: ClassVar[float] = 30.0
    """How often the "3 min ago" times are redrawn."""

    open_chat_id: reactive[int | None] = reactive(None, init=False)
    """The chat open beside the list (``None``: a new chat); with ``follow_open_chat`` the
    highlight follows it."""

    @dataclass
    class ChatSelected(Message):
        """The user picked a chat to open."""

        chat_id: int

    @dataclass
    class NewChatRequested(Message):
        """The user asked for a new chat from the list."""

    @dataclass
    class RenameRequested(Message):
        """The user asked to rename the chat ``chat_id``, now titled ``title``."""

        chat_id: int
        title: str

    @dataclass
    class DeleteRequested(Message):
        """The user asked to delete the chat ``chat_id`` (titled ``title``); not yet confirmed."""

        chat_id: int
        title: str

    @dataclass
    class ExportRequested(Message):
        """The user asked to export the chat ``chat_id`` (titled ``title``) to a file."""

        chat_id: int
        title: str

    @dataclass
    class SearchRequested(Message):
        """The user asked to search the messages of every chat."""

    def __init__(
        self,
        source: ChatSource,
        *,
        follow_open_chat: bool = False,
        clock: Clock | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.source = source
        """Reads the chats to show."""
        self.clock = clock or Clock()
        """Where "3 min ago" is measured from."""
        self.follow_open_chat = follow_open_chat
        """Whether the highlight follows :attr:`open_chat_id` ("+ New chat" while it is
        ``None``); otherwise the newest chat is highlighted at first."""
        self.chats: list[ListedChat] = []
        """The chats on show, newest first."""
        self._rows: list[_Row] = []
        self._reload_lock = asyncio.Lock()
        self._pending_select: int | None = None

    def compose(self) -> ComposeResult:
        options = OptionList(id="chat-list-options")
        options.border_title = "Chats"
        yield options

    @property
    def options(self) -> OptionList:
        """The list of rows."""
        return self.query_one("#chat-list-options", OptionList)

    async def on_mount(self) -> None:
        self.set_interval(self.REFRESH_TIMES_SECONDS, self.refresh_times)
        await self.reload(select=self.open_chat_id)

    def on_descendant_focus(self) -> None:
        # Another window may have added, renamed or deleted chats since the last read.
        self._reload_in_background()

    def focus(self, scroll_visible: bool = True) -> ChatList:
        """Focus the rows (the widget itself takes no keys)."""
        self.options.focus(scroll_visible)
        return self

    # -- reading ------------------------------------------------------------------------------

    async def reload(self, select: int | None = None) -> None:
        """Read the chats again from the source and highlight ``select`` if given.

        Without ``select`` the highlighted chat stays highlighted, or, if it is gone, the row
        that took its place. Overlapping reloads run one after another, so an older read can
        never replace a newer one, and when the call returns the list shows the chats as they
        were when it was called, or later.
        """
        if select is not None:
            self._pending_select = select
        async with self._reload_lock:
            chats = await self.source()
            if chats is None:
                return
            # Rows are built off the UI thread: with thousands of chats it adds up.
            rows = await asyncio.to_thread(self._rows_of, chats, self.clock.time())
            if not self.is_attached:
                return
            wanted = self._pending_select
            self._pending_select = None
            self._show(list(chats), rows, wanted)

    @staticmethod
    def _rows_of(chats: Sequence[ListedChat], now: float) -> list[_Row]:
        return [_Row.of(chat, now) for chat in chats]

    def _show(self, chats: list[ListedChat], rows: list[_Row], wanted: int | None) -> None:
        options = self.options
        previous = self.highlighted_chat
        old_index = options.highlighted
        if wanted is None and previous is not None:
            wanted = previous.id
        if chats != self.chats or options.option_count != len(chats) + 1:
            self.chats = chats
            self._rows = rows
            options.clear_options()
            options.add_option(
                Option(Content.styled("+ New chat", "$text-accent"), id=_NEW_CHAT_ID)
            )
            options.add_options(
                Option(row.prompt, id=f"{_CHAT_PREFIX}{chat.id}")
                for chat, row in zip(chats, rows, strict=True)
            )
            options.border_title = f"Chats ({len(chats)})" if chats else "Chats"
        else:
            self._redraw_times(rows)
        index = self._index_of(wanted)
        if index is None and old_index is not None:
            index = min(old_index, options.option_count - 1)
        if index is None:
            index = 1 if chats and not self.follow_open_chat else 0
        options.highlighted = index

    def _index_of(self, chat_id: int | None) -> int | None:
        """Row index of ``chat_id``, or ``None`` if it is not listed."""
        if chat_id is None:
            return None
        for index, chat in enumerate(self.chats, start=1):
            if chat.id == chat_id:
                return index
        return None

    def refresh_times(self) -> None:
        """Redraw the relative times ("3 min ago") that changed, without reading the chats."""
        self._redraw_times(self._rows_of(self.chats, self.clock.time()))

    def _redraw_times(self, rows: list[_Row]) -> None:
        """Replace the rows (of the same chats) whose time reads differently now."""
        options = self.options
        for index, (chat, old, new) in enumerate(zip(self.chats, self._rows, rows, strict=True)):
            if new.when != old.when:
                self._rows[index] = new
                options.replace_option_prompt(f"{_CHAT_PREFIX}{chat.id}", new.prompt)

    @property
    def highlighted_chat(self) -> ListedChat | None:
        """The chat under the cursor, or ``None`` (no chats, or "New chat" highlighted)."""
        index = self.options.highlighted
        if index is None or not 1 <= index <= len(self.chats):
            return None
        return self.chats[index - 1]

    def watch_open_chat_id(self, chat_id: int | None) -> None:
        """Keep the open chat highlighted; a chat not listed yet is new, so read again."""
        if not self.follow_open_chat:
            return
        if chat_id is None:
            self.options.highlighted = 0
            return
        index = self._index_of(chat_id)
        if index is None:
            self._reload_in_background(chat_id)
        else:
            self.options.highlighted = index

    @work(group="chat-list-reload", exit_on_error=False)
    async def _reload_in_background(self, select: int | None = None) -> None:
        await self.reload(select=select)

    # -- choosing -----------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#chat-list-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        # The list's own messages stay inside; the screen hears ours.
        event.stop()
        option_id = event.option.id or ""
        if option_id == _NEW_CHAT_ID:
            self.post_message(self.NewChatRequested())
        elif option_id.startswith(_CHAT_PREFIX):
            self.post_message(self.ChatSelected(int(option_id.removeprefix(_CHAT_PREFIX))))

    @on(OptionList.OptionHighlighted, "#chat-list-options")
    def _option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def action_new_chat(self) -> None:
        """Ask the screen for a new chat."""
        self.post_message(self.NewChatRequested())

    def _chat_to_act_on(self, verb: str) -> ListedChat | None:
        """The highlighted chat, or ``None`` after telling the user there is none."""
        chat = self.highlighted_chat
        if chat is None:
            self.notify(f"Highlight a chat in the list to {verb} it.", severity="warning")
        return chat

    def action_rename(self) -> None:
        """Ask the screen to rename the highlighted chat."""
        chat = self._chat_to_act_on("rename")
        if chat is not None:
            self.post_message(self.RenameRequested(chat.id, chat.title))

    def action_delete(self) -> None:
        """Ask the screen to delete the highlighted chat (it asks the user first)."""
        chat = self._chat_to_act_on("delete")
        if chat is not None:
            self.post_message(self.DeleteRequested(chat.id, chat.title))

    def action_export(self) -> None:
        """Ask the screen to export the highlighted chat to a Markdown file."""
        chat = self._chat_to_act_on("export")
        if chat is not None:
            self.post_message(self.ExportRequested(chat.id, chat.title))

    def action_search(self) -> None:
        """Ask the screen to search every chat's messages."""
        self.post_message(self.SearchRequested())

    # -- command palette ----------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Command-palette entries for the list; the screen yields them from its own.

        Rename, delete and export act on the chat highlighted in the list, which follows the
        chat that is open.
        """
        yield SystemCommand(
            "Search all chats", "Find a message in any saved chat", self.action_search
        )
        if self.highlighted_chat is not None:
            yield SystemCommand(
                "Rename chat", "Give the highlighted chat a new title", self.action_rename
            )
            yield SystemCommand(
                "Delete chat", "Delete the highlighted chat (asks first)", self.action_delete
            )
            yield SystemCommand(
                "Export chat to Markdown",
                "Write the highlighted chat to a .md file",
                self.action_export,
            )
