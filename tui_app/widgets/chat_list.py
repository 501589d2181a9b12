"""The list of saved chats beside the conversation, and what can be done to them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_app.core.export import chat_to_markdown, export_file_name
from tui_app.core.formatting import compact_relative_time, one_line
from tui_app.screens.dialogs import (
    ConfirmDialog,
    ExportChatDialog,
    NameDialog,
    SearchChatsDialog,
)
from tui_app.store import ChatRecord, NotFoundError, Store, StoreError

__all__ = ["ChatList"]

_NEW_CHAT_ID = "new-chat"
_CHAT_PREFIX = "chat-"
_GONE = "That chat no longer exists; it may have been deleted in another window."


def _title_problem(title: str) -> str | None:
    """Why ``title`` cannot be a chat's title, or None."""
    return None if title.strip() else "A title cannot be blank."


def _now() -> float:
    """Current time in unix seconds; one seam so tests can fix the relative times."""
    return time.time()


@dataclass(frozen=True, slots=True)
class _Row:
    """What one chat's row shows."""

    prompt: Content
    """The title, then the model and how long ago the chat changed."""
    when: str
    """The "how long ago" part, to tell when the row needs redrawing."""

    @classmethod
    def of(cls, chat: ChatRecord, now: float) -> _Row:
        """The row of ``chat`` at time ``now``."""
        when = compact_relative_time(chat.updated_at, now)
        title = Content(one_line(chat.title) or "Untitled")
        model = one_line(chat.model) if chat.model else "no model"
        # "dim" rather than $text-muted: an option list resolves that to plain white.
        details = Content.styled(f"{model} · {when}", "dim")
        return cls(Content("\n").join([title, details]), when)


