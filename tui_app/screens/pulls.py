"""The Pulls screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui_app.screens.base import AreaScreen


class PullsScreen(AreaScreen):
    """Pulls: model downloads."""

    AREA_TITLE = "Pulls"

    def compose_body(self) -> ComposeResult:
        yield Static("Pulls is not available yet.", id="pulls-placeholder")
