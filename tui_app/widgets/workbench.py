"""Widgets of the workbench: a labelled text field with its problem line, and the raw view.

Everything shown here that came from the user or the server is plain text: a text area
never reads markup, and raw lines have their control characters made visible before they
are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Log, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui_app.core.formatting import compact_relative_time, one_line
from tui_app.core.workbench import history_label, raw_line
from tui_app.records import WorkbenchRecord

RAW_LINE_LIMIT = 4000
"""Characters of one raw line drawn; an embedding reply is one very long line, and the rest
of it is kept for saving, not for the eye."""


class LabelledArea(Widget):
    """A request field typed as text: its name, a text area, a line of help and a line that
    says why the value cannot be sent."""

    DEFAULT_CSS = """
    LabelledArea {
        height: auto;
        padding: 0 1;
        & > .wb-name {
            text-style: bold;
        }
        & > TextArea {
            height: auto;
            max-height: 8;
            min-height: 1;
        }
        & > .wb-help {
            color: $text-muted;
            text-style: italic;
        }
        & > .wb-problem {
            color: $text-error;
            text-style: bold;
            display: none;
        }
        &.-invalid > .wb-name {
            color: $text-error;
        }
        &.-invalid > .wb-problem {
            display: block;
        }
        &:focus-within > .wb-name {
            color: $accent;
        }
    }
    """

    def __init__(
        self, field_name: str, help_text: str = "", *, placeholder: str = "", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.field_name = field_name
        """The request field this edits."""
        self.help_text = help_text
        self.area = TextArea(
            compact=True,
            soft_wrap=True,
            tab_behavior="focus",
            placeholder=Content(placeholder),
            classes="wb-editor",
        )
        """The editor."""
        self._problem = Static("", classes="wb-problem", markup=False)

    def compose(self) -> ComposeResult:
        yield Label(Content(self.field_name), classes="wb-name")
        yield self.area
        if self.help_text:
            yield Static(Content(self.help_text), classes="wb-help")
        yield self._problem

    @property
    def text(self) -> str:
        """What is typed."""
        return self.area.text

    def set_text(self, text: str) -> None:
        """Replace what is typed."""
        self.area.load_text(text)

    def show_problem(self, problem: str | None) -> None:
        """Say why the value cannot be sent, or clear that."""
        self.set_class(problem is not None, "-invalid")
        self._problem.update(Content(f"✗ {problem}" if problem else ""))


class RawLines(Log):
    """The response's lines exactly as they arrived, one per row, control characters made
    visible; never read as markup."""

    DEFAULT_CSS = """
    RawLines {
        height: 1fr;
        border: round $panel;
        border-title-color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=5000, auto_scroll=True, id=id)
        self.border_title = "raw response"

    def add(self, line: str) -> None:
        """Write one received line."""
        shown = raw_line(line)
        if len(shown) > RAW_LINE_LIMIT:
            hidden = len(shown) - RAW_LINE_LIMIT
            shown = f"{shown[:RAW_LINE_LIMIT]} … ({hidden:,} more characters)"
        self.write_line(shown)


_STATUS_MARKS = {"complete": "✓", "stopped": "■", "failed": "✗", "running": "…"}


class HistoryList(OptionList):
    """Requests sent from the workbench, newest first: ``enter`` puts one back in the form to
    edit, ``ctrl+g`` (or ``r``) sends it again, ``d`` forgets it."""

    HELP_TITLE: ClassVar[str] = "Workbench"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g,r", "again", "Send again", id="workbench.history.again"),
        Binding("d,delete", "forget", "Forget", id="workbench.history.forget"),
    ]

    DEFAULT_CSS = """
    HistoryList {
        height: auto;
        max-height: 12;
        border: none;
        padding: 0;
    }
    """

    class Chosen(Message):
        """A past request was chosen: to edit (``again`` False) or to send again."""

        def __init__(self, record: WorkbenchRecord, *, again: bool) -> None:
            super().__init__()
            self.record = record
            """The request chosen."""
            self.again = again
            """True to send it at once."""

    class Forget(Message):
        """Forget a past request."""

        def __init__(self, record: WorkbenchRecord) -> None:
            super().__init__()
            self.record = record
            """The request to forget."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.records: list[WorkbenchRecord] = []
        """The requests on show, newest first."""

    def show(self, records: Sequence[WorkbenchRecord], now: float, *, running: int | None) -> None:
        """Show ``records``; ``running`` is the one this screen is sending now (any other
        still marked running was cut short when an earlier run of the app ended)."""
        highlighted = self.highlighted
        self.records = list(records)
        self.clear_options()
        self.add_options(
            Option(self._prompt(record, now, running), id=str(record.id)) for record in self.records
        )
        if self.records:
            self.highlighted = min(highlighted or 0, len(self.records) - 1)

    @staticmethod
    def _prompt(record: WorkbenchRecord, now: float, running: int | None) -> Content:
        status = record.status
        if status == "running" and record.id != running:
            status = "stopped"
        mark = _STATUS_MARKS.get(status, "?")
        when = compact_relative_time(record.created_at, now)
        head = Content.styled(f"{mark} {record.mode} · {one_line(record.model)} · {when}", "dim")
        label = history_label(record.mode, record.body) or "(empty)"
        return Content.assemble(head, "\n", Content(label))

    def _current(self) -> WorkbenchRecord | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.records):
            return None
        return self.records[index]

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        record = self._current()
        if record is not None:
            self.post_message(self.Chosen(record, again=False))

    def action_again(self) -> None:
        """Send the highlighted request again."""
        record = self._current()
        if record is not None:
            self.post_message(self.Chosen(record, again=True))

    def action_forget(self) -> None:
        """Forget the highlighted request."""
        record = self._current()
        if record is not None:
            self.post_message(self.Forget(record))
