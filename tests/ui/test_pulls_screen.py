"""The pulls screen against the simulated server: progress, quirks, concurrency, cancel, resume."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.helpers import (
    notice_texts,
    notices,
    record_notifications,
    settle_workers,
    state_of,
    until,
)
from tui_app.api import OllamaUnavailableError, ProgressUpdate
from tui_app.app import OllamaTUI
from tui_app.core.connection import LinkState
from tui_app.core.transfers import Transfer, TransferKind, TransferState
from tui_app.demo import Fault, SimModel, SimulatedOllama
from tui_app.demo._models import blob_digest
from tui_app.messages import StartCreate, StartPull
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import ConfirmDialog
from tui_app.screens.pulls import PullsScreen
from tui_app.widgets.pull_progress import ProgressRow, PullPanel

AppFactory = Callable[..., OllamaTUI]

WEIGHTS = blob_digest("multi:1b", "weights")
PROJECTOR = blob_digest("multi:1b", "projector")
TEMPLATE = blob_digest("multi:1b", "template")
MULTI = SimModel(
    name="multi:1b",
    layers=[(WEIGHTS, 3_000_000), (PROJECTOR, 2_000_000), (TEMPLATE, 500)],
)
"""Two layers big enough for many progress lines, and one so small it sends a single line."""


def slow_pulls(sim: SimulatedOllama) -> None:
    """About 300 lines per big layer, 20 ms apart: long enough to act on mid-pull.

    Tests call :func:`fast_pulls` to finish: the lines already planned then come at once.
    """
    sim.pull_tick = 0.02
    sim.pull_rate = 10_000 / sim.pull_tick


def fast_pulls(sim: SimulatedOllama) -> None:
    """About 30 lines per big layer, sent as fast as possible."""
    sim.pull_tick = 0.0
    sim.pull_rate = 100_000 / 0.06


@pytest.fixture
def sim() -> SimulatedOllama:
    """The shared simulated server, with a multi-layer model to pull."""
    server = SimulatedOllama(token_delay=0.0)
    server.catalog[MULTI.key] = MULTI
    fast_pulls(server)
    return server


async def open_pulls(pilot: Pilot[None]) -> PullsScreen:
    await pilot.press("f4")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PullsScreen)
    return screen


async def settle(pilot: Pilot[None]) -> None:
    """Wait for pulls and the model-list refresh they start."""
    await settle_workers(pilot)


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app run until ``condition`` holds (bounded, so a bug fails instead of hanging)."""
    await until(pilot, condition, tries=1000, step=0.005)


def pull_requests(sim: SimulatedOllama) -> list[dict[str, Any]]:
    return [r.body for r in sim.requests if r.path == "/api/pull"]


def panel_for(screen: PullsScreen, model: str) -> PullPanel:
    return next(panel for panel in screen.query(PullPanel) if panel.transfer.model == model)


def panel_text(panel: PullPanel) -> str:
    parts = [str(panel.border_title), str(panel.border_subtitle)]
    parts += [str(widget.render()) for widget in panel.query(Static)]
    return "\n".join(parts)


