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

    def start_pull(self, model: str) -> None:
        """Start pulling ``model``."""
        self.notify(f"Pulling is not available yet: {model}", severity="warning")

    def start_create(
        self,
        model: str,
        *,
        from_: str,
        system: str | None = None,
        parameters: dict[str, object] | None = None,
    ) -> None:
        """Create ``model`` from ``from_``."""
        self.notify(f"Creating is not available yet: {model}", severity="warning")
