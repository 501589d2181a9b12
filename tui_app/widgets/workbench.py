"""Widgets of the workbench: a labelled text field with its problem line, and the raw view.

Everything shown here that came from the user or the server is plain text: a text area
never reads markup, and raw lines have their control characters made visible before they
are written.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Log, Static, TextArea

from tui_app.core.workbench import raw_line

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
