"""The model browser (f3): table, sorting, filtering, loaded models, details and every action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Input, Static, TextArea

from tests.helpers import dialog_shown, notices, record_notifications, settle_workers, until
from tui_app.api import OllamaClient
from tui_app.app import OllamaTUI
from tui_app.core.clock import ManualClock
from tui_app.core.connection import LinkState
from tui_app.core.options import RequestDefaults
from tui_app.demo import Fault, SimModel, SimulatedOllama, many_models
from tui_app.demo._models import default_models
from tui_app.messages import OpenChat, StartCreate, StartPull
from tui_app.screens.dialogs import ConfirmDialog, CreateModelDialog, NameDialog
from tui_app.screens.dialogs.models import (
    new_name_problem,
    suggested_name,
)
from tui_app.screens.models import ModelsScreen
from tui_app.services import Services
from tui_app.store import Store
from tui_app.widgets.model_details import ModelDetails, sorted_parameters
from tui_app.widgets.model_table import ModelTable, parameter_count
from tui_app.widgets.running_models import RunningModels

AppFactory = Callable[..., OllamaTUI]

NOW = datetime(2025, 10, 1, 12, 0, 0, tzinfo=UTC)
SERVER_ORDER = ["qwen3:8b", "gemma3:1b", "llava:7b", "nomic-embed-text:latest", "llama3.2:latest"]


class Clock(ManualClock):
    """A settable clock shared by the simulated server and the app."""

    def __init__(self) -> None:
        super().__init__(NOW.timestamp())

    def timestamp(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_clock(clock: Clock) -> Clock:
    """Apps built by ``make_app`` read the same clock as the simulated server."""
    return clock


@pytest.fixture
def sim(clock: Clock) -> SimulatedOllama:
    """The simulated server on the same fixed clock as the screen, in UTC."""
    return SimulatedOllama(token_delay=0.0, pull_tick=0.001, clock=clock.timestamp, tz=UTC)


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ModelsScreen, "PS_POLL_SECONDS", 0.2)
    monkeypatch.setattr(ModelsScreen, "DETAILS_DELAY_SECONDS", 0.0)


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Wait for every worker to finish."""
    await settle_workers(pilot, rounds=rounds)


