"""Copy text: the system clipboard through pyperclip, else the terminal's OSC 52.

pyperclip needs a clipboard program or a desktop session, which an SSH login or a headless
box lacks; then the text is handed to the terminal with an OSC 52 escape, which most modern
terminals (and tmux with ``set-clipboard on``) pass to the clipboard of the machine the user
sits at. Whether the terminal accepted it cannot be known, so the notice says what was tried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import pyperclip


class CopyMethod(Enum):
    """How a copy reached a clipboard."""

    SYSTEM = "system"
    """pyperclip put it on the system clipboard."""
    TERMINAL = "terminal"
    """It was sent to the terminal with OSC 52."""
    NONE = "none"
    """Neither way was available."""


@dataclass(frozen=True, slots=True)
class CopyResult:
    """The outcome of :func:`copy_text`."""

    method: CopyMethod
    system_error: str = ""
    """Why pyperclip could not copy, when it could not."""
    terminal_error: str = ""
    """Why OSC 52 could not be used, when it could not."""

    def notice(self, what: str) -> str:
        """A one-line notice about copying ``what`` (e.g. "the last reply")."""
        if self.method is CopyMethod.SYSTEM:
            return f"Copied {what} to the clipboard."
        if self.method is CopyMethod.TERMINAL:
            return (
                f"Sent {what} to the terminal's clipboard (OSC 52): no system clipboard here "
                f"({self.system_error}). If pasting gives nothing, your terminal blocks OSC 52."
            )
        return (
            f"Could not copy {what}: no system clipboard ({self.system_error}) and the "
            f"terminal could not take it ({self.terminal_error})."
        )


def system_copy(text: str) -> str:
    """Put ``text`` on the system clipboard; return "" on success, else the reason it failed.

    Blocking (pyperclip may run a helper program), so call it from a thread.
    """
    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException as error:
        # pyperclip's message runs on with a link to its docs; its first sentence says it.
        return str(error).split(". ")[0].strip() or "pyperclip has no backend"
    except Exception as error:  # a backend program may fail in its own ways
        return f"{type(error).__name__}: {error}"
    return ""


def copy_text(
    text: str, terminal_copy: Callable[[str], None], *, system_error: str | None = None
) -> CopyResult:
    """Copy ``text``, falling back to ``terminal_copy`` (OSC 52) when pyperclip cannot.

    ``system_error`` is the result of an earlier :func:`system_copy` call made off the UI
    thread; when it is None, :func:`system_copy` is called here.
    """
    problem = system_copy(text) if system_error is None else system_error
    if not problem:
        return CopyResult(CopyMethod.SYSTEM)
    try:
        terminal_copy(text)
    except Exception as error:  # the driver may be gone or its output closed
        return CopyResult(CopyMethod.NONE, system_error=problem, terminal_error=str(error))
    return CopyResult(CopyMethod.TERMINAL, system_error=problem)
