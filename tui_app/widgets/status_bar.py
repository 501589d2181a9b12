"""The one-line status bar at the top of every screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from tui_app.core.connection import ConnectionStatus, LinkState
from tui_app.core.formatting import visible_controls

if TYPE_CHECKING:
    from tui_app.app import OllamaTUI


class StatusBar(Static):
    """Connection state, server version, host and the current chat's model.

    It follows the app's ``connection`` and ``current_model`` reactives, so every
    screen shows the same facts without asking for them.
    """

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    StatusBar.-offline {
        background: $error 30%;
        color: $text;
    }
    """

    def on_mount(self) -> None:
        app: OllamaTUI = self.app  # type: ignore[assignment]
        self.watch(app, "connection", self._refresh_status)
        self.watch(app, "current_model", self._refresh_status, init=False)

    def _refresh_status(self, _: object = None) -> None:
        app: OllamaTUI = self.app  # type: ignore[assignment]
        status: ConnectionStatus = app.connection
        self.set_class(status.state is LinkState.OFFLINE, "-offline")
        self.update(self.describe(status, app.services.host, app.current_model, app.services.demo))

    @staticmethod
    def describe(status: ConnectionStatus, host: str, model: str, demo: bool) -> Content:
        """The bar's text; every value is plain text, never markup, and one line with its
        control characters visible (the model name may come from an old saved chat)."""
        parts: list[Content] = []
        if status.state is LinkState.ONLINE:
            parts.append(Content.styled("● online", "$success"))
            if status.version:
                version = visible_controls(status.version, multi_line=False)
                parts.append(Content(f"Ollama {version}"))
        elif status.state is LinkState.CONNECTING:
            parts.append(Content.styled("◌ connecting", "$warning"))
        else:
            parts.append(Content.styled("○ offline", "bold"))
        parts.append(Content(host))
        if demo:
            parts.append(Content.styled("DEMO: simulated replies", "bold $warning"))
        if status.state is LinkState.OFFLINE:
            parts.append(Content("start Ollama with `ollama serve` · retrying (ctrl+r now)"))
        elif model:
            parts.append(Content(f"model {visible_controls(model, multi_line=False)}"))
        return Content(" · ").join(parts)
