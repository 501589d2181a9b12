"""The workbench's dialog: where to save a request with its response."""

from __future__ import annotations

from textual.content import Content

from tui_app.screens.dialogs.history import ExportChatDialog


class SaveExchangeDialog(ExportChatDialog):
    """Ask where to save a request with its response, then write it there (never replacing
    a file without asking). Dismisses with the written path, or ``None``."""

    def __init__(self, default_path: str, text: str) -> None:
        super().__init__("", default_path, text)
        self.heading = Content("Save the request and its response")
