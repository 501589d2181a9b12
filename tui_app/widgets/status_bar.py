"""The one-line status bar at the top of every screen."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui_app.core.connection import ConnectionStatus, LinkState
from tui_app.core.formatting import visible_controls

VERSION_LIMIT = 24
"""Characters of the server's version shown; the host and model must stay in view."""


class StatusBar(Static):
    """Connection state, server version, host, the current chat's model and running pulls.

    It is told what to show by its screen (:meth:`show`), which follows the shared state,
    so every screen shows the same facts.
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

    def show(
        self, status: ConnectionStatus, *, host: str, model: str, demo: bool, transfers: int = 0
    ) -> None:
        """Show these facts (every value is plain text, never markup)."""
        self.set_class(status.state is LinkState.OFFLINE, "-offline")
        self.update(self.describe(status, host, model, demo, transfers))

    @staticmethod
    def describe(
        status: ConnectionStatus, host: str, model: str, demo: bool, transfers: int = 0
    ) -> Content:
        """The bar's text; every value is plain text, never markup, and one line with its
        control characters visible (the model name may come from an old saved chat)."""
        parts: list[Content] = []
        if status.state is LinkState.ONLINE:
            parts.append(Content.styled("● online", "$success"))
            if status.version:
                version = visible_controls(status.version, multi_line=False)
                if len(version) > VERSION_LIMIT:  # a server's "version" can be a paragraph
                    version = version[: VERSION_LIMIT - 1] + "…"
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
        if transfers:
            parts.append(Content(f"{transfers} pull{'' if transfers == 1 else 's'} running"))
        return Content(" · ").join(parts)
