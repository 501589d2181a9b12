"""The help dialog: every key binding, grouped by screen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.keys import format_key
from textual.widgets import Button, Static

from tui_app.screens.dialogs.base import Dialog


def _readable(key: str) -> str:
    """``ctrl+slash`` → ``ctrl+/``: modifiers as typed, the key as it looks."""
    *modifiers, name = key.strip().split("+")
    return "+".join([*modifiers, format_key(name)])


def _describe(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        if isinstance(binding, Binding):
            keys = ", ".join(_readable(key) for key in binding.key.split(","))
            description = binding.tooltip or binding.description or binding.action
        else:
            keys, description = binding[0], binding[2] if len(binding) > 2 else binding[1]
        rows.append((keys, description))
    return rows


class HelpDialog(Dialog[None]):
    """Every binding, grouped under the screen it belongs to; the frame scrolls with the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,q", "dismiss(None)", "Close help", show=False),
    ]

    SCROLL_FOCUS: ClassVar[bool] = True

    def __init__(self, groups: list[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__("Keys", hint="escape closes this help")
        self._groups = groups

    def compose_body(self) -> ComposeResult:
        for title, bindings in self._groups:
            rows = _describe(bindings)
            if not rows:
                continue
            yield Static(Content.styled(title, "bold $accent"), classes="help-group")
            width = max(len(keys) for keys, _ in rows)
            lines = [
                Content.assemble((keys.ljust(width), "$secondary"), "  ", description)
                for keys, description in rows
            ]
            yield Static(Content("\n").join(lines), classes="help-keys")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button("Close")

    def on_mount(self) -> None:
        self.query_one(".dialog").focus()
