"""The options screen (f5): editing, rejecting bad input, saving, scopes, presets, preview."""

from __future__ import annotations

import json
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static, Switch, TextArea

from tests.helpers import settle_workers
from tui_app.api import ChatMessage
from tui_app.app import OllamaTUI
from tui_app.core.options import RequestDefaults, effective_settings
from tui_app.demo import Fault, SimulatedOllama
from tui_app.screens.dialogs import ConfirmDialog, NameDialog
from tui_app.screens.options import OptionsScreen
from tui_app.store import Preset, Store
from tui_app.widgets.option_field import OptionField


def scope_of(screen: OptionsScreen) -> str:
    """The form's scope read afresh (mypy keeps an earlier assert's narrowing otherwise)."""
    return screen.scope


AppFactory = Callable[..., OllamaTUI]
SIZE = (120, 40)


async def settle(pilot: Pilot[None]) -> None:
    """Let the screen's own workers (load, show, save, presets) finish."""
    await settle_workers(pilot, rounds=4)


async def open_options(pilot: Pilot[None], chat_id: int | None = None) -> OptionsScreen:
    app = pilot.app
    assert isinstance(app, OllamaTUI)
    await pilot.pause()
    if chat_id is not None:
        app.current_chat_id = chat_id
    await pilot.press("f5")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, OptionsScreen)
    return screen


def store_of(app: OllamaTUI) -> Store:
    return app.services.store


def note(screen: OptionsScreen, name: str) -> str:
    return str(screen.field(name).query_one(".option-note", Static).render())


def editor(screen: OptionsScreen, name: str) -> Input:
    return screen.field(name).query_one(Input)


async def type_into(pilot: Pilot[None], screen: OptionsScreen, name: str, text: str) -> None:
    """Replace a one-line field's text by typing, as a user would."""
    field = editor(screen, name)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await settle(pilot)


def preview_json(screen: OptionsScreen) -> dict[str, object]:
    text = str(screen.query_one("#options-preview", Static).render())
    body = text.split("\n}", 1)[0] + "\n}" if text.startswith("{\n") else "{}"
    parsed: dict[str, object] = json.loads(body)
    return parsed


def status(screen: OptionsScreen) -> str:
    return str(screen.query_one("#options-status", Static).render())


# -- opening and moving around ---------------------------------------------------------------


