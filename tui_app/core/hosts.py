"""Every Ollama host of this run: each with its own client, connection and model list.

A laptop for small models, a GPU box for big ones, a hosted Ollama reached with a key:
each :class:`Host` is checked, listed and failed on its own, so one being away never
holds up the others. The :class:`HostSet` keeps them in the user's order, the default
first, and answers the questions that span hosts (where else is this exact model?).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tui_app.api import ModelSummary, OllamaClient
from tui_app.api.names import normalise_model_name
from tui_app.core.catalog import ModelCatalog
from tui_app.core.connection import ConnectionMonitor, ConnectionStatus
from tui_app.core.observable import Signal, Subscription

__all__ = ["Host", "HostSet"]


class Host:
    """One server: its name, its address, and the client, monitor and catalogue for it.

    The API key, when there is one, lives only inside :attr:`client` (as its
    ``Authorization`` header): nothing here holds or shows its value.
    """

    def __init__(
        self,
        name: str,
        url: str,
        client: OllamaClient,
        *,
        api_key_env: str | None = None,
        connection: ConnectionMonitor | None = None,
        catalog: ModelCatalog | None = None,
    ) -> None:
        self.name = name
        """What the user calls this host (a ``[[hosts]]`` name, or its address)."""
        self.url = url
        """The base URL dialled."""
        self.api_key_env = api_key_env
        """The variable the key was read from, named in messages; never the key itself."""
        self.client = client
        self.connection = connection or ConnectionMonitor(
            client, name=name, api_key_env=api_key_env
        )
        self.catalog = catalog or ModelCatalog(client, self.connection)

    @property
    def status(self) -> ConnectionStatus:
        """This host's link, as last checked."""
        return self.connection.current

    def find(self, model: str) -> ModelSummary | None:
        """The installed model called ``model`` on this host, as last listed, or None."""
        wanted = normalise_model_name(model)
        for summary in self.catalog.models.value:
            if normalise_model_name(summary.name) == wanted:
                return summary
        return None

    def __repr__(self) -> str:
        return f"Host({self.name!r}, {self.url!r})"


@dataclass(frozen=True, slots=True)
class HostChange:
    """Something about one host changed: its link or its model list."""

    host: Host


class HostSet:
    """The hosts of this run in the user's order; the first is the default.

    :meth:`subscribe` tells a listener whenever any host's link or model list changes, so a
    status bar or a model browser follows every host with one subscription.
    """

    def __init__(self, hosts: list[Host]) -> None:
        if not hosts:
            raise ValueError("a run needs at least one host")
        names = [host.name for host in hosts]
        if len(set(names)) != len(names):
            raise ValueError("host names must differ")
        self._hosts = list(hosts)
        self._added: Signal[Host] = Signal()
        self._changed: Signal[Host] = Signal()
        self._former: dict[str, Host] = {}
        """Names hosts had before being renamed in this run: a chat opened under the old
        name still finds its own machine, never the default one."""

    def add(self, host: Host) -> None:
        """Add ``host`` at the end; listeners follow it from now on.

        Raises :class:`ValueError` when a host has that name already.
        """
        if self.get(host.name) is not None:
            raise ValueError(f"{host.name!r} is already a host")
        self._hosts.append(host)
        self._added.emit(host)

    def rename(self, host: Host, name: str) -> None:
        """Call ``host`` ``name`` from now on; its old name still finds it in this run.

        Raises :class:`ValueError` when another host has that name already.
        """
        other = self.get(name)
        if other is not None and other is not host:
            raise ValueError(f"{name!r} is already a host")
        self._former[host.name] = host
        self._former.pop(name, None)
        host.name = name
        host.connection.name = name
        self._changed.emit(host)

    def remove(self, host: Host) -> None:
        """Stop using ``host``; the default host cannot be removed (:class:`ValueError`)."""
        if host is self.default:
            raise ValueError(f"{host.name} is the default host")
        self._hosts.remove(host)
        self._former = {old: h for old, h in self._former.items() if h is not host}
        self._changed.emit(host)

    def subscribe(self, listener: Callable[[HostChange], object]) -> Subscription:
        """Call ``listener`` whenever any host's link or model list changes, until closed.

        Nothing is subscribed until someone listens, so a closed screen leaves no trace.
        """
        subscriptions: list[Subscription] = []

        def follow(host: Host) -> None:
            def told(_: object) -> None:
                listener(HostChange(host))

            subscriptions.append(host.connection.status.subscribe(told))
            subscriptions.append(host.catalog.models.subscribe(told))

        def added(host: Host) -> None:
            follow(host)
            listener(HostChange(host))

        for host in self._hosts:
            follow(host)
        subscriptions.append(self._added.subscribe(added))
        subscriptions.append(self._changed.subscribe(lambda host: listener(HostChange(host))))

        def stop() -> None:
            for subscription in subscriptions:
                subscription.close()

        return Subscription(stop)

    @property
    def default(self) -> Host:
        """The host new chats use unless the user picks another."""
        return self._hosts[0]

    def __iter__(self) -> Iterator[Host]:
        return iter(list(self._hosts))

    def __len__(self) -> int:
        return len(self._hosts)

    def names(self) -> list[str]:
        """Every host's name, in order."""
        return [host.name for host in self._hosts]

    def get(self, name: str | None) -> Host | None:
        """The host called ``name`` (or called so before a rename), or None (also for None)."""
        found = next((host for host in self._hosts if host.name == name), None)
        return found if found is not None or name is None else self._former.get(name)

    def get_or_default(self, name: str | None) -> Host:
        """The host called ``name``, else the default host."""
        return self.get(name) or self.default

    def others_with(self, host: Host, model: str) -> list[Host]:
        """Online hosts other than ``host`` that have the very same ``model``.

        Same means the same digest, not just the same name: two machines may hold
        different builds under one tag. Without a known digest on ``host``, none match.
        """
        own = host.find(model)
        if own is None or not own.digest:
            return []
        found: list[Host] = []
        for other in self._hosts:
            if other is host or not other.status.online:
                continue
            theirs = other.find(model)
            if theirs is not None and theirs.digest == own.digest:
                found.append(other)
        return found
