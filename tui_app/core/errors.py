"""How an error becomes what the user is told: one rule for every screen.

Screens call :func:`describe_error` (through ``AreaScreen.report``) instead of composing
messages and deciding about the connection at each call site.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_app.api import OllamaError, OllamaUnavailableError
from tui_app.store import StoreError


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What to tell the user about an error."""

    title: str
    """The notification's title."""
    message: str
    """The text, plain (never markup)."""
    goes_offline: bool
    """True when the error means the server cannot be reached: the app turns offline."""


def describe_error(error: BaseException, title: str | None = None) -> ErrorReport:
    """What to tell the user about ``error``, under ``title`` (or a title for its kind)."""
    if isinstance(error, OllamaUnavailableError):
        return ErrorReport(title or "Ollama is unreachable", str(error), goes_offline=True)
    if isinstance(error, OllamaError):
        return ErrorReport(title or "Ollama error", str(error), goes_offline=False)
    if isinstance(error, StoreError):
        return ErrorReport(title or "Could not save", str(error), goes_offline=False)
    if isinstance(error, (ValueError, TypeError)) and str(error):
        # The store and the option rules refuse bad values with a sentence for the user.
        return ErrorReport(title or "Not accepted", str(error), goes_offline=False)
    # Anything else is a bug; say what it was rather than nothing.
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return ErrorReport(title or "Something went wrong", text, goes_offline=False)
