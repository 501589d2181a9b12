"""Dialogs of the chat list: rename, confirm, export to a file, and search every chat.

Chat titles, file paths and search snippets are user or model data: every one of them is shown
as plain text (``Content`` or ``markup=False``), with control characters made visible.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui_app.core.export import describe_write_error, write_export
from tui_app.core.formatting import sanitize
from tui_app.store import SearchHit, Store, StoreError

__all__ = [
    "ConfirmDialog",
    "ExportChatDialog",
    "RenameChatDialog",
    "SearchChatsDialog",
    "TextFieldDialog",
    "compact_relative_time",
    "one_line",
]

ResultT = TypeVar("ResultT")


def _now() -> float:
    """Current time in unix seconds; one seam so tests can fix the result times."""
    return time.time()


def one_line(text: str) -> str:
    """``text`` as a single display line.

    Runs of whitespace (newlines included) become one space, and control characters (such as
    the ESC that starts a terminal escape sequence) become visible symbols, so a title or
    snippet can neither break a row's layout nor drive the terminal.
    """
    return sanitize(" ".join(text.split()))


def compact_relative_time(then: float, now: float) -> str:
    """How long ago ``then`` was, in few words for a narrow column: ``just now``,
    ``3 min ago``, ``5 h ago``, ``yesterday``, ``4 days ago``, then the date."""
    seconds = now - then
    if seconds < 45:
        return "just now"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} h ago"
    days = round(seconds / 86400)
    if days <= 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    date = dt.datetime.fromtimestamp(then)
    if date.year == dt.datetime.fromtimestamp(now).year:
        return f"{date.day} {date:%b}"
    return f"{date.day} {date:%b %Y}"


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question before something that cannot be undone; ``True`` means go ahead.

    Focus starts on the safe choice, so a stray ``enter`` never destroys anything.
    """

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > #confirm-body {
        width: 64;
        max-width: 90%;
        height: auto;
        border: thick $error 60%;
        background: $surface;
        padding: 1 2;
    }
    ConfirmDialog #confirm-question {
        text-style: bold;
        width: 100%;
    }
    ConfirmDialog #confirm-detail {
        margin-top: 1;
        color: $text-muted;
    }
    ConfirmDialog #confirm-buttons {
        margin-top: 1;
        height: auto;
        align-horizontal: right;
    }
    ConfirmDialog Button {
        margin-left: 2;
    }
    ConfirmDialog #confirm-hint {
        color: $text-muted;
        text-align: right;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "Cancel", id="dialog.cancel"),
        Binding("y", "answer(True)", "Yes", id="dialog.confirm"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, question: str, detail: str, *, confirm_label: str = "Delete") -> None:
        super().__init__()
        self.question = question
        """The question, as plain text."""
        self.detail = detail
        """What will happen, as plain text."""
        self.confirm_label = confirm_label
        """Label of the button that goes ahead."""

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body"):
            yield Label(Content(self.question), id="confirm-question")
            yield Static(Content(self.detail), id="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.confirm_label, variant="error", id="confirm")
                yield Button("Cancel", variant="primary", id="cancel")
            yield Static(
                Content(f"y {self.confirm_label.lower()} · n or escape cancel"), id="confirm-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, answer: bool) -> None:
        """Close the dialog with ``answer``."""
        self.dismiss(answer)


class TextFieldDialog(ModalScreen[ResultT]):
    """Common look of the one-field dialogs: a title, an input, an error line and a hint."""

    DEFAULT_CSS = """
    TextFieldDialog {
        align: center middle;
    }
    TextFieldDialog > #input-dialog-body {
        width: 72;
        max-width: 95%;
        height: auto;
        border: thick $primary 60%;
        background: $surface;
        padding: 0 1;
    }
    TextFieldDialog .dialog-title {
        text-style: bold;
        width: 100%;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TextFieldDialog .dialog-error {
        color: $text-error;
        padding: 0 1;
        display: none;
    }
    TextFieldDialog .dialog-error.-shown {
        display: block;
    }
    TextFieldDialog .dialog-hint {
        color: $text-muted;
        padding: 0 1;
    }
    """

    def show_error(self, message: str | None) -> None:
        """Show ``message`` (plain text) under the input, or hide the error line."""
        error = self.query_one(".dialog-error", Static)
        error.update(Content(message or ""))
        error.set_class(bool(message), "-shown")


class RenameChatDialog(TextFieldDialog[str | None]):
    """Ask for a new chat title, prefilled with the current one; returns it or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.current_title = one_line(title)
        """The title being replaced, as shown."""

    def compose(self) -> ComposeResult:
        with Vertical(id="input-dialog-body"):
            yield Label("Rename chat", classes="dialog-title")
            yield Input(value=self.current_title, placeholder="Chat title", id="rename-title")
            yield Static(classes="dialog-error")
            yield Static("enter saves · escape cancels", classes="dialog-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        title = " ".join(event.value.split())
        if not title:
            self.show_error("A title cannot be blank.")
            return
        self.dismiss(title)


class ExportChatDialog(TextFieldDialog[Path | None]):
    """Ask where to export a chat as Markdown, then write it there.

    The file is written off the UI thread; an error (missing folder, permission denied...)
    is shown in the dialog so the path can be fixed, and an existing file is only replaced
    after the user says so. Dismisses with the written path, or ``None`` when cancelled.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, chat_title: str, default_path: str, text: str) -> None:
        super().__init__()
        self.chat_title = one_line(chat_title)
        """The chat being exported, as shown."""
        self.default_path = default_path
        """The path the input starts with."""
        self.text = text
        """The Markdown to write."""

    def compose(self) -> ComposeResult:
        with Vertical(id="input-dialog-body"):
            yield Label(Content(f"Export “{self.chat_title}” to Markdown"), classes="dialog-title")
            yield Input(
                value=self.default_path,
                placeholder="File path",
                select_on_focus=False,
                id="export-path",
            )
            yield Static(classes="dialog-error")
            yield Static("enter writes the file · escape cancels", classes="dialog-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.export(event.value)

    @work(exclusive=True, group="export-write", exit_on_error=False)
    async def export(self, typed: str) -> None:
        """Write the chat to the path ``typed`` (``~`` expanded), asking before replacing."""
        if not typed.strip():
            self.show_error("Give a file path.")
            return
        path = Path(typed.strip()).expanduser().absolute()
        self.show_error(None)
        try:
            await asyncio.to_thread(write_export, path, self.text)
        except FileExistsError:
            replace = await self.app.push_screen_wait(
                ConfirmDialog(
                    f"{path} already exists.",
                    "Replace it with this chat? Its current contents will be lost.",
                    confirm_label="Replace",
                )
            )
            if not replace:
                self.show_error("Not replaced: choose another file name.")
                return
            try:
                await asyncio.to_thread(write_export, path, self.text, overwrite=True)
            except OSError as error:
                self.show_error(describe_write_error(path, error))
                return
        except OSError as error:
            self.show_error(describe_write_error(path, error))
            return
        self.dismiss(path)


class SearchChatsDialog(ModalScreen[SearchHit | None]):
    """Full-text search across every chat's messages, with results as you type.

    ``up``/``down`` move through the results while typing; ``enter`` returns the highlighted
    hit. Dismisses with the chosen :class:`SearchHit`, or ``None``.
    """

    DEFAULT_CSS = """
    SearchChatsDialog {
        align: center top;
    }
    SearchChatsDialog > #search-body {
        margin-top: 2;
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary 60%;
        background: $surface;
        padding: 0 1;
    }
    SearchChatsDialog #search-status {
        color: $text-muted;
        padding: 0 1;
    }
    SearchChatsDialog #search-results {
        height: auto;
        max-height: 1fr;
        border: none;
        padding: 0;
    }
    SearchChatsDialog #search-results:focus {
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="search.close"),
        Binding("down", "move(1)", "Next result", show=False),
        Binding("up", "move(-1)", "Previous result", show=False),
    ]

    DEBOUNCE_SECONDS: ClassVar[float] = 0.2
    """Quiet time after a keystroke before the search runs, so typing never waits on it."""
    RESULT_LIMIT: ClassVar[int] = 50
    """Most hits shown; the newest ones."""
    SNIPPET_LEAD: ClassVar[int] = 40
    """Characters of context kept before the first match in a snippet."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        """Where to search."""
        self.hits: list[SearchHit] = []
        """The results on show."""
        self._shown_query = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="search-body"):
            yield Input(placeholder="Search all chats", id="search-query")
            yield Static(Content("Type to search every chat's messages."), id="search-status")
            yield OptionList(id="search-results")

    @property
    def results(self) -> OptionList:
        """The list of hits."""
        return self.query_one("#search-results", OptionList)

    @on(Input.Changed, "#search-query")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    @work(exclusive=True, group="history-search", exit_on_error=False)
    async def search(self, query: str, *, choose: bool = False) -> None:
        """Show the hits for ``query`` after a short quiet time; with ``choose``, at once,
        then return the first hit."""
        if not choose:
            await asyncio.sleep(self.DEBOUNCE_SECONDS)
        needle = query.strip()
        if not needle:
            self._show(needle, [])
            return
        try:
            hits = await asyncio.to_thread(self.store.search, needle, self.RESULT_LIMIT)
        except StoreError as error:
            self._set_status(f"Search failed: {error}")
            return
        if self.query_one("#search-query", Input).value.strip() != needle:
            return  # the user typed on while the search ran; a newer one is coming
        self._show(needle, hits)
        if choose and hits:
            self.dismiss(hits[0])

    def _set_status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(Content(text))

    def _show(self, needle: str, hits: list[SearchHit]) -> None:
        self.hits = hits
        self._shown_query = needle
        results = self.results
        results.clear_options()
        if not needle:
            self._set_status("Type to search every chat's messages.")
            return
        if not hits:
            self._set_status(f"No message contains “{one_line(needle)}”.")
            return
        count = len(hits)
        more = (
            " (the newest; refine the search to see others)" if count >= self.RESULT_LIMIT else ""
        )
        self._set_status(f"{count} message{'s' if count != 1 else ''} found{more}")
        pattern = re.compile(re.escape(one_line(needle)), re.IGNORECASE)
        now = _now()
        rows: list[Option | None] = []
        for index, hit in enumerate(hits):
            if index:
                rows.append(None)  # a rule between hits
            rows.append(Option(self._prompt(hit, pattern, now), id=str(index)))
        results.add_options(rows)
        results.highlighted = 0

    def _prompt(self, hit: SearchHit, pattern: re.Pattern[str], now: float) -> Content:
        """A result row: chat title, who wrote it and when, then the snippet, match in bold."""
        who = "you" if hit.role == "user" else hit.role
        heading = Content.assemble(
            Content.styled(one_line(hit.chat_title), "bold"),
            Content.styled(f"  {who} · {compact_relative_time(hit.created_at, now)}", "dim"),
        )
        snippet = one_line(hit.snippet)
        match = pattern.search(snippet)
        if match is not None and match.start() > self.SNIPPET_LEAD:
            snippet = "…" + snippet[match.start() - self.SNIPPET_LEAD :].lstrip("…")
        body = Content(snippet).highlight_regex(pattern, style="bold underline")
        return Content("\n").join([heading, body])

    def action_move(self, step: int) -> None:
        """Move the highlight through the results without leaving the search field."""
        results = self.results
        if results.option_count == 0:
            return
        if step > 0:
            results.action_cursor_down()
        else:
            results.action_cursor_up()

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.results.highlighted
        if self._shown_query == event.value.strip() and highlighted is not None and self.hits:
            self.dismiss(self.hits[highlighted])
        else:
            self.search(event.value, choose=True)

    @on(OptionList.OptionSelected, "#search-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.hits[event.option_index])
