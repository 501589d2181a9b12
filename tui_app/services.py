"""The objects every screen works through, handed down from the app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tui_app.api import OllamaClient
from tui_app.core.catalog import ModelCatalog
from tui_app.core.clock import Clock
from tui_app.core.connection import ConnectionMonitor
from tui_app.core.current_chat import CurrentChat
from tui_app.core.hosts import Host, HostSet
from tui_app.core.transfers import TransferManager
from tui_app.store import Store


@dataclass(frozen=True, slots=True)
class Services:
    """What screens and widgets need from outside the UI.

    Passed to each screen's constructor so nothing reaches for module globals or up to
    the app, and tests can build an app around a simulated server and a temporary store.
    The shared state of the run (connection, models, transfers, the chat in view) is built
    from the client here; screens follow it by subscribing.
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
    """The variable the default host's key is read from (named in messages, never read here)."""
    config_file: Path | None = None
    """The configuration file, where hosts added in the app are written; None: nowhere."""
    more_hosts: tuple[Host, ...] = ()
    """The configuration's other hosts, each with its own client; :attr:`hosts` holds all."""
    clock: Clock = field(default_factory=Clock)
    """Where every screen reads the time; tests pass a :class:`~tui_app.core.clock.ManualClock`."""
    connection: ConnectionMonitor = field(init=False)
    """Whether the server answers; every screen's status bar follows it."""
    catalog: ModelCatalog = field(init=False)
    """Installed models and their ``/api/show`` details."""
    transfers: TransferManager = field(init=False)
    """Every pull and create of this run."""
    current: CurrentChat = field(init=False)
    """The chat on the chat screen, and its model."""
    hosts: HostSet = field(init=False)
    """Every host; the first is the one :attr:`client`, :attr:`connection` and
    :attr:`catalog` talk to."""

    def __post_init__(self) -> None:
        connection = ConnectionMonitor(self.client, name=self.host, api_key_env=self.api_key_env)
        catalog = ModelCatalog(self.client, connection)
        default = Host(
            self.host,
            self.client.base_url,
            self.client,
            api_key_env=self.api_key_env,
            connection=connection,
            catalog=catalog,
        )
        object.__setattr__(self, "hosts", HostSet([default, *self.more_hosts]))
        # The dataclass is frozen so nobody swaps these out; they are built once, here.
        object.__setattr__(self, "connection", connection)
        object.__setattr__(self, "catalog", catalog)
        object.__setattr__(
            self, "transfers", TransferManager(self.client, catalog, connection, self.clock)
        )
        object.__setattr__(self, "current", CurrentChat())
