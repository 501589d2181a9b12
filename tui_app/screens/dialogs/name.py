"""The one dialog that asks for a name: of a chat, a preset, a model copy or a pull."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Button, Input, Label

from tui_app.core.formatting import one_line
from tui_app.screens.dialogs.base import Dialog

NameCheck = Callable[[str], str | None]
"""Says why a name cannot be used, or returns None when it can."""

DEFAULT_HINT = "enter saves · escape cancels"


def _no_problem(name: str) -> str | None:
    return None


class NameDialog(Dialog[str]):
    """Ask for one name, checked as it is typed; returns it without surrounding spaces.

    ``check`` says what is wrong with a name. While the field is blank nothing is said yet,
    but the name cannot be confirmed; ``enter`` on a bad name says why and keeps asking.
    ``hint`` may be a function of the name, for a hint that changes with it.
    """

    def __init__(
        self,
        title: str,
        initial: str = "",
        *,
        check: NameCheck = _no_problem,
        prompt: str = "",
        placeholder: str = "",
        hint: str | Callable[[str], str] = DEFAULT_HINT,
        confirm_label: str = "Save",
    ) -> None:
        self._describe = hint if callable(hint) else None
        super().__init__(one_line(title), hint=hint(initial) if callable(hint) else hint)
        self.initial = initial
        """The name the field starts with."""
        self.check = check
        """Says why a name cannot be used."""
        self.prompt = prompt
        """The question over the field, or empty."""
        self.placeholder = placeholder
        """Shown in the empty field."""
        self.confirm_label = confirm_label
        """Label of the button that accepts the name."""

    def compose_body(self) -> ComposeResult:
        if self.prompt:
            yield Label(Content(self.prompt), classes="dialog-prompt")
        yield Input(self.initial, placeholder=self.placeholder, id="name-input")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button(self.confirm_label)

    def on_mount(self) -> None:
        self._validate(self.initial)
        self.query_one("#name-input", Input).focus()

    @property
    def value(self) -> str:
        """The name as typed."""
        return self.query_one("#name-input", Input).value

    def _validate(self, value: str) -> bool:
        problem = self.check(value)
        # An empty field is not an error yet; it just cannot be confirmed.
        self.show_error(one_line(problem) if problem and value.strip() else None)
        self.button("confirm").disabled = problem is not None
        if self._describe is not None:
            self.set_hint(self._describe(value))
        return problem is None

    @on(Input.Changed, "#name-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._validate(event.value)

    @on(Input.Submitted, "#name-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        """Close with the name if it can be used, else say why not."""
        value = self.value
        if self._validate(value):
            self.dismiss(value.strip())
        else:
            self.show_error(one_line(self.check(value) or ""))
