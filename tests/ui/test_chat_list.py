"""The saved-chats list: rows, choosing, the requests it posts, and what the chat screen does
with them (rename, delete, export, search), with two windows on one data directory."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList, Static
from textual.worker import WorkerCancelled

from tests.helpers import (
    ENDLESS_GROUPS,
    dialog_shown,
    notice_texts,
    notices,
    record_notifications,
    until,
)
from tui_app.app import OllamaTUI
from tui_app.core.clock import Clock, ManualClock
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import (
    ConfirmDialog,
    ExportChatDialog,
    NameDialog,
    SearchChatsDialog,
)
from tui_app.store import ChatRecord, Store
from tui_app.widgets.chat_list import ChatList

SIZE = (100, 30)
APP_SIZE = (120, 36)
NOW = dt.datetime(2025, 6, 1, 12, 0).timestamp()

AppFactory = Callable[..., OllamaTUI]


class ListHarness(App[None]):
    """The list beside a stand-in prompt, reading ``store``; it records what the list asks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "search", "Search", priority=True),
    ]

    def __init__(
        self, store: Store, *, follow_open_chat: bool = False, clock: Clock | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.follow_open_chat = follow_open_chat
        self.clock = clock
        self.heard: list[Message] = []
        record_notifications(self)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield ChatList(
                self.read_chats,
                follow_open_chat=self.follow_open_chat,
                clock=self.clock,
                id="chats",
            )
            yield Input(id="prompt")

    async def read_chats(self) -> Sequence[ChatRecord]:
        return await asyncio.to_thread(self.store.list_chats)

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).focus()

    def action_search(self) -> None:
        self.query_one(ChatList).action_search()

    def on_chat_list_chat_selected(self, message: ChatList.ChatSelected) -> None:
        self.heard.append(message)

    def on_chat_list_new_chat_requested(self, message: ChatList.NewChatRequested) -> None:
        self.heard.append(message)

    def on_chat_list_rename_requested(self, message: ChatList.RenameRequested) -> None:
        self.heard.append(message)

    def on_chat_list_delete_requested(self, message: ChatList.DeleteRequested) -> None:
        self.heard.append(message)

    def on_chat_list_export_requested(self, message: ChatList.ExportRequested) -> None:
        self.heard.append(message)

    def on_chat_list_search_requested(self, message: ChatList.SearchRequested) -> None:
        self.heard.append(message)


@pytest.fixture(autouse=True)
def quick_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search as soon as a key is typed, so tests need not wait out the debounce."""
    monkeypatch.setattr(SearchChatsDialog, "DEBOUNCE_SECONDS", 0.0)


def add_chat(store: Store, title: str, model: str | None = "llama3.2:latest", **kw: str) -> int:
    chat = store.create_chat(title=title, model=model)
    for role, content in kw.items():
        store.add_message(chat.id, role, content)
    return chat.id


def rows(chat_list: ChatList) -> list[str]:
    """Every row's plain text, two lines per chat."""
    options = chat_list.options
    return [str(options.get_option_at_index(index).prompt) for index in range(options.option_count)]


def row_text(chat_list: ChatList) -> list[str]:
    """What the list shows, line by line, as rendered."""
    options = chat_list.options
    return [options.render_line(y).text for y in range(options.size.height)]


DIALOG_HOLDER = "chat-list-action"
"""Worker group of the chat screen's list actions, which wait while their dialog is open."""


async def settle(app: App[None], *, dialog_open: bool = False) -> None:
    """Wait for the app's workers; with ``dialog_open``, not for the one holding the dialog."""
    for _ in range(2):
        for worker in list(app.workers):
            if worker.group in ENDLESS_GROUPS or (dialog_open and worker.group == DIALOG_HOLDER):
                continue
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()
        await app.animator.wait_until_complete()


async def open_list(pilot: Pilot[None], app: ListHarness) -> ChatList:
    """Focus the list once it has loaded, and wait for the reload that focusing starts."""
    await settle(app)
    chat_list = app.query_one(ChatList)
    chat_list.focus()
    await pilot.pause()
    await settle(app)
    return chat_list


