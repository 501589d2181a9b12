"""Requests from one area to another, posted by a screen and handled by the app.

A screen never switches areas or reaches into another screen: it posts one of these, and
the app shows the area that does the job and hands the request over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from textual.message import Message

from tui_app.core.file_create import FileCreate


@dataclass
class OpenChat(Message):
    """Show the chat screen with a new chat using ``model`` on ``host`` ("": the default
    host), or the saved chat ``chat_id``."""

    model: str
    chat_id: int | None = None
    host: str = ""


@dataclass
class StartPull(Message):
    """Pull ``model`` (onto host ``host``; "": the default), with progress on the pulls screen."""

    model: str
    host: str = ""


@dataclass
class StartCreate(Message):
    """Create ``model`` from ``from_``, with its progress on the pulls screen."""

    model: str
    from_: str
    system: str | None = None
    parameters: Mapping[str, object] = field(default_factory=dict)
    host: str = ""
    """The host to create it on; "" is the default host."""


@dataclass
class StartPush(Message):
    """Push ``model`` to its registry, with its progress on the pulls screen."""

    model: str
    host: str = ""
    """The host to push it from; "" is the default host."""


@dataclass
class StartCreateFromFile(Message):
    """Create a model from a local GGUF file, with its progress on the pulls screen."""

    request: FileCreate
    host: str = ""
    """The host to create it on; "" is the default host."""


@dataclass
class WarmedUp(Message):
    """The first screen has drawn and warmed up: what start-up built can be frozen."""
