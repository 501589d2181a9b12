"""What the app knows about its link to the Ollama server, and the monitor that keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from tui_app.api import OllamaClient, OllamaError, OllamaUnavailableError
from tui_app.core.observable import Observable


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


class ConnectionMonitor:
    """Whether the server answers, as last checked, for every screen to follow.

    :meth:`check` asks the server; :meth:`failed` records that any request found it
    unreachable. The app decides when to check (a timer, at :attr:`next_check_in`).
    """

    ONLINE_CHECK_SECONDS: ClassVar[float] = 15.0
    """How often a reachable server is checked again."""
    OFFLINE_RETRY_SECONDS: ClassVar[float] = 2.0
    """How often an unreachable server is tried again."""

    def __init__(self, client: OllamaClient) -> None:
        self._client = client
        self.status: Observable[ConnectionStatus] = Observable(ConnectionStatus())
        """The link as last seen; changes are told to its listeners."""

    @property
    def current(self) -> ConnectionStatus:
        """The link as last seen."""
        return self.status.value

    async def check(self) -> bool:
        """Ask the server for its version; True when this check brought it back online."""
        was_online = self.current.online
        try:
            version = await self._client.version()
        except OllamaError as exc:
            self.failed(exc)
            return False
        self.status.set(ConnectionStatus(LinkState.ONLINE, version=version))
        return not was_online

    def failed(self, error: OllamaError) -> None:
        """Record that ``error`` met the server: it is offline until a check reaches it."""
        reason = error.reason if isinstance(error, OllamaUnavailableError) else str(error)
        self.status.set(ConnectionStatus(LinkState.OFFLINE, error=reason))

    def next_check_in(self) -> float:
        """Seconds until the next check: soon while offline, now and then while online."""
        return self.ONLINE_CHECK_SECONDS if self.current.online else self.OFFLINE_RETRY_SECONDS
