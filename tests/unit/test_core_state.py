"""The shared state under the screens, without Textual: observables, the connection monitor,
the model catalogue, the current chat, the transfer manager and the error mapping."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest

from tui_app.api import (
    ModelNotFoundError,
    OllamaClient,
    OllamaHTTPError,
    OllamaUnavailableError,
    ProgressUpdate,
)
from tui_app.core.catalog import ModelCatalog, first_chat_model
from tui_app.core.clock import ManualClock
from tui_app.core.connection import ConnectionMonitor, ConnectionStatus, LinkState
from tui_app.core.current_chat import CurrentChat
from tui_app.core.errors import describe_error
from tui_app.core.observable import Observable, Signal
from tui_app.core.transfers import (
    TransferEvent,
    TransferEventKind,
    TransferKind,
    TransferManager,
    TransferRefused,
    TransferState,
)
from tui_app.demo import Fault, SimModel, SimulatedOllama
from tui_app.demo._models import blob_digest
from tui_app.store import NotFoundError

MULTI = SimModel(
    name="multi:1b",
    layers=[
        (blob_digest("multi:1b", "weights"), 3_000_000),
        (blob_digest("multi:1b", "projector"), 2_000_000),
    ],
)


@pytest.fixture
def sim() -> SimulatedOllama:
    """A simulated server with a two-layer model to pull, sending its lines fast."""
    server = SimulatedOllama(token_delay=0.0)
    server.catalog[MULTI.key] = MULTI
    fast_pulls(server)
    return server


def slow_pulls(sim: SimulatedOllama) -> None:
    """Lines 20 ms apart: long enough to act on mid-pull."""
    sim.pull_tick = 0.02
    sim.pull_rate = 10_000 / sim.pull_tick


def fast_pulls(sim: SimulatedOllama) -> None:
    """Lines as fast as possible."""
    sim.pull_tick = 0.0
    sim.pull_rate = 100_000 / 0.06


def unreachable_url() -> str:
    """An address on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# -- observables ------------------------------------------------------------------------------


def test_an_observable_tells_only_changes_and_stops_when_closed() -> None:
    value = Observable(1)
    heard: list[int] = []
    subscription = value.subscribe(heard.append)
    assert value.set(2) is True
    assert value.set(2) is False, "the same value again is not a change"
    subscription.close()
    subscription.close()
    value.set(3)
    assert heard == [2]
    assert value.value == 3
    assert value.listener_count == 0


def test_an_observable_can_tell_the_current_value_at_once() -> None:
    value = Observable("a")
    heard: list[str] = []
    value.subscribe(heard.append, init=True)
    assert heard == ["a"]


def test_a_listener_may_unsubscribe_while_being_told() -> None:
    signal: Signal[int] = Signal()
    heard: list[tuple[str, int]] = []

    def once(event: int) -> None:
        heard.append(("once", event))
        subscription.close()

    subscription = signal.subscribe(once)
    signal.subscribe(lambda event: heard.append(("always", event)))
    signal.emit(1)
    signal.emit(2)
    assert heard == [("once", 1), ("always", 1), ("always", 2)]


# -- the connection monitor ---------------------------------------------------------------------


async def test_the_monitor_goes_online_once_and_says_when_it_came_back(
    client: OllamaClient,
) -> None:
    monitor = ConnectionMonitor(client)
    heard: list[ConnectionStatus] = []
    monitor.status.subscribe(heard.append)
    assert monitor.current.state is LinkState.CONNECTING
    assert await monitor.check() is True
    assert await monitor.check() is False, "already online: nothing new"
    assert [status.state for status in heard] == [LinkState.ONLINE]
    assert monitor.current.version
    assert monitor.next_check_in() == ConnectionMonitor.ONLINE_CHECK_SECONDS


async def test_an_unreachable_server_is_offline_with_the_reason() -> None:
    async with OllamaClient(unreachable_url()) as client:
        monitor = ConnectionMonitor(client)
        assert await monitor.check() is False
    assert monitor.current.state is LinkState.OFFLINE
    assert monitor.current.error
    assert monitor.next_check_in() == ConnectionMonitor.OFFLINE_RETRY_SECONDS


async def test_failed_turns_an_online_monitor_offline(client: OllamaClient) -> None:
    monitor = ConnectionMonitor(client)
    await monitor.check()
    monitor.failed(OllamaUnavailableError("http://x", "connection refused"))
    assert monitor.current == ConnectionStatus(LinkState.OFFLINE, error="connection refused")
    assert await monitor.check() is True, "the next good check brings it back"


# -- the model catalogue ------------------------------------------------------------------------


