"""Which chat is in view, for the screens that act on it (options, the model browser)."""

from __future__ import annotations

from tui_app.core.observable import Observable


class CurrentChat:
    """The chat on the chat screen and its model; the chat screen sets them, others follow.

    ``id`` is None for a new chat not saved yet; ``model`` is then the model it would use.
    """

    def __init__(self) -> None:
        self.id: Observable[int | None] = Observable(None)
        """The open chat's id, or None for a new chat."""
        self.model: Observable[str] = Observable("")
        """The open chat's model, or "" when none is chosen; shown in the status bar."""
        self.host: Observable[str] = Observable("")
        """The name of the host the open chat runs on; "" means the default host."""

    def show(self, chat_id: int | None, model: str | None) -> None:
        """The chat screen now shows chat ``chat_id`` (None: a new chat) with ``model``."""
        self.id.set(chat_id)
        self.model.set(model or "")
