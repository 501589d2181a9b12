"""A chat whose host is not configured in this run is never sent elsewhere without asking."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import RadioButton

from tests.helpers import dialog_shown, notices, settle_workers, until
from tests.ui.test_hosts_in_app import chats_sent, gpu_host, gpu_sim
from tui_app.app import OllamaTUI
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import HostChoiceDialog

AppFactory = Callable[..., OllamaTUI]


async def test_a_chat_on_a_host_no_longer_configured_asks_where_to_send(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    # The chat was started on "laptop", a host this run does not know (removed from the
    # file, or the app started with other hosts).
    b = gpu_sim()
    app = make_app(more_hosts=(gpu_host(b),))
    async with app.run_test(size=(120, 36)) as pilot:
        gpu = app.services.hosts.get_or_default("gpu")
        await until(pilot, lambda: app.connection.online and gpu.status.online)
        await until(pilot, lambda: gpu.catalog.models.value and app.services.catalog.names())
        store = app.services.store
        chat = store.create_chat(title="Earlier", model="bigmodel:70b", host="laptop")
        store.add_message(chat.id, "user", "an earlier question")
        store.add_message(chat.id, "assistant", "an earlier answer")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await screen.open_chat(chat.id)
        await pilot.press(*"hello", "enter")
        dialog = await dialog_shown(pilot, HostChoiceDialog)
        assert chats_sent(sim) == chats_sent(b) == 0
        heading = str(app.screen.query_one(".dialog").border_title)
        assert "laptop" in heading and "not configured" in heading
        # The host that has the model is offered first, and pressed.
        buttons = list(dialog.query(RadioButton))
        assert "gpu" in str(buttons[0].label) and buttons[0].value
        assert len(buttons) == 2
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HostChoiceDialog))
        assert screen.prompt.text == "hello" and chats_sent(sim) == chats_sent(b) == 0
        # Asked again, the user sends it to gpu, where the model is.
        await pilot.press("enter")
        await dialog_shown(pilot, HostChoiceDialog)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: chats_sent(b) == 1)
        await settle_workers(pilot)
        assert chats_sent(sim) == 0
        assert any("now runs on gpu" in n.message for n in notices(app))
        moved = store.get_chat(chat.id)
        assert moved is not None and moved.host == "gpu"
