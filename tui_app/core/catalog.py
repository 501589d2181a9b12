"""The installed models and what ``/api/show`` said of each, shared by every screen.

One :class:`ModelCatalog` per app run: the model list changes only here (screens follow
:attr:`ModelCatalog.models`), and each model's details are asked for once until the list
changes (a model may have been pulled again, created over or deleted).
"""

from __future__ import annotations

from collections.abc import Iterable

from tui_app.api import (
    ModelInfo,
    ModelSummary,
    OllamaClient,
    OllamaHTTPError,
    OllamaUnavailableError,
)
from tui_app.api.names import normalise_model_name
from tui_app.core.connection import ConnectionMonitor, is_auth_failure
from tui_app.core.observable import Observable


def first_chat_model(models: Iterable[ModelSummary]) -> str | None:
    """The first model that can chat (embedding-only models cannot), or None."""
    for model in models:
        if "embedding" not in model.capabilities:
            return model.name
    return None


class ModelCatalog:
    """The model list as last read, and a cache of ``/api/show`` per model.

    A request that finds the server unreachable tells the connection monitor before the
    error reaches the caller.
    """

    def __init__(self, client: OllamaClient, connection: ConnectionMonitor) -> None:
        self._client = client
        self._connection = connection
        self.models: Observable[tuple[ModelSummary, ...]] = Observable(())
        """Installed models, as last listed; told to listeners when the list changes."""
        self._info: dict[str, ModelInfo] = {}
        self._generation = 0
        self.skipped: tuple[str, ...] = ()
        """Why entries of the last list were left out (a name listed twice, a size of
        ``1e999``...), one line per kind of problem."""
        self._said: set[str] = set()
        # Subscribed first, so the cache is empty before any screen hears of the new list.
        self.models.subscribe(lambda _: self._info.clear())

    async def refresh(self) -> tuple[ModelSummary, ...]:
        """List the installed models again; raises :class:`~tui_app.api.OllamaError`.

        When two refreshes overlap, the one started last decides the list: an older
        answer arriving late never replaces a newer one.
        """
        self._generation += 1
        mine = self._generation
        try:
            listing = await self._client.list_models()
        except OllamaUnavailableError as exc:
            self._connection.failed(exc)
            raise
        except OllamaHTTPError as exc:
            if is_auth_failure(exc):
                self._connection.failed(exc)
            raise
        self._connection.accepted()
        if mine == self._generation:
            self.skipped = listing.skipped
            self.models.set(tuple(listing))
        return self.models.value

    async def info(self, model: str) -> ModelInfo:
        """``/api/show`` of ``model``, asked once until the list of models changes.

        Raises :class:`~tui_app.api.OllamaError`.
        """
        key = self._key(model)
        cached = self._info.get(key)
        if cached is not None:
            return cached
        try:
            info = await self._client.show(model)
        except OllamaUnavailableError as exc:
            self._connection.failed(exc)
            raise
        self._info[key] = info
        return info

    def unsaid(self, notes: Iterable[str]) -> list[str]:
        """Those of ``notes`` not said before in this run, counted as said from now on.

        A poll meets the same broken entries every few seconds; each is worth one warning.
        """
        new = [note for note in dict.fromkeys(notes) if note not in self._said]
        self._said.update(new)
        return new

    def cached_info(self, model: str) -> ModelInfo | None:
        """What :meth:`info` has for ``model`` already, without asking the server."""
        return self._info.get(self._key(model))

    def names(self) -> list[str]:
        """The names of the installed models, as listed."""
        return [model.name for model in self.models.value]

    def first_chat_model(self) -> str | None:
        """The first installed model that can chat, or None."""
        return first_chat_model(self.models.value)

    @staticmethod
    def _key(model: str) -> str:
        return normalise_model_name(model).lower()