async def open_models(pilot: Pilot[None]) -> ModelsScreen:
    await pilot.pause()
    await pilot.press("f3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ModelsScreen)
    return screen


def has_focus(widget: Widget) -> bool:
    return widget.has_focus


def row_names(screen: ModelsScreen) -> list[str]:
    return [model.name for model in screen.table.visible_models]


def cell_text(screen: ModelsScreen, name: str, column: str) -> str:
    return screen.table.get_cell(name, column).plain


def messages(app: OllamaTUI) -> list[str]:
    return [notice.message for notice in notices(app)]


def requests_to(sim: SimulatedOllama, path: str) -> list[Any]:
    return [request.body for request in sim.requests if request.path == path]


def static_text(screen: ModelsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def highlight(pilot: Pilot[None], screen: ModelsScreen, name: str) -> None:
    assert screen.table.select_model(name)
    await settle(pilot)


class HandOvers:
    """Records the hand-over requests that reach the app, instead of switching screens."""

    def __init__(self, app: OllamaTUI) -> None:
        self.chats: list[str] = []
        self.pulls: list[str] = []
        self.creates: list[tuple[str, dict[str, Any]]] = []
        post = app.post_message

        def recording(message: Message) -> bool:
            match message:
                case OpenChat():
                    self.chats.append(message.model)
                case StartPull():
                    self.pulls.append(message.model)
                case StartCreate():
                    self.creates.append(
                        (
                            message.model,
                            {
                                "from_": message.from_,
                                "system": message.system,
                                "parameters": dict(message.parameters),
                            },
                        )
                    )
                case _:
                    return post(message)
            return True

        app.post_message = recording  # type: ignore[method-assign]


# -- the table -------------------------------------------------------------------------------


async def test_opening_focuses_the_table_and_lists_every_model(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        assert screen.focused is screen.table
        assert row_names(screen) == SERVER_ORDER
        assert cell_text(screen, "llama3.2:latest", "parameters") == "3.2B"
        assert cell_text(screen, "llama3.2:latest", "quantization") == "Q4_K_M"
        assert cell_text(screen, "llama3.2:latest", "family") == "llama"
        assert cell_text(screen, "llama3.2:latest", "size") == "2.0 GB"
        assert cell_text(screen, "llama3.2:latest", "modified") == "4 months ago"
        assert cell_text(screen, "qwen3:8b", "modified") == "12 days ago"
        assert static_text(screen, "#models-count") == "5 models"


async def test_embedding_models_are_marked(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        assert cell_text(screen, "nomic-embed-text:latest", "name").endswith(" embed")
        assert cell_text(screen, "llama3.2:latest", "name") == "llama3.2:latest"


async def test_server_text_in_cells_is_never_markup(clock: Clock, tmp_path: Path) -> None:
    sim = SimulatedOllama(
        models=[SimModel(name="odd:1b", family="[bold red]fam[/]", quantization_level="\x1b[31mQ")],
        token_delay=0.0,
        clock=clock.timestamp,
        tz=UTC,
    )
    app = app_for(sim, tmp_path, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        assert cell_text(screen, "odd:1b", "family") == "[bold red]fam[/]"
        assert cell_text(screen, "odd:1b", "quantization") == "␛[31mQ"
    app.services.store.close()


async def test_sort_key_cycles_columns_and_reverses(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await pilot.press("ctrl+e")  # modified → loaded (wraps round)
        await pilot.press("ctrl+e")  # → name
        assert screen.table.sort_column == "name"
        assert row_names(screen) == sorted(SERVER_ORDER)
        await pilot.press("ctrl+v")
        assert row_names(screen) == sorted(SERVER_ORDER, reverse=True)
        await pilot.press("ctrl+e")  # → parameters, biggest first
        assert row_names(screen)[0] == "qwen3:8b"
        assert row_names(screen)[-1] == "nomic-embed-text:latest"
        assert "▼" in screen.table.columns[screen.table.ordered_columns[2].key].label.plain


async def test_clicking_a_header_sorts_and_clicking_again_reverses(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        table = screen.table
        size_index = [column.key.value for column in table.ordered_columns].index("size")
        x = sum(column.get_render_width(table) for column in table.ordered_columns[:size_index])
        await pilot.click(ModelTable, offset=(x + 2, 0))
        await pilot.pause()
        by_size = sorted(app.models, key=lambda model: model.size, reverse=True)
        assert row_names(screen) == [model.name for model in by_size]
        await pilot.click(ModelTable, offset=(x + 2, 0))
        await pilot.pause()
        assert row_names(screen) == [model.name for model in reversed(by_size)]


async def test_sorting_keeps_the_cursor_on_the_same_model(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "llava:7b")
        await pilot.press("ctrl+e", "ctrl+e")
        highlighted = screen.table.highlighted_model
        assert highlighted is not None and highlighted.name == "llava:7b"


async def test_typing_in_the_table_filters_by_name_family_or_quantization(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await pilot.press("q", "w")
        assert screen.focused is screen.filter_input
        assert screen.filter_input.value == "qw"
        assert row_names(screen) == ["qwen3:8b"]
        assert static_text(screen, "#models-count") == "1 of 5"
        await pilot.press("escape")
        assert screen.filter_input.value == ""
        assert has_focus(screen.table)
        assert len(row_names(screen)) == 5

        await pilot.press("slash")
        assert has_focus(screen.filter_input)
        await pilot.press(*"bert")
        assert row_names(screen) == ["nomic-embed-text:latest"]
        screen.filter_input.value = "llama q4_k"
        await pilot.pause()
        assert row_names(screen) == ["llama3.2:latest"]
        screen.filter_input.value = "q4_0"
        await pilot.pause()
        assert row_names(screen) == ["llava:7b"]
        await pilot.press("down")
        assert has_focus(screen.table)


async def test_a_filter_matching_nothing_clears_the_details(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await pilot.press(*"zzz")
        await settle(pilot)
        assert row_names(screen) == []
        assert screen.details.model_name is None
        await pilot.press("enter")  # back to the table
        assert screen.check_action("load", ()) is None  # greyed out in the footer
        await pilot.press("ctrl+w", "enter")
        commands = {command.title: command for command in screen.palette_commands()}
        commands["Load the highlighted model"].callback()
        await settle(pilot)
        assert requests_to(sim, "/api/chat") == []
        assert "No model is highlighted." in messages(app)


async def test_500_models_list_filter_and_sort(clock: Clock, tmp_path: Path) -> None:
    sim = SimulatedOllama(models=many_models(500), token_delay=0.0, clock=clock.timestamp, tz=UTC)
    app = app_for(sim, tmp_path, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        assert screen.table.row_count == 500
        assert static_text(screen, "#models-count") == "500 models"
        await pilot.press(*"qwen")
        assert screen.filter_input.value == "qwen"  # echoed at once; the table follows
        await pilot.pause(ModelsScreen.FILTER_DELAY_SECONDS + 0.2)
        shown = row_names(screen)
        assert 0 < len(shown) < 500
        assert all("qwen" in name or "qwen" in family for name, family in families(screen))
        await pilot.press("escape")
        await pilot.pause(ModelsScreen.FILTER_DELAY_SECONDS + 0.2)
        await pilot.press("ctrl+e", "ctrl+e")
        names = row_names(screen)
        assert len(names) == 500
        assert names == sorted(names, key=str.casefold)
    app.services.store.close()


def families(screen: ModelsScreen) -> list[tuple[str, str]]:
    return [(model.name, model.details.family) for model in screen.table.visible_models]


async def test_the_table_follows_the_app_model_list(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await app.services.client.copy("gemma3:1b", "pulled-elsewhere:latest")
        app.refresh_models()
        await settle(pilot)
        assert "pulled-elsewhere:latest" in row_names(screen)


# -- loaded models ----------------------------------------------------------------------------


async def test_load_marks_the_row_and_shows_a_countdown(
    make_app: AppFactory, sim: SimulatedOllama, clock: Clock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "llama3.2:latest")
        await pilot.press("ctrl+w")
        await settle(pilot)
        assert requests_to(sim, "/api/chat")[-1] == {"model": "llama3.2:latest", "messages": []}
        assert cell_text(screen, "llama3.2:latest", "loaded") == "●"
        assert cell_text(screen, "qwen3:8b", "loaded") == ""
        panel = str(screen.running_panel.describe())
        assert "llama3.2:latest" in panel
        assert "100% GPU" in panel
        assert "ctx 4,096" in panel
        assert "unloads in 5:00" in panel
        assert screen.running_panel.border_title == "Loaded: 1"

        clock.set(NOW + timedelta(seconds=48))
        # The one-second countdown timer redraws without asking.
        await until(pilot, lambda: "unloads in 4:12" in str(screen.running_panel.describe()))


async def test_keep_loaded_says_so_and_shows_the_cpu_gpu_split(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "qwen3:8b")
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert requests_to(sim, "/api/chat")[-1] == {
            "model": "qwen3:8b",
            "messages": [],
            "keep_alive": -1,
        }
        panel = str(screen.running_panel.describe())
        assert "kept loaded" in panel
        assert "2318" not in panel and "unloads" not in panel
        assert "35%/65% CPU/GPU" in panel
        assert "qwen3:8b is loaded and kept loaded." in messages(app)


async def test_embedding_models_load_through_embed(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "nomic-embed-text:latest")
        await pilot.press("ctrl+w")
        await settle(pilot)
        assert requests_to(sim, "/api/embed")[-1] == {
            "model": "nomic-embed-text:latest",
            "input": [],
        }
        assert cell_text(screen, "nomic-embed-text:latest", "loaded") == "●"


async def test_unload_removes_the_marker(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await app.services.client.load("gemma3:1b", keep_alive=-1)
        screen = await open_models(pilot)
        assert cell_text(screen, "gemma3:1b", "loaded") == "●"
        await highlight(pilot, screen, "gemma3:1b")
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert requests_to(sim, "/api/chat")[-1] == {
            "model": "gemma3:1b",
            "messages": [],
            "keep_alive": 0,
        }
        assert cell_text(screen, "gemma3:1b", "loaded") == ""
        assert "No model is loaded." in str(screen.running_panel.describe())


async def test_a_failed_load_shows_the_server_words(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_models(pilot)
        sim.inject(Fault("/api/chat", status=500, message="model requires more system memory"))
        await pilot.press("ctrl+w")
        await settle(pilot)
        assert any("model requires more system memory" in text for text in messages(app))
        assert isinstance(app.screen, ModelsScreen)


async def test_polling_runs_only_while_the_screen_is_visible(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_models(pilot)
        before = len(requests_to(sim, "/api/ps"))
        await until(pilot, lambda: len(requests_to(sim, "/api/ps")) > before)  # on its own
        await pilot.press("f5")
        await settle(pilot)
        away = len(requests_to(sim, "/api/ps"))
        await pilot.pause(0.7)  # longer than the polling interval: an absence cannot be awaited
        assert len(requests_to(sim, "/api/ps")) == away
        await pilot.press("f3")
        await settle(pilot)
        assert len(requests_to(sim, "/api/ps")) > away


async def test_a_poll_error_is_shown_and_the_next_poll_recovers(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ModelsScreen, "PS_POLL_SECONDS", 60.0)  # polls only when told to
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await app.services.client.load("gemma3:1b", keep_alive=-1)
        screen = await open_models(pilot)
        sim.inject(Fault("/api/ps", status=500, message="scheduler exploded"))
        screen.poll_running_models()
        await settle(pilot)
        assert screen.running_panel.problem == "Ollama error 500: scheduler exploded"
        assert "scheduler exploded" in str(screen.running_panel.describe())
        assert cell_text(screen, "gemma3:1b", "loaded") == ""
        screen.poll_running_models()
        await settle(pilot)
        assert screen.running_panel.problem is None
        assert cell_text(screen, "gemma3:1b", "loaded") == "●"


def app_for(
    sim: SimulatedOllama, tmp_path: Path, clock: Clock, url: str | None = None
) -> OllamaTUI:
    store = Store.open(tmp_path / f"store-{id(sim)}" / "ollama-tui.db")
    client = (
        OllamaClient(url) if url else OllamaClient("http://ollama.test", transport=sim.transport())
    )
    services = Services(client=client, store=store, host=url or "http://ollama.test", clock=clock)
    app = OllamaTUI(services)
    record_notifications(app)
    return app


async def test_server_going_down_mid_poll_shows_offline(clock: Clock, tmp_path: Path) -> None:
    sim = SimulatedOllama(token_delay=0.0, clock=clock.timestamp, tz=UTC)
    server = sim.serve()
    app = app_for(sim, tmp_path, clock, server.url)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await open_models(pilot)
            assert app.connection.online
            server.close()
            screen.poll_running_models()
            await settle(pilot)
            assert app.connection.state is LinkState.OFFLINE
            assert screen.running_panel.has_class("-unreachable")
            assert "unreachable" in str(screen.running_panel.describe())
            assert isinstance(app.screen, ModelsScreen)
    finally:
        server.close()
        app.services.store.close()


# -- details ----------------------------------------------------------------------------------


async def test_details_are_fetched_lazily_and_cached(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "llama3.2:latest")
        details = screen.query_one(ModelDetails)
        assert details.model_name == "llama3.2:latest"
        assert static_text(screen, "#details-value-capabilities") == "completion, tools"
        assert static_text(screen, "#details-value-context") == "131,072 tokens"
        assert static_text(screen, "#details-value-family") == "llama"
        assert static_text(screen, "#details-value-digest") == "a80c4f17acd5"
        parameters = static_text(screen, "#details-parameters")
        assert 'stop  "<|eot_id|>"' in parameters
        assert "<|start_header_id|>" in static_text(screen, "#details-template")
        assert "LLAMA 3.2 COMMUNITY LICENSE" in static_text(screen, "#details-license")
        assert screen.query_one("#details-license-section").display

        await highlight(pilot, screen, "llava:7b")
        await highlight(pilot, screen, "llama3.2:latest")
        asked = [body["model"] for body in requests_to(sim, "/api/show")]
        assert asked.count("llama3.2:latest") == 1  # the second time came from the cache
        assert asked.count("llava:7b") == 1
        assert static_text(screen, "#details-value-capabilities") == "completion, tools"


async def test_only_the_last_highlighted_model_is_shown(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ModelsScreen, "DETAILS_DELAY_SECONDS", 0.05)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_models(pilot)
        await settle(pilot)
        shows = len(requests_to(sim, "/api/show"))
        for row in (1, 2, 3):  # three moves before the screen gets to run any worker
            screen.table.move_cursor(row=row)
        await settle(pilot)
        assert screen.details.model_name == "nomic-embed-text:latest"
        assert static_text(screen, "#details-value-capabilities") == "embedding"
        # Moving quickly sends no request for the rows passed over.
        assert [body["model"] for body in requests_to(sim, "/api/show")[shows:]] == [
            "nomic-embed-text:latest"
        ]
        assert "cannot chat" in static_text(screen, "#details-note")


async def test_details_failure_is_shown_in_the_pane(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_models(pilot)
        sim.inject(Fault("/api/show", status=500, message="manifest unreadable"))
        await highlight(pilot, screen, "llava:7b")
        status = static_text(screen, "#details-status")
        assert "Could not read details" in status and "manifest unreadable" in status
        assert static_text(screen, "#details-value-family") == "llama, clip"


async def test_details_show_hostile_text_literally(clock: Clock, tmp_path: Path) -> None:
    model = SimModel(
        name="odd:1b",
        system="[bold]not bold[/bold] \x1b[2J end",
        license="[link=http://x]click[/link]\x07",
        parameters={"stop": ["[/]"]},
    )
    sim = SimulatedOllama(models=[model], token_delay=0.0, clock=clock.timestamp, tz=UTC)
    app = app_for(sim, tmp_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_models(pilot)
        system = static_text(screen, "#details-system")
        assert "[bold]not bold[/bold]" in system
        assert "\x1b" not in system and "␛[2J" in system
        assert "[link=http://x]click[/link]" in static_text(screen, "#details-license")
        assert '"[/]"' in static_text(screen, "#details-parameters")
    app.services.store.close()


# -- actions ----------------------------------------------------------------------------------


async def test_enter_opens_a_chat_with_the_model(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        hand_overs = HandOvers(app)
        screen = await open_models(pilot)
        await highlight(pilot, screen, "gemma3:1b")
        await pilot.press("enter")
        await settle(pilot)
        assert hand_overs.chats == ["gemma3:1b"]


async def test_embedding_models_cannot_be_opened_in_chat(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        hand_overs = HandOvers(app)
        screen = await open_models(pilot)
        await highlight(pilot, screen, "nomic-embed-text:latest")
        await pilot.press("enter")
        await settle(pilot)
        assert hand_overs.chats == []
        assert any("embedding model" in text and "cannot" in text for text in messages(app))


async def test_copy_checks_the_name_before_sending(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "llama3.2:latest")
        await pilot.press("ctrl+y")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NameDialog)
        name_input = dialog.query_one("#name-input", Input)
        assert name_input.value == "llama3.2-copy:latest"

        name_input.value = "bad name:x"
        await pilot.pause()
        assert dialog.query_one("#confirm", Button).disabled
        assert "spaces" in str(dialog.query_one("#dialog-error", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # nothing sent, still asking
        name_input.value = "gemma3:1b"
        await pilot.pause()
        assert "already installed" in str(dialog.query_one("#dialog-error", Static).render())
        assert requests_to(sim, "/api/copy") == []

        name_input.value = "mine/llama:v1"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert requests_to(sim, "/api/copy") == [
            {"source": "llama3.2:latest", "destination": "mine/llama:v1"}
        ]
        assert "mine/llama:v1" in row_names(screen)
        highlighted = screen.table.highlighted_model
        assert highlighted is not None and highlighted.name == "mine/llama:v1"


async def test_copy_failure_shows_the_server_words(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_models(pilot)
        sim.inject(Fault("/api/copy", status=404, message='model "qwen3:8b" not found'))
        await pilot.press("ctrl+y")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert any('model "qwen3:8b" not found' in text for text in messages(app))


async def test_delete_asks_with_the_name_and_size(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "llama3.2:latest")
        await pilot.press("delete")
        dialog = await dialog_shown(pilot, ConfirmDialog)
        question = str(dialog.query_one("#confirm-question", Static).render())
        assert "llama3.2:latest" in question and "2.0 GB" in question
        assert dialog.focused is dialog.query_one("#cancel", Button)
        await pilot.press("enter")  # enter on Cancel keeps the model
        await settle(pilot)
        assert requests_to(sim, "/api/delete") == []
        assert "llama3.2:latest" in row_names(screen)

        await pilot.press("ctrl+d")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert requests_to(sim, "/api/delete") == [{"model": "llama3.2:latest"}]
        assert "llama3.2:latest" not in row_names(screen)
        assert "Deleted llama3.2:latest." in messages(app)


async def test_delete_of_a_model_already_gone_shows_the_404(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "gemma3:1b")
        await app.services.client.delete("gemma3:1b")  # removed behind the screen's back
        await pilot.press("delete")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert "Ollama error 404: model 'gemma3:1b' not found" in messages(app)
        assert "gemma3:1b" not in row_names(screen)  # the list was refreshed


async def test_create_is_prefilled_from_the_current_chat(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        hand_overs = HandOvers(app)
        store = app.services.store
        RequestDefaults(options={"num_ctx": 8192}).save(store)
        chat = store.create_chat(title="Pirates", model="qwen3:8b", system="Talk like a pirate.")
        store.update_chat(chat.id, options={"temperature": 0.5, "stop": ["Arr"]})
        app.current_chat_id = chat.id
        screen = await open_models(pilot)
        await highlight(pilot, screen, "llama3.2:latest")
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CreateModelDialog)
        assert dialog.query_one("#create-from", Input).value == "llama3.2:latest"
        assert dialog.query_one("#create-system", TextArea).text == "Talk like a pirate."
        parameters = dialog.query_one("#create-parameters", TextArea).text
        assert parameters.splitlines() == ["num_ctx 8192", "temperature 0.5", 'stop "Arr"']
        dialog.query_one("#create-name", Input).value = "pirate:latest"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert hand_overs.creates == [
            (
                "pirate:latest",
                {
                    "from_": "llama3.2:latest",
                    "system": "Talk like a pirate.",
                    "parameters": {"num_ctx": 8192, "temperature": 0.5, "stop": ["Arr"]},
                },
            )
        ]


async def test_create_from_the_current_chat_uses_its_model(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        chat = app.services.store.create_chat(title="t", model="qwen3:8b")
        app.current_chat_id = chat.id
        screen = await open_models(pilot)
        titles = {command.title: command for command in screen.palette_commands()}
        titles["Create a model from the current chat…"].callback()
        await pilot.pause()
        assert isinstance(app.screen, CreateModelDialog)
        assert app.screen.query_one("#create-from", Input).value == "qwen3:8b"


async def test_create_refuses_bad_input(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        hand_overs = HandOvers(app)
        await open_models(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CreateModelDialog)
        dialog.query_one("#create-name", Input).value = "qwen3:8b"
        dialog.query_one(
            "#create-parameters", TextArea
        ).text = "temperature hot\nnum_ctx 0\nfoo 1\ntop_k 99999999999"
        await pilot.pause()
        problems = str(dialog.query_one("#dialog-error", Static).render())
        assert "already installed" in problems
        # The options form's own reasons, word for word.
        assert "line 1: temperature must be a number, e.g. 0.7" in problems
        assert "line 2: num_ctx must be ≥ 1" in problems
        assert "unknown parameter 'foo'" in problems
        assert "line 4: top_k must be ≤ 16777216" in problems
        assert dialog.query_one("#confirm", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert hand_overs.creates == []
        assert app.screen is dialog
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ModelsScreen)


async def test_pull_by_name_hands_over_to_the_pulls_screen(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        hand_overs = HandOvers(app)
        await open_models(pilot)
        await pilot.press("ctrl+a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NameDialog)
        await pilot.press(*"example.com/model")  # a host needs a namespace too
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and hand_overs.pulls == []
        dialog.query_one("#name-input", Input).value = "hf.co/org/model:Q4_K_M"
        await pilot.press("enter")
        await settle(pilot)
        assert hand_overs.pulls == ["hf.co/org/model:Q4_K_M"]


async def test_pull_hand_over_reaches_the_pulls_screen(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_models(pilot)
        await pilot.press("ctrl+a")
        await pilot.pause()
        await pilot.press(*"tinyllama")
        await pilot.press("enter")
        await until(pilot, lambda: app.current_mode == "pulls")


# -- keys and palette -------------------------------------------------------------------------


def test_keys_do_not_clash_with_the_global_ones() -> None:
    reserved = {"f1", "f2", "f3", "f4", "f5", "ctrl+p", "ctrl+q", "ctrl+r", "ctrl+c"}
    keys = [
        key.strip()
        for binding in ModelsScreen.own_bindings()
        for key in binding.key.split(",")  # type: ignore[union-attr]
    ]
    assert not reserved & set(keys)
    assert len(keys) == len(set(keys))
    ids = {binding.id for binding in ModelsScreen.own_bindings()}  # type: ignore[union-attr]
    for action in ("chat", "load", "unload", "keep_loaded", "copy", "delete", "create", "pull"):
        assert f"models.{action}" in ids


async def test_actions_are_in_the_footer_and_the_palette(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        shown = {
            active.binding.description
            for active in screen.active_bindings.values()
            if active.binding.show
        }
        for label in ("Chat", "Load", "Unload", "Keep", "Copy", "Delete", "Create", "Pull", "Sort"):
            assert label in shown
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Chat with qwen3:8b",
            "Load qwen3:8b",
            "Unload qwen3:8b",
            "Keep loaded: qwen3:8b",
            "Copy qwen3:8b…",
            "Delete qwen3:8b…",
            "Create a model from qwen3:8b…",
            "Pull a model…",
            "Sort models by the next column",
        ):
            assert title in titles


async def test_palette_command_runs_the_action(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        commands = {command.title: command for command in screen.palette_commands()}
        commands["Unload qwen3:8b"].callback()
        await settle(pilot)
        assert requests_to(sim, "/api/chat")[-1]["keep_alive"] == 0


async def test_details_pane_toggles(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        assert screen.details.display
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not screen.details.display
    app2 = make_app()
    async with app2.run_test(size=(80, 24)) as pilot:
        screen = await open_models(pilot)
        assert not screen.details.display  # narrow: hidden until asked for
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert screen.details.display


# -- pure helpers -----------------------------------------------------------------------------


def test_name_helpers() -> None:
    assert suggested_name("llama3.2:latest") == "llama3.2-copy:latest"
    assert suggested_name("localhost:5000/ns/m") == "localhost:5000/ns/m-copy"
    assert suggested_name("qwen3:8b", "custom") == "qwen3-custom:8b"
    assert new_name_problem("Llama3.2", ["llama3.2:latest"]) is not None
    assert new_name_problem("llama3.2:1b", ["llama3.2:latest"]) is None
    assert new_name_problem("foo:", []) == "the tag part is empty"


def test_parameter_counts_and_parameter_lines() -> None:
    assert parameter_count("3.2B") == 3.2e9
    assert parameter_count("999.89M") == pytest.approx(999.89e6)
    assert parameter_count("") == -1
    server = 'stop                           "<|eot_id|>"\ntemperature                    0.6'
    assert sorted_parameters(server) == 'stop         "<|eot_id|>"\ntemperature  0.6'


def test_default_models_cover_the_cases_the_tests_rely_on() -> None:
    names = [model.name for model in default_models()]
    assert sorted(names) == sorted(SERVER_ORDER)


async def test_running_panel_before_the_first_answer(make_app: AppFactory) -> None:
    panel = RunningModels()
    assert "Asking Ollama" in str(panel.describe())


async def test_a_copy_typed_without_a_tag_is_selected_once_listed(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_models(pilot)
        await highlight(pilot, screen, "gemma3:1b")
        await pilot.press("ctrl+y")
        await pilot.pause()
        app.screen.query_one("#name-input", Input).value = "Shiny"
        await pilot.press("enter")
        await settle(pilot)
        highlighted = screen.table.highlighted_model
        assert highlighted is not None
        assert highlighted.name.lower() == "shiny:latest"
        assert highlighted.digest == next(m.digest for m in app.models if m.name == "gemma3:1b")