async def test_the_catalogue_lists_models_and_tells_listeners(client: OllamaClient) -> None:
    catalog = ModelCatalog(client, ConnectionMonitor(client))
    heard: list[int] = []
    catalog.models.subscribe(lambda models: heard.append(len(models)))
    models = await catalog.refresh()
    assert models and heard == [len(models)]
    await catalog.refresh()
    assert heard == [len(models)], "the same list again is not a change"
    assert catalog.names() == [model.name for model in models]
    chat_model = catalog.first_chat_model()
    assert chat_model is not None
    assert "embed" not in chat_model


def test_first_chat_model_skips_embedding_models() -> None:
    assert first_chat_model([]) is None


async def test_model_details_are_asked_once_until_the_list_changes(
    client: OllamaClient, sim: SimulatedOllama
) -> None:
    catalog = ModelCatalog(client, ConnectionMonitor(client))
    await catalog.refresh()
    assert catalog.cached_info("llama3.2") is None
    info = await catalog.info("llama3.2")
    assert await catalog.info("llama3.2:latest") is info
    assert catalog.cached_info("LLAMA3.2") is info
    shows = [r for r in sim.requests if r.path == "/api/show"]
    assert len(shows) == 1
    await client.delete("gemma3:1b")
    await catalog.refresh()
    assert catalog.cached_info("llama3.2") is None, "a changed list empties the cache"


async def test_an_older_list_never_replaces_a_newer_one(
    client: OllamaClient, sim: SimulatedOllama
) -> None:
    catalog = ModelCatalog(client, ConnectionMonitor(client))
    sim.inject(Fault("/api/tags", first_byte_delay=0.2))
    slow = asyncio.create_task(catalog.refresh())
    await asyncio.sleep(0.05)
    await client.delete("gemma3:1b")
    fresh = await catalog.refresh()
    await slow
    assert catalog.models.value == fresh
    assert "gemma3:1b" not in catalog.names()


async def test_an_unreachable_catalogue_turns_the_connection_offline() -> None:
    async with OllamaClient(unreachable_url()) as client:
        monitor = ConnectionMonitor(client)
        catalog = ModelCatalog(client, monitor)
        with pytest.raises(OllamaUnavailableError):
            await catalog.refresh()
        assert monitor.current.state is LinkState.OFFLINE
        with pytest.raises(OllamaUnavailableError):
            await catalog.info("llama3.2")


# -- the current chat ---------------------------------------------------------------------------


def test_the_current_chat_tells_its_id_and_model() -> None:
    current = CurrentChat()
    ids: list[int | None] = []
    models: list[str] = []
    current.id.subscribe(ids.append)
    current.model.subscribe(models.append)
    current.show(7, "qwen3:8b")
    current.show(7, None)
    current.show(None, "llama3.2")
    assert ids == [7, None]
    assert models == ["qwen3:8b", "", "llama3.2"]


# -- the transfer manager -----------------------------------------------------------------------


@pytest.fixture
def manager(client: OllamaClient) -> TransferManager:
    connection = ConnectionMonitor(client)
    return TransferManager(client, ModelCatalog(client, connection), connection, ManualClock())


async def finished(manager: TransferManager) -> None:
    """Wait until no transfer runs."""
    for _ in range(2000):
        if manager.running_count() == 0:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("a transfer never ended")


def events_of(manager: TransferManager) -> list[tuple[TransferEventKind, str]]:
    heard: list[tuple[TransferEventKind, str]] = []

    def record(event: TransferEvent) -> None:
        heard.append((event.kind, event.job.transfer.model))

    manager.changed.subscribe(record)
    return heard


async def test_a_pull_runs_to_success_and_refreshes_the_catalogue(
    client: OllamaClient,
) -> None:
    connection = ConnectionMonitor(client)
    catalog = ModelCatalog(client, connection)
    manager = TransferManager(client, catalog, connection, ManualClock())
    heard = events_of(manager)
    listed: list[int] = []
    catalog.models.subscribe(lambda models: listed.append(len(models)))
    job = manager.start_pull(" multi:1b ")
    assert job.subject == "pull multi:1b"
    assert manager.running_count() == 1
    await finished(manager)
    assert job.transfer.state is TransferState.SUCCEEDED
    assert heard == [
        (TransferEventKind.STARTED, "multi:1b"),
        (TransferEventKind.ENDED, "multi:1b"),
    ]
    for _ in range(200):
        if listed:
            break
        await asyncio.sleep(0.005)
    assert listed, "the new model is listed"


