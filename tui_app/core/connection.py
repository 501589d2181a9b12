"""What the app knows about its link to the Ollama server, and the monitor that keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from tui_app.api import OllamaClient, OllamaError, OllamaHTTPError, OllamaUnavailableError
from tui_app.core.observable import Observable


class LinkState(Enum):
    """Whether the server is reachable."""

    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    AUTH_FAILED = "auth failed"
    """The server answered 401 or 403: it is there, but refuses this app's key."""


AUTH_STATUSES = frozenset({401, 403})
"""HTTP statuses that mean the server refused the key, not that it is away."""


def is_auth_failure(error: BaseException) -> bool:
    """True when ``error`` is the server refusing the request's credentials."""
    return isinstance(error, OllamaHTTPError) and error.status in AUTH_STATUSES


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

    def __init__(
        self, client: OllamaClient, *, name: str = "", api_key_env: str | None = None
    ) -> None:
        self._client = client
        self.name = name
        """What the user calls this host, for messages."""
        self.api_key_env = api_key_env
        """The variable this host's key is read from, named when the server refuses it."""
        self._version = ""
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
        self._version = version
        if self.current.state is LinkState.AUTH_FAILED:
            # The version is public; only the listing that follows tells whether the key
            # is taken again (it then calls :meth:`accepted`).
            return True
        self.status.set(ConnectionStatus(LinkState.ONLINE, version=version))
        return not was_online

    def failed(self, error: OllamaError) -> None:
        """Record that ``error`` met the server: it is offline until a check reaches it.

        A 401 or 403 is not offline: the host is there and refuses the key.
        """
        if is_auth_failure(error):
            self.status.set(ConnectionStatus(LinkState.AUTH_FAILED, error=self.auth_message()))
            return
        reason = error.reason if isinstance(error, OllamaUnavailableError) else str(error)
        self.status.set(ConnectionStatus(LinkState.OFFLINE, error=reason))

    def accepted(self) -> None:
        """Record that a request needing the key went through: no longer an auth failure."""
        if self.current.state is LinkState.AUTH_FAILED:
            self.status.set(ConnectionStatus(LinkState.ONLINE, version=self._version))

    def auth_message(self) -> str:
        """One line saying that this host refused the key, and where the key comes from."""
        where = f"${self.api_key_env}" if self.api_key_env else "no API key variable is set"
        name = self.name or "the server"
        return f"authentication failed on {name} (key from {where})"

    def next_check_in(self) -> float:
        """Seconds until the next check: soon while offline, now and then while online."""
        if self.current.online or self.current.state is LinkState.AUTH_FAILED:
            # A refused key stays refused until the user changes it: no need to hurry.
            return self.ONLINE_CHECK_SECONDS
        return self.OFFLINE_RETRY_SECONDS