async def test_opening_the_screen_focuses_the_name_field(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        assert isinstance(app.focused, Input)
        assert app.focused.id == "pull-model"
        assert screen.query_one("#pull-empty").display


async def test_a_multi_layer_pull_to_success(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        await pilot.press(*"multi:1b", "enter")
        await settle(pilot)

        assert pull_requests(sim) == [{"model": "multi:1b", "stream": True}]
        (transfer,) = screen.transfers
        assert transfer.state is TransferState.SUCCEEDED
        assert transfer.status == "success"
        assert transfer.statuses[0] == "pulling manifest"
        assert transfer.statuses[-3:] == ["verifying sha256 digest", "writing manifest", "success"]
        # The template layer is done within one tick: it shows once, complete.
        assert list(transfer.layers) == [WEIGHTS, PROJECTOR, TEMPLATE]
        assert all(layer.finished and layer.fraction == 1 for layer in transfer.layers.values())
        assert transfer.total_bytes == 5_000_500

        panel = panel_for(screen, "multi:1b")
        assert panel.has_class("-succeeded")
        rows = list(panel.query(ProgressRow))
        assert len(rows) == 4, "a bar per layer and one overall"
        text = panel_text(panel)
        assert "pull multi:1b" in text
        assert WEIGHTS[7:19] in text and PROJECTOR[7:19] in text
        assert "3.0 MB" in text and "5.0 MB" in text
        assert screen.query_one(Input).value == "", "the field is cleared for the next name"
        assert not screen.query_one("#pull-empty").display


async def test_success_refreshes_the_model_list_and_says_so(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "multi:1b" not in {m.name for m in app.models}
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        await settle(pilot)
        assert "multi:1b" in {m.name for m in app.models}
        assert "Pulled multi:1b" in notice_texts(app)


async def test_a_fresh_layer_starts_without_completed(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    seen: list[ProgressUpdate] = []
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        original = Transfer.apply

        def spy(self: Transfer, update: ProgressUpdate, now: float) -> None:
            seen.append(update)
            original(self, update, now)

        Transfer.apply = spy  # type: ignore[method-assign]
        try:
            screen.start_pull("multi:1b")
            await settle(pilot)
        finally:
            Transfer.apply = original  # type: ignore[method-assign]
    first_layer_line = next(update for update in seen if update.digest == WEIGHTS)
    assert first_layer_line.completed == 0, "the wire leaves completed out while it is zero"
    transfer = screen.transfers[0]
    assert not transfer.layers[WEIGHTS].resumed
    # The last line for a layer is below its total; moving on still completed it.
    last_weights = [u for u in seen if u.digest == WEIGHTS][-1]
    assert last_weights.completed < last_weights.total
    assert transfer.layers[WEIGHTS].completed == 3_000_000


async def test_cached_layers_arrive_complete_at_once(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("llama3.2")  # installed already: every layer is on disk
        await settle(pilot)
        (transfer,) = screen.transfers
        assert transfer.state is TransferState.SUCCEEDED
        assert transfer.layers and all(layer.cached for layer in transfer.layers.values())
        assert transfer.downloaded_bytes == 0
        assert "cached" in panel_text(panel_for(screen, "llama3.2"))


async def test_a_status_never_seen_before_is_shown_as_text(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    odd = "[bold]reticulating splines[/bold]"
    go_on = asyncio.Event()

    async def odd_stream(model: str) -> AsyncIterator[ProgressUpdate]:
        yield ProgressUpdate(status="pulling manifest")
        yield ProgressUpdate(status=odd)
        await go_on.wait()
        yield ProgressUpdate(status="couldn't remove unused layers: permission denied")
        yield ProgressUpdate(status="success")

    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        monkeypatch.setattr(app.services.client, "pull", odd_stream)
        screen.start_pull("odd")
        transfer = screen.transfers[0]
        await wait_until(pilot, lambda: transfer.status == odd)
        await wait_until(pilot, lambda: panel_for(screen, "odd").drawn_version == transfer.version)
        assert transfer.running and transfer.error == ""
        assert odd in panel_text(panel_for(screen, "odd")), "shown literally, not as markup"
        go_on.set()
        await settle(pilot)
        assert transfer.state is TransferState.SUCCEEDED
        assert "couldn't remove unused layers: permission denied" in transfer.statuses


async def test_two_pulls_at_once_each_independent(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_pulls(pilot)
        await pilot.press(*"multi:1b", "enter")
        await pilot.press(*"smollm2:135m", "enter")
        await wait_until(pilot, lambda: screen.running_count() == 2)
        multi, smol = screen.transfers[1], screen.transfers[0]
        await wait_until(pilot, lambda: multi.completed_bytes > 0 and smol.completed_bytes > 0)
        assert {w.name for w in app.workers if w.group == "pulls"} == {
            "pull:multi:1b",
            "pull:smollm2:135m",
        }
        fast_pulls(sim)  # let the smaller one finish; the other goes on by itself
        await settle(pilot)
        assert multi.state is TransferState.SUCCEEDED
        assert smol.state is TransferState.SUCCEEDED
        assert [p.transfer.model for p in screen.query(PullPanel)] == ["smollm2:135m", "multi:1b"]


async def test_one_failing_pull_does_not_stop_another(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        screen.start_pull("no-such-model")
        await wait_until(pilot, lambda: screen.running_count() == 1)
        failed = screen.transfers[0]
        assert failed.state is TransferState.FAILED
        assert screen.transfers[1].running
        fast_pulls(sim)
        await settle(pilot)
        assert screen.transfers[1].state is TransferState.SUCCEEDED


async def test_cancel_closes_the_request_and_pulling_again_resumes(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        await pilot.press(*"multi:1b", "enter")
        (transfer,) = screen.transfers
        await wait_until(pilot, lambda: transfer.layers.get(WEIGHTS, None) is not None)
        await wait_until(pilot, lambda: transfer.layers[WEIGHTS].completed > 100_000)

        await pilot.press("down")  # from the name field to the newest pull
        panel = panel_for(screen, "multi:1b")
        assert app.focused is panel
        await pilot.press("x")
        await pilot.pause()
        assert transfer.state is TransferState.CANCELLED
        assert panel.has_class("-cancelled")
        assert "cancelled" in str(panel.border_subtitle)
        await settle(pilot)
        assert sim.active_downloads() == set(), "the request was closed, the download stopped"
        kept = sim.blob_progress(WEIGHTS)
        assert 0 < kept < 3_000_000, "the server keeps the partial blob"
        shown = transfer.layers[WEIGHTS].completed
        assert 0 < shown <= kept

        fast_pulls(sim)
        await pilot.press("ctrl+g")
        assert transfer.runs == 2
        await settle(pilot)
        assert state_of(transfer) is TransferState.SUCCEEDED
        weights = transfer.layers[WEIGHTS]
        assert weights.resumed and weights.resumed_from >= kept
        assert len(pull_requests(sim)) == 2
        assert len(list(screen.query(PullPanel))) == 1, "the same panel carried on"


async def test_ctrl_x_cancels_the_newest_pull_from_the_name_field(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        await pilot.press(*"multi:1b", "enter")
        await wait_until(pilot, lambda: screen.transfers[0].completed_bytes > 0)
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+x")
        await settle(pilot)
        assert screen.transfers[0].state is TransferState.CANCELLED
        assert screen.running_count() == 0


async def test_typing_the_name_again_resumes_a_cancelled_pull(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        transfer = screen.transfers[0]
        await wait_until(pilot, lambda: transfer.completed_bytes > 100_000)
        screen.cancel(transfer)
        await settle(pilot)
        fast_pulls(sim)
        await pilot.press(*"MULTI:1b", "enter")  # names match however they are written
        await settle(pilot)
        assert screen.transfers == [transfer]
        assert transfer.state is TransferState.SUCCEEDED
        assert transfer.resumed


async def test_starting_a_running_pull_again_sends_no_second_request(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    app = make_app()
    # Recorded as said: a notification may have timed out by the time the pulls settle.
    said = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        screen.start_pull("MULTI:1b")
        screen.start_pull("smollm2:135m")
        await pilot.pause()
        assert screen.running_count() == 2
        assert len(screen.transfers) == 2
        fast_pulls(sim)
        await settle(pilot)
        assert [b["model"] for b in pull_requests(sim)] == ["multi:1b", "smollm2:135m"]
        assert any("already running" in message for message in said)


async def test_a_missing_model_fails_with_the_server_words(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        await pilot.press(*"no-such-model", "enter")
        await settle(pilot)
        (transfer,) = screen.transfers
        assert transfer.state is TransferState.FAILED
        assert transfer.error == "pull model manifest: file does not exist"
        panel = panel_for(screen, "no-such-model")
        assert panel.has_class("-failed")
        assert "✗ pull model manifest: file does not exist" in panel_text(panel)
        assert any(
            n.message == "pull model manifest: file does not exist" and n.severity == "error"
            for n in notices(app)
        )


async def test_an_error_line_mid_stream_ends_the_pull_with_its_words(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    message = "digest mismatch, file must be downloaded again: want sha256:[b]1[/b], got sha256:2"
    sim.inject(Fault(path="/api/pull", error_after_chunks=6, message=message))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        await settle(pilot)
        (transfer,) = screen.transfers
        assert transfer.state is TransferState.FAILED
        assert transfer.error == message
        assert transfer.layers[WEIGHTS].completed > 0, "the progress so far stays on view"
        assert f"✗ {message}" in panel_text(panel_for(screen, "multi:1b")), "markup shown as is"


async def test_a_dropped_connection_says_so(make_app: AppFactory, sim: SimulatedOllama) -> None:
    sim.inject(Fault(path="/api/pull", drop_after_chunks=5))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        await settle(pilot)
        (transfer,) = screen.transfers
        assert transfer.state is TransferState.FAILED
        assert transfer.error.startswith("Connection to Ollama lost")
        assert app.connection.state is LinkState.ONLINE, "a dropped stream is not an outage"


async def test_an_unreachable_server_marks_the_app_offline(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()

    async def unreachable(model: str) -> AsyncIterator[ProgressUpdate]:
        raise OllamaUnavailableError("http://ollama.test", "connection refused")
        yield ProgressUpdate(status="never")  # pragma: no cover

    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        await settle(pilot)
        monkeypatch.setattr(app.services.client, "pull", unreachable)
        screen.start_pull("multi:1b")
        await pilot.pause()
        await pilot.pause()
        assert screen.transfers[0].state is TransferState.FAILED
        assert "connection refused" in screen.transfers[0].error
        assert app.connection.state is LinkState.OFFLINE


async def test_a_bad_name_is_refused_before_sending(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        await pilot.press(*"bad name", "enter")
        await pilot.pause()
        problem = screen.query_one("#pull-problem", Static)
        assert problem.display
        assert "cannot contain spaces" in str(problem.render())
        assert screen.query_one(Input).value == "bad name", "kept for correcting"
        await pilot.press("backspace")
        await pilot.pause()
        assert not problem.display, "the complaint goes once the user edits"
        await pilot.press("enter")
        assert pull_requests(sim) == []
        assert screen.transfers == []


async def test_a_flood_of_progress_lines_is_redrawn_at_a_steady_pace(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.pull_tick = 0.0
    sim.pull_rate = 1_000 / 0.06  # a line per kilobyte: about 5,000 lines
    redraws: list[int] = []
    original = PullPanel.redraw

    def counting(self: PullPanel, now: float) -> None:
        redraws.append(self.transfer.version)
        original(self, now)

    monkeypatch.setattr(PullPanel, "redraw", counting)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        await settle(pilot)
        (transfer,) = screen.transfers
        lines = transfer.version
        assert lines > 4_000
        assert transfer.state is TransferState.SUCCEEDED
        assert transfer.completed_bytes == transfer.total_bytes == 5_000_500
        assert len(redraws) < lines / 20, "panels redraw on a timer, not per line"
        rows = list(panel_for(screen, "multi:1b").query(ProgressRow))
        assert len(rows) == 4


async def test_pulls_go_on_while_another_screen_is_shown(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    slow_pulls(sim)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        fast_pulls(sim)
        await settle(pilot)
        assert screen.transfers[0].state is TransferState.SUCCEEDED
        await pilot.press("f4")
        await pilot.pause()
        assert screen.is_current
        assert panel_for(screen, "multi:1b").has_class("-succeeded")
        assert isinstance(app.focused, Input), "coming back puts the focus in the name field"


async def test_the_app_hook_starts_a_pull_from_another_screen(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.post_message(StartPull("multi:1b"))
        await until(pilot, lambda: app.services.transfers.jobs)
        await settle(pilot)
        assert isinstance(app.screen, PullsScreen)
        assert app.screen.transfers[0].state is TransferState.SUCCEEDED


async def test_create_shows_its_status_lines(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.post_message(
            StartCreate("terse", "llama3.2", system="Be brief.", parameters={"temperature": 0.2})
        )
        await until(pilot, lambda: app.services.transfers.jobs)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PullsScreen)
        (transfer,) = screen.transfers
        assert transfer.kind is TransferKind.CREATE
        assert transfer.state is TransferState.SUCCEEDED
        assert transfer.statuses[0].startswith("using existing layer sha256:")
        assert transfer.statuses[-2:] == ["writing manifest", "success"]
        (body,) = [r.body for r in sim.requests if r.path == "/api/create"]
        assert body["from"] == "llama3.2"
        assert body["system"] == "Be brief."
        assert body["parameters"] == {"temperature": 0.2}
        panel = panel_for(screen, "terse")
        text = panel_text(panel)
        assert "create terse from llama3.2" in text
        assert "creating new layer" in text
        assert "terse:latest" in {m.name for m in app.models}


async def test_a_failed_create_shows_the_server_words(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.post_message(StartCreate("terse", "no-such-base"))
        await until(pilot, lambda: app.services.transfers.jobs)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PullsScreen)
        assert screen.transfers[0].error == "pull model manifest: file does not exist"


async def test_clear_removes_only_finished_pulls(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        screen.start_pull("no-such-model")
        await settle(pilot)
        slow_pulls(sim)
        screen.start_pull("smollm2:135m")
        await wait_until(pilot, lambda: screen.transfers[0].completed_bytes > 0)
        panel_for(screen, "no-such-model").focus()
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.focused, Input), "focus leaves the cleared panel"
        assert [t.model for t in screen.transfers] == ["smollm2:135m"]
        assert len(list(screen.query(PullPanel))) == 1
        screen.cancel(screen.transfers[0])
        await settle(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert screen.transfers == []
        assert screen.query_one("#pull-empty").display


async def test_arrow_keys_move_between_pulls(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("no-such-model")
        screen.start_pull("another-missing")
        await settle(pilot)
        newest, oldest = (panel_for(screen, m) for m in ("another-missing", "no-such-model"))
        await pilot.press("down")
        assert app.focused is newest
        await pilot.press("down")
        assert app.focused is oldest
        await pilot.press("down")
        assert app.focused is oldest
        await pilot.press("up", "up")
        assert isinstance(app.focused, Input)


async def test_quitting_with_a_pull_running_asks_first(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_pulls(sim)
    app = make_app()
    exits: list[bool] = []
    monkeypatch.setattr(app, "exit", lambda *args, **kwargs: exits.append(True))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_pulls(pilot)
        screen.start_pull("multi:1b")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "1 pull is running" in app.screen.question
        await pilot.press("escape")
        await pilot.pause()
        assert exits == []
        assert screen.is_current
        assert screen.transfers[0].running

        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("ctrl+q")  # pressing it again in the question quits
        await pilot.pause()
        assert exits == [True]


async def test_quitting_with_nothing_running_does_not_ask(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    exits: list[bool] = []
    monkeypatch.setattr(app, "exit", lambda *args, **kwargs: exits.append(True))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert exits == [True]
        await open_pulls(pilot)
        app.screen.start_pull("no-such-model")  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert exits == [True, True]
        assert not isinstance(app.screen, ConfirmDialog)


async def test_help_lists_the_pull_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        for words in (
            "ctrl+x",
            "Stop the highlighted pull",
            "ctrl+d",
            "Remove finished, failed and cancelled pulls",
            "Stop this pull",
            "a pull resumes where it stopped",
        ):
            assert words in text
