"""The Chat screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui_app.screens.base import AreaScreen


class ChatScreen(AreaScreen):
    """Chat: chat with local models; arrives with the chat pane."""

    AREA_TITLE = "Chat"

    def compose_body(self) -> ComposeResult:
        yield Static("Chat is not available yet.", id="chat-placeholder")

    async def new_chat(self, model: str | None = None) -> None:
        """Start a new chat, optionally with ``model``."""
        self.notify(f"Chat is not available yet: {model}", severity="warning")
