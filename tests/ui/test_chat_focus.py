"""Keys and focus on the chat screen: typed text reaches the prompt wherever focus is, escape
and the chat key bring focus back, thinking blocks open by key, and a search hit opens its chat
at the message with the turns on both sides reachable."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.helpers import dialog_shown, until
from tests.ui.test_chat_screen import start as start_chat
from tui_app.app import OllamaTUI
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import (
    ConfirmDialog,
    ExportChatDialog,
    FormatDialog,
    HelpDialog,
    ModelPickerDialog,
    NameDialog,
    SearchChatsDialog,
    SystemPromptDialog,
)
from tui_app.store import Store
from tui_app.widgets.chat_list import ChatList
from tui_app.widgets.key_footer import KeyFooter
from tui_app.widgets.message_view import MessageView
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.transcript import Transcript

AppFactory = Callable[..., OllamaTUI]
SIZE = (100, 36)


async def start(pilot: Pilot[None]) -> ChatScreen:
    """The chat screen, once the model list has arrived and focus is in the prompt."""
    screen = await start_chat(pilot)
    await until(pilot, lambda: isinstance(pilot.app.focused, PromptInput))
    return screen


def saved_chat(store: Store, title: str = "Saved chat", replies: int = 1) -> int:
    """A chat of ``replies`` exchanges, each reply with some thinking."""
    chat = store.create_chat(title=title, model="qwen3:8b")
    for index in range(replies):
        store.add_message(chat.id, "user", f"question {index}")
        store.add_message(
            chat.id,
            "assistant",
            f"answer {index}",
            thinking=f"pondering {index}",
            model="qwen3:8b",
        )
    return chat.id


async def focus_list(pilot: Pilot[None], screen: ChatScreen) -> None:
    await pilot.press("tab")
    await until(pilot, lambda: isinstance(screen.focused, OptionList))


# -- typed text goes to the prompt ------------------------------------------------------------


async def test_after_tab_into_the_list_the_chat_key_brings_back_the_prompt(
    make_app: AppFactory,
) -> None:
    app = make_app()
    saved_chat(app.services.store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await focus_list(pilot, screen)
        await pilot.press("down")  # a chat is highlighted: e, r, d would act on it
        await pilot.press("f2")
        await until(pilot, lambda: app.focused is screen.prompt)
        await pilot.press(*"hello there, enter a reply")
        await pilot.pause()
        assert app.screen is screen  # no export, rename or delete dialog
        assert screen.prompt.text == "hello there, enter a reply"
        assert app.focused is screen.prompt
        assert [chat.title for chat in app.services.store.list_chats()] == ["Saved chat"]


async def test_letters_typed_in_the_list_or_the_transcript_reach_the_prompt(
    make_app: AppFactory,
) -> None:
    app = make_app()
    saved_chat(app.services.store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await focus_list(pilot, screen)
        await pilot.press("down")  # a chat is highlighted: e, r, d would act on it
        # Typed in one burst, as a terminal delivers them: all queued before the first is
        # handled. "H" is no list key, so the prompt takes it and everything after it.
        burst = "Hi there, every letter reads"
        for character in burst:
            app.post_message(events.Key(character, character))
        await until(pilot, lambda: screen.prompt.text == burst)
        assert app.focused is screen.prompt
        assert app.screen is screen
        screen.prompt.clear()
        await pilot.press("shift+tab")  # from the prompt back to the conversation
        await until(pilot, lambda: isinstance(app.focused, Transcript))
        for character in "every word, even d and e":
            app.post_message(events.Key(character, character))
        await until(pilot, lambda: screen.prompt.text == "every word, even d and e")
        # A paste into the list lands in the prompt too, and is not sent.
        await focus_list(pilot, screen)
        app.post_message(events.Paste(" pasted\nlines"))
        await until(pilot, lambda: screen.prompt.text == "every word, even d and e pasted\nlines")
        assert app.focused is screen.prompt
        assert app.services.store.count_messages(app.services.store.list_chats()[0].id) == 2
        assert app.focused is screen.prompt
        # The list's own keys still act while it has focus, and the footer names them.
        await focus_list(pilot, screen)
        footer = screen.query_one(KeyFooter)
        await until(pilot, lambda: "r Rename" in footer.text and "esc Prompt" in footer.text)
        await pilot.press("home", "down", "r")
        await dialog_shown(pilot, NameDialog)


async def test_escape_in_the_list_or_transcript_goes_back_to_the_prompt(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await focus_list(pilot, screen)
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is screen.prompt)
        await pilot.press("shift+tab")
        await until(pilot, lambda: isinstance(app.focused, Transcript))
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is screen.prompt)


async def test_after_any_dialog_focus_and_typing_go_to_the_prompt(make_app: AppFactory) -> None:
    app = make_app()
    saved_chat(app.services.store)
    openers: list[tuple[tuple[str, ...], type[object]]] = [
        (("f6",), SystemPromptDialog),
        (("f7",), FormatDialog),
        (("ctrl+o",), ModelPickerDialog),
        (("ctrl+f",), SearchChatsDialog),
        (("f1",), HelpDialog),
        (("home", "down", "r"), NameDialog),
        (("home", "down", "e"), ExportChatDialog),
        (("home", "down", "d"), ConfirmDialog),
    ]
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        chat_list = screen.query_one(ChatList)
        for keys, dialog in openers:
            screen.prompt.clear()
            # Start from the conversation, where typed text used to be dropped, or from the
            # list for its own keys.
            from_list = keys[0] == "home"
            screen.set_focus(chat_list.options if from_list else screen.transcript)
            await pilot.pause()
            await pilot.press(*keys)
            await dialog_shown(pilot, dialog)  # type: ignore[type-var]
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
            await pilot.press(*"typed after")
            await until(pilot, lambda: screen.prompt.text == "typed after")
            assert app.focused is screen.prompt, dialog


# -- thinking blocks --------------------------------------------------------------------------


async def test_thinking_blocks_are_not_tab_stops(make_app: AppFactory) -> None:
    app = make_app()
    chat_id = saved_chat(app.services.store, replies=15)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat_id)
        await until(pilot, lambda: len(screen.transcript.views) == 30)
        await until(pilot, lambda: app.focused is screen.prompt)
        stops = 0
        while True:
            await pilot.press("tab")
            await pilot.pause()
            stops += 1
            if app.focused is screen.prompt or stops > 20:
                break
        assert stops == 3  # the list, the conversation, the prompt


async def test_keys_show_the_last_or_every_thinking_and_a_click_still_works(
    make_app: AppFactory,
) -> None:
    app = make_app()
    chat_id = saved_chat(app.services.store, replies=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await screen.open_chat(chat_id)
        await until(pilot, lambda: len(screen.transcript.views) == 6)
        replies = [view for view in screen.transcript.views if view.role == "assistant"]
        assert [view.thinking_shown for view in replies] == [False, False, False]
        await pilot.press("ctrl+backslash")
        assert [view.thinking_shown for view in replies] == [False, False, True]
        await pilot.press("ctrl+backslash")
        assert [view.thinking_shown for view in replies] == [False, False, False]
        await pilot.press("ctrl+right_square_bracket")
        assert [view.thinking_shown for view in replies] == [True, True, True]
        await pilot.press("ctrl+right_square_bracket")
        assert [view.thinking_shown for view in replies] == [False, False, False]
        assert app.focused is screen.prompt  # the keys work from the prompt
        last = replies[-1]
        screen.transcript.scroll_to_widget(last, animate=False)
        await pilot.pause()
        await pilot.click("CollapsibleTitle", offset=(2, 0))
        await until(pilot, lambda: any(view.thinking_shown for view in replies))
        ids = {str(getattr(b, "id", "")) for b in ChatScreen.own_bindings()}
        assert {"chat.thinking", "chat.thinking_all", "chat.focus_prompt"} <= ids


# -- the end of a reply -----------------------------------------------------------------------


async def test_the_stop_key_goes_when_a_reply_fails_for_a_missing_model(
    make_app: AppFactory,
) -> None:
    app = make_app(initial_model="nosuchmodel")
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        footer = screen.query_one(KeyFooter)
        screen.prompt.load_text("hello")
        await pilot.press("enter")
        await dialog_shown(pilot, ConfirmDialog)  # the offer to pull it
        await until(pilot, lambda: not screen.replying)
        await until(pilot, lambda: "Stop" not in footer.text)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert "Stop" not in footer.text
        assert app.focused is screen.prompt


# -- opening a chat at a search hit -----------------------------------------------------------


def long_chat(store: Store, count: int) -> list[int]:
    chat = store.create_chat(title="long", model="llama3.2")
    store.add_messages(
        chat.id,
        ((("user" if i % 2 == 0 else "assistant"), f"message {i}") for i in range(count)),
    )
    return [message.id for message in store.messages(chat.id)]


def in_view(transcript: Transcript, view: MessageView) -> bool:
    top = view.virtual_region.y
    return (
        transcript.scroll_y
        <= top
        < transcript.scroll_y + transcript.scrollable_content_region.height
    )


async def test_a_search_hit_opens_at_the_hit_with_both_ways_reachable(
    make_app: AppFactory,
) -> None:
    app = make_app()
    store = app.services.store
    ids = long_chat(store, 300)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        await pilot.press(*"message 123")
        await until(pilot, lambda: [hit.message_id for hit in dialog.hits] == [ids[123]])
        await pilot.press("enter")
        transcript = screen.transcript
        await until(pilot, lambda: transcript.view_for(ids[123]) is not None)
        hit = transcript.view_for(ids[123])
        assert hit is not None and hit.has_class("-found")
        await until(pilot, lambda: in_view(transcript, hit))
        contents = [view.content for view in transcript.views]
        assert "message 122" in contents and "message 124" in contents
        # Scrolling down brings the later turns, page by page, up to the newest.
        for _ in range(20):
            if not transcript.has_newer:
                break
            last = transcript.views[-1].message_id
            transcript.scroll_end(animate=False, immediate=True)
            await until(pilot, lambda: transcript.views[-1].message_id != last)  # noqa: B023
            await pilot.pause()
        assert transcript.views[-1].content == "message 299"
        # And scrolling up brings the earlier ones, down to the first.
        for _ in range(20):
            if not transcript.has_older:
                break
            first = transcript.views[0].message_id
            transcript.scroll_home(animate=False, immediate=True)
            await until(pilot, lambda: transcript.views[0].message_id != first)  # noqa: B023
            await pilot.pause()
        assert transcript.views[0].content == "message 0"


async def test_a_hit_in_the_thinking_opens_with_the_thinking_shown(make_app: AppFactory) -> None:
    app = make_app()
    store = app.services.store
    chat_id = saved_chat(store, replies=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("ctrl+f")
        dialog = await dialog_shown(pilot, SearchChatsDialog)
        await pilot.press(*"pondering 1")
        await until(pilot, lambda: len(dialog.hits) == 1)
        row = str(dialog.results.get_option_at_index(0).prompt)
        assert "assistant, thinking" in row
        await pilot.press("enter")
        await until(pilot, lambda: app.current_chat_id == chat_id)
        await pilot.pause()
        replies = [view for view in screen.transcript.views if view.role == "assistant"]
        assert [view.thinking_shown for view in replies] == [False, True, False]
        assert replies[1].has_class("-found")
