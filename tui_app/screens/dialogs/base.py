"""The frame every dialog shares: a titled box in the middle of the screen.

A dialog composes its own body; the frame adds, under it, an error line, an optional hint and
a row of buttons that stay in view when the body is taller than the screen (the body scrolls).
``escape`` closes any dialog with ``None``, and so does a button with the id ``cancel``.
Its look is the ``.dialog`` rules of ``tui_app.tcss``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea
from textual.widgets.button import ButtonVariant

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT | None]):
    """A modal dialog that returns a ``ResultT``, or ``None`` when cancelled.

    Subclasses yield their content from :meth:`compose_body` and their buttons from
    :meth:`compose_buttons` (made with :meth:`confirm_button` and :meth:`cancel_button`).
    The confirm button and ``ctrl+s``-style bindings call :meth:`action_confirm`.
    """

    HELP_TITLE: ClassVar[str] = "Dialogs"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="dialog.cancel"),
    ]

    SCROLL_FOCUS: ClassVar[bool] = False
    """Whether the frame itself takes focus, to scroll it with the keys (a text-only dialog)."""

    def __init__(self, heading: str | Content, *, hint: str | Content = "") -> None:
        super().__init__()
        self.heading = Content(heading) if isinstance(heading, str) else heading
        """The title on the frame, shown as plain text."""
        self.hint = Content(hint) if isinstance(hint, str) else hint
        """The muted line under the body (keys to press), or empty."""
        # Kept at hand: a screen's on_mount can run before its deeper widgets are mounted.
        self._error_line = Static(id="dialog-error", classes="dialog-error", markup=False)
        self._hint_line = Static(id="dialog-hint", classes="dialog-hint", markup=False)
        self._buttons: dict[str, Button] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=self.SCROLL_FOCUS) as frame:
            frame.border_title = self.heading
            yield from self.compose_body()
            with Vertical(classes="dialog-footer"):
                yield self._error_line
                self.set_hint(self.hint)
                yield self._hint_line
                buttons = list(self.compose_buttons())
                self._buttons = {button.id: button for button in buttons if button.id}
                if buttons:
                    yield Horizontal(*buttons, classes="dialog-buttons")

    def compose_body(self) -> ComposeResult:
        """The dialog's own content, above the error line."""
        return iter(())

    def compose_buttons(self) -> Iterable[Button]:
        """The buttons along the bottom, right-aligned, the one that goes ahead last."""
        return ()

    def confirm_button(
        self, label: str, *, variant: ButtonVariant = "primary", disabled: bool = False
    ) -> Button:
        """The button that goes ahead (id ``confirm``); pressing it calls :meth:`action_confirm`."""
        return Button(label, variant=variant, id="confirm", compact=True, disabled=disabled)

    def cancel_button(self, label: str = "Cancel") -> Button:
        """The button that closes the dialog with ``None`` (id ``cancel``)."""
        return Button(label, id="cancel", compact=True)

    def button(self, button_id: str) -> Button:
        """The button with id ``button_id`` in the row of buttons."""
        return self._buttons[button_id]

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    @on(Button.Pressed, "#confirm")
    def _confirm_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        """Go ahead: check what was entered and close with it. Closes with ``None`` here."""
        self.dismiss(None)

    def show_error(self, message: str | Content | None) -> None:
        """Show ``message`` (plain text) on the error line, or hide the line."""
        error = self._error_line
        error.update(Content(message) if isinstance(message, str) else (message or ""))
        error.display = bool(message)

    def set_hint(self, hint: str | Content) -> None:
        """Replace the hint under the body (plain text)."""
        self.hint = Content(hint) if isinstance(hint, str) else hint
        self._hint_line.update(self.hint)
        self._hint_line.display = bool(self.hint)


class DialogTextArea(TextArea):
    """A text box in a dialog: ``ctrl+j`` and ``alt+enter`` start a new line, as in the prompt.

    ``enter`` does too; the other keys matter because the prompt taught them.
    """

    HELP_TITLE: ClassVar[str] = "Dialogs: text boxes"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+j,alt+enter",
            "newline",
            "New line",
            show=False,
            id="dialog.newline",
            tooltip="Start a new line in a text box of a dialog",
        ),
    ]

    def action_newline(self) -> None:
        """Insert a line break at the cursor."""
        if not self.read_only:
            self.insert("\n")
