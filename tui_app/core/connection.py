"""What the app knows about its link to the Ollama server."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class LinkState(Enum):
    """Whether the server is reachable."""

    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    """A snapshot of the connection, shown in every screen's status bar."""

    state: LinkState = LinkState.CONNECTING
    version: str = ""
    """The server's version when online."""
    error: str = ""
    """Why the last check failed, when offline."""

    @property
    def online(self) -> bool:
        """True when the last check reached the server."""
        return self.state is LinkState.ONLINE
