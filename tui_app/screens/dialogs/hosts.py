"""Choosing a host: where to pull a model, or where else a chat may run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, RadioButton, RadioSet

from tui_app.core.connection import ConnectionStatus, LinkState
from tui_app.screens.dialogs.base import Dialog
from tui_app.screens.dialogs.chat import ChoiceSet


def host_label(name: str, status: ConnectionStatus) -> str:
    """A host and its state in a few words, as plain text."""
    if status.state is LinkState.ONLINE:
        return f"{name} (online, Ollama {status.version})" if status.version else name
    if status.state is LinkState.AUTH_FAILED:
        return f"{name} (authentication failed)"
    if status.state is LinkState.OFFLINE:
        return f"{name} (offline)"
    return f"{name} (connecting)"


class HostChoiceDialog(Dialog[str]):
    """Pick one host from a list; returns its name. The one ``chosen`` is pressed at first."""

    HELP_TITLE: ClassVar[str] = "Dialogs: choose a host"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Go ahead", id="hosts.choose.confirm"),
    ]

    def __init__(
        self,
        heading: str,
        hosts: Sequence[tuple[str, ConnectionStatus]],
        *,
        chosen: str | None = None,
        confirm_label: str = "Choose",
        hint: str = "arrows and space choose · ctrl+s goes ahead · escape cancels",
    ) -> None:
        super().__init__(heading, hint=hint)
        self._hosts = list(hosts)
        self._chosen = chosen if chosen is not None else (hosts[0][0] if hosts else None)
        self._confirm_label = confirm_label

    def compose_body(self) -> ComposeResult:
        with ChoiceSet(id="host-choice"):
            for name, status in self._hosts:
                yield RadioButton(host_label(name, status), value=name == self._chosen)

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button(self._confirm_label)

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def action_confirm(self) -> None:
        """Close with the host pressed."""
        index = self.query_one(RadioSet).pressed_index
        if 0 <= index < len(self._hosts):
            self.dismiss(self._hosts[index][0])
        else:
            self.show_error("Choose a host first.")
