"""The objects every screen works through, handed down from the app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tui_app.api import OllamaClient
from tui_app.store import Store


@dataclass(frozen=True, slots=True)
class Services:
    """What screens and widgets need from outside the UI.

    Passed to each screen's constructor so nothing reaches for module globals,
    and tests can build an app around a simulated server and a temporary store.
    """

    client: OllamaClient
    """The one Ollama client of this app run."""
    store: Store
    """Chats, messages, settings and presets."""
    host: str
    """The server address shown to the user."""
    demo: bool = False
    """True when talking to the built-in simulated Ollama."""
    initial_model: str | None = None
    """A model named on the command line or in the config file, preselected for new chats."""
    theme: str | None = None
    """The theme the configuration file asks for; else the one last chosen in the app."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id to keys, from the configuration file's ``[keymap]``."""
    config_problems: tuple[str, ...] = ()
    """One line per bad key of the configuration file, told to the user at start."""
    api_key_env: str | None = None
    """The environment variable the API key was read from, when one is used; copied
    commands name it instead of the key."""
