"""The common frame of the four top-level screens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen

from tui_app.services import Services
from tui_app.widgets.key_footer import KeyFooter
from tui_app.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui_app.app import OllamaTUI


class AreaScreen(Screen[None]):
    """A top-level screen (chat, models, pulls, options) with the status bar and footer.

    Subclasses implement :meth:`compose_body` and may offer extra command-palette
    entries through :meth:`palette_commands`.
    """

    AREA_TITLE: ClassVar[str] = ""
    """Shown as the screen's title and used to group its keys in help."""

    COMPACT_FOOTER: ClassVar[bool] = False
    """Keys in the footer one space apart instead of two (for screens with many keys)."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.title = self.AREA_TITLE
        self.under_dialog = False
        """Last suspended by a dialog (or help, or the palette) pushed on top, rather than by
        a switch to another area: on resume there is nothing new to read."""

    @classmethod
    def own_bindings(cls) -> list[BindingType]:
        """Bindings this screen family defines (not Textual's generic screen keys)."""
        bindings: list[BindingType] = []
        for klass in reversed(cls.__mro__):
            if isinstance(klass, type) and issubclass(klass, AreaScreen):
                bindings.extend(klass.__dict__.get("BINDINGS", []))
        return bindings

    @property
    def tui(self) -> OllamaTUI:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield from self.compose_body()
        yield KeyFooter(compact=self.COMPACT_FOOTER)

    def on_screen_suspend(self) -> None:
        # A screen pushed on top keeps this one on the stack; switching areas does not.
        self.under_dialog = self in self.app.screen_stack

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands this screen adds to the command palette."""
        return ()
