"""The Options screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui_app.screens.base import AreaScreen


class OptionsScreen(AreaScreen):
    """Options: sampling options."""

    AREA_TITLE = "Options"

    def compose_body(self) -> ComposeResult:
        yield Static("Options is not available yet.", id="options-placeholder")
