"""What the saved-chats list and its search look like, with titles in several scripts."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.helpers import dialog_shown, settle_workers, until
from tests.ui.test_chat_list import ListHarness
from tui_app.app import OllamaTUI
from tui_app.core.clock import ManualClock
from tui_app.screens.dialogs import SearchChatsDialog
from tui_app.store import Store
from tui_app.widgets.chat_list import ChatList

SnapCompare = Callable[..., bool]

NOW = 1_750_000_000.0

CHATS = [
    # (title, model, age in seconds, messages)
    ("Plan a week in Kyoto", "llama3.2:latest", 5 * 86400, ["Where should I stay in Kyoto?"]),
    ("寿司の作り方を教えてください、できれば詳しく", "qwen2.5:0.5b", 3 * 86400, ["寿司"]),
    ("مرحبا بالعالم، كيف حالك اليوم؟", "gemma3:1b", 26 * 3600, ["مرحبا"]),
    ("🎉 Party ideas 👩‍👩‍👧 for the family", None, 2 * 3600, ["A party with a pasta bar?"]),
    ("[bold]Not bold[/bold] \x1b[31mnot red", "llama3.2:latest", 7 * 60, ["[b]literal[/b]"]),
    (
        "Pasta for a crowd",
        "qwen3:8b",
        20,
        [
            "How much pasta for twelve people?",
            "About 100 g of dry pasta each, so 1.2 kg; boil it in two pots.",
        ],
    ),
]


def fill(store: Store) -> None:
    for title, model, age, messages in CHATS:
        store.clock = partial(float.__sub__, NOW, age)
        chat = store.create_chat(title=title, model=model)
        for index, text in enumerate(messages):
            store.add_message(chat.id, "user" if index % 2 == 0 else "assistant", text)


@pytest.fixture
def app_clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def filled_store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "data" / "ollama-tui.db")
    fill(store)
    return store


async def focus_list(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    pilot.app.query_one(ChatList).focus()
    await pilot.pause()


def test_chat_list_with_many_scripts(snap_compare: SnapCompare, filled_store: Store) -> None:
    app = ListHarness(filled_store, clock=ManualClock(NOW))
    assert snap_compare(app, terminal_size=(80, 24), run_before=focus_list)


def test_search_results(
    snap_compare: SnapCompare, make_app: Callable[..., OllamaTUI], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SearchChatsDialog, "DEBOUNCE_SECONDS", 0.0)
    app = make_app()
    fill(app.services.store)

    async def search(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: app.connection.online and app.models)
        await settle_workers(pilot, rounds=4)
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        dialog.query_one(Input).cursor_blink = False
        await pilot.press(*"pasta")
        await until(pilot, lambda: dialog.hits)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=search)
