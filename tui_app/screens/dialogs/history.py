"""Dialogs of the chat list: export a chat to a file, and search every chat.

Chat titles, file paths and search snippets are user or model data: every one of them is shown
as plain text (``Content``), with control characters made visible.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_app.core.clock import Clock
from tui_app.core.export import describe_write_error, write_export
from tui_app.core.formatting import compact_relative_time, one_line
from tui_app.screens.dialogs.base import Dialog
from tui_app.screens.dialogs.confirm import ConfirmDialog
from tui_app.store import SearchHit, Store, StoreError


class ExportChatDialog(Dialog[Path]):
    """Ask where to export a chat as Markdown, then write it there.

    The file is written off the UI thread; an error (missing folder, permission denied...)
    is shown in the dialog so the path can be fixed, and an existing file is only replaced
    after the user says so. Dismisses with the written path, or ``None`` when cancelled.
    """

    def __init__(self, chat_title: str, default_path: str, text: str) -> None:
        self.chat_title = one_line(chat_title)
        """The chat being exported, as shown."""
        super().__init__(
            f"Export “{self.chat_title}” to Markdown",
            hint="enter writes the file · escape cancels",
        )
        self.default_path = default_path
        """The path the input starts with."""
        self.text = text
        """The Markdown to write."""

    def compose_body(self) -> ComposeResult:
        yield Input(
            value=self.default_path,
            placeholder="File path",
            select_on_focus=False,
            id="export-path",
        )

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button("Export")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        """Write the file at the typed path."""
        self.export(self.query_one("#export-path", Input).value)

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


class SearchChatsDialog(Dialog[SearchHit]):
    """Full-text search across every chat's messages, with results as you type.

    ``up``/``down`` move through the results while typing; ``enter`` returns the highlighted
    hit. Dismisses with the chosen :class:`SearchHit`, or ``None``.
    """

    HELP_TITLE: ClassVar[str] = "Dialogs: search"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, id="dialog.next", tooltip="The next one"),
        Binding(
            "up", "move(-1)", "Previous", show=False, id="dialog.previous", tooltip="The one before"
        ),
    ]

    DEBOUNCE_SECONDS: ClassVar[float] = 0.2
    """Quiet time after a keystroke before the search runs, so typing never waits on it."""
    RESULT_LIMIT: ClassVar[int] = 50
    """Most hits shown; the newest ones."""
    SNIPPET_LEAD: ClassVar[int] = 40
    """Characters of context kept before the first match in a snippet."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        super().__init__("Search all chats", hint="enter opens the chat · escape closes")
        self.store = store
        """Where to search."""
        self.clock = clock or Clock()
        """Where the results' "3 min ago" is measured from."""
        self.hits: list[SearchHit] = []
        """The results on show."""
        self._shown_query = ""

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="Search all chats", id="search-query")
        yield Static(Content("Type to search every chat's messages."), id="search-status")
        yield OptionList(id="search-results")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button("Close")
        yield self.confirm_button("Open")

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
        now = self.clock.time()
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
        if hit.in_thinking:
            who += ", thinking"
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
        self.action_confirm()

    def action_confirm(self) -> None:
        """Open the highlighted hit; before the results are in, search now and take the first."""
        typed = self.query_one("#search-query", Input).value
        highlighted = self.results.highlighted
        if self._shown_query == typed.strip() and highlighted is not None and self.hits:
            self.dismiss(self.hits[highlighted])
        else:
            self.search(typed, choose=True)

    @on(OptionList.OptionSelected, "#search-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.hits[event.option_index])
