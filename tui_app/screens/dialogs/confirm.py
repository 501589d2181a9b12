"""The one yes/no question: before deleting, replacing, quitting or pulling."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Button, Label, Static

from tui_app.core.formatting import visible_controls
from tui_app.screens.dialogs.base import Dialog


class ConfirmDialog(Dialog[bool]):
    """Ask ``question`` before doing something; ``True`` means go ahead, ``None`` cancel.

    With ``danger`` (the default) the action cannot be undone: its button is red and focus
    starts on Cancel, so a stray ``enter`` never destroys anything. Without it (an offer,
    such as pulling a missing model) focus starts on the button that goes ahead.
    Every text is shown as plain text.
    """

    HELP_TITLE: ClassVar[str] = "Dialogs: questions"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "dismiss(None)", "No", show=False, id="dialog.no", tooltip="No: cancel"),
        Binding("y", "confirm", "Yes", id="dialog.confirm", tooltip="Yes: go ahead"),
        Binding(
            "left",
            "app.focus_previous",
            "Previous button",
            show=False,
            id="dialog.previous_button",
            tooltip="The button on the left",
        ),
        Binding(
            "right",
            "app.focus_next",
            "Next button",
            show=False,
            id="dialog.next_button",
            tooltip="The button on the right",
        ),
    ]

    def __init__(
        self,
        question: str,
        detail: str = "",
        *,
        confirm_label: str = "Delete",
        danger: bool = True,
        heading: str = "",
        cancel_label: str = "Cancel",
    ) -> None:
        # enter presses the focused button, which is Cancel when going ahead is for good.
        go, stop = confirm_label.lower(), cancel_label.lower()
        hint = (
            f"y: {go} · enter, n or escape: {stop}"
            if danger
            else f"enter or y: {go} · n or escape: {stop}"
        )
        super().__init__(heading or confirm_label, hint=hint)
        self.question = question
        """The question, as plain text."""
        self.detail = detail
        """What will happen, as plain text."""
        self.confirm_label = confirm_label
        """Label of the button that goes ahead."""
        self.cancel_label = cancel_label
        """Label of the button that does nothing."""
        self.danger = danger
        """Whether going ahead cannot be undone."""
        self._detail_line: Static | None = None

    def compose_body(self) -> ComposeResult:
        # Names in the question come from the user, the server or the file system.
        yield Label(Content(visible_controls(self.question)), id="confirm-question")
        if self.detail:
            self._detail_line = Static(Content(visible_controls(self.detail)), id="confirm-detail")
            yield self._detail_line

    def update_detail(self, detail: str) -> None:
        """Replace the detail (plain text): for one that is known only once the question
        is up, so no key typed meanwhile lands elsewhere."""
        self.detail = detail
        # Kept at hand rather than queried: the answer may come before it is mounted.
        if self._detail_line is not None:
            self._detail_line.update(Content(visible_controls(detail)))

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button(self.cancel_label)
        yield self.confirm_button(self.confirm_label, variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.button("cancel" if self.danger else "confirm").focus()

    def action_confirm(self) -> None:
        """Go ahead."""
        self.dismiss(True)
