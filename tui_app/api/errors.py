"""Errors raised by :class:`~tui_app.api.client.OllamaClient`.

Every message is written for a person to read in a notification: it says what
happened and, where the server said why, quotes the server's own words, with its
control characters made visible: an error body is server data like any other.
"""

from __future__ import annotations

from tui_app.safe_text import safe_text


class OllamaError(Exception):
    """Base class of everything the client raises."""


class OllamaUnavailableError(OllamaError):
    """The server could not be reached at all (refused, DNS, TLS, connect timeout)."""

    def __init__(self, host: str, reason: str) -> None:
        self.host = host
        self.reason = safe_text(reason)
        super().__init__(f"Cannot reach Ollama at {host}: {self.reason}")


class ConnectionLostError(OllamaError):
    """The connection dropped, or a stream ended, before the server said it was done."""

    def __init__(self, reason: str) -> None:
        self.reason = safe_text(reason)
        super().__init__(f"Connection to Ollama lost: {self.reason}")


class OllamaHTTPError(OllamaError):
    """The server answered with an error status before any output."""

    def __init__(self, status: int, server_message: str) -> None:
        self.status = status
        self.server_message = safe_text(server_message)
        super().__init__(f"Ollama error {status}: {self.server_message}")


class ModelNotFoundError(OllamaHTTPError):
    """The model named in the request is not installed on the server."""

    def __init__(self, model: str, server_message: str) -> None:
        self.model = model
        super().__init__(404, server_message)


class OllamaStreamError(OllamaError):
    """The server reported an error inside a stream that had already started."""

    def __init__(self, server_message: str) -> None:
        self.server_message = safe_text(server_message)
        super().__init__(self.server_message)


class MalformedResponseError(OllamaError):
    """The server sent something that is not the shape Ollama sends."""

    def __init__(self, detail: str) -> None:
        self.detail = safe_text(detail)
        super().__init__(f"Unexpected response from the server: {self.detail}")


class ReplyTimeoutError(ConnectionLostError):
    """The server sent nothing of a reply for longer than the client waits."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        minutes = f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"
        super().__init__(
            f"Ollama sent nothing for {minutes}; a large model can take longer to load "
            "(reply_timeout in the configuration file)"
        )