async def test_opening_focuses_temperature_then_tab_order(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        order = ["temperature", "num_ctx", "num_predict", "seed", "top_k", "top_p"]
        for index, name in enumerate(order):
            assert app.focused is editor(screen, name), name
            if index < len(order) - 1:
                await pilot.press("tab")
        # Enter moves on too.
        await pilot.press("enter")
        assert app.focused is editor(screen, "min_p")
        # Leaving and coming back opens on temperature again.
        await pilot.press("f2", "f5")
        await settle(pilot)
        assert app.focused is editor(screen, "temperature")


async def test_every_field_is_on_the_form_in_order(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        names = [field.field_name for field in screen.query(OptionField)]
        assert names == [
            "temperature",
            "num_ctx",
            "num_predict",
            "seed",
            "top_k",
            "top_p",
            "min_p",
            "typical_p",
            "repeat_penalty",
            "repeat_last_n",
            "presence_penalty",
            "frequency_penalty",
            "num_keep",
            "stop",
            "keep_alive",
            "think",
            "format",
        ]
        help_text = str(screen.field("temperature").query_one(".option-help", Static).render())
        assert "Randomness" in help_text


async def test_without_a_chat_only_global_defaults_are_edited(make_app: AppFactory) -> None:
    app = make_app(initial_model="llama3.2:latest")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        assert screen.scope == "global"
        switch = screen.query_one("#options-global", Switch)
        assert switch.value is True
        assert switch.disabled
        scope_text = str(screen.query_one("#options-scope", Static).render())
        assert "No chat yet" in scope_text
        assert "global defaults" in scope_text
        await pilot.press("ctrl+t")
        assert screen.scope == "global"
        # The model shown is the one a new chat starts with.
        model_note = str(screen.query_one("#options-model", Static).render())
        assert (
            model_note
            == "Model defaults from llama3.2:latest: it sets stop; the rest are Ollama's."
        )
        assert note(screen, "temperature") == "→ 0.8 from Ollama"


# -- validating and saving ---------------------------------------------------------------------


async def test_bad_input_shows_the_reason_and_cannot_be_saved(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    RequestDefaults(options={"temperature": 0.5, "seed": 7}).save(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        assert editor(screen, "temperature").value == "0.5"
        # Absurd values are refused as firmly as malformed ones.
        await type_into(pilot, screen, "temperature", "1e9")
        field = screen.field("temperature")
        assert field.problem == "must be between 0 and 100"
        assert field.has_class("-invalid")
        assert note(screen, "temperature") == "✗ must be between 0 and 100"
        await type_into(pilot, screen, "num_ctx", "99999999999")
        assert note(screen, "num_ctx") == "✗ must be ≤ 16777216"
        assert "2 fields to fix" in status(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Nothing written: the saved defaults are exactly as before.
        assert RequestDefaults.load(store) == RequestDefaults(
            options={"temperature": 0.5, "seed": 7}
        )
        assert app.focused is editor(screen, "temperature")
        # The preview leaves the invalid fields out rather than guessing.
        assert preview_json(screen) == {"options": {"seed": 7}}


async def test_saving_global_defaults(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        assert "saved" in status(screen)
        for name, text in [
            ("temperature", "0"),
            ("num_ctx", "8192"),
            ("num_predict", "64"),
            ("seed", "42"),
            ("keep_alive", "10m"),
        ]:
            await type_into(pilot, screen, name, text)
        assert "unsaved" in status(screen)
        assert note(screen, "num_ctx") == "→ 8192 · Ollama default 4096"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert RequestDefaults.load(store) == RequestDefaults(
            options={"temperature": 0.0, "num_ctx": 8192, "num_predict": 64, "seed": 42},
            keep_alive="10m",
        )
        assert "✓ saved" in status(screen)
        assert preview_json(screen) == {
            "options": {"temperature": 0.0, "num_ctx": 8192, "num_predict": 64, "seed": 42},
            "keep_alive": "10m",
        }


async def test_save_button_and_palette_save_too(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        await type_into(pilot, screen, "top_k", "10")
        await pilot.click("#options-save")
        await settle(pilot)
        assert RequestDefaults.load(store).options == {"top_k": 10}
        await type_into(pilot, screen, "top_k", "20")
        commands = {c.title: c for c in app.get_system_commands(screen)}
        commands["Save options"].callback()
        await settle(pilot)
        assert RequestDefaults.load(store).options == {"top_k": 20}


async def test_stop_think_and_format_fields(make_app: AppFactory) -> None:
    app = make_app(initial_model="qwen3:8b")
    store = store_of(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        stop = screen.field("stop").query_one(TextArea)
        stop.load_text("</s>\n\\n\\nUser:")
        think: Select[str] = screen.field("think").query_one(Select)
        think.value = "high"
        format_select: Select[str] = screen.field("format").query_one(Select)
        format_select.value = "schema"
        await settle(pilot)
        schema = screen.field("format").query_one(".option-schema", TextArea)
        assert schema.display
        # An empty schema is a mistake, not "unset".
        assert screen.field("format").problem is not None
        schema.load_text('{"type": "object"')
        await settle(pilot)
        assert "not valid JSON" in note(screen, "format")
        schema.load_text('{"type": "object"}')
        await settle(pilot)
        assert screen.problems == {}
        assert preview_json(screen) == {
            "options": {"stop": ["</s>", "\n\nUser:"]},
            "think": "high",
            "format": {"type": "object"},
        }
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert RequestDefaults.load(store) == RequestDefaults(
            options={"stop": ["</s>", "\n\nUser:"]}, think="high", format='{"type": "object"}'
        )
        format_select.value = "json"
        await settle(pilot)
        assert not schema.display
        assert preview_json(screen)["format"] == "json"


# -- per chat and global ---------------------------------------------------------------------


async def test_chat_overrides_are_saved_on_the_chat_only(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    RequestDefaults(options={"temperature": 0.5, "top_k": 30}).save(store)
    chat = store.create_chat(title="Haiku [bold]time[/bold]", model="llama3.2:latest")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        assert screen.scope == "chat"
        assert screen.query_one("#options-global", Switch).value is False
        scope_text = str(screen.query_one("#options-scope", Static).render())
        assert "Haiku [bold]time[/bold]" in scope_text  # a title is text, never markup
        # Empty fields show what they inherit.
        assert editor(screen, "temperature").value == ""
        assert note(screen, "temperature") == "→ 0.5 from the global defaults · Ollama default 0.8"
        await type_into(pilot, screen, "temperature", "0.2")
        await type_into(pilot, screen, "num_ctx", "2048")
        assert note(screen, "temperature") == "→ 0.2 · Ollama default 0.8"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = store.get_chat(chat.id)
        assert saved is not None
        assert saved.options == {"temperature": 0.2, "num_ctx": 2048}
        assert RequestDefaults.load(store).options == {"temperature": 0.5, "top_k": 30}
        assert preview_json(screen) == {
            "options": {"temperature": 0.2, "top_k": 30, "num_ctx": 2048}
        }
        # Flip to the global defaults: the form shows them, and says the chat overrides.
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert scope_of(screen) == "global"
        assert screen.query_one("#options-global", Switch).value is True
        assert editor(screen, "temperature").value == "0.5"
        assert note(screen, "temperature") == "→ 0.2 from this chat · Ollama default 0.8"
        scope_text = str(screen.query_one("#options-scope", Static).render())
        assert "overrides temperature, num_ctx" in scope_text
        await type_into(pilot, screen, "top_k", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert RequestDefaults.load(store).options == {"temperature": 0.5}
        saved = store.get_chat(chat.id)
        assert saved is not None and saved.options == {"temperature": 0.2, "num_ctx": 2048}


async def test_unsaved_changes_block_switching_scope(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    chat = store.create_chat(model="llama3.2:latest")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        await type_into(pilot, screen, "seed", "1")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert screen.scope == "chat"
        assert screen.query_one("#options-global", Switch).value is False
        assert editor(screen, "seed").value == "1"
        await pilot.click("#options-revert")
        await settle(pilot)
        assert editor(screen, "seed").value == ""
        await pilot.click("#options-global")
        await settle(pilot)
        assert scope_of(screen) == "global"


async def test_the_form_follows_the_chat_in_view(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    first = store.create_chat(title="first", model="llama3.2:latest", options={"seed": 1})
    second = store.create_chat(title="second", model="qwen3:8b", options={"seed": 2}, think="low")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, first.id)
        assert editor(screen, "seed").value == "1"
        # Unsaved edits belong to the chat they were made for: another chat starts clean,
        # even when its model changes at the same moment (as the chat screen does).
        await type_into(pilot, screen, "seed", "9")
        app.current_chat_id = second.id
        app.current_model = "qwen3:8b"
        await settle(pilot)
        assert editor(screen, "seed").value == "2"
        saved_first = store.get_chat(first.id)
        assert saved_first is not None and saved_first.options == {"seed": 1}
        assert screen.field("think").text == "low"
        # qwen3's own defaults now show beside the fields.
        assert note(screen, "temperature") == "→ 0.6 from the model"
        assert note(screen, "top_k") == "→ 20 from the model"
        title = str(screen.query_one("#options-preview-title").render())
        assert "second" in title
        app.current_chat_id = None
        await settle(pilot)
        assert screen.scope == "global"
        assert editor(screen, "seed").value == ""


async def test_changes_made_elsewhere_show_when_coming_back(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    chat = store.create_chat(model="llama3.2:latest")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        await pilot.press("f3")
        await pilot.pause()
        store.update_chat(chat.id, think="off", options={"num_ctx": 1024})
        await pilot.press("f5")
        await settle(pilot)
        assert editor(screen, "num_ctx").value == "1024"
        assert screen.field("think").text == "off"


async def test_model_defaults_come_from_show(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    store = store_of(app)
    chat = store.create_chat(model="llama3.2:latest")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        shows = [r for r in sim.requests if r.path == "/api/show"]
        assert shows and shows[-1].body["model"] == "llama3.2:latest"
        model_note = str(screen.query_one("#options-model", Static).render())
        assert "llama3.2:latest" in model_note
        assert "sets stop" in model_note
        stop_note = note(screen, "stop")
        assert stop_note.startswith("→ ") and "<|eot_id|>" in stop_note
        assert stop_note.endswith("from the model")
        assert note(screen, "temperature") == "→ 0.8 from Ollama"


async def test_num_ctx_beyond_the_model_s_context_warns_but_saves(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    store = store_of(app)
    chat = store.create_chat(model="qwen3:8b")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        await type_into(pilot, screen, "num_ctx", "65536")
        field = screen.field("num_ctx")
        assert field.problem is None
        assert field.has_class("-warning")
        assert note(screen, "num_ctx").startswith(
            "⚠ more than the model's context length of 40,960 tokens · → 65536"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = store.get_chat(chat.id)
        assert saved is not None and saved.options == {"num_ctx": 65536}
        await type_into(pilot, screen, "num_ctx", "40960")
        assert not field.has_class("-warning")
        assert not note(screen, "num_ctx").startswith("⚠")


async def test_a_chat_can_turn_a_global_format_off(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    RequestDefaults(format="json").save(store)
    chat = store.create_chat(model="llama3.2:latest")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        assert preview_json(screen) == {"format": "json"}
        format_select: Select[str] = screen.field("format").query_one(Select)
        format_select.value = "off"
        await settle(pilot)
        assert preview_json(screen) == {}
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = store.get_chat(chat.id)
    assert saved is not None and saved.format == "off"


async def test_show_failures_are_explained(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    store = store_of(app)
    missing = store.create_chat(model="nosuch:latest")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, missing.id)
        model_note = str(screen.query_one("#options-model", Static).render())
        assert "model 'nosuch:latest' not found" in model_note
        assert note(screen, "temperature") == "→ 0.8 from Ollama"
        sim.inject(Fault("/api/show", status=500, message="[bold]disk on fire"))
        # A model no screen has read yet: what has been read is kept until the list changes.
        other = store.create_chat(model="gemma3:1b")
        app.current_chat_id = other.id
        await settle(pilot)
        model_note = str(screen.query_one("#options-model", Static).render())
        assert "[bold]disk on fire" in model_note


# -- reset, presets -----------------------------------------------------------------------------


async def test_reset_clears_the_form_until_saved(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    RequestDefaults(options={"temperature": 0.3}, keep_alive="1h").save(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        await pilot.click("#options-reset")
        await settle(pilot)
        assert editor(screen, "temperature").value == ""
        assert editor(screen, "keep_alive").value == ""
        assert preview_json(screen) == {}
        # Not saved yet: the store is untouched until ctrl+s.
        assert RequestDefaults.load(store).options == {"temperature": 0.3}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert RequestDefaults.load(store) == RequestDefaults()


async def test_shipped_presets_apply_to_the_form(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    chat = store.create_chat(model="llama3.2:latest", options={"top_k": 5})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        presets: Select[str] = screen.query_one("#options-presets", Select)
        overlay = presets.query_one(OptionList)  # the list the select drops down
        names = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        assert names == ["choose a preset", "balanced", "creative", "precise"]
        presets.value = "precise"
        await pilot.click("#preset-apply")
        await settle(pilot)
        assert editor(screen, "temperature").value == "0"
        assert editor(screen, "seed").value == "42"
        assert editor(screen, "top_k").value == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = store.get_chat(chat.id)
        assert saved is not None and saved.options == {"temperature": 0.0, "seed": 42}
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Apply preset: creative" in titles


async def test_save_rename_and_delete_a_preset(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        await type_into(pilot, screen, "temperature", "0.4")
        await type_into(pilot, screen, "keep_alive", "-1")
        await pilot.click("#preset-save")
        await pilot.pause()
        assert isinstance(app.screen, NameDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NameDialog)  # a name is required
        await pilot.press(*"[b]mine")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.is_current
        assert store.get_preset("[b]mine") == Preset(
            "[b]mine", {"temperature": 0.4}, {"keep_alive": "-1"}
        )
        presets: Select[str] = screen.query_one("#options-presets", Select)
        assert presets.value == "[b]mine"
        # Rename: a taken name is refused, a new one is used.
        await pilot.click("#preset-rename")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NameDialog)
        name_input = dialog.query_one("#name-input", Input)
        name_input.value = "precise"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert "already has this name" in str(dialog.query_one("#dialog-error").render())
        name_input.value = "cool"
        await pilot.press("enter")
        await settle(pilot)
        assert store.get_preset("[b]mine") is None
        assert store.get_preset("cool") is not None
        assert presets.value == "cool"
        # Delete asks first; "no" keeps it, "yes" deletes it.
        await pilot.click("#preset-delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert store.get_preset("cool") is not None
        await pilot.click("#preset-delete")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert store.get_preset("cool") is None
        assert [p.name for p in store.list_presets()] == ["balanced", "creative", "precise"]
        # Coming back from a dialog does not move the cursor to temperature.
        assert screen.is_current


async def test_an_invalid_form_cannot_become_a_preset(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot)
        await type_into(pilot, screen, "top_p", "2")
        await pilot.click("#preset-save")
        await settle(pilot)
        assert app.screen is screen
        assert len(store.list_presets()) == 3


# -- preview == request ------------------------------------------------------------------------


async def test_the_chat_request_carries_exactly_the_preview(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    store = store_of(app)
    RequestDefaults(options={"top_p": 0.5}, keep_alive="30m").save(store)
    chat = store.create_chat(model="qwen3:8b")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        for name, text in [
            ("temperature", "0"),
            ("num_ctx", "8192"),
            ("num_predict", "64"),
            ("seed", "42"),
        ]:
            await type_into(pilot, screen, name, text)
        screen.field("think").query_one(Select).value = "off"
        await settle(pilot)
        expected = preview_json(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert preview_json(screen) == expected
        # The request is built as the chat screen builds it: effective_settings of the store.
        saved_chat = store.get_chat(chat.id)
        settings = effective_settings(RequestDefaults.load(store), saved_chat)
        async for _ in app.services.client.chat(
            "qwen3:8b",
            [ChatMessage(role="user", content="hi")],
            options=settings.options,
            think=settings.think,
            format=settings.format,
            keep_alive=settings.keep_alive,
        ):
            pass
        body = [r for r in sim.requests if r.path == "/api/chat"][-1].body
        sent = {
            key: body[key] for key in ("options", "keep_alive", "think", "format") if key in body
        }
        assert (
            sent
            == expected
            == {
                "options": {
                    "top_p": 0.5,
                    "temperature": 0.0,
                    "num_ctx": 8192,
                    "num_predict": 64,
                    "seed": 42,
                },
                "keep_alive": "30m",
                "think": False,
            }
        )


async def test_think_is_left_out_for_a_model_that_cannot_think(make_app: AppFactory) -> None:
    app = make_app()
    store = store_of(app)
    chat = store.create_chat(model="llama3.2:latest", think="high", options={"seed": 1})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_options(pilot, chat.id)
        assert screen.field("think").text == "high"
        # The chat screen does not send think to such a model, so neither does the preview.
        assert preview_json(screen) == {"options": {"seed": 1}}
        preview = str(screen.query_one("#options-preview", Static).render())
        assert "think is left out: llama3.2:latest is not known to think." in preview