class ChatList(Widget):
    """The saved chats, newest first, with rename, delete, export and search.

    Each row shows a chat's title, model and when it last changed. The widget reads and
    writes the store off the UI thread and tells its screen what happened through its
    messages; opening chats and starting new ones is the screen's job.
    """

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

    @dataclass
    class ChatSelected(Message):
        """The user picked a chat to open."""

        chat_id: int

    @dataclass
    class NewChatRequested(Message):
        """The user asked for a new chat from the list."""

    @dataclass
    class ChatDeleted(Message):
        """The user confirmed deleting a chat; its row is already gone from the store."""

        chat_id: int

    @dataclass
    class ChatRenamed(Message):
        """The user renamed a chat; the store already has the new title."""

        chat_id: int
        title: str

    @dataclass
    class MessageFound(Message):
        """The user chose a full-text search hit: open ``chat_id`` at ``message_id``."""

        chat_id: int
        message_id: int

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        """Where the chats are kept."""
        self.chats: list[ChatRecord] = []
        """The chats on show, newest first."""
        self._rows: list[_Row] = []
        self._reload_lock = asyncio.Lock()
        self._pending_select: int | None = None
        self._follows_app = False

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
        # In the app the highlight follows the open chat; "+ New chat" while none is open.
        self._follows_app = hasattr(self.app, "current_chat_id")
        if self._follows_app:
            self.watch(self.app, "current_chat_id", self._follow_current_chat, init=False)
        await self.reload(select=getattr(self.app, "current_chat_id", None))

    def on_descendant_focus(self) -> None:
        # Another window may have added, renamed or deleted chats since the last read.
        self._reload_in_background()

    def focus(self, scroll_visible: bool = True) -> ChatList:
        """Focus the rows (the widget itself takes no keys)."""
        self.options.focus(scroll_visible)
        return self

    # -- reading ------------------------------------------------------------------------------

    async def reload(self, select: int | None = None) -> None:
        """Read the chats again from the store and highlight ``select`` if given.

        Without ``select`` the highlighted chat stays highlighted, or, if it is gone, the row
        that took its place. The store is read off the UI thread. Overlapping reloads run one
        after another, so an older read can never replace a newer one, and when the call
        returns the list shows the store as it was when it was called, or later.
        """
        if select is not None:
            self._pending_select = select
        async with self._reload_lock:
            try:
                # Rows are built in the thread too: with thousands of chats it adds up.
                chats, rows = await asyncio.to_thread(self._read_rows)
            except StoreError as error:
                self.notify(
                    str(error), title="Could not read chats", severity="error", markup=False
                )
                return
            if not self.is_attached:
                return
            wanted = self._pending_select
            self._pending_select = None
            self._show(chats, rows, wanted)

    def _read_rows(self) -> tuple[list[ChatRecord], list[_Row]]:
        """The chats, newest first, and their rows as of now (runs in a worker thread)."""
        chats = self.store.list_chats()
        now = _now()
        return chats, [_Row.of(chat, now) for chat in chats]

    def _show(self, chats: list[ChatRecord], rows: list[_Row], wanted: int | None) -> None:
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
            index = 1 if chats and not self._follows_app else 0
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
        """Redraw the relative times ("3 min ago") that changed, without reading the store."""
        now = _now()
        self._redraw_times([_Row.of(chat, now) for chat in self.chats])

    def _redraw_times(self, rows: list[_Row]) -> None:
        """Replace the rows (of the same chats) whose time reads differently now."""
        options = self.options
        for index, (chat, old, new) in enumerate(zip(self.chats, self._rows, rows, strict=True)):
            if new.when != old.when:
                self._rows[index] = new
                options.replace_option_prompt(f"{_CHAT_PREFIX}{chat.id}", new.prompt)

    @property
    def highlighted_chat(self) -> ChatRecord | None:
        """The chat under the cursor, or ``None`` (no chats, or "New chat" highlighted)."""
        index = self.options.highlighted
        if index is None or not 1 <= index <= len(self.chats):
            return None
        return self.chats[index - 1]

    def _follow_current_chat(self, chat_id: int | None) -> None:
        """Keep the open chat highlighted; a chat not listed yet is new, so read again."""
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

    def _chat_to_act_on(self, verb: str) -> ChatRecord | None:
        """The highlighted chat, or ``None`` after telling the user there is none."""
        chat = self.highlighted_chat
        if chat is None:
            self.notify(f"Highlight a chat in the list to {verb} it.", severity="warning")
        return chat

    # -- rename -------------------------------------------------------------------------------

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def action_rename(self) -> None:
        """Rename the highlighted chat through a dialog prefilled with its title."""
        chat = self._chat_to_act_on("rename")
        if chat is None:
            return
        typed = await self.app.push_screen_wait(
            NameDialog(
                "Rename chat", one_line(chat.title), check=_title_problem, placeholder="Chat title"
            )
        )
        if typed is None:
            return
        title = " ".join(typed.split())
        if title == one_line(chat.title):
            return
        try:
            renamed = await asyncio.to_thread(self.store.rename_chat, chat.id, title)
        except NotFoundError:
            self.notify(_GONE, severity="warning")
            await self.reload()
            return
        except (StoreError, ValueError) as error:
            self.notify(str(error), title="Could not rename", severity="error", markup=False)
            return
        await self.reload(select=chat.id)
        self.post_message(self.ChatRenamed(chat.id, renamed.title))

    # -- delete -------------------------------------------------------------------------------

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def action_delete(self) -> None:
        """Delete the highlighted chat after a confirmation naming it and its message count."""
        chat = self._chat_to_act_on("delete")
        if chat is None:
            return
        try:
            count = await asyncio.to_thread(self.store.count_messages, chat.id)
        except StoreError as error:
            self.notify(str(error), title="Could not delete", severity="error", markup=False)
            return
        messages = f"{count} message{'s' if count != 1 else ''}"
        confirmed = await self.app.push_screen_wait(
            ConfirmDialog(
                f"Delete “{one_line(chat.title)}”?",
                f"The chat and its {messages} will be deleted. This cannot be undone.",
                heading="Delete chat",
            )
        )
        if not confirmed:
            return
        try:
            # False means another window deleted it first: gone either way.
            await asyncio.to_thread(self.store.delete_chat, chat.id)
        except StoreError as error:
            self.notify(str(error), title="Could not delete", severity="error", markup=False)
            return
        await self.reload()
        self.post_message(self.ChatDeleted(chat.id))
        self.notify(f"Deleted “{one_line(chat.title)}”.", title="Chat deleted", markup=False)

    # -- export -------------------------------------------------------------------------------

    def _export_text(self, chat_id: int) -> tuple[ChatRecord, str] | None:
        """The chat and its Markdown, read in one go (runs in a worker thread)."""
        chat = self.store.get_chat(chat_id)
        if chat is None:
            return None
        return chat, chat_to_markdown(chat, self.store.messages(chat_id))

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def action_export(self) -> None:
        """Export the highlighted chat to a Markdown file whose path the user can edit."""
        highlighted = self._chat_to_act_on("export")
        if highlighted is None:
            return
        try:
            exported = await asyncio.to_thread(self._export_text, highlighted.id)
        except StoreError as error:
            self.notify(str(error), title="Could not export", severity="error", markup=False)
            return
        if exported is None:
            self.notify(_GONE, severity="warning")
            await self.reload()
            return
        chat, text = exported
        path = await self.app.push_screen_wait(
            ExportChatDialog(chat.title, f"~/{export_file_name(chat.title)}", text)
        )
        if path is not None:
            self.notify(
                f"Wrote “{one_line(chat.title)}” to {one_line(str(path))}",
                title="Chat exported",
                markup=False,
            )

    # -- search -------------------------------------------------------------------------------

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def action_search(self) -> None:
        """Search every chat's messages; choosing a hit posts :class:`MessageFound`."""
        hit = await self.app.push_screen_wait(SearchChatsDialog(self.store))
        if hit is not None:
            self.post_message(self.MessageFound(hit.chat_id, hit.message_id))

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
