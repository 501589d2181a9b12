"""The help dialog: every key binding, grouped by screen."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.dom import DOMNode
from textual.keys import format_key
from textual.widgets import Button, Static

from tui_app.screens.dialogs.base import Dialog


def _readable(key: str) -> str:
    """``ctrl+slash`` → ``ctrl+/``: modifiers as typed, the key as it looks."""
    *modifiers, name = key.strip().split("+")
    return "+".join([*modifiers, format_key(name)])


AREA_ORDER = ("Everywhere", "Chat", "Models", "Pulls", "Options", "Workbench", "Compare")
"""Groups of help in this order (by the first word of their title); dialogs come after."""


def help_title(klass: type[DOMNode]) -> str:
    """The heading a class's keys go under: its ``HELP_TITLE``, a screen's ``AREA_TITLE``,
    or else its name."""
    for attribute in ("HELP_TITLE", "AREA_TITLE"):
        title = getattr(klass, attribute, "")
        if isinstance(title, str) and title:
            return title
    return klass.__name__


def app_bindings(package: str = "tui_app.") -> Iterator[tuple[type[DOMNode], list[Binding]]]:
    """Every class of ``package`` that defines bindings, with those bindings.

    The same tables the footer and the command palette read, so nothing is left out.
    """
    pending: list[type[DOMNode]] = [DOMNode]
    seen: set[type[DOMNode]] = set()
    while pending:
        klass = pending.pop(0)
        if klass in seen:
            continue
        seen.add(klass)
        pending.extend(klass.__subclasses__())
        if klass.__module__.startswith(package):
            bindings = [b for b in klass.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
            if bindings:
                yield klass, bindings


def binding_groups(package: str = "tui_app.") -> list[tuple[str, list[Binding]]]:
    """Every binding of ``package``, grouped by :func:`help_title`, screens first."""
    groups: dict[str, list[Binding]] = {}
    for klass, bindings in app_bindings(package):
        group = groups.setdefault(help_title(klass), [])
        group.extend(b for b in bindings if (b.id, b.key) not in {(g.id, g.key) for g in group})

    def order(title: str) -> tuple[int, str]:
        first = title.split(":")[0].split()[0]
        rank = AREA_ORDER.index(first) if first in AREA_ORDER else len(AREA_ORDER)
        return rank, title

    return [(title, groups[title]) for title in sorted(groups, key=order)]


def _describe(
    bindings: Iterable[BindingType], keymap: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for binding in bindings:
        if isinstance(binding, Binding):
            # As the user's [keymap] set them, the way Textual applies it: by id.
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            shown = ", ".join(_readable(key) for key in keys.split(","))
            description = binding.tooltip or binding.description or binding.action
            rows.append((shown, description, binding.id or ""))
        else:
            description = binding[2] if len(binding) > 2 else binding[1]
            rows.append((binding[0], description, ""))
    return rows


class HelpDialog(Dialog[None]):
    """Every binding, grouped under the screen it belongs to; the frame scrolls with the keys."""

    HELP_TITLE: ClassVar[str] = "Dialogs: this help"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,q", "dismiss(None)", "Close help", show=False, id="help.close"),
    ]

    SCROLL_FOCUS: ClassVar[bool] = True

    def __init__(
        self,
        groups: list[tuple[str, Iterable[BindingType]]],
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__("Keys", hint="escape closes this help · ids are for [keymap]")
        self._groups = groups
        self._keymap = dict(keymap or {})

    def compose_body(self) -> ComposeResult:
        for title, bindings in self._groups:
            rows = _describe(bindings, self._keymap)
            if not rows:
                continue
            yield Static(Content.styled(title, "bold $accent"), classes="help-group")
            width = max(len(keys) for keys, _, _ in rows)
            lines = [
                Content.assemble(
                    (keys.ljust(width), "$secondary"),
                    "  ",
                    description,
                    ("  " + binding_id if binding_id else "", "$text-muted"),
                )
                for keys, description, binding_id in rows
            ]
            yield Static(Content("\n").join(lines), classes="help-keys")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button("Close")

    def on_mount(self) -> None:
        self.query_one(".dialog").focus()
