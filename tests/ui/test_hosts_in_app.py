"""Two hosts in one app: both listed, each chat on its own host, one away, pulls to a choice."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import RadioButton, Static

from tests.conftest import IN_PROCESS_URL
from tests.helpers import dialog_shown, notices, settle_workers, until
from tui_app.api import OllamaClient
from tui_app.app import OllamaTUI
from tui_app.core.connection import LinkState
from tui_app.core.hosts import Host
from tui_app.demo import SimModel, SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import HostChoiceDialog, NameDialog
from tui_app.screens.models import MODELS_HOST_SETTING, ModelsScreen
from tui_app.widgets.status_bar import StatusBar

AppFactory = Callable[..., OllamaTUI]


def gpu_sim(**options: Any) -> SimulatedOllama:
    """Host B: a big model host A does not have, and llama3.2 exactly as A has it;
    ``options`` go to the simulator (a clock, say).

    Its pulls do not tick: in process, each line a ticking pull sends after a pause is read
    after the client's progress pace, so a pull of a few hundred lines took seconds."""
    sim = SimulatedOllama(
        token_delay=0.0, pull_tick=0.0, pull_rate=20e9, version="0.9.9", **options
    )
    sim.models = [m for m in SimulatedOllama().models if m.name == "llama3.2:latest"]
    sim.models.append(SimModel("bigmodel:70b", parameter_size="70B"))
    return sim


