"""Daily use: dialogs that open on what is saved and fit 80x24, wording, and the models filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Static, TextArea

from tests.helpers import dialog_shown, settle_workers, until
from tui_app.app import OllamaTUI
from tui_app.core.options import RequestDefaults
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import (
    ConfirmDialog,
    CreateModelDialog,
    FormatDialog,
    ModelPickerDialog,
    SystemPromptDialog,
)
from tui_app.screens.models import ModelsScreen
from tui_app.widgets.chat_list import ChatList
from tui_app.widgets.option_field import OptionField

AppFactory = Callable[..., OllamaTUI]


async def _chat_screen(app: OllamaTUI, pilot: Pilot[None]) -> ChatScreen:
    """The chat screen, once the models are listed and start-up work is done."""
    await until(pilot, lambda: app.models)
    await settle_workers(pilot, stop_when_idle=True, rounds=50)
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def test_f7_opens_on_the_saved_format_and_fits_80_by_24(make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _chat_screen(app, pilot)
        # From the cursor's place (on the saved choice), the keys to the next choice.
        for keys, expected in ((["down", "down"], "json"), (["up"], "off")):
            await pilot.press("f7")
            dialog = await dialog_shown(pilot, FormatDialog)
            whole = Region(0, 0, 80, 24)
            for button in dialog.query(Button):
                assert whole.contains_region(button.region), button
            await pilot.press(*keys, "enter", "ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            assert screen.reply_format == expected
            # Opened again, the cursor is on the saved choice: enter keeps it.
            await pilot.press("f7")
            await dialog_shown(pilot, FormatDialog)
            await pilot.press("enter", "ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            assert screen.reply_format == expected


async def test_create_from_an_empty_new_chat_takes_its_model(make_app: AppFactory) -> None:
    app = make_app(initial_model="qwen3:8b")
    async with app.run_test(size=(120, 40)) as pilot:
        await _chat_screen(app, pilot)
        assert app.current_chat_id is None  # a new chat: nothing saved yet
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        titles = {command.title: command for command in screen.palette_commands()}
        titles["Create a model from the current chat…"].callback()
        dialog = await dialog_shown(pilot, CreateModelDialog)
        assert dialog.query_one("#create-from", Input).value == "qwen3:8b"
        note = str(dialog.query_one(".dialog-note", Static).render())
        assert "No chat is open" not in note
        assert not dialog.query_one("#dialog-error", Static).display


async def test_create_says_nothing_of_blank_fields_until_create_is_asked(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.models)
        dialog = CreateModelDialog(from_="", system="", parameters={}, existing=[])
        app.push_screen(dialog)
        await dialog_shown(pilot, CreateModelDialog)
        error = dialog.query_one("#dialog-error", Static)
        assert not error.display
        assert dialog.query_one("#confirm", Button).disabled
        await pilot.press("ctrl+s")
        assert error.display
        assert "name:" in str(error.render()) and "from:" in str(error.render())
        assert app.screen is dialog


async def test_ctrl_j_starts_a_new_line_in_a_dialog_text_box(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.models)
        dialog = CreateModelDialog(from_="llama3.2:latest", system="", parameters={}, existing=[])
        app.push_screen(dialog)
        await dialog_shown(pilot, CreateModelDialog)
        box = dialog.query_one("#create-parameters", TextArea)
        box.focus()
        await pilot.press(*"top_k 40", "ctrl+j", *"seed 1")
        assert box.text == "top_k 40\nseed 1"
        assert app.screen is dialog


async def test_the_models_filter_starts_empty_on_each_visit(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _chat_screen(app, pilot)
        await pilot.press("f3")
        await settle_workers(pilot, stop_when_idle=True, rounds=50)
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await pilot.press(*"codellama")
        await until(pilot, lambda: screen.table.filter_text == "codellama")
        await pilot.press("f2", "f3")
        await until(pilot, lambda: app.screen is screen)
        await pilot.press(*"llama3.2")
        await until(pilot, lambda: screen.filter_input.value == "llama3.2")
        assert screen.table.filter_text == "llama3.2"
        assert [model.name for model in screen.table.visible_models] == ["llama3.2:latest"]

        # Chosen in the palette, the filter outlives the visit.
        screen.action_toggle_keep_filter()
        await pilot.press("f2", "f3")
        await until(pilot, lambda: app.screen is screen)
        await settle_workers(pilot, stop_when_idle=True, rounds=50)
        assert screen.filter_input.value == "llama3.2"


async def test_a_model_kept_for_years_is_kept_loaded_not_counted_down(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.models)
        # Ten years ahead: far enough that a countdown would read "3649d 23:59:51".
        await app.services.client.load("llama3.2:latest", keep_alive="87600h")
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: screen.running_panel.running)
        panel = str(screen.running_panel.describe())
        assert "kept loaded" in panel
        assert "unloads" not in panel and "d " not in panel.split("ctx")[-1]


async def _delete_question(pilot: Pilot[None], screen: ModelsScreen, name: str) -> ConfirmDialog:
    """Highlight ``name`` in the table, press delete, and return the question asked."""
    await until(pilot, lambda: screen.table.select_model(name))
    screen.table.focus()
    await pilot.press("delete")
    dialog = await dialog_shown(pilot, ConfirmDialog)
    detail = dialog.query_one("#confirm-detail", Static)
    await until(pilot, lambda: "Checking" not in str(detail.render()))
    return dialog


async def test_delete_says_what_it_frees_and_which_keys_do_what(make_app: AppFactory) -> None:
    app = make_app()
    client = app.services.client
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.models)
        await client.copy("llama3.2:latest", "mine:latest")
        async for _ in client.create("pirate:latest", from_="llama3.2:latest", system="Arr."):
            pass
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: len(app.models) >= 2 and "pirate:latest" in str(app.models))

        dialog = await _delete_question(pilot, screen, "mine:latest")
        detail = str(dialog.query_one("#confirm-detail", Static).render())
        assert "shares every file with llama3.2:latest" in detail
        assert "frees no disk space" in detail
        hint = str(dialog.query_one("#dialog-hint", Static).render())
        assert "y: delete" in hint and "enter, n or escape: cancel" in hint
        await pilot.press("enter")  # focus starts on Cancel
        await until(pilot, lambda: app.screen is screen)

        dialog = await _delete_question(pilot, screen, "pirate:latest")
        detail = str(dialog.query_one("#confirm-detail", Static).render())
        assert "weights are shared with" in detail and "llama3.2:latest" in detail
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

        dialog = await _delete_question(pilot, screen, "qwen3:8b")
        detail = str(dialog.query_one("#confirm-detail", Static).render())
        assert detail.startswith("About ") and "of disk is freed" in detail
        await pilot.press("y")
        await until(pilot, lambda: "qwen3:8b" not in str(app.models))
        assert "mine:latest" in str(app.models)


async def test_the_options_form_has_no_gap_after_stop(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.models)
        await pilot.press("f5")
        await until(pilot, lambda: app.screen.query("#option-stop"))
        await pilot.pause()
        stop = app.screen.query_one("#option-stop", OptionField)
        keep_alive = app.screen.query_one("#option-keep-alive", OptionField)
        help_line = stop.query_one(".option-help", Static)
        # The field ends with its help line; the next field follows at once.
        assert stop.region.bottom == help_line.region.bottom
        assert keep_alive.region.y == stop.region.bottom
        stop.focus_editor()
        await pilot.press(*"###", "enter", *"User:", "enter", *"END", "enter", *"x")
        await pilot.pause()
        area = stop.query_one(TextArea)
        assert area.text == "###\nUser:\nEND\nx"
        # The box grows with its lines, and the next field follows it at once.
        assert area.region.height >= 4
        assert stop.region.bottom == help_line.region.bottom
        assert keep_alive.region.y == stop.region.bottom


async def test_four_loaded_models_take_one_line_each_beside_a_filtered_table(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.models)
        for model in ("llama3.2:latest", "qwen3:8b", "gemma3:1b", "llava:7b"):
            await app.services.client.load(model)
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: len(screen.running_panel.running) == 4)
        await pilot.press(*"lla")
        await settle_workers(pilot, stop_when_idle=True, rounds=50)
        await pilot.pause()
        panel = screen.running_panel
        lines = str(panel.describe()).splitlines()
        assert len(lines) == 4
        assert max(len(line) for line in lines) <= panel.content_size.width
        assert panel.content_size.height >= 4
        assert all("4:5" in line or "5:00" in line for line in lines)


async def test_the_model_picker_marks_capabilities_from_show_and_greys_out_embeddings(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.models)
        # As an older server lists them: no capabilities in /api/tags.
        bare = [replace(model, capabilities=()) for model in app.models]
        asked: list[str] = []

        async def capabilities(name: str) -> tuple[str, ...] | None:
            asked.append(name)
            return (await app.services.catalog.info(name)).capabilities

        results: list[str | None] = []
        picker = ModelPickerDialog(bare, "llama3.2:latest", capabilities)
        app.push_screen(picker, results.append)
        await dialog_shown(pilot, ModelPickerDialog)
        options = picker.query_one(OptionList)

        def labels() -> dict[str, str]:
            return {
                str(options.get_option_at_index(index).id): str(
                    options.get_option_at_index(index).prompt
                )
                for index in range(options.option_count)
            }

        await until(pilot, lambda: "vision" in labels().get("llava:7b", ""))
        assert sorted(asked) == sorted(model.name for model in bare)
        assert "thinking" in labels()["qwen3:8b"]
        assert "tools" in labels()["llama3.2:latest"]
        embed = "nomic-embed-text:latest"
        assert "embedding only: cannot chat" in labels()[embed]
        assert options.get_option(embed).disabled
        # Typed in full, it is refused with the reason.
        await pilot.press(*"nomic-embed-text", "enter")
        assert app.screen is picker
        assert "cannot chat" in str(picker.query_one("#dialog-error", Static).render())


async def test_ctrl_o_marks_what_each_model_can_do(make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2")
    async with app.run_test(size=(80, 24)) as pilot:
        await _chat_screen(app, pilot)
        await pilot.press("ctrl+o")
        picker = await dialog_shown(pilot, ModelPickerDialog)
        options = picker.query_one(OptionList)
        texts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("llava:7b" in text and "vision" in text for text in texts)
        assert any("qwen3:8b" in text and "thinking" in text for text in texts)
        chat_models = [
            options.get_option_at_index(i)
            for i in range(options.option_count)
            if not options.get_option_at_index(i).disabled
        ]
        assert all("embed" not in str(option.id) for option in chat_models)


async def test_the_chat_header_at_80_columns_shortens_and_keeps_every_indicator(
    make_app: AppFactory,
) -> None:
    app = make_app(initial_model="qwen3:8b")
    RequestDefaults(think="high", format="json").save(app.services.store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _chat_screen(app, pilot)
        screen.prompt.load_text("Tell me about the history of the printing press in Europe")
        await pilot.press("enter")
        await settle_workers(pilot, stop_when_idle=True, rounds=100)
        await pilot.press("f6")
        await dialog_shown(pilot, SystemPromptDialog)
        await pilot.press(*"Be brief.", "ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await settle_workers(pilot, stop_when_idle=True, rounds=50)
        header = screen.query_one("#chat-header", Static)
        text = str(header.render())
        assert len(text) <= header.content_size.width, text
        assert "…" not in text.split("qwen3:8b")[-1], text  # nothing after the model is cut
        for words in ("qwen3:8b", "high", "json", "system"):
            assert words in text, text
        # Wide enough, every word is there in full.
        await pilot.resize_terminal(140, 24)
        await until(pilot, lambda: "system prompt set" in str(header.render()))
        assert "think: high (global)" in str(header.render())


async def test_delete_then_y_at_once_deletes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.models)
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await until(pilot, lambda: screen.table.select_model("gemma3:1b"))
        screen.table.focus()
        await pilot.press("delete", "y")
        await until(pilot, lambda: "gemma3:1b" not in str(app.models))
        assert screen.filter_input.value == ""


async def _fits(pilot: Pilot[None], app: OllamaTUI, key: str) -> None:
    """``key`` opens a dialog whose buttons are all on the 80x24 screen; escape closes it."""
    before = app.screen
    await pilot.press(key)
    await until(pilot, lambda: app.screen is not before and app.screen.query("#cancel"))
    await pilot.pause()
    dialog = app.screen
    whole = Region(0, 0, 80, 24)
    buttons = list(dialog.query(Button))
    assert buttons, key
    for button in buttons:
        assert whole.contains_region(button.region), (key, button)
        assert button.region.area > 0, (key, button)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen is before)


async def test_every_dialog_a_key_opens_fits_80_by_24(make_app: AppFactory) -> None:
    app = make_app(initial_model="llava:7b")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _chat_screen(app, pilot)
        screen.prompt.load_text("Show me some code")
        await pilot.press("enter")
        await settle_workers(pilot, stop_when_idle=True, rounds=100)
        for key in ("f1", "f6", "f7", "f8", "ctrl+o", "ctrl+f"):
            await _fits(pilot, app, key)
        chats = screen.query_one(ChatList)
        chats.options.focus()
        await until(pilot, lambda: chats.options.has_focus and chats.highlighted_chat)
        for key in ("r", "d", "e"):
            await _fits(pilot, app, key)
            chats.options.focus()
        await pilot.press("f3")
        models = app.screen
        assert isinstance(models, ModelsScreen)
        await until(pilot, lambda: models.table.highlighted_model is not None)
        models.table.focus()
        for key in ("ctrl+y", "delete", "ctrl+n", "ctrl+a", "f1"):
            await _fits(pilot, app, key)
