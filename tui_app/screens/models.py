"""The Models screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui_app.screens.base import AreaScreen


class ModelsScreen(AreaScreen):
    """Models: installed and loaded models."""

    AREA_TITLE = "Models"

    def compose_body(self) -> ComposeResult:
        yield Static("Models is not available yet.", id="models-placeholder")