async def test_a_bad_name_or_a_second_pull_is_refused(
    manager: TransferManager, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    with pytest.raises(TransferRefused) as bad:
        manager.start_pull("not a name!")
    assert bad.value.running is None
    job = manager.start_pull("multi:1b")
    with pytest.raises(TransferRefused) as twice:
        manager.start_pull("MULTI:1b")
    assert twice.value.running is job
    assert "already running" in str(twice.value)
    manager.cancel(job.transfer)
    await finished(manager)


async def test_cancel_stops_at_once_and_again_resumes(
    manager: TransferManager, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    heard = events_of(manager)
    job = manager.start_pull("multi:1b")
    for _ in range(1000):
        if job.transfer.completed_bytes > 0:
            break
        await asyncio.sleep(0.005)
    assert manager.cancel(job.transfer) is True
    assert job.transfer.state.finished, "cancelled at once"
    assert manager.running_count() == 0
    assert manager.cancel(job.transfer) is False, "not running any more"
    fast_pulls(sim)
    assert manager.again(job) is job
    assert job.transfer.runs == 2
    await finished(manager)
    assert job.transfer.state is TransferState.SUCCEEDED
    assert job.transfer.resumed
    assert [kind for kind, _ in heard] == [
        TransferEventKind.STARTED,
        TransferEventKind.ENDED,
        TransferEventKind.STARTED,
        TransferEventKind.ENDED,
    ]
    assert manager.jobs == [job], "pulling again reuses the entry"


async def test_a_failed_create_keeps_the_server_words(manager: TransferManager) -> None:
    job = manager.start_create("terse", from_="no-such-base", parameters={"temperature": 0.2})
    assert job.subject == "create terse from no-such-base"
    assert job.transfer.kind is TransferKind.CREATE
    await finished(manager)
    assert job.transfer.state is TransferState.FAILED
    assert job.transfer.error == "pull model manifest: file does not exist"


async def test_an_unreachable_server_fails_the_pull_and_goes_offline() -> None:
    async with OllamaClient(unreachable_url()) as client:
        connection = ConnectionMonitor(client)
        manager = TransferManager(
            client, ModelCatalog(client, connection), connection, ManualClock()
        )
        job = manager.start_pull("multi:1b")
        await finished(manager)
    assert job.transfer.state is TransferState.FAILED
    assert connection.current.state is LinkState.OFFLINE


async def test_clear_finished_leaves_running_transfers(
    manager: TransferManager, sim: SimulatedOllama
) -> None:
    failed = manager.start_pull("no-such-model")
    await finished(manager)
    slow_pulls(sim)
    running = manager.start_pull("multi:1b")
    heard = events_of(manager)
    assert manager.clear_finished() == [failed]
    assert manager.jobs == [running]
    assert heard == [(TransferEventKind.REMOVED, "no-such-model")]
    manager.cancel(running.transfer)
    await finished(manager)


async def test_the_runner_decides_how_a_transfer_runs(manager: TransferManager) -> None:
    names: list[str] = []

    def runner(coroutine: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        names.append(name)
        return asyncio.create_task(coroutine)

    manager.runner = runner
    manager.start_pull("smollm2:135m")
    await finished(manager)
    assert names == ["pull:smollm2:135m"]


async def test_a_stream_that_breaks_oddly_still_ends_the_transfer(
    manager: TransferManager, client: OllamaClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(model: str) -> AsyncIterator[ProgressUpdate]:
        yield ProgressUpdate("pulling manifest")
        raise RuntimeError("boom")

    monkeypatch.setattr(client, "pull", broken)
    job = manager.start_pull("multi:1b")
    await finished(manager)
    assert job.transfer.state is TransferState.FAILED
    assert job.transfer.error == "RuntimeError: boom"


# -- errors -------------------------------------------------------------------------------------


def test_an_unreachable_server_goes_offline() -> None:
    shown = describe_error(OllamaUnavailableError("http://h", "refused"), "Could not load")
    assert shown.goes_offline
    assert shown.title == "Could not load"
    assert shown.message == "Cannot reach Ollama at http://h: refused"


def test_server_errors_keep_their_words_and_stay_online() -> None:
    shown = describe_error(ModelNotFoundError("x", "model 'x' not found"))
    assert not shown.goes_offline
    assert shown.title == "Ollama error"
    assert "model 'x' not found" in shown.message
    assert describe_error(OllamaHTTPError(500, "oops")).message == "Ollama error 500: oops"


def test_store_errors_and_bugs_are_told_plainly() -> None:
    assert describe_error(NotFoundError("chat 3 does not exist")).title == "Could not save"
    shown = describe_error(KeyError("k"), "Export")
    assert (shown.title, shown.message, shown.goes_offline) == ("Export", "KeyError: 'k'", False)
    assert describe_error(RuntimeError()).message == "RuntimeError"
    refused = describe_error(ValueError("temperature must be at least 0"), "Not saved")
    assert (refused.title, refused.message) == ("Not saved", "temperature must be at least 0")
