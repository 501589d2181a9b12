"""Shared fixtures: a simulated Ollama (in-process and on a loopback port), clients, the app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tui_app.api import OllamaClient
from tui_app.core.clock import Clock
from tui_app.demo import SimulatedOllama, SimulatedServer
from tui_app.store import Store

IN_PROCESS_URL = "http://ollama.test"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the user's real data, host and key out of every test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("OLLAMA_TUI_CONFIG", raising=False)
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.delenv("OLLAMA_TUI_DATA_DIR", raising=False)


@pytest.fixture
def sim() -> SimulatedOllama:
    """A fresh simulated server that streams as fast as it can."""
    return SimulatedOllama(token_delay=0.0, pull_tick=0.001, pull_rate=20e9)


@pytest.fixture
def live_server(sim: SimulatedOllama) -> Iterator[SimulatedServer]:
    """The simulated server on a real 127.0.0.1 socket."""
    with sim.serve() as server:
        yield server


@pytest.fixture(params=["in-process", "socket"])
async def any_client(
    request: pytest.FixtureRequest, sim: SimulatedOllama
) -> AsyncIterator[OllamaClient]:
    """A client talking to ``sim``, once in-process and once over a loopback socket."""
    if request.param == "in-process":
        client = OllamaClient(IN_PROCESS_URL, transport=sim.transport())
        async with client:
            yield client
    else:
        with sim.serve() as server:
            async with OllamaClient(server.url) as client:
                yield client


@pytest.fixture
async def client(sim: SimulatedOllama) -> AsyncIterator[OllamaClient]:
    """An in-process client talking to ``sim``."""
    async with OllamaClient(IN_PROCESS_URL, transport=sim.transport()) as client:
        yield client


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store in a temporary directory."""
    store = Store.open(tmp_path / "data" / "ollama-tui.db")
    yield store
    store.close()


@pytest.fixture
def app_clock() -> Clock:
    """The clock of the apps ``make_app`` builds (and of their stores); a module may
    override this fixture with a :class:`~tui_app.core.clock.ManualClock`."""
    return Clock()


@pytest.fixture
def make_app(
    sim: SimulatedOllama, tmp_path: Path, app_clock: Clock
) -> Iterator[Callable[..., object]]:
    """Build the real app around ``sim`` (in-process) and a temporary store, on ``app_clock``."""
    from tests.helpers import record_notifications
    from tui_app.app import OllamaTUI
    from tui_app.services import Services

    stores: list[Store] = []

    def factory(
        *,
        demo: bool = False,
        initial_model: str | None = None,
        store_dir: Path | None = None,
        **config: Any,
    ) -> OllamaTUI:
        """``store_dir`` reopens an earlier app's data; ``config`` sets more Services fields."""
        folder = store_dir or tmp_path / f"app-{len(stores)}"
        store = Store.open(folder / "ollama-tui.db", clock=app_clock.time)
        stores.append(store)
        services = Services(
            client=OllamaClient(IN_PROCESS_URL, transport=sim.transport()),
            store=store,
            host=IN_PROCESS_URL,
            demo=demo,
            initial_model=initial_model,
            clock=app_clock,
            **config,
        )
        app = OllamaTUI(services)
        record_notifications(app)
        return app

    yield factory
    for store in stores:
        store.close()