# -- rows -----------------------------------------------------------------------------------


async def test_rows_show_title_model_and_time_newest_first(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    times = iter([NOW - 3 * 86400, NOW - 3 * 60, NOW - 10])
    store.clock = lambda: next(times)
    add_chat(store, "Oldest")
    add_chat(store, "Middle", model="qwen2.5:0.5b")
    add_chat(store, "Newest", model=None)
    app = ListHarness(store, clock=ManualClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        assert rows(chat_list) == [
            "+ New chat",
            "Newest\nno model · just now",
            "Middle\nqwen2.5:0.5b · 3 min ago",
            "Oldest\nllama3.2:latest · 3 days ago",
        ]
        assert chat_list.options.border_title == "Chats (3)"
        assert chat_list.highlighted_chat is not None
        assert chat_list.highlighted_chat.title == "Newest"


async def test_times_are_redrawn_as_they_age(store: Store) -> None:
    store.clock = lambda: NOW
    add_chat(store, "Aging")
    clock = ManualClock(NOW)
    app = ListHarness(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        assert rows(chat_list)[1].endswith("just now")
        clock.advance(5 * 60)
        chat_list.refresh_times()
        assert rows(chat_list)[1].endswith("5 min ago")


async def test_empty_store_offers_only_a_new_chat(store: Store) -> None:
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        assert rows(chat_list) == ["+ New chat"]
        assert chat_list.options.border_title == "Chats"
        assert chat_list.highlighted_chat is None
        await pilot.press("r", "d", "e")
        await pilot.pause()
        assert app.heard == []  # no chat to act on: nothing is asked of the screen
        assert "Highlight a chat in the list to rename it." in notice_texts(app)
        await pilot.press("enter")
        await pilot.pause()
        assert [type(m) for m in app.heard] == [ChatList.NewChatRequested]


async def test_markup_and_escapes_in_titles_are_shown_literally(store: Store) -> None:
    add_chat(store, "[bold red]not bold[/] \x1b[31mreally\x1b[0m [link=http://x]y[/link]")
    app = ListHarness(store)
    async with app.run_test(size=(120, 30)) as pilot:
        chat_list = await open_list(pilot, app)
        assert rows(chat_list)[1].startswith(
            "[bold red]not bold[/] \u241b[31mreally\u241b[0m [link=http://x]y[/link]\n"
        )
        chat_list.options.highlighted = 0  # the cursor row is bold; look at a plain row
        await pilot.pause()
        strip = chat_list.options.render_line(1)
        assert strip.text.startswith("[bold red]not bold[/] \u241b[31m")
        assert not any(segment.style and segment.style.bold for segment in strip)
        assert "\x1b" not in "".join(row_text(chat_list))


@pytest.mark.parametrize(
    "title",
    [
        "日本語のタイトルはとても長いのでこの列には収まりません本当に",
        "🎉🎉 party 👩‍👩‍👧 family emoji that goes on and on and on",
        "مرحبا بالعالم هذا عنوان طويل جدا باللغة العربية للاختبار",
        "multi\nline\ntitle that would otherwise take many rows",
    ],
)
async def test_wide_and_rtl_titles_keep_each_row_to_its_lines(store: Store, title: str) -> None:
    add_chat(store, title)
    add_chat(store, "After")
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        lines = row_text(chat_list)
        width = chat_list.options.scrollable_content_region.width
        # New chat, then two lines per chat: the long title is cut, never wrapped.
        assert lines[1].startswith("After")
        assert "llama3.2:latest" in lines[2]
        assert lines[3].rstrip().endswith("…")
        assert "llama3.2:latest" in lines[4]
        for y in range(5):
            assert chat_list.options.render_line(y).cell_length == width


# -- choosing -------------------------------------------------------------------------------


async def test_enter_opens_the_highlighted_chat(store: Store) -> None:
    first = add_chat(store, "First")
    add_chat(store, "Second")
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.heard == [ChatList.ChatSelected(first)]
        await pilot.press("home", "enter", "n")
        await pilot.pause()
        assert app.heard[1:] == [ChatList.NewChatRequested(), ChatList.NewChatRequested()]


async def test_click_opens_a_chat(store: Store) -> None:
    only = add_chat(store, "Clickable")
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        # Row 1 is "+ New chat"; the chat's title is on the row below it, inside the border.
        await pilot.click(chat_list.options, offset=(4, 2))
        await pilot.pause()
        assert app.heard == [ChatList.ChatSelected(only)]


async def test_reload_picks_up_new_chats_and_highlights_the_chosen_one(store: Store) -> None:
    add_chat(store, "Existing")
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        created = add_chat(store, "Created by the screen")
        await chat_list.reload(select=created)
        assert [chat.title for chat in chat_list.chats] == ["Created by the screen", "Existing"]
        assert chat_list.highlighted_chat is not None
        assert chat_list.highlighted_chat.id == created
        await pilot.press("down")
        await chat_list.reload()  # keeps the user's highlight
        assert chat_list.highlighted_chat.title == "Existing"


async def test_follows_the_open_chat(store: Store) -> None:
    first = add_chat(store, "First")
    add_chat(store, "Second")
    app = ListHarness(store, follow_open_chat=True)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        # No chat is open yet: "+ New chat" is highlighted, and there is nothing to rename.
        assert chat_list.options.highlighted == 0
        assert [command.title for command in chat_list.palette_commands()] == ["Search all chats"]
        chat_list.open_chat_id = first
        await pilot.pause()
        assert chat_list.highlighted_chat is not None
        assert chat_list.highlighted_chat.id == first
        fresh = add_chat(store, "Just started")
        chat_list.open_chat_id = fresh
        await settle(app)
        assert chat_list.chats[0].id == fresh
        assert chat_list.highlighted_chat.id == fresh
        chat_list.open_chat_id = None  # a new chat was started
        await pilot.pause()
        assert chat_list.options.highlighted == 0


# -- what the list asks of its screen ---------------------------------------------------------


async def test_keys_ask_the_screen_to_act_on_the_highlighted_chat(store: Store) -> None:
    older = add_chat(store, "Older [b]one[/b]")
    newer = add_chat(store, "Newer")
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, app)
        await pilot.press("r", "d", "delete", "e", "slash", "down", "r", "ctrl+f")
        await pilot.pause()
        assert app.heard == [
            ChatList.RenameRequested(newer, "Newer"),
            ChatList.DeleteRequested(newer, "Newer"),
            ChatList.DeleteRequested(newer, "Newer"),
            ChatList.ExportRequested(newer, "Newer"),
            ChatList.SearchRequested(),
            ChatList.RenameRequested(older, "Older [b]one[/b]"),
            ChatList.SearchRequested(),
        ]


async def test_palette_commands(store: Store) -> None:
    chat_id = add_chat(store, "Listed")
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)
        commands = {command.title: command for command in chat_list.palette_commands()}
        assert set(commands) == {
            "Search all chats",
            "Rename chat",
            "Delete chat",
            "Export chat to Markdown",
        }
        for title in ("Rename chat", "Delete chat", "Export chat to Markdown", "Search all chats"):
            commands[title].callback()
        await pilot.pause()
        assert app.heard == [
            ChatList.RenameRequested(chat_id, "Listed"),
            ChatList.DeleteRequested(chat_id, "Listed"),
            ChatList.ExportRequested(chat_id, "Listed"),
            ChatList.SearchRequested(),
        ]
        chat_list.options.highlighted = 0  # "+ New chat": nothing to rename
        titles = [command.title for command in chat_list.palette_commands()]
        assert titles == ["Search all chats"]


async def test_chats_written_by_another_window_appear_when_the_list_is_focused(
    store: Store, other_window: Store
) -> None:
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        chat_list = app.query_one(ChatList)
        assert chat_list.chats == []
        other_window.create_chat(title="From the other window")
        await pilot.press("tab")  # from the prompt to the list
        await settle(app)
        assert app.focused is chat_list.options
        assert [chat.title for chat in chat_list.chats] == ["From the other window"]


async def test_an_unreadable_source_keeps_the_rows(store: Store) -> None:
    add_chat(store, "Kept")
    app = ListHarness(store)
    async with app.run_test(size=SIZE) as pilot:
        chat_list = await open_list(pilot, app)

        async def unreadable() -> None:
            return None

        chat_list.source = unreadable
        await chat_list.reload()
        assert [chat.title for chat in chat_list.chats] == ["Kept"]


# -- in the chat screen: what it does with the requests ---------------------------------------


@pytest.fixture
def other_window(store: Store) -> Iterator[Store]:
    """A second store on the same file, as a second app instance would hold."""
    other = Store.open(store.path)
    yield other
    other.close()


@contextlib.contextmanager
def window_on(store: Store) -> Iterator[Store]:
    """Another instance's store on the file of ``store``."""
    other = Store.open(store.path)
    try:
        yield other
    finally:
        other.close()


async def open_app_list(pilot: Pilot[None], *, highlight: int | None = 1) -> ChatList:
    """Wait for the chat screen, focus its list and highlight row ``highlight`` (1: the newest
    chat; a new chat is open, so "+ New chat" is highlighted at first)."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, ChatScreen))
    await settle(app)
    chat_list = app.screen.query_one(ChatList)
    chat_list.focus()
    await pilot.pause()
    await settle(app)
    if highlight is not None:
        chat_list.options.highlighted = highlight
        await pilot.pause()
    return chat_list


async def test_rename_is_prefilled_and_saved(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    chat_id = add_chat(store, "Old title", user="hi")
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot)
        await pilot.press("r")
        dialog = await dialog_shown(pilot, NameDialog)
        field = dialog.query_one(Input)
        assert field.value == "Old title"
        field.value = "  New   [b]title[/b] 日本  "
        await pilot.press("enter")
        await settle(app)
        assert not isinstance(app.screen, NameDialog)
        stored = store.get_chat(chat_id)
        assert stored is not None and stored.title == "New [b]title[/b] 日本"
        assert rows(chat_list)[1].startswith("New [b]title[/b] 日本\n")
        assert chat_list.highlighted_chat is not None
        assert chat_list.highlighted_chat.id == chat_id


async def test_renaming_the_open_chat_changes_its_header(make_app: AppFactory) -> None:
    app = make_app()
    chat_id = add_chat(app.services.store, "Before", user="hi")
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await until(pilot, lambda: screen.chat is not None and screen.chat.id == chat_id)
        chat_list.focus()
        await pilot.press("r")
        dialog = await dialog_shown(pilot, NameDialog)
        dialog.query_one(Input).value = "After"
        await pilot.press("enter")
        await settle(app)
        assert screen.chat is not None and screen.chat.title == "After"
        assert "After" in str(screen.query_one("#chat-header", Static).render())


async def test_rename_cancelled_or_blank_changes_nothing(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    chat_id = add_chat(store, "Keep me")
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot)
        await pilot.press("r")
        dialog = await dialog_shown(pilot, NameDialog)
        dialog.query_one(Input).value = "   "
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        error = dialog.query_one("#dialog-error", Static)
        assert error.display and "cannot be blank" in str(error.render())
        await pilot.press("escape")
        await settle(app)
        assert not isinstance(app.screen, NameDialog)
        stored = store.get_chat(chat_id)
        assert stored is not None and stored.title == "Keep me"


async def test_delete_asks_naming_the_chat_and_its_messages(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    keep = add_chat(store, "Keep")
    doomed = add_chat(store, "Doomed [i]chat[/i]", user="q", assistant="a")
    store.add_message(doomed, "user", "again")
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot)
        await pilot.press("d")
        dialog = await dialog_shown(pilot, ConfirmDialog)
        assert str(dialog.query_one("#confirm-question", Label).render()) == (
            "Delete “Doomed [i]chat[/i]”?"
        )
        assert "its 3 messages will be deleted" in str(
            dialog.query_one("#confirm-detail", Static).render()
        )
        # Focus starts on Cancel: a stray enter keeps the chat.
        assert app.focused is not None and app.focused.id == "cancel"
        await pilot.press("enter")
        await settle(app)
        assert store.get_chat(doomed) is not None
        assert app.focused is app.screen.query_one("#prompt")  # a closed dialog: the prompt

        chat_list.focus()
        await pilot.pause()
        await pilot.press("delete")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("y")
        await settle(app)
        assert store.get_chat(doomed) is None
        assert store.messages(doomed) == []
        assert [chat.id for chat in chat_list.chats] == [keep]
        assert "Deleted “Doomed [i]chat[/i]”." in notice_texts(app)


async def test_delete_button_and_escape(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    chat_id = add_chat(store, "Click to delete", user="q")
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot)
        await pilot.press("d")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("escape")
        await settle(app)
        assert store.get_chat(chat_id) is not None
        chat_list.focus()
        await pilot.pause()
        await pilot.press("d")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.click("#cancel")
        await settle(app)
        assert store.get_chat(chat_id) is not None
        # Focus is back in the prompt after the dialog, as after any dialog.
        assert app.focused is app.screen.query_one("#prompt")
        chat_list.focus()
        await pilot.pause()
        assert isinstance(app.focused, OptionList)
        await pilot.press("d")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.click("#confirm")
        await settle(app)
        assert store.get_chat(chat_id) is None


async def press_export(pilot: Pilot[None]) -> ExportChatDialog:
    await pilot.press("e")
    return await dialog_shown(pilot, ExportChatDialog)


async def test_export_writes_markdown_to_the_suggested_path(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    chat_id = add_chat(store, "Trip to Kyoto", user="Plan a trip", assistant="Day 1: temples")
    store.update_chat(chat_id, system="Be brief.", options={"temperature": 0.5})
    Path.home().mkdir()
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot)
        dialog = await press_export(pilot)
        assert dialog.query_one(Input).value == "~/trip-to-kyoto.md"
        await pilot.press("enter")
        await settle(app)
        assert not isinstance(app.screen, ExportChatDialog)
        written = Path.home() / "trip-to-kyoto.md"
        text = written.read_text(encoding="utf-8")
        assert text.startswith("# Trip to Kyoto\n")
        assert "llama3.2:latest" in text and "Be brief." in text and '"temperature": 0.5' in text
        assert "Plan a trip" in text and "Day 1: temples" in text
        assert any("Wrote “Trip to Kyoto” to" in text for text in notice_texts(app))


async def test_export_errors_keep_the_dialog_open(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    add_chat(app.services.store, "Chat", user="hello")
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot)
        dialog = await press_export(pilot)
        field = dialog.query_one(Input)
        error = dialog.query_one("#dialog-error", Static)

        field.value = str(tmp_path / "missing" / "chat.md")
        await pilot.press("enter")
        await settle(app, dialog_open=True)
        assert app.screen is dialog
        assert error.display
        assert str(error.render()) == f"The folder {tmp_path / 'missing'} does not exist."

        field.value = str(tmp_path)
        await pilot.press("enter")
        await settle(app, dialog_open=True)
        assert app.screen is dialog
        assert str(error.render()).startswith(f"{tmp_path} is a folder")

        field.value = "   "
        await pilot.press("enter")
        await settle(app, dialog_open=True)
        assert str(error.render()) == "Give a file path."

        field.value = str(tmp_path / "fine.md")
        await pilot.press("enter")
        await settle(app)
        assert not isinstance(app.screen, ExportChatDialog)
        assert (tmp_path / "fine.md").read_text().startswith("# Chat")


async def test_export_shows_permission_denied(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, text: str, *, overwrite: bool = False) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("tui_app.screens.dialogs.history.write_export", refuse)
    app = make_app()
    add_chat(app.services.store, "Chat")
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot)
        dialog = await press_export(pilot)
        dialog.query_one(Input).value = "/etc/chat.md"
        await pilot.press("enter")
        await settle(app, dialog_open=True)
        assert app.screen is dialog
        error = dialog.query_one("#dialog-error", Static)
        assert str(error.render()) == "Permission denied: cannot write /etc/chat.md."


async def test_export_asks_before_replacing_a_file(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    add_chat(app.services.store, "Chat", user="new words")
    target = tmp_path / "chat.md"
    target.write_text("precious")
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot)
        dialog = await press_export(pilot)
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        question = await dialog_shown(pilot, ConfirmDialog)
        assert str(target) in str(question.query_one("#confirm-question", Label).render())
        await pilot.press("n")
        await settle(app, dialog_open=True)
        assert app.screen is dialog
        error = dialog.query_one("#dialog-error", Static)
        assert "Not replaced" in str(error.render())
        assert target.read_text() == "precious"

        await pilot.press("enter")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("y")
        await settle(app)
        assert not isinstance(app.screen, ExportChatDialog)
        assert "new words" in target.read_text()


async def test_search_from_the_prompt_shows_hits_as_you_type(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    cooking = add_chat(store, "Cooking", user="How long to boil pasta?")
    store.add_message(cooking, "assistant", "Boil the [bold]pasta[/bold] for 9 minutes.")
    add_chat(store, "Travel", user="Where to eat pasta in Rome?")
    add_chat(store, "Unrelated", user="Nothing to see")
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot, highlight=None)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.prompt.focus()
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        await pilot.press(*"PASTA")
        await settle(app, dialog_open=True)
        assert [hit.chat_title for hit in dialog.hits] == ["Travel", "Cooking", "Cooking"]
        status = str(dialog.query_one("#search-status", Static).render())
        assert status == "3 messages found"
        results = dialog.query_one("#search-results", OptionList)
        prompts = [str(results.get_option_at_index(index).prompt) for index in range(3)]
        assert prompts[0].startswith("Travel  you · ")
        assert prompts[0].endswith("Where to eat pasta in Rome?")
        # Markup in a message is text, not style.
        assert prompts[1].endswith("Boil the [bold]pasta[/bold] for 9 minutes.")
        found = dialog.hits[1]
        await pilot.press("down", "enter")
        await settle(app)
        assert not isinstance(app.screen, SearchChatsDialog)
        assert screen.chat is not None and screen.chat.id == cooking
        view = screen.transcript.view_for(found.message_id)
        assert view is not None and view.has_class("-found")


async def test_search_with_no_hits_and_escape(make_app: AppFactory) -> None:
    app = make_app()
    add_chat(app.services.store, "Chat", user="hello there")
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot, highlight=None)
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        await pilot.press(*"zebra")
        await settle(app, dialog_open=True)
        assert dialog.hits == []
        status = str(dialog.query_one("#search-status", Static).render())
        assert status == "No message contains “zebra”."
        await pilot.press("enter")  # nothing to choose: stays open
        await settle(app, dialog_open=True)
        assert app.screen is dialog
        await pilot.press("escape")
        await settle(app)
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.chat is None


async def test_enter_before_the_results_arrive_picks_the_first_hit(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SearchChatsDialog, "DEBOUNCE_SECONDS", 30.0)
    app = make_app()
    chat_id = add_chat(app.services.store, "Chat", user="the needle is here")
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot, highlight=None)
        await pilot.press("slash")
        await dialog_shown(pilot, SearchChatsDialog)
        await pilot.press(*"needle", "enter")
        await settle(app)
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.chat is not None and app.screen.chat.id == chat_id


async def test_typing_fast_searches_once(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    store = app.services.store
    add_chat(store, "Chat", user="debounce me")
    queries: list[str] = []
    search = store.search

    def counting(query: str, limit: int = 50) -> list[object]:
        queries.append(query)
        return search(query, limit)  # type: ignore[return-value]

    monkeypatch.setattr(store, "search", counting)
    monkeypatch.setattr(SearchChatsDialog, "DEBOUNCE_SECONDS", 0.2)
    async with app.run_test(size=APP_SIZE) as pilot:
        await open_app_list(pilot, highlight=None)
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        field = dialog.query_one(Input)
        # A burst of keystrokes, each arriving well inside the quiet time.
        for end in range(1, len("debounce") + 1):
            field.value = "debounce"[:end]
        await pilot.pause()
        await settle(app, dialog_open=True)
        assert queries == ["debounce"]
        assert len(dialog.hits) == 1


async def test_rename_a_chat_deleted_in_another_window(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    chat_id = add_chat(store, "Shared", user="hi")
    add_chat(store, "Other")
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot, highlight=2)
        assert chat_list.highlighted_chat is not None
        assert chat_list.highlighted_chat.id == chat_id
        with window_on(store) as other_window:
            other_window.delete_chat(chat_id)
        await pilot.press("r")
        dialog = await dialog_shown(pilot, NameDialog)
        dialog.query_one(Input).value = "Renamed"
        await pilot.press("enter")
        await settle(app)
        assert any("no longer exists" in text for text in notice_texts(app))
        assert [chat.title for chat in chat_list.chats] == ["Other"]


async def test_delete_and_export_a_chat_deleted_in_another_window(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    first = add_chat(store, "First", user="one")
    second = add_chat(store, "Second", user="two")
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot)
        assert chat_list.highlighted_chat is not None
        assert chat_list.highlighted_chat.id == second
        with window_on(store) as other_window:
            other_window.delete_chat(second)
        await pilot.press("e")
        await settle(app)
        assert not isinstance(app.screen, ExportChatDialog)
        assert any("no longer exists" in text for text in notice_texts(app))
        assert [chat.id for chat in chat_list.chats] == [first]

        with window_on(store) as other_window:
            other_window.delete_chat(first)
        chat_list.options.highlighted = 1
        await pilot.press("d")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("y")
        await settle(app)
        assert chat_list.chats == []


async def test_chats_of_another_window_are_listed_and_searched(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot, highlight=None)
        assert chat_list.chats == []
        with window_on(store) as other_window:
            elsewhere = other_window.create_chat(title="From the other window")
            other_window.add_message(elsewhere.id, "user", "written elsewhere")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.prompt.focus()
        await pilot.pause()
        chat_list.focus()
        await pilot.pause()
        await settle(app)
        assert [chat.title for chat in chat_list.chats] == ["From the other window"]
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        await pilot.press(*"elsewhere")
        await settle(app, dialog_open=True)
        assert [hit.chat_id for hit in dialog.hits] == [elsewhere.id]


async def test_a_closed_store_is_reported_not_raised(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    add_chat(store, "Will vanish")
    async with app.run_test(size=APP_SIZE) as pilot:
        chat_list = await open_app_list(pilot)
        store.close()
        await chat_list.reload()
        await until(pilot, lambda: any(n.title == "Could not read chats" for n in notices(app)))
        await pilot.press("d")
        await settle(app)
        assert any("is closed" in text for text in notice_texts(app))
        assert [chat.title for chat in chat_list.chats] == ["Will vanish"]


async def test_in_the_chat_screen_the_list_opens_and_finds_chats(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    older = add_chat(store, "Older chat", user="the word is marmalade", assistant="noted")
    add_chat(store, "Newer chat", user="something else")
    async with app.run_test(size=APP_SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        await settle(app)
        assert app.current_mode == "chat"
        chat_list = app.screen.query_one(ChatList)
        await pilot.press("tab")  # from the prompt to the list
        await pilot.pause()
        assert app.focused is chat_list.options
        assert chat_list.options.highlighted == 0  # a new chat is open
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: app.current_chat_id == older)

        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Search all chats", "Rename chat", "Delete chat"} <= set(titles)

        chat_list.focus()  # opening a chat put focus in the prompt
        await pilot.press("n")  # a new chat, asked for from the list
        await until(pilot, lambda: app.current_chat_id is None)
        await pilot.pause()
        assert chat_list.options.highlighted == 0

        chat_list.focus()
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        await pilot.press(*"marmalade")
        await settle(app, dialog_open=True)
        assert [hit.chat_id for hit in dialog.hits] == [older]
        await pilot.press("enter")
        await until(pilot, lambda: app.current_chat_id == older)
        await pilot.pause()
        assert chat_list.highlighted_chat is not None
        assert chat_list.highlighted_chat.id == older