class Switchable(httpx.AsyncBaseTransport):
    """A transport that can be switched off, as if the machine behind it were shut down."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def gpu_host(sim: SimulatedOllama, transport: httpx.AsyncBaseTransport | None = None) -> Host:
    client = OllamaClient("http://gpu.test", transport=transport or sim.transport())
    return Host("gpu", client.base_url, client)


def chats_sent(sim: SimulatedOllama) -> int:
    return sum(1 for request in sim.requests if request.path == "/api/chat")


def titled(app: OllamaTUI, title: str) -> bool:
    """Whether the dialog on top is titled ``title``."""
    frames = app.screen.query(".dialog")
    return bool(frames) and title in str(frames.first().border_title)


def bar_text(app: OllamaTUI) -> str:
    return str(app.screen.query_one(StatusBar).render())


def count_line(screen: ModelsScreen) -> str:
    return str(screen.query_one("#models-count", Static).render())


def listed(screen: ModelsScreen) -> list[tuple[str, str]]:
    """The rows on show as (host, model), in order."""
    return [(row.host, row.model.name) for row in screen.table.visible_rows]


async def open_models(pilot: Pilot[None]) -> ModelsScreen:
    """The models screen once every host in view (each one online, in the all-hosts view)
    has listed its models."""
    app = pilot.app
    assert isinstance(app, OllamaTUI)
    await pilot.press("f3")
    await until(pilot, lambda: isinstance(app.screen, ModelsScreen))
    screen = app.screen
    assert isinstance(screen, ModelsScreen)

    def in_view() -> list[Host]:
        viewed = screen.viewed_host()
        return [viewed] if viewed else [h for h in app.services.hosts if h.status.online]

    await until(
        pilot,
        lambda: (
            all(h.catalog.models.value for h in in_view())
            and len(screen.table.rows_given) == sum(len(h.catalog.models.value) for h in in_view())
        ),
    )
    return screen


async def test_both_hosts_are_listed_in_one_table_and_a_chat_on_b_goes_to_b_only(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    b = gpu_sim()
    app = make_app(more_hosts=(gpu_host(b),))
    async with app.run_test(size=(120, 36)) as pilot:
        gpu = app.services.hosts.get_or_default("gpu")
        await until(pilot, lambda: app.connection.online and gpu.status.online)
        await until(pilot, lambda: "gpu 0.9.9" in bar_text(app))
        assert "http://ollama.test 0.12.3" in bar_text(app)
        screen = await open_models(pilot)
        assert screen.shows_all_hosts and screen.table.shows_hosts
        a_models = [m.name for m in app.services.hosts.default.catalog.models.value]
        assert sorted(listed(screen)) == sorted(
            [(IN_PROCESS_URL, name) for name in a_models]
            + [("gpu", "llama3.2:latest"), ("gpu", "bigmodel:70b")]
        )
        # The same model on both hosts is two rows.
        assert [host for host, name in listed(screen) if name == "llama3.2:latest"] in (
            [IN_PROCESS_URL, "gpu"],
            ["gpu", IN_PROCESS_URL],
        )
        total = len(a_models) + 2
        await until(pilot, lambda: count_line(screen) == f"{total} models on 2 hosts")
        assert screen.table.select_model("bigmodel:70b")
        assert "gpu" in screen.table.get_row_at(screen.table.cursor_row)[2].plain
        await settle_workers(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        await until(pilot, lambda: app.current_model == "bigmodel:70b")
        assert "chat on gpu" in bar_text(app)
        a_before = chats_sent(sim)
        await pilot.press(*"hello there", "enter")
        await until(pilot, lambda: chats_sent(b) == 1)
        await settle_workers(pilot)
        assert chats_sent(sim) == a_before == 0
        chat = app.services.store.get_chat(app.current_chat_id or 0)
        assert chat is not None and (chat.host, chat.model) == ("gpu", "bigmodel:70b")


async def test_the_all_hosts_table_sorts_and_filters_by_host(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    b = gpu_sim()
    host = gpu_host(b)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        screen = await open_models(pilot)
        # Sorted by host, then by name within each host.
        screen.table.sort_by("host")
        rows = listed(screen)
        assert [h for h, _ in rows] == ["gpu"] * 2 + [IN_PROCESS_URL] * (len(rows) - 2)
        assert [n for h, n in rows if h == "gpu"] == ["bigmodel:70b", "llama3.2:latest"]
        screen.table.reverse_sort()
        assert [h for h, _ in listed(screen)][-2:] == ["gpu", "gpu"]
        # ctrl+e passes through the host column too.
        screen.table.sort_by("name")
        await pilot.press("ctrl+e")
        assert screen.table.sort_column == "host"
        # Typing a host's name filters by it.
        screen.table.focus()
        await pilot.press(*"gpu")
        await until(pilot, lambda: len(screen.table.visible_rows) == 2)
        assert {h for h, _ in listed(screen)} == {"gpu"}
        assert count_line(screen) == f"2 of {len(rows)} on 2 hosts"
        screen.filter_input.value = "gpu 3.2"
        await until(pilot, lambda: listed(screen) == [("gpu", "llama3.2:latest")])


async def test_each_action_acts_on_the_rows_host(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Path
) -> None:
    from textual.widgets import Input

    from tui_app.core.gguf import write_minimal_gguf
    from tui_app.screens.dialogs import ConfirmDialog, CreateFromFileDialog, CreateModelDialog

    b = gpu_sim()
    host = gpu_host(b)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        await host.client.copy("llama3.2:latest", "me/llama3.2:latest")
        await host.catalog.refresh()
        screen = await open_models(pilot)

        async def on_gpu(model: str) -> None:
            if app.current_mode != "models":
                await pilot.press("f3")
                await until(pilot, lambda: app.screen is screen)
            await until(pilot, lambda: screen.table.select_model(model, "gpu"))
            await settle_workers(pilot)

        def only_b(path: str, method: str = "POST") -> list[object]:
            """Bodies of ``path`` requests b received; none may have reached host A."""
            assert not [r for r in sim.requests if (r.method, r.path) == (method, path)]
            return [r.body for r in b.requests if (r.method, r.path) == (method, path)]

        # The details of gpu's llama3.2 come from gpu.
        await on_gpu("llama3.2:latest")
        await until(pilot, lambda: any(r.path == "/api/show" for r in b.requests))
        # Load, keep loaded, unload.
        await pilot.press("ctrl+w")
        await until(pilot, lambda: len(only_b("/api/chat")) == 1)
        await until(pilot, lambda: screen.table.is_loaded("llama3.2:latest", "gpu"))
        assert not screen.table.is_loaded("llama3.2:latest", IN_PROCESS_URL)
        await pilot.press("ctrl+k")
        await until(pilot, lambda: len(only_b("/api/chat")) == 2)
        await pilot.press("ctrl+u")
        await until(pilot, lambda: len(only_b("/api/chat")) == 3)
        await settle_workers(pilot)
        assert [body["keep_alive"] for body in only_b("/api/chat")[1:]] == [-1, 0]  # type: ignore[index]
        # Copy.
        await pilot.press("ctrl+y")
        await dialog_shown(pilot, NameDialog)
        await pilot.press("ctrl+u", *"twin", "enter")
        await until(pilot, lambda: host.find("twin") is not None)
        assert app.services.hosts.default.find("twin") is None
        await until(pilot, lambda: screen.table.highlighted_row is not None)
        row = screen.table.highlighted_row
        assert row is not None and (row.host, row.model.name) == ("gpu", "twin:latest")
        # Delete, saying where from.
        await pilot.press("delete")
        question = await dialog_shown(pilot, ConfirmDialog)
        said = str(question.query_one("#confirm-question", Static).render())
        assert said.startswith("Delete twin:latest from gpu")
        await pilot.press("y")
        await until(pilot, lambda: host.find("twin") is None)
        assert only_b("/api/delete", "DELETE") == [{"model": "twin:latest"}]
        # Push.
        await on_gpu("me/llama3.2:latest")
        screen.action_push()
        await until(pilot, lambda: app.current_mode == "pulls")
        await until(pilot, lambda: len(only_b("/api/push")) == 1)
        # Create, from the highlighted row.
        await on_gpu("llama3.2:latest")
        await pilot.press("ctrl+n")
        dialog = await dialog_shown(pilot, CreateModelDialog)
        assert dialog.query_one("#create-from", Input).value == "llama3.2:latest"
        dialog.query_one("#create-name", Input).value = "derived"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: host.find("derived") is not None)
        assert only_b("/api/create")
        # Create from a GGUF file, with a gpu row highlighted.
        await on_gpu("bigmodel:70b")
        path = write_minimal_gguf(tmp_path / "tiny.gguf", payload=b"w" * 1000)
        screen.action_create_from_file()
        file_dialog = await dialog_shown(pilot, CreateFromFileDialog)
        file_dialog.query_one("#create-file-name", Input).value = "tiny"
        file_dialog.query_one("#create-file-path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: host.find("tiny") is not None)
        await settle_workers(pilot)
        assert len(only_b("/api/create")) == 2
        assert not [r for r in sim.requests if r.path.startswith("/api/blobs")]
        assert app.services.hosts.default.find("tiny") is None


async def test_an_offline_host_leaves_the_others_rows_and_loaded_models(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    b = gpu_sim()
    switch = Switchable(b.transport())
    host = gpu_host(b, switch)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        screen = await open_models(pilot)
        await until(pilot, lambda: screen.table.select_model("gemma3:1b", IN_PROCESS_URL))
        await pilot.press("ctrl+w")
        panel = screen.running_panel
        await until(pilot, lambda: [m.name for m in panel.running] == ["gemma3:1b"])
        assert "gpu" not in panel.unreachable_hosts
        switch.down = True
        app.check_host_now(host)
        await until(pilot, lambda: "gpu offline" in count_line(screen))
        a_count = len(app.services.hosts.default.catalog.models.value)
        assert count_line(screen) == f"{a_count} models on 1 host, gpu offline"
        assert {h for h, _ in listed(screen)} == {IN_PROCESS_URL}
        screen.poll_running_models()
        await until(pilot, lambda: "gpu" in panel.unreachable_hosts)
        assert [m.name for m in panel.running] == ["gemma3:1b"]
        text = panel.describe().plain
        assert "gemma3:1b" in text and "gpu  Ollama is unreachable" in text
        assert not panel.has_class("-unreachable")
        # Host A still loads and unloads.
        await pilot.press("ctrl+u")
        await until(pilot, lambda: not panel.running)
        switch.down = False
        app.check_host_now(host)
        await until(pilot, lambda: count_line(screen).endswith("on 2 hosts"))


async def test_the_view_chosen_is_kept_across_restarts(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Path
) -> None:
    def two_hosts(**kwargs: object) -> OllamaTUI:
        return make_app(more_hosts=(gpu_host(gpu_sim()),), store_dir=tmp_path / "app-0", **kwargs)

    app = two_hosts()
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: all(h.status.online for h in app.services.hosts))
        screen = await open_models(pilot)
        assert screen.shows_all_hosts  # what several hosts start with
        screen.table.sort_by("host")
        await pilot.press("ctrl+o")
        await until(pilot, lambda: count_line(screen).endswith(f"on {IN_PROCESS_URL}"))
        # One host's table has no host column to sort by.
        assert (screen.table.sort_column, screen.table.sort_descending) == ("name", False)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: count_line(screen) == "2 models on gpu")
        assert not screen.table.shows_hosts
        assert screen.running_panel.border_subtitle == "on gpu"
    again = two_hosts()
    async with again.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: all(h.status.online for h in again.services.hosts))
        screen = await open_models(pilot)
        await until(pilot, lambda: count_line(screen) == "2 models on gpu")
        await pilot.press("ctrl+o")
        await until(pilot, lambda: count_line(screen).endswith("on 2 hosts"))
        assert screen.table.shows_hosts
        # A saved host that is gone falls back to every host.
        again.services.store.set_setting(MODELS_HOST_SETTING, "tower")
    last = two_hosts()
    async with last.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: all(h.status.online for h in last.services.hosts))
        screen = await open_models(pilot)
        assert screen.shows_all_hosts


async def test_at_80_columns_hosts_are_short_and_each_loaded_model_keeps_one_line(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    b = gpu_sim()
    host = gpu_host(b)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        screen = await open_models(pilot)
        table = screen.table
        assert table.host_width == 8
        hosts = {table.get_row_at(i)[2].plain for i in range(table.row_count)}
        assert hosts == {"gpu", "ollama.…"}
        for model, on in (("llama3.2:latest", "gpu"), ("nomic-embed-text:latest", IN_PROCESS_URL)):
            await until(pilot, partial(table.select_model, model, on))
            await pilot.press("ctrl+w")
            await until(pilot, partial(table.is_loaded, model, on))
        panel = screen.running_panel
        await until(pilot, lambda: len(panel.running) == 2)
        lines = panel.describe().plain.splitlines()
        assert [line.split()[1] for line in lines] == ["ollama.test", "gpu"]  # in host order
        assert all(len(line) <= panel.content_size.width for line in lines)
        await pilot.resize_terminal(130, 30)
        await until(pilot, lambda: table.host_width == 12)
        assert table.get_row_at(0)[2].plain in {"gpu", "ollama.test"}


async def test_one_host_has_no_host_column_and_no_host_key(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.connection.online)
        screen = await open_models(pilot)
        assert not screen.shows_all_hosts and not screen.table.shows_hosts
        assert "host" not in [str(c.key.value) for c in screen.table.ordered_columns]
        assert screen.check_action("next_host", ()) is False
        assert count_line(screen).endswith("models")


async def test_an_offline_host_leaves_the_other_working_and_is_never_sent_to_silently(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    b = gpu_sim()
    switch = Switchable(b.transport())
    host = gpu_host(b, switch)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and host.catalog.models.value)
        # A chat on gpu with llama3.2, which host A has with the same digest.
        chat_screen = app.screen
        assert isinstance(chat_screen, ChatScreen)
        await chat_screen.new_chat(model="llama3.2:latest", host="gpu")
        await until(pilot, lambda: "chat on gpu" in bar_text(app))
        # gpu goes away: it is offline, host A keeps answering.
        switch.down = True
        app.check_host_now(host)
        await until(pilot, lambda: "gpu offline" in bar_text(app))
        assert app.connection.online
        await pilot.press(*"hi", "enter")
        await dialog_shown(pilot, HostChoiceDialog)
        assert chats_sent(b) == 0 and chats_sent(sim) == 0
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HostChoiceDialog))
        assert chats_sent(sim) == 0, "escape sends nothing"
        assert chat_screen.prompt.text == "hi"
        # Asked again, the user sends it to host A.
        await pilot.press("enter")
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: chats_sent(sim) == 1)
        await settle_workers(pilot)
        assert chats_sent(b) == 0
        assert any("now runs on http://ollama.test" in n.message for n in notices(app))
        # gpu comes back: the reconnect key finds it at once.
        switch.down = False
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "gpu 0.9.9" in bar_text(app))


async def test_a_pull_goes_to_the_host_chosen(make_app: AppFactory, sim: SimulatedOllama) -> None:
    b = gpu_sim()
    host = gpu_host(b)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        screen = await open_models(pilot)
        # With a gpu row highlighted, gpu is offered first.
        await until(pilot, lambda: screen.table.select_model("bigmodel:70b"))
        await pilot.press("ctrl+a")
        await dialog_shown(pilot, NameDialog)
        await pilot.press(*"mistral:7b", "enter")
        offered = await dialog_shown(pilot, HostChoiceDialog)
        assert [str(r.label) for r in offered.query(RadioButton) if r.value] == [
            "gpu (online, Ollama 0.9.9)"
        ]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: screen.table.select_model("gemma3:1b"))
        await pilot.press("ctrl+a")
        await dialog_shown(pilot, NameDialog)
        await pilot.press(*"mistral:7b", "enter")
        await dialog_shown(pilot, HostChoiceDialog)
        # The highlighted row's host (the default) is chosen at first; the user picks gpu.
        await pilot.press("down", "space", "ctrl+s")
        await until(pilot, lambda: app.current_mode == "pulls")
        await until(pilot, lambda: host.find("mistral:7b") is not None)
        await settle_workers(pilot)
        assert any(r.path == "/api/pull" for r in b.requests)
        assert not any(r.path == "/api/pull" for r in sim.requests)
        assert app.services.hosts.default.find("mistral:7b") is None


async def test_a_refused_key_shows_as_an_auth_failure_not_offline(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from tui_app.demo import Fault

    b = gpu_sim()
    for _ in range(3):
        b.inject(Fault("/api/tags", status=401, message="unauthorized"))
    client = OllamaClient("http://gpu.test", api_key="sk-secret", transport=b.transport())
    host = Host("gpu", client.base_url, client, api_key_env="GPU_KEY")
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.state is LinkState.AUTH_FAILED)
        await until(pilot, lambda: "gpu auth failed" in bar_text(app))
        assert "$GPU_KEY" in host.status.error and "sk-secret" not in bar_text(app)
        assert all("authorization" not in r.headers for r in sim.requests)
        said = [n for n in notices(app) if n.title == "Authentication failed"]
        assert len(said) == 1 and "gpu" in said[0].message and "$GPU_KEY" in said[0].message


async def test_a_host_added_in_the_app_is_written_and_followed(
    make_app: AppFactory, tmp_path: Path
) -> None:
    from tui_app.core.config import read_config_file
    from tui_app.demo import SimulatedServer

    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n', encoding="utf-8")
    gpu = gpu_sim()
    with SimulatedServer(gpu) as server:
        app = make_app(config_file=path)
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: app.connection.online)
            app.action_add_host()
            await dialog_shown(pilot, NameDialog)
            await pilot.press(*"gpu", "enter")
            await until(
                pilot, lambda: "Address of gpu" in str(app.screen.query_one(".dialog").border_title)
            )
            await pilot.press(*server.url.removeprefix("http://"), "enter")
            await until(pilot, lambda: "gpu 0.9.9" in bar_text(app))
            await settle_workers(pilot)
    assert path.read_text(encoding="utf-8").startswith('theme = "nord"\n')
    assert [h.url for h in read_config_file(path).hosts] == [server.url]


async def test_a_name_typed_on_the_pulls_screen_goes_to_the_host_chosen(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from textual.widgets import Input

    b = gpu_sim()
    host = gpu_host(b)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        await app.switch_mode("pulls")
        await until(pilot, lambda: app.screen.query("#pull-model").first(Input).has_focus)
        await pilot.press(*"mistral:7b", "enter")
        await dialog_shown(pilot, HostChoiceDialog)
        # The default host is chosen at first; the user picks gpu.
        await pilot.press("down", "space", "ctrl+s")
        await until(pilot, lambda: host.find("mistral:7b") is not None)
        await settle_workers(pilot)
        assert any(r.path == "/api/pull" for r in b.requests)
        assert not any(r.path == "/api/pull" for r in sim.requests)
        assert app.screen.query_one("#pull-model", Input).value == ""
        # The next pull offers gpu first; escape keeps the name typed.
        await pilot.press(*"qwen3:8b", "enter")
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HostChoiceDialog))
        assert app.screen.query_one("#pull-model", Input).value == "qwen3:8b"
        pulled = [r.body for r in [*sim.requests, *b.requests] if r.path == "/api/pull"]
        assert not any("qwen3" in str(body) for body in pulled)


GPU_FILE = 'theme = "nord"\n\n[[hosts]]\nname = "gpu"\nurl = "http://gpu.test"\n'


async def test_a_host_renamed_in_the_app_is_written_and_its_chats_follow(
    make_app: AppFactory, tmp_path: Path
) -> None:
    from tui_app.core.config import read_config_file

    path = tmp_path / "config.toml"
    path.write_text(GPU_FILE, encoding="utf-8")
    host = gpu_host(gpu_sim())
    app = make_app(config_file=path, more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        chat = app.services.store.create_chat(model="bigmodel:70b", host="gpu")
        app.services.store.set_setting(MODELS_HOST_SETTING, "gpu")  # the model browser shows gpu
        app.action_rename_host()
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("ctrl+s")  # gpu, the first host other than the default
        await dialog_shown(pilot, NameDialog)
        await pilot.press("ctrl+u", *"tower", "enter")
        await until(pilot, lambda: app.services.hosts.names()[1] == "tower")
        await until(pilot, lambda: "tower 0.9.9" in bar_text(app))
        assert app.services.hosts.get("gpu") is host  # an open chat still finds it
        record = app.services.store.get_chat(chat.id)
        assert record is not None and record.host == "tower"
        assert app.services.store.get_setting(MODELS_HOST_SETTING) == "tower"
    assert path.read_text(encoding="utf-8") == GPU_FILE.replace('"gpu"', '"tower"')
    assert [h.name for h in read_config_file(path).hosts] == ["tower"]


async def test_a_host_removed_in_the_app_but_never_the_default(
    make_app: AppFactory, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GPU_FILE, encoding="utf-8")
    host = gpu_host(gpu_sim())
    app = make_app(config_file=path, more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        # The default host (given by its address) is refused, saying why.
        app.action_remove_host()
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("up", "space", "ctrl+s")
        await until(pilot, lambda: any(n.title == "Host not removed" for n in notices(app)))
        said = next(n for n in notices(app) if n.title == "Host not removed")
        assert "default host" in said.message and "OLLAMA_HOST" in said.message
        assert len(app.services.hosts) == 2
        # gpu goes, after a yes.
        app.action_remove_host()
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: titled(app, "Remove"))
        await pilot.press("y")
        await until(pilot, lambda: app.services.hosts.names() == [app.services.host])
        await until(pilot, lambda: "gpu" not in bar_text(app))
    assert path.read_text(encoding="utf-8") == 'theme = "nord"\n\n'


async def test_testing_a_host_says_what_came_back(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    b = gpu_sim()
    switch = Switchable(b.transport())
    host = gpu_host(b, switch)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        app.action_test_host()
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(n.title == "Host test" for n in notices(app)))
        assert [n.message for n in notices(app) if n.title == "Host test"] == [
            "gpu is online, Ollama 0.9.9."
        ]
        switch.down = True
        app.action_test_host()
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: sum(n.title == "Host test" for n in notices(app)) == 2)
        said = [n for n in notices(app) if n.title == "Host test"][-1]
        assert said.message.startswith("gpu is offline") and said.severity == "warning"


async def test_the_workbench_sends_to_the_host_chosen(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from textual.widgets import Select

    from tui_app.screens.workbench import WorkbenchScreen

    b = gpu_sim()
    host = gpu_host(b)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        await pilot.press("f10")
        screen = app.screen
        assert isinstance(screen, WorkbenchScreen)
        await until(pilot, lambda: bool(screen.models))
        picker = screen.query_one("#wb-host", Select)
        assert screen.query_one("#wb-host-row").display and picker.value == app.services.host
        picker.value = "gpu"
        await until(pilot, lambda: any(m.name == "bigmodel:70b" for m in screen.models))
        screen.query_one("#wb-model", Select).value = "bigmodel:70b"
        await until(pilot, lambda: "bigmodel:70b" in screen.capabilities)
        screen.area("prompt").set_text("Why is the sky blue?")
        await until(pilot, lambda: screen.preview_text.startswith("POST http://gpu.test/"))
        await pilot.press("ctrl+g")
        await settle_workers(pilot)
        await until(pilot, lambda: not screen.running)
        assert [r.body["model"] for r in b.requests if r.path == "/api/generate"] == [
            "bigmodel:70b"
        ]
        assert not any(r.path == "/api/generate" for r in sim.requests)


async def test_the_workbench_has_no_host_choice_with_one_host(make_app: AppFactory) -> None:
    from tui_app.screens.workbench import WorkbenchScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f10")
        screen = app.screen
        assert isinstance(screen, WorkbenchScreen)
        await until(pilot, lambda: bool(screen.models))
        assert not screen.query_one("#wb-host-row").display


async def test_compare_runs_the_same_model_on_two_hosts_side_by_side(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    from textual.widgets import Input, Select

    from tui_app.core.compare import comparison_from_json
    from tui_app.screens.compare import CompareScreen

    b = gpu_sim()
    host = gpu_host(b)
    app = make_app(more_hosts=(host,))
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: host.status.online and app.connection.online)
        await until(pilot, lambda: host.find("bigmodel:70b") is not None)
        await pilot.press("f12")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        left, right = screen.columns
        assert left.query_one(".compare-host", Select).display
        right.query_one(".compare-host", Select).value = "gpu"
        await until(pilot, lambda: right.host == "gpu")
        for column in (left, right):
            column.choose(model="llama3.2:latest")
        await pilot.pause()
        screen.query_one("#compare-prompt", Input).focus()
        screen.query_one("#compare-prompt", Input).value = "Which box am I on?"
        await pilot.press("enter")
        await settle_workers(pilot)
        await until(pilot, lambda: len(app.services.store.list_comparisons()) == 1)
        assert [r.body["model"] for r in sim.requests if r.path == "/api/chat"] == [
            "llama3.2:latest"
        ]
        assert [r.body["model"] for r in b.requests if r.path == "/api/chat"] == ["llama3.2:latest"]
        _, _, columns = comparison_from_json(app.services.store.list_comparisons()[0].data)
        assert [setup.host for setup, _ in columns] == ["", "gpu"]
        # Renamed, the host keeps its column.
        app.services.hosts.rename(host, "tower")
        await until(pilot, lambda: right.host == "tower")
        assert right.query_one(".compare-host", Select).value == "tower"
        assert left.host == ""


async def test_compare_has_no_host_choice_with_one_host(make_app: AppFactory) -> None:
    from textual.widgets import Select

    from tui_app.screens.compare import CompareScreen

    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: app.connection.online)
        await pilot.press("f12")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert not any(c.query_one(".compare-host", Select).display for c in screen.columns)
