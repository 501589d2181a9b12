"""The footer line of keys, drawn as one line of text."""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget


class KeyFooter(Widget):
    """The keys the focused screen offers, like Textual's ``Footer``, in one widget.

    Textual's footer builds a widget per key and builds them all again whenever the
    screen's keys change, which here is at every prompt sent and every reply ended (the
    stop key comes and goes); that cost about 50 ms each time, on the path from enter to
    the first token. This footer redraws one line of text instead. Keys are still
    clickable, and the command palette's key sits at the right.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--palette",
    }

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--palette {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compact = compact
        """One space between keys instead of two."""
        self._line = Content("")
        self._palette = Content("")
        self._read_pending = False
        # The hints are clickable, but not links: no underline, no hover restyling.
        self.set_reactive(Widget.auto_links, False)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._read_bindings()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # Read them after the refresh, as Textual's footer does: the state the screen's
        # check_action looks at (a worker ending, say) may change after it asked.
        if self.is_attached and screen is self.screen and not self._read_pending:
            self._read_pending = True
            self.call_after_refresh(self._read_bindings)

    def _read_bindings(self) -> None:
        """Build the line from the screen's active bindings; redraw only if it changed."""
        self._read_pending = False
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        gap = Content(" " if self.compact else "  ")
        hints: list[Content] = []
        palette = Content("")
        seen_actions: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.key == palette_key:
                palette = self._hint(binding.key, app.get_key_display(binding), "palette", enabled)
                continue
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            hints.append(
                self._hint(binding.key, app.get_key_display(binding), binding.description, enabled)
            )
        line = Content(" ") + gap.join(hints)
        if palette:
            palette = Content.styled("▏", ".key-footer--palette") + palette + Content(" ")
        if not (line.is_same(self._line) and palette.is_same(self._palette)):
            self._line, self._palette = line, palette
            self.refresh()

    @staticmethod
    def _hint(key: str, display: str, description: str, enabled: bool) -> Content:
        click = Style.from_meta({"@click": f"press_key({key!r})"})
        hint = Content.assemble(
            (display, ".key-footer--key"),
            " ",
            (description, ".key-footer--description"),
        ).stylize(click)
        return hint if enabled else hint.stylize("dim")

    def render(self) -> Content:
        width = self.size.width
        room = max(width - self._palette.cell_length, 0)
        line = self._line
        if line.cell_length > room:
            line = line.truncate(room, ellipsis=True)
        return line.pad_right(room - line.cell_length) + self._palette

    def action_press_key(self, key: str) -> None:
        """A key hint was clicked: act as if the key was pressed."""
        self.app.simulate_key(key)

    @property
    def text(self) -> str:
        """The line as plain text (the palette key included)."""
        return self._line.plain + self._palette.plain
