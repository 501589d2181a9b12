"""The help screen: every key binding, grouped by screen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static


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


class HelpScreen(ModalScreen[None]):
    """A modal listing every binding, grouped under the screen it belongs to."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close help")]

    def __init__(self, groups: list[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self._groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Content.styled("Keys", "bold"), classes="help-title")
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
            yield Static("escape closes this help", classes="help-hint")
